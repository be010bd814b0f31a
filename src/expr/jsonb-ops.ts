/**
 * jsonb operators and functions: -> and ->> by key or index, ?, @>, ||, − key/index, jsonb_typeof,
 * jsonb_extract_path(_text), jsonb_array_length. Stateless. Invariant: a missing key or index gives SQL NULL
 * (null), a JSON null gives Jsonb(null) from -> and SQL NULL from ->>, as in PostgreSQL.
 */
import { Jsonb } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { formatJsonValue } from './jsonb-text.js';
import { compareValues } from '../common/compare.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function jsonbField(j: Jsonb, key: string): Jsonb | null {
  const v = j.value;
  if (!isObject(v) || !Object.prototype.hasOwnProperty.call(v, key)) return null;
  return new Jsonb(v[key]);
}

export function jsonbArrayElement(j: Jsonb, index: number): Jsonb | null {
  const v = j.value;
  if (!Array.isArray(v)) return null;
  const i = index < 0 ? v.length + index : index;
  if (i < 0 || i >= v.length) return null;
  return new Jsonb(v[i]);
}

/** The ->> rendering: strings unquoted, JSON null as SQL NULL, anything else as jsonb text. */
export function jsonbToText(j: Jsonb | null): string | null {
  if (j === null || j.value === null || j.value === undefined) return null;
  return typeof j.value === 'string' ? j.value : formatJsonValue(j.value);
}

export function jsonbTypeof(j: Jsonb): string {
  const v = j.value;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

/** jsonb_extract_path: follows keys (and integer-text indexes into arrays); NULL when a step is missing. */
export function jsonbExtractPath(j: Jsonb, path: readonly (string | null)[]): Jsonb | null {
  let cur: Jsonb | null = j;
  for (const step of path) {
    if (cur === null || step === null) return null;
    if (Array.isArray(cur.value)) {
      if (!/^\s*-?\d+\s*$/.test(step)) return null;
      cur = jsonbArrayElement(cur, Number(step));
    } else {
      cur = jsonbField(cur, step);
    }
  }
  return cur;
}

export function jsonbArrayLength(j: Jsonb): number {
  if (!Array.isArray(j.value)) {
    throw new SqlError('22023', isObject(j.value) ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
  }
  return j.value.length;
}

export function jsonbHasKey(j: Jsonb, key: string): boolean {
  const v = j.value;
  if (isObject(v)) return Object.prototype.hasOwnProperty.call(v, key);
  if (Array.isArray(v)) return v.some((e) => e === key);
  return v === key;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return compareValues(new Jsonb(a), new Jsonb(b)) === 0;
}

function contains(a: unknown, b: unknown, top: boolean): boolean {
  if (isObject(a) && isObject(b)) {
    return Object.keys(b).every((k) => Object.prototype.hasOwnProperty.call(a, k) && contains(a[k], b[k], false));
  }
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return b.every((eb) => a.some((ea) => (typeof eb === 'object' && eb !== null ? contains(ea, eb, false) : jsonEqual(ea, eb))));
    // a top-level array contains a bare scalar
    if (top && (b === null || typeof b !== 'object')) return a.some((ea) => jsonEqual(ea, b));
    return false;
  }
  if (isObject(a) || isObject(b) || Array.isArray(b)) return false;
  return jsonEqual(a, b);
}

export function jsonbContains(a: Jsonb, b: Jsonb): boolean {
  return contains(a.value, b.value, true);
}

export function jsonbConcat(a: Jsonb, b: Jsonb): Jsonb {
  const x = a.value;
  const y = b.value;
  if (isObject(x) && isObject(y)) return new Jsonb({ ...x, ...y });
  const ax = Array.isArray(x) ? x : [x];
  const ay = Array.isArray(y) ? y : [y];
  return new Jsonb([...ax, ...ay]);
}

export function jsonbDeleteKey(j: Jsonb, key: string): Jsonb {
  const v = j.value;
  if (isObject(v)) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) return j;
    const copy: Record<string, unknown> = { ...v };
    delete copy[key];
    return new Jsonb(copy);
  }
  if (Array.isArray(v)) return new Jsonb(v.filter((e) => e !== key));
  throw new SqlError('22023', 'cannot delete from scalar');
}

export function jsonbDeleteIndex(j: Jsonb, index: number): Jsonb {
  const v = j.value;
  if (Array.isArray(v)) {
    const i = index < 0 ? v.length + index : index;
    if (i < 0 || i >= v.length) return j;
    return new Jsonb(v.filter((_, k) => k !== i));
  }
  if (isObject(v)) throw new SqlError('22023', 'cannot delete from object using integer index');
  throw new SqlError('22023', 'cannot delete from scalar');
}

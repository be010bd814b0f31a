/**
 * rowKey: a canonical string for a Row, used to consolidate Z-sets in hash maps.
 * Invariant: two rows get the same key iff they are equal as SQL values of the same representation
 * (so 1 (number) and 1n (bigint) differ, which is fine: one column has one representation).
 */
import { Jsonb, type Row, type Value } from './types.js';
import { Numeric } from './numeric.js';

export function valueKey(v: Value): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
      return v.toString() + 'n';
    case 'boolean':
      return v ? 't' : 'f';
    case 'object':
      if (v === null) return '_';
      if (v instanceof Jsonb) return 'j' + canonicalJson(v.value);
      if (v instanceof Numeric) return 'd' + v.normalized().toString();
      return `i${v.months}/${v.days}/${v.micros}`;
    default:
      return '?';
  }
}

export function rowKey(row: Row): string {
  let s = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) s += '\u0001';
    s += valueKey(row[i]!);
  }
  return s;
}

/** JSON text with object keys sorted, so equal jsonb documents get equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k])).join(',') + '}';
}

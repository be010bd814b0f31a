/**
 * Hash keys for rows and values inside the dataflow (in memory only, never persisted): the same equality as
 * common/rowkey.ts (SQL-equal values of one representation get one key; Numeric normalized, -0 = 0), but
 * strings are length-prefixed instead of JSON-quoted, which is several times cheaper on the hot path.
 * Invariant: dfRowKey(a) === dfRowKey(b) iff rowKey(a) === rowKey(b) iff sameDfRowKey(a, b) (and dfValueKey /
 * sameDfValue alike for single values).
 */
import { canonicalJson } from '../common/rowkey.js';
import { Numeric } from '../common/numeric.js';
import { Jsonb, type Row, type Value } from '../common/types.js';

export function dfValueKey(v: Value): string {
  switch (typeof v) {
    case 'string':
      return 's' + v.length + ':' + v;
    case 'number':
      return v === 0 ? '0' : String(v);
    case 'bigint':
      return v.toString() + 'n';
    case 'boolean':
      return v ? 't' : 'f';
    case 'object':
      if (v === null) return '_';
      if (v instanceof Numeric) return 'd' + v.normalized().toString();
      if (v instanceof Jsonb) return 'j' + canonicalJson(v.value);
      return `i${v.months}/${v.days}/${v.micros}`;
    default:
      return '?';
  }
}

export function dfRowKey(row: Row): string {
  const n = row.length;
  if (n === 1) return dfValueKey(row[0]!);
  let s = '';
  for (let i = 0; i < n; i++) {
    if (i > 0) s += '\u0001';
    s += dfValueKey(row[i]!);
  }
  return s;
}

/** dfValueKey(x) === dfValueKey(y), without building either key. */
export function sameDfValue(x: Value, y: Value): boolean {
  if (x === y || (typeof x === 'number' && typeof y === 'number' && x !== x && y !== y)) return true; // NaN keys are equal
  return typeof x === 'object' && typeof y === 'object' && x !== null && y !== null && dfValueKey(x) === dfValueKey(y);
}

/** dfRowKey(a) === dfRowKey(b), without building either key. */
export function sameDfRowKey(a: Row, b: Row): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (!sameDfValue(a[i]!, b[i]!)) return false;
  return true;
}

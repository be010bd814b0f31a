/**
 * compareValues: the one total order on Values used for ORDER BY, MIN/MAX, keys and ranges.
 * SQL order within a type; NULL sorts after every non-NULL value (PostgreSQL's default ASC NULLS LAST).
 * Invariant: antisymmetric and transitive for values of the same representation; values of different
 * representations (which a well-typed plan never compares) order by a fixed rank of their kind.
 */
import { Jsonb, type Interval, type Value } from './types.js';
import { canonicalJson } from './rowkey.js';
import { Numeric } from './numeric.js';

const KIND_RANK: Record<string, number> = { boolean: 0, number: 1, bigint: 1, string: 2, object: 3 };

export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') {
    const x = a as number;
    const y = b as number;
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === y) return 0;
    // PostgreSQL: NaN equals NaN and sorts above every other number.
    return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
  }
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  if (ta === 'bigint' || tb === 'bigint') {
    if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) return compareMixedInts(a as number | bigint, b as number | bigint);
  }
  if (ta === 'boolean' && tb === 'boolean') return a ? 1 : -1;
  if (ta === 'object' && tb === 'object') {
    if (a instanceof Numeric && b instanceof Numeric) return a.compare(b);
    if (a instanceof Jsonb || b instanceof Jsonb) {
      const sa = a instanceof Jsonb ? canonicalJson(a.value) : '';
      const sb = b instanceof Jsonb ? canonicalJson(b.value) : '';
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
    return compareIntervals(a as Interval, b as Interval);
  }
  return (KIND_RANK[ta] ?? 9) - (KIND_RANK[tb] ?? 9);
}

function compareMixedInts(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && !Number.isInteger(a)) return a < Number(b) ? -1 : a > Number(b) ? 1 : 0;
  if (typeof b === 'number' && !Number.isInteger(b)) return Number(a) < b ? -1 : Number(a) > b ? 1 : 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** PostgreSQL compares intervals by their total span, with a month = 30 days and a day = 24 hours. */
export function intervalSpanMicros(i: Interval): number {
  return (i.months * 30 + i.days) * 86_400_000_000 + i.micros;
}

function compareIntervals(a: Interval, b: Interval): number {
  const x = intervalSpanMicros(a);
  const y = intervalSpanMicros(b);
  return x < y ? -1 : x > y ? 1 : 0;
}


/**
 * Strings in code-point order (= UTF-8 byte order, PostgreSQL's C collation). UTF-16 code-unit order differs only
 * when a surrogate pair meets a BMP character at or above U+E000, so that case takes the slow path.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if ((x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff)) return (a.codePointAt(i) ?? 0) < (b.codePointAt(i) ?? 0) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

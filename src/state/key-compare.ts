/**
 * Key comparison for state tables (L1): the total order every StateStore keeps its keys in.
 * Column-wise SQL order from common/compare.ts, with two refinements the byte codec (key-codec.ts) also has:
 * strings compare by code point (= UTF-8 byte order, not UTF-16 unit order) and NaN is the greatest non-NULL
 * double (as in PostgreSQL); intervals by span, ties broken by (months, days, micros) so distinct intervals are
 * distinct keys; jsonb by canonical text in code point order. A key that is a proper prefix of another sorts first.
 */
import { compareValues } from '../common/compare.js';
import { canonicalJson } from '../common/rowkey.js';
import { Jsonb, type Interval, type Value } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import type { StateKey } from './store.js';

/** Code point order; equals UTF-8 byte order. Differs from JS `<` only for surrogates vs U+E000..U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // surrogates (astral code points) sort after U+E000..U+FFFF
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** One key column: SQL order, NULL last, NaN greatest non-NULL number, strings by code point. */
export function compareKeyValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    return an === bn ? 0 : an ? 1 : -1;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    if (a instanceof Jsonb && b instanceof Jsonb) return compareCodePoints(canonicalJson(a.value), canonicalJson(b.value));
    if (!(a instanceof Jsonb) && !(b instanceof Jsonb) && !(a instanceof Numeric) && !(b instanceof Numeric)) {
      return compareIntervalKeys(a, b);
    }
  }
  return compareValues(a, b);
}

/** Column-wise; a proper prefix sorts before its extensions. */
export function compareKeys(a: StateKey, b: StateKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareKeyValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * Where `key` lies relative to the block of keys that start with `prefix`: −1 before it, 0 inside, 1 after.
 * Monotone in key order, so it can drive a binary search.
 */
export function comparePrefix(key: StateKey, prefix: StateKey): number {
  const n = Math.min(key.length, prefix.length);
  for (let i = 0; i < n; i++) {
    const c = compareKeyValues(key[i]!, prefix[i]!);
    if (c !== 0) return c;
  }
  return key.length < prefix.length ? -1 : 0;
}

export function hasPrefix(key: StateKey, prefix: StateKey): boolean {
  return comparePrefix(key, prefix) === 0;
}

/** Span order (PostgreSQL's), then months, days, micros: a total order in which only identical intervals tie. */
export function compareIntervalKeys(a: Interval, b: Interval): number {
  const x = intervalSpanExact(a);
  const y = intervalSpanExact(b);
  if (x !== y) return x < y ? -1 : 1;
  if (a.months !== b.months) return a.months < b.months ? -1 : 1;
  if (a.days !== b.days) return a.days < b.days ? -1 : 1;
  return a.micros < b.micros ? -1 : a.micros > b.micros ? 1 : 0;
}

/** The exact span in microseconds (month = 30 days, day = 24 h), as PostgreSQL compares intervals. */
export function intervalSpanExact(i: Interval): bigint {
  return BigInt(i.months * 30 + i.days) * 86_400_000_000n + BigInt(Math.trunc(i.micros));
}

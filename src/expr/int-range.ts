/**
 * Integer range checks and conversions shared by casts and arithmetic: smallint/integer live in JS numbers,
 * bigint in JS bigints. Stateless. Invariant: every returned value is within its type's range, otherwise
 * SqlError 22003 '<type> out of range' is thrown.
 */
import type { SqlType } from '../common/types.js';
import { numericOutOfRange } from './errors.js';

export const INT2_MIN = -32768;
export const INT2_MAX = 32767;
export const INT4_MIN = -2147483648;
export const INT4_MAX = 2147483647;
export const INT8_MIN = -(2n ** 63n);
export const INT8_MAX = 2n ** 63n - 1n;

export type IntegerType = 'smallint' | 'integer' | 'bigint';

export function isIntegerType(t: SqlType): t is IntegerType {
  return t === 'smallint' || t === 'integer' || t === 'bigint';
}

export function checkInt2(n: number): number {
  if (!(n >= INT2_MIN && n <= INT2_MAX)) throw numericOutOfRange('smallint');
  return n + 0;
}

export function checkInt4(n: number): number {
  if (!(n >= INT4_MIN && n <= INT4_MAX)) throw numericOutOfRange('integer');
  return n + 0;
}

export function checkInt8(n: bigint): bigint {
  if (n < INT8_MIN || n > INT8_MAX) throw numericOutOfRange('bigint');
  return n;
}

/** An exact integer (number or bigint) as the given integer type's representation, range-checked. */
export function toIntegerType(n: number | bigint, t: IntegerType): number | bigint {
  if (t === 'bigint') return checkInt8(typeof n === 'bigint' ? n : BigInt(n));
  const x = typeof n === 'bigint' ? (n > 2n ** 53n || n < -(2n ** 53n) ? Infinity : Number(n)) : n;
  return t === 'integer' ? checkInt4(x) : checkInt2(x);
}

/** Round half to even, as C rint() does (PostgreSQL's float → integer casts). */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

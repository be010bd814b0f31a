/**
 * Numeric arithmetic with PostgreSQL's overflow and division rules: int2/int4 in JS numbers, int8 in bigints,
 * float4/float8 with overflow/underflow errors, numeric exact. Stateless.
 * Invariant: results are in range for their type or SqlError 22003/22012 is thrown; integer division truncates.
 */
import type { SqlType, Value } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import { SqlError } from '../common/errors.js';
import { divisionByZero } from './errors.js';
import { checkInt2, checkInt4, checkInt8 } from './int-range.js';

export type ArithOp = '+' | '-' | '*' | '/' | '%';

function overflow(): SqlError {
  return new SqlError('22003', 'value out of range: overflow');
}
function underflow(): SqlError {
  return new SqlError('22003', 'value out of range: underflow');
}

/** Integer arithmetic in the result type `t` (operands of narrower integer types are widened first). */
export function intArith(op: ArithOp, t: 'smallint' | 'integer' | 'bigint'): (a: Value, b: Value) => Value {
  if (t === 'bigint') {
    return (x, y) => {
      const a = BigInt(x as number | bigint);
      const b = BigInt(y as number | bigint);
      switch (op) {
        case '+':
          return checkInt8(a + b);
        case '-':
          return checkInt8(a - b);
        case '*':
          return checkInt8(a * b);
        case '/':
          if (b === 0n) throw divisionByZero();
          return checkInt8(a / b);
        case '%':
          if (b === 0n) throw divisionByZero();
          return a % b;
      }
    };
  }
  const check = t === 'integer' ? checkInt4 : checkInt2;
  return (x, y) => {
    const a = x as number;
    const b = y as number;
    switch (op) {
      case '+':
        return check(a + b);
      case '-':
        return check(a - b);
      case '*':
        return check(a * b);
      case '/':
        if (b === 0) throw divisionByZero();
        return check(Math.trunc(a / b));
      case '%':
        if (b === 0) throw divisionByZero();
        return (a % b) + 0;
    }
  };
}

/** float8 (or float4 when `real`) arithmetic with PostgreSQL's check_float8_val rules. */
export function floatArith(op: Exclude<ArithOp, '%'>, real: boolean): (a: Value, b: Value) => Value {
  const round = real ? Math.fround : (x: number): number => x;
  return (x, y) => {
    const a = x as number;
    const b = y as number;
    let r: number;
    switch (op) {
      case '+':
        r = round(a + b);
        break;
      case '-':
        r = round(a - b);
        break;
      case '*':
        r = round(a * b);
        if (r === 0 && a !== 0 && b !== 0) throw underflow();
        break;
      case '/':
        if (b === 0 && !Number.isNaN(a)) throw divisionByZero();
        r = round(a / b);
        if (r === 0 && a !== 0 && Number.isFinite(b)) throw underflow();
        break;
    }
    if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a) && Number.isFinite(b)) throw overflow();
    return r;
  };
}

export function numericArith(op: ArithOp): (a: Value, b: Value) => Value {
  return (x, y) => {
    const a = x as Numeric;
    const b = y as Numeric;
    switch (op) {
      case '+':
        return a.add(b);
      case '-':
        return a.sub(b);
      case '*':
        return a.mul(b);
      case '/':
        if (b.isZero()) throw divisionByZero();
        return numericDiv(a, b);
      case '%': {
        if (b.isZero()) throw divisionByZero();
        const s = Math.max(a.scale, b.scale);
        return new Numeric(a.withScale(s).unscaled % b.withScale(s).unscaled, s);
      }
    }
  };
}

/** First significant digit position (10^k) of a nonzero |n|, k may be negative. */

/**
 * numeric division with PostgreSQL's select_div_scale: at least 16 significant digits, at least the operands'
 * display scales, at most 1000; rounded half away from zero at that scale.
 */
export function numericDiv(a: Numeric, b: Numeric): Numeric {
  if (b.isZero()) throw divisionByZero();
  return a.div(b);
}

/** Unary minus for a numeric type's representation, with int overflow checks. */
export function negate(t: SqlType): (a: Value) => Value {
  switch (t) {
    case 'smallint':
      return (a) => checkInt2(-(a as number));
    case 'integer':
      return (a) => checkInt4(-(a as number));
    case 'bigint':
      return (a) => checkInt8(-(a as bigint));
    case 'numeric':
      return (a) => (a as Numeric).negate();
    default:
      return (a) => -(a as number);
  }
}

export function absValue(t: SqlType): (a: Value) => Value {
  switch (t) {
    case 'smallint':
      return (a) => checkInt2(Math.abs(a as number));
    case 'integer':
      return (a) => checkInt4(Math.abs(a as number));
    case 'bigint':
      return (a) => checkInt8((a as bigint) < 0n ? -(a as bigint) : (a as bigint));
    case 'numeric':
      return (a) => ((a as Numeric).unscaled < 0n ? (a as Numeric).negate() : a);
    default:
      return (a) => Math.abs(a as number);
  }
}

/**
 * Math functions with PostgreSQL's result types and scales: round/trunc/floor/ceil on numeric and double,
 * power and sqrt (numeric result scales as numeric.c computes them), sign, exp/ln/log on double. Stateless.
 * Invariant: numeric results are exact decimals rounded half away from zero; doubles round half to even (rint).
 */
import { Numeric } from '../common/numeric.js';
import { SqlError } from '../common/errors.js';
import { divisionByZero } from './errors.js';
import { numericDiv } from './arith.js';

const TEN = 10n;

/** round(numeric, n): n may be negative (round to tens, hundreds …); result scale max(n, 0). */
export function roundNumeric(x: Numeric, n = 0): Numeric {
  if (n >= 0) return x.withScale(n);
  const unit = TEN ** BigInt(x.scale - n);
  const q = x.unscaled / unit;
  const r = x.unscaled % unit;
  const twice = (r < 0n ? -r : r) * 2n;
  const bump = twice >= unit ? (x.unscaled < 0n ? -1n : 1n) : 0n;
  return new Numeric((q + bump) * TEN ** BigInt(-n), 0);
}

/** trunc(numeric, n): toward zero at n digits (n may be negative). */
export function truncNumeric(x: Numeric, n = 0): Numeric {
  if (n >= x.scale) return n === x.scale ? x : x.withScale(n);
  const drop = TEN ** BigInt(x.scale - n);
  const q = x.unscaled / drop; // truncates toward zero
  if (n >= 0) return new Numeric(q, n);
  return new Numeric(q * TEN ** BigInt(-n), 0);
}

export function floorNumeric(x: Numeric): Numeric {
  const t = truncNumeric(x, 0);
  return x.compare(t) < 0 ? new Numeric(t.unscaled - 1n, 0) : t;
}

export function ceilNumeric(x: Numeric): Numeric {
  const t = truncNumeric(x, 0);
  return x.compare(t) > 0 ? new Numeric(t.unscaled + 1n, 0) : t;
}

export function signNumeric(x: Numeric): Numeric {
  return new Numeric(x.unscaled > 0n ? 1n : x.unscaled < 0n ? -1n : 0n, 0);
}

function leadingExponent(n: Numeric): number {
  const abs = n.unscaled < 0n ? -n.unscaled : n.unscaled;
  return abs.toString().length - 1 - n.scale;
}

/** sqrt(numeric): PostgreSQL's result scale from the argument's base-10000 weight. */
export function sqrtNumeric(x: Numeric): Numeric {
  if (x.unscaled < 0n) throw new SqlError('2201F', 'cannot take square root of a negative number');
  const weight = x.isZero() ? 0 : Math.floor(leadingExponent(x) / 4);
  const sweight = Math.trunc(((weight + 1) * 4) / 2) - 1;
  const rscale = Math.min(1000, Math.max(16 - sweight, x.scale, 0));
  // floor(sqrt(u / 10^s) * 10^(rscale+1)) = isqrt(u * 10^(2(rscale+1) - s))
  const shift = 2 * (rscale + 1) - x.scale;
  const n = shift >= 0 ? x.unscaled * TEN ** BigInt(shift) : x.unscaled / TEN ** BigInt(-shift);
  return new Numeric(isqrt(n), rscale + 1).withScale(rscale);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** power(numeric, numeric): exact for integer exponents (scale ≥ 16), via double otherwise. */
export function powerNumeric(base: Numeric, exp: Numeric): Numeric {
  if (base.isZero() && exp.unscaled < 0n) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  const expInt = exp.normalized().scale === 0;
  if (base.unscaled < 0n && !expInt) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  if (expInt) {
    const e = exp.withScale(0).unscaled;
    const rscale = Math.max(16, base.scale, exp.scale);
    if (e > 100000n || e < -100000n) throw new SqlError('22003', 'value overflows numeric format');
    const mag = e < 0n ? -e : e;
    let result = new Numeric(1n, 0);
    let b = base;
    let k = mag;
    while (k > 0n) {
      if (k & 1n) result = result.mul(b);
      k >>= 1n;
      if (k > 0n) b = b.mul(b);
    }
    if (e < 0n) {
      if (result.isZero()) throw divisionByZero();
      return numericDiv(new Numeric(1n, 0), result).withScale(rscale);
    }
    return result.withScale(rscale);
  }
  const value = Math.pow(base.toNumber(), exp.toNumber());
  const estimate = exp.toNumber() * Math.log10(Math.abs(base.toNumber()));
  const rscale = Math.min(1000, Math.max(16 - Math.trunc(estimate), base.scale, exp.scale, 0));
  if (!Number.isFinite(value)) throw new SqlError('22003', 'value overflows numeric format');
  return (Numeric.fromString(value.toPrecision(17)) ?? new Numeric(0n, 0)).withScale(rscale);
}

export function powerDouble(x: number, y: number): number {
  if (x === 0 && y < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  const r = Math.pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw new SqlError('22003', 'value out of range: overflow');
  if (r === 0 && x !== 0 && Number.isFinite(y) && Number.isFinite(x)) throw new SqlError('22003', 'value out of range: underflow');
  return r;
}

export function sqrtDouble(x: number): number {
  if (x < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  return Math.sqrt(x);
}

export function lnDouble(x: number): number {
  if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  return Math.log(x);
}

export function log10Double(x: number): number {
  if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  return Math.log10(x);
}

export function expDouble(x: number): number {
  const r = Math.exp(x);
  if (!Number.isFinite(r) && Number.isFinite(x)) throw new SqlError('22003', 'value out of range: overflow');
  if (r === 0 && Number.isFinite(x)) throw new SqlError('22003', 'value out of range: underflow');
  return r;
}

/** exp/ln/log on numeric via double: PostgreSQL's scale (16 significant decimals before the point is counted), last digit may differ. */
export function numericFromDouble(r: number, minScale: number): Numeric {
  if (!Number.isFinite(r)) throw new SqlError('22003', 'value overflows numeric format');
  const lead = r === 0 ? 0 : Math.floor(Math.log10(Math.abs(r)));
  const rscale = Math.min(1000, Math.max(16 - Math.max(lead, 0), minScale, 0));
  const exact = Numeric.fromString(r.toPrecision(Math.min(100, Math.max(1, lead + 1 + rscale + 1))));
  return (exact ?? new Numeric(0n, 0)).withScale(rscale);
}

/**
 * Numeric: exact decimal values (SQL numeric/decimal) as an unscaled bigint and a scale (digits after the point).
 * Invariant: instances are immutable; `scale` ≥ 0; equal values may differ in scale (1.0 vs 1.00) exactly as
 * in PostgreSQL, where they compare equal but print differently.
 */

export class Numeric {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  static fromString(text: string): Numeric | null {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return null;
    const sign = m[1] === '-' ? -1n : 1n;
    let intPart = m[2] ?? '';
    let frac = m[3] ?? '';
    let exp = m[4] ? parseInt(m[4], 10) : 0;
    if (exp > 0) {
      const take = frac.slice(0, exp).padEnd(exp, '0');
      intPart += take;
      frac = frac.slice(exp);
      exp = 0;
    } else if (exp < 0) {
      const n = -exp;
      const padded = intPart.padStart(n + 1, '0');
      frac = padded.slice(padded.length - n) + frac;
      intPart = padded.slice(0, padded.length - n);
    }
    const digits = (intPart + frac).replace(/^0+(?=\d)/, '') || '0';
    return new Numeric(sign * BigInt(digits), frac.length);
  }

  static fromNumber(n: number): Numeric {
    if (Number.isInteger(n)) return new Numeric(BigInt(n), 0);
    return Numeric.fromString(String(n)) ?? new Numeric(0n, 0);
  }

  static fromBigint(n: bigint): Numeric {
    return new Numeric(n, 0);
  }

  toString(): string {
    const neg = this.unscaled < 0n;
    let digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale === 0) return (neg ? '-' : '') + digits;
    digits = digits.padStart(this.scale + 1, '0');
    const cut = digits.length - this.scale;
    return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
  }

  toNumber(): number {
    return Number(this.toString());
  }

  withScale(scale: number): Numeric {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Numeric(this.unscaled * 10n ** BigInt(scale - this.scale), scale);
    // round half away from zero, as PostgreSQL does
    const div = 10n ** BigInt(this.scale - scale);
    const q = this.unscaled / div;
    const r = this.unscaled % div;
    const twice = (r < 0n ? -r : r) * 2n;
    const bump = twice >= div ? (this.unscaled < 0n ? -1n : 1n) : 0n;
    return new Numeric(q + bump, scale);
  }

  add(o: Numeric): Numeric {
    const s = Math.max(this.scale, o.scale);
    return new Numeric(this.withScale(s).unscaled + o.withScale(s).unscaled, s);
  }

  sub(o: Numeric): Numeric {
    return this.add(o.negate());
  }

  negate(): Numeric {
    return new Numeric(-this.unscaled, this.scale);
  }

  mul(o: Numeric): Numeric {
    return new Numeric(this.unscaled * o.unscaled, this.scale + o.scale);
  }

  /**
   * Division with PostgreSQL's select_div_scale: at least 16 significant digits, at least the operands' display
   * scales, at most 1000; rounded half away from zero. PostgreSQL counts in base-10000 digit groups (weights).
   */
  div(o: Numeric): Numeric {
    if (o.unscaled === 0n) throw new RangeError('division by zero');
    let qweight = groupWeight(this) - groupWeight(o);
    if (firstGroup(this) <= firstGroup(o)) qweight--;
    const rscale = Math.min(1000, Math.max(16 - qweight * 4, this.scale, o.scale, 0));
    const num = this.unscaled * 10n ** BigInt(rscale + 1 + o.scale);
    const den = o.unscaled * 10n ** BigInt(this.scale);
    return new Numeric(num / den, rscale + 1).withScale(rscale);
  }

  compare(o: Numeric): number {
    const s = Math.max(this.scale, o.scale);
    const a = this.withScale(s).unscaled;
    const b = o.withScale(s).unscaled;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The same value with trailing fractional zeros removed (1.500 → 1.5): one key per SQL-equal value. */
  normalized(): Numeric {
    let u = this.unscaled;
    let s = this.scale;
    while (s > 0 && u % 10n === 0n) {
      u /= 10n;
      s--;
    }
    return s === this.scale ? this : new Numeric(u, s);
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

}

/** Decimal exponent of the leading digit (123.4 → 2, 0.05 → −2). */
function leadingExponent(n: Numeric): number {
  const abs = n.unscaled < 0n ? -n.unscaled : n.unscaled;
  return abs.toString().length - 1 - n.scale;
}

/** PostgreSQL's weight: index of the leading base-10000 digit group (the units group is 0). */
function groupWeight(n: Numeric): number {
  return n.isZero() ? 0 : Math.floor(leadingExponent(n) / 4);
}

/** The leading base-10000 digit group's value (1…9999). */
function firstGroup(n: Numeric): bigint {
  if (n.isZero()) return 0n;
  const abs = n.unscaled < 0n ? -n.unscaled : n.unscaled;
  const shift = n.scale + 4 * groupWeight(n);
  return shift >= 0 ? abs / 10n ** BigInt(shift) : abs * 10n ** BigInt(-shift);
}

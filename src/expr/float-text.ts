/**
 * Text I/O for real and double precision, as PostgreSQL 12+ does it: the shortest digits that round-trip,
 * in %g-like layout (exponent form below 1e-4 or from 1e15 (double) / 1e6 (real) up). Also a plain-decimal
 * layout for numbers inside jsonb. Stateless. Invariant: Number(formatFloat8(x)) === x for every finite x.
 */
import { floatOutOfRange, invalidInputSyntax } from './errors.js';

/** Shortest round-trip decimal digits of |x| (no leading/trailing zeros) and the decimal exponent of the first. */
function shortestDigits(x: number, precision?: number): { digits: string; exp: number } {
  const s = precision === undefined ? Math.abs(x).toExponential() : Math.abs(x).toExponential(precision - 1);
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exp: Number(s.slice(e + 1)) };
}

function layout(neg: boolean, digits: string, exp: number, maxFixedExp: number): string {
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= maxFixedExp) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const absExp = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${absExp < 10 ? '0' : ''}${absExp}`;
  }
  return sign + plainDecimal(digits, exp);
}

/** Digits d1d2d3… with the first at 10^exp, written without an exponent. */
function plainDecimal(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return null;
}

export function formatFloat8(x: number): string {
  const s = special(x);
  if (s !== null) return s;
  const { digits, exp } = shortestDigits(x);
  return layout(x < 0, digits, exp, 15);
}

/** x must already be a float32 value (Math.fround(x) === x); prints the shortest float32 round-trip digits. */
export function formatFloat4(x: number): string {
  const s = special(x);
  if (s !== null) return s;
  const f = Math.fround(x);
  const exact = shortestDigits(f, 100);
  for (let p = 1; p <= 9; p++) {
    const cand = roundHalfEven(exact.digits, exact.exp, p);
    if (Math.fround(Number(`${cand.digits[0]}.${cand.digits.slice(1) || '0'}e${cand.exp}`)) === Math.abs(f)) {
      return layout(f < 0, cand.digits.replace(/0+$/, '') || '0', cand.exp, 6);
    }
  }
  return layout(f < 0, exact.digits.slice(0, 9), exact.exp, 6);
}

/** The first p digits of an exact decimal (digits, exp), rounded half to even (ryu's tie rule). */
function roundHalfEven(digits: string, exp: number, p: number): { digits: string; exp: number } {
  if (digits.length <= p) return { digits, exp };
  const head = digits.slice(0, p);
  const rest = digits.slice(p);
  const up = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[p - 1]) % 2 === 1));
  if (!up) return { digits: head, exp };
  const bumped = (BigInt(head) + 1n).toString();
  return bumped.length > p ? { digits: bumped.slice(0, p), exp: exp + 1 } : { digits: bumped, exp };
}

/** A JS number as jsonb prints a numeric: plain decimal, no exponent (1e21 → 1000000000000000000000). */
export function formatJsonNumber(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  const { digits, exp } = shortestDigits(x);
  return (x < 0 ? '-' : '') + plainDecimal(digits, exp);
}

const FLOAT_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIALS: Record<string, number> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};

/** float8in / float4in: whitespace, decimal or exponent syntax, NaN/Infinity/inf; 22P02 or 22003 on failure. */
export function parseFloatText(text: string, real: boolean): number {
  const typeName = real ? 'real' : 'double precision';
  const t = text.trim();
  const sp = SPECIALS[t.toLowerCase()];
  if (sp !== undefined) return sp;
  if (!FLOAT_SYNTAX.test(t)) throw invalidInputSyntax(typeName, text);
  const d = Number(t);
  const v = real ? Math.fround(d) : d;
  if (!Number.isFinite(v)) throw floatOutOfRange(typeName, t);
  if (v === 0 && /[1-9]/.test(t.replace(/[eE].*$/, ''))) throw floatOutOfRange(typeName, t);
  return v;
}

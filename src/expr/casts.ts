/**
 * Casts between SqlTypes with PostgreSQL semantics (castValue) and pg_cast's contexts (castContext).
 * Stateless. Invariant: castValue(v, from, to) is only defined when castContext(from, to) !== null; it never
 * returns a value outside `to`'s representation, and NULL casts to NULL.
 */
import { Jsonb, MICROS_PER_DAY, MICROS_PER_SECOND, type SqlType, type Value } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import { SqlError } from '../common/errors.js';
import { EXPR_SQLSTATE, numericOutOfRange } from './errors.js';
import { checkInt2, checkInt4, isIntegerType, rint, toIntegerType, type IntegerType } from './int-range.js';
import { formatValueText, parseValueText } from './text-io.js';
import { pgTypeName, type TypeSpec } from './type-names.js';
import { requireTimeZone } from './timezone.js';
import { isFiniteTimestampInRange } from './calendar.js';
import { parseFloatText } from './float-text.js';

export type CastContext = 'implicit' | 'assignment' | 'explicit';

const NUMERIC_RANK: Partial<Record<SqlType, number>> = { smallint: 0, integer: 1, bigint: 2, numeric: 3, real: 4, 'double precision': 5 };

function isString(t: SqlType): boolean {
  return t === 'text' || t === 'varchar';
}

/**
 * pg_cast's castcontext for from → to: 'implicit' (used anywhere), 'assignment' (INSERT/UPDATE targets and
 * explicit casts), 'explicit' (only CAST/::), or null when no cast exists (42846 'cannot cast type … to …').
 */
export function castContext(from: SqlType, to: SqlType): CastContext | null {
  if (from === to) return 'implicit';
  if (from === 'unknown') return 'implicit';
  if (to === 'unknown') return null;
  if (isString(from) && isString(to)) return 'implicit';
  const rf = NUMERIC_RANK[from];
  const rt = NUMERIC_RANK[to];
  if (rf !== undefined && rt !== undefined) {
    // smallint < integer < bigint < numeric < real < double: widening is implicit, narrowing assignment.
    return rf < rt ? 'implicit' : 'assignment';
  }
  if (isString(to)) return 'assignment'; // automatic I/O conversion to a string type
  if (isString(from)) return 'explicit'; // automatic I/O conversion from a string type
  switch (from) {
    case 'boolean':
      return to === 'integer' ? 'explicit' : null;
    case 'integer':
      return to === 'boolean' ? 'explicit' : null;
    case 'date':
      return to === 'timestamp' || to === 'timestamptz' ? 'implicit' : null;
    case 'timestamp':
      return to === 'timestamptz' ? 'implicit' : to === 'date' ? 'assignment' : null;
    case 'timestamptz':
      return to === 'timestamp' || to === 'date' ? 'assignment' : null;
    case 'jsonb':
      return to === 'boolean' || rt !== undefined ? 'explicit' : null;
    default:
      return null;
  }
}

/** True when `from` may be used where `to` is expected without an explicit cast (function/operator args). */
export function canCoerceImplicitly(from: SqlType, to: SqlType): boolean {
  return castContext(from, to) === 'implicit';
}

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(EXPR_SQLSTATE.cannot_coerce, `cannot cast type ${pgTypeName(from)} to ${pgTypeName(to)}`);
}

/** numeric → integer: round half away from zero (Numeric.withScale(0)), then range-check. */
function numericToInteger(n: Numeric, to: IntegerType): number | bigint {
  return toIntegerType(n.withScale(0).unscaled, to);
}

/** float → integer: rint (half to even), NaN/Inf and overflow raise '<type> out of range'. */
function floatToInteger(x: number, to: IntegerType): number | bigint {
  if (!Number.isFinite(x)) throw numericOutOfRange(to);
  const r = rint(x);
  if (to === 'bigint') {
    if (r < -9223372036854775808 || r >= 9223372036854775808) throw numericOutOfRange('bigint');
    return BigInt(r);
  }
  return to === 'integer' ? checkInt4(r) : checkInt2(r);
}

/** float8/float4 → numeric: PostgreSQL prints with DBL_DIG (15) / FLT_DIG (6) significant digits first. */
function floatToNumeric(x: number, real: boolean): Numeric {
  if (!Number.isFinite(x)) throw new SqlError('0A000', `cannot convert ${Number.isNaN(x) ? 'NaN' : 'infinity'} to numeric in sluice`);
  const n = Numeric.fromString(x.toPrecision(real ? 6 : 15));
  return n ? n.normalized() : new Numeric(0n, 0);
}

function toReal(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) && Number.isFinite(x)) throw new SqlError('22003', 'value out of range: overflow');
  if (f === 0 && x !== 0) throw new SqlError('22003', 'value out of range: underflow');
  return f;
}

/** numeric → float goes through the float input function, as in PostgreSQL (same out-of-range errors). */
function numericToFloat(n: Numeric, real: boolean): number {
  return parseFloatText(n.toString(), real);
}

function toNumber(v: Value): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function castNumber(v: Value, from: SqlType, to: SqlType): Value {
  if (from === 'numeric') {
    const n = v as Numeric;
    if (isIntegerType(to)) return numericToInteger(n, to);
    return numericToFloat(n, to === 'real');
  }
  if (from === 'real' || from === 'double precision') {
    const x = v as number;
    if (isIntegerType(to)) return floatToInteger(x, to);
    if (to === 'numeric') return floatToNumeric(x, from === 'real');
    return to === 'real' ? toReal(x) : x;
  }
  // from an integer type
  if (isIntegerType(to)) return toIntegerType(v as number | bigint, to);
  if (to === 'numeric') return typeof v === 'bigint' ? Numeric.fromBigint(v) : new Numeric(BigInt(v as number), 0);
  const x = toNumber(v);
  return to === 'real' ? Math.fround(x) : x;
}

function jsonbTypeName(j: unknown): string {
  if (j === null) return 'null';
  if (Array.isArray(j)) return 'array';
  if (typeof j === 'number') return 'numeric';
  return typeof j === 'object' ? 'object' : typeof j;
}

function castJsonb(j: Jsonb, to: SqlType): Value {
  const v = j.value;
  if (to === 'boolean') {
    if (typeof v === 'boolean') return v;
    throw new SqlError('22023', `cannot cast jsonb ${jsonbTypeName(v)} to type boolean`);
  }
  if (typeof v !== 'number') throw new SqlError('22023', `cannot cast jsonb ${jsonbTypeName(v)} to type ${pgTypeName(to)}`);
  const n = Numeric.fromString(String(v)) ?? new Numeric(0n, 0);
  return to === 'numeric' ? n : castNumber(n, 'numeric', to);
}

/**
 * Converts v of type `from` to type `to` as PostgreSQL's cast does. `tz` is the session TimeZone for
 * timestamptz ↔ timestamp/date/text (default 'UTC'). Errors: 22003 out of range, 22P02/22007 from text,
 * 42846 when no cast exists.
 */
export function castValue(v: Value, from: SqlType, to: SqlType, tz?: string): Value {
  if (v === null) return null;
  if (from === to) return v;
  if (from === 'unknown' || isString(from)) {
    if (isString(to) || to === 'unknown') return v;
    return parseValueText(v as string, to, tz);
  }
  if (isString(to)) {
    if (from === 'boolean') return v ? 'true' : 'false';
    return formatValueText(v, from, tz);
  }
  if (NUMERIC_RANK[from] !== undefined && NUMERIC_RANK[to] !== undefined) return castNumber(v, from, to);
  switch (from) {
    case 'boolean':
      if (to === 'integer') return v ? 1 : 0;
      break;
    case 'integer':
      if (to === 'boolean') return v !== 0;
      break;
    case 'date':
      if (to === 'timestamp') return dateToTimestamp(v as number);
      if (to === 'timestamptz') return localToUtc(dateToTimestamp(v as number), tz);
      break;
    case 'timestamp':
      if (to === 'timestamptz') return localToUtc(v as number, tz);
      if (to === 'date') return timestampToDate(v as number);
      break;
    case 'timestamptz':
      if (to === 'timestamp') return utcToLocal(v as number, tz);
      if (to === 'date') return timestampToDate(utcToLocal(v as number, tz));
      break;
    case 'jsonb':
      if (to === 'boolean' || NUMERIC_RANK[to] !== undefined) return castJsonb(v as Jsonb, to);
      break;
    default:
      break;
  }
  throw cannotCast(from, to);
}

function dateToTimestamp(days: number): number {
  if (!Number.isFinite(days)) return days;
  return days * MICROS_PER_DAY;
}

function timestampToDate(micros: number): number {
  if (!Number.isFinite(micros)) return micros;
  return Math.floor(micros / MICROS_PER_DAY);
}

/** A wall-clock timestamp read in the session zone → UTC µs (timestamp → timestamptz). */
export function localToUtc(local: number, tz?: string): number {
  if (!Number.isFinite(local)) return local;
  const utc = local - requireTimeZone(tz).offsetAtLocal(local) * MICROS_PER_SECOND;
  if (!isFiniteTimestampInRange(utc)) throw numericOutOfRange('timestamp');
  return utc;
}

/** UTC µs → the wall clock in the session zone (timestamptz → timestamp). */
export function utcToLocal(utc: number, tz?: string): number {
  if (!Number.isFinite(utc)) return utc;
  return utc + requireTimeZone(tz).offsetAtUtc(utc) * MICROS_PER_SECOND;
}

/**
 * Applies a type modifier after a cast: numeric(p,s) rounds to s and checks p (22003 'numeric field
 * overflow'), varchar(n) truncates on explicit casts or when only spaces are cut, else 22001;
 * timestamp(p)/timestamptz(p)/interval(p) round the fraction to p digits.
 */
export function applyTypeModifier(v: Value, spec: TypeSpec, explicit: boolean): Value {
  if (v === null) return null;
  if (spec.type === 'numeric' && spec.precision !== undefined) {
    const scale = spec.scale ?? 0;
    const n = (v as Numeric).withScale(scale);
    const limitDigits = spec.precision - scale;
    const abs = n.unscaled < 0n ? -n.unscaled : n.unscaled;
    if (abs !== 0n && abs >= 10n ** BigInt(spec.precision)) {
      throw new SqlError('22003', 'numeric field overflow', {
        detail: `A field with precision ${spec.precision}, scale ${scale} must round to an absolute value less than ${limitDigits === 0 ? '1' : `10^${limitDigits}`}.`,
      });
    }
    return n;
  }
  if (spec.type === 'varchar' && spec.length !== undefined) {
    const s = v as string;
    const chars = Array.from(s);
    if (chars.length <= spec.length) return s;
    const cut = chars.slice(0, spec.length).join('');
    if (explicit || /^ *$/.test(chars.slice(spec.length).join(''))) return cut;
    throw new SqlError('22001', `value too long for type character varying(${spec.length})`);
  }
  if (spec.secondsPrecision !== undefined && spec.secondsPrecision < 6) {
    const unit = 10 ** (6 - spec.secondsPrecision);
    if (spec.type === 'interval') {
      const i = v as { months: number; days: number; micros: number };
      return { months: i.months, days: i.days, micros: roundHalfAway(i.micros / unit) * unit };
    }
    const x = v as number;
    return Number.isFinite(x) ? roundHalfAway(x / unit) * unit : x;
  }
  return v;
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}


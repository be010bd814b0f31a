/**
 * Date/time arithmetic as PostgreSQL does it: timestamp ± interval (months, then days, then µs; timestamptz
 * in the session zone), timestamp − timestamp, interval arithmetic, date ± integer, date_trunc, EXTRACT and
 * date_part, to_timestamp. Stateless. Invariant: results stay within PostgreSQL's ranges or raise 22008.
 */
import { MICROS_PER_DAY, MICROS_PER_SECOND, type Interval } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import { SqlError } from '../common/errors.js';
import { civilFromDays, daysFromCivil, daysInMonth, isFiniteTimestampInRange, isoDayOfWeek, splitMicros, MIN_DATE_DAYS, END_DATE_DAYS } from './calendar.js';
import { divisionByZero } from './errors.js';
import { localToUtc, utcToLocal } from './casts.js';
import { requireTimeZone } from './timezone.js';
import { rint } from './int-range.js';
import { formatFloat8 } from './float-text.js';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

function tsOutOfRange(): SqlError {
  return new SqlError('22008', 'timestamp out of range');
}
function intervalOutOfRange(): SqlError {
  return new SqlError('22008', 'interval out of range');
}

function checkTimestamp(micros: number): number {
  if (!isFiniteTimestampInRange(micros)) throw tsOutOfRange();
  return micros;
}

function checkInterval(i: Interval): Interval {
  if (i.months > INT32_MAX || i.months < INT32_MIN || i.days > INT32_MAX || i.days < INT32_MIN || !Number.isFinite(i.micros) || Math.abs(i.micros) > 9.2233720368547758e18) {
    throw intervalOutOfRange();
  }
  return { months: i.months + 0, days: i.days + 0, micros: i.micros + 0 };
}

/** Adds months then days to a wall-clock µs value (day clamped to the month's end), keeping the time of day. */
function addMonthsDays(local: number, months: number, days: number): number {
  const { days: d, timeOfDay } = splitMicros(local);
  let dayNumber = d;
  if (months !== 0) {
    const c = civilFromDays(d);
    const total = c.year * 12 + (c.month - 1) + months;
    const year = Math.floor(total / 12);
    const month = total - year * 12 + 1;
    dayNumber = daysFromCivil(year, month, Math.min(c.day, daysInMonth(year, month)));
  }
  return (dayNumber + days) * MICROS_PER_DAY + timeOfDay;
}

/** timestamp + interval (wall clock). */
export function timestampPlusInterval(ts: number, i: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  return checkTimestamp(addMonthsDays(ts, i.months, i.days) + i.micros);
}

/** timestamptz + interval: months and days move the wall clock in `tz`, µs move the instant. */
export function timestamptzPlusInterval(ts: number, i: Interval, tz: string): number {
  if (!Number.isFinite(ts)) return ts;
  let utc = ts;
  if (i.months !== 0 || i.days !== 0) {
    const local = addMonthsDays(utcToLocal(ts, tz), i.months, i.days);
    checkTimestamp(local);
    utc = localToUtc(local, tz);
  }
  return checkTimestamp(utc + i.micros);
}

export function negateInterval(i: Interval): Interval {
  return checkInterval({ months: -i.months, days: -i.days, micros: -i.micros });
}

export function addIntervals(a: Interval, b: Interval): Interval {
  return checkInterval({ months: a.months + b.months, days: a.days + b.days, micros: a.micros + b.micros });
}

export function subIntervals(a: Interval, b: Interval): Interval {
  return checkInterval({ months: a.months - b.months, days: a.days - b.days, micros: a.micros - b.micros });
}

/** timestamp − timestamp: µs difference justified into days + time (interval_justify_hours). */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SqlError('22008', 'cannot subtract infinite timestamps');
  const diff = a - b;
  const days = Math.trunc(diff / MICROS_PER_DAY);
  return checkInterval({ months: 0, days, micros: diff - days * MICROS_PER_DAY });
}

const TS_ROUND = (x: number): number => rint(x * 1e6) / 1e6;
const DAYS_PER_MONTH = 30;
const SECS_PER_DAY = 86400;

/** interval * float8 (interval_mul): fractional months cascade to days (30/month), fractional days to time. */
export function intervalMul(span: Interval, factor: number): Interval {
  if (Number.isNaN(factor)) throw intervalOutOfRange();
  const monthD = span.months * factor;
  const dayD = span.days * factor;
  if (!(monthD >= INT32_MIN && monthD <= INT32_MAX) || !(dayD >= INT32_MIN && dayD <= INT32_MAX)) throw intervalOutOfRange();
  const months = Math.trunc(monthD);
  let days = Math.trunc(dayD);
  const monthRemainderDays = TS_ROUND((monthD - months) * DAYS_PER_MONTH);
  let secRemainder = TS_ROUND((dayD - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
  if (Math.abs(secRemainder) >= SECS_PER_DAY) {
    days += Math.trunc(secRemainder / SECS_PER_DAY);
    secRemainder -= Math.trunc(secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = rint(span.micros * factor + secRemainder * 1e6);
  return checkInterval({ months, days, micros });
}

/** interval / float8 (interval_div). */
export function intervalDiv(span: Interval, divisor: number): Interval {
  if (divisor === 0) throw divisionByZero();
  if (Number.isNaN(divisor)) throw intervalOutOfRange();
  const monthD = span.months / divisor;
  const dayD = span.days / divisor;
  const months = Math.trunc(monthD);
  let days = Math.trunc(dayD);
  const monthRemainderDays = TS_ROUND((monthD - months) * DAYS_PER_MONTH);
  let secRemainder = TS_ROUND((dayD - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
  if (Math.abs(secRemainder) >= SECS_PER_DAY) {
    days += Math.trunc(secRemainder / SECS_PER_DAY);
    secRemainder -= Math.trunc(secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = rint(span.micros / divisor + secRemainder * 1e6);
  return checkInterval({ months, days, micros });
}

function checkDate(days: number): number {
  if (!(days >= MIN_DATE_DAYS && days < END_DATE_DAYS)) throw new SqlError('22008', 'date out of range');
  return days;
}

export function datePlusDays(date: number, n: number): number {
  if (!Number.isFinite(date)) return date;
  return checkDate(date + n);
}

export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SqlError('22008', 'cannot subtract infinite dates');
  return a - b;
}

/** to_timestamp(double precision): Unix seconds → timestamptz. */
export function toTimestamp(seconds: number): number {
  if (Number.isNaN(seconds)) throw new SqlError('22008', 'timestamp cannot be NaN');
  if (!Number.isFinite(seconds)) return seconds;
  const micros = rint(seconds * MICROS_PER_SECOND);
  if (!isFiniteTimestampInRange(micros)) throw new SqlError('22008', `timestamp out of range: "${formatFloat8(seconds)}"`);
  return micros;
}

// ---- units for date_trunc / extract ----

export type DateUnit =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
  | 'decade' | 'century' | 'millennium' | 'epoch' | 'dow' | 'isodow' | 'doy' | 'isoyear' | 'julian'
  | 'timezone' | 'timezone_hour' | 'timezone_minute';

const UNIT_NAMES: Record<string, DateUnit> = {};
function unitNames(u: DateUnit, ...names: string[]): void {
  for (const n of names) UNIT_NAMES[n] = u;
}
unitNames('microseconds', 'microsecond', 'microseconds', 'microsecon', 'us', 'usec', 'usecs', 'usecond', 'useconds');
unitNames('milliseconds', 'millisecond', 'milliseconds', 'millisecon', 'ms', 'msec', 'msecs', 'msecond', 'mseconds');
unitNames('second', 'second', 'seconds', 's', 'sec', 'secs');
unitNames('minute', 'minute', 'minutes', 'm', 'min', 'mins');
unitNames('hour', 'hour', 'hours', 'h', 'hr', 'hrs');
unitNames('day', 'day', 'days', 'd');
unitNames('week', 'week', 'weeks', 'w');
unitNames('month', 'month', 'months', 'mon', 'mons');
unitNames('quarter', 'quarter', 'qtr');
unitNames('year', 'year', 'years', 'y', 'yr', 'yrs');
unitNames('decade', 'decade', 'decades', 'dec', 'decs');
unitNames('century', 'century', 'centuries', 'c', 'cent');
unitNames('millennium', 'millennium', 'millennia', 'mil', 'mils');
unitNames('epoch', 'epoch');
unitNames('dow', 'dow');
unitNames('isodow', 'isodow');
unitNames('doy', 'doy');
unitNames('isoyear', 'isoyear');
unitNames('julian', 'julian', 'j');
unitNames('timezone', 'timezone');
unitNames('timezone_hour', 'timezone_h', 'timezone_hour');
unitNames('timezone_minute', 'timezone_m', 'timezone_minute');

export type TimeKind = 'timestamp' | 'timestamptz' | 'date' | 'interval';
const KIND_NAME: Record<TimeKind, string> = {
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  date: 'date',
  interval: 'interval',
};

function parseUnit(text: string, kind: TimeKind): DateUnit {
  const u = UNIT_NAMES[text.trim().toLowerCase()];
  if (u === undefined) throw new SqlError('22023', `unit "${text}" not recognized for type ${KIND_NAME[kind]}`);
  return u;
}

function unsupported(text: string, kind: TimeKind, detail?: string): SqlError {
  return new SqlError('0A000', `unit "${text}" not supported for type ${KIND_NAME[kind]}`, detail ? { detail } : {});
}

/** Truncates a wall-clock µs value to `unit`. */
function truncLocal(local: number, unit: DateUnit, unitText: string, kind: TimeKind): number {
  const { days, timeOfDay } = splitMicros(local);
  const fixed = (step: number): number => days * MICROS_PER_DAY + Math.floor(timeOfDay / step) * step;
  switch (unit) {
    case 'microseconds':
      return local;
    case 'milliseconds':
      return fixed(1000);
    case 'second':
      return fixed(1_000_000);
    case 'minute':
      return fixed(60_000_000);
    case 'hour':
      return fixed(3_600_000_000);
    case 'day':
      return days * MICROS_PER_DAY;
    case 'week':
      return (days - (isoDayOfWeek(days) - 1)) * MICROS_PER_DAY;
    default:
      break;
  }
  const c = civilFromDays(days);
  let { year, month } = c;
  switch (unit) {
    case 'month':
      break;
    case 'quarter':
      month = 3 * Math.floor((month - 1) / 3) + 1;
      break;
    case 'year':
      month = 1;
      break;
    case 'decade':
      month = 1;
      year = year > 0 ? Math.trunc(year / 10) * 10 : -Math.trunc((8 - (year - 1)) / 10) * 10 + 1;
      break;
    case 'century':
      month = 1;
      year = year > 0 ? Math.trunc((year + 99) / 100) * 100 - 99 : -Math.trunc((99 - (year - 1)) / 100) * 100 + 1;
      break;
    case 'millennium':
      month = 1;
      year = year > 0 ? Math.trunc((year + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (year - 1)) / 1000) * 1000 + 1;
      break;
    default:
      throw unsupported(unitText, kind);
  }
  return daysFromCivil(year, month, 1) * MICROS_PER_DAY;
}

export function dateTruncTimestamp(unitText: string, ts: number): number {
  const unit = parseUnit(unitText, 'timestamp');
  if (!Number.isFinite(ts)) return ts;
  return truncLocal(ts, unit, unitText, 'timestamp');
}

/** date_trunc on timestamptz in zone `tz` (the session zone, or date_trunc's third argument). */
export function dateTruncTimestamptz(unitText: string, ts: number, tz: string): number {
  const unit = parseUnit(unitText, 'timestamptz');
  if (!Number.isFinite(ts)) return ts;
  const zone = requireTimeZone(tz);
  const offset = zone.offsetAtUtc(ts) * MICROS_PER_SECOND;
  const local = truncLocal(ts + offset, unit, unitText, 'timestamptz');
  const small = unit === 'microseconds' || unit === 'milliseconds' || unit === 'second' || unit === 'minute' || unit === 'hour';
  return small ? local - offset : localToUtc(local, tz);
}

interface IntervalFields {
  year: number;
  mon: number;
  day: number;
  hour: number;
  min: number;
  /** µs within the minute, signed like the interval's time */
  usec: number;
}

function intervalFields(i: Interval): IntervalFields {
  const year = Math.trunc(i.months / 12);
  const hour = Math.trunc(i.micros / 3_600_000_000);
  const rest = i.micros - hour * 3_600_000_000;
  const min = Math.trunc(rest / 60_000_000);
  return { year, mon: i.months - year * 12, day: i.days, hour, min, usec: rest - min * 60_000_000 };
}

export function dateTruncInterval(unitText: string, i: Interval): Interval {
  const unit = parseUnit(unitText, 'interval');
  const f = intervalFields(i);
  const build = (year: number, mon: number, day: number, hour: number, min: number, usec: number): Interval =>
    checkInterval({ months: year * 12 + mon, days: day, micros: hour * 3_600_000_000 + min * 60_000_000 + usec });
  switch (unit) {
    case 'millennium':
      return build(Math.trunc(f.year / 1000) * 1000, 0, 0, 0, 0, 0);
    case 'century':
      return build(Math.trunc(f.year / 100) * 100, 0, 0, 0, 0, 0);
    case 'decade':
      return build(Math.trunc(f.year / 10) * 10, 0, 0, 0, 0, 0);
    case 'year':
      return build(f.year, 0, 0, 0, 0, 0);
    case 'quarter':
      return build(f.year, 3 * Math.trunc(f.mon / 3), 0, 0, 0, 0);
    case 'month':
      return build(f.year, f.mon, 0, 0, 0, 0);
    case 'day':
      return build(f.year, f.mon, f.day, 0, 0, 0);
    case 'hour':
      return build(f.year, f.mon, f.day, f.hour, 0, 0);
    case 'minute':
      return build(f.year, f.mon, f.day, f.hour, f.min, 0);
    case 'second':
      return build(f.year, f.mon, f.day, f.hour, f.min, Math.trunc(f.usec / 1_000_000) * 1_000_000);
    case 'milliseconds':
      return build(f.year, f.mon, f.day, f.hour, f.min, Math.trunc(f.usec / 1000) * 1000);
    case 'microseconds':
      return i;
    case 'week':
      throw unsupported(unitText, 'interval', 'Months usually have fractional weeks.');
    default:
      throw unsupported(unitText, 'interval');
  }
}

/** An exact decimal n / 10^scale as Numeric. */
function dec(n: number | bigint, scale: number): Numeric {
  return new Numeric(typeof n === 'bigint' ? n : BigInt(Math.round(n)), scale);
}

function isoWeekAndYear(days: number): { week: number; isoyear: number } {
  const dow = isoDayOfWeek(days);
  const thursday = days - dow + 4;
  const isoyear = civilFromDays(thursday).year;
  const week = Math.floor((thursday - daysFromCivil(isoyear, 1, 1)) / 7) + 1;
  return { week, isoyear };
}

function yearFields(unit: DateUnit, year: number): number | null {
  switch (unit) {
    case 'year':
      return year > 0 ? year : year - 1;
    case 'decade':
      return year >= 0 ? Math.trunc(year / 10) : -Math.trunc((8 - (year - 1)) / 10);
    case 'century':
      return year > 0 ? Math.trunc((year + 99) / 100) : -Math.trunc((99 - (year - 1)) / 100);
    case 'millennium':
      return year > 0 ? Math.trunc((year + 999) / 1000) : -Math.trunc((999 - (year - 1)) / 1000);
    default:
      return null;
  }
}

/** Calendar fields shared by date and timestamps; null when `unit` is not one of them. */
function calendarField(unit: DateUnit, days: number): number | null {
  const c = civilFromDays(days);
  switch (unit) {
    case 'day':
      return c.day;
    case 'month':
      return c.month;
    case 'quarter':
      return Math.floor((c.month - 1) / 3) + 1;
    case 'week':
      return isoWeekAndYear(days).week;
    case 'isoyear': {
      const y = isoWeekAndYear(days).isoyear;
      return y > 0 ? y : y - 1;
    }
    case 'dow':
      return isoDayOfWeek(days) % 7;
    case 'isodow':
      return isoDayOfWeek(days);
    case 'doy':
      return days - daysFromCivil(c.year, 1, 1) + 1;
    case 'julian':
      return days + 2440588;
    default:
      return yearFields(unit, c.year);
  }
}

/**
 * EXTRACT(field FROM x) → numeric (PostgreSQL 14+). x is a timestamp/timestamptz (µs), date (days) or
 * interval; timestamptz fields are read in `tz`. Infinite inputs give NULL-free ±Infinity only for
 * monotonic fields in PostgreSQL; sluice raises 22008 for them instead (documented).
 */
export function extractField(unitText: string, v: number | Interval, kind: TimeKind, tz: string): Numeric {
  const unit = parseUnit(unitText, kind);
  if (kind === 'interval') return extractInterval(unit, unitText, v as Interval);
  const x = v as number;
  if (!Number.isFinite(x)) throw new SqlError('22008', `cannot extract ${unitText} from infinite ${KIND_NAME[kind]} in sluice`);
  if (kind === 'date') {
    if (unit === 'epoch') return dec(BigInt(x) * 86400n, 0);
    const f = calendarField(unit, x);
    if (f === null) throw unsupported(unitText, 'date');
    return dec(f, 0);
  }
  if (unit === 'epoch') return dec(x, 6);
  let offsetSecs = 0;
  let local = x;
  if (kind === 'timestamptz') {
    offsetSecs = requireTimeZone(tz).offsetAtUtc(x);
    local = x + offsetSecs * MICROS_PER_SECOND;
  } else if (unit === 'timezone' || unit === 'timezone_hour' || unit === 'timezone_minute') {
    throw unsupported(unitText, kind);
  }
  const { days, timeOfDay } = splitMicros(local);
  const secMicros = timeOfDay % 60_000_000;
  switch (unit) {
    case 'microseconds':
      return dec(secMicros, 0);
    case 'milliseconds':
      return dec(secMicros, 3);
    case 'second':
      return dec(secMicros, 6);
    case 'minute':
      return dec(Math.floor(timeOfDay / 60_000_000) % 60, 0);
    case 'hour':
      return dec(Math.floor(timeOfDay / 3_600_000_000), 0);
    case 'julian': {
      // julian day with the fraction of the day, as PostgreSQL computes it
      return julian(BigInt(days + 2440588) * 86_400_000_000n + BigInt(timeOfDay));
    }
    case 'timezone':
      return dec(offsetSecs, 0);
    case 'timezone_hour':
      return dec(Math.trunc(offsetSecs / 3600), 0);
    case 'timezone_minute':
      return dec(Math.trunc(offsetSecs / 60) % 60, 0);
    default: {
      const f = calendarField(unit, days);
      if (f === null) throw unsupported(unitText, kind);
      return dec(f, 0);
    }
  }
}

function julian(microsSinceJulianZero: bigint): Numeric {
  // (days*86400e6 + time) / 86400e6, with PostgreSQL's numeric division scale
  const num = new Numeric(microsSinceJulianZero, 0);
  const den = new Numeric(86_400_000_000n, 0);
  return num.div(den);
}

function extractInterval(unit: DateUnit, unitText: string, i: Interval): Numeric {
  const f = intervalFields(i);
  switch (unit) {
    case 'microseconds':
      return dec(f.usec, 0);
    case 'milliseconds':
      return dec(f.usec, 3);
    case 'second':
      return dec(f.usec, 6);
    case 'minute':
      return dec(f.min, 0);
    case 'hour':
      return dec(f.hour, 0);
    case 'day':
      return dec(f.day, 0);
    case 'month':
      return dec(f.mon, 0);
    case 'quarter':
      return dec(Math.trunc(f.mon / 3) + 1, 0);
    case 'year':
      return dec(f.year, 0);
    case 'decade':
      return dec(Math.trunc(f.year / 10), 0);
    case 'century':
      return dec(Math.trunc(f.year / 100), 0);
    case 'millennium':
      return dec(Math.trunc(f.year / 1000), 0);
    case 'epoch': {
      const secsFromDayMonth =
        (BigInt(4 * 365.25) * BigInt(Math.trunc(i.months / 12)) + BigInt(4 * 30) * BigInt(i.months % 12) + 4n * BigInt(i.days)) * BigInt(86400 / 4);
      return new Numeric(secsFromDayMonth * 1_000_000n + BigInt(i.micros), 6);
    }
    default:
      throw unsupported(unitText, 'interval');
  }
}

/** date_part(field, x) → double precision: EXTRACT's value as a float (dates are read as timestamps). */
export function datePart(unitText: string, v: number | Interval, kind: TimeKind, tz: string): number {
  if (kind === 'interval') {
    const unit = parseUnit(unitText, kind);
    if (unit === 'epoch') {
      const i = v as Interval;
      return i.micros / 1e6 + 365.25 * 86400 * Math.trunc(i.months / 12) + 30 * 86400 * (i.months % 12) + 86400 * i.days;
    }
  }
  if (kind === 'date') return datePart(unitText, Number.isFinite(v as number) ? (v as number) * MICROS_PER_DAY : (v as number), 'timestamp', tz);
  const x = v as number;
  if (kind !== 'interval' && !Number.isFinite(x)) {
    const unit = parseUnit(unitText, kind);
    const monotonic = unit === 'epoch' || unit === 'year' || unit === 'decade' || unit === 'century' || unit === 'millennium' || unit === 'julian' || unit === 'isoyear';
    return monotonic ? x : NaN;
  }
  return Number(extractField(unitText, v, kind, tz).toString());
}

/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01) and µs timestamps.
 * Stateless and pure. Invariant: civilFromDays(daysFromCivil(y, m, d)) = [y, m, d] for every valid date;
 * years are astronomical (0 = 1 BC, −1 = 2 BC), as PostgreSQL stores them internally.
 */
import { MICROS_PER_DAY } from '../common/types.js';

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** ISO day of week, Monday = 1 … Sunday = 7. */
export function isoDayOfWeek(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** Splits a µs timestamp into its day number and the µs since that midnight (always ≥ 0). */
export function splitMicros(micros: number): { days: number; timeOfDay: number } {
  const days = Math.floor(micros / MICROS_PER_DAY);
  return { days, timeOfDay: micros - days * MICROS_PER_DAY };
}

/** PostgreSQL's valid timestamp range: 4714-11-24 BC 00:00 up to (not including) 294277-01-01 00:00, in µs. */
export const MIN_TIMESTAMP_MICROS = -210866803200000000;
export const END_TIMESTAMP_MICROS = daysFromCivil(294277, 1, 1) * MICROS_PER_DAY;
/** PostgreSQL's valid date range: 4714-11-24 BC … 5874897-12-31, in days since 1970-01-01. */
export const MIN_DATE_DAYS = -2440588;
export const END_DATE_DAYS = 2145042905 + 1;

export function isFiniteTimestampInRange(micros: number): boolean {
  return micros >= MIN_TIMESTAMP_MICROS && micros < END_TIMESTAMP_MICROS;
}

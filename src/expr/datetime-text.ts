/**
 * Text I/O for date, timestamp and timestamptz in PostgreSQL's ISO DateStyle: '2024-01-02 03:04:05.5+00',
 * 'BC' years, 'infinity'. Input: ISO dates and times ('T' or space), fractional seconds (rounded to µs),
 * zones 'Z', '+05', '+05:30', '+0530', 'UTC' or an IANA name, 'epoch', MDY 'mm/dd/yyyy'. Stateless.
 * Invariant: timestamps are µs since 1970-01-01 UTC (timestamp: the wall clock read as UTC); ±Infinity = ±infinity.
 */
import { MICROS_PER_SECOND } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { civilFromDays, daysFromCivil, daysInMonth, splitMicros, isFiniteTimestampInRange, MIN_DATE_DAYS, END_DATE_DAYS } from './calendar.js';
import { dateTimeFieldOutOfRange, invalidInputSyntax } from './errors.js';
import { formatSeconds } from './interval-text.js';
import { requireTimeZone, resolveTimeZone, type TimeZone } from './timezone.js';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function formatYmd(days: number): { text: string; bc: boolean } {
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0;
  const y = bc ? 1 - year : year;
  return { text: `${String(y).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`, bc };
}

function formatClock(timeOfDay: number): string {
  const h = Math.floor(timeOfDay / 3_600_000_000);
  const m = Math.floor((timeOfDay - h * 3_600_000_000) / 60_000_000);
  return `${pad2(h)}:${pad2(m)}:${formatSeconds(timeOfDay - h * 3_600_000_000 - m * 60_000_000)}`;
}

/** '+00', '+05:30', '-04:56:02' (PostgreSQL's EncodeTimezone for the ISO style). */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  return sign + pad2(h) + (m !== 0 || s !== 0 ? ':' + pad2(m) : '') + (s !== 0 ? ':' + pad2(s) : '');
}

export function formatDateText(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { text, bc } = formatYmd(days);
  return bc ? text + ' BC' : text;
}

export function formatTimestampText(micros: number): string {
  if (micros === Infinity) return 'infinity';
  if (micros === -Infinity) return '-infinity';
  const { days, timeOfDay } = splitMicros(micros);
  const { text, bc } = formatYmd(days);
  return `${text} ${formatClock(timeOfDay)}${bc ? ' BC' : ''}`;
}

export function formatTimestamptzText(utcMicros: number, zone: TimeZone): string {
  if (utcMicros === Infinity) return 'infinity';
  if (utcMicros === -Infinity) return '-infinity';
  const offset = zone.offsetAtUtc(utcMicros);
  const { days, timeOfDay } = splitMicros(utcMicros + offset * MICROS_PER_SECOND);
  const { text, bc } = formatYmd(days);
  return `${text} ${formatClock(timeOfDay)}${formatOffset(offset)}${bc ? ' BC' : ''}`;
}

/** The parts of a date/time literal before range checks and zone resolution. */
interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  /** Seconds east of UTC given in the text, a zone name, or undefined when no zone was written. */
  zone: number | TimeZone | undefined;
  hasTime: boolean;
}

type Special = 'infinity' | '-infinity' | 'epoch';

const DATE_ISO = /^(\d{3,7})[-/](\d{1,2})[-/](\d{1,2})|^(\d{1,2})-(\d{1,2})-(\d{1,2})(?!\d)/;
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})(?=$|[T\s])/;
const DATE_MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{1,7})/;
const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?/;
const NUM_ZONE = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

/**
 * Splits date/time text into fields; returns a Special for 'infinity'/'epoch' or null on bad syntax.
 * Range checks are left to the caller, which knows the type name for messages.
 */
function scanDateTime(text: string): DateTimeParts | Special | null {
  let s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return 'infinity';
  if (lower === '-infinity') return '-infinity';
  if (lower === 'epoch') return 'epoch';
  let bc = false;
  const era = /\s*\b(bc|ad)$/i.exec(s);
  if (era) {
    bc = era[1]!.toLowerCase() === 'bc';
    s = s.slice(0, era.index);
  }
  let year: number;
  let month: number;
  let day: number;
  let m = DATE_ISO.exec(s) ?? DATE_COMPACT.exec(s);
  if (m) {
    if (m[1] === undefined && m[4] !== undefined) throw dateTimeFieldOutOfRange(text);
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  } else if ((m = DATE_MDY.exec(s))) {
    month = Number(m[1]);
    day = Number(m[2]);
    year = Number(m[3]);
    if (m[3]!.length <= 2) year += year < 70 ? 2000 : 1900;
  } else {
    return null;
  }
  if (year === 0) throw dateTimeFieldOutOfRange(text);
  if (bc) year = 1 - year;
  s = s.slice(m[0].length);
  const parts: DateTimeParts = { year, month, day, hour: 0, minute: 0, second: 0, micros: 0, zone: undefined, hasTime: false };
  if (s.length > 0) {
    const sep = /^(?:[Tt]|\s+)/.exec(s);
    if (sep) s = s.slice(sep[0].length);
    const t = TIME.exec(s);
    if (t) {
      parts.hasTime = true;
      parts.hour = Number(t[1]);
      parts.minute = Number(t[2]);
      parts.second = Number(t[3] ?? 0);
      const frac = t[4] ?? '';
      parts.micros = frac === '' ? 0 : Math.round(Number('0.' + frac) * MICROS_PER_SECOND);
      s = s.slice(t[0].length);
    } else if (!sep && s.length > 0 && !/^[+-]/.test(s)) {
      return null;
    }
    s = s.trim();
    if (s.length > 0) {
      if (s === 'Z' || s === 'z') {
        parts.zone = 0;
      } else {
        const nz = NUM_ZONE.exec(s);
        if (nz) {
          const hours = Number(nz[2]);
          const mins = Number(nz[3] ?? 0);
          const secs = Number(nz[4] ?? 0);
          if (hours > 15 || mins > 59 || secs > 59) throw new SqlError('22009', `time zone displacement out of range: "${text}"`);
          const off = hours * 3600 + mins * 60 + secs;
          parts.zone = nz[1] === '-' ? -off : off;
        } else if (/^[A-Za-z][A-Za-z0-9_/+-]*$/.test(s)) {
          const zone = resolveTimeZone(s);
          if (!zone) throw new SqlError('22023', `time zone "${s}" not recognized`);
          parts.zone = zone;
        } else {
          return null;
        }
      }
    }
  }
  return parts;
}

function checkFields(p: DateTimeParts, text: string): void {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month)) throw dateTimeFieldOutOfRange(text);
  const at24 = p.hour === 24 && p.minute === 0 && p.second === 0 && p.micros === 0;
  if ((p.hour > 23 && !at24) || p.minute > 59 || p.second > 60) throw dateTimeFieldOutOfRange(text);
}

function localMicros(p: DateTimeParts): number {
  const days = daysFromCivil(p.year, p.month, p.day);
  return ((days * 24 + p.hour) * 60 + p.minute) * 60 * MICROS_PER_SECOND + p.second * MICROS_PER_SECOND + p.micros;
}

function specialValue(s: Special): number {
  return s === 'infinity' ? Infinity : s === '-infinity' ? -Infinity : 0;
}

const TS_NAME = 'timestamp';
const TSTZ_NAME = 'timestamp with time zone';

/** timestamp_in: the zone, if written, is ignored (as PostgreSQL does). */
export function parseTimestampText(text: string): number {
  const p = scanDateTime(text);
  if (p === null) throw invalidInputSyntax(TS_NAME, text, '22007');
  if (typeof p === 'string') return specialValue(p);
  checkFields(p, text);
  const micros = localMicros(p);
  if (!isFiniteTimestampInRange(micros)) throw new SqlError('22008', `timestamp out of range: "${text}"`);
  return micros;
}

/** timestamptz_in: a written zone wins; otherwise the wall clock is read in `sessionZone` (default UTC). */
export function parseTimestamptzText(text: string, sessionZone?: string): number {
  const p = scanDateTime(text);
  if (p === null) throw invalidInputSyntax(TSTZ_NAME, text, '22007');
  if (typeof p === 'string') return specialValue(p);
  checkFields(p, text);
  const local = localMicros(p);
  let offset: number;
  if (typeof p.zone === 'number') offset = p.zone;
  else if (p.zone !== undefined) offset = p.zone.offsetAtLocal(local);
  else offset = requireTimeZone(sessionZone).offsetAtLocal(local);
  const micros = local - offset * MICROS_PER_SECOND;
  if (!isFiniteTimestampInRange(micros)) throw new SqlError('22008', `timestamp out of range: "${text}"`);
  return micros;
}

/** date_in: a time part, if present, is dropped. */
export function parseDateText(text: string): number {
  const p = scanDateTime(text);
  if (p === null) throw invalidInputSyntax('date', text, '22007');
  if (typeof p === 'string') return specialValue(p);
  checkFields(p, text);
  const days = daysFromCivil(p.year, p.month, p.day);
  if (days < MIN_DATE_DAYS || days >= END_DATE_DAYS) throw new SqlError('22008', `date out of range: "${text}"`);
  return days;
}

/**
 * Fast ISO-8601 / RFC 3339 timestamp parsing and formatting for the JSON hot path (stateless, no allocation
 * beyond the result). Parses 'YYYY-MM-DD[(T|t| )HH:MM[:SS[.f…]]][Z|±HH[[:]MM]| UTC]' to µs since the epoch;
 * anything else returns NOT_ISO so the caller can fall back to the full PostgreSQL parser in src/expr.
 * Invariant: for every text it accepts, the result equals PostgreSQL's timestamptz_in (session zone UTC).
 */
import { daysFromCivil, daysInMonth, civilFromDays } from '../expr/calendar.js';

/** Returned when the text is not in the fast ISO form (not necessarily invalid). */
export const NOT_ISO = Number.NaN;

const MICROS_PER_MINUTE = 60_000_000;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * Parses `text` as an ISO timestamp. `withZone`: true for timestamptz (an offset is applied; none means UTC),
 * false for timestamp (an offset, if written, is ignored, as PostgreSQL's timestamp_in does).
 * Returns µs since 1970-01-01 UTC, or NOT_ISO (NaN) when the text is not in the fast form or out of range.
 */
export function parseIsoTimestamp(text: string, withZone: boolean): number {
  const n = text.length;
  if (n < 10) return NOT_ISO;
  const y1 = two(text, 0);
  const y2 = two(text, 2);
  if (y1 < 0 || y2 < 0 || text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(7) !== 45) return NOT_ISO;
  const year = y1 * 100 + y2;
  const month = two(text, 5);
  const day = two(text, 8);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NOT_ISO;
  let i = 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  if (i < n) {
    const sep = text.charCodeAt(i);
    if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return NOT_ISO;
    i++;
    hour = two(text, i);
    if (hour < 0 || text.charCodeAt(i + 2) !== 58 /* : */) return NOT_ISO;
    minute = two(text, i + 3);
    if (minute < 0 || minute > 59) return NOT_ISO;
    i += 5;
    if (i < n && text.charCodeAt(i) === 58) {
      second = two(text, i + 1);
      if (second < 0 || second > 60) return NOT_ISO;
      i += 3;
      if (i < n && (text.charCodeAt(i) === 46 /* . */ || text.charCodeAt(i) === 44 /* , */)) {
        i++;
        let scale = 100_000;
        let digits = 0;
        let roundUp = false;
        for (; i < n; i++) {
          const d = digit(text, i);
          if (d < 0) break;
          if (digits < 6) micros += d * scale;
          else if (digits === 6) roundUp = d >= 5;
          scale /= 10;
          digits++;
        }
        if (digits === 0) return NOT_ISO;
        if (roundUp) micros++;
      }
    }
    if (hour > 23 && !(hour === 24 && minute === 0 && second === 0 && micros === 0)) return NOT_ISO;
  }
  let offsetMinutes = 0;
  if (i < n) {
    if (text.charCodeAt(i) === 32) i++;
    const z = text.charCodeAt(i);
    if ((z === 90 /* Z */ || z === 122 /* z */) && i + 1 === n) {
      i++;
    } else if (z === 43 /* + */ || z === 45 /* - */) {
      const oh = two(text, i + 1);
      if (oh < 0 || oh > 15) return NOT_ISO;
      i += 3;
      let om = 0;
      if (i < n) {
        if (text.charCodeAt(i) === 58) i++;
        om = two(text, i);
        if (om < 0 || om > 59) return NOT_ISO;
        i += 2;
      }
      offsetMinutes = (oh * 60 + om) * (z === 45 ? -1 : 1);
    } else if (text.startsWith('UTC', i) && i + 3 === n) {
      i += 3;
    } else {
      return NOT_ISO;
    }
    if (i !== n) return NOT_ISO;
  }
  const days = daysFromCivil(year, month, day);
  const local = ((days * 24 + hour) * 60 + minute) * MICROS_PER_MINUTE + second * 1_000_000 + micros;
  return withZone ? local - offsetMinutes * MICROS_PER_MINUTE : local;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** '2023-11-11T18:30:09.453000Z': RFC 3339 in UTC with exactly six fraction digits (RisingWave's sink default). */
export function formatRfc3339Micros(utcMicros: number): string {
  const days = Math.floor(utcMicros / 86_400_000_000);
  let rest = utcMicros - days * 86_400_000_000;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(rest / 3_600_000_000);
  rest -= hour * 3_600_000_000;
  const minute = Math.floor(rest / MICROS_PER_MINUTE);
  rest -= minute * MICROS_PER_MINUTE;
  const second = Math.floor(rest / 1_000_000);
  const frac = rest - second * 1_000_000;
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : String(year);
  return `${y}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(frac, 6)}Z`;
}

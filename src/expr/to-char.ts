/**
 * to_char(timestamp|timestamptz|interval, format) for PostgreSQL's common date/time template patterns
 * (YYYY MM DD HH24 HH12 MI SS MS US FF1–6 AM/PM Mon Month Dy Day D ID DDD IW WW Q J SSSS OF TZ, FM prefix,
 * TH suffix, "quoted text"). Stateless. Invariant: unknown letters are copied through as PostgreSQL does.
 */
import { MICROS_PER_SECOND, type Interval } from '../common/types.js';
import { civilFromDays, daysFromCivil, isoDayOfWeek, splitMicros } from './calendar.js';
import { formatOffset } from './datetime-text.js';
import { requireTimeZone } from './timezone.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Fields {
  year: number; // astronomical
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number; // within the second
  days: number; // day number since 1970-01-01 (NaN for intervals)
  offset: number | null; // seconds east, timestamptz only
  zoneName: string | null;
  interval: boolean;
}

/** Patterns, longest first so that 'HH24' wins over 'HH' and 'MONTH' over 'MON'. */
const PATTERNS = [
  'YYYY', 'IYYY', 'YYY', 'IYY', 'YY', 'IY', 'Y', 'I',
  'HH24', 'HH12', 'HH', 'MI', 'SSSSS', 'SSSS', 'SS', 'MS', 'US', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6',
  'A.M.', 'P.M.', 'a.m.', 'p.m.', 'AM', 'PM', 'am', 'pm',
  'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM',
  'DAY', 'Day', 'day', 'DY', 'Dy', 'dy', 'DDD', 'DD', 'D', 'ID', 'IDDD',
  'IW', 'WW', 'W', 'Q', 'J', 'CC', 'OF', 'TZH', 'TZM', 'TZ', 'tz', 'BC', 'AD', 'B.C.', 'A.D.', 'bc', 'ad',
];
/** Numeric patterns PostgreSQL also accepts in lower case ('dd', 'hh24', 'yyyy'). */
const CASELESS = new Set(['YYYY', 'IYYY', 'YYY', 'IYY', 'YY', 'IY', 'Y', 'I', 'HH24', 'HH12', 'HH', 'MI', 'SSSSS', 'SSSS', 'SS', 'MS', 'US', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'MM', 'DDD', 'DD', 'D', 'ID', 'IDDD', 'IW', 'WW', 'W', 'Q', 'J', 'CC']);
for (const p of CASELESS) PATTERNS.push(p.toLowerCase());
PATTERNS.sort((a, b) => b.length - a.length);

function num(n: number, width: number, fm: boolean): string {
  const s = String(Math.abs(n)).padStart(fm ? 0 : width, '0');
  return n < 0 ? '-' + s : s;
}

function ordinal(n: number, upper: boolean): string {
  const t = Math.abs(n) % 100;
  const suffix = t >= 11 && t <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][Math.abs(n) % 10] ?? 'th';
  return upper ? suffix.toUpperCase() : suffix;
}

function casePattern(word: string, pattern: string): string {
  if (pattern === pattern.toUpperCase()) return word.toUpperCase();
  if (pattern === pattern.toLowerCase()) return word.toLowerCase();
  return word;
}

function render(p: string, f: Fields, fm: boolean): { text: string; numeric: number | null } {
  const year = f.interval || f.year > 0 ? f.year : 1 - f.year;
  const hour12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  const dow = Number.isNaN(f.days) ? 0 : isoDayOfWeek(f.days) % 7;
  const doy = Number.isNaN(f.days) ? 0 : f.days - daysFromCivil(f.year, 1, 1) + 1;
  const iso = (): { week: number; year: number } => {
    const thursday = f.days - isoDayOfWeek(f.days) + 4;
    const y = civilFromDays(thursday).year;
    return { week: Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1, year: y };
  };
  const pm = f.hour >= 12;
  switch (p) {
    case 'YYYY': return { text: num(year, 4, fm), numeric: year };
    case 'YYY': return { text: num(year % 1000, 3, fm), numeric: year % 1000 };
    case 'YY': return { text: num(year % 100, 2, fm), numeric: year % 100 };
    case 'Y': return { text: String(year % 10), numeric: year % 10 };
    case 'IYYY': return { text: num(iso().year, 4, fm), numeric: iso().year };
    case 'IYY': return { text: num(iso().year % 1000, 3, fm), numeric: null };
    case 'IY': return { text: num(iso().year % 100, 2, fm), numeric: null };
    case 'I': return { text: String(iso().year % 10), numeric: null };
    case 'HH24': return { text: num(f.hour, 2, fm), numeric: f.hour };
    case 'HH12':
    case 'HH': return { text: num(hour12, 2, fm), numeric: hour12 };
    case 'MI': return { text: num(f.minute, 2, fm), numeric: f.minute };
    case 'SS': return { text: num(f.second, 2, fm), numeric: f.second };
    case 'SSSS':
    case 'SSSSS': { const v = f.hour * 3600 + f.minute * 60 + f.second; return { text: String(v), numeric: v }; }
    case 'MS': return { text: num(Math.floor(f.micros / 1000), 3, fm), numeric: Math.floor(f.micros / 1000) };
    case 'US': return { text: num(f.micros, 6, fm), numeric: f.micros };
    case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
      const d = Number(p[2]);
      return { text: String(Math.floor(f.micros / 10 ** (6 - d))).padStart(d, '0'), numeric: null };
    }
    case 'AM': case 'PM': return { text: pm ? 'PM' : 'AM', numeric: null };
    case 'am': case 'pm': return { text: pm ? 'pm' : 'am', numeric: null };
    case 'A.M.': case 'P.M.': return { text: pm ? 'P.M.' : 'A.M.', numeric: null };
    case 'a.m.': case 'p.m.': return { text: pm ? 'p.m.' : 'a.m.', numeric: null };
    case 'BC': case 'AD': return { text: f.year > 0 ? 'AD' : 'BC', numeric: null };
    case 'bc': case 'ad': return { text: f.year > 0 ? 'ad' : 'bc', numeric: null };
    case 'B.C.': case 'A.D.': return { text: f.year > 0 ? 'A.D.' : 'B.C.', numeric: null };
    case 'MONTH': case 'Month': case 'month': {
      const w = casePattern(MONTHS[f.month - 1]!, p);
      return { text: fm ? w : w.padEnd(9, ' '), numeric: null };
    }
    case 'MON': case 'Mon': case 'mon': return { text: casePattern(MONTHS[f.month - 1]!.slice(0, 3), p), numeric: null };
    case 'MM': return { text: num(f.month, 2, fm), numeric: f.month };
    case 'DAY': case 'Day': case 'day': {
      const w = casePattern(DAYS[dow]!, p);
      return { text: fm ? w : w.padEnd(9, ' '), numeric: null };
    }
    case 'DY': case 'Dy': case 'dy': return { text: casePattern(DAYS[dow]!.slice(0, 3), p), numeric: null };
    case 'DDD': return { text: num(doy, 3, fm), numeric: doy };
    case 'IDDD': { const v = (iso().week - 1) * 7 + isoDayOfWeek(f.days); return { text: num(v, 3, fm), numeric: v }; }
    case 'DD': return { text: num(f.day, 2, fm), numeric: f.day };
    case 'D': return { text: String(dow + 1), numeric: dow + 1 };
    case 'ID': return { text: String(isoDayOfWeek(f.days)), numeric: isoDayOfWeek(f.days) };
    case 'IW': return { text: num(iso().week, 2, fm), numeric: iso().week };
    case 'WW': { const v = Math.floor((doy - 1) / 7) + 1; return { text: num(v, 2, fm), numeric: v }; }
    case 'W': { const v = Math.floor((f.day - 1) / 7) + 1; return { text: String(v), numeric: v }; }
    case 'Q': { const v = Math.floor((f.month - 1) / 3) + 1; return { text: String(v), numeric: v }; }
    case 'J': { const v = f.days + 2440588; return { text: String(v), numeric: v }; }
    case 'CC': {
      const v = f.year > 0 ? Math.floor((year + 99) / 100) : -Math.floor((year + 99) / 100);
      return { text: num(v, 2, fm), numeric: v };
    }
    case 'OF': return { text: f.offset === null ? '+00' : formatOffset(f.offset), numeric: null };
    case 'TZH': { const o = f.offset ?? 0; return { text: (o < 0 ? '-' : '+') + String(Math.floor(Math.abs(o) / 3600)).padStart(2, '0'), numeric: null }; }
    case 'TZM': { const o = Math.abs(f.offset ?? 0); return { text: String(Math.floor((o % 3600) / 60)).padStart(2, '0'), numeric: null }; }
    case 'TZ': case 'tz': {
      if (f.offset === null) return { text: '', numeric: null };
      const name = f.zoneName && /^(utc|gmt)$/i.test(f.zoneName) ? 'UTC' : formatOffset(f.offset);
      return { text: p === 'tz' ? name.toLowerCase() : name, numeric: null };
    }
    default:
      return { text: p, numeric: null };
  }
}

function formatWith(format: string, f: Fields): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c === '"') {
      const end = format.indexOf('"', i + 1);
      const stop = end < 0 ? format.length : end;
      out += format.slice(i + 1, stop).replace(/\\(.)/g, '$1');
      i = stop + 1;
      continue;
    }
    if (c === '\\' && i + 1 < format.length) {
      out += format[i + 1];
      i += 2;
      continue;
    }
    let fm = false;
    let j = i;
    if (format.startsWith('FM', j) || format.startsWith('fm', j)) {
      fm = true;
      j += 2;
    }
    const p = PATTERNS.find((q) => format.startsWith(q, j));
    if (p === undefined) {
      out += fm ? format.slice(i, j) : c;
      i = fm ? j : i + 1;
      continue;
    }
    j += p.length;
    const r = render(CASELESS.has(p.toUpperCase()) ? p.toUpperCase() : p, f, fm);
    out += r.text;
    if (format.startsWith('TH', j) || format.startsWith('th', j)) {
      if (r.numeric !== null) out += ordinal(r.numeric, format[j] === 'T');
      j += 2;
    }
    i = j;
  }
  return out;
}

/** to_char(timestamp, text): the wall clock as stored. */
export function toCharTimestamp(micros: number, format: string): string | null {
  if (!Number.isFinite(micros)) return null;
  return formatWith(format, fieldsOf(micros, null, null));
}

/** to_char(timestamptz, text) in the session zone `tz`. */
export function toCharTimestamptz(utc: number, format: string, tz: string): string | null {
  if (!Number.isFinite(utc)) return null;
  const offset = requireTimeZone(tz).offsetAtUtc(utc);
  return formatWith(format, fieldsOf(utc + offset * MICROS_PER_SECOND, offset, tz));
}

/** to_char(interval, text): HH24 prints the hour count, HH/HH12 it modulo 12, as PostgreSQL. */
export function toCharInterval(i: Interval, format: string): string {
  const years = Math.trunc(i.months / 12);
  const hour = Math.trunc(i.micros / 3_600_000_000);
  const rest = i.micros - hour * 3_600_000_000;
  const minute = Math.trunc(rest / 60_000_000);
  const secMicros = rest - minute * 60_000_000;
  return formatWith(format, {
    year: years, month: i.months - years * 12, day: i.days, hour, minute,
    second: Math.trunc(secMicros / 1_000_000), micros: secMicros % 1_000_000, days: NaN, offset: null, zoneName: null, interval: true,
  });
}

function fieldsOf(local: number, offset: number | null, zoneName: string | null): Fields {
  const { days, timeOfDay } = splitMicros(local);
  const c = civilFromDays(days);
  const secs = Math.floor(timeOfDay / 1_000_000);
  return {
    year: c.year, month: c.month, day: c.day, hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60,
    micros: timeOfDay % 1_000_000, days, offset, zoneName, interval: false,
  };
}

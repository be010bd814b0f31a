/**
 * Session time zones: UTC, bare hours ('-2' = 2 h west, ISO sign), POSIX-style offsets ('+05:30' and 'UTC+3'
 * mean WEST of UTC, as PostgreSQL's TimeZone setting reads them), and IANA names through Intl. State: a per-zone cache of
 * offsets per hour of UTC time. Invariant: offsets are in seconds EAST of UTC (what the output '+05:30' shows).
 */
import { MICROS_PER_SECOND } from '../common/types.js';
import { SqlError } from '../common/errors.js';

export interface TimeZone {
  /** The name as given (e.g. 'UTC', 'Europe/Rome'). */
  readonly name: string;
  /** Seconds east of UTC at the given instant (µs since epoch, UTC). */
  offsetAtUtc(utcMicros: number): number;
  /** Seconds east of UTC for a local wall-clock time (µs, as if UTC); in a gap the offset before the transition, in an overlap the one after. */
  offsetAtLocal(localMicros: number): number;
}

class FixedZone implements TimeZone {
  constructor(
    readonly name: string,
    readonly offsetSeconds: number,
  ) {}
  offsetAtUtc(): number {
    return this.offsetSeconds;
  }
  offsetAtLocal(): number {
    return this.offsetSeconds;
  }
}

const HOUR_MICROS = 3_600_000_000;
const MAX_DATE_MS = 8.64e15;

class IanaZone implements TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();
  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  }
  offsetAtUtc(utcMicros: number): number {
    const hour = Math.floor(utcMicros / HOUR_MICROS);
    const cached = this.cache.get(hour);
    if (cached !== undefined) return cached;
    const start = this.exact(hour * HOUR_MICROS);
    const end = this.exact((hour + 1) * HOUR_MICROS - 1);
    if (start === end) {
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(hour, start);
      return start;
    }
    return this.exact(utcMicros);
  }
  offsetAtLocal(localMicros: number): number {
    // PostgreSQL: in a jump-forward gap use the offset before the transition, in a jump-back overlap the one after.
    const before = this.offsetAtUtc(localMicros - 12 * HOUR_MICROS);
    const after = this.offsetAtUtc(localMicros + 12 * HOUR_MICROS);
    if (before === after) return before;
    if (this.offsetAtUtc(localMicros - after * MICROS_PER_SECOND) === after) return after;
    if (this.offsetAtUtc(localMicros - before * MICROS_PER_SECOND) === before) return before;
    return before;
  }
  private exact(utcMicros: number): number {
    const ms = Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, Math.floor(utcMicros / 1000)));
    const part = this.format.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/.exec(part);
    if (!m) return 0;
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -secs : secs;
  }
}

const UTC_NAMES = new Set(['utc', 'gmt', 'z', 'zulu', 'etc/utc', 'etc/gmt', 'universal', 'etc/universal', 'uct', 'greenwich', 'gmt0', 'utc0']);
export const UTC_ZONE: TimeZone = new FixedZone('UTC', 0);
const zones = new Map<string, TimeZone | null>([['UTC', UTC_ZONE]]);

/** The zone for a TimeZone setting, or null when PostgreSQL would reject the name. Cached per name. */
export function resolveTimeZone(name: string): TimeZone | null {
  const hit = zones.get(name);
  if (hit !== undefined) return hit;
  const zone = buildZone(name.trim());
  if (zones.size > 1000) zones.clear();
  zones.set(name, zone);
  return zone;
}

/** Like resolveTimeZone (undefined = UTC), but throws PostgreSQL's 22023 error for an unknown name. */
export function requireTimeZone(name: string | undefined): TimeZone {
  if (name === undefined) return UTC_ZONE;
  const zone = resolveTimeZone(name);
  if (zone) return zone;
  throw new SqlError('22023', `time zone "${name}" not recognized`);
}

function buildZone(name: string): TimeZone | null {
  const lower = name.toLowerCase();
  if (UTC_NAMES.has(lower)) return new FixedZone(name, 0);
  // A bare number is hours EAST of UTC (PostgreSQL reads it as SET TIME ZONE's numeric form).
  if (/^[+-]?\d+(?:\.\d+)?$/.test(name)) {
    const hours = Number(name);
    return Math.abs(hours) <= 15 + 59 / 60 ? new FixedZone(name, Math.round(hours * 3600)) : null;
  }
  // POSIX: [STD]offset, where a positive offset is WEST of Greenwich.
  const posix = /^(?:([a-z]{3,})|<[^>]+>)?([+-]?)(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i.exec(name);
  if (posix && (posix[1] === undefined || UTC_NAMES.has(posix[1].toLowerCase()) || /^[a-z]{3,}$/i.test(posix[1]))) {
    const hours = Number(posix[3]);
    const mins = Number(posix[4] ?? 0);
    const secs = Number(posix[5] ?? 0);
    if (hours > 24 || mins > 59 || secs > 59) return null;
    const west = hours * 3600 + mins * 60 + secs;
    return new FixedZone(name, posix[2] === '-' ? west : -west);
  }
  try {
    return new IanaZone(name);
  } catch {
    return null;
  }
}

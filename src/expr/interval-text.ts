/**
 * Interval text I/O: PostgreSQL's default 'postgres' IntervalStyle output ('1 year 2 mons 3 days 04:05:06.5')
 * and input ('5 minutes', '1.5 days', '2 days 03:00:00', '1 hour ago', '@ 1 min', ISO 8601 'P1DT2H').
 * Stateless. Invariant: parseIntervalText(formatIntervalText(i)) has the same months, days and micros as i.
 */
import type { Interval } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { EXPR_SQLSTATE, invalidInputSyntax } from './errors.js';

const HOUR = 3_600_000_000;
const MINUTE = 60_000_000;
const SECOND = 1_000_000;
const DAY_MICROS = 86_400_000_000;

function plural(value: number, unit: string, state: { zero: boolean; before: boolean }): string {
  if (value === 0) return '';
  const text = `${state.zero ? '' : ' '}${state.before && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
  state.before = value < 0;
  state.zero = false;
  return text;
}

/** Seconds with 2-digit padding and the fraction without trailing zeros: 6, 6.5 → '06', '06.5'. */
export function formatSeconds(micros: number): string {
  const secs = Math.floor(micros / SECOND);
  const frac = micros - secs * SECOND;
  const whole = String(secs).padStart(2, '0');
  if (frac === 0) return whole;
  return whole + '.' + String(frac).padStart(6, '0').replace(/0+$/, '');
}

export function formatIntervalText(i: Interval): string {
  const state = { zero: true, before: false };
  const years = Math.trunc(i.months / 12);
  const mons = i.months - years * 12;
  let out = plural(years, 'year', state) + plural(mons, 'mon', state) + plural(i.days, 'day', state);
  if (state.zero || i.micros !== 0) {
    const minus = i.micros < 0;
    const abs = Math.abs(i.micros);
    const hours = Math.floor(abs / HOUR);
    const mins = Math.floor((abs - hours * HOUR) / MINUTE);
    const rest = abs - hours * HOUR - mins * MINUTE;
    out += `${state.zero ? '' : ' '}${minus ? '-' : state.before ? '+' : ''}${String(hours).padStart(2, '0')}:${String(mins).padStart(2, '0')}:${formatSeconds(rest)}`;
  }
  return out;
}

type Unit = 'us' | 'ms' | 's' | 'min' | 'h' | 'd' | 'w' | 'mon' | 'y' | 'dec' | 'cent' | 'mil';

const UNITS: Record<string, Unit> = {};
function units(u: Unit, ...names: string[]): void {
  for (const n of names) UNITS[n] = u;
}
units('us', 'microsecond', 'microseconds', 'microsecon', 'us', 'usec', 'usecs', 'usecond', 'useconds');
units('ms', 'millisecond', 'milliseconds', 'millisecon', 'ms', 'msec', 'msecs', 'msecond', 'mseconds');
units('s', 'second', 'seconds', 's', 'sec', 'secs');
units('min', 'minute', 'minutes', 'm', 'min', 'mins');
units('h', 'hour', 'hours', 'h', 'hr', 'hrs');
units('d', 'day', 'days', 'd');
units('w', 'week', 'weeks', 'w');
units('mon', 'month', 'months', 'mon', 'mons');
units('y', 'year', 'years', 'y', 'yr', 'yrs');
units('dec', 'decade', 'decades', 'dec', 'decs');
units('cent', 'century', 'centuries', 'c', 'cent');
units('mil', 'millennium', 'millennia', 'mil', 'mils');

/** Mutable accumulator while parsing; months/days may carry fractions resolved at the end. */
interface Acc {
  months: number;
  days: number;
  micros: number;
}

/** Each field may be written once, as in PostgreSQL ('1 year 1 year' and '1 hour 10:00' are errors). */
function claim(used: Set<string>, fields: readonly string[]): boolean {
  for (const f of fields) if (used.has(f)) return false;
  for (const f of fields) used.add(f);
  return true;
}

function addUnit(acc: Acc, value: number, unit: Unit): void {
  const whole = Math.trunc(value);
  const frac = value - whole;
  switch (unit) {
    case 'us':
      acc.micros += value;
      return;
    case 'ms':
      acc.micros += value * 1000;
      return;
    case 's':
      acc.micros += value * SECOND;
      return;
    case 'min':
      acc.micros += value * MINUTE;
      return;
    case 'h':
      acc.micros += value * HOUR;
      return;
    case 'd':
      acc.days += whole;
      acc.micros += frac * DAY_MICROS;
      return;
    case 'w':
      addFractionalDays(acc, value * 7);
      return;
    case 'mon':
      acc.months += whole;
      addFractionalDays(acc, frac * 30);
      return;
    case 'y':
    case 'dec':
    case 'cent':
    case 'mil': {
      const years = unit === 'y' ? 1 : unit === 'dec' ? 10 : unit === 'cent' ? 100 : 1000;
      acc.months += whole * years * 12 + Math.round(frac * years * 12);
      return;
    }
  }
}

function addFractionalDays(acc: Acc, days: number): void {
  const whole = Math.trunc(days);
  acc.days += whole;
  acc.micros += (days - whole) * DAY_MICROS;
}

const ISO_PART = /([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)([YMWDHS])/gy;

function parseIso(body: string, acc: Acc): boolean {
  const t = body.indexOf('T');
  const datePart = t < 0 ? body : body.slice(0, t);
  const timePart = t < 0 ? '' : body.slice(t + 1);
  const dateUnits: Record<string, Unit> = { Y: 'y', M: 'mon', W: 'w', D: 'd' };
  const timeUnits: Record<string, Unit> = { H: 'h', M: 'min', S: 's' };
  for (const [part, map] of [
    [datePart, dateUnits],
    [timePart, timeUnits],
  ] as const) {
    ISO_PART.lastIndex = 0;
    let pos = 0;
    while (pos < part.length) {
      ISO_PART.lastIndex = pos;
      const m = ISO_PART.exec(part);
      if (!m) return false;
      const unit = map[m[2]!];
      if (!unit) return false;
      addUnit(acc, Number(m[1]), unit);
      pos = ISO_PART.lastIndex;
    }
  }
  return datePart !== '' || t >= 0;
}

const TIME = /^([+-]?)(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?$/;
const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([a-z]*)$/;

/** interval_in for the forms above; 22007 on bad syntax, 22015 when a field overflows. */
export function parseIntervalText(text: string): Interval {
  const bad = (): SqlError => invalidInputSyntax('interval', text, '22007');
  const acc: Acc = { months: 0, days: 0, micros: 0 };
  let body = text.trim();
  if (body.startsWith('@')) body = body.slice(1).trim();
  if (body === '') throw bad();
  if (body[0] === 'P' || body[0] === 'p') {
    if (!parseIso(body.slice(1).toUpperCase(), acc)) throw bad();
    return finish(acc, text);
  }
  const tokens = body.toLowerCase().replace(/(^|\s)([+-])\s+(?=[\d.])/g, '$1$2').split(/\s+/);
  let ago = false;
  let sawField = false;
  const used = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k]!;
    if (ago) throw bad();
    if (tok === 'ago') {
      if (!sawField) throw bad();
      ago = true;
      continue;
    }
    const time = TIME.exec(tok);
    if (time) {
      const sign = time[1] === '-' ? -1 : 1;
      const h = Number(time[2]);
      const mi = Number(time[3]);
      const s = Number(time[4] ?? 0);
      if (mi > 59 || s > 60) throw new SqlError('22015', `interval field value out of range: "${text}"`);
      if (!claim(used, ['h', 'min', 's'])) throw bad();
      const frac = time[5] ? Number('0.' + time[5]) : 0;
      acc.micros += sign * (h * HOUR + mi * MINUTE + (s + frac) * SECOND);
      sawField = true;
      continue;
    }
    const num = NUMBER.exec(tok);
    if (!num) throw bad();
    const value = Number(num[1]);
    let unitName = num[2]!;
    if (unitName === '') {
      const next = tokens[k + 1];
      if (next !== undefined && UNITS[next] !== undefined) {
        unitName = next;
        k++;
      } else if (next !== undefined && TIME.test(next)) {
        unitName = 'd';
      } else if (next === undefined || next === 'ago') {
        unitName = 's';
      } else {
        throw bad();
      }
    }
    const unit = UNITS[unitName];
    if (unit === undefined || !claim(used, [unit])) throw bad();
    addUnit(acc, value, unit);
    sawField = true;
  }
  if (!sawField) throw bad();
  if (ago) {
    acc.months = -acc.months;
    acc.days = -acc.days;
    acc.micros = -acc.micros;
  }
  return finish(acc, text);
}

const INT32_MAX = 2147483647;

function finish(acc: Acc, text: string): Interval {
  const micros = Math.round(acc.micros);
  if (Math.abs(acc.months) > INT32_MAX) throw new SqlError('22008', 'interval out of range');
  if (Math.abs(acc.days) > INT32_MAX || !Number.isFinite(micros) || Math.abs(micros) > 9.2e18) {
    throw new SqlError(EXPR_SQLSTATE.interval_field_overflow, `interval field value out of range: "${text}"`);
  }
  return { months: acc.months + 0, days: acc.days + 0, micros: micros + 0 };
}

/**
 * PostgreSQL text I/O for every SqlType: formatValueText (what psql shows, the wire's text format) and
 * parseValueText (the type's input function, PostgreSQL's messages and SQLSTATEs). Stateless.
 * Invariant: parseValueText(formatValueText(v, t, tz), t, tz) equals v (same SQL value) for every non-NULL v.
 */
import { Jsonb, type Interval, type SqlType, type Value } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import { SqlError } from '../common/errors.js';
import { invalidInputSyntax, valueOutOfRange } from './errors.js';
import { formatFloat4, formatFloat8, parseFloatText } from './float-text.js';
import { formatIntervalText, parseIntervalText } from './interval-text.js';
import { formatJsonbText, parseJsonbText } from './jsonb-text.js';
import { formatDateText, formatTimestampText, formatTimestamptzText, parseDateText, parseTimestampText, parseTimestamptzText } from './datetime-text.js';
import { requireTimeZone } from './timezone.js';

export { typeFromName, parseTypeName, pgTypeName, type TypeSpec } from './type-names.js';
export { resolveTimeZone, requireTimeZone, type TimeZone } from './timezone.js';

/**
 * PostgreSQL's text output of a non-NULL value (NULL gives '' — the wire sends NULL separately).
 * `tz` is the session TimeZone for timestamptz: 'UTC' (default), a POSIX offset, or an IANA name.
 */
export function formatValueText(v: Value, type: SqlType, tz?: string): string {
  if (v === null) return '';
  switch (type) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'smallint':
    case 'integer':
    case 'bigint':
      return String(v);
    case 'real':
      return formatFloat4(Number(v));
    case 'double precision':
      return formatFloat8(Number(v));
    case 'numeric':
      return v instanceof Numeric ? v.toString() : String(v);
    case 'varchar':
    case 'text':
    case 'unknown':
      return typeof v === 'string' ? v : fallbackText(v);
    case 'timestamp':
      return formatTimestampText(v as number);
    case 'timestamptz':
      return formatTimestamptzText(v as number, requireTimeZone(tz));
    case 'date':
      return formatDateText(v as number);
    case 'interval':
      return formatIntervalText(v as Interval);
    case 'jsonb':
      return v instanceof Jsonb ? formatJsonbText(v) : JSON.stringify(v);
    default:
      return assertNever(type);
  }
}

function fallbackText(v: Value): string {
  if (v instanceof Jsonb) return formatJsonbText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

const INTEGER_SYNTAX = /^\s*[+-]?\d+\s*$/;
const INT_LIMITS = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
} as const;

function parseSmallInteger(text: string, type: 'smallint' | 'integer'): number {
  if (!INTEGER_SYNTAX.test(text)) throw invalidInputSyntax(type, text);
  const n = Number(text.trim());
  const [lo, hi] = INT_LIMITS[type];
  if (n < lo || n > hi) throw valueOutOfRange(type, text);
  return n + 0;
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function parseBigint(text: string): bigint {
  if (!INTEGER_SYNTAX.test(text)) throw invalidInputSyntax('bigint', text);
  const n = BigInt(text.trim());
  if (n < INT8_MIN || n > INT8_MAX) throw valueOutOfRange('bigint', text);
  return n;
}

function parseNumeric(text: string): Numeric {
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === 'infinity' || t === '+infinity' || t === '-infinity' || t === 'inf' || t === '-inf' || t === '+inf') {
    throw new SqlError('0A000', `numeric value "${text}" is not supported by sluice (NaN and Infinity)`);
  }
  const n = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(text) ? Numeric.fromString(text) : null;
  if (n === null) throw invalidInputSyntax('numeric', text);
  return n;
}

const BOOL_TRUE = ['true', 'yes', 'on'];
const BOOL_FALSE = ['false', 'no', 'off'];

/** boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, any unique prefix, any case, surrounding blanks. */
function parseBoolean(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '1') return true;
  if (t === '0') return false;
  if (t.length > 0) {
    const minLen = (w: string): number => (w.startsWith('o') ? 2 : 1);
    if (BOOL_TRUE.some((w) => t.length >= minLen(w) && w.startsWith(t))) return true;
    if (BOOL_FALSE.some((w) => t.length >= minLen(w) && w.startsWith(t))) return false;
  }
  throw invalidInputSyntax('boolean', text);
}

/**
 * The type's input function: PostgreSQL's syntax and errors (22P02 bad syntax for numbers/booleans/json,
 * 22007 for date/time, 22008 for out-of-range date/time fields, 22003 for out-of-range numbers).
 * `tz` is the session TimeZone used for timestamptz text without a zone (default UTC).
 */
export function parseValueText(text: string, type: SqlType, tz?: string): Value {
  switch (type) {
    case 'boolean':
      return parseBoolean(text);
    case 'smallint':
    case 'integer':
      return parseSmallInteger(text, type);
    case 'bigint':
      return parseBigint(text);
    case 'real':
      return parseFloatText(text, true);
    case 'double precision':
      return parseFloatText(text, false);
    case 'numeric':
      return parseNumeric(text);
    case 'varchar':
    case 'text':
    case 'unknown':
      return text;
    case 'timestamp':
      return parseTimestampText(text);
    case 'timestamptz':
      return parseTimestamptzText(text, tz);
    case 'date':
      return parseDateText(text);
    case 'interval':
      return parseIntervalText(text);
    case 'jsonb':
      return parseJsonbText(text);
    default:
      return assertNever(type);
  }
}

function assertNever(x: never): never {
  throw new SqlError('XX000', `unhandled type ${String(x)}`);
}

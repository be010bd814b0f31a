/**
 * The scalar function catalog: PostgreSQL 15's pg_proc signatures for the functions sluice supports
 * (string, regex, math, date/time, jsonb). State: registers into registry.FUNCTIONS at import.
 * Invariant: argument and result types are PostgreSQL's, so resolution and result types match it.
 */
import { Jsonb, type Interval, type SqlType, type Value } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import { SqlError } from '../common/errors.js';
import { defFunction, defFunctionTyped, type ScalarImpl } from './registry.js';
import * as str from './string-fns.js';
import { checkLikeEscape, regexFirstMatch, regexReplace } from './patterns.js';
import { formatValueText } from './text-io.js';
import { absValue, intArith } from './arith.js';
import { numericFromDouble, ceilNumeric, expDouble, floorNumeric, lnDouble, log10Double, powerDouble, powerNumeric, roundNumeric, signNumeric, sqrtDouble, sqrtNumeric, truncNumeric } from './math-fns.js';
import { rint } from './int-range.js';
import { dateTruncInterval, dateTruncTimestamp, dateTruncTimestamptz, datePart, extractField, toTimestamp, type TimeKind } from './datetime-ops.js';
import { jsonbArrayLength, jsonbExtractPath, jsonbToText, jsonbTypeof } from './jsonb-ops.js';
import { numericArith } from './arith.js';
import { localToUtc, utcToLocal } from './casts.js';
import { toCharInterval, toCharTimestamp, toCharTimestamptz } from './to-char.js';

const s = (v: Value): string => v as string;
const n = (v: Value): number => v as number;

// ---- strings ----
defFunction('lower', ['text'], 'text', (a) => str.lower(s(a[0]!)));
defFunction('upper', ['text'], 'text', (a) => str.upper(s(a[0]!)));
defFunction('initcap', ['text'], 'text', (a) => str.initcap(s(a[0]!)));
for (const name of ['length', 'char_length', 'character_length']) defFunction(name, ['text'], 'integer', (a) => str.charLength(s(a[0]!)));
defFunction('octet_length', ['text'], 'integer', (a) => str.octetLength(s(a[0]!)));
for (const name of ['substring', 'substr']) {
  defFunction(name, ['text', 'integer'], 'text', (a) => str.substring(s(a[0]!), n(a[1]!)));
  defFunction(name, ['text', 'integer', 'integer'], 'text', (a) => str.substring(s(a[0]!), n(a[1]!), n(a[2]!)));
}
defFunction('substring', ['text', 'text'], 'text', (a) => regexFirstMatch(s(a[0]!), s(a[1]!)));
// PostgreSQL's position(string, substring): POSITION(sub IN s) arrives from the parser as position(s, sub).
defFunction('position', ['text', 'text'], 'integer', (a) => str.strpos(s(a[0]!), s(a[1]!)));
defFunction('strpos', ['text', 'text'], 'integer', (a) => str.strpos(s(a[0]!), s(a[1]!)));
defFunction('split_part', ['text', 'text', 'integer'], 'text', (a) => str.splitPart(s(a[0]!), s(a[1]!), n(a[2]!)));
defFunction('btrim', ['text'], 'text', (a) => str.btrim(s(a[0]!)));
defFunction('btrim', ['text', 'text'], 'text', (a) => str.btrim(s(a[0]!), s(a[1]!)));
defFunction('ltrim', ['text'], 'text', (a) => str.ltrim(s(a[0]!)));
defFunction('ltrim', ['text', 'text'], 'text', (a) => str.ltrim(s(a[0]!), s(a[1]!)));
defFunction('rtrim', ['text'], 'text', (a) => str.rtrim(s(a[0]!)));
defFunction('rtrim', ['text', 'text'], 'text', (a) => str.rtrim(s(a[0]!), s(a[1]!)));
defFunction('replace', ['text', 'text', 'text'], 'text', (a) => str.replace(s(a[0]!), s(a[1]!), s(a[2]!)));
defFunction('left', ['text', 'integer'], 'text', (a) => str.left(s(a[0]!), n(a[1]!)));
defFunction('right', ['text', 'integer'], 'text', (a) => str.right(s(a[0]!), n(a[1]!)));
defFunction('repeat', ['text', 'integer'], 'text', (a) => str.repeat(s(a[0]!), n(a[1]!)));
defFunction('reverse', ['text'], 'text', (a) => str.reverse(s(a[0]!)));
defFunction('lpad', ['text', 'integer'], 'text', (a) => str.lpad(s(a[0]!), n(a[1]!)));
defFunction('lpad', ['text', 'integer', 'text'], 'text', (a) => str.lpad(s(a[0]!), n(a[1]!), s(a[2]!)));
defFunction('rpad', ['text', 'integer'], 'text', (a) => str.rpad(s(a[0]!), n(a[1]!)));
defFunction('rpad', ['text', 'integer', 'text'], 'text', (a) => str.rpad(s(a[0]!), n(a[1]!), s(a[2]!)));
defFunction('starts_with', ['text', 'text'], 'boolean', (a) => s(a[0]!).startsWith(s(a[1]!)));
defFunction('md5', ['text'], 'text', (a) => str.md5(s(a[0]!)));
defFunction('translate', ['text', 'text', 'text'], 'text', (a) => str.translate(s(a[0]!), s(a[1]!), s(a[2]!)));
defFunction('ascii', ['text'], 'integer', (a) => str.ascii(s(a[0]!)));
defFunction('chr', ['integer'], 'text', (a) => str.chr(n(a[0]!)));
defFunction('regexp_replace', ['text', 'text', 'text'], 'text', (a) => regexReplace(s(a[0]!), s(a[1]!), s(a[2]!)));
defFunction('regexp_replace', ['text', 'text', 'text', 'text'], 'text', (a) => regexReplace(s(a[0]!), s(a[1]!), s(a[2]!), s(a[3]!)));
// Differs from PostgreSQL (text[]): sluice has no arrays, so regexp_match returns the first group (or match) as text.
defFunction('regexp_match', ['text', 'text'], 'text', (a) => regexFirstMatch(s(a[0]!), s(a[1]!)));
defFunction('regexp_match', ['text', 'text', 'text'], 'text', (a) => regexFirstMatch(s(a[0]!), s(a[1]!), s(a[2]!)));
defFunction('like_escape', ['text', 'text'], 'text', (a) => likeEscape(s(a[0]!), checkLikeEscape(s(a[1]!))));

/** Rewrites a LIKE pattern written with escape character `esc` into the default backslash form. */
function likeEscape(pattern: string, esc: string): string {
  let out = '';
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (esc !== '' && c === esc) {
      if (i + 1 >= cs.length) throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      const next = cs[++i]!;
      out += '\\' + next;
    } else if (c === '\\') {
      out += '\\\\';
    } else {
      out += c;
    }
  }
  return out;
}

// concat / concat_ws take "any": each argument is printed with its own type's output function; NULLs are skipped.
defFunctionTyped(
  'concat',
  [],
  'text',
  (types) => (a, ctx) => {
    let out = '';
    for (let i = 0; i < a.length; i++) if (a[i] !== null) out += formatValueText(a[i]!, types[i]!, ctx.timeZone);
    return out;
  },
  { strict: false, variadic: 'any', minVariadic: 1 },
);
defFunctionTyped(
  'concat_ws',
  ['text'],
  'text',
  (types) => (a, ctx) => {
    if (a[0] === null) return null;
    const parts: string[] = [];
    for (let i = 1; i < a.length; i++) if (a[i] !== null) parts.push(formatValueText(a[i]!, types[i]!, ctx.timeZone));
    return parts.join(a[0] as string);
  },
  { strict: false, variadic: 'any', minVariadic: 1 },
);

// ---- math ----
const NUMS: SqlType[] = ['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric'];
for (const t of NUMS) {
  const f = absValue(t);
  defFunction('abs', [t], t, (a) => f(a[0]!));
}
const num = (v: Value): Numeric => v as Numeric;
defFunction('round', ['double precision'], 'double precision', (a) => rint(n(a[0]!)));
defFunction('round', ['numeric'], 'numeric', (a) => roundNumeric(num(a[0]!)));
defFunction('round', ['numeric', 'integer'], 'numeric', (a) => roundNumeric(num(a[0]!), n(a[1]!)));
defFunction('trunc', ['double precision'], 'double precision', (a) => Math.trunc(n(a[0]!)));
defFunction('trunc', ['numeric'], 'numeric', (a) => truncNumeric(num(a[0]!)));
defFunction('trunc', ['numeric', 'integer'], 'numeric', (a) => truncNumeric(num(a[0]!), n(a[1]!)));
defFunction('floor', ['double precision'], 'double precision', (a) => Math.floor(n(a[0]!)));
defFunction('floor', ['numeric'], 'numeric', (a) => floorNumeric(num(a[0]!)));
for (const name of ['ceil', 'ceiling']) {
  defFunction(name, ['double precision'], 'double precision', (a) => Math.ceil(n(a[0]!)));
  defFunction(name, ['numeric'], 'numeric', (a) => ceilNumeric(num(a[0]!)));
}
defFunction('sign', ['double precision'], 'double precision', (a) => Math.sign(n(a[0]!)) + 0);
defFunction('sign', ['numeric'], 'numeric', (a) => signNumeric(num(a[0]!)));
for (const t of ['smallint', 'integer', 'bigint'] as const) {
  const f = intArith('%', t);
  defFunction('mod', [t, t], t, (a) => f(a[0]!, a[1]!));
}
const numMod = numericArith('%');
defFunction('mod', ['numeric', 'numeric'], 'numeric', (a) => numMod(a[0]!, a[1]!));
for (const name of ['power', 'pow']) {
  defFunction(name, ['double precision', 'double precision'], 'double precision', (a) => powerDouble(n(a[0]!), n(a[1]!)));
  defFunction(name, ['numeric', 'numeric'], 'numeric', (a) => powerNumeric(num(a[0]!), num(a[1]!)));
}
defFunction('sqrt', ['double precision'], 'double precision', (a) => sqrtDouble(n(a[0]!)));
defFunction('sqrt', ['numeric'], 'numeric', (a) => sqrtNumeric(num(a[0]!)));
defFunction('exp', ['double precision'], 'double precision', (a) => expDouble(n(a[0]!)));
defFunction('exp', ['numeric'], 'numeric', (a) => numericFromDouble(expDouble(num(a[0]!).toNumber()), num(a[0]!).scale));
defFunction('ln', ['numeric'], 'numeric', (a) => numericFromDouble(lnNumericArg(num(a[0]!)), num(a[0]!).scale));
defFunction('log', ['numeric'], 'numeric', (a) => numericFromDouble(log10NumericArg(num(a[0]!)), num(a[0]!).scale));
defFunction('log10', ['numeric'], 'numeric', (a) => numericFromDouble(log10NumericArg(num(a[0]!)), num(a[0]!).scale));
defFunction('ln', ['double precision'], 'double precision', (a) => lnDouble(n(a[0]!)));
defFunction('log', ['double precision'], 'double precision', (a) => log10Double(n(a[0]!)));
defFunction('log10', ['double precision'], 'double precision', (a) => log10Double(n(a[0]!)));
defFunction('pi', [], 'double precision', () => Math.PI);

// ---- date/time ----
defFunction('now', [], 'timestamptz', (_a, ctx) => ctx.nowMicros, { strict: false });
defFunction('transaction_timestamp', [], 'timestamptz', (_a, ctx) => ctx.nowMicros, { strict: false });
defFunction('statement_timestamp', [], 'timestamptz', (_a, ctx) => ctx.nowMicros, { strict: false });
defFunction('date_trunc', ['text', 'timestamp'], 'timestamp', (a) => dateTruncTimestamp(s(a[0]!), n(a[1]!)));
defFunction('date_trunc', ['text', 'timestamptz'], 'timestamptz', (a, ctx) => dateTruncTimestamptz(s(a[0]!), n(a[1]!), ctx.timeZone));
defFunction('date_trunc', ['text', 'timestamptz', 'text'], 'timestamptz', (a) => dateTruncTimestamptz(s(a[0]!), n(a[1]!), s(a[2]!)));
defFunction('date_trunc', ['text', 'interval'], 'interval', (a) => dateTruncInterval(s(a[0]!), a[1] as Interval));
for (const kind of ['timestamp', 'timestamptz', 'date', 'interval'] as TimeKind[]) {
  defFunction('date_part', ['text', kind], 'double precision', (a, ctx) => datePart(s(a[0]!), a[1] as number | Interval, kind, ctx.timeZone));
  defFunction('extract', ['text', kind], 'numeric', (a, ctx) => extractField(s(a[0]!), a[1] as number | Interval, kind, ctx.timeZone));
}
defFunction('to_timestamp', ['double precision'], 'timestamptz', (a) => toTimestamp(n(a[0]!)));
defFunction('to_char', ['timestamp', 'text'], 'text', (a) => toCharTimestamp(n(a[0]!), s(a[1]!)));
defFunction('to_char', ['timestamptz', 'text'], 'text', (a, ctx) => toCharTimestamptz(n(a[0]!), s(a[1]!), ctx.timeZone));
defFunction('to_char', ['interval', 'text'], 'text', (a) => toCharInterval(a[0] as Interval, s(a[1]!)));
// x AT TIME ZONE z arrives from the parser as timezone(z, x)
defFunction('timezone', ['text', 'timestamptz'], 'timestamp', (a) => utcToLocal(n(a[1]!), s(a[0]!)));
defFunction('timezone', ['text', 'timestamp'], 'timestamptz', (a) => localToUtc(n(a[1]!), s(a[0]!)));

// ---- jsonb ----
const jb = (v: Value): Jsonb => v as Jsonb;
defFunction('jsonb_typeof', ['jsonb'], 'text', (a) => jsonbTypeof(jb(a[0]!)));
defFunction('jsonb_array_length', ['jsonb'], 'integer', (a) => jsonbArrayLength(jb(a[0]!)));
const pathImpl: ScalarImpl = (a) => jsonbExtractPath(jb(a[0]!), a.slice(1) as (string | null)[]);
defFunction('jsonb_extract_path', ['jsonb'], 'jsonb', pathImpl, { variadic: 'text', minVariadic: 1 });
defFunction('jsonb_extract_path_text', ['jsonb'], 'text', (a, ctx) => jsonbToText(pathImpl(a, ctx) as Jsonb | null), { variadic: 'text', minVariadic: 1 });

function checkLogArg(x: Numeric): void {
  if (x.isZero()) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x.unscaled < 0n) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
}
function lnNumericArg(x: Numeric): number {
  checkLogArg(x);
  return Math.log(x.toNumber());
}
function log10NumericArg(x: Numeric): number {
  checkLogArg(x);
  return Math.log10(x.toNumber());
}

/**
 * The operator catalog: PostgreSQL 15's pg_operator entries for sluice's types (arithmetic incl. cross-width
 * integer and float4/float8 forms, comparisons, ||, LIKE (~~), regex (~), jsonb -> ->> ? @>, date/time math).
 * State: registers into registry.OPERATORS at import. Invariant: names, argument and result types match
 * pg_operator exactly, so overload resolution picks what PostgreSQL picks.
 */
import { Jsonb, type Interval, type SqlType, type Value } from '../common/types.js';
import { defOperator, defOperatorTyped, type ScalarImpl } from './registry.js';
import { floatArith, intArith, negate, numericArith, type ArithOp } from './arith.js';
import { comparatorFor } from './compare-ops.js';
import { compileLike, regexMatches } from './patterns.js';
import { castValue } from './casts.js';
import { addIntervals, dateDiff, datePlusDays, intervalDiv, intervalMul, negateInterval, subIntervals, timestampDiff, timestampPlusInterval, timestamptzPlusInterval } from './datetime-ops.js';
import { jsonbArrayElement, jsonbConcat, jsonbContains, jsonbField, jsonbToText, jsonbHasKey, jsonbDeleteKey, jsonbDeleteIndex } from './jsonb-ops.js';

const INTS = ['smallint', 'integer', 'bigint'] as const;
const WIDTH = { smallint: 0, integer: 1, bigint: 2 } as const;

function bin(f: (a: Value, b: Value) => Value): ScalarImpl {
  return (args) => f(args[0]!, args[1]!);
}

// ---- arithmetic ----
for (const op of ['+', '-', '*', '/'] as const) {
  for (const l of INTS) for (const r of INTS) {
    const result = WIDTH[l] >= WIDTH[r] ? l : r;
    defOperator(op, [l, r], result, bin(intArith(op, result)));
  }
  defOperator(op, ['real', 'real'], 'real', bin(floatArith(op, true)));
  defOperator(op, ['real', 'double precision'], 'double precision', bin(floatArith(op, false)));
  defOperator(op, ['double precision', 'real'], 'double precision', bin(floatArith(op, false)));
  defOperator(op, ['double precision', 'double precision'], 'double precision', bin(floatArith(op, false)));
  defOperator(op, ['numeric', 'numeric'], 'numeric', bin(numericArith(op)));
}
for (const t of INTS) defOperator('%', [t, t], t, bin(intArith('%', t)));
defOperator('%', ['numeric', 'numeric'], 'numeric', bin(numericArith('%' as ArithOp)));

for (const t of [...INTS, 'real', 'double precision', 'numeric'] as const) {
  const neg = negate(t);
  defOperator('-', [t], t, (args) => neg(args[0]!));
  defOperator('+', [t], t, (args) => args[0]!);
}
defOperator('-', ['interval'], 'interval', (args) => negateInterval(args[0] as Interval));
for (const t of INTS) {
  defOperator('~', [t], t, (args) => (t === 'bigint' ? ~(args[0] as bigint) : ~(args[0] as number)));
}

// ---- date/time arithmetic ----
const iv = (v: Value): Interval => v as Interval;
defOperator('+', ['date', 'integer'], 'date', (a) => datePlusDays(a[0] as number, a[1] as number));
defOperator('+', ['integer', 'date'], 'date', (a) => datePlusDays(a[1] as number, a[0] as number));
defOperator('-', ['date', 'integer'], 'date', (a) => datePlusDays(a[0] as number, -(a[1] as number)));
defOperator('-', ['date', 'date'], 'integer', (a) => dateDiff(a[0] as number, a[1] as number));
const dateTs = (d: number): number => (Number.isFinite(d) ? d * 86_400_000_000 : d);
defOperator('+', ['date', 'interval'], 'timestamp', (a) => timestampPlusInterval(dateTs(a[0] as number), iv(a[1]!)));
defOperator('+', ['interval', 'date'], 'timestamp', (a) => timestampPlusInterval(dateTs(a[1] as number), iv(a[0]!)));
defOperator('-', ['date', 'interval'], 'timestamp', (a) => timestampPlusInterval(dateTs(a[0] as number), negateInterval(iv(a[1]!))));
defOperator('+', ['timestamp', 'interval'], 'timestamp', (a) => timestampPlusInterval(a[0] as number, iv(a[1]!)));
defOperator('+', ['interval', 'timestamp'], 'timestamp', (a) => timestampPlusInterval(a[1] as number, iv(a[0]!)));
defOperator('-', ['timestamp', 'interval'], 'timestamp', (a) => timestampPlusInterval(a[0] as number, negateInterval(iv(a[1]!))));
defOperator('-', ['timestamp', 'timestamp'], 'interval', (a) => timestampDiff(a[0] as number, a[1] as number));
defOperator('+', ['timestamptz', 'interval'], 'timestamptz', (a, ctx) => timestamptzPlusInterval(a[0] as number, iv(a[1]!), ctx.timeZone));
defOperator('+', ['interval', 'timestamptz'], 'timestamptz', (a, ctx) => timestamptzPlusInterval(a[1] as number, iv(a[0]!), ctx.timeZone));
defOperator('-', ['timestamptz', 'interval'], 'timestamptz', (a, ctx) => timestamptzPlusInterval(a[0] as number, negateInterval(iv(a[1]!)), ctx.timeZone));
defOperator('-', ['timestamptz', 'timestamptz'], 'interval', (a) => timestampDiff(a[0] as number, a[1] as number));
defOperator('+', ['interval', 'interval'], 'interval', (a) => addIntervals(iv(a[0]!), iv(a[1]!)));
defOperator('-', ['interval', 'interval'], 'interval', (a) => subIntervals(iv(a[0]!), iv(a[1]!)));
defOperator('*', ['interval', 'double precision'], 'interval', (a) => intervalMul(iv(a[0]!), a[1] as number));
defOperator('*', ['double precision', 'interval'], 'interval', (a) => intervalMul(iv(a[1]!), a[0] as number));
defOperator('/', ['interval', 'double precision'], 'interval', (a) => intervalDiv(iv(a[0]!), a[1] as number));

// ---- comparisons ----
const COMPARABLE: [SqlType, SqlType][] = [];
for (const l of INTS) for (const r of INTS) COMPARABLE.push([l, r]);
COMPARABLE.push(['real', 'real'], ['real', 'double precision'], ['double precision', 'real'], ['double precision', 'double precision']);
COMPARABLE.push(['numeric', 'numeric'], ['boolean', 'boolean'], ['text', 'text'], ['interval', 'interval'], ['jsonb', 'jsonb']);
for (const l of ['date', 'timestamp', 'timestamptz'] as const) for (const r of ['date', 'timestamp', 'timestamptz'] as const) COMPARABLE.push([l, r]);

const CMP_OPS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};
for (const [l, r] of COMPARABLE) {
  const cmp = comparatorFor(l, r);
  for (const [op, test] of Object.entries(CMP_OPS)) {
    defOperator(op, [l, r], 'boolean', (a, ctx) => test(cmp(a[0]!, a[1]!, ctx)));
  }
}

// ---- strings ---- (anynonarray || text casts the operand to text: booleans read 'true', as in PostgreSQL)
defOperator('||', ['text', 'text'], 'text', (a) => (a[0] as string) + (a[1] as string));
defOperatorTyped('||', ['text', 'anynonarray'], 'text', (types) => (a, ctx) => (a[0] as string) + (castValue(a[1]!, types[1]!, 'text', ctx.timeZone) as string));
defOperatorTyped('||', ['anynonarray', 'text'], 'text', (types) => (a, ctx) => (castValue(a[0]!, types[0]!, 'text', ctx.timeZone) as string) + (a[1] as string));
const likeOps: [string, boolean, boolean][] = [
  ['~~', false, false],
  ['~~*', true, false],
  ['!~~', false, true],
  ['!~~*', true, true],
];
for (const [op, ci, neg] of likeOps) {
  defOperator(op, ['text', 'text'], 'boolean', (a) => compileLike(a[1] as string, ci)(a[0] as string) !== neg);
}
const regexOps: [string, boolean, boolean][] = [
  ['~', false, false],
  ['~*', true, false],
  ['!~', false, true],
  ['!~*', true, true],
];
for (const [op, ci, neg] of regexOps) {
  defOperator(op, ['text', 'text'], 'boolean', (a) => regexMatches(a[0] as string, a[1] as string, ci) !== neg);
}

// ---- jsonb ----
const jb = (v: Value): Jsonb => v as Jsonb;
defOperator('->', ['jsonb', 'text'], 'jsonb', (a) => jsonbField(jb(a[0]!), a[1] as string));
defOperator('->', ['jsonb', 'integer'], 'jsonb', (a) => jsonbArrayElement(jb(a[0]!), a[1] as number));
defOperator('->>', ['jsonb', 'text'], 'text', (a) => jsonbToText(jsonbField(jb(a[0]!), a[1] as string)));
defOperator('->>', ['jsonb', 'integer'], 'text', (a) => jsonbToText(jsonbArrayElement(jb(a[0]!), a[1] as number)));
defOperator('?', ['jsonb', 'text'], 'boolean', (a) => jsonbHasKey(jb(a[0]!), a[1] as string));
defOperator('@>', ['jsonb', 'jsonb'], 'boolean', (a) => jsonbContains(jb(a[0]!), jb(a[1]!)));
defOperator('<@', ['jsonb', 'jsonb'], 'boolean', (a) => jsonbContains(jb(a[1]!), jb(a[0]!)));
defOperator('||', ['jsonb', 'jsonb'], 'jsonb', (a) => jsonbConcat(jb(a[0]!), jb(a[1]!)));
defOperator('-', ['jsonb', 'text'], 'jsonb', (a) => jsonbDeleteKey(jb(a[0]!), a[1] as string));
defOperator('-', ['jsonb', 'integer'], 'jsonb', (a) => jsonbDeleteIndex(jb(a[0]!), a[1] as number));

/** Operator spellings the binder may pass that PostgreSQL names differently. */
export const OPERATOR_ALIASES: Record<string, string> = {
  LIKE: '~~',
  ILIKE: '~~*',
  'NOT LIKE': '!~~',
  'NOT ILIKE': '!~~*',
  '!=': '<>',
};

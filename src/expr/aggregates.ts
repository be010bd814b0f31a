/**
 * Aggregate signatures with PostgreSQL's result types (the dataflow owns the runtime state):
 * count → bigint, sum(int2|int4) → bigint, sum(int8|numeric) → numeric, avg(integers|numeric) → numeric, …
 * State: a static table. Invariant: resolution follows the same overload rules as scalar functions.
 */
import type { SqlType } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { chooseOverload, type Signature } from './functions.js';
import { isPolymorphic, type ArgType } from './resolve.js';
import { pgTypeName } from './type-names.js';

export interface ResolvedAggregate {
  readonly name: string;
  /** The binder casts each argument to these types before feeding the aggregate. */
  readonly argTypes: SqlType[];
  readonly returnType: SqlType;
}

interface AggSignature extends Signature {
  readonly ret: SqlType | 'same';
}

const AGGS = new Map<string, AggSignature[]>();
function agg(name: string, args: ArgType[], ret: SqlType | 'same'): void {
  const list = AGGS.get(name) ?? [];
  list.push({ args, ret });
  AGGS.set(name, list);
}

agg('count', [], 'bigint');
agg('count', ['any'], 'bigint');
for (const [arg, ret] of [
  ['smallint', 'bigint'],
  ['integer', 'bigint'],
  ['bigint', 'numeric'],
  ['numeric', 'numeric'],
  ['real', 'real'],
  ['double precision', 'double precision'],
  ['interval', 'interval'],
] as const) agg('sum', [arg], ret);
for (const [arg, ret] of [
  ['smallint', 'numeric'],
  ['integer', 'numeric'],
  ['bigint', 'numeric'],
  ['numeric', 'numeric'],
  ['real', 'double precision'],
  ['double precision', 'double precision'],
  ['interval', 'interval'],
] as const) agg('avg', [arg], ret);
const ORDERED: SqlType[] = ['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'text', 'date', 'timestamp', 'timestamptz', 'interval'];
for (const t of ORDERED) {
  agg('min', [t], 'same');
  agg('max', [t], 'same');
}
for (const name of ['bool_and', 'bool_or', 'every']) agg(name, ['boolean'], 'boolean');
agg('string_agg', ['text', 'text'], 'text');
for (const name of ['stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop']) {
  for (const t of ['smallint', 'integer', 'bigint', 'numeric'] as const) agg(name, [t], 'numeric');
  for (const t of ['real', 'double precision'] as const) agg(name, [t], 'double precision');
}
agg('jsonb_agg', ['anyelement'], 'jsonb');

/** True when `name` is an aggregate sluice knows (the binder uses it to tell aggregates from scalar calls). */
export function isAggregateName(name: string): boolean {
  return AGGS.has(name.toLowerCase());
}

/**
 * Resolves an aggregate call. count(*) is count with no arguments. `distinct` does not change the
 * signature (COUNT(DISTINCT x) is count(any)). Throws 42883/42725 worded as PostgreSQL does.
 */
export function resolveAggregate(name: string, argTypes: SqlType[], distinct = false): ResolvedAggregate {
  void distinct;
  const lname = name.toLowerCase().replace(/^pg_catalog\./, '');
  const list = AGGS.get(lname) ?? [];
  const choice = chooseOverload(list, argTypes, null);
  const shown = argTypes.map(pgTypeName).join(', ');
  if (choice === 'none') {
    throw new SqlError('42883', `function ${lname}(${shown}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if (choice === 'ambiguous') {
    throw new SqlError('42725', `function ${lname}(${shown}) is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  }
  const resolvedArgs = choice.args.map((a, i): SqlType => (isPolymorphic(a) ? (argTypes[i] === 'unknown' ? 'text' : argTypes[i]!) : a));
  const ret = choice.overload.ret;
  return { name: lname, argTypes: resolvedArgs, returnType: ret === 'same' ? resolvedArgs[0]! : ret };
}

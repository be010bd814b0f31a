/**
 * The public resolution API: resolveFunction / resolveBinaryOperator / resolveUnaryOperator pick the overload
 * PostgreSQL would pick, and return the coerced argument types, result type and implementation.
 * State: a cache of resolutions by signature. Invariant: the returned argTypes are what the binder must cast
 * each argument to; impl is only correct on values of exactly those types.
 */
import type { SqlType, Value } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { FUNCTIONS, OPERATORS, type EvalContext, type Overload, type ResolvedFunction } from './registry.js';
import { canCoerceArg, commonType, isPolymorphic, selectCandidate, type ArgType } from './resolve.js';
import { OPERATOR_ALIASES } from './catalog-operators.js';
import { comparatorFor, isDistinct } from './compare-ops.js';
import { pgTypeName } from './type-names.js';
import './catalog-functions.js';

export type { EvalContext, ResolvedFunction } from './registry.js';
export { commonType, isDistinct };

/** The part of an overload that resolution looks at. */
export interface Signature {
  readonly args: readonly ArgType[];
  readonly variadic?: ArgType;
  readonly minVariadic?: number;
}

interface Expanded<S extends Signature = Overload> {
  readonly overload: S;
  readonly args: readonly ArgType[];
}

function expand<S extends Signature>(o: S, n: number): Expanded<S> | null {
  if (o.variadic === undefined) return o.args.length === n ? { overload: o, args: o.args } : null;
  const extra = n - o.args.length;
  if (extra < (o.minVariadic ?? 0)) return null;
  return { overload: o, args: [...o.args, ...Array<ArgType>(extra).fill(o.variadic)] };
}

function build(name: string, e: Expanded, inputs: readonly SqlType[]): ResolvedFunction {
  const argTypes = e.args.map((a, i): SqlType => (isPolymorphic(a) ? (inputs[i] === 'unknown' ? 'text' : inputs[i]!) : a));
  const ret = e.overload.ret;
  return {
    name,
    argTypes,
    returnType: typeof ret === 'function' ? ret(argTypes) : ret,
    strict: e.overload.strict,
    impl: e.overload.make(argTypes),
  };
}

/** Exact match, else PostgreSQL's candidate selection; 'none' or 'ambiguous' when it fails. */
export function chooseOverload<S extends Signature>(overloads: readonly S[], inputs: readonly SqlType[], exactFirst: readonly SqlType[] | null): Expanded<S> | 'none' | 'ambiguous' {
  const expanded = overloads.map((o) => expand(o, inputs.length)).filter((e): e is Expanded<S> => e !== null);
  const exactTarget = exactFirst ?? inputs;
  const exact = expanded.find((e) => e.args.every((a, i) => a === exactTarget[i]));
  if (exact) return exact;
  const viable = expanded.filter((e) => e.args.every((a, i) => canCoerceArg(inputs[i]!, a)));
  if (viable.length === 0) return 'none';
  if (viable.length === 1) return viable[0]!;
  return selectCandidate(inputs, viable) ?? 'ambiguous';
}

const cache = new Map<string, ResolvedFunction>();

function typeList(types: readonly SqlType[]): string {
  return types.map(pgTypeName).join(', ');
}

/**
 * Resolves name(argTypes) (name case-insensitive, 'pg_catalog.' allowed). Throws 42883
 * 'function foo(integer) does not exist' or 42725 '… is not unique', with PostgreSQL's hints.
 * greatest/least/coalesce/nullif resolve through commonType like PostgreSQL's special forms.
 */
export function resolveFunction(name: string, argTypes: SqlType[]): ResolvedFunction {
  const lname = name.toLowerCase().replace(/^pg_catalog\./, '');
  const key = `f ${lname}(${argTypes.join(',')})`;
  const hit = cache.get(key);
  if (hit) return hit;
  const special = resolveSpecialForm(lname, argTypes);
  if (special) {
    cache.set(key, special);
    return special;
  }
  const overloads = FUNCTIONS.get(lname) ?? [];
  const choice = chooseOverload(overloads, argTypes, null);
  if (choice === 'none') {
    throw new SqlError('42883', `function ${lname}(${typeList(argTypes)}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if (choice === 'ambiguous') {
    throw new SqlError('42725', `function ${lname}(${typeList(argTypes)}) is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  }
  const resolved = build(lname, choice, argTypes);
  cache.set(key, resolved);
  return resolved;
}

function resolveSpecialForm(name: string, argTypes: SqlType[]): ResolvedFunction | null {
  if (name === 'greatest' || name === 'least') {
    if (argTypes.length === 0) return null;
    const t = commonType(argTypes, name.toUpperCase());
    const cmp = comparatorFor(t, t);
    const sign = name === 'greatest' ? 1 : -1;
    return {
      name,
      argTypes: argTypes.map(() => t),
      returnType: t,
      strict: false,
      impl: (args: Value[], ctx: EvalContext) => {
        let best: Value = null;
        for (const v of args) if (v !== null && (best === null || sign * cmp(v, best, ctx) > 0)) best = v;
        return best;
      },
    };
  }
  if (name === 'coalesce') {
    if (argTypes.length === 0) return null;
    const t = commonType(argTypes, 'COALESCE');
    return {
      name,
      argTypes: argTypes.map(() => t),
      returnType: t,
      strict: false,
      impl: (args: Value[]) => args.find((v) => v !== null) ?? null,
    };
  }
  if (name === 'nullif' && argTypes.length === 2) {
    const eq = resolveBinaryOperator('=', argTypes[0]!, argTypes[1]!);
    return {
      name,
      argTypes: eq.argTypes,
      returnType: argTypes[0] === 'unknown' ? 'text' : argTypes[0]!,
      strict: false,
      impl: (args: Value[], ctx: EvalContext) => (args[0] !== null && args[1] !== null && eq.impl(args, ctx) === true ? null : args[0]!),
    };
  }
  return null;
}

function operatorName(op: string): string {
  const upper = op.toUpperCase().replace(/\s+/g, ' ').trim();
  return OPERATOR_ALIASES[upper] ?? op;
}

/**
 * Resolves `left op right`. op is a PostgreSQL operator name ('+', '=', '||', '~', '->>') or one of
 * LIKE, ILIKE, NOT LIKE, NOT ILIKE, '!='. An unknown operand first assumes the other side's type.
 * Throws 42883 'operator does not exist: integer + text' / 42725 'operator is not unique: …'.
 */
export function resolveBinaryOperator(op: string, left: SqlType, right: SqlType): ResolvedFunction {
  const name = operatorName(op);
  const key = `b ${name} ${left},${right}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const overloads = (OPERATORS.get(name) ?? []).filter((o) => o.args.length === 2);
  const inputs = [left, right];
  let exact: SqlType[] | null = null;
  if (left === 'unknown' && right !== 'unknown') exact = [right, right];
  else if (right === 'unknown' && left !== 'unknown') exact = [left, left];
  let choice = exact ? chooseOverload(overloads, exact, exact) : 'none';
  if (typeof choice === 'string' || !choice.args.every((a, i) => a === exact![i])) choice = chooseOverload(overloads, inputs, null);
  if (choice === 'none') {
    throw new SqlError('42883', `operator does not exist: ${pgTypeName(left)} ${name} ${pgTypeName(right)}`, {
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if (choice === 'ambiguous') {
    throw new SqlError('42725', `operator is not unique: ${pgTypeName(left)} ${name} ${pgTypeName(right)}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
    });
  }
  const resolved = build(name, choice, inputs);
  cache.set(key, resolved);
  return resolved;
}

/** Resolves a prefix operator ('-', '+', '~'). NOT is boolean logic and stays in the binder. */
export function resolveUnaryOperator(op: string, operand: SqlType): ResolvedFunction {
  const name = operatorName(op);
  const key = `u ${name} ${operand}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const overloads = (OPERATORS.get(name) ?? []).filter((o) => o.args.length === 1);
  const choice = chooseOverload(overloads, [operand], null);
  if (choice === 'none') {
    throw new SqlError('42883', `operator does not exist: ${name} ${pgTypeName(operand)}`, {
      hint: 'No operator matches the given name and argument type. You might need to add an explicit type cast.',
    });
  }
  if (choice === 'ambiguous') {
    throw new SqlError('42725', `operator is not unique: ${name} ${pgTypeName(operand)}`, {
      hint: 'Could not choose a best candidate operator. You might need to add an explicit type cast.',
    });
  }
  const resolved = build(name, choice, [operand]);
  cache.set(key, resolved);
  return resolved;
}

/** Calls a resolved function with PostgreSQL's strictness rule (for the binder's constant folding and tests). */
export function callResolved(f: ResolvedFunction, args: Value[], ctx: EvalContext): Value {
  if (f.strict && args.some((a) => a === null)) return null;
  return f.impl(args, ctx);
}

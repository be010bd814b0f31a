/**
 * The catalog of scalar functions and operators: overloads keyed by name, each with PostgreSQL's declared
 * argument and result types, strictness and an implementation. State: two module-level maps filled once at
 * import by operators.ts / functions.ts. Invariant: an overload's impl is only called with values already
 * cast to the resolved argument types (the binder inserts the casts), and non-NULL ones when strict.
 */
import type { SqlType, Value } from '../common/types.js';
import type { ArgType } from './resolve.js';

/** What evaluation needs from the session/epoch: NOW() and the TimeZone setting. */
export interface EvalContext {
  /** The epoch's processing time, µs since 1970-01-01 UTC. */
  nowMicros: number;
  /** The session TimeZone ('UTC', '+05:30', 'Europe/Rome'). */
  timeZone: string;
}

/** A function's implementation. It reads `args` during the call and never keeps or returns the array: compiled
 *  expressions pass the same array on every row (src/plan/bound.ts). */
export type ScalarImpl = (args: Value[], ctx: EvalContext) => Value;

/** A resolved call: the binder casts argument i to argTypes[i] and then calls impl. */
export interface ResolvedFunction {
  readonly name: string;
  readonly argTypes: SqlType[];
  readonly returnType: SqlType;
  /** When true, any NULL argument makes the result NULL without calling impl (the caller checks). */
  readonly strict: boolean;
  readonly impl: ScalarImpl;
}

export interface Overload {
  readonly name: string;
  readonly args: readonly ArgType[];
  /** A variadic tail: any number (≥ minVariadic) of further arguments of this declared type. */
  readonly variadic?: ArgType;
  readonly minVariadic?: number;
  /** Result type; a function of the resolved argument types for polymorphic overloads. */
  readonly ret: SqlType | ((argTypes: readonly SqlType[]) => SqlType);
  readonly strict: boolean;
  /** Builds the implementation for the resolved argument types (closures may specialise on them). */
  readonly make: (argTypes: readonly SqlType[]) => ScalarImpl;
}

export const FUNCTIONS = new Map<string, Overload[]>();
export const OPERATORS = new Map<string, Overload[]>();

function add(map: Map<string, Overload[]>, o: Overload): void {
  const list = map.get(o.name);
  if (list) list.push(o);
  else map.set(o.name, [o]);
}

export interface DefOptions {
  strict?: boolean;
  variadic?: ArgType;
  minVariadic?: number;
}

/** Registers a function overload whose impl does not depend on the resolved types. */
export function defFunction(name: string, args: readonly ArgType[], ret: Overload['ret'], impl: ScalarImpl, opts: DefOptions = {}): void {
  add(FUNCTIONS, { name, args, ret, strict: opts.strict ?? true, make: () => impl, variadic: opts.variadic, minVariadic: opts.minVariadic });
}

/** Registers a function overload whose impl is built per resolved argument types. */
export function defFunctionTyped(name: string, args: readonly ArgType[], ret: Overload['ret'], make: Overload['make'], opts: DefOptions = {}): void {
  add(FUNCTIONS, { name, args, ret, strict: opts.strict ?? true, make, variadic: opts.variadic, minVariadic: opts.minVariadic });
}

/** Registers an operator ('+', '~~', …); unary operators have one argument. */
export function defOperator(name: string, args: readonly ArgType[], ret: Overload['ret'], impl: ScalarImpl): void {
  add(OPERATORS, { name, args, ret, strict: true, make: () => impl });
}

/** Registers an operator whose impl is built per resolved argument types (polymorphic operands). */
export function defOperatorTyped(name: string, args: readonly ArgType[], ret: Overload['ret'], make: Overload['make']): void {
  add(OPERATORS, { name, args, ret, strict: true, make });
}

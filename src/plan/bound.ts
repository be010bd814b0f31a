/**
 * Bound (typed, resolved) scalar expressions, and their compilation into closures over rows.
 * A BoundExpr refers to input columns by position; functions and operators are already resolved by src/expr,
 * with implicit casts made explicit. Immutable. Invariant: `type` is the SQL type of every value it produces.
 */
import type { Row, SqlType, Value } from '../common/types.js';
import { formatValueText } from '../expr/text-io.js';
import type { EvalContext, ResolvedFunction } from '../expr/functions.js';
import { castValue } from '../expr/casts.js';
import { SqlError, SQLSTATE } from '../common/errors.js';

export type BoundExpr =
  | { kind: 'column'; index: number; type: SqlType; name: string }
  | { kind: 'literal'; value: Value; type: SqlType }
  | { kind: 'param'; index: number; type: SqlType }
  | { kind: 'call'; fn: ResolvedFunction; args: BoundExpr[]; type: SqlType; display: string }
  | { kind: 'cast'; arg: BoundExpr; type: SqlType }
  | { kind: 'and' | 'or'; args: BoundExpr[]; type: 'boolean' }
  | { kind: 'not'; arg: BoundExpr; type: 'boolean' }
  | { kind: 'is_null'; arg: BoundExpr; negated: boolean; type: 'boolean' }
  | { kind: 'is_bool'; arg: BoundExpr; test: 'true' | 'false' | 'unknown'; negated: boolean; type: 'boolean' }
  | { kind: 'is_distinct'; left: BoundExpr; right: BoundExpr; negated: boolean; eq: ResolvedFunction; type: 'boolean' }
  | { kind: 'case'; whens: { when: BoundExpr; then: BoundExpr }[]; else: BoundExpr; type: SqlType }
  | { kind: 'coalesce'; args: BoundExpr[]; type: SqlType }
  | { kind: 'nullif'; left: BoundExpr; right: BoundExpr; eq: ResolvedFunction; type: SqlType }
  | { kind: 'in_list'; arg: BoundExpr; list: BoundExpr[]; eq: ResolvedFunction; negated: boolean; type: 'boolean' }
  /** NOW(): only survives binding inside temporal filters of views; ad-hoc queries bind it to a literal. */
  | { kind: 'now'; type: 'timestamptz' }
  /** A column of the enclosing query's current row, inside a correlated subquery (batch only). */
  | { kind: 'outer'; index: number; type: SqlType; name: string }
  /** A subquery used as a value (batch only): scalar, EXISTS, ARRAY(…) (as array text) or x IN (…). */
  | { kind: 'subquery'; mode: 'scalar' | 'exists' | 'array' | 'in'; plan: import('./logical.js').LogicalPlan; outerArgs: BoundExpr[]; test: BoundExpr | null; eq: ResolvedFunction | null; type: SqlType };

export interface CompileOptions {
  ctx: EvalContext;
  /** Values of the enclosing row for 'outer' references (set by the subquery evaluator before each run). */
  outerValues?: Value[];
  /** Compiles 'subquery' expressions (provided by the engine, which can read relations). */
  subquery?: (e: Extract<BoundExpr, { kind: 'subquery' }>, opts: CompileOptions) => Compiled;
  /** Parameter values for prepared statements. */
  params?: readonly Value[];
  /** Called when evaluation fails at run time; return the value to use instead (the view policy: NULL). */
  onError?: (e: unknown) => Value;
}

export type Compiled = (row: Row) => Value;

/** Compile to a closure. With `onError`, evaluation errors are reported and replaced by its result. */
export function compile(e: BoundExpr, opts: CompileOptions): Compiled {
  const f = compileInner(e, opts);
  const onError = opts.onError;
  if (!onError || isErrorFree(e)) return f;
  return (row) => {
    try {
      return f(row);
    } catch (err) {
      return onError(err);
    }
  };
}

/** A predicate closure: true keeps the row; false or NULL drop it. */
export function compilePredicate(e: BoundExpr, opts: CompileOptions): (row: Row) => boolean {
  const f = compile(e, opts);
  return (row) => f(row) === true;
}

function isErrorFree(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
    case 'now':
      return true;
    case 'is_null':
    case 'not':
      return isErrorFree(e.arg);
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args.every(isErrorFree);
    default:
      return false;
  }
}

function compileInner(e: BoundExpr, opts: CompileOptions): Compiled {
  const ctx = opts.ctx;
  switch (e.kind) {
    case 'column': {
      const i = e.index;
      return (row) => row[i] ?? null;
    }
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'param': {
      const params = opts.params ?? [];
      const i = e.index;
      return () => params[i] ?? null;
    }
    case 'now':
      return () => ctx.nowMicros;
    case 'outer': {
      const i = e.index;
      const outer = opts.outerValues;
      if (!outer) throw new Error('outer reference compiled outside a subquery');
      return () => outer[i] ?? null;
    }
    case 'subquery':
      if (!opts.subquery) throw new SqlError(SQLSTATE.feature_not_supported, 'subqueries used as values are supported only in ad-hoc queries');
      return opts.subquery(e, opts);
    case 'cast': {
      const arg = compileInner(e.arg, opts);
      const from = e.arg.type;
      const to = e.type;
      if (from === to) return arg;
      return (row) => {
        const v = arg(row);
        return v === null ? null : castValue(v, from, to);
      };
    }
    case 'call': {
      const impl = e.fn.impl;
      const args = e.args.map((a) => compileInner(a, opts));
      const strict = e.fn.strict;
      // One- and two-argument calls (operators, most functions) pass their values in an array owned by the
      // closure, filled after both arguments are evaluated: implementations read their arguments and never keep
      // the array, so no array is allocated per row.
      if (args.length === 1) {
        const a0 = args[0]!;
        const buf: Value[] = [null];
        return (row) => {
          const v = a0(row);
          if (strict && v === null) return null;
          buf[0] = v;
          return impl(buf, ctx);
        };
      }
      if (args.length === 2) {
        const a0 = args[0]!;
        const a1 = args[1]!;
        const buf: Value[] = [null, null];
        return (row) => {
          const x = a0(row);
          if (strict && x === null) return null;
          const y = a1(row);
          if (strict && y === null) return null;
          buf[0] = x;
          buf[1] = y;
          return impl(buf, ctx);
        };
      }
      return (row) => {
        const vs: Value[] = new Array(args.length);
        for (let i = 0; i < args.length; i++) {
          const v = args[i]!(row);
          if (strict && v === null) return null;
          vs[i] = v;
        }
        return impl(vs, ctx);
      };
    }
    case 'and': {
      const args = e.args.map((a) => compileInner(a, opts));
      return (row) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const args = e.args.map((a) => compileInner(a, opts));
      return (row) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const a = compileInner(e.arg, opts);
      return (row) => {
        const v = a(row);
        return v === null ? null : !v;
      };
    }
    case 'is_null': {
      const a = compileInner(e.arg, opts);
      return e.negated ? (row) => a(row) !== null : (row) => a(row) === null;
    }
    case 'is_bool': {
      const a = compileInner(e.arg, opts);
      const want = e.test === 'true' ? true : e.test === 'false' ? false : null;
      const neg = e.negated;
      return (row) => (a(row) === want) !== neg;
    }
    case 'is_distinct': {
      const l = compileInner(e.left, opts);
      const r = compileInner(e.right, opts);
      const eq = e.eq.impl;
      const neg = e.negated;
      return (row) => {
        const x = l(row);
        const y = r(row);
        let distinct: boolean;
        if (x === null || y === null) distinct = !(x === null && y === null);
        else distinct = eq([x, y], ctx) !== true;
        return distinct !== neg;
      };
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ when: compileInner(w.when, opts), then: compileInner(w.then, opts) }));
      const otherwise = compileInner(e.else, opts);
      return (row) => {
        for (const w of whens) if (w.when(row) === true) return w.then(row);
        return otherwise(row);
      };
    }
    case 'coalesce': {
      const args = e.args.map((a) => compileInner(a, opts));
      return (row) => {
        for (const a of args) {
          const v = a(row);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'nullif': {
      const l = compileInner(e.left, opts);
      const r = compileInner(e.right, opts);
      const eq = e.eq.impl;
      return (row) => {
        const x = l(row);
        if (x === null) return null;
        const y = r(row);
        return y !== null && eq([x, y], ctx) === true ? null : x;
      };
    }
    case 'in_list': {
      const a = compileInner(e.arg, opts);
      const list = e.list.map((x) => compileInner(x, opts));
      const eq = e.eq.impl;
      const neg = e.negated;
      // Constant string/number lists use a Set (the article's `process_name IN (…)`).
      const constants = e.list.every((x) => x.kind === 'literal' && (typeof x.value === 'string' || typeof x.value === 'number'));
      if (constants) {
        const set = new Set(e.list.map((x) => (x as { value: Value }).value));
        const hasNull = e.list.some((x) => x.kind === 'literal' && x.value === null);
        return (row) => {
          const v = a(row);
          if (v === null) return null;
          if (set.has(v)) return !neg;
          return hasNull ? null : neg;
        };
      }
      return (row) => {
        const v = a(row);
        if (v === null) return null;
        let sawNull = false;
        for (const item of list) {
          const w = item(row);
          if (w === null) {
            sawNull = true;
            continue;
          }
          if (eq([v, w], ctx) === true) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
  }
}

/** Readable text of an expression for EXPLAIN; `names` gives input column names. */
export function exprText(e: BoundExpr, names: readonly string[]): string {
  switch (e.kind) {
    case 'column':
      return names[e.index] ?? `$${e.index}`;
    case 'literal':
      return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value.replace(/'/g, "''")}'` : `${formatLiteral(e.value, e.type)}`;
    case 'param':
      return `$${e.index + 1}`;
    case 'now':
      return 'now()';
    case 'outer':
      return `outer.${e.name}`;
    case 'subquery':
      return `(${e.mode} subquery)`;
    case 'cast':
      return `${exprText(e.arg, names)}::${e.type}`;
    case 'call': {
      const args = e.args.map((a) => exprText(a, names));
      if (/^[^a-z_]/i.test(e.display) || ['like', 'ilike', 'not like', 'not ilike'].includes(e.display.toLowerCase())) {
        return args.length === 2 ? `(${args[0]} ${e.display} ${args[1]})` : `(${e.display} ${args[0]})`;
      }
      return `${e.display}(${args.join(', ')})`;
    }
    case 'and':
    case 'or':
      return '(' + e.args.map((a) => exprText(a, names)).join(e.kind === 'and' ? ' AND ' : ' OR ') + ')';
    case 'not':
      return `(NOT ${exprText(e.arg, names)})`;
    case 'is_null':
      return `(${exprText(e.arg, names)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'is_bool':
      return `(${exprText(e.arg, names)} IS ${e.negated ? 'NOT ' : ''}${e.test.toUpperCase()})`;
    case 'is_distinct':
      return `(${exprText(e.left, names)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${exprText(e.right, names)})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${exprText(w.when, names)} THEN ${exprText(w.then, names)}`).join(' ')} ELSE ${exprText(e.else, names)} END`;
    case 'coalesce':
      return `coalesce(${e.args.map((a) => exprText(a, names)).join(', ')})`;
    case 'nullif':
      return `nullif(${exprText(e.left, names)}, ${exprText(e.right, names)})`;
    case 'in_list':
      return `(${exprText(e.arg, names)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map((x) => exprText(x, names)).join(', ')}))`;
  }
}

function formatLiteral(v: Value, type: SqlType): string {
  try {
    const text = formatValueText(v, type);
    return type === 'integer' || type === 'bigint' || type === 'numeric' || type === 'double precision' || type === 'boolean' ? text : `'${text}'::${type}`;
  } catch {
    return String(v);
  }
}

/** Structural equality of bound expressions (used to match SELECT items against GROUP BY keys). */
export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  if (a.kind !== b.kind || a.type !== b.type) return false;
  switch (a.kind) {
    case 'column':
      return a.index === (b as typeof a).index;
    case 'literal': {
      const bv = (b as typeof a).value;
      return a.value === bv || (a.value !== null && bv !== null && formatLiteral(a.value, a.type) === formatLiteral(bv, a.type));
    }
    case 'param':
      return a.index === (b as typeof a).index;
    case 'now':
      return true;
    case 'cast':
      return sameExpr(a.arg, (b as typeof a).arg);
    case 'call': {
      const bb = b as typeof a;
      return a.fn.name === bb.fn.name && a.display === bb.display && a.args.length === bb.args.length && a.args.every((x, i) => sameExpr(x, bb.args[i]!));
    }
    default:
      return JSON.stringify(a, replacer) === JSON.stringify(b, replacer);
  }
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString() + 'n';
  if (typeof v === 'function') return undefined;
  return v;
}

/** Does the expression mention NOW()? */
export function mentionsNow(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'now':
      return true;
    case 'column':
    case 'literal':
    case 'param':
    case 'outer':
    case 'subquery':
      return false;
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      return mentionsNow(e.arg);
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args.some(mentionsNow);
    case 'is_distinct':
    case 'nullif':
      return mentionsNow(e.left) || mentionsNow(e.right);
    case 'case':
      return e.whens.some((w) => mentionsNow(w.when) || mentionsNow(w.then)) || mentionsNow(e.else);
    case 'in_list':
      return mentionsNow(e.arg) || e.list.some(mentionsNow);
  }
}

/** Column indexes an expression reads. */
export function columnsUsed(e: BoundExpr, out = new Set<number>()): Set<number> {
  switch (e.kind) {
    case 'column':
      out.add(e.index);
      break;
    case 'literal':
    case 'param':
    case 'now':
    case 'outer':
      break;
    case 'subquery':
      e.outerArgs.forEach((a) => columnsUsed(a, out));
      if (e.test) columnsUsed(e.test, out);
      break;
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      columnsUsed(e.arg, out);
      break;
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      e.args.forEach((a) => columnsUsed(a, out));
      break;
    case 'is_distinct':
    case 'nullif':
      columnsUsed(e.left, out);
      columnsUsed(e.right, out);
      break;
    case 'case':
      e.whens.forEach((w) => {
        columnsUsed(w.when, out);
        columnsUsed(w.then, out);
      });
      columnsUsed(e.else, out);
      break;
    case 'in_list':
      columnsUsed(e.arg, out);
      e.list.forEach((x) => columnsUsed(x, out));
      break;
  }
  return out;
}

/** The expression with each direct child replaced by `f(child)` (leaves are returned as they are). */
/** True when the expression holds a subquery anywhere (its compiled closure caches an uncorrelated result). */
export function containsSubquery(e: BoundExpr): boolean {
  if (e.kind === 'subquery') return true;
  let found = false;
  mapChildren(e, (c) => {
    found ||= containsSubquery(c);
    return c;
  });
  return found;
}

export function mapChildren(e: BoundExpr, f: (child: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
    case 'now':
    case 'outer':
      return e;
    case 'subquery':
      return { ...e, outerArgs: e.outerArgs.map(f), test: e.test ? f(e.test) : null };
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      return { ...e, arg: f(e.arg) } as BoundExpr;
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return { ...e, args: e.args.map(f) } as BoundExpr;
    case 'is_distinct':
    case 'nullif':
      return { ...e, left: f(e.left), right: f(e.right) } as BoundExpr;
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })), else: f(e.else) };
    case 'in_list':
      return { ...e, arg: f(e.arg), list: e.list.map(f) };
  }
}

/** The expression with every column reference moved by `delta` (for the right side of a join, and back). */
export function shiftColumns(e: BoundExpr, delta: number): BoundExpr {
  return e.kind === 'column' ? { ...e, index: e.index + delta } : mapChildren(e, (c) => shiftColumns(c, delta));
}

/**
 * The binder: a libpg-query SELECT parse tree + the catalog → a typed LogicalPlan. One binder for views
 * (mode 'stream': NOW() only in temporal filters) and ad-hoc queries (mode 'batch': NOW() is the query's time).
 * Errors are SqlErrors with PostgreSQL's SQLSTATE, wording and 1-based position.
 * Invariant: every expression in the plan is fully typed and refers to its input by position.
 */
import { SqlError, SQLSTATE } from '../common/errors.js';
import type { Column, Interval, SqlType, Value } from '../common/types.js';
import { castContext, castValue } from '../expr/casts.js';
import { commonType, resolveBinaryOperator, resolveFunction, resolveUnaryOperator, type ResolvedFunction } from '../expr/functions.js';
import { resolveAggregate } from '../expr/aggregates.js';
import { parseValueText } from '../expr/text-io.js';
import type { PgNode } from '../sql/ast.js';
import { parsePg } from '../sql/parser.js';
import { sqlTypeFromName } from '../sql/typename.js';
import { Numeric } from '../common/numeric.js';
import { columnsUsed, exprText, mapChildren, mentionsNow, sameExpr, shiftColumns, type BoundExpr } from './bound.js';
import type { AggCall, JoinType, LogicalPlan, RelationRef, SortKey, TemporalBound } from './logical.js';
import { Scope, type ScopeColumn } from './scope.js';
import { pushDownFilters } from './optimize.js';

export type ResolvedRelation =
  | { kind: 'relation'; ref: RelationRef; columns: Column[] }
  | { kind: 'view'; name: string; query: string; columns: Column[] };

export interface RelationResolver {
  /** Resolve a possibly schema-qualified name; null if it does not exist. */
  resolve(parts: string[]): ResolvedRelation | null;
}

export interface BindOptions {
  mode: 'stream' | 'batch';
  nowMicros: number;
  resolver: RelationResolver;
  /** Parameter types ($1…): given by the client or inferred (null until inferred). */
  paramTypes?: (SqlType | null)[];
  /** Base offset of the statement in the client's query string, for error positions. */
  positionBase?: number;
  /** Session and catalog functions (current_user, pg_table_is_visible …) resolved before the built-ins. */
  functions?: (name: string, argTypes: SqlType[]) => ResolvedFunction | null;
  /** Keep untyped literals as 'unknown' in the output (INSERT … VALUES: the target column decides). */
  keepUnknown?: boolean;
}

export interface BoundQuery {
  plan: LogicalPlan;
  columns: Column[];
  /** Catalog objects read (directly or through views). */
  dependsOn: Set<string>;
}

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg']);

export function bindQuery(select: PgNode, opts: BindOptions): BoundQuery {
  const b = new Binder(opts);
  const { plan, names } = b.bindSelect(select, null, true);
  if (opts.keepUnknown) return { plan: { ...pushDownFilters(plan), columns: plan.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type })) } as LogicalPlan, columns: plan.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type })), dependsOn: b.dependsOn };
  const columns = plan.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type === 'unknown' ? 'text' : c.type }));
  const optimized = pushDownFilters(plan);
  const finalPlan = optimized.columns.some((c) => c.type === 'unknown') ? castUnknownToText(optimized) : optimized;
  return { plan: { ...finalPlan, columns } as LogicalPlan, columns, dependsOn: b.dependsOn };
}

function castUnknownToText(plan: LogicalPlan): LogicalPlan {
  const exprs: BoundExpr[] = plan.columns.map((c, i) =>
    c.type === 'unknown' ? ({ kind: 'cast', arg: { kind: 'column', index: i, type: 'unknown', name: c.name }, type: 'text' } as BoundExpr) : { kind: 'column', index: i, type: c.type, name: c.name },
  );
  return { kind: 'project', input: plan, exprs, columns: plan.columns.map((c) => ({ name: c.name, type: c.type === 'unknown' ? 'text' : c.type })) };
}

interface AggContext {
  groupBy: BoundExpr[];
  aggs: AggCall[];
  /** Where aggregate calls are allowed (SELECT, HAVING, ORDER BY), for error wording. */
  clause: string;
}

class Binder {
  readonly dependsOn = new Set<string>();
  private viewDepth = 0;
  /** Open correlated subqueries: the enclosing scope and the outer columns referenced so far. */
  private correlation: { outer: Scope; refs: BoundExpr[] }[] = [];
  private ctes: Map<string, { plan: LogicalPlan; names: string[] }>[] = [];

  constructor(private readonly opts: BindOptions) {}

  private pos(location: number | undefined): number | undefined {
    return location === undefined || location < 0 ? undefined : location + 1 + (this.opts.positionBase ?? 0);
  }

  private err(code: string, message: string, location?: number, extra: { hint?: string; detail?: string } = {}): SqlError {
    return new SqlError(code, message, { position: this.pos(location), ...extra });
  }

  // ───────────────────────────── SELECT ─────────────────────────────

  bindSelect(node: PgNode, outer: Scope | null, top = false): { plan: LogicalPlan; names: string[]; scope?: Scope } {
    const s = node.SelectStmt ?? node;
    if (s.withClause) {
      if (s.withClause.recursive) throw this.err(SQLSTATE.feature_not_supported, 'WITH RECURSIVE is not supported', s.withClause.location);
      const frame = new Map<string, { plan: LogicalPlan; names: string[] }>();
      this.ctes.push(frame);
      try {
        for (const c of s.withClause.ctes ?? []) {
          const cte = c.CommonTableExpr;
          const r = this.bindSelect(cte.ctequery, outer);
          const alias: string[] = (cte.aliascolnames ?? []).map((n: PgNode) => n.String.sval);
          frame.set(cte.ctename, { plan: r.plan, names: r.names.map((n, i) => alias[i] ?? n) });
        }
        return this.bindSelectBody({ ...s, withClause: undefined }, outer, top);
      } finally {
        this.ctes.pop();
      }
    }
    return this.bindSelectBody(s, outer, top);
  }

  private bindSelectBody(s: PgNode, outer: Scope | null, top: boolean): { plan: LogicalPlan; names: string[] } {
    if (s.op && s.op !== 'SETOP_NONE') return this.bindSetOp(s, outer, top);
    if (s.valuesLists) return this.bindValues(s);
    if (s.intoClause) throw this.err(SQLSTATE.feature_not_supported, 'SELECT INTO is not supported');
    if (s.lockingClause) throw this.err(SQLSTATE.feature_not_supported, 'SELECT … FOR UPDATE is not supported');

    // FROM
    let plan: LogicalPlan;
    let scope: Scope;
    if (s.fromClause?.length) {
      const first = this.bindFromItem(s.fromClause[0], outer);
      plan = first.plan;
      scope = first.scope;
      for (const item of s.fromClause.slice(1)) {
        const next = this.bindFromItem(item, outer);
        plan = { kind: 'join', left: plan, right: next.plan, joinType: 'inner', condition: null, columns: [...plan.columns, ...next.plan.columns] };
        scope = Scope.concat(scope, next.scope, outer);
      }
    } else {
      plan = { kind: 'values', rows: [[]], columns: [] };
      scope = new Scope([], outer);
    }

    // WHERE
    if (s.whereClause) {
      const r = this.bindWhere(s.whereClause, plan, scope);
      plan = r.plan;
    }

    // Aggregation
    const hasAgg = (s.targetList ?? []).some((t: PgNode) => containsAggregate(t.ResTarget?.val)) || s.havingClause || s.groupClause?.length;
    let selectExprs: BoundExpr[];
    let names: string[];
    let postScopeCols: Column[];
    const targets = this.expandTargets(s.targetList ?? [], scope);
    if (hasAgg) {
      const groupBy: BoundExpr[] = [];
      for (const g of s.groupClause ?? []) groupBy.push(...this.bindGroupItem(g, targets, scope));
      const agg: AggContext = { groupBy, aggs: [], clause: 'SELECT' };
      selectExprs = targets.map((t) => this.bindAggregated(t.node, scope, agg, t.expr));
      let having: BoundExpr | null = null;
      if (s.havingClause) {
        agg.clause = 'HAVING';
        having = this.coerceBool(this.bindAggregated(s.havingClause, scope, agg), 'HAVING', s.havingClause);
      }
      const aggCols: Column[] = [
        ...groupBy.map((g, i) => ({ name: groupName(g, i, scope), type: g.type })),
        ...agg.aggs.map((a, i) => ({ name: `${a.fn}${i}`, type: a.type })),
      ];
      plan = { kind: 'aggregate', input: plan, groupBy, aggregates: agg.aggs, columns: aggCols };
      if (having) plan = this.applyPredicate(plan, having, 'HAVING');
      names = targets.map((t) => t.name);
      postScopeCols = aggCols;
      // ORDER BY over aggregated output
      const sort = this.bindOrderBy(s.sortClause, targets, selectExprs, (n) => this.bindAggregated(n, scope, agg));
      return this.finishSelect(s, plan, selectExprs, names, sort, top, postScopeCols);
    }
    selectExprs = targets.map((t) => t.expr ?? this.bindExpr(t.node, scope, 'SELECT'));
    names = targets.map((t) => t.name);
    const sort = this.bindOrderBy(s.sortClause, targets, selectExprs, (n) => this.bindExpr(n, scope, 'ORDER BY'));
    return this.finishSelect(s, plan, selectExprs, names, sort, top, plan.columns);
  }

  /** Projection, DISTINCT, ORDER BY, LIMIT. Sort keys not in the select list are carried as hidden columns. */
  private finishSelect(s: PgNode, input: LogicalPlan, exprs: BoundExpr[], names: string[], sort: { keys: { expr: BoundExpr; desc: boolean; nullsFirst: boolean; outputIndex: number | null }[] } | null, top: boolean, _inCols: Column[]): { plan: LogicalPlan; names: string[] } {
    for (const e of exprs) this.checkNow(e, 'SELECT list');
    const extra: BoundExpr[] = [];
    const keys: SortKey[] = [];
    if (sort) {
      for (const k of sort.keys) {
        let idx = k.outputIndex;
        if (idx === null) {
          idx = exprs.findIndex((e) => sameExpr(e, k.expr));
          if (idx < 0) {
            if (s.distinctClause) throw this.err(SQLSTATE.invalid_column_reference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
            idx = exprs.length + extra.length;
            extra.push(k.expr);
          }
        }
        keys.push({ expr: { kind: 'column', index: idx, type: (exprs[idx] ?? extra[idx - exprs.length])!.type, name: names[idx] ?? '?sort?' }, desc: k.desc, nullsFirst: k.nullsFirst });
      }
    }
    const all = [...exprs, ...extra];
    const columns: Column[] = all.map((e, i) => ({ name: names[i] ?? `?sort${i}`, type: e.type }));
    let plan: LogicalPlan = { kind: 'project', input, exprs: all, columns };
    if (s.distinctClause) {
      if (s.distinctClause.length > 0 && Object.keys(s.distinctClause[0] ?? {}).length > 0) {
        throw this.err(SQLSTATE.feature_not_supported, 'SELECT DISTINCT ON is not supported', undefined, { hint: 'Use GROUP BY, or ROW_NUMBER in a later release.' });
      }
      plan = { kind: 'distinct', input: plan, columns };
    }
    const limit = this.bindLimit(s);
    if (keys.length) plan = { kind: 'sort', input: plan, keys, columns };
    if (limit) plan = { kind: 'limit', input: plan, limit: limit.limit, offset: limit.offset, columns };
    if (extra.length) {
      const visible = exprs.map((e, i) => ({ kind: 'column', index: i, type: e.type, name: names[i]! }) as BoundExpr);
      plan = { kind: 'project', input: plan, exprs: visible, columns: columns.slice(0, exprs.length) };
    }
    void top;
    return { plan, names };
  }

  private bindLimit(s: PgNode): { limit: number | null; offset: number } | null {
    if (!s.limitCount && !s.limitOffset) return null;
    const constInt = (n: PgNode, what: string): number | null => {
      if (n.A_Const?.isnull) return null;
      const e = this.bindExpr(n, new Scope([]), what);
      if (e.kind === 'literal' && (typeof e.value === 'number' || typeof e.value === 'bigint')) {
        const v = Number(e.value);
        if (v < 0) throw this.err(SQLSTATE.invalid_parameter_value, `${what} must not be negative`);
        return v;
      }
      if (e.kind === 'literal' && e.value === null) return null;
      if (e.kind === 'cast' && e.arg.kind === 'literal') return Number(castValue(e.arg.value, e.arg.type, 'bigint'));
      throw this.err(SQLSTATE.feature_not_supported, `${what} must be a constant`);
    };
    return { limit: s.limitCount ? constInt(s.limitCount, 'LIMIT') : null, offset: s.limitOffset ? (constInt(s.limitOffset, 'OFFSET') ?? 0) : 0 };
  }

  private bindOrderBy(
    sortClause: PgNode[] | undefined,
    targets: { name: string; node: PgNode }[],
    exprs: BoundExpr[],
    bindOther: (n: PgNode) => BoundExpr,
  ): { keys: { expr: BoundExpr; desc: boolean; nullsFirst: boolean; outputIndex: number | null }[] } | null {
    if (!sortClause?.length) return null;
    const keys = sortClause.map((sb: PgNode) => {
      const b = sb.SortBy;
      const desc = b.sortby_dir === 'SORTBY_DESC';
      const nullsFirst = b.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : b.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
      if (b.useOp) throw this.err(SQLSTATE.feature_not_supported, 'ORDER BY … USING is not supported');
      const n = b.node;
      const ival = n.A_Const ? intConst(n.A_Const) : null;
      if (ival !== null) {
        if (ival < 1 || ival > exprs.length) throw this.err(SQLSTATE.invalid_column_reference, `ORDER BY position ${ival} is not in select list`, n.A_Const.location);
        return { expr: exprs[ival - 1]!, desc, nullsFirst, outputIndex: ival - 1 };
      }
      if (n.ColumnRef && n.ColumnRef.fields.length === 1 && n.ColumnRef.fields[0].String) {
        const name = n.ColumnRef.fields[0].String.sval;
        const matches = targets.map((t, i) => (t.name === name ? i : -1)).filter((i) => i >= 0);
        if (matches.length === 1) return { expr: exprs[matches[0]!]!, desc, nullsFirst, outputIndex: matches[0]! };
      }
      return { expr: bindOther(n), desc, nullsFirst, outputIndex: null };
    });
    return { keys };
  }

  private bindSetOp(s: PgNode, outer: Scope | null, top: boolean): { plan: LogicalPlan; names: string[] } {
    if (s.op !== 'SETOP_UNION') throw this.err(SQLSTATE.feature_not_supported, `${s.op === 'SETOP_INTERSECT' ? 'INTERSECT' : 'EXCEPT'} is not supported yet`, undefined, { hint: 'Use a semi join (EXISTS) or an anti join (NOT EXISTS).' });
    // Flatten a chain of UNION ALL (left-deep) so N branches become one union node.
    const branches: PgNode[] = [];
    const collect = (n: PgNode, all: boolean): void => {
      const x = n.SelectStmt ?? n;
      if (x.op === 'SETOP_UNION' && !!x.all === all && !x.sortClause && !x.limitCount) {
        collect(x.larg, all);
        collect(x.rarg, all);
      } else branches.push(n);
    };
    collect(s.larg, !!s.all);
    collect(s.rarg, !!s.all);
    const bound = branches.map((b) => this.bindSelect(b, outer));
    const width = bound[0]!.plan.columns.length;
    for (const b of bound) {
      if (b.plan.columns.length !== width) throw this.err(SQLSTATE.syntax_error, 'each UNION query must have the same number of columns');
    }
    const types: SqlType[] = [];
    for (let i = 0; i < width; i++) {
      const t = commonType(bound.map((b) => b.plan.columns[i]!.type), 'UNION');
      types.push(t === 'unknown' ? 'text' : t);
    }
    const names = bound[0]!.names;
    const inputs = bound.map((b) => {
      const needs = b.plan.columns.some((c, i) => c.type !== types[i]);
      if (!needs) return b.plan;
      const exprs = b.plan.columns.map((c, i) => this.coerce({ kind: 'column', index: i, type: c.type, name: c.name }, types[i]!, 'UNION', undefined));
      return { kind: 'project', input: b.plan, exprs, columns: b.plan.columns.map((c, i) => ({ name: c.name, type: types[i]! })) } as LogicalPlan;
    });
    const columns = names.map((n, i) => ({ name: n, type: types[i]! }));
    let plan: LogicalPlan = { kind: 'union', inputs, columns };
    if (!s.all) plan = { kind: 'distinct', input: plan, columns };
    if (s.sortClause?.length || s.limitCount || s.limitOffset) {
      const scope = new Scope(columns.map((c) => ({ table: null, name: c.name, type: c.type })));
      const exprs = columns.map((c, i) => ({ kind: 'column', index: i, type: c.type, name: c.name }) as BoundExpr);
      const sort = this.bindOrderBy(s.sortClause, names.map((n) => ({ name: n, node: null })), exprs, (n) => this.bindExpr(n, scope, 'ORDER BY'));
      return this.finishSelect({ ...s, distinctClause: undefined }, plan, exprs, names, sort, top, columns);
    }
    return { plan, names };
  }

  private bindValues(s: PgNode): { plan: LogicalPlan; names: string[] } {
    const rows: BoundExpr[][] = s.valuesLists.map((l: PgNode) => (l.List.items as PgNode[]).map((n) => this.bindExpr(n, new Scope([]), 'VALUES')));
    const width = rows[0]?.length ?? 0;
    if (rows.some((r) => r.length !== width)) throw this.err(SQLSTATE.syntax_error, 'VALUES lists must all be the same length');
    const types: SqlType[] = [];
    for (let i = 0; i < width; i++) {
      const colTypes = rows.map((r) => r[i]!.type);
      const t = this.opts.keepUnknown && colTypes.every((x) => x === 'unknown') ? 'unknown' : commonType(colTypes, 'VALUES');
      types.push(t === 'unknown' && !this.opts.keepUnknown ? 'text' : t);
    }
    const coerced = rows.map((r) => r.map((e, i) => this.coerce(e, types[i]!, 'VALUES', undefined)));
    const names = types.map((_, i) => `column${i + 1}`);
    return { plan: { kind: 'values', rows: coerced, columns: names.map((n, i) => ({ name: n, type: types[i]! })) }, names };
  }

  // ───────────────────────────── FROM ─────────────────────────────

  private bindFromItem(item: PgNode, outer: Scope | null): { plan: LogicalPlan; scope: Scope } {
    if (item.RangeVar) return this.bindRangeVar(item.RangeVar, outer);
    if (item.JoinExpr) return this.bindJoin(item.JoinExpr, outer);
    if (item.RangeSubselect) {
      const rs = item.RangeSubselect;
      if (rs.lateral) throw this.err(SQLSTATE.feature_not_supported, 'LATERAL subqueries are not supported');
      const r = this.bindSelect(rs.subquery, null);
      const alias = rs.alias?.aliasname ?? null;
      const colAliases: string[] = (rs.alias?.colnames ?? []).map((n: PgNode) => n.String.sval);
      const names = r.names.map((n, i) => colAliases[i] ?? n);
      const plan = renameColumns(r.plan, names);
      return { plan, scope: new Scope(plan.columns.map((c) => ({ table: alias, name: c.name, type: c.type })), outer) };
    }
    if (item.RangeFunction) return this.bindRangeFunction(item.RangeFunction, outer);
    throw this.err(SQLSTATE.feature_not_supported, `unsupported FROM item ${Object.keys(item)[0]}`);
  }

  private bindRangeVar(rv: PgNode, outer: Scope | null): { plan: LogicalPlan; scope: Scope } {
    const parts = [rv.catalogname, rv.schemaname, rv.relname].filter((x: unknown) => typeof x === 'string') as string[];
    const alias: string = rv.alias?.aliasname ?? rv.relname;
    const colAliases: string[] = (rv.alias?.colnames ?? []).map((n: PgNode) => n.String.sval);
    let plan: LogicalPlan;
    const cte = parts.length === 1 ? this.findCte(rv.relname) : null;
    if (cte) {
      plan = renameColumns(cte.plan, cte.names);
    } else {
      const rel = this.opts.resolver.resolve(parts);
      if (!rel) throw this.err(SQLSTATE.undefined_table, `relation "${parts.join('.')}" does not exist`, rv.location);
      if (rel.kind === 'view') {
        if (++this.viewDepth > 32) throw this.err(SQLSTATE.program_limit_exceeded, 'views nested too deeply');
        try {
          const [q] = parsePg(rel.query);
          const saved = this.opts.positionBase;
          const r = (() => {
            (this.opts as { positionBase?: number }).positionBase = undefined;
            try {
              return this.bindSelect(q, null);
            } finally {
              (this.opts as { positionBase?: number }).positionBase = saved;
            }
          })();
          plan = renameColumns(r.plan, rel.columns.map((c) => c.name));
          this.dependsOn.add(rel.name);
        } finally {
          this.viewDepth--;
        }
      } else {
        if (rel.ref.kind !== 'system') this.dependsOn.add(rel.ref.name);
        plan = { kind: 'scan', relation: rel.ref, columns: rel.columns.map((c) => ({ name: c.name, type: c.type })) };
      }
    }
    const columns = plan.columns.map((c, i) => ({ name: colAliases[i] ?? c.name, type: c.type }));
    if (colAliases.length) plan = renameColumns(plan, columns.map((c) => c.name));
    return { plan, scope: new Scope(columns.map((c) => ({ table: alias, name: c.name, type: c.type })), outer) };
  }

  private findCte(name: string): { plan: LogicalPlan; names: string[] } | null {
    for (let i = this.ctes.length - 1; i >= 0; i--) {
      const c = this.ctes[i]!.get(name);
      if (c) return c;
    }
    return null;
  }

  private bindRangeFunction(rf: PgNode, outer: Scope | null): { plan: LogicalPlan; scope: Scope } {
    const call = rf.functions?.[0]?.List?.items?.[0]?.FuncCall;
    if (!call || rf.functions.length !== 1) throw this.err(SQLSTATE.feature_not_supported, 'only TUMBLE and HOP are supported as table functions');
    const fname = (call.funcname as PgNode[]).map((n) => n.String.sval).pop()!.toLowerCase();
    if ((fname === 'unnest' || fname === 'generate_series' || fname === 'pg_options_to_table') && this.opts.mode === 'batch') {
      const args = ((call.args ?? []) as PgNode[]).map((a) => this.bindExpr(a, new Scope([], outer), 'FROM'));
      const alias: string = rf.alias?.aliasname ?? fname;
      const colAliases: string[] = (rf.alias?.colnames ?? []).map((n: PgNode) => n.String.sval);
      let columns: Column[];
      if (fname === 'pg_options_to_table') columns = [{ name: 'option_name', type: 'text' }, { name: 'option_value', type: 'text' }];
      else if (fname === 'unnest') columns = [{ name: colAliases[0] ?? alias, type: 'text' }];
      else {
        const t: SqlType = args.some((a) => a.type === 'bigint') ? 'bigint' : 'integer';
        args.forEach((a, i) => (args[i] = this.coerce(a, t, 'generate_series', call.location)));
        columns = [{ name: colAliases[0] ?? alias, type: t }];
      }
      columns = columns.map((c, i) => ({ name: colAliases[i] ?? c.name, type: c.type }));
      const plan: LogicalPlan = { kind: 'table_function', fn: fname, args, columns };
      return { plan, scope: new Scope(columns.map((c) => ({ table: alias, name: c.name, type: c.type })), outer) };
    }
    if (fname !== 'tumble' && fname !== 'hop') {
      throw this.err(SQLSTATE.undefined_function, `table function ${fname} does not exist`, call.location, { hint: 'sluice supports TUMBLE(relation, time_column, size) and HOP(relation, time_column, slide, size) in FROM.' });
    }
    const args: PgNode[] = call.args ?? [];
    const want = fname === 'tumble' ? [3, 4] : [4, 5];
    if (!want.includes(args.length)) {
      throw this.err(SQLSTATE.undefined_function, fname === 'tumble' ? 'TUMBLE expects (relation, time_column, window_size [, offset])' : 'HOP expects (relation, time_column, hop_size, window_size [, offset])', call.location);
    }
    const relArg = args[0]!;
    if (!relArg.ColumnRef) throw this.err(SQLSTATE.feature_not_supported, `the first argument of ${fname.toUpperCase()} must be a relation name`, call.location);
    const relParts = (relArg.ColumnRef.fields as PgNode[]).map((f) => f.String.sval);
    const inner = this.bindRangeVar({ relname: relParts[relParts.length - 1], schemaname: relParts.length > 1 ? relParts[0] : undefined, location: relArg.ColumnRef.location, alias: undefined }, outer);
    const timeArg = args[1]!;
    if (!timeArg.ColumnRef) throw this.err(SQLSTATE.feature_not_supported, `the second argument of ${fname.toUpperCase()} must be a column`, call.location);
    const timeParts = (timeArg.ColumnRef.fields as PgNode[]).map((f) => f.String.sval);
    const timeIndex = inner.scope.lookup([timeParts[timeParts.length - 1]!], this.pos(timeArg.ColumnRef.location));
    if (timeIndex === null) throw this.err(SQLSTATE.undefined_column, `column "${timeParts.join('.')}" does not exist`, timeArg.ColumnRef.location);
    const timeType = inner.plan.columns[timeIndex]!.type;
    if (timeType !== 'timestamptz' && timeType !== 'timestamp' && timeType !== 'date') {
      throw this.err(SQLSTATE.datatype_mismatch, `the time column of ${fname.toUpperCase()} must be of type timestamptz, timestamp or date, not ${timeType}`, timeArg.ColumnRef.location);
    }
    for (const c of inner.plan.columns) {
      if (c.name === 'window_start' || c.name === 'window_end') throw this.err(SQLSTATE.duplicate_column, `column names "window_start" and "window_end" are not allowed in ${fname.toUpperCase()}'s input`, call.location);
    }
    const constInterval = (n: PgNode, what: string): Interval => {
      const e = this.bindExpr(n, new Scope([]), fname.toUpperCase());
      const lit = this.constantValue(e);
      if (lit === undefined || lit === null || e.type !== 'interval') throw this.err(SQLSTATE.datatype_mismatch, `${what} of ${fname.toUpperCase()} must be a constant interval`, exprLocation(n));
      const iv = lit as Interval;
      return iv;
    };
    let size: Interval;
    let slide: Interval;
    let offset: Interval = { months: 0, days: 0, micros: 0 };
    if (fname === 'tumble') {
      size = constInterval(args[2]!, 'the window size');
      slide = size;
      if (args[3]) offset = constInterval(args[3], 'the offset');
    } else {
      slide = constInterval(args[2]!, 'the hop size');
      size = constInterval(args[3]!, 'the window size');
      if (args[4]) offset = constInterval(args[4], 'the offset');
    }
    for (const [iv, what] of [[size, 'window size'], [slide, 'hop size']] as const) {
      if (iv.months !== 0) throw this.err(SQLSTATE.feature_not_supported, `a ${what} with months is not supported`, call.location);
      if (iv.days * 86_400_000_000 + iv.micros <= 0) throw this.err(SQLSTATE.invalid_parameter_value, `the ${what} must be positive`, call.location);
    }
    if (fname === 'hop') {
      const sz = size.days * 86_400_000_000 + size.micros;
      const sl = slide.days * 86_400_000_000 + slide.micros;
      if (sz % sl !== 0) throw this.err(SQLSTATE.invalid_parameter_value, 'the window size of HOP must be a multiple of the hop size', call.location);
    }
    const winType: SqlType = timeType === 'timestamptz' ? 'timestamptz' : 'timestamp';
    const columns: Column[] = [...inner.plan.columns, { name: 'window_start', type: winType }, { name: 'window_end', type: winType }];
    const alias: string = rf.alias?.aliasname ?? relParts[relParts.length - 1]!;
    const plan: LogicalPlan = { kind: 'window', input: inner.plan, fn: fname, timeIndex, size, slide, offset, columns };
    return { plan, scope: new Scope(columns.map((c) => ({ table: alias, name: c.name, type: c.type })), outer) };
  }

  private bindJoin(j: PgNode, outer: Scope | null): { plan: LogicalPlan; scope: Scope } {
    const l = this.bindFromItem(j.larg, outer);
    const r = this.bindFromItem(j.rarg, outer);
    const joinType: JoinType = ({ JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' } as Record<string, JoinType>)[j.jointype];
    if (!joinType) throw this.err(SQLSTATE.feature_not_supported, `join type ${j.jointype} is not supported`);
    let leftCols = l.scope.columns;
    let rightCols = r.scope.columns;
    const columns = [...l.plan.columns, ...r.plan.columns];
    let condition: BoundExpr | null = null;
    let usingNames: string[] = (j.usingClause ?? []).map((n: PgNode) => n.String.sval);
    if (j.isNatural) usingNames = leftCols.filter((c) => !c.hidden && rightCols.some((rc) => !rc.hidden && rc.name === c.name)).map((c) => c.name);
    if (usingNames.length) {
      const conds: BoundExpr[] = [];
      for (const name of usingNames) {
        const li = new Scope(leftCols).lookup([name], undefined);
        const ri = new Scope(rightCols).lookup([name], undefined);
        if (li === null || ri === null) throw this.err(SQLSTATE.undefined_column, `column "${name}" specified in USING clause does not exist in ${li === null ? 'left' : 'right'} table`);
        const le: BoundExpr = { kind: 'column', index: li, type: leftCols[li]!.type, name };
        const re: BoundExpr = { kind: 'column', index: leftCols.length + ri, type: rightCols[ri]!.type, name };
        conds.push(this.binaryOp('=', le, re, undefined));
      }
      condition = conds.length === 1 ? conds[0]! : { kind: 'and', args: conds, type: 'boolean' };
      // The USING column is reachable unqualified through the left side (or the right, for RIGHT JOIN).
      const hideRight = joinType !== 'right';
      const hideSet = new Set(usingNames);
      if (hideRight) rightCols = rightCols.map((c) => (hideSet.has(c.name) ? { ...c, hidden: true } : c));
      else leftCols = leftCols.map((c) => (hideSet.has(c.name) ? { ...c, hidden: true } : c));
    }
    const scope = new Scope([...leftCols, ...rightCols], outer);
    if (j.quals) {
      const on = this.coerceBool(this.bindExpr(j.quals, scope, 'JOIN/ON'), 'JOIN/ON', j.quals);
      this.checkNow(on, 'JOIN/ON');
      condition = condition ? { kind: 'and', args: [condition, on], type: 'boolean' } : on;
    }
    const plan: LogicalPlan = { kind: 'join', left: l.plan, right: r.plan, joinType, condition, columns };
    if (j.alias?.aliasname) {
      const alias = j.alias.aliasname;
      return { plan, scope: new Scope(scope.columns.map((c) => ({ ...c, table: alias })), outer) };
    }
    return { plan, scope };
  }

  // ───────────────────────────── WHERE / HAVING ─────────────────────────────

  private bindWhere(where: PgNode, input: LogicalPlan, scope: Scope): { plan: LogicalPlan } {
    let plan = input;
    const conjuncts = splitAndNodes(where);
    const plain: BoundExpr[] = [];
    for (const c of conjuncts) {
      const sub = this.subqueryConjunct(c);
      if (sub) {
        plan = this.bindSubqueryJoin(sub, plan, scope);
        continue;
      }
      plain.push(this.coerceBool(this.bindExpr(c, scope, 'WHERE'), 'WHERE', c));
    }
    if (plain.length) plan = this.applyPredicate(plan, plain.length === 1 ? plain[0]! : { kind: 'and', args: plain, type: 'boolean' }, 'WHERE');
    return { plan };
  }

  /** Filter, splitting out temporal conjuncts (stream mode) into a temporal filter. */
  private applyPredicate(plan: LogicalPlan, pred: BoundExpr, clause: string): LogicalPlan {
    const conj = pred.kind === 'and' ? pred.args : [pred];
    const temporal: TemporalBound[] = [];
    const rest: BoundExpr[] = [];
    for (const c of conj) {
      if (!mentionsNow(c)) {
        rest.push(c);
        continue;
      }
      temporal.push(...this.temporalBounds(c, plan.columns.map((x) => x.name), clause));
    }
    if (rest.length) plan = { kind: 'filter', input: plan, predicate: rest.length === 1 ? rest[0]! : { kind: 'and', args: rest, type: 'boolean' }, columns: plan.columns };
    if (temporal.length) plan = { kind: 'temporal_filter', input: plan, bounds: temporal, columns: plan.columns };
    return plan;
  }

  private temporalBounds(c: BoundExpr, names: string[], clause: string): TemporalBound[] {
    const bad = (): SqlError =>
      new SqlError(SQLSTATE.feature_not_supported, `conditions containing now() in ${clause} must be of the form "expr <op> now() [+|- interval]" or "now() [+|- interval] <op> expr", with <op> one of <, <=, >, >=, = and expr a column expression without now()`, {
        hint: 'Temporal filters may be combined with AND, not with OR.',
      });
    if (c.kind === 'and') return c.args.flatMap((a) => (mentionsNow(a) ? this.temporalBounds(a, names, clause) : []));
    if (c.kind !== 'call' || c.args.length !== 2) throw bad();
    const op = c.fn.name;
    if (!['<', '<=', '>', '>=', '='].includes(op)) throw bad();
    const [l, r] = c.args as [BoundExpr, BoundExpr];
    const flip: Record<string, TemporalBound['op']> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
    let time: BoundExpr;
    let nowSide: BoundExpr;
    let normOp = op as TemporalBound['op'];
    if (mentionsNow(r) && !mentionsNow(l)) {
      time = l;
      nowSide = r;
    } else if (mentionsNow(l) && !mentionsNow(r)) {
      time = r;
      nowSide = l;
      normOp = flip[op]!;
    } else throw bad();
    const offset = this.nowOffset(nowSide);
    if (offset === undefined) throw bad();
    if (time.type !== 'timestamptz' && time.type !== 'timestamp' && time.type !== 'date') throw bad();
    return [{ time, op: normOp, offset, display: exprText(c, names) }];
  }

  /** now() → null; now() ± constant interval → that interval (negated for −); anything else → undefined. */
  private nowOffset(e: BoundExpr): Interval | null | undefined {
    if (e.kind === 'now') return null;
    if (e.kind === 'cast' && (e.arg.kind === 'now' || e.arg.kind === 'call')) return this.nowOffset(e.arg);
    if (e.kind === 'call' && e.args.length === 2 && (e.fn.name === '+' || e.fn.name === '-') && e.args[0]!.kind === 'now') {
      const v = this.constantValue(e.args[1]!);
      if (v === undefined || v === null || e.args[1]!.type !== 'interval') return undefined;
      const iv = v as Interval;
      return e.fn.name === '+' ? iv : { months: -iv.months, days: -iv.days, micros: -iv.micros };
    }
    return undefined;
  }

  private checkNow(e: BoundExpr, clause: string): void {
    if (this.opts.mode === 'stream' && mentionsNow(e)) {
      throw new SqlError(SQLSTATE.feature_not_supported, `now() is not allowed in the ${clause} of a materialized view`, {
        hint: 'In a materialized view, now() may appear only in WHERE or HAVING temporal filters such as "ts > now() - interval \'1 hour\'".',
      });
    }
  }

  // ───────────────────────────── subqueries ─────────────────────────────

  private subqueryConjunct(n: PgNode): { kind: 'exists' | 'in'; negated: boolean; sub: PgNode; testexpr: PgNode | null; location: number } | null {
    let negated = false;
    let x = n;
    if (x.BoolExpr?.boolop === 'NOT_EXPR') {
      negated = true;
      x = x.BoolExpr.args[0];
    }
    const sl = x.SubLink;
    if (!sl) return null;
    if (sl.subLinkType === 'EXISTS_SUBLINK') return { kind: 'exists', negated, sub: sl.subselect, testexpr: null, location: sl.location };
    if (sl.subLinkType === 'ANY_SUBLINK' && (!sl.operName || sl.operName[0]?.String?.sval === '=')) {
      if (negated) throw this.err(SQLSTATE.feature_not_supported, 'NOT IN (subquery) is not supported', sl.location, { hint: 'Use NOT EXISTS (… WHERE inner = outer); unlike NOT IN it has no surprising NULL semantics.' });
      return { kind: 'in', negated, sub: sl.subselect, testexpr: sl.testexpr, location: sl.location };
    }
    return null;
  }

  private bindSubqueryJoin(q: { kind: 'exists' | 'in'; negated: boolean; sub: PgNode; testexpr: PgNode | null; location: number }, outerPlan: LogicalPlan, outerScope: Scope): LogicalPlan {
    const s = q.sub.SelectStmt;
    const simple = s && (!s.op || s.op === 'SETOP_NONE') && !s.groupClause && !s.havingClause && !s.limitCount && !s.distinctClause && !s.withClause && !(s.targetList ?? []).some((t: PgNode) => containsAggregate(t.ResTarget?.val));
    const joinType: JoinType = q.negated ? 'anti' : 'semi';
    const width = outerPlan.columns.length;
    if (simple && s.fromClause?.length) {
      // Correlated form: bind FROM, then WHERE over [outer…, inner…] so outer references become join conditions.
      let inner = this.bindFromItem(s.fromClause[0], null);
      for (const item of s.fromClause.slice(1)) {
        const next = this.bindFromItem(item, null);
        inner = { plan: { kind: 'join', left: inner.plan, right: next.plan, joinType: 'inner', condition: null, columns: [...inner.plan.columns, ...next.plan.columns] }, scope: Scope.concat(inner.scope, next.scope) };
      }
      const combined = new Scope([...outerScope.columns.map((c) => ({ ...c, hidden: c.hidden })), ...inner.scope.columns]);
      // Inner names shadow outer names for unqualified references.
      const shadowed = new Scope(combined.columns.map((c, i) => (i < width && inner.scope.columns.some((ic) => ic.name === c.name) ? { ...c, hidden: true } : c)));
      const conds: BoundExpr[] = [];
      const innerOnly: BoundExpr[] = [];
      for (const c of s.whereClause ? splitAndNodes(s.whereClause) : []) {
        const e = this.coerceBool(this.bindExpr(c, shadowed, 'WHERE'), 'WHERE', c);
        const used = columnsUsed(e);
        if ([...used].some((i) => i < width)) conds.push(e);
        else innerOnly.push(shiftColumns(e, -width));
      }
      let innerPlan = inner.plan;
      if (innerOnly.length) innerPlan = this.applyPredicate(innerPlan, innerOnly.length === 1 ? innerOnly[0]! : { kind: 'and', args: innerOnly, type: 'boolean' }, 'WHERE');
      if (q.kind === 'in') {
        const targets = this.expandTargets(s.targetList ?? [], inner.scope);
        if (targets.length !== 1) throw this.err(SQLSTATE.syntax_error, 'subquery has too many columns', q.location);
        const innerExpr = shiftColumns(targets[0]!.expr ?? this.bindExpr(targets[0]!.node, inner.scope, 'SELECT'), width);
        const outerExpr = this.bindExpr(q.testexpr, outerScope, 'WHERE');
        conds.push(this.binaryOp('=', outerExpr, innerExpr, q.location));
      }
      const condition = conds.length === 0 ? null : conds.length === 1 ? conds[0]! : ({ kind: 'and', args: conds, type: 'boolean' } as BoundExpr);
      return { kind: 'join', left: outerPlan, right: innerPlan, joinType, condition, columns: outerPlan.columns };
    }
    // Uncorrelated form: bind the subquery on its own.
    const r = this.bindSelect(q.sub, null);
    let condition: BoundExpr | null = null;
    if (q.kind === 'in') {
      if (r.plan.columns.length !== 1) throw this.err(SQLSTATE.syntax_error, 'subquery has too many columns', q.location);
      const outerExpr = this.bindExpr(q.testexpr, outerScope, 'WHERE');
      condition = this.binaryOp('=', outerExpr, { kind: 'column', index: width, type: r.plan.columns[0]!.type, name: r.names[0]! }, q.location);
    }
    return { kind: 'join', left: outerPlan, right: r.plan, joinType, condition, columns: outerPlan.columns };
  }

  // ───────────────────────────── targets and grouping ─────────────────────────────

  private expandTargets(targetList: PgNode[], scope: Scope): { name: string; node: PgNode; expr?: BoundExpr }[] {
    const out: { name: string; node: PgNode; expr?: BoundExpr }[] = [];
    for (const t of targetList) {
      const rt = t.ResTarget;
      const v = rt.val;
      const star = v?.ColumnRef?.fields?.[v.ColumnRef.fields.length - 1]?.A_Star !== undefined;
      if (star) {
        const fields = v.ColumnRef.fields as PgNode[];
        const table = fields.length >= 2 ? fields[fields.length - 2].String.sval : null;
        if (table !== null && !scope.hasTable(table)) throw this.err(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${table}"`, v.ColumnRef.location);
        scope.columns.forEach((c, i) => {
          if (c.hidden || (table !== null && c.table !== table)) return;
          out.push({ name: c.name, node: v, expr: { kind: 'column', index: i, type: c.type, name: c.name } });
        });
        if (table === null && scope.columns.length === 0) throw this.err(SQLSTATE.syntax_error, 'SELECT * with no tables specified is not valid', v.ColumnRef.location);
        continue;
      }
      out.push({ name: rt.name ?? deriveName(v), node: v });
    }
    return out;
  }

  private bindGroupItem(g: PgNode, targets: { name: string; node: PgNode; expr?: BoundExpr }[], scope: Scope): BoundExpr[] {
    if (g.GroupingSet) throw this.err(SQLSTATE.feature_not_supported, 'GROUPING SETS, ROLLUP and CUBE are not supported');
    const ival = g.A_Const ? intConst(g.A_Const) : null;
    if (ival !== null) {
      if (ival < 1 || ival > targets.length) throw this.err(SQLSTATE.invalid_column_reference, `GROUP BY position ${ival} is not in select list`, g.A_Const.location);
      const t = targets[ival - 1]!;
      return [t.expr ?? this.bindExpr(t.node, scope, 'GROUP BY')];
    }
    if (g.ColumnRef && g.ColumnRef.fields.length === 1 && g.ColumnRef.fields[0].String) {
      const name = g.ColumnRef.fields[0].String.sval;
      if (scope.lookup([name], undefined) === null) {
        const t = targets.find((x) => x.name === name);
        if (t) return [t.expr ?? this.bindExpr(t.node, scope, 'GROUP BY')];
      }
    }
    const e = this.bindExpr(g, scope, 'GROUP BY');
    this.checkNow(e, 'GROUP BY clause');
    return [e];
  }

  /**
   * Bind an expression over aggregated output: aggregate calls become references to aggregate results,
   * sub-expressions equal to a GROUP BY key become references to that key, other column references fail.
   */
  private bindAggregated(node: PgNode, scope: Scope, agg: AggContext, prebound?: BoundExpr): BoundExpr {
    const g = agg.groupBy.length;
    const rewrite = (n: PgNode): BoundExpr => {
      // Aggregate call?
      const fc = n?.FuncCall;
      if (fc?.over) throw this.err(SQLSTATE.feature_not_supported, 'window functions are not supported yet', fc.location);
      if (fc && AGGREGATES.has(funcName(fc)) && !fc.over) return this.bindAggregateCall(fc, scope, agg);
      // Whole expression equal to a group key?
      if (!containsAggregate(n)) {
        const e = this.bindExpr(n, scope, agg.clause);
        return this.toGroupRef(e, agg, scope, exprLocation(n));
      }
      // Otherwise bind structurally, with children rewritten: bind with a hook.
      return this.bindExpr(n, scope, agg.clause, rewrite);
    };
    if (prebound) return this.toGroupRef(prebound, agg, scope, exprLocation(node));
    const e = rewrite(node);
    void g;
    return e;
  }

  private toGroupRef(e: BoundExpr, agg: AggContext, scope: Scope, location: number | undefined): BoundExpr {
    const idx = agg.groupBy.findIndex((k) => sameExpr(k, e));
    if (idx >= 0) return { kind: 'column', index: idx, type: e.type, name: groupName(e, idx, scope) };
    if (e.kind === 'column') {
      const c = scope.columns[e.index]!;
      throw this.err(SQLSTATE.grouping_error, `column "${c.table ? c.table + '.' : ''}${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`, location);
    }
    if (e.kind === 'literal' || e.kind === 'param' || e.kind === 'now') return e;
    const used = columnsUsed(e);
    if (used.size === 0) return e;
    // Rebuild children: every column must be covered by a group key.
    return mapChildren(e, (child) => this.toGroupRef(child, agg, scope, location));
  }

  private bindAggregateCall(fc: PgNode, scope: Scope, agg: AggContext): BoundExpr {
    let name = funcName(fc);
    if (name === 'every') name = 'bool_and';
    if (fc.agg_order) throw this.err(SQLSTATE.feature_not_supported, 'ORDER BY inside an aggregate is not supported', fc.location);
    if (fc.agg_within_group) throw this.err(SQLSTATE.feature_not_supported, 'WITHIN GROUP is not supported', fc.location);
    if (fc.over) throw this.err(SQLSTATE.feature_not_supported, 'window functions are not supported yet', fc.location);
    const inner = (n: PgNode): BoundExpr => {
      if (containsAggregate(n)) throw this.err(SQLSTATE.grouping_error, 'aggregate function calls cannot be nested', exprLocation(n));
      return this.bindExpr(n, scope, 'aggregate argument');
    };
    const args = (fc.args ?? []).map(inner);
    let filter: BoundExpr | null = null;
    if (fc.agg_filter) {
      if (containsAggregate(fc.agg_filter)) throw this.err(SQLSTATE.grouping_error, 'aggregate functions are not allowed in FILTER', exprLocation(fc.agg_filter));
      filter = this.coerceBool(this.bindExpr(fc.agg_filter, scope, 'FILTER'), 'FILTER', fc.agg_filter);
      if (mentionsNow(filter)) {
        throw this.err(SQLSTATE.feature_not_supported, 'now() is not allowed in an aggregate FILTER clause', exprLocation(fc.agg_filter), { hint: 'Move the time condition to WHERE or HAVING, where it becomes a temporal filter.' });
      }
    }
    for (const a of args) this.checkNow(a, 'aggregate arguments');
    let fn: AggCall['fn'];
    let type: SqlType;
    const distinct = !!fc.agg_distinct;
    if (fc.agg_star) {
      if (name !== 'count') throw this.err(SQLSTATE.syntax_error, `${name}(*) is not valid`, fc.location);
      fn = 'count_star';
      type = 'bigint';
    } else {
      if (name === 'count' && args.length === 0) throw this.err(SQLSTATE.undefined_function, 'function count() does not exist', fc.location);
      const argTypes = args.map((a: BoundExpr) => (a.type === 'unknown' ? 'text' : a.type));
      let sig: { argTypes: SqlType[]; returnType: SqlType };
      try {
        sig = resolveAggregate(name, argTypes, distinct);
      } catch (e) {
        throw e instanceof SqlError ? e.at(this.pos(fc.location)) : e;
      }
      for (let i = 0; i < args.length; i++) args[i] = this.coerce(args[i]!, sig.argTypes[i]!, name, fc.location);
      fn = name as AggCall['fn'];
      type = sig.returnType;
    }
    const display = `${name}(${distinct ? 'DISTINCT ' : ''}${fc.agg_star ? '*' : args.map((a: BoundExpr) => exprText(a, scope.columns.map((c) => c.name))).join(', ')})${filter ? ` FILTER (WHERE ${exprText(filter, scope.columns.map((c) => c.name))})` : ''}`;
    // Reuse an identical aggregate (the article repeats COUNT(*) FILTER … in SELECT and HAVING).
    const existing = agg.aggs.findIndex((a) => a.display === display && a.type === type);
    const index = existing >= 0 ? existing : agg.aggs.push({ fn, args, distinct, filter, type, display }) - 1;
    return { kind: 'column', index: agg.groupBy.length + index, type, name: display };
  }

  // ───────────────────────────── expressions ─────────────────────────────

  private coerceBool(e: BoundExpr, clause: string, node: PgNode): BoundExpr {
    if (e.type === 'boolean') return e;
    if (e.type === 'unknown' && e.kind === 'literal') return this.coerce(e, 'boolean', clause, exprLocation(node));
    throw this.err(SQLSTATE.datatype_mismatch, `argument of ${clause} must be type boolean, not type ${e.type}`, exprLocation(node));
  }

  /** Coerce to `target` with an implicit cast (assignment if `assignment`), as PostgreSQL would. */
  coerce(e: BoundExpr, target: SqlType, what: string, location: number | undefined, context: 'implicit' | 'assignment' | 'explicit' = 'implicit'): BoundExpr {
    if (e.type === target || target === 'unknown') return e;
    if (e.kind === 'literal' && e.type === 'unknown') {
      if (e.value === null) return { kind: 'literal', value: null, type: target };
      try {
        return { kind: 'literal', value: parseValueText(String(e.value), target), type: target };
      } catch (err) {
        throw err instanceof SqlError ? err.at(this.pos(location)) : err;
      }
    }
    if (e.kind === 'param' && e.type === 'unknown') {
      this.inferParam(e.index, target);
      return { ...e, type: target };
    }
    const ctx = castContext(e.type, target);
    const ok = ctx !== null && (ctx === 'implicit' || (context === 'assignment' && ctx === 'assignment') || context === 'explicit');
    if (!ok) {
      throw this.err(SQLSTATE.datatype_mismatch, `${what} is of type ${e.type} but expression is expected to be of type ${target}`, location, { hint: 'You will need to rewrite or cast the expression.' });
    }
    if (e.kind === 'literal') {
      try {
        return { kind: 'literal', value: e.value === null ? null : castValue(e.value, e.type, target), type: target };
      } catch (err) {
        throw err instanceof SqlError ? err.at(this.pos(location)) : err;
      }
    }
    return { kind: 'cast', arg: e, type: target };
  }

  private inferParam(index: number, type: SqlType): void {
    const p = this.opts.paramTypes;
    if (!p) return;
    if (p[index] === null || p[index] === undefined || p[index] === 'unknown') p[index] = type;
  }

  private applyFunction(fn: ResolvedFunction, args: BoundExpr[], display: string, location: number | undefined): BoundExpr {
    const coerced = args.map((a, i) => this.coerce(a, fn.argTypes[i] ?? fn.argTypes[fn.argTypes.length - 1]!, `argument ${i + 1} of ${display}`, location));
    const e: BoundExpr = { kind: 'call', fn, args: coerced, type: fn.returnType, display };
    return this.fold(e, location);
  }

  /** Constant-fold calls whose arguments are all literals (so '5 minutes'::interval is a value). */
  private fold(e: BoundExpr, location: number | undefined): BoundExpr {
    if (e.kind === 'call' && e.args.every((a) => a.kind === 'literal') && !e.fn.name.startsWith('__')) {
      const vals = e.args.map((a) => (a as { value: Value }).value);
      if (e.fn.strict && vals.some((v) => v === null)) return { kind: 'literal', value: null, type: e.type };
      try {
        return { kind: 'literal', value: e.fn.impl(vals, { nowMicros: this.opts.nowMicros, timeZone: 'UTC' }), type: e.type };
      } catch (err) {
        // Errors in constant expressions surface at run time in PostgreSQL only when evaluated; keep them.
        if (err instanceof SqlError && this.opts.mode === 'batch') throw err.at(this.pos(location));
        return e;
      }
    }
    if (e.kind === 'cast' && e.arg.kind === 'literal') {
      try {
        return { kind: 'literal', value: e.arg.value === null ? null : castValue(e.arg.value, e.arg.type, e.type), type: e.type };
      } catch (err) {
        throw err instanceof SqlError ? err.at(this.pos(location)) : err;
      }
    }
    return e;
  }

  private constantValue(e: BoundExpr): Value | undefined {
    const f = this.fold(e, undefined);
    return f.kind === 'literal' ? f.value : undefined;
  }

  /** The resolved equality of two operands and the operands coerced to it, without constant folding. */
  private equality(l: BoundExpr, r: BoundExpr, location: number | undefined): { fn: ResolvedFunction; args: [BoundExpr, BoundExpr] } {
    let fn: ResolvedFunction;
    try {
      fn = resolveBinaryOperator('=', l.type, r.type);
    } catch (e) {
      throw e instanceof SqlError ? e.at(this.pos(location)) : e;
    }
    return { fn, args: [this.coerce(l, fn.argTypes[0]!, '=', location), this.coerce(r, fn.argTypes[1]!, '=', location)] };
  }

  binaryOp(op: string, l: BoundExpr, r: BoundExpr, location: number | undefined): BoundExpr {
    let fn: ResolvedFunction;
    try {
      fn = resolveBinaryOperator(op, l.type, r.type);
    } catch (e) {
      throw e instanceof SqlError ? e.at(this.pos(location)) : e;
    }
    return this.applyFunction(fn, [l, r], op, location);
  }

  bindExpr(n: PgNode, scope: Scope, clause: string, hook?: (n: PgNode) => BoundExpr): BoundExpr {
    const sub = (x: PgNode): BoundExpr => (hook ? hook(x) : this.bindExpr(x, scope, clause));
    if (n === undefined || n === null) throw this.err(SQLSTATE.syntax_error, 'missing expression');
    if (n.ColumnRef) return this.bindColumnRef(n.ColumnRef, scope);
    if (n.A_Const) return this.bindConst(n.A_Const);
    if (n.ParamRef) {
      const i = n.ParamRef.number - 1;
      const p = this.opts.paramTypes;
      if (!p) throw this.err(SQLSTATE.undefined_parameter, `there is no parameter $${i + 1}`, n.ParamRef.location);
      while (p.length <= i) p.push(null);
      return { kind: 'param', index: i, type: p[i] ?? 'unknown' };
    }
    if (n.TypeCast) {
      const tn = n.TypeCast.typeName;
      const names: string[] = (tn.names as PgNode[]).map((x) => x.String.sval);
      const target = sqlTypeFromName(names);
      if (!target) throw this.err(SQLSTATE.undefined_object, `type "${names[names.length - 1]}" does not exist`, tn.location);
      const arg = sub(n.TypeCast.arg);
      // Arrays travel as their text form ('{1,2}'), enough for catalog queries; array columns are not supported.
      if (tn.arrayBounds) return arg.type === 'text' ? arg : this.coerce(arg, 'text', 'cast', n.TypeCast.location, 'explicit');
      if (names[names.length - 1] === 'regclass' || names[names.length - 1] === 'oid') return this.regclassCast(arg, names[names.length - 1]!, n.TypeCast.location);
      if (arg.type === 'unknown' || arg.kind === 'param') return this.coerce(arg, target, 'cast', n.TypeCast.location, 'explicit');
      if (arg.type === target) return arg;
      if (castContext(arg.type, target) === null) throw this.err('42846', `cannot cast type ${arg.type} to ${target}`, n.TypeCast.location);
      return this.fold({ kind: 'cast', arg, type: target }, n.TypeCast.location);
    }
    if (n.CollateClause) return sub(n.CollateClause.arg);
    if (n.BoolExpr) {
      const b = n.BoolExpr;
      const args = (b.args as PgNode[]).map((a) => this.coerceBool(sub(a), b.boolop === 'NOT_EXPR' ? 'NOT' : b.boolop === 'AND_EXPR' ? 'AND' : 'OR', a));
      if (b.boolop === 'NOT_EXPR') return { kind: 'not', arg: args[0]!, type: 'boolean' };
      return { kind: b.boolop === 'AND_EXPR' ? 'and' : 'or', args, type: 'boolean' };
    }
    if (n.NullTest) {
      return { kind: 'is_null', arg: sub(n.NullTest.arg), negated: n.NullTest.nulltesttype === 'IS_NOT_NULL', type: 'boolean' };
    }
    if (n.BooleanTest) {
      const t = n.BooleanTest.booltesttype as string;
      const arg = this.coerceBool(sub(n.BooleanTest.arg), 'IS', n.BooleanTest.arg);
      const test = t.includes('TRUE') ? 'true' : t.includes('FALSE') ? 'false' : 'unknown';
      return { kind: 'is_bool', arg, test, negated: t.includes('NOT'), type: 'boolean' };
    }
    if (n.A_Expr) return this.bindAExpr(n.A_Expr, sub);
    if (n.CaseExpr) return this.bindCase(n.CaseExpr, sub);
    if (n.CoalesceExpr) {
      const args = (n.CoalesceExpr.args as PgNode[]).map(sub);
      const t = commonType(args.map((a) => a.type), 'COALESCE');
      return { kind: 'coalesce', args: args.map((a) => this.coerce(a, t, 'COALESCE', n.CoalesceExpr.location)), type: t };
    }
    if (n.MinMaxExpr) {
      const args = (n.MinMaxExpr.args as PgNode[]).map(sub);
      const name = n.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
      return this.callFunction(name, args, n.MinMaxExpr.location);
    }
    if (n.SQLValueFunction) return this.bindSqlValueFunction(n.SQLValueFunction);
    if (n.FuncCall) return this.bindFuncCall(n.FuncCall, scope, clause, sub);
    if (n.SubLink) return this.bindSubLink(n.SubLink, scope, sub);
    if (n.A_ArrayExpr) throw this.err(SQLSTATE.feature_not_supported, 'arrays are not supported yet', n.A_ArrayExpr.location);
    if (n.A_Indirection) {
      let e = sub(n.A_Indirection.arg);
      for (const ind of n.A_Indirection.indirection as PgNode[]) {
        if (!ind.A_Indices || ind.A_Indices.is_slice) throw this.err(SQLSTATE.feature_not_supported, 'array slices and field selection are not supported yet');
        e = this.callFunction('__array_subscript', [this.coerce(e, 'text', 'subscript', undefined), this.coerce(sub(ind.A_Indices.uidx), 'integer', 'subscript', undefined)], undefined);
      }
      return e;
    }
    if (n.RowExpr) throw this.err(SQLSTATE.feature_not_supported, 'row constructors are not supported', n.RowExpr.location);
    throw this.err(SQLSTATE.feature_not_supported, `unsupported expression ${Object.keys(n)[0]}`);
  }

  /** A subquery as a value (batch mode): evaluated per outer row, with outer columns passed in. */
  private bindSubLink(sl: PgNode, scope: Scope, sub: (n: PgNode) => BoundExpr): BoundExpr {
    if (this.opts.mode === 'stream') {
      throw this.err(SQLSTATE.feature_not_supported, 'subqueries in a materialized view are supported only as EXISTS, NOT EXISTS or IN (subquery) conditions of WHERE', sl.location, { hint: 'Rewrite a scalar subquery as a join.' });
    }
    const frame = { outer: scope, refs: [] as BoundExpr[] };
    this.correlation.push(frame);
    let bound: { plan: LogicalPlan; names: string[] };
    try {
      bound = this.bindSelect(sl.subselect, scope);
    } finally {
      this.correlation.pop();
    }
    const plan = bound.plan;
    switch (sl.subLinkType) {
      case 'EXPR_SUBLINK':
        if (plan.columns.length !== 1) throw this.err(SQLSTATE.syntax_error, 'subquery must return only one column', sl.location);
        return { kind: 'subquery', mode: 'scalar', plan, outerArgs: frame.refs, test: null, eq: null, type: plan.columns[0]!.type === 'unknown' ? 'text' : plan.columns[0]!.type };
      case 'EXISTS_SUBLINK':
        return { kind: 'subquery', mode: 'exists', plan, outerArgs: frame.refs, test: null, eq: null, type: 'boolean' };
      case 'ARRAY_SUBLINK':
        if (plan.columns.length !== 1) throw this.err(SQLSTATE.syntax_error, 'subquery must return only one column', sl.location);
        return { kind: 'subquery', mode: 'array', plan, outerArgs: frame.refs, test: null, eq: null, type: 'text' };
      case 'ANY_SUBLINK': {
        if (plan.columns.length !== 1) throw this.err(SQLSTATE.syntax_error, 'subquery has too many columns', sl.location);
        const test = sub(sl.testexpr);
        const eq = this.equality(test, { kind: 'literal', value: null, type: plan.columns[0]!.type }, sl.location);
        return { kind: 'subquery', mode: 'in', plan, outerArgs: frame.refs, test: eq.args[0], eq: eq.fn, type: 'boolean' };
      }
      default:
        throw this.err(SQLSTATE.feature_not_supported, `${String(sl.subLinkType).replace('_SUBLINK', '')} subqueries are not supported`, sl.location);
    }
  }

  private regclassCast(arg: BoundExpr, target: string, location: number | undefined): BoundExpr {
    // 'name'::regclass → the relation's OID, as psql and drivers use it; numbers pass through as OIDs.
    if (target === 'oid') {
      if (arg.type === 'unknown' && arg.kind === 'literal') return { kind: 'literal', value: arg.value === null ? null : BigInt(String(arg.value)), type: 'bigint' };
      return this.coerce(arg, 'bigint', 'cast', location, 'explicit');
    }
    if (arg.kind === 'literal' && (arg.type === 'unknown' || arg.type === 'text' || arg.type === 'varchar')) {
      if (arg.value === null) return { kind: 'literal', value: null, type: 'bigint' };
      const name = String(arg.value).replace(/^"|"$/g, '');
      const parts = name.split('.');
      const rel = this.opts.resolver.resolve(parts);
      if (!rel) throw this.err(SQLSTATE.undefined_table, `relation "${name}" does not exist`, location);
      const oid = rel.kind === 'relation' ? rel.ref.oid : 0;
      return { kind: 'literal', value: BigInt(oid), type: 'bigint' };
    }
    return this.callFunction('__oid_to_regclass', [arg], location);
  }

  private bindColumnRef(cr: PgNode, scope: Scope): BoundExpr {
    const parts = (cr.fields as PgNode[]).map((f) => {
      if (f.A_Star) throw this.err(SQLSTATE.syntax_error, 'a * is only allowed in the SELECT list', cr.location);
      return f.String.sval as string;
    });
    const name = parts[parts.length - 1]!;
    for (let s: Scope | null = scope, depth = 0; s; s = s.outer, depth++) {
      const i = s.lookup(parts, this.pos(cr.location));
      if (i !== null) {
        if (depth === 0) return { kind: 'column', index: i, type: s.columns[i]!.type, name };
        const frame = this.correlation.find((f) => f.outer === s);
        if (depth > 1 || !frame) throw this.err(SQLSTATE.feature_not_supported, `correlated reference to "${parts.join('.')}" is not supported here`, cr.location);
        let k = frame.refs.findIndex((r) => r.kind === 'column' && r.index === i);
        if (k < 0) k = frame.refs.push({ kind: 'column', index: i, type: s.columns[i]!.type, name }) - 1;
        return { kind: 'outer', index: k, type: s.columns[i]!.type, name };
      }
    }
    if (parts.length >= 2 && !scope.hasTable(parts[parts.length - 2]!)) {
      throw this.err(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${parts[parts.length - 2]}"`, cr.location);
    }
    const hint = scope.columns.find((c) => c.name.toLowerCase() === name.toLowerCase() && c.name !== name);
    throw this.err(SQLSTATE.undefined_column, `column "${parts.join('.')}" does not exist`, cr.location, hint ? { hint: `Perhaps you meant to reference the column "${hint.table ? hint.table + '.' : ''}${hint.name}".` } : {});
  }

  private bindConst(c: PgNode): BoundExpr {
    if (c.isnull) return { kind: 'literal', value: null, type: 'unknown' };
    if (c.ival !== undefined) {
      const v = c.ival.ival ?? 0;
      return { kind: 'literal', value: v, type: 'integer' };
    }
    if (c.fval !== undefined) {
      const text: string = c.fval.fval;
      if (/^-?\d+$/.test(text)) {
        const big = BigInt(text);
        if (big >= -(2n ** 63n) && big < 2n ** 63n) return { kind: 'literal', value: big, type: 'bigint' };
      }
      return { kind: 'literal', value: Numeric.fromString(text)!, type: 'numeric' };
    }
    if (c.sval !== undefined) return { kind: 'literal', value: c.sval.sval ?? '', type: 'unknown' };
    if (c.boolval !== undefined) return { kind: 'literal', value: !!c.boolval.boolval, type: 'boolean' };
    if (c.bsval !== undefined) throw this.err(SQLSTATE.feature_not_supported, 'bit string literals are not supported', c.location);
    return { kind: 'literal', value: null, type: 'unknown' };
  }

  private bindAExpr(a: PgNode, sub: (n: PgNode) => BoundExpr): BoundExpr {
    const opName = (a.name as PgNode[] | undefined)?.map((x) => x.String.sval).pop() ?? '';
    const loc = a.location;
    switch (a.kind) {
      case 'AEXPR_OP': {
        if (!a.lexpr) {
          const operand = sub(a.rexpr);
          if (opName === '-' && operand.kind === 'literal') {
            if (typeof operand.value === 'number') return { ...operand, value: -operand.value };
            if (typeof operand.value === 'bigint') {
              const v = -operand.value;
              return v === -(2n ** 31n) ? { kind: 'literal', value: Number(v), type: 'integer' } : { ...operand, value: v };
            }
            if (operand.value instanceof Numeric) return { ...operand, value: operand.value.negate() };
          }
          let fn: ResolvedFunction;
          try {
            fn = resolveUnaryOperator(opName, operand.type);
          } catch (e) {
            throw e instanceof SqlError ? e.at(this.pos(loc)) : e;
          }
          return this.applyFunction(fn, [operand], opName, loc);
        }
        return this.binaryOp(opName, sub(a.lexpr), sub(a.rexpr), loc);
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE': {
        const base = a.kind === 'AEXPR_LIKE' ? 'LIKE' : 'ILIKE';
        const negated = opName.startsWith('!');
        return this.binaryOp(negated ? `NOT ${base}` : base, sub(a.lexpr), sub(a.rexpr), loc);
      }
      case 'AEXPR_SIMILAR':
        throw this.err(SQLSTATE.feature_not_supported, 'SIMILAR TO is not supported', loc, { hint: 'Use LIKE or a POSIX regular expression with ~.' });
      case 'AEXPR_IN': {
        const arg = sub(a.lexpr);
        const list = ((a.rexpr as PgNode).List?.items ?? a.rexpr) as PgNode[];
        const items = list.map(sub);
        const t = commonType([arg.type, ...items.map((i) => i.type)], 'IN');
        const eq = resolveBinaryOperator('=', t === 'unknown' ? 'text' : t, t === 'unknown' ? 'text' : t);
        const tt = t === 'unknown' ? 'text' : t;
        return { kind: 'in_list', arg: this.coerce(arg, tt, 'IN', loc), list: items.map((i) => this.coerce(i, tt, 'IN', loc)), eq, negated: opName === '<>', type: 'boolean' };
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        const x = sub(a.lexpr);
        const [lo, hi] = ((a.rexpr as PgNode).List.items as PgNode[]).map(sub) as [BoundExpr, BoundExpr];
        const neg = a.kind.includes('NOT');
        if (a.kind.includes('SYM')) throw this.err(SQLSTATE.feature_not_supported, 'BETWEEN SYMMETRIC is not supported', loc);
        const ge = this.binaryOp(neg ? '<' : '>=', x, lo, loc);
        const le = this.binaryOp(neg ? '>' : '<=', x, hi, loc);
        return { kind: neg ? 'or' : 'and', args: [ge, le], type: 'boolean' };
      }
      case 'AEXPR_NULLIF': {
        const l = sub(a.lexpr);
        const r = sub(a.rexpr);
        const eq = this.equality(l, r, loc);
        return { kind: 'nullif', left: eq.args[0], right: eq.args[1], eq: eq.fn, type: eq.args[0].type };
      }
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT': {
        const l = sub(a.lexpr);
        const r = sub(a.rexpr);
        const eq = this.equality(l, r, loc);
        return { kind: 'is_distinct', left: eq.args[0], right: eq.args[1], eq: eq.fn, negated: a.kind === 'AEXPR_NOT_DISTINCT', type: 'boolean' };
      }
      case 'AEXPR_OP_ANY': {
        // sluice carries arrays as their text form ('{1,2}'); x = ANY(arr) compares x's text with each element.
        const left = sub(a.lexpr);
        const right = sub(a.rexpr);
        if (opName === '=' && (right.type === 'text' || right.type === 'unknown' || right.type === 'varchar')) {
          return this.callFunction('__any_text_eq', [this.coerce(left, left.type === 'unknown' ? 'text' : left.type, 'ANY', loc), this.coerce(right, 'text', 'ANY', loc)], loc);
        }
        throw this.err(SQLSTATE.feature_not_supported, `${opName} ANY (array) is not supported yet`, loc, { hint: 'Use IN (…) with a list.' });
      }
      case 'AEXPR_OP_ALL':
        throw this.err(SQLSTATE.feature_not_supported, `${opName} ${a.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (array) is not supported yet`, loc, { hint: 'Use IN (…) with a list.' });
      default:
        throw this.err(SQLSTATE.feature_not_supported, `unsupported operator form ${a.kind}`, loc);
    }
  }

  private bindCase(c: PgNode, sub: (n: PgNode) => BoundExpr): BoundExpr {
    const operand = c.arg ? sub(c.arg) : null;
    const whens = (c.args as PgNode[]).map((w) => {
      const cw = w.CaseWhen;
      const cond = operand ? this.binaryOp('=', operand, sub(cw.expr), cw.location) : this.coerceBool(sub(cw.expr), 'CASE/WHEN', cw.expr);
      return { when: cond, then: sub(cw.result) };
    });
    const otherwise: BoundExpr = c.defresult ? sub(c.defresult) : { kind: 'literal', value: null, type: 'unknown' };
    const t0 = commonType([...whens.map((w) => w.then.type), otherwise.type], 'CASE');
    const t = t0 === 'unknown' ? 'text' : t0;
    return {
      kind: 'case',
      whens: whens.map((w) => ({ when: w.when, then: this.coerce(w.then, t, 'CASE', c.location) })),
      else: this.coerce(otherwise, t, 'CASE', c.location),
      type: t,
    };
  }

  private bindSqlValueFunction(f: PgNode): BoundExpr {
    switch (f.op) {
      case 'SVFOP_CURRENT_TIMESTAMP':
      case 'SVFOP_CURRENT_TIMESTAMP_N':
      case 'SVFOP_LOCALTIMESTAMP':
      case 'SVFOP_LOCALTIMESTAMP_N':
        return this.nowExpr();
      case 'SVFOP_CURRENT_DATE':
        return this.coerce(this.nowExpr(), 'date', 'CURRENT_DATE', f.location, 'explicit');
      case 'SVFOP_CURRENT_USER':
      case 'SVFOP_USER':
      case 'SVFOP_SESSION_USER':
      case 'SVFOP_CURRENT_ROLE':
        return this.callFunction('current_user', [], f.location);
      case 'SVFOP_CURRENT_CATALOG':
        return this.callFunction('current_database', [], f.location);
      case 'SVFOP_CURRENT_SCHEMA':
        return this.callFunction('current_schema', [], f.location);
      default:
        throw this.err(SQLSTATE.feature_not_supported, `${f.op} is not supported`, f.location);
    }
  }

  private nowExpr(): BoundExpr {
    if (this.opts.mode === 'batch') return { kind: 'literal', value: this.opts.nowMicros, type: 'timestamptz' };
    return { kind: 'now', type: 'timestamptz' };
  }

  private bindFuncCall(fc: PgNode, scope: Scope, clause: string, sub: (n: PgNode) => BoundExpr): BoundExpr {
    const name = funcName(fc);
    if (AGGREGATES.has(name)) {
      throw this.err(SQLSTATE.grouping_error, `aggregate functions are not allowed in ${clause}`, fc.location);
    }
    if (fc.over) throw this.err(SQLSTATE.feature_not_supported, 'window functions are not supported yet', fc.location);
    if (fc.agg_star) throw this.err(SQLSTATE.syntax_error, `${name}(*) is only valid for aggregate functions`, fc.location);
    void scope;
    if (name === 'now' || name === 'current_timestamp' || name === 'transaction_timestamp' || name === 'statement_timestamp') {
      if ((fc.args ?? []).length) throw this.err(SQLSTATE.undefined_function, `function ${name}(…) does not exist`, fc.location);
      return this.nowExpr();
    }
    if (name === 'tumble' || name === 'hop') {
      throw this.err(SQLSTATE.feature_not_supported, `${name.toUpperCase()} is a table function: use it in FROM, e.g. FROM ${name.toUpperCase()}(events, event_time, INTERVAL '5 minutes')`, fc.location);
    }
    const args = (fc.args ?? []).map(sub);
    if (name === 'coalesce') {
      const t = commonType(args.map((a: BoundExpr) => a.type), 'COALESCE');
      return { kind: 'coalesce', args: args.map((a: BoundExpr) => this.coerce(a, t, 'COALESCE', fc.location)), type: t };
    }
    if (name === 'nullif' && args.length === 2) {
      const eq = this.equality(args[0]!, args[1]!, fc.location);
      return { kind: 'nullif', left: eq.args[0]!, right: eq.args[1]!, eq: eq.fn, type: eq.args[0]!.type };
    }
    if (name === 'pg_typeof' && args.length === 1) return { kind: 'literal', value: args[0]!.type === 'unknown' ? 'unknown' : args[0]!.type, type: 'text' };
    if ((name === 'substring' || name === 'position' || name === 'trim' || name === 'btrim' || name === 'ltrim' || name === 'rtrim' || name === 'extract' || name === 'date_part') && fc.funcformat === 'COERCE_SQL_SYNTAX') {
      // SQL-syntax forms arrive with PostgreSQL's own argument order (e.g. position(b IN a) → position(a, b)).
    }
    return this.callFunction(name, args, fc.location);
  }

  callFunction(name: string, args: BoundExpr[], location: number | undefined): BoundExpr {
    let fn: ResolvedFunction;
    try {
      fn = this.opts.functions?.(name, args.map((a) => a.type)) ?? resolveFunction(name, args.map((a) => a.type));
    } catch (e) {
      throw e instanceof SqlError ? e.at(this.pos(location)) : e;
    }
    return this.applyFunction(fn, args, name, location);
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function funcName(fc: PgNode): string {
  const parts = (fc.funcname as PgNode[]).map((n) => n.String.sval as string);
  return parts[parts.length - 1]!.toLowerCase();
}

function intConst(c: PgNode): number | null {
  if (c.ival !== undefined) return c.ival.ival ?? 0;
  return null;
}

export function splitAndNodes(n: PgNode): PgNode[] {
  if (n.BoolExpr?.boolop === 'AND_EXPR') return (n.BoolExpr.args as PgNode[]).flatMap(splitAndNodes);
  return [n];
}

export function containsAggregate(n: PgNode): boolean {
  if (n === null || typeof n !== 'object') return false;
  if (Array.isArray(n)) return n.some(containsAggregate);
  if (n.FuncCall?.over) return true; // bound on the aggregate path, which reports that window functions are not supported
  if (n.FuncCall && AGGREGATES.has(funcName(n.FuncCall)) && !n.FuncCall.over) return true;
  if (n.SubLink) return false;
  for (const k of Object.keys(n)) if (containsAggregate(n[k])) return true;
  return false;
}

function exprLocation(n: PgNode): number | undefined {
  if (!n || typeof n !== 'object') return undefined;
  const inner = n[Object.keys(n)[0]!];
  return typeof inner?.location === 'number' ? inner.location : undefined;
}

/** PostgreSQL's default output column name for an expression. */
function deriveName(v: PgNode): string {
  if (v?.ColumnRef) {
    const f = v.ColumnRef.fields as PgNode[];
    return f[f.length - 1].String?.sval ?? '?column?';
  }
  if (v?.FuncCall) return funcName(v.FuncCall);
  if (v?.TypeCast) {
    const inner = deriveName(v.TypeCast.arg);
    if (inner !== '?column?') return inner;
    const names = (v.TypeCast.typeName.names as PgNode[]).map((x) => x.String.sval);
    return names[names.length - 1];
  }
  if (v?.A_Expr?.kind === 'AEXPR_NULLIF') return 'nullif';
  if (v?.CaseExpr) return 'case';
  if (v?.CoalesceExpr) return 'coalesce';
  if (v?.MinMaxExpr) return v.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if (v?.SQLValueFunction) {
    const op = String(v.SQLValueFunction.op).replace('SVFOP_', '').replace(/_N$/, '').toLowerCase();
    return op;
  }
  if (v?.CollateClause) return deriveName(v.CollateClause.arg);
  return '?column?';
}

function groupName(e: BoundExpr, i: number, scope: Scope): string {
  if (e.kind === 'column') return scope.columns[e.index]?.name ?? e.name;
  return `group${i}`;
}

function renameColumns(plan: LogicalPlan, names: string[]): LogicalPlan {
  if (plan.columns.every((c, i) => c.name === (names[i] ?? c.name))) return plan;
  const exprs: BoundExpr[] = plan.columns.map((c, i) => ({ kind: 'column', index: i, type: c.type, name: c.name }));
  return { kind: 'project', input: plan, exprs, columns: plan.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type })) };
}

export type { ScopeColumn };

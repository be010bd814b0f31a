/**
 * INSERT, UPDATE and DELETE on tables: each statement computes its changes (−old/+new rows) in batch over the
 * committed contents and queues them for the next epoch, which the caller runs before returning. Column DEFAULTs
 * fill the columns an INSERT leaves out and stand for the DEFAULT keyword in VALUES and UPDATE … SET; they are
 * evaluated once per statement (NOW() is the statement's time, as in PostgreSQL).
 * Invariant: a statement that fails (type error, NOT NULL, duplicate key) queues nothing.
 */
import { SqlError, SQLSTATE } from '../common/errors.js';
import type { ChangeBatch } from '../common/changes.js';
import type { Row, SqlType, Value } from '../common/types.js';
import type { TableDef } from '../catalog/catalog.js';
import { parsePg } from '../sql/parser.js';
import { castContext, castValue } from '../expr/casts.js';
import { parseValueText } from '../expr/text-io.js';
import type { ResolvedFunction } from '../expr/functions.js';
import type { PgNode } from '../sql/ast.js';
import { bindQuery, type BoundQuery, type RelationResolver } from '../plan/binder.js';
import type { LogicalPlan } from '../plan/logical.js';
import type { ResultColumn } from './api.js';
import type { Engine, TableKey, TableRuntime } from './engine.js';
import { rowKey } from '../common/rowkey.js';

export interface DmlContext {
  resolver: RelationResolver;
  functions: (name: string, argTypes: SqlType[]) => ResolvedFunction | null;
  paramTypes: (SqlType | null)[];
  nowMicros: number;
}

type Evaluate = (plan: LogicalPlan, params: readonly Value[]) => Row[];

/** A DML statement's command tag, and with RETURNING its result columns and rows (no rows when describeOnly). */
export interface DmlResult {
  commandTag: string;
  returning: { columns: ResultColumn[]; rows: Row[] } | null;
}

export function executeDml(engine: Engine, node: PgNode, ctx: DmlContext, describeOnly: boolean, params: readonly Value[] = [], evaluate?: Evaluate): DmlResult {
  const stmt = node.InsertStmt ?? node.UpdateStmt ?? node.DeleteStmt;
  const relname: string = stmt.relation.relname;
  const t = engine.tables.get(relname);
  if (!t) {
    const o = engine.catalog.get(relname);
    if (!o) throw new SqlError(SQLSTATE.undefined_table, `relation "${relname}" does not exist`, { position: stmt.relation.location + 1 });
    throw new SqlError(SQLSTATE.wrong_object_type, `cannot change ${o.kind} "${relname}"`, { detail: o.kind === 'source' ? 'Sources are read from their connector.' : 'Only tables accept INSERT, UPDATE and DELETE.' });
  }
  if (stmt.withClause) throw new SqlError(SQLSTATE.feature_not_supported, 'WITH is not supported in INSERT/UPDATE/DELETE');
  const bind = (select: PgNode, keepUnknown = false) => bindQuery(select, { mode: 'batch', nowMicros: ctx.nowMicros, resolver: ctx.resolver, functions: ctx.functions, paramTypes: ctx.paramTypes, keepUnknown });
  const run = evaluate ?? ((plan) => engine.evaluatePlan(plan, params));
  const cols = t.def.columns;
  const from = [{ RangeVar: { ...stmt.relation, alias: stmt.relation.alias } }];
  const returning = bindReturning(stmt.returningClause, from, bind);
  /** The result: the tag, and RETURNING's rows computed over the rows the statement wrote (or deleted). */
  const result = (commandTag: string, written: readonly Row[]): DmlResult => ({
    commandTag,
    returning: returning === null ? null : { columns: returning.columns, rows: describeOnly ? [] : run(returning.over(written), params) },
  });
  if (node.InsertStmt) {
    if (stmt.onConflictClause) throw new SqlError(SQLSTATE.feature_not_supported, 'INSERT … ON CONFLICT is not supported');
    const targets: number[] = stmt.cols?.length
      ? (stmt.cols as PgNode[]).map((c) => {
          const i = cols.findIndex((x) => x.name === c.ResTarget.name);
          if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${c.ResTarget.name}" of relation "${relname}" does not exist`, { position: c.ResTarget.location + 1 });
          return i;
        })
      : cols.map((_, i) => i);
    for (const row of (stmt.selectStmt?.SelectStmt?.valuesLists ?? []) as PgNode[]) {
      const items = (row.List?.items ?? []) as PgNode[];
      items.forEach((item, k) => {
        const target = targets[k];
        if (target === undefined) return;
        if (item.SetToDefault) items[k] = defaultExpr(t.def, target);
        else typeParam(ctx, item, cols[target]!.type);
      });
    }
    // INSERT … DEFAULT VALUES: one row of defaults.
    const bound = stmt.selectStmt ? bind(stmt.selectStmt, true) : null;
    if (bound && bound.columns.length > targets.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more expressions than target columns');
    if (describeOnly) return result('INSERT 0 0', []);
    const rows = bound ? run(bound.plan, params) : [[]];
    const defaults = bound !== null && bound.columns.length === cols.length ? cols.map(() => null) : evaluateDefaults(engine, t.def, ctx.nowMicros);
    const changes: ChangeBatch = [];
    const staged = t.keys.map(() => new Map<string, Row>());
    for (const r of rows) {
      const full: Value[] = [...defaults];
      bound?.columns.forEach((c, k) => {
        const i = targets[k]!;
        full[i] = assign(r[k]!, c.type, cols[i]!.type, cols[i]!.name);
      });
      checkRow(t, full);
      t.keys.forEach((k, j) => {
        const key = tableKeyOf(k, full);
        if (key === null) return;
        if (k.rows.has(key) || staged[j]!.has(key)) throw duplicateKey(t, k, full);
        staged[j]!.set(key, full);
      });
      changes.push({ row: full, weight: 1 });
    }
    t.keys.forEach((k, j) => {
      for (const [key, r] of staged[j]!) k.rows.set(key, r);
    });
    engine.push(t.inputNode, changes);
    return result(`INSERT 0 ${changes.length}`, changes.map((c) => c.row));
  }
  const star = { ResTarget: { val: { ColumnRef: { fields: [{ A_Star: {} }], location: 0 } }, location: 0 } };
  if (node.DeleteStmt) {
    if (stmt.usingClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'DELETE … USING is not supported');
    const bound = bind({ SelectStmt: { targetList: [star], fromClause: from, whereClause: stmt.whereClause, op: 'SETOP_NONE', limitOption: 'LIMIT_OPTION_DEFAULT' } });
    if (describeOnly) return result('DELETE 0', []);
    const rows = run(bound.plan, params);
    for (const r of rows) {
      for (const k of t.keys) {
        const key = tableKeyOf(k, r);
        if (key !== null) k.rows.delete(key);
      }
    }
    engine.push(t.inputNode, rows.map((row) => ({ row, weight: -1 })));
    return result(`DELETE ${rows.length}`, rows);
  }
  // UPDATE
  if (stmt.fromClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'UPDATE … FROM is not supported');
  const sets = (stmt.targetList as PgNode[]).map((rt) => {
    const i = cols.findIndex((c) => c.name === rt.ResTarget.name);
    if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${rt.ResTarget.name}" of relation "${relname}" does not exist`, { position: rt.ResTarget.location + 1 });
    return { index: i, val: rt.ResTarget.val.SetToDefault ? defaultExpr(t.def, i) : rt.ResTarget.val };
  });
  // A bare parameter assigned to a column takes the column's type ($1 in SET risk = $1 is an integer), as in PostgreSQL.
  for (const st of sets) typeParam(ctx, st.val, cols[st.index]!.type);
  const targetList = [star, ...sets.map((s) => ({ ResTarget: { val: s.val, location: 0 } }))];
  const bound = bind({ SelectStmt: { targetList, fromClause: from, whereClause: stmt.whereClause, op: 'SETOP_NONE', limitOption: 'LIMIT_OPTION_DEFAULT' } }, true);
  if (describeOnly) return result('UPDATE 0', []);
  const rows = run(bound.plan, params);
  const changes: ChangeBatch = [];
  const n = cols.length;
  const removed = t.keys.map(() => new Set<string>());
  const added = t.keys.map(() => new Map<string, Row>());
  for (const r of rows) {
    const old = r.slice(0, n);
    const next = [...old];
    sets.forEach((s, k) => {
      next[s.index] = assign(r[n + k]!, bound.columns[n + k]!.type, cols[s.index]!.type, cols[s.index]!.name);
    });
    checkRow(t, next);
    t.keys.forEach((k, j) => {
      const before = tableKeyOf(k, old);
      if (before !== null) removed[j]!.add(before);
      const key = tableKeyOf(k, next);
      if (key === null) return;
      if (added[j]!.has(key)) throw duplicateKey(t, k, next);
      added[j]!.set(key, next);
    });
    changes.push({ row: old, weight: -1 }, { row: next, weight: 1 });
  }
  // The statement's rows as a whole: a new key may reuse one that an updated row gives up.
  t.keys.forEach((k, j) => {
    for (const [key, r] of added[j]!) if (k.rows.has(key) && !removed[j]!.has(key)) throw duplicateKey(t, k, r);
  });
  t.keys.forEach((k, j) => {
    for (const key of removed[j]!) k.rows.delete(key);
    for (const [key, r] of added[j]!) k.rows.set(key, r);
  });
  engine.push(t.inputNode, changes);
  return result(`UPDATE ${rows.length}`, changes.filter((c) => c.weight > 0).map((c) => c.row));
}

/**
 * RETURNING's target list bound over the table (null without RETURNING); `over(rows)` is the plan that computes it
 * over the given rows of the table, in their order. Shapes beyond expressions of the table's columns — aggregates,
 * window functions — are refused (0A000).
 */
function bindReturning(clause: PgNode | undefined, from: PgNode[], bind: (select: PgNode) => BoundQuery): { columns: ResultColumn[]; over: (rows: readonly Row[]) => LogicalPlan } | null {
  if (!clause?.exprs?.length) return null;
  const bound = bind({ SelectStmt: { targetList: clause.exprs, fromClause: from, op: 'SETOP_NONE', limitOption: 'LIMIT_OPTION_DEFAULT' } });
  const columns = bound.columns.map((c) => ({ name: c.name, type: c.type }));
  const top = bound.plan;
  const project = top.kind === 'project' ? top : null;
  const scan = project ? project.input : top;
  if (scan.kind !== 'scan') throw new SqlError(SQLSTATE.feature_not_supported, 'RETURNING supports expressions of the written rows only (no aggregates)');
  const over = (rows: readonly Row[]): LogicalPlan => {
    const values: LogicalPlan = { kind: 'values', rows: rows.map((r) => r.map((value, i) => ({ kind: 'literal', value, type: scan.columns[i]!.type }))), columns: scan.columns };
    return project ? { ...project, input: values } : values;
  };
  return { columns, over };
}

/** A row's value of a table key, or null when one of its columns is NULL (such rows never collide). */
export function tableKeyOf(k: { columns: readonly number[] }, row: Row): string | null {
  const values = k.columns.map((i) => row[i]!);
  return values.some((v) => v === null) ? null : rowKey(values);
}

function duplicateKey(t: TableRuntime, k: TableKey, row: Row): SqlError {
  const cols = t.def.columns;
  return new SqlError(SQLSTATE.unique_violation, `duplicate key value violates unique constraint "${k.name}"`, {
    detail: `Key (${k.columns.map((i) => cols[i]!.name).join(', ')})=(${k.columns.map((i) => String(row[i])).join(', ')}) already exists.`,
  });
}

/** The parse tree of column i's DEFAULT (NULL when it has none), to stand for the DEFAULT keyword. */
function defaultExpr(def: TableDef, i: number): PgNode {
  const text = def.columns[i]!.default;
  if (text === undefined) return { A_Const: { isnull: true, location: 0 } };
  return parsePg(`SELECT ${text}`)[0]!.SelectStmt.targetList[0].ResTarget.val;
}

/** True when a parse tree holds a node of that type (a key of that name anywhere inside). */
function containsNode(tree: unknown, type: string): boolean {
  if (Array.isArray(tree)) return tree.some((x) => containsNode(x, type));
  if (tree === null || typeof tree !== 'object') return false;
  return Object.entries(tree).some(([k, v]) => k === type || containsNode(v, type));
}

/** No relation resolves inside a DEFAULT. */
const NO_RELATIONS = {
  resolve(): never {
    throw new SqlError(SQLSTATE.feature_not_supported, 'cannot use a subquery or a relation in a DEFAULT expression');
  },
};

/**
 * Every column's DEFAULT of a table, evaluated at `nowMicros` and assigned to the column's type (null for a column
 * without one). Errors: the expression's bind or cast errors, 0A000 when it reads a column or a relation.
 */
export function evaluateDefaults(engine: Engine, def: TableDef, nowMicros: number): Value[] {
  const withDefault = def.columns.map((c, i) => i).filter((i) => def.columns[i]!.default !== undefined);
  const out: Value[] = def.columns.map(() => null);
  if (withDefault.length === 0) return out;
  const targetList = withDefault.map((i) => ({ ResTarget: { val: defaultExpr(def, i), location: 0 } }));
  let bound;
  try {
    if (containsNode(targetList, 'SubLink')) throw new SqlError(SQLSTATE.feature_not_supported, `cannot use subquery in DEFAULT expression of table "${def.name}"`);
    bound = bindQuery({ SelectStmt: { targetList, op: 'SETOP_NONE', limitOption: 'LIMIT_OPTION_DEFAULT' } }, { mode: 'batch', nowMicros, resolver: NO_RELATIONS, functions: undefined, paramTypes: [], keepUnknown: true });
  } catch (e) {
    if (e instanceof SqlError && e.code === SQLSTATE.undefined_column) {
      throw new SqlError(SQLSTATE.feature_not_supported, `cannot use column reference in DEFAULT expression of table "${def.name}"`, { detail: e.message });
    }
    throw e;
  }
  const [row] = engine.evaluatePlan(bound.plan, []);
  withDefault.forEach((i, k) => {
    out[i] = assign(row![k]!, bound.columns[k]!.type, def.columns[i]!.type, def.columns[i]!.name);
  });
  return out;
}

/** If `node` is a bare $n whose type is still open, give it `type`. */
function typeParam(ctx: DmlContext, node: PgNode, type: SqlType): void {
  const n = node?.ParamRef?.number;
  if (typeof n !== 'number') return;
  while (ctx.paramTypes.length < n) ctx.paramTypes.push(null);
  if (ctx.paramTypes[n - 1] === null || ctx.paramTypes[n - 1] === undefined || ctx.paramTypes[n - 1] === 'unknown') ctx.paramTypes[n - 1] = type;
}

function assign(v: Value, from: SqlType, to: SqlType, column: string): Value {
  if (v === null || from === to) return v;
  if (from === 'unknown') return parseValueText(String(v), to);
  const ctx = castContext(from, to);
  if (ctx !== 'implicit' && ctx !== 'assignment') {
    throw new SqlError(SQLSTATE.datatype_mismatch, `column "${column}" is of type ${to} but expression is of type ${from}`, { hint: 'You will need to rewrite or cast the expression.' });
  }
  return castValue(v, from, to);
}

function checkRow(t: TableRuntime, row: Value[]): void {
  t.def.columns.forEach((c, i) => {
    if (row[i] === null && (c.nullable === false || t.def.primaryKey.includes(i))) {
      throw new SqlError(SQLSTATE.not_null_violation, `null value in column "${c.name}" of relation "${t.def.name}" violates not-null constraint`);
    }
  });
}

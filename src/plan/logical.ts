/**
 * The logical plan: relational operators over bound expressions, produced by the binder, consumed by the
 * stream planner (views) and by the same planner for batch evaluation (ad-hoc SELECT). Immutable nodes with a
 * `kind` discriminant. Invariant: `columns` is the node's output schema, and every BoundExpr in a node refers to
 * its input's columns by position (a join's condition to [...left, ...right]).
 */
import type { Column, Interval, Row, SqlType } from '../common/types.js';
import type { BoundExpr } from './bound.js';

/** What a scan reads: a catalog object (its dataflow node) or a system relation computed at query time. */
export type RelationRef =
  | { kind: 'source' | 'table' | 'materialized view'; name: string; oid: number }
  | { kind: 'system'; name: string; schema: string; oid: number; rows: () => Row[] };

export interface AggCall {
  fn: 'count_star' | 'count' | 'sum' | 'avg' | 'min' | 'max' | 'bool_and' | 'bool_or' | 'string_agg';
  args: BoundExpr[];
  distinct: boolean;
  filter: BoundExpr | null;
  type: SqlType;
  /** Text for EXPLAIN, e.g. count(*) FILTER (WHERE …). */
  display: string;
}

/** One side of a temporal filter: `time <op> now() + offset`, normalised with the row's time on the left. */
export interface TemporalBound {
  time: BoundExpr;
  op: '<' | '<=' | '>' | '>=' | '=';
  /** Interval added to now() (e.g. −1 hour), or null for plain now(). */
  offset: Interval | null;
  display: string;
}

export interface SortKey {
  expr: BoundExpr;
  desc: boolean;
  nullsFirst: boolean;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

export type LogicalPlan =
  | { kind: 'scan'; relation: RelationRef; columns: Column[] }
  | { kind: 'values'; rows: BoundExpr[][]; columns: Column[] }
  /** A set-returning function in FROM (batch only): unnest(array text), generate_series, pg_options_to_table. */
  | { kind: 'table_function'; fn: 'unnest' | 'generate_series' | 'pg_options_to_table'; args: BoundExpr[]; columns: Column[] }
  | { kind: 'project'; input: LogicalPlan; exprs: BoundExpr[]; columns: Column[] }
  | { kind: 'filter'; input: LogicalPlan; predicate: BoundExpr; columns: Column[] }
  | { kind: 'temporal_filter'; input: LogicalPlan; bounds: TemporalBound[]; columns: Column[] }
  | { kind: 'window'; input: LogicalPlan; fn: 'tumble' | 'hop'; timeIndex: number; size: Interval; slide: Interval; offset: Interval; columns: Column[] }
  | { kind: 'aggregate'; input: LogicalPlan; groupBy: BoundExpr[]; aggregates: AggCall[]; columns: Column[] }
  | { kind: 'distinct'; input: LogicalPlan; columns: Column[] }
  | { kind: 'join'; left: LogicalPlan; right: LogicalPlan; joinType: JoinType; condition: BoundExpr | null; columns: Column[] }
  | { kind: 'union'; inputs: LogicalPlan[]; columns: Column[] }
  | { kind: 'sort'; input: LogicalPlan; keys: SortKey[]; columns: Column[] }
  | { kind: 'limit'; input: LogicalPlan; limit: number | null; offset: number; columns: Column[] };

export function children(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'table_function':
      return [];
    case 'join':
      return [p.left, p.right];
    case 'union':
      return p.inputs;
    default:
      return [p.input];
  }
}

/** Relations a plan reads (catalog objects only), for dependency tracking. */
export function relationsRead(p: LogicalPlan, out = new Set<string>()): Set<string> {
  if (p.kind === 'scan' && p.relation.kind !== 'system') out.add(p.relation.name);
  for (const c of children(p)) relationsRead(c, out);
  return out;
}

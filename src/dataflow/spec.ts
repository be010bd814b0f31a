/**
 * DataflowSpec: the planner's output and the dataflow runtime's input — a list of nodes whose expressions are
 * already JS closures. The dataflow knows no SQL; every node is a Z-set operator (see README.md for each law).
 * Invariant: node ids are stable across restarts (they name the nodes' state tables); inputs precede readers.
 */
import type { Row, SqlType, Value } from '../common/types.js';

export type RowFn = (row: Row) => Value;
export type PredFn = (row: Row) => boolean;          // true keeps the row; false and NULL drop it
export type NodeId = string;                          // stable across restarts: names state tables
export interface AggregateSpec {
  fn: 'count_star' | 'count' | 'sum' | 'avg' | 'min' | 'max' | 'bool_and' | 'bool_or' | 'string_agg';
  arg?: RowFn;            // the argument (absent for count_star)
  separator?: RowFn;      // string_agg's 2nd argument (evaluated per row, PG semantics)
  distinct: boolean;      // COUNT(DISTINCT x), SUM(DISTINCT x) …
  filter?: PredFn;        // FILTER (WHERE …)
  inputType: SqlType;     // type of arg
  appendOnly?: boolean;   // the input never retracts a row (min/max then keep one value per group)
  resultType: SqlType;    // PG result type (count → bigint (JS bigint), sum(int) → bigint, sum(bigint) → numeric, avg(int) → numeric, avg(double) → double …)
}
export type NodeSpec = { id: NodeId; label: string /* one line for EXPLAIN */ } & (
  | { kind: 'input'; arity: number }                                   // a source or table feeds changes here
  | { kind: 'map'; input: NodeId; fns: RowFn[] }                        // projection: output row = fns(row)
  | { kind: 'filter'; input: NodeId; pred: PredFn }
  | { kind: 'flatMap'; input: NodeId; fn: (row: Row) => Row[] }         // TUMBLE/HOP window assignment etc.; the
      // array fn returns is read before the next call (fn may reuse it), its rows are kept
  | { kind: 'aggregate'; input: NodeId; groupKey: RowFn[]; aggregates: AggregateSpec[]; global: boolean; having?: PredFn }
      // output row = [...groupKey values, ...aggregate results]; global (no GROUP BY) = exactly one output row
      // always, even on empty input (count 0, sum NULL), like SQL; having: only the rows it keeps are output
  | { kind: 'distinct'; input: NodeId }                                 // multiset → set
  | { kind: 'join'; left: NodeId; right: NodeId; joinType: 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
      leftKey: RowFn[]; rightKey: RowFn[]; residual?: PredFn /* over [...leftRow, ...rightRow] */;
      leftArity: number; rightArity: number }
      // equi keys compare with SQL equality: a NULL key never matches. semi/anti output left rows only.
      // outer joins pad with NULLs. Output row = [...left, ...right] (semi/anti: left only).
  | { kind: 'union'; inputs: NodeId[] }                                 // UNION ALL (UNION = union + distinct)
  | { kind: 'temporalFilter'; input: NodeId; validity: (row: Row) => { from: number; until: number } | null }
      // a row is present while from <= now < until (µs; ±Infinity allowed); null = never present.
      // Implements `ts > NOW() - INTERVAL '1 hour'` as until = ts + 1h. Keeps rows by time in state, emits the
      // insertion when now reaches `from` and the retraction when now reaches `until`, without rescanning rows.
  | { kind: 'topN'; input: NodeId; orderBy: { fn: RowFn; desc: boolean; nullsFirst: boolean }[]; limit: number; offset: number }
  | { kind: 'materialize'; input: NodeId }   // holds the integrated contents (row → multiplicity) in a state table;
      // serves reads and feeds backfill; its output delta = its input delta consolidated
);

/**
 * Evaluation of subqueries used as values in ad-hoc queries (psql's and drivers' catalog queries use them):
 * the subquery's plan is compiled once and evaluated in batch per outer row, with the outer row's referenced
 * columns passed in; an uncorrelated subquery is evaluated once. Never used by views (the binder rejects it).
 */
import { SqlError } from '../common/errors.js';
import type { Row, Value } from '../common/types.js';
import { evaluateBatch } from '../dataflow/graph.js';
import { formatValueText } from '../expr/text-io.js';
import { MemoryStore } from '../state/memory-store.js';
import { compile, type BoundExpr, type CompileOptions, type Compiled } from './bound.js';
import type { RelationRef } from './logical.js';
import { planDataflow } from './stream.js';

export type RelationRows = (ref: RelationRef) => Row[];

export function subqueryCompiler(relationRows: RelationRows): NonNullable<CompileOptions['subquery']> {
  const compileSub = (e: Extract<BoundExpr, { kind: 'subquery' }>, opts: CompileOptions): Compiled => {
    const outerValues: Value[] = [];
    const sp = planDataflow(e.plan, { prefix: 'sq/', ctx: opts.ctx, inputFor: () => null, params: opts.params, outerValues, subquery: compileSub });
    let inputs: Map<string, Row[]> | null = null;
    const args = e.outerArgs.map((a) => compile(a, opts));
    const test = e.test ? compile(e.test, opts) : null;
    const eq = e.eq;
    const type = e.plan.columns[0]?.type ?? 'text';
    const evaluate = (): Row[] => {
      if (!inputs) {
        inputs = new Map();
        for (const i of sp.inputs) inputs.set(i.id, i.rows ?? (i.relation ? relationRows(i.relation) : []));
      }
      return evaluateBatch(sp.nodes, inputs, sp.output, opts.ctx.nowMicros, new MemoryStore());
    };
    let cached: Row[] | null = null;
    const rowsFor = (row: Row): Row[] => {
      if (args.length === 0) return (cached ??= evaluate());
      outerValues.length = 0;
      for (const a of args) outerValues.push(a(row));
      return evaluate();
    };
    switch (e.mode) {
      case 'scalar':
        return (row) => {
          const rows = rowsFor(row);
          if (rows.length > 1) throw new SqlError('21000', 'more than one row returned by a subquery used as an expression');
          return rows[0]?.[0] ?? null;
        };
      case 'exists':
        return (row) => rowsFor(row).length > 0;
      case 'array':
        return (row) => '{' + rowsFor(row).map((r) => arrayElement(r[0] ?? null, type)).join(',') + '}';
      case 'in':
        return (row) => {
          const v = test!(row);
          if (v === null) return null;
          let sawNull = false;
          for (const r of rowsFor(row)) {
            const w = r[0] ?? null;
            if (w === null) sawNull = true;
            else if (eq!.impl([v, w], opts.ctx) === true) return true;
          }
          return sawNull ? null : false;
        };
    }
  };
  return compileSub;
}

/** One element of PostgreSQL's array text output: quoted when it needs to be. */
function arrayElement(v: Value, type: import('../common/types.js').SqlType): string {
  if (v === null) return 'NULL';
  const text = formatValueText(v, type);
  return /^[^\s{}",\\]+$/.test(text) && text.toUpperCase() !== 'NULL' ? text : '"' + text.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/**
 * Logical rewrites applied after binding: push WHERE conjuncts below inner joins and into their conditions, so
 * `FROM a, b WHERE a.x = b.y` becomes a hash join instead of a cross product, and single-side filters run before
 * the join (smaller join state). Pure function; preserves the plan's output (only inner joins are rewritten).
 */
import { columnsUsed, mapChildren, shiftColumns, type BoundExpr } from './bound.js';
import type { LogicalPlan } from './logical.js';

export function pushDownFilters(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'filter': {
      const input = pushDownFilters(plan.input);
      if (input.kind === 'join' && input.joinType === 'inner') return pushIntoJoin(input, conjuncts(plan.predicate));
      return { ...plan, input };
    }
    case 'join':
      return { ...plan, left: pushDownFilters(plan.left), right: pushDownFilters(plan.right) };
    case 'union':
      return { ...plan, inputs: plan.inputs.map(pushDownFilters) };
    case 'scan':
    case 'values':
    case 'table_function':
      return plan;
    default:
      return { ...plan, input: pushDownFilters(plan.input) } as LogicalPlan;
  }
}

function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(es: BoundExpr[]): BoundExpr | null {
  return es.length === 0 ? null : es.length === 1 ? es[0]! : { kind: 'and', args: es, type: 'boolean' };
}

function pushIntoJoin(join: Extract<LogicalPlan, { kind: 'join' }>, preds: BoundExpr[]): LogicalPlan {
  const la = join.left.columns.length;
  const left: BoundExpr[] = [];
  const right: BoundExpr[] = [];
  const both: BoundExpr[] = join.condition ? conjuncts(join.condition) : [];
  for (const p of preds) {
    const used = [...columnsUsed(p)];
    if (p.kind === 'subquery' || used.length === 0 || hasSubquery(p)) both.push(p);
    else if (used.every((i) => i < la)) left.push(p);
    else if (used.every((i) => i >= la)) right.push(shiftColumns(p, -la));
    else both.push(p);
  }
  const wrap = (side: LogicalPlan, ps: BoundExpr[]): LogicalPlan => {
    const pred = and(ps);
    if (!pred) return side;
    const f: LogicalPlan = { kind: 'filter', input: side, predicate: pred, columns: side.columns };
    return pushDownFilters(f);
  };
  return { ...join, left: wrap(join.left, left), right: wrap(join.right, right), condition: and(both) };
}

function hasSubquery(e: BoundExpr): boolean {
  let found = e.kind === 'subquery';
  if (!found) mapChildren(e, (c) => ((found ||= hasSubquery(c)), c));
  return found;
}

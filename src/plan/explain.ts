/**
 * EXPLAIN (LOGICAL): the logical plan as an indented tree, one operator per line with its expressions.
 * Pure function of the plan; output is stable (golden-file tested).
 */
import { exprText } from './bound.js';
import { children, type LogicalPlan } from './logical.js';

export function explainLogical(plan: LogicalPlan): string {
  const lines: string[] = [];
  const visit = (p: LogicalPlan, depth: number): void => {
    const prefix = depth === 0 ? '' : `${'  '.repeat(depth - 1)}└─ `;
    lines.push(prefix + describe(p));
    for (const c of children(p)) visit(c, depth + 1);
  };
  visit(plan, 0);
  return lines.join('\n');
}

function describe(p: LogicalPlan): string {
  const inNames = (q: LogicalPlan): string[] => q.columns.map((c) => c.name);
  switch (p.kind) {
    case 'scan':
      return `LogicalScan ${p.relation.kind === 'system' ? `${p.relation.schema}.` : ''}${p.relation.name} [${p.columns.map((c) => c.name).join(', ')}]`;
    case 'values':
      return `LogicalValues (${p.rows.length} rows)`;
    case 'table_function':
      return `LogicalTableFunction ${p.fn}`;
    case 'project':
      return `LogicalProject ${p.exprs.map((e, i) => `${exprText(e, inNames(p.input))} AS ${p.columns[i]!.name}`).join(', ')}`;
    case 'filter':
      return `LogicalFilter ${exprText(p.predicate, inNames(p.input))}`;
    case 'temporal_filter':
      return `LogicalTemporalFilter ${p.bounds.map((b) => b.display).join(' AND ')}`;
    case 'window':
      return `Logical${p.fn === 'tumble' ? 'Tumble' : 'Hop'} time=${p.input.columns[p.timeIndex]!.name}`;
    case 'aggregate':
      return `LogicalAggregate group=[${p.groupBy.map((g) => exprText(g, inNames(p.input))).join(', ')}] aggs=[${p.aggregates.map((a) => a.display).join(', ')}]`;
    case 'distinct':
      return 'LogicalDistinct';
    case 'join':
      return `LogicalJoin ${p.joinType}${p.condition ? ` on ${exprText(p.condition, [...inNames(p.left), ...inNames(p.right)])}` : ''}`;
    case 'union':
      return `LogicalUnion all (${p.inputs.length} inputs)`;
    case 'sort':
      return `LogicalSort ${p.keys.map((k) => exprText(k.expr, inNames(p.input)) + (k.desc ? ' DESC' : '')).join(', ')}`;
    case 'limit':
      return `LogicalLimit ${p.limit ?? 'ALL'} offset ${p.offset}`;
  }
}

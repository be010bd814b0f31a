/**
 * Random dataflow pipelines for property tests (dataflow-property, dataflow-batch-interrupt): a description of a
 * pipeline over two inputs, A (3 columns) and B (2), as a fast-check generator (filter, map, aggregate with every
 * fn ± DISTINCT ± FILTER, joins of every type ± residual, union, distinct, temporal filter, topN), the closures
 * each operator runs (shared with a test's own naive evaluator), the DataflowSpec built from a description, and
 * a canonical text form of a multiset of rows for comparisons. Stateless.
 */
import fc from 'fast-check';
import type { AggregateSpec, NodeSpec, RowFn } from '../../src/dataflow/spec.js';
import type { Row, SqlType, Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';

// ------------------------------------------------------------------ the integer view every closure uses

/** Any Value as a small integer (or NULL), so any operator can follow any other. */
export function iv(v: Value): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v.length;
  if (v instanceof Numeric) return Math.trunc(v.toNumber());
  return 0;
}

// ------------------------------------------------------------------ pipeline descriptions

export type AggFn = AggregateSpec['fn'];
export interface AggD {
  fn: AggFn;
  col: number;
  distinct: boolean;
  filter: null | { col: number; gt: number };
}
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
export type Rel =
  | { k: 'A' }
  | { k: 'B' }
  | { k: 'filter'; in: Rel; col: number; op: 'gt' | 'eq' | 'null'; n: number }
  | { k: 'map'; in: Rel; cols: number[]; plus: [number, number] | null }
  | { k: 'agg'; in: Rel; group: number[]; aggs: AggD[]; global: boolean }
  | { k: 'distinct'; in: Rel }
  | { k: 'join'; l: Rel; r: Rel; type: JoinType; lk: number; rk: number; residual: null | [number, number] }
  | { k: 'union'; a: Rel; b: Rel }
  | { k: 'temporal'; in: Rel; col: number; span: number }
  | { k: 'topN'; in: Rel; col: number; desc: boolean; nullsFirst: boolean; limit: number; offset: number };

export const idx = fc.nat({ max: 9 });
export const aggArb: fc.Arbitrary<AggD> = fc.record({
  fn: fc.constantFrom<AggFn>('count_star', 'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'string_agg'),
  col: idx,
  distinct: fc.boolean(),
  filter: fc.option(fc.record({ col: idx, gt: fc.integer({ min: 0, max: 2 }) }), { nil: null }),
});

export function relArb(depth: number): fc.Arbitrary<Rel> {
  const leaf = fc.constantFrom<Rel>({ k: 'A' }, { k: 'B' });
  if (depth === 0) return leaf;
  const sub = relArb(depth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('filter' as const), in: sub, col: idx, op: fc.constantFrom<'gt' | 'eq' | 'null'>('gt', 'eq', 'null'), n: fc.integer({ min: 0, max: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('map' as const), in: sub, cols: fc.array(idx, { minLength: 1, maxLength: 3 }), plus: fc.option(fc.tuple(idx, idx), { nil: null }) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('agg' as const), in: sub, group: fc.array(idx, { maxLength: 2 }), aggs: fc.array(aggArb, { minLength: 1, maxLength: 3 }), global: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('distinct' as const), in: sub }) },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant('join' as const),
        l: sub,
        r: sub,
        type: fc.constantFrom<JoinType>('inner', 'left', 'right', 'full', 'semi', 'anti'),
        lk: idx,
        rk: idx,
        residual: fc.option(fc.tuple(idx, idx), { nil: null }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('union' as const), a: sub, b: sub }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('temporal' as const), in: sub, col: idx, span: fc.integer({ min: 1, max: 3 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('topN' as const),
        in: sub,
        col: idx,
        desc: fc.boolean(),
        nullsFirst: fc.boolean(),
        limit: fc.integer({ min: 0, max: 3 }),
        offset: fc.integer({ min: 0, max: 2 }),
      }),
    },
  );
}

export function arity(r: Rel): number {
  switch (r.k) {
    case 'A':
      return 3;
    case 'B':
      return 2;
    case 'filter':
    case 'distinct':
    case 'temporal':
    case 'topN':
      return arity(r.in);
    case 'map':
      return r.cols.length + (r.plus ? 1 : 0);
    case 'agg':
      return (r.global ? 0 : r.group.length) + r.aggs.length;
    case 'join':
      return r.type === 'semi' || r.type === 'anti' ? arity(r.l) : arity(r.l) + arity(r.r);
    case 'union':
      return 2;
  }
}

// ------------------------------------------------------------------ the closures, shared by both sides

export const at = (n: number, i: number): number => i % n;
export const colFn = (n: number, i: number): RowFn => {
  const c = at(n, i);
  return (r) => r[c]!;
};
export function filterPred(r: Extract<Rel, { k: 'filter' }>): (row: Row) => boolean {
  const c = at(arity(r.in), r.col);
  if (r.op === 'null') return (row) => row[c] === null;
  return (row) => {
    const x = iv(row[c]!);
    return x !== null && (r.op === 'gt' ? x > r.n : x === r.n);
  };
}
export function mapFns(r: Extract<Rel, { k: 'map' }>): RowFn[] {
  const n = arity(r.in);
  const fns = r.cols.map((i) => colFn(n, i));
  if (r.plus) {
    const [a, b] = [at(n, r.plus[0]), at(n, r.plus[1])];
    fns.push((row) => {
      const x = iv(row[a]!);
      const y = iv(row[b]!);
      return x === null || y === null ? null : x + y;
    });
  }
  return fns;
}
/** Union inputs are cast to integers: a column has one type (the state key codec relies on it: 1 = 1n). */
export const unionFns = (n: number): RowFn[] => [(r) => iv(r[0]!), (r) => iv(r[n - 1]!)];
export function aggSpec(n: number, a: AggD): AggregateSpec {
  const c = at(n, a.col);
  const intArg: RowFn = (row) => iv(row[c]!);
  const resultType: Record<AggFn, SqlType> = { count_star: 'bigint', count: 'bigint', sum: 'bigint', avg: 'numeric', min: 'integer', max: 'integer', bool_and: 'boolean', bool_or: 'boolean', string_agg: 'text' };
  const spec: AggregateSpec = { fn: a.fn, distinct: a.fn === 'count_star' ? false : a.distinct, inputType: 'integer', resultType: resultType[a.fn] };
  if (a.fn === 'bool_and' || a.fn === 'bool_or') {
    spec.arg = (row) => {
      const x = iv(row[c]!);
      return x === null ? null : x > 1;
    };
    spec.inputType = 'boolean';
  } else if (a.fn === 'string_agg') {
    spec.arg = (row) => {
      const x = iv(row[c]!);
      return x === null ? null : 's' + x;
    };
    spec.separator = (row) => ((iv(row[c]!) ?? 0) % 2 === 0 ? ',' : null);
    spec.inputType = 'text';
  } else if (a.fn !== 'count_star') spec.arg = intArg;
  if (a.filter) {
    const fc2 = at(n, a.filter.col);
    const gt = a.filter.gt;
    spec.filter = (row) => {
      const x = iv(row[fc2]!);
      return x !== null && x > gt;
    };
  }
  return spec;
}
export function validityFn(r: Extract<Rel, { k: 'temporal' }>): (row: Row) => { from: number; until: number } | null {
  const c = at(arity(r.in), r.col);
  return (row) => {
    const x = iv(row[c]!);
    return x === null ? null : { from: x, until: x + r.span };
  };
}

// ------------------------------------------------------------------ build the DataflowSpec

export function build(rel: Rel, nodes: NodeSpec[], ids: { n: number }): string {
  const id = (): string => `n${ids.n++}`;
  switch (rel.k) {
    case 'A':
      return 'A';
    case 'B':
      return 'B';
    case 'filter': {
      const input = build(rel.in, nodes, ids);
      const me = id();
      nodes.push({ id: me, label: 'filter', kind: 'filter', input, pred: filterPred(rel) });
      return me;
    }
    case 'map': {
      const input = build(rel.in, nodes, ids);
      const me = id();
      nodes.push({ id: me, label: 'map', kind: 'map', input, fns: mapFns(rel) });
      return me;
    }
    case 'agg': {
      const n = arity(rel.in);
      const input = build(rel.in, nodes, ids);
      const me = id();
      nodes.push({ id: me, label: 'agg', kind: 'aggregate', input, global: rel.global, groupKey: rel.global ? [] : rel.group.map((i) => colFn(n, i)), aggregates: rel.aggs.map((a) => aggSpec(n, a)) });
      return me;
    }
    case 'distinct': {
      const input = build(rel.in, nodes, ids);
      const me = id();
      nodes.push({ id: me, label: 'distinct', kind: 'distinct', input });
      return me;
    }
    case 'join': {
      const [ln, rn] = [arity(rel.l), arity(rel.r)];
      const left = build(rel.l, nodes, ids);
      const right = build(rel.r, nodes, ids);
      const me = id();
      const res = rel.residual;
      const lkc = at(ln, rel.lk);
      const rkc = at(rn, rel.rk);
      nodes.push({
        id: me,
        label: rel.type,
        kind: 'join',
        left,
        right,
        joinType: rel.type,
        leftKey: [(row) => iv(row[lkc]!)],
        rightKey: [(row) => iv(row[rkc]!)],
        leftArity: ln,
        rightArity: rn,
        ...(res ? { residual: residualFn(ln, rn, res) } : {}),
      });
      return me;
    }
    case 'union': {
      const a = build(rel.a, nodes, ids);
      const b = build(rel.b, nodes, ids);
      const [ma, mb, me] = [id(), id(), id()];
      nodes.push({ id: ma, label: 'ua', kind: 'map', input: a, fns: unionFns(arity(rel.a)) });
      nodes.push({ id: mb, label: 'ub', kind: 'map', input: b, fns: unionFns(arity(rel.b)) });
      nodes.push({ id: me, label: 'union', kind: 'union', inputs: [ma, mb] });
      return me;
    }
    case 'temporal': {
      const input = build(rel.in, nodes, ids);
      const me = id();
      nodes.push({ id: me, label: 'temporal', kind: 'temporalFilter', input, validity: validityFn(rel) });
      return me;
    }
    case 'topN': {
      const input = build(rel.in, nodes, ids);
      const me = id();
      nodes.push({ id: me, label: 'topN', kind: 'topN', input, orderBy: [{ fn: colFn(arity(rel.in), rel.col), desc: rel.desc, nullsFirst: rel.nullsFirst }], limit: rel.limit, offset: rel.offset });
      return me;
    }
  }
}
export function residualFn(ln: number, rn: number, [a, b]: [number, number]): (row: Row) => boolean {
  const lc = at(ln, a);
  const rc = ln + at(rn, b);
  return (row) => {
    const x = iv(row[lc]!);
    const y = iv(row[rc]!);
    return x !== null && y !== null && x <= y;
  };
}


// ------------------------------------------------------------------ comparison

export function show(v: Value): string {
  if (v === null) return 'N';
  if (v instanceof Numeric) return 'd' + v.toString();
  if (typeof v === 'bigint') return 'b' + v.toString();
  if (typeof v === 'number') return 'i' + (Object.is(v, -0) ? 0 : v);
  return typeof v + ':' + JSON.stringify(v);
}
export const canon = (rows: Iterable<Row>): string[] => [...rows].map((r) => r.map(show).join(' ')).sort();

/** The pipeline's nodes, inputs A and B first, and the id of the node whose output is the pipeline's. */
export function pipelineNodes(rel: Rel): { nodes: NodeSpec[]; output: string } {
  const nodes: NodeSpec[] = [
    { id: 'A', label: 'A', kind: 'input', arity: 3 },
    { id: 'B', label: 'B', kind: 'input', arity: 2 },
  ];
  const output = build(rel, nodes, { n: 0 });
  return { nodes, output };
}

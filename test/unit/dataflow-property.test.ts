/**
 * Property test of the dataflow's Z-set law: random small-domain inputs with weights ±1 over many steps,
 * random operator pipelines (filter, map, aggregate with every fn ± DISTINCT ± FILTER, joins of every type ±
 * residual, union, distinct, temporal filter under a moving clock, topN), with a restart from the store at a
 * random step. After every step the materialized output must equal an independent naive batch evaluation of the
 * same pipeline over the integrated input. SLUICE_PROPERTY_RUNS=n runs more cases (default keeps CI ≈ 10–20 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dataflow } from '../../src/dataflow/index.js';
import type { AggregateSpec, NodeSpec, RowFn } from '../../src/dataflow/spec.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { Row, SqlType, Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import { compareValues } from '../../src/common/compare.js';
import { rowKey, valueKey } from '../../src/common/rowkey.js';

const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 20000);

// ------------------------------------------------------------------ the integer view every closure uses

/** Any Value as a small integer (or NULL), so any operator can follow any other. */
function iv(v: Value): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v.length;
  if (v instanceof Numeric) return Math.trunc(v.toNumber());
  return 0;
}

// ------------------------------------------------------------------ pipeline descriptions

type AggFn = AggregateSpec['fn'];
interface AggD {
  fn: AggFn;
  col: number;
  distinct: boolean;
  filter: null | { col: number; gt: number };
}
type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
type Rel =
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

const idx = fc.nat({ max: 9 });
const aggArb: fc.Arbitrary<AggD> = fc.record({
  fn: fc.constantFrom<AggFn>('count_star', 'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'string_agg'),
  col: idx,
  distinct: fc.boolean(),
  filter: fc.option(fc.record({ col: idx, gt: fc.integer({ min: 0, max: 2 }) }), { nil: null }),
});

function relArb(depth: number): fc.Arbitrary<Rel> {
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

function arity(r: Rel): number {
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

const at = (n: number, i: number): number => i % n;
const colFn = (n: number, i: number): RowFn => {
  const c = at(n, i);
  return (r) => r[c]!;
};
function filterPred(r: Extract<Rel, { k: 'filter' }>): (row: Row) => boolean {
  const c = at(arity(r.in), r.col);
  if (r.op === 'null') return (row) => row[c] === null;
  return (row) => {
    const x = iv(row[c]!);
    return x !== null && (r.op === 'gt' ? x > r.n : x === r.n);
  };
}
function mapFns(r: Extract<Rel, { k: 'map' }>): RowFn[] {
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
const unionFns = (n: number): RowFn[] => [(r) => iv(r[0]!), (r) => iv(r[n - 1]!)];
function aggSpec(n: number, a: AggD): AggregateSpec {
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
function validityFn(r: Extract<Rel, { k: 'temporal' }>): (row: Row) => { from: number; until: number } | null {
  const c = at(arity(r.in), r.col);
  return (row) => {
    const x = iv(row[c]!);
    return x === null ? null : { from: x, until: x + r.span };
  };
}

// ------------------------------------------------------------------ build the DataflowSpec

function build(rel: Rel, nodes: NodeSpec[], ids: { n: number }): string {
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
function residualFn(ln: number, rn: number, [a, b]: [number, number]): (row: Row) => boolean {
  const lc = at(ln, a);
  const rc = ln + at(rn, b);
  return (row) => {
    const x = iv(row[lc]!);
    const y = iv(row[rc]!);
    return x !== null && y !== null && x <= y;
  };
}

// ------------------------------------------------------------------ the naive batch evaluator (from the spec)

function naive(rel: Rel, A: Row[], B: Row[], now: number): Row[] {
  switch (rel.k) {
    case 'A':
      return A;
    case 'B':
      return B;
    case 'filter':
      return naive(rel.in, A, B, now).filter(filterPred(rel));
    case 'map': {
      const fns = mapFns(rel);
      return naive(rel.in, A, B, now).map((r) => fns.map((f) => f(r)));
    }
    case 'distinct': {
      const seen = new Map<string, Row>();
      for (const r of naive(rel.in, A, B, now)) if (!seen.has(rowKey(r))) seen.set(rowKey(r), r);
      return [...seen.values()];
    }
    case 'union':
      return [...naive(rel.a, A, B, now).map((r) => unionFns(arity(rel.a)).map((f) => f(r))), ...naive(rel.b, A, B, now).map((r) => unionFns(arity(rel.b)).map((f) => f(r)))];
    case 'temporal': {
      const v = validityFn(rel);
      return naive(rel.in, A, B, now).filter((r) => {
        const x = v(r);
        return x !== null && x.from <= now && now < x.until;
      });
    }
    case 'topN': {
      const c = at(arity(rel.in), rel.col);
      const rows = [...naive(rel.in, A, B, now)];
      rows.sort((x, y) => {
        const a = x[c]!;
        const b = y[c]!;
        if (a === null || b === null) {
          if (a !== b) return (a === null) === rel.nullsFirst ? -1 : 1;
        } else {
          const d = compareValues(a, b);
          if (d !== 0) return rel.desc ? -d : d;
        }
        for (let i = 0; i < x.length; i++) {
          const d = compareValues(x[i]!, y[i]!);
          if (d !== 0) return d;
        }
        return rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0;
      });
      return rows.slice(rel.offset, rel.offset + rel.limit);
    }
    case 'join': {
      const L = naive(rel.l, A, B, now);
      const R = naive(rel.r, A, B, now);
      const [ln, rn] = [arity(rel.l), arity(rel.r)];
      const lkc = at(ln, rel.lk);
      const rkc = at(rn, rel.rk);
      const res = rel.residual ? residualFn(ln, rn, rel.residual) : null;
      const match = (l: Row, r: Row): boolean => {
        const x = iv(l[lkc]!);
        const y = iv(r[rkc]!);
        return x !== null && y !== null && x === y && (res === null || res([...l, ...r]));
      };
      const out: Row[] = [];
      const rMatched = new Array<boolean>(R.length).fill(false);
      for (const l of L) {
        let any = false;
        R.forEach((r, j) => {
          if (!match(l, r)) return;
          any = true;
          rMatched[j] = true;
          if (rel.type !== 'semi' && rel.type !== 'anti') out.push([...l, ...r]);
        });
        if (rel.type === 'semi' && any) out.push(l);
        if (rel.type === 'anti' && !any) out.push(l);
        if ((rel.type === 'left' || rel.type === 'full') && !any) out.push([...l, ...new Array<Value>(rn).fill(null)]);
      }
      if (rel.type === 'right' || rel.type === 'full') R.forEach((r, j) => !rMatched[j] && out.push([...new Array<Value>(ln).fill(null), ...r]));
      return out;
    }
    case 'agg': {
      const n = arity(rel.in);
      const input = naive(rel.in, A, B, now);
      const keyCols = rel.global ? [] : rel.group.map((i) => at(n, i));
      const groups = new Map<string, Row[]>();
      for (const r of input) {
        const k = rowKey(keyCols.map((c) => r[c]!));
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      if (rel.global && groups.size === 0) groups.set('', []);
      const out: Row[] = [];
      for (const rows of groups.values()) {
        const key = rel.global || rows.length === 0 ? [] : keyCols.map((c) => rows[0]![c]!);
        out.push([...key, ...rel.aggs.map((a) => naiveAgg(aggSpec(n, a), rows))]);
      }
      return out;
    }
  }
}

function naiveAgg(spec: AggregateSpec, rows: Row[]): Value {
  const kept = rows.filter((r) => spec.filter === undefined || spec.filter(r));
  if (spec.fn === 'count_star') return BigInt(kept.length);
  let items = kept.map((r) => ({ v: spec.arg!(r), s: spec.separator ? spec.separator(r) : null })).filter((x) => x.v !== null);
  if (spec.distinct) {
    const seen = new Map<string, { v: Value; s: Value }>();
    for (const x of items) {
      const k = spec.fn === 'string_agg' ? valueKey(x.v) + '|' + valueKey(x.s) : valueKey(x.v);
      if (!seen.has(k)) seen.set(k, x);
    }
    items = [...seen.values()];
  }
  const vs = items.map((x) => x.v);
  switch (spec.fn) {
    case 'count':
      return BigInt(vs.length);
    case 'sum':
      return vs.length === 0 ? null : vs.reduce<bigint>((a, v) => a + BigInt(v as number), 0n);
    case 'avg':
      return vs.length === 0 ? null : new Numeric(vs.reduce<bigint>((a, v) => a + BigInt(v as number), 0n), 0).div(new Numeric(BigInt(vs.length), 0));
    case 'min':
    case 'max':
      return vs.length === 0 ? null : vs.reduce((a, v) => ((spec.fn === 'max' ? compareValues(v, a) > 0 : compareValues(v, a) < 0) ? v : a));
    case 'bool_and':
      return vs.length === 0 ? null : vs.every((v) => v === true);
    case 'bool_or':
      return vs.length === 0 ? null : vs.some((v) => v === true);
    case 'string_agg': {
      if (items.length === 0) return null;
      const sorted = [...items].sort((a, b) => compareValues(a.v, b.v) || compareValues(a.s, b.s));
      return sorted.map((x, i) => (i > 0 && x.s !== null ? String(x.s) : '') + String(x.v)).join('');
    }
    default:
      throw new Error('unreachable');
  }
}

// ------------------------------------------------------------------ comparison

function show(v: Value): string {
  if (v === null) return 'N';
  if (v instanceof Numeric) return 'd' + v.toString();
  if (typeof v === 'bigint') return 'b' + v.toString();
  if (typeof v === 'number') return 'i' + (Object.is(v, -0) ? 0 : v);
  return typeof v + ':' + JSON.stringify(v);
}
const canon = (rows: Iterable<Row>): string[] => [...rows].map((r) => r.map(show).join(' ')).sort();

// ------------------------------------------------------------------ the property

const small = fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 5 });
const changeArb = fc.record({ table: fc.constantFrom<'A' | 'B'>('A', 'B'), vals: fc.tuple(small, small, small), del: fc.boolean() });
const stepArb = fc.record({ changes: fc.array(changeArb, { maxLength: 14 }), advance: fc.integer({ min: 0, max: 2 }) });

test('integrated incremental output equals the naive batch evaluation after every step', async () => {
  await fc.assert(
    // residentRows: all state in memory, or a budget so small that aggregate/materialize nodes evict and read back.
    fc.asyncProperty(relArb(3), fc.array(stepArb, { minLength: 1, maxLength: 8 }), fc.nat({ max: 8 }), fc.constantFrom(Infinity, 1, 2), async (rel, steps, restartAt, residentRows) => {
      const nodes: NodeSpec[] = [
        { id: 'A', label: 'A', kind: 'input', arity: 3 },
        { id: 'B', label: 'B', kind: 'input', arity: 2 },
      ];
      const top = build(rel, nodes, { n: 0 });
      nodes.push({ id: 'out', label: 'out', kind: 'materialize', input: top });
      const store = new MemoryStore();
      let df = new Dataflow(store, { residentRows });
      df.addNodes(nodes);
      const live = { A: new Map<string, { row: Row; n: number }>(), B: new Map<string, { row: Row; n: number }>() };
      let now = 0;
      for (let s = 0; s < steps.length; s++) {
        if (s === restartAt) {
          df = new Dataflow(store, { residentRows });
          df.addNodes(nodes);
        }
        const st = steps[s]!;
        now += st.advance;
        const batches = { A: [] as { row: Row; weight: number }[], B: [] as { row: Row; weight: number }[] };
        for (const c of st.changes) {
          const row: Row = c.table === 'A' ? c.vals : c.vals.slice(0, 2);
          const k = rowKey(row);
          const m = live[c.table];
          const e = m.get(k);
          const weight = c.del && e !== undefined ? -1 : 1;
          if (e === undefined) m.set(k, { row, n: 1 });
          else if ((e.n += weight) === 0) m.delete(k);
          batches[c.table].push({ row, weight });
        }
        if (batches.A.length > 0) df.push('A', batches.A);
        if (batches.B.length > 0) df.push('B', batches.B);
        df.step(now);
        await store.commitEpoch(s + 1);
        const expand = (m: Map<string, { row: Row; n: number }>): Row[] => [...m.values()].flatMap((e) => new Array<Row>(e.n).fill(e.row));
        const got = canon([...df.contents('out')].flatMap(([row, n]) => {
          assert.ok(n > 0, `negative multiplicity ${n}`);
          return new Array<Row>(n).fill(row);
        }));
        const want = canon(naive(rel, expand(live.A), expand(live.B), now));
        assert.deepEqual(got, want, `step ${s + 1} at now=${now}`);
      }
    }),
    { numRuns: RUNS, includeErrorInReport: true },
  );
});

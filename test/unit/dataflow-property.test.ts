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
import type { AggregateSpec } from '../../src/dataflow/spec.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { Row, Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import { aggSpec, arity, at, canon, filterPred, iv, mapFns, pipelineNodes, relArb, residualFn, unionFns, validityFn, type Rel } from '../harness/random-pipelines.js';
import { compareValues } from '../../src/common/compare.js';
import { rowKey, valueKey } from '../../src/common/rowkey.js';

const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 20000);

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


// ------------------------------------------------------------------ the property

const small = fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 5 });
const changeArb = fc.record({ table: fc.constantFrom<'A' | 'B'>('A', 'B'), vals: fc.tuple(small, small, small), del: fc.boolean() });
const stepArb = fc.record({ changes: fc.array(changeArb, { maxLength: 14 }), advance: fc.integer({ min: 0, max: 2 }) });

test('integrated incremental output equals the naive batch evaluation after every step', async () => {
  await fc.assert(
    // residentRows: all state in memory, or a budget so small that aggregate/materialize nodes evict and read back.
    fc.asyncProperty(relArb(3), fc.array(stepArb, { minLength: 1, maxLength: 8 }), fc.nat({ max: 8 }), fc.constantFrom(Infinity, 1, 2), async (rel, steps, restartAt, residentRows) => {
      const { nodes, output: top } = pipelineNodes(rel);
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

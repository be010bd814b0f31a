/**
 * Recovery equivalence over the real LMDB store: the same graph (aggregates of every kind, outer/semi joins,
 * temporal filter, topN, distinct) fed the same deterministic stream of inserts and deletes, once straight
 * over a MemoryStore and once over an LmdbStore that is closed and reopened (new Dataflow, nodes re-added)
 * every few epochs. After every epoch all materialized views must be identical, printed exactly. Run twice: with
 * all state resident, and with a budget of 3 resident groups/rows per node, so aggregate and materialize nodes
 * evict, start lazily after each reopen and read groups and rows back from LMDB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataflow } from '../../src/dataflow/index.js';
import type { AggregateSpec, NodeSpec } from '../../src/dataflow/spec.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { LmdbStore } from '../../src/state/lmdb-store.js';
import type { StateStore } from '../../src/state/store.js';
import { Numeric } from '../../src/common/numeric.js';
import type { ChangeBatch } from '../../src/common/changes.js';
import type { Row, SqlType, Value } from '../../src/common/types.js';

const col = (i: number) => (r: Row): Value => r[i]!;
const a = (fn: AggregateSpec['fn'], i: number | undefined, inputType: SqlType, resultType: SqlType, more: Partial<AggregateSpec> = {}): AggregateSpec => ({
  fn,
  ...(i === undefined ? {} : { arg: col(i) }),
  distinct: false,
  inputType,
  resultType,
  ...more,
});

// A: [k integer, v integer, n numeric, s text]; B: [k integer, w text]
const NODES: NodeSpec[] = [
  { id: 'A', label: 'A', kind: 'input', arity: 4 },
  { id: 'B', label: 'B', kind: 'input', arity: 2 },
  {
    id: 'agg',
    label: 'by k',
    kind: 'aggregate',
    input: 'A',
    groupKey: [col(0)],
    global: false,
    aggregates: [
      a('count_star', undefined, 'bigint', 'bigint'),
      a('sum', 1, 'integer', 'bigint'),
      a('avg', 2, 'numeric', 'numeric'),
      a('sum', 2, 'numeric', 'numeric'),
      a('max', 1, 'integer', 'integer'),
      a('count', 3, 'text', 'bigint', { distinct: true }),
      a('string_agg', 3, 'text', 'text', { separator: () => ',' }),
      a('bool_or', undefined, 'boolean', 'boolean', { arg: (r) => (r[1] === null ? null : (r[1] as number) > 10) }),
    ],
  },
  { id: 'agg_mv', label: '', kind: 'materialize', input: 'agg' },
  { id: 'glob', label: 'global', kind: 'aggregate', input: 'A', groupKey: [], global: true, aggregates: [a('count_star', undefined, 'bigint', 'bigint'), a('avg', 1, 'integer', 'numeric'), a('min', 3, 'text', 'text')] },
  { id: 'glob_mv', label: '', kind: 'materialize', input: 'glob' },
  { id: 'lj', label: 'left', kind: 'join', left: 'A', right: 'B', joinType: 'left', leftKey: [col(0)], rightKey: [col(0)], leftArity: 4, rightArity: 2 },
  { id: 'lj_mv', label: '', kind: 'materialize', input: 'lj' },
  { id: 'fj', label: 'full', kind: 'join', left: 'agg_mv', right: 'B', joinType: 'full', leftKey: [col(0)], rightKey: [col(0)], residual: (r) => r[9] !== 'w0', leftArity: 9, rightArity: 2 },
  { id: 'fj_mv', label: '', kind: 'materialize', input: 'fj' },
  { id: 'anti', label: 'anti', kind: 'join', left: 'B', right: 'A', joinType: 'anti', leftKey: [col(0)], rightKey: [col(0)], leftArity: 2, rightArity: 4 },
  { id: 'anti_mv', label: '', kind: 'materialize', input: 'anti' },
  { id: 'tf', label: 'v <= now < v + 5', kind: 'temporalFilter', input: 'A', validity: (r) => (r[1] === null ? null : { from: r[1] as number, until: (r[1] as number) + 5 }) },
  { id: 'tf_mv', label: '', kind: 'materialize', input: 'tf' },
  { id: 'top', label: 'top 3 by v desc', kind: 'topN', input: 'A', orderBy: [{ fn: col(1), desc: true, nullsFirst: false }], limit: 3, offset: 1 },
  { id: 'top_mv', label: '', kind: 'materialize', input: 'top' },
  { id: 'ks', label: 'k, s', kind: 'map', input: 'A', fns: [col(0), col(3)] },
  { id: 'dist', label: 'distinct', kind: 'distinct', input: 'ks' },
  { id: 'dist_mv', label: '', kind: 'materialize', input: 'dist' },
];
const VIEWS = NODES.filter((n) => n.kind === 'materialize').map((n) => n.id);

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Epoch batches: inserts of random rows and deletes of live ones. */
function stream(seed: number, epochs: number): { A: ChangeBatch; B: ChangeBatch }[] {
  const r = rng(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const liveA: Row[] = [];
  const liveB: Row[] = [];
  const out: { A: ChangeBatch; B: ChangeBatch }[] = [];
  for (let e = 0; e < epochs; e++) {
    const A: ChangeBatch = [];
    const B: ChangeBatch = [];
    for (let i = 0; i < 30; i++) {
      if (liveA.length > 0 && r() < 0.3) A.push({ row: liveA.splice(Math.floor(r() * liveA.length), 1)[0]!, weight: -1 });
      else {
        const row: Row = [pick([0, 1, 2, 3, null]), pick([0, 3, 7, 12, 20, 25, null]), r() < 0.2 ? null : new Numeric(BigInt((Math.floor(r() * 200) - 100) * pick([1, 10])), pick([0, 1, 2])) /* trailing zeros: 1.50 must not reload as 1.5 */, pick(['x', 'y', 'z', null])];
        liveA.push(row);
        A.push({ row, weight: 1 });
      }
    }
    for (let i = 0; i < 4; i++) {
      if (liveB.length > 0 && r() < 0.3) B.push({ row: liveB.splice(Math.floor(r() * liveB.length), 1)[0]!, weight: -1 });
      else {
        const row: Row = [pick([0, 1, 2, 3, null]), pick(['w0', 'w1', 'w2'])];
        liveB.push(row);
        B.push({ row, weight: 1 });
      }
    }
    out.push({ A, B });
  }
  return out;
}

function show(v: Value): string {
  if (v === null) return 'N';
  if (v instanceof Numeric) return 'd' + v.toString();
  return typeof v + ':' + String(v);
}
function snapshot(df: Dataflow): Record<string, string[]> {
  const s: Record<string, string[]> = {};
  for (const id of VIEWS) s[id] = [...df.contents(id)].map(([row, n]) => `${n}× ${row.map(show).join(' ')}`).sort();
  return s;
}

for (const residentRows of [Infinity, 3]) test(`views are identical with and without LMDB close/reopen every 3 epochs (resident rows: ${residentRows})`, async () => {
  const batches = stream(42, 24);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-dataflow-'));
  try {
    const mem = new MemoryStore();
    const straight = new Dataflow(mem);
    straight.addNodes(NODES);
    let lmdb: StateStore = await LmdbStore.open(dir);
    let restarted = new Dataflow(lmdb, { residentRows });
    restarted.addNodes(NODES);
    let now = 0;
    let nonEmpty = 0;
    for (let e = 0; e < batches.length; e++) {
      if (e > 0 && e % 3 === 0) {
        await lmdb.close();
        lmdb = await LmdbStore.open(dir);
        restarted = new Dataflow(lmdb, { residentRows });
        restarted.addNodes(NODES);
        assert.deepEqual(snapshot(restarted), snapshot(straight), `after reopening before epoch ${e + 1}`);
        assert.equal(restarted.nextWakeupMicros(), straight.nextWakeupMicros());
      }
      now += 2;
      for (const df of [straight, restarted]) {
        df.push('A', batches[e]!.A);
        df.push('B', batches[e]!.B);
        df.step(now);
      }
      await mem.commitEpoch(e + 1);
      await lmdb.commitEpoch(e + 1);
      const want = snapshot(straight);
      assert.deepEqual(snapshot(restarted), want, `epoch ${e + 1}`);
      nonEmpty += Object.values(want).filter((rows) => rows.length > 0).length;
      for (const id of ['agg', 'lj', 'tf', 'top']) assert.equal(restarted.stateSize(id), straight.stateSize(id), `state size of ${id} at epoch ${e + 1}`);
    }
    assert.ok(nonEmpty > VIEWS.length * 10, 'the stream exercises the views');
    await lmdb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Reads while an epoch commits: the engine answers a SELECT at once, as of the last committed epoch, while the
 * next epoch's store commit is in flight (Dataflow.readBeforeLastStep over each materialize node's undo record).
 * Checked two ways: on the dataflow, against a snapshot of every read taken before each random step (fast-check);
 * and on a real engine whose store commit is held open by the test, against the rows before and after the write,
 * including the cases that must wait for the commit instead (DDL, a view never read before, a non-resident view).
 */
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dataflow } from '../../src/dataflow/graph.js';
import { NotReadableBeforeLastStep } from '../../src/dataflow/operator.js';
import type { NodeSpec } from '../../src/dataflow/spec.js';
import type { Row } from '../../src/common/types.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { StatementResult } from '../../src/engine/api.js';

const SPECS: NodeSpec[] = [
  { id: 'in', label: 'in', kind: 'input', arity: 2 },
  { id: 'mv', label: 'mv', kind: 'materialize', input: 'in' },
];
const KEYS = ['a', 'b', 'c'];

/** Every read the serving path makes, as sorted text so two answers compare with deepEqual. */
function reads(df: Dataflow): { contents: string[]; rowCount: number; byKey: Record<string, string[]> } {
  const show = (rows: Iterable<[Row, number]>): string[] => [...rows].map(([r, n]) => `${JSON.stringify(r)}×${n}`).sort();
  const byKey: Record<string, string[]> = {};
  for (const k of KEYS) byKey[k] = show(df.lookup('mv', [0], [k]) ?? []);
  return { contents: show(df.contents('mv')), rowCount: df.rowCount('mv'), byKey };
}

test('a materialize node read as of the step before equals what it answered before that step (random steps)', () => {
  const rowArb = fc.tuple(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 3 }));
  const changeArb = fc.record({ row: rowArb, weight: fc.constantFrom(1, -1, 2) });
  fc.assert(
    fc.property(fc.array(fc.array(changeArb, { maxLength: 6 }), { minLength: 1, maxLength: 12 }), (steps) => {
      const df = new Dataflow(new MemoryStore(), { persistState: false });
      df.addNodes(SPECS);
      df.step(0);
      const net = new Map<string, number>(); // integrated multiplicities, to keep every pushed batch valid
      for (const changes of steps) {
        const before = reads(df);
        const batch = changes.filter((c) => {
          const n = (net.get(JSON.stringify(c.row)) ?? 0) + c.weight;
          if (n < 0) return false;
          net.set(JSON.stringify(c.row), n);
          return true;
        });
        df.push('in', batch.map((c) => ({ row: c.row as Row, weight: c.weight })));
        df.step(0);
        assert.deepEqual(df.readBeforeLastStep(() => reads(df)), before);
        const after = reads(df);
        const expected = [...net].filter(([, n]) => n > 0).map(([r, n]) => `${r}×${n}`).sort();
        assert.deepEqual(after.contents, expected);
        assert.deepEqual(df.readBeforeLastStep(() => reads(df)), before, 'a second read before the last step is unchanged');
      }
    }),
    { numRuns: 300 },
  );
});

test('a node first read after a step that changed it cannot answer as of before it; unchanged nodes can', () => {
  const df = new Dataflow(new MemoryStore(), { persistState: false });
  df.addNodes(SPECS);
  df.push('in', [{ row: ['a', 1], weight: 1 }]);
  df.step(0);
  assert.throws(() => df.readBeforeLastStep(() => [...df.contents('mv')]), NotReadableBeforeLastStep);
  df.step(0); // nothing changed in this step: the current state is also the state before it
  assert.deepEqual(df.readBeforeLastStep(() => [...df.contents('mv')]), [[['a', 1], 1]]);
  df.push('in', [{ row: ['b', 2], weight: 1 }]);
  df.step(0); // read before this step, so it kept an undo record
  assert.deepEqual(df.readBeforeLastStep(() => [...df.contents('mv')]), [[['a', 1], 1]]);
});

test('a view not resident in memory cannot answer as of the step before and says so', () => {
  const df = new Dataflow(new MemoryStore(), { residentRows: 2 });
  df.addNodes(SPECS);
  df.push('in', [1, 2, 3, 4].map((i) => ({ row: ['a', i], weight: 1 })));
  df.step(0);
  assert.equal(df.rowCount('mv'), 4);
  df.push('in', [{ row: ['b', 5], weight: 1 }]);
  df.step(0);
  assert.throws(() => df.readBeforeLastStep(() => df.rowCount('mv')), NotReadableBeforeLastStep);
  assert.equal(df.rowCount('mv'), 5);
});

/** An engine whose next store commits wait until the test opens the gate. */
async function gatedEngine(dataDir?: string): Promise<{ engine: Engine; hold: () => void; release: () => void }> {
  const engine = await createEngine({ autoEpochs: false, ...(dataDir ? { dataDir } : {}) });
  const store = engine.store;
  const commit = store.commitEpoch.bind(store);
  let gate: Promise<void> | null = null;
  let open: () => void = () => undefined;
  store.commitEpoch = async (epoch) => {
    if (gate) await gate;
    return commit(epoch);
  };
  return {
    engine,
    hold: () => {
      gate = new Promise((r) => (open = r));
    },
    release: () => {
      gate = null;
      open();
    },
  };
}

const rowsOf = (r: StatementResult): readonly Row[] => (r.kind === 'rows' ? r.rows : []);
const ids = (r: StatementResult): string[] => (r.kind === 'rows' ? r.rows.map((row) => String(row[0])).sort() : []);

/** Settles within a few event-loop turns (the commit is held, so "waits" means it does not). */
async function settlesSoon<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
}

for (const storeKind of ['memory', 'lmdb'] as const) {
  test(`SELECTs during a held commit (${storeKind} store): answered at once as of the committed epoch, except after DDL`, async () => {
    const dir = storeKind === 'lmdb' ? mkdtempSync(join(tmpdir(), 'sluice-read-commit-')) : undefined;
    const { engine, hold, release } = await gatedEngine(dir);
    try {
      const writer = engine.openSession({ user: 'root', database: 'dev' });
      const reader = engine.openSession({ user: 'root', database: 'dev' });
      const other = engine.openSession({ user: 'root', database: 'dev' });
      await writer.execute('CREATE TABLE t (id INT PRIMARY KEY, n INT)');
      await writer.execute('CREATE MATERIALIZED VIEW v AS SELECT id, n FROM t WHERE n > 0');
      await writer.execute('CREATE TABLE u (id INT)');
      await writer.execute('INSERT INTO t VALUES (1, 1), (2, 2)');
      assert.deepEqual(ids(await reader.execute('SELECT id FROM v')), ['1', '2']);
      assert.deepEqual(ids(await reader.execute('SELECT id FROM v WHERE id = 2')), ['2']);

      hold();
      const update = writer.execute('UPDATE t SET n = 0 WHERE id = 2'); // its epoch commits only on release
      const insert = other.execute('INSERT INTO t VALUES (3, 3)');
      assert.equal(await settlesSoon(update), false, 'the UPDATE waits for its commit');
      const during = reader.execute('SELECT id FROM v');
      const point = reader.execute('SELECT id, n FROM v WHERE id = 2');
      const count = reader.execute('SELECT count(*) FROM v');
      assert.equal(await settlesSoon(during), true, 'a SELECT on a served view does not wait for the commit');
      assert.deepEqual(ids(await during), ['1', '2']);
      assert.deepEqual(rowsOf(await point), [[2, 2]]);
      assert.deepEqual(rowsOf(await count), [[2n]]);
      release();
      await update;
      await insert;
      assert.deepEqual(ids(await reader.execute('SELECT id FROM v')), ['1', '3']);

      hold();
      const first = writer.execute('INSERT INTO u VALUES (1)'); // u's contents were never read before
      assert.equal(await settlesSoon(first), false);
      const unread = reader.execute('SELECT id FROM u');
      const unchanged = reader.execute('SELECT id FROM v');
      assert.equal(await settlesSoon(unread), false, 'a node first read in the commit window waits for the commit');
      assert.equal(await settlesSoon(unchanged), true, 'a view the epoch did not change answers at once');
      assert.deepEqual(ids(await unchanged), ['1', '3']);
      release();
      await first;
      assert.deepEqual(ids(await unread), ['1']);

      hold();
      const ddl = writer.execute('CREATE MATERIALIZED VIEW w AS SELECT id FROM t');
      assert.equal(await settlesSoon(ddl), false);
      const afterDdl = reader.execute('SELECT id FROM v');
      assert.equal(await settlesSoon(afterDdl), false, 'after DDL a read waits for the commit');
      release();
      await ddl;
      assert.deepEqual(ids(await afterDdl), ['1', '3']);
      assert.deepEqual(ids(await reader.execute('SELECT id FROM w')), ['1', '2', '3']);
    } finally {
      release();
      await engine.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
}

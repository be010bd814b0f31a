/**
 * ALTER MATERIALIZED VIEW … AS: a property test against PostgreSQL (random tables changed over epochs, a random
 * view, a random replacement with the same columns, sharing the aggregate or not, more random changes after):
 * after the ALTER and after every later epoch the view and a view built on it equal PostgreSQL's batch result of
 * the new query, and the view's delta at the ALTER epoch is exactly new − old (consolidated). Plus the errors,
 * state reuse over a source (a HAVING change keeps the counts), and persistence across a restart (LMDB).
 * Cases: SLUICE_PROPERTY_RUNS (default 25 in CI).
 */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ManualClock } from '../../src/common/clock.js';
import type { Notice } from '../../src/common/errors.js';
import type { ChangeBatch } from '../../src/common/changes.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { assertSameRows, formatTextRow, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { forPostgres, opArbitrary, RandomTableWriter, RANDOM_TABLES_DDL, type Op } from '../harness/random-tables.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 25);
const T0 = Date.parse('2026-05-01T12:00:00Z') * 1000;

// Families of queries with one output schema each, so any two members can replace each other.
const where = fc.option(fc.constantFrom('v > 0', "k <> 'b'", 'v IS NOT NULL', 'g = 1', '(v < 2 OR g IS NULL)'), { nil: undefined });
const having = fc.option(fc.constantFrom('count(*) > 1', 'count(*) > 2', 'sum(v) > 0', 'count(*) FILTER (WHERE v > 0) >= 1', 'max(v) < 3'), { nil: undefined });
const countAgg = fc.constantFrom('count(*)', 'count(v)', 'count(DISTINCT v)', 'count(*) FILTER (WHERE v > 0)');
const families: fc.Arbitrary<fc.Arbitrary<string>>[] = [
  fc.constant(fc.tuple(where, having, countAgg).map(([w, h, c]) => `SELECT k, ${c} AS n, sum(v) AS s FROM t1${w ? ` WHERE ${w}` : ''} GROUP BY k${h ? ` HAVING ${h}` : ''}`)),
  fc.constant(fc.tuple(fc.constantFrom('10 minutes', '30 minutes'), having).map(([win, h]) => `SELECT k, window_start, window_end, count(*) AS n FROM TUMBLE(t1, ts, INTERVAL '${win}') GROUP BY k, window_start, window_end${h ? ` HAVING ${h}` : ''}`)),
  fc.constant(fc.tuple(where, fc.integer({ min: 0, max: 3 })).map(([w, c]) => `SELECT k, n FROM (SELECT k, count(*) AS n FROM t1${w ? ` WHERE ${w}` : ''} GROUP BY k) AS s WHERE n > ${c}`)),
  fc.constant(where.map((w) => `SELECT id, k, v FROM t1${w ? ` WHERE ${w}` : ''}`)),
  fc.constant(fc.tuple(fc.constantFrom('JOIN', 'LEFT JOIN'), fc.boolean()).map(([j, r]) => `SELECT t1.id AS i1, t2.id AS i2, t1.k, t2.w FROM t1 ${j} t2 ON t1.k = t2.k${r ? ' AND t1.v > t2.w' : ''}`)),
  fc.constant(fc.constantFrom(0, 1, 2).map((c) => `SELECT count(*) AS n, sum(v) AS s FROM t1 WHERE v > ${c}`)),
];
const pair = fc.oneof(...families).chain((f) => fc.tuple(f, f));

const op = opArbitrary({ groups: [0, 1], values: [-3, 4], minutesAgo: [0, 60] });
const epochs = fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 });

async function rowsOf(s: EngineSession, sql: string): Promise<TextRow[]> {
  const r = await s.execute(sql);
  assert.equal(r.kind, 'rows');
  if (r.kind !== 'rows') return [];
  return r.rows.map((row) => row.map((v, i) => (v === null ? null : formatValueText(v, r.columns[i]!.type))));
}

/** Capture the consolidated delta of a materialize node at each step (the dataflow's own watched output). */
function captureDeltas(engine: Engine, node: string): ChangeBatch[] {
  const seen: ChangeBatch[] = [];
  engine.dataflow.watch(node);
  const step = engine.dataflow.step.bind(engine.dataflow);
  engine.dataflow.step = (now: number) => {
    const out = step(now);
    seen.push(out.get(node) ?? []);
    return out;
  };
  return seen;
}

/** new − old as a signed multiset of text rows, zero entries dropped. */
function signedDiff(oldRows: readonly TextRow[], newRows: readonly TextRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of newRows) m.set(formatTextRow(r), (m.get(formatTextRow(r)) ?? 0) + 1);
  for (const r of oldRows) m.set(formatTextRow(r), (m.get(formatTextRow(r)) ?? 0) - 1);
  for (const [k, v] of m) if (v === 0) m.delete(k);
  return m;
}

test(`ALTER MATERIALIZED VIEW: random view and replacement equal PostgreSQL, delta = new − old (${RUNS} cases)`, { timeout: 600_000 }, async () => {
  await withOracle(async (pg) => {
    let caseNo = 0;
    await fc.assert(
      fc.asyncProperty(pair, epochs, epochs, async ([q1, q2], before, after) => {
        caseNo++;
        const clock = new ManualClock(T0);
        const engine = await createEngine({ clock, autoEpochs: false });
        const notices: Notice[] = [];
        const s = engine.openSession({ user: 'root', database: 'dev', onNotice: (n) => notices.push(n) });
        const schema = `alter_case_${caseNo}`;
        try {
          await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
          for (const d of RANDOM_TABLES_DDL) {
            await s.execute(d);
            await pg.query(d);
          }
          await s.execute(`CREATE MATERIALIZED VIEW mv AS ${q1}`);
          await s.execute('CREATE MATERIALIZED VIEW dep AS SELECT * FROM mv');
          const writer = new RandomTableWriter(s, pg);
          const apply = async (ops: Op[]): Promise<void> => {
            await writer.apply(ops, clock.nowMicros());
            clock.advance(60_000_000);
            await engine.waitCaughtUp();
          };
          for (const ops of before) await apply(ops);
          await pg.query(`CREATE VIEW v1 AS ${forPostgres(q1)}`);
          assertSameRows(await rowsOf(s, 'SELECT * FROM mv'), await pg.query('SELECT * FROM v1'), `before ALTER: ${q1}`);
          const oldRows = await rowsOf(s, 'SELECT * FROM mv');
          const oid = (engine.catalog.get('mv') as { oid: number }).oid;
          const deltas = captureDeltas(engine, `mv/${oid}`);
          await s.execute(`ALTER MATERIALIZED VIEW mv AS ${q2}`);
          await pg.query(`CREATE VIEW v2 AS ${forPostgres(q2)}`);
          const expected = await pg.query('SELECT * FROM v2');
          const label = `ALTER ${q1}  →  ${q2}`;
          assert.equal(deltas.length, 1, 'the ALTER ran one epoch');
          const got = new Map<string, number>();
          const types = engine.catalog.get('mv')!.columns.map((c) => c.type);
          for (const c of deltas[0]!) {
            const k = formatTextRow(c.row.map((v, i) => (v === null ? null : formatValueText(v, types[i]!))));
            got.set(k, (got.get(k) ?? 0) + c.weight);
          }
          for (const [k, v] of got) if (v === 0) got.delete(k);
          assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...signedDiff(oldRows, expected)].sort()), `delta at the ALTER epoch is new − old: ${label}`);
          assert.equal(deltas[0]!.length, got.size, `delta is consolidated: ${label}`);
          assertSameRows(await rowsOf(s, 'SELECT * FROM mv'), expected, `after ALTER: ${label}`);
          assertSameRows(await rowsOf(s, 'SELECT * FROM dep'), expected, `dependent after ALTER: ${label}`);
          assert.ok(notices.some((n) => /kept state of \d+ operators?, recomputed \d+/.test(n.message)), 'NOTICE says what was kept');
          for (const ops of after) {
            await apply(ops);
            const exp = await pg.query('SELECT * FROM v2');
            assertSameRows(await rowsOf(s, 'SELECT * FROM mv'), exp, `epoch after ALTER: ${label}`);
            assertSameRows(await rowsOf(s, 'SELECT * FROM dep'), exp, `dependent, epoch after ALTER: ${label}`);
          }
        } finally {
          await engine.close();
          await pg.query(`SET search_path TO ${pg.schema}; DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env['SLUICE_PROPERTY_SEED'] ?? 20261209), endOnFailure: true },
    );
  });
});

async function expectError(s: EngineSession, sql: string, code: string, message: RegExp): Promise<{ detail?: string; hint?: string; position?: number }> {
  try {
    await s.execute(sql);
  } catch (e) {
    const err = e as { code: string; message: string; detail?: string; hint?: string; position?: number };
    assert.equal(err.code, code, `${sql}: ${err.message}`);
    assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code} from ${sql}`);
}

describe('ALTER MATERIALIZED VIEW errors leave the view untouched', () => {
  it('reports unknown relations, wrong kinds, column changes, cycles and bind errors', async () => {
    const engine = await createEngine({ clock: new ManualClock(T0), autoEpochs: false });
    const s = engine.openSession({ user: 'root', database: 'dev' });
    try {
      await s.execute('CREATE TABLE t (k VARCHAR, v INT)');
      await s.execute("INSERT INTO t VALUES ('a', 1), ('a', 2), ('b', 5)");
      await s.execute('CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM t GROUP BY k');
      await s.execute('CREATE MATERIALIZED VIEW d AS SELECT k FROM m');
      await s.execute('CREATE VIEW pv AS SELECT k FROM t');
      const before = await rowsOf(s, 'SELECT * FROM m ORDER BY k');
      const sqlBefore = (engine.catalog.get('m') as { sql: string }).sql;
      await expectError(s, 'ALTER MATERIALIZED VIEW nope AS SELECT 1 AS x', '42P01', /relation "nope" does not exist/);
      await expectError(s, 'ALTER MATERIALIZED VIEW t AS SELECT k, v FROM t', '42809', /"t" is not a materialized view/);
      await expectError(s, 'ALTER MATERIALIZED VIEW pv AS SELECT k FROM t', '42809', /not a materialized view/);
      let e = await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k FROM t GROUP BY k', '0A000', /number of columns/);
      assert.match(e.detail ?? '', /"n"/);
      assert.match(e.hint ?? '', /re-create/);
      e = await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k, max(k) AS n FROM t GROUP BY k', '0A000', /cannot change column 2/);
      assert.match(e.detail ?? '', /"n" bigint in the view and "n" (varchar|character varying|text)/);
      e = await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k, count(*) AS cnt FROM t GROUP BY k', '0A000', /cannot change column 2/);
      assert.match(e.detail ?? '', /"cnt"/);
      await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k, n FROM m', '42P17', /cannot read itself/);
      await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM d GROUP BY k', '42P17', /"d", which depends on it/);
      e = await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM missing GROUP BY k', '42P01', /relation "missing" does not exist/);
      assert.equal(e.position, 'ALTER MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM '.length + 1);
      await expectError(s, 'ALTER MATERIALIZED VIEW m AS SELECT k, count(nosuch) AS n FROM t GROUP BY k', '42703', /nosuch/);
      assert.deepEqual(await rowsOf(s, 'SELECT * FROM m ORDER BY k'), before);
      assert.equal((engine.catalog.get('m') as { sql: string }).sql, sqlBefore);
      await s.execute("INSERT INTO t VALUES ('b', 6)");
      assert.deepEqual(await rowsOf(s, 'SELECT * FROM m ORDER BY k'), [['a', '2'], ['b', '2']]);
    } finally {
      await engine.close();
    }
  });
});

describe('ALTER MATERIALIZED VIEW over a source', () => {
  const events = (ip: string, n: number, at: string): string => Array.from({ length: n }, () => JSON.stringify({ ip, kind: 'fail', at })).join('\n') + '\n';

  it('a HAVING change keeps the aggregate (no count reset); a change below it needs the source history and fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-alter-'));
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, events('10.0.0.1', 15, '2026-05-01T11:58:00Z') + events('10.0.0.2', 4, '2026-05-01T11:58:00Z'));
    const engine = await createEngine({ clock: new ManualClock(T0), autoEpochs: false, dataDir: join(dir, 'data') });
    const notices: Notice[] = [];
    const s = engine.openSession({ user: 'root', database: 'dev', onNotice: (n) => notices.push(n) });
    try {
      await s.execute(`CREATE SOURCE ev (ip VARCHAR, kind VARCHAR, at TIMESTAMPTZ) WITH (connector = 'file', path = '${path}') FORMAT PLAIN ENCODE JSON`);
      const q = (c: number): string => `SELECT ip, window_start, count(*) AS failures FROM TUMBLE(ev, at, INTERVAL '5 minutes') WHERE kind = 'fail' GROUP BY ip, window_start HAVING count(*) > ${c}`;
      await s.execute(`CREATE MATERIALIZED VIEW bf AS ${q(20)}`);
      await s.execute("CREATE MATERIALIZED VIEW alerts AS SELECT ip || ' ' || failures AS alert FROM bf");
      await engine.waitCaughtUp();
      assert.deepEqual(await rowsOf(s, 'SELECT * FROM bf'), []);
      const e = await expectError(s, `ALTER MATERIALIZED VIEW bf AS SELECT ip, window_start, count(*) AS failures FROM TUMBLE(ev, at, INTERVAL '5 minutes') WHERE kind <> 'ok' GROUP BY ip, window_start HAVING count(*) > 10`, '0A000', /would need the history of source "ev"/);
      assert.match(e.hint ?? '', /drop and re-create/);
      notices.length = 0;
      await s.execute(`ALTER MATERIALIZED VIEW bf AS ${q(10)}`);
      assert.match(notices.map((n) => n.message).join('\n'), /kept state of 1 operator, recomputed 0/);
      // 15 failures counted before the ALTER qualify at once: the window's count was kept.
      assert.deepEqual(await rowsOf(s, 'SELECT ip, failures FROM bf'), [['10.0.0.1', '15']]);
      assert.deepEqual(await rowsOf(s, 'SELECT * FROM alerts'), [['10.0.0.1 15']]);
      const show = await s.execute('SHOW CREATE MATERIALIZED VIEW bf');
      assert.ok(show.kind === 'rows' && String(show.rows[0]![1]).includes('> 10'));
    } finally {
      await engine.close();
    }
    // The file source resumes after its last line on restart: 8 more failures for 10.0.0.2 add to its 4.
    appendFileSync(path, events('10.0.0.2', 8, '2026-05-01T11:59:00Z'));
    // Restart: the altered definition is recovered with the kept and the new operators' state.
    const again = await createEngine({ clock: new ManualClock(T0), autoEpochs: false, dataDir: join(dir, 'data') });
    try {
      const s2 = again.openSession({ user: 'root', database: 'dev' });
      // Bounded: until the reader has handed over all 27 lines of the file.
      for (let i = 0; i < 200; i++) {
        await again.waitCaughtUp();
        const st = again.sources.get('ev')!.reader!.status();
        if (st.partitions[0]?.nextOffset === '27') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(await rowsOf(s2, 'SELECT ip, failures FROM bf ORDER BY ip'), [['10.0.0.1', '15'], ['10.0.0.2', '12']]);
      await s2.execute(`ALTER MATERIALIZED VIEW bf AS SELECT ip, window_start, count(*) AS failures FROM TUMBLE(ev, at, INTERVAL '5 minutes') WHERE kind = 'fail' GROUP BY ip, window_start HAVING count(*) > 12`);
      assert.deepEqual(await rowsOf(s2, 'SELECT * FROM alerts'), [['10.0.0.1 15']]);
      assert.equal((again.catalog.get('bf') as { planVersion?: number }).planVersion, 3);
    } finally {
      await again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

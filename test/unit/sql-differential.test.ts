/**
 * SQL-level differential property test: random small tables, random queries from the incremental surface
 * (filters with three-valued logic, GROUP BY with every aggregate ± DISTINCT ± FILTER, HAVING, global aggregates,
 * joins of each kind with and without residuals, EXISTS/NOT EXISTS, UNION ALL, DISTINCT, TUMBLE, temporal filters),
 * maintained as a materialized view over many epochs of inserts, updates and deletes with a moving clock. After
 * every epoch the view equals PostgreSQL's batch evaluation of the same query on the same rows.
 * Cases: SLUICE_PROPERTY_RUNS (default 25 in CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../src/common/clock.js';
import { createEngine } from '../../src/engine/engine.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { forPostgres, opArbitrary, RandomTableWriter, RANDOM_TABLES_DDL } from '../harness/random-tables.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 25);
const T0 = Date.parse('2026-05-01T12:00:00Z') * 1000;

const pred1 = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((c) => `v > ${c}`),
  fc.constantFrom("k = 'a'", "k <> 'b'", 'v IS NULL', 'v IS NOT NULL', "k IN ('a', 'c')", 'g = 1', 'v BETWEEN -1 AND 2', "k LIKE 'a%'", 'v % 2 = 0'),
);
const pred = fc.oneof(pred1, fc.tuple(pred1, pred1, fc.constantFrom('AND', 'OR')).map(([a, b, op]) => `(${a} ${op} ${b})`), pred1.map((p) => `NOT (${p})`));
const aggFn = fc.constantFrom('count(*)', 'count(v)', 'count(DISTINCT v)', 'sum(v)', 'min(v)', 'max(v)', 'avg(v)', 'bool_and(v > 0)', 'bool_or(v > 0)', 'count(DISTINCT k)', 'min(k)', 'max(ts)');
const agg = fc.tuple(aggFn, fc.option(pred1, { nil: undefined })).map(([a, f]) => (f && !a.startsWith('count(DISTINCT') ? `${a} FILTER (WHERE ${f})` : a));

const query = fc.oneof(
  pred.map((p) => `SELECT id, k, v FROM t1 WHERE ${p}`),
  fc.tuple(fc.constantFrom('k', 'g', 'k, g'), fc.array(agg, { minLength: 1, maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), fc.option(pred, { nil: undefined })).map(
    ([keys, aggs, having, where]) => `SELECT ${keys}, ${aggs.map((a, i) => `${a} AS a${i}`).join(', ')} FROM t1${where ? ` WHERE ${where}` : ''} GROUP BY ${keys}${having !== undefined ? ` HAVING count(*) > ${having}` : ''}`,
  ),
  fc.array(agg, { minLength: 1, maxLength: 3 }).map((aggs) => `SELECT ${aggs.map((a, i) => `${a} AS a${i}`).join(', ')} FROM t1`),
  fc.tuple(fc.constantFrom('JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN'), fc.boolean()).map(([j, residual]) => `SELECT t1.id AS i1, t2.id AS i2, t1.k, t2.w FROM t1 ${j} t2 ON t1.k = t2.k${residual ? ' AND t1.v > t2.w' : ''}`),
  fc.constantFrom('EXISTS', 'NOT EXISTS').map((e) => `SELECT id, k FROM t1 WHERE ${e} (SELECT 1 FROM t2 WHERE t2.k = t1.k AND t2.w > 0)`),
  pred.map((p) => `SELECT k, v AS x FROM t1 WHERE ${p} UNION ALL SELECT k, w FROM t2`),
  fc.constant('SELECT DISTINCT k, g FROM t1'),
  fc.constantFrom('10 minutes', '30 minutes').map((w) => `SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s FROM TUMBLE(t1, ts, INTERVAL '${w}') GROUP BY k, window_start, window_end`),
  fc.constantFrom('>', '>=', '<').map((op) => `SELECT id, k, ts FROM t1 WHERE ts ${op} NOW() - INTERVAL '30 minutes'`),
  fc.constant("SELECT k, max(ts) AS last FROM t1 WHERE v IS NOT NULL GROUP BY k HAVING max(ts) > NOW() - INTERVAL '20 minutes'"),
);

const op = opArbitrary({ groups: [0, 1, 2], values: [-5, 5], minutesAgo: [-5, 90] });
const epochs = fc.array(fc.tuple(fc.array(op, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 25 })), { minLength: 2, maxLength: 6 });

test(`random SQL views equal PostgreSQL after every epoch (${RUNS} cases)`, { timeout: 600_000 }, async () => {
  await withOracle(async (pg) => {
    let caseNo = 0;
    await fc.assert(
      fc.asyncProperty(query, epochs, async (q, plan) => {
        caseNo++;
        const clock = new ManualClock(T0);
        const engine = await createEngine({ clock, autoEpochs: false });
        const s = engine.openSession({ user: 'root', database: 'dev' });
        const schema = `case_${caseNo}`;
        try {
          await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
          await pg.query(`CREATE TABLE sluice_clock (t timestamptz); INSERT INTO sluice_clock VALUES ('${formatValueText(T0, 'timestamptz')}')`);
          for (const d of RANDOM_TABLES_DDL) {
            await s.execute(d);
            await pg.query(d);
          }
          await s.execute(`CREATE MATERIALIZED VIEW mv AS ${q}`);
          await pg.query(`CREATE VIEW mv AS ${forPostgres(q)}`);
          const writer = new RandomTableWriter(s, pg);
          for (const [ops, advance] of plan) {
            await writer.apply(ops, clock.nowMicros());
            clock.advance(advance * 60_000_000);
            await pg.query(`UPDATE sluice_clock SET t = '${formatValueText(clock.nowMicros(), 'timestamptz')}'`);
            await engine.waitCaughtUp();
            const ours = await s.execute('SELECT * FROM mv');
            assert.equal(ours.kind, 'rows');
            if (ours.kind !== 'rows') return;
            const actual: TextRow[] = ours.rows.map((r) => r.map((v, i) => (v === null ? null : formatValueText(v, ours.columns[i]!.type))));
            assertSameRows(actual, await pg.query('SELECT * FROM mv'), `view: ${q}`);
          }
        } finally {
          await engine.close();
          await pg.query(`SET search_path TO ${pg.schema}; DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env['SLUICE_PROPERTY_SEED'] ?? 20261202), endOnFailure: true },
    );
  });
});

/**
 * Join buckets of every size: few join keys and many rows per key, so a bucket grows from one inline row through the
 * small array (up to 8 rows, compared by value) to the Map by row key and shrinks back, under random INSERT/DELETE
 * with duplicate rows. Inner, left, full, semi, anti and residual joins are compared with PostgreSQL running the
 * same statements on the same rows after every round (fast-check), in memory and over LMDB with one resident
 * bucket per side and a restart midway (buckets read back by prefix scans). Cases: SLUICE_PROPERTY_RUNS (25).
 */
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createEngine } from '../../src/engine/engine.js';
import { assertSameRows, resultTextRows, withOracle } from '../harness/pg-oracle.js';

const TABLES = ['CREATE TABLE l (k INT, v INT)', 'CREATE TABLE r (k INT, w INT)'];
const VIEWS: [string, string][] = [
  ['j_inner', 'SELECT l.k, l.v, r.w FROM l JOIN r ON l.k = r.k'],
  ['j_left', 'SELECT l.k, l.v, r.w FROM l LEFT JOIN r ON l.k = r.k'],
  ['j_full', 'SELECT l.k, l.v, r.k AS rk, r.w FROM l FULL JOIN r ON l.k = r.k'],
  ['j_semi', 'SELECT k, v FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)'],
  ['j_anti', 'SELECT k, v FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k)'],
  ['j_residual', 'SELECT l.k, l.v, r.w FROM l JOIN r ON l.k = r.k AND l.v > r.w'],
];
const KEY = fc.constantFrom<number | null>(1, 2, null);
const lit = (x: number | null): string => (x === null ? 'NULL' : String(x));
const eq = (col: string, x: number | null): string => (x === null ? `${col} IS NULL` : `${col} = ${x}`);

const opArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(KEY, fc.integer({ min: 0, max: 11 })).map(([k, v]) => `INSERT INTO l VALUES (${lit(k)}, ${v})`) },
  { weight: 2, arbitrary: fc.tuple(KEY, fc.integer({ min: 0, max: 2 })).map(([k, w]) => `INSERT INTO r VALUES (${lit(k)}, ${w})`) },
  { weight: 2, arbitrary: fc.tuple(KEY, fc.integer({ min: 0, max: 11 })).map(([k, v]) => `DELETE FROM l WHERE ${eq('k', k)} AND v = ${v}`) },
  { weight: 1, arbitrary: fc.tuple(KEY, fc.integer({ min: 0, max: 2 })).map(([k, w]) => `DELETE FROM r WHERE ${eq('k', k)} AND w = ${w}`) },
);


for (const lmdb of [false, true]) {
  test(`joins over buckets of 1 to 12+ rows equal PostgreSQL after every round${lmdb ? ' (LMDB, 1 resident bucket, restart midway)' : ''}`, async () => {
    await withOracle(async (o) => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 8 }), async (rounds) => {
          const dataDir = lmdb ? mkdtempSync(join(tmpdir(), 'sluice-join-buckets-')) : null;
          const open = () => createEngine({ autoEpochs: false, dataDir, residentRows: 1 });
          let engine = await open();
          let s = engine.openSession({ user: 'root', database: 'dev' });
          await o.query('DROP TABLE IF EXISTS l, r CASCADE');
          for (const sql of TABLES) {
            await s.execute(sql);
            await o.query(sql);
          }
          for (const [name, q] of VIEWS) {
            await s.execute(`CREATE MATERIALIZED VIEW ${name} AS ${q}`);
            await o.query(`CREATE VIEW ${name} AS ${q}`);
          }
          try {
            for (const [ri, ops] of rounds.entries()) {
              if (lmdb && ri === Math.floor(rounds.length / 2)) {
                await engine.close();
                engine = await open();
                s = engine.openSession({ user: 'root', database: 'dev' });
              }
              for (const sql of ops) {
                await s.execute(sql);
                await o.query(sql);
              }
              for (const [name] of VIEWS) assertSameRows(resultTextRows(await s.execute(`SELECT * FROM ${name}`)), await o.query(`SELECT * FROM ${name}`), `round ${ri}: ${name}`);
            }
          } finally {
            await engine.close();
            if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true });
          }
        }),
        { numRuns: Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 25) },
      );
    });
  });
}

/**
 * The serving path of ad-hoc SELECTs (Session.scanFastPath): point lookups through a view's serving index,
 * LIMIT without ORDER BY stopping the scan early, and prepared statements reusing their bound plan. Each is
 * checked against PostgreSQL running the same statements on the same rows, after every round of random
 * INSERT/UPDATE/DELETE (fast-check), and the plan cache against DDL, subqueries and NOW(). The point-lookup
 * property also runs over LMDB with one resident row per node and a restart midway, so lookups go through
 * prefix scans of the state tables and rows are read back on demand.
 */
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession, PreparedStatement } from '../../src/engine/api.js';
import type { SqlType, Value } from '../../src/common/types.js';
import { ManualClock } from '../../src/common/clock.js';
import { assertSameRows, resultTextRows, withOracle, type Oracle } from '../harness/pg-oracle.js';

const SCHEMA = 'CREATE TABLE t (id INT PRIMARY KEY, k VARCHAR, n INT, b BOOLEAN)';
const VIEWS = [
  'CREATE MATERIALIZED VIEW v AS SELECT id, k, n, b FROM t WHERE n >= 0',
  'CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS c, sum(n) AS s FROM t GROUP BY k',
];
const KEYS = ['a', 'b', 'c', null] as const;

/** Point queries, their parameter types as the client declares them (null: inferred), and a parameter generator. */
const QUERIES: { sql: string; types: (SqlType | null)[]; params: fc.Arbitrary<(string | null)[]> }[] = [
  { sql: 'SELECT id, k, n, b FROM v WHERE k = $1', types: [null], params: fc.tuple(fc.constantFrom(...KEYS)) },
  { sql: 'SELECT id, n FROM v WHERE k = $1 AND n = $2', types: [null, 'integer'], params: fc.tuple(fc.constantFrom(...KEYS), fc.integer({ min: -1, max: 3 }).map(String)) },
  { sql: 'SELECT id FROM v WHERE n = $1 AND b', types: ['integer'], params: fc.tuple(fc.integer({ min: 0, max: 3 }).map(String)) },
  { sql: "SELECT id, k FROM v WHERE $1 = k OR k = 'c'", types: ['text'], params: fc.tuple(fc.constantFrom(...KEYS)) },
  { sql: 'SELECT k, c, s FROM g WHERE k = $1', types: ['varchar'], params: fc.tuple(fc.constantFrom(...KEYS)) },
  { sql: 'SELECT id, k FROM t WHERE id = $1', types: [null], params: fc.tuple(fc.integer({ min: 0, max: 7 }).map(String)) },
  { sql: "SELECT id FROM v WHERE k = 'a' AND id = $1::int", types: [null], params: fc.tuple(fc.integer({ min: 0, max: 7 }).map(String)) },
];

type Op = { kind: 'insert'; id: number; k: string | null; n: number; b: boolean } | { kind: 'update'; id: number; n: number; k: string | null } | { kind: 'delete'; id: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), id: fc.integer({ min: 0, max: 7 }), k: fc.constantFrom(...KEYS), n: fc.integer({ min: -1, max: 3 }), b: fc.boolean() }),
  fc.record({ kind: fc.constant('update' as const), id: fc.integer({ min: 0, max: 7 }), n: fc.integer({ min: -1, max: 3 }), k: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 7 }) }),
);

const lit = (k: string | null): string => (k === null ? 'NULL' : `'${k}'`);

function opSql(op: Op, present: Set<number>): string | null {
  switch (op.kind) {
    case 'insert':
      if (present.has(op.id)) return null; // both systems would reject the duplicate key; skip it
      present.add(op.id);
      return `INSERT INTO t VALUES (${op.id}, ${lit(op.k)}, ${op.n}, ${op.b})`;
    case 'update':
      return `UPDATE t SET n = ${op.n}, k = ${lit(op.k)} WHERE id = ${op.id}`;
    case 'delete':
      present.delete(op.id);
      return `DELETE FROM t WHERE id = ${op.id}`;
  }
}


/** Parameter values as the server's Bind would decode them: text → the statement's parameter type. */
function bindParams(p: PreparedStatement, text: readonly (string | null)[]): Value[] {
  return text.map((t, i) => {
    if (t === null) return null;
    const type = p.paramTypes[i];
    return type === 'integer' ? Number(t) : t;
  });
}

async function sameOnBoth(s: EngineSession, o: Oracle, prepared: Map<string, PreparedStatement>, sql: string, params: (string | null)[], label: string): Promise<void> {
  const q = QUERIES.find((x) => x.sql === sql)!;
  let p = prepared.get(sql);
  if (p === undefined) prepared.set(sql, (p = s.prepare(sql, q.types)));
  const actual = resultTextRows(await s.executePrepared(p, bindParams(p, params)));
  const pgTypes = p.paramTypes.map((t) => (t === 'integer' ? 'int' : 'text'));
  const expected = await o.query(sql.replace(/\$(\d)/g, (_m, i: string) => `$${i}::${pgTypes[Number(i) - 1]}`), params);
  assertSameRows(actual, expected, `${label}: ${sql} with ${JSON.stringify(params)}`);
}

for (const lmdb of [false, true]) test(`point lookups and prepared plans equal PostgreSQL after every round of random DML${lmdb ? ' (LMDB, 1 resident row per node, restart midway)' : ''}`, async () => {
  await withOracle(async (o) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.array(opArb, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: QUERIES.length - 1 }).chain((i) => QUERIES[i]!.params.map((p) => [i, p] as const)), { minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 8 }), async (rounds) => {
        const dataDir = lmdb ? mkdtempSync(join(tmpdir(), 'sluice-serving-')) : null;
        const open = () => createEngine({ autoEpochs: false, dataDir, residentRows: 1 });
        let engine = await open();
        let s = engine.openSession({ user: 'root', database: 'dev' });
        await o.query('DROP TABLE IF EXISTS t CASCADE');
        for (const sql of [SCHEMA, ...VIEWS]) await s.execute(sql);
        await o.query(SCHEMA);
        for (const v of VIEWS) await o.query(v.replace('MATERIALIZED VIEW', 'VIEW'));
        const prepared = new Map<string, PreparedStatement>();
        const present = new Set<number>();
        try {
          for (const [ri, [ops, queries]] of rounds.entries()) {
            if (lmdb && ri === Math.floor(rounds.length / 2)) {
              await engine.close();
              engine = await open();
              s = engine.openSession({ user: 'root', database: 'dev' });
              prepared.clear();
            }
            for (const op of ops) {
              const sql = opSql(op, present);
              if (sql === null) continue;
              await s.execute(sql);
              await o.query(sql);
            }
            for (const [qi, params] of queries) await sameOnBoth(s, o, prepared, QUERIES[qi]!.sql, [...params], `round ${ri}`);
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

test('LIMIT without ORDER BY returns that many rows of the full result', async () => {
  const engine = await createEngine({ autoEpochs: false });
  try {
    const s = engine.openSession({ user: 'root', database: 'dev' });
    await s.execute('CREATE TABLE r (id INT PRIMARY KEY, m INT)');
    await s.execute(`INSERT INTO r SELECT g, g % 10 FROM generate_series(1, 500) AS g`);
    await s.execute('CREATE MATERIALIZED VIEW rv AS SELECT id, m FROM r');
    const all = resultTextRows(await s.execute('SELECT id, m FROM rv WHERE m BETWEEN 2 AND 3')).map((r) => r.join(','));
    assert.equal(all.length, 100);
    for (const [limit, offset] of [[7, 0], [7, 95], [0, 0], [200, 0]] as const) {
      const part = resultTextRows(await s.execute(`SELECT id, m FROM rv WHERE m BETWEEN 2 AND 3 LIMIT ${limit} OFFSET ${offset}`)).map((r) => r.join(','));
      assert.equal(part.length, Math.max(0, Math.min(limit, all.length - offset)), `LIMIT ${limit} OFFSET ${offset}`);
      for (const r of part) assert.ok(all.includes(r), `row ${r} is in the full result`);
      assert.equal(new Set(part).size, part.length, 'no row twice');
    }
  } finally {
    await engine.close();
  }
});

test('a prepared SELECT sees a view re-created under its name, fresh subquery results, and NOW() at each execution', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1) * 1000);
  const engine = await createEngine({ autoEpochs: false, clock });
  try {
    const s = engine.openSession({ user: 'root', database: 'dev' });
    await s.execute('CREATE TABLE h (host VARCHAR PRIMARY KEY, risk INT)');
    await s.execute("INSERT INTO h VALUES ('x', 1), ('y', 5)");
    await s.execute('CREATE MATERIALIZED VIEW hv AS SELECT host, risk FROM h WHERE risk > 2');
    const p = s.prepare('SELECT host, risk FROM hv WHERE host = $1', [null]);
    assert.deepEqual(resultTextRows(await s.executePrepared(p, ['y'])), [['y', '5']]);
    assert.deepEqual(resultTextRows(await s.executePrepared(p, ['x'])), []);
    await s.execute('DROP MATERIALIZED VIEW hv');
    await s.execute('CREATE MATERIALIZED VIEW hv AS SELECT host, risk * 10 AS risk FROM h WHERE risk < 2');
    assert.deepEqual(resultTextRows(await s.executePrepared(p, ['x'])), [['x', '10']]);
    assert.deepEqual(resultTextRows(await s.executePrepared(p, ['y'])), []);
    // An uncorrelated subquery in a prepared scan is evaluated again at each execution.
    const sub = s.prepare('SELECT host FROM h WHERE risk = (SELECT max(risk) FROM h)', []);
    assert.deepEqual(resultTextRows(await s.executePrepared(sub, [])), [['y']]);
    await s.execute("INSERT INTO h VALUES ('z', 9)");
    assert.deepEqual(resultTextRows(await s.executePrepared(sub, [])), [['z']]);
    const now = s.prepare('SELECT now() AS t', []);
    const first = resultTextRows(await s.executePrepared(now, []))[0]![0];
    clock.advance(60_000_000);
    const second = resultTextRows(await s.executePrepared(now, []))[0]![0];
    assert.equal(first, '2026-01-01 00:00:00+00');
    assert.equal(second, '2026-01-01 00:01:00+00');
  } finally {
    await engine.close();
  }
});

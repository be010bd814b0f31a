/**
 * Column DEFAULTs of tables, against PostgreSQL: random sequences of INSERT (column subsets, the DEFAULT keyword in
 * VALUES, a VALUES row shorter than the table, DEFAULT VALUES, INSERT … SELECT) and UPDATE … SET col = DEFAULT on tables with literal, arithmetic, cast,
 * concatenation and NULL defaults leave the same rows in both systems after every statement (fast-check; cases:
 * SLUICE_PROPERTY_RUNS, 25 in CI). NOW() in a DEFAULT is the statement's time (a manual clock); bad defaults fail
 * at CREATE TABLE with PostgreSQL's SQLSTATE; information_schema, pg_attrdef and pg_get_expr show the defaults;
 * a restart (LMDB) keeps them; a source column rejects DEFAULT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { ManualClock } from '../../src/common/clock.js';
import { SqlError } from '../../src/common/errors.js';
import { assertSameRows, resultTextRows, withOracle } from '../harness/pg-oracle.js';

const TABLE =
  "CREATE TABLE assets (id INT, owner VARCHAR DEFAULT 'unassigned', risk INT DEFAULT 10 * 5, label TEXT DEFAULT ('a' || 'b')::text, " +
  "score NUMERIC DEFAULT 1.50, active BOOLEAN DEFAULT true, since DATE DEFAULT '2026-01-02', note TEXT DEFAULT NULL, plain INT)";
const COLUMNS = ['id', 'owner', 'risk', 'label', 'score', 'active', 'since', 'note', 'plain'];
const VALUES: Record<string, fc.Arbitrary<string>> = {
  owner: fc.constantFrom("'alice'", "'bob'", 'NULL'),
  risk: fc.constantFrom('1', '99', 'NULL'),
  label: fc.constantFrom("'x'", 'NULL'),
  score: fc.constantFrom('2.25', '7'),
  active: fc.constantFrom('false', 'true'),
  since: fc.constantFrom("'2025-12-31'"),
  note: fc.constantFrom("'n'"),
  plain: fc.constantFrom('5', 'NULL'),
};

/** One statement: an INSERT of one form, or an UPDATE that resets some columns to their defaults. */
const statementArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.subarray(COLUMNS.slice(1)), fc.boolean()).chain(([id, cols, useDefaultKeyword]) =>
    fc.tuple(...cols.map((c) => (useDefaultKeyword ? fc.oneof(VALUES[c]!, fc.constant('DEFAULT')) : VALUES[c]!))).map((vals) => `INSERT INTO assets (id${cols.map((c) => `, ${c}`).join('')}) VALUES (${id}${vals.map((v) => `, ${v}`).join('')})`),
  ),
  fc.constant('INSERT INTO assets DEFAULT VALUES'),
  fc.integer({ min: 1, max: 5 }).map((id) => `INSERT INTO assets VALUES (${id}, 'short row')`),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom("'carol'", 'NULL')).map(([id, owner]) => `INSERT INTO assets (id, owner) SELECT ${id}, ${owner}`),
  fc.tuple(fc.subarray(COLUMNS.slice(1), { minLength: 1 }), fc.integer({ min: 1, max: 5 })).map(([cols, id]) => `UPDATE assets SET ${cols.map((c) => `${c} = DEFAULT`).join(', ')} WHERE id = ${id}`),
);


async function sqlstate(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    return e instanceof SqlError ? e.code : ((e as { code?: string }).code ?? 'no code');
  }
  return 'ok';
}

test('INSERT and UPDATE … DEFAULT fill the same rows as PostgreSQL after every statement', async () => {
  await withOracle(async (o) => {
    await fc.assert(
      fc.asyncProperty(fc.array(statementArb, { minLength: 1, maxLength: 10 }), async (statements) => {
        const engine = await createEngine({ autoEpochs: false });
        try {
          const s = engine.openSession({ user: 'root', database: 'dev' });
          await o.query('DROP TABLE IF EXISTS assets');
          await s.execute(TABLE);
          await o.query(TABLE);
          for (const sql of statements) {
            await s.execute(sql);
            await o.query(sql);
            assertSameRows(resultTextRows(await s.execute('SELECT * FROM assets')), await o.query('SELECT * FROM assets'), sql);
          }
        } finally {
          await engine.close();
        }
      }),
      { numRuns: Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 25) },
    );
  });
});

test('bad defaults fail at CREATE TABLE with the SQLSTATE PostgreSQL gives', async () => {
  await withOracle(async (o) => {
    const engine = await createEngine({ autoEpochs: false });
    try {
      const s = engine.openSession({ user: 'root', database: 'dev' });
      for (const [i, cols] of ["a INT DEFAULT 'abc'", 'a INT, b INT DEFAULT a + 1', 'a INT DEFAULT (SELECT 1)', "a DATE DEFAULT 'tomorrow-ish'", 'a INT DEFAULT true'].entries()) {
        const sql = `CREATE TABLE bad${i} (${cols})`;
        const expected = await sqlstate(() => o.query(sql));
        assert.notEqual(expected, 'ok', `PostgreSQL accepted ${sql}`);
        assert.equal(await sqlstate(() => s.execute(sql)), expected, sql);
        assert.equal(await sqlstate(() => s.execute('SELECT * FROM bad' + i)), '42P01', `${sql} left a table behind`);
      }
      const source = "CREATE SOURCE ev (id INT DEFAULT 1) WITH (connector = 'datagen', stream = 'auth_events') FORMAT PLAIN ENCODE JSON";
      assert.equal(await sqlstate(() => s.execute(source)), '0A000');
    } finally {
      await engine.close();
    }
  });
});

test("NOW() in a DEFAULT is the statement's time; the catalogs show the defaults; a restart keeps them", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-defaults-'));
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 9, 0, 0) * 1000);
  const open = () => createEngine({ dataDir: dir, clock, autoEpochs: false });
  let engine = await open();
  try {
    let s: EngineSession = engine.openSession({ user: 'root', database: 'dev' });
    await s.execute("CREATE TABLE seen (host VARCHAR PRIMARY KEY, first_seen TIMESTAMPTZ DEFAULT now(), source TEXT NOT NULL DEFAULT 'inventory')");
    await s.execute("INSERT INTO seen (host) VALUES ('a'), ('b')");
    clock.advance(60_000_000);
    await s.execute("INSERT INTO seen (host) VALUES ('c')");
    assert.deepEqual(resultTextRows(await s.execute('SELECT host, first_seen, source FROM seen ORDER BY host')), [
      ['a', '2026-12-03 09:00:00+00', 'inventory'],
      ['b', '2026-12-03 09:00:00+00', 'inventory'],
      ['c', '2026-12-03 09:01:00+00', 'inventory'],
    ]);
    await engine.close();
    engine = await open();
    s = engine.openSession({ user: 'root', database: 'dev' });
    await s.execute("INSERT INTO seen (host) VALUES ('d')");
    assert.deepEqual(resultTextRows(await s.execute("SELECT source FROM seen WHERE host = 'd'")), [['inventory']]);
    assert.deepEqual(resultTextRows(await s.execute("SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'seen' ORDER BY ordinal_position")), [
      ['host', null],
      ['first_seen', 'now()'],
      ['source', "'inventory'"],
    ]);
    assert.deepEqual(
      resultTextRows(await s.execute("SELECT a.attname, a.atthasdef, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = 'seen'::regclass ORDER BY a.attnum")),
      [
        ['host', 'f', null],
        ['first_seen', 't', 'now()'],
        ['source', 't', "'inventory'"],
      ],
    );
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

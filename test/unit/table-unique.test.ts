/**
 * PRIMARY KEY and UNIQUE constraints of tables, against PostgreSQL: random INSERT (multi-row), UPDATE and DELETE on
 * a table with a primary key, a column UNIQUE and a two-column UNIQUE over small value domains with NULLs succeed or
 * fail with the same SQLSTATE in both systems, and leave the same rows, after every statement (fast-check; cases:
 * SLUICE_PROPERTY_RUNS, 25 in CI). NULLs never collide; a statement that fails changes nothing. Keys are checked at
 * the end of each statement, as the SQL standard says (PostgreSQL checks non-deferrable keys row by row), so an
 * UPDATE may take a key another row gives up in the same statement. Then the constraint names and kinds in
 * information_schema and pg_constraint equal PostgreSQL's, a restart (LMDB) keeps the constraints, a constraint name
 * used twice fails as there, and a source rejects UNIQUE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { SqlError } from '../../src/common/errors.js';
import { assertSameRows, resultTextRows, withOracle, type Oracle } from '../harness/pg-oracle.js';

const TABLE = 'CREATE TABLE intel (id INT PRIMARY KEY, ip VARCHAR UNIQUE, feed TEXT, ref INT, UNIQUE (feed, ref))';
const id = fc.integer({ min: 1, max: 6 });
const ip = fc.constantFrom("'10.0.0.1'", "'10.0.0.2'", "'10.0.0.3'", 'NULL');
const feed = fc.constantFrom("'a'", "'b'", 'NULL');
const ref = fc.constantFrom('1', '2', 'NULL');
const row = fc.tuple(id, ip, feed, ref).map((r) => `(${r.join(', ')})`);

const statementArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(row, { minLength: 1, maxLength: 3 }).map((rows) => `INSERT INTO intel VALUES ${rows.join(', ')}`) },
  { weight: 2, arbitrary: fc.tuple(ip, id).map(([v, k]) => `UPDATE intel SET ip = ${v} WHERE id = ${k}`) },
  { weight: 1, arbitrary: fc.tuple(ref, feed).map(([r, f]) => `UPDATE intel SET ref = ${r} WHERE ${f === 'NULL' ? 'feed IS NULL' : `feed = ${f}`}`) },
  // Not `SET id = id + 1`: PostgreSQL checks a non-deferrable key row by row, in storage order, so its outcome
  // depends on that order; sluice checks at the end of the statement (tested below).
  { weight: 1, arbitrary: fc.constantFrom('UPDATE intel SET ref = NULL', "UPDATE intel SET feed = 'b' WHERE ref = 2") },
  { weight: 1, arbitrary: id.map((k) => `DELETE FROM intel WHERE id = ${k}`) },
);


async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    return e instanceof SqlError ? e.code : String((e as { code?: string }).code);
  }
}

async function sameConstraints(s: EngineSession, o: Oracle): Promise<void> {
  const q = "SELECT constraint_name, constraint_type FROM information_schema.table_constraints WHERE table_name = 'intel' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')";
  assertSameRows(resultTextRows(await s.execute(q)), await o.query(q), 'information_schema.table_constraints');
  const k = "SELECT c.conname, c.contype FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = 'intel'";
  assertSameRows(resultTextRows(await s.execute(k)), await o.query(k), 'pg_constraint');
}

test('keys: every statement succeeds or fails as in PostgreSQL and leaves the same rows', async () => {
  await withOracle(async (o) => {
    await fc.assert(
      fc.asyncProperty(fc.array(statementArb, { minLength: 1, maxLength: 12 }), async (statements) => {
        const engine = await createEngine({ autoEpochs: false });
        try {
          const s = engine.openSession({ user: 'root', database: 'dev' });
          await o.query('DROP TABLE IF EXISTS intel');
          await s.execute(TABLE);
          await o.query(TABLE);
          for (const sql of statements) {
            const expected = await outcome(() => o.query(sql));
            assert.equal(await outcome(() => s.execute(sql)), expected, sql);
            assertSameRows(resultTextRows(await s.execute('SELECT * FROM intel')), await o.query('SELECT * FROM intel'), sql);
          }
        } finally {
          await engine.close();
        }
      }),
      { numRuns: Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 25) },
    );
  });
});

test('constraint names and kinds equal PostgreSQL’s; a restart keeps them; a source rejects UNIQUE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-unique-'));
  await withOracle(async (o) => {
    let engine = await createEngine({ dataDir: dir, autoEpochs: false });
    try {
      let s = engine.openSession({ user: 'root', database: 'dev' });
      await s.execute(TABLE);
      await o.query(TABLE);
      await sameConstraints(s, o);
      await s.execute("INSERT INTO intel VALUES (1, '10.0.0.1', 'a', 1)");
      await engine.close();
      engine = await createEngine({ dataDir: dir, autoEpochs: false });
      s = engine.openSession({ user: 'root', database: 'dev' });
      await sameConstraints(s, o);
      assert.equal(await outcome(() => s.execute("INSERT INTO intel VALUES (2, '10.0.0.1', 'b', 2)")), '23505');
      assert.equal(await outcome(() => s.execute("INSERT INTO intel VALUES (3, '10.0.0.3', 'a', 1)")), '23505');
      assert.equal(await outcome(() => s.execute("INSERT INTO intel VALUES (4, '10.0.0.4', 'a', 2)")), 'ok');
      // Checked per statement: shifting every key by one is fine, a collision inside the statement is not.
      assert.equal(await outcome(() => s.execute('UPDATE intel SET id = id + 3')), 'ok');
      assert.deepEqual(resultTextRows(await s.execute('SELECT id FROM intel ORDER BY id')), [['4'], ['7']]);
      assert.equal(await outcome(() => s.execute('UPDATE intel SET id = 1')), '23505');
      assert.equal(await outcome(() => s.execute("UPDATE intel SET ip = '10.0.0.9'")), '23505');
      const twice = 'CREATE TABLE dupk (a INT, b INT, CONSTRAINT k1 UNIQUE (a), CONSTRAINT k1 UNIQUE (b))';
      assert.equal(await outcome(() => s.execute(twice)), await outcome(() => o.query(twice)), twice);
      const source = "CREATE SOURCE ev (id INT UNIQUE) WITH (connector = 'datagen', stream = 'auth_events') FORMAT PLAIN ENCODE JSON";
      assert.equal(await outcome(() => s.execute(source)), '0A000');
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Regression: parameters of INSERT … VALUES and UPDATE … SET take the target column's type over the extended
 * protocol (as PostgreSQL infers them), so drivers can bind numbers without casts; and RETURNING gives the rows
 * PostgreSQL gives, with the same columns, types and command tags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createEngine } from '../../src/engine/engine.js';
import { startServer } from '../../src/server/server.js';
import { ensurePostgres, oracleConnection } from '../harness/pg-oracle.js';

test('INSERT and UPDATE parameters are typed by their target columns', async () => {
  const engine = await createEngine({});
  const server = await startServer(engine, { port: 0 });
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev' });
  try {
    await c.connect();
    await c.query('CREATE TABLE h (k VARCHAR PRIMARY KEY, risk INT, seen TIMESTAMPTZ)');
    await c.query('INSERT INTO h VALUES ($1, $2, $3)', ['a', 1, '2026-01-01T00:00:00Z']);
    await c.query('UPDATE h SET risk = $1 WHERE k = $2', [7, 'a']);
    const r = await c.query({ text: 'SELECT k, risk, seen FROM h', rowMode: 'array', types: { getTypeParser: () => (v: string) => v } as never });
    assert.deepEqual(r.rows, [['a', '7', '2026-01-01 00:00:00+00']]);
    await assert.rejects(c.query('UPDATE h SET risk = $1 WHERE k = $2', ['not a number', 'a']), /invalid input syntax for type integer/);
  } finally {
    await c.end().catch(() => undefined);
    await server.close();
    await engine.close();
  }
});

test('INSERT, UPDATE and DELETE … RETURNING over the extended protocol, as PostgreSQL answers them', async () => {
  const engine = await createEngine({});
  const server = await startServer(engine, { port: 0 });
  const ours = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev' });
  await ensurePostgres();
  const oracle = new pg.Client(oracleConnection());
  const table = `ret_${process.pid}`;
  const statements: [string, unknown[]][] = [
    [`CREATE TABLE ${table} (id INT PRIMARY KEY, owner VARCHAR DEFAULT 'nobody', risk INT)`, []],
    [`INSERT INTO ${table} (id, risk) VALUES ($1, $2), (2, 5) RETURNING *`, [1, 3]],
    [`INSERT INTO ${table} VALUES (3, 'carol', 9) RETURNING id, upper(owner) AS who, risk * 2 AS double_risk`, []],
    [`UPDATE ${table} SET risk = risk + $1 WHERE id <= 2 RETURNING id, risk`, [10]],
    [`UPDATE ${table} SET owner = DEFAULT WHERE id = 3 RETURNING owner, risk > 5 AS high`, []],
    [`DELETE FROM ${table} WHERE risk > $1 RETURNING id, owner || '!' AS gone`, [12]],
    [`DELETE FROM ${table} WHERE id = 99 RETURNING *`, []],
  ];
  const asText = { getTypeParser: () => (v: string) => v } as never;
  try {
    await ours.connect();
    await oracle.connect();
    for (const [sql, params] of statements) {
      const expected = await oracle.query({ text: sql, values: params, rowMode: 'array', types: asText });
      const actual = await ours.query({ text: sql, values: params, rowMode: 'array', types: asText });
      assert.equal(actual.command, expected.command, sql);
      assert.equal(actual.rowCount, expected.rowCount, sql);
      assert.deepEqual(actual.fields.map((f) => [f.name, f.dataTypeID]), expected.fields.map((f) => [f.name, f.dataTypeID]), sql);
      const sorted = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();
      assert.deepEqual(sorted(actual.rows), sorted(expected.rows), sql);
    }
  } finally {
    await oracle.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await oracle.end().catch(() => undefined);
    await ours.end().catch(() => undefined);
    await server.close();
    await engine.close();
  }
});

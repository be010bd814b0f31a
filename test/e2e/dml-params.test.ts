/**
 * Regression: parameters of INSERT … VALUES and UPDATE … SET take the target column's type over the extended
 * protocol (as PostgreSQL infers them), so drivers can bind numbers without casts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createEngine } from '../../src/engine/engine.js';
import { startServer } from '../../src/server/server.js';

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

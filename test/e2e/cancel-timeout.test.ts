/**
 * CancelRequest and statement_timeout against the real server process (bin/sluice.js serve, built to dist/):
 * a deliberately slow ad-hoc SELECT (a cross join of a 4000-row table with itself under an aggregate, several
 * seconds) is cancelled by psycopg2's conn.cancel() from another thread (57014 "due to user request") while a
 * second connection is still served, and the same connection then answers; with node-postgres,
 * `SET statement_timeout = '200ms'` (simple and extended protocol, also from the startup `options`) makes it fail
 * with 57014 "due to statement timeout", inside BEGIN the block fails, and `SET statement_timeout = 0` lets a
 * query through. No timing is asserted: only error codes, messages and the order of answers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServerProcess, type ServerProcess } from '../harness/server-process.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../clients/python/cancel_slow_query.py', import.meta.url));
const ROWS = 4000;
/** 16 M joined rows into one aggregate: several seconds on the development machines. */
const SLOW = 'SELECT count(*), sum(x.a + y.b) FROM big x CROSS JOIN big y';

let server: ServerProcess;

async function client(extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', ...extra });
  await c.connect();
  return c;
}

async function pgError(p: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof pg.DatabaseError) return e;
    throw e;
  }
  assert.fail('the statement succeeded');
}

before(async () => {
  await run(PYTHON, ['-c', 'import psycopg2']).catch((e: Error) => {
    throw new Error(`${PYTHON} lacks psycopg2: apt-get install -y python3-psycopg2 (${e.message})`);
  });
  server = await startServerProcess();
  const c = await client();
  try {
    await c.query('CREATE TABLE big (a int, b int)');
    await c.query(`INSERT INTO big VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i}, ${i % 10})`).join(', ')}`);
    await c.query('FLUSH');
  } finally {
    await c.end();
  }
}, { timeout: 60_000 });

after(async () => {
  await server?.stop();
});

test('psycopg2 conn.cancel() stops a slow SELECT with 57014; another connection is served meanwhile; the connection answers after', { timeout: 20_000 }, async () => {
  const { stdout } = await run(PYTHON, [SCRIPT, String(server.port), SLOW], { timeout: 20_000 });
  const out = JSON.parse(stdout) as { code?: string; message?: string; result?: string; events: string[]; second_answer: number; cancels: number; after: number };
  assert.equal(out.result, undefined, 'the slow query ran to completion instead of being cancelled');
  assert.equal(out.code, '57014');
  assert.equal(out.message, 'canceling statement due to user request');
  assert.deepEqual(out.events, ['second answered', 'slow done']);
  assert.equal(out.second_answer, 42);
  assert.ok(out.cancels >= 1);
  assert.equal(out.after, 1);
});

test("SET statement_timeout = '200ms' stops the slow SELECT with 57014 (simple and extended protocol); 0 lets a query through", { timeout: 20_000 }, async () => {
  const c = await client();
  try {
    await c.query("SET statement_timeout = '200ms'");
    assert.equal((await c.query('SHOW statement_timeout')).rows[0].statement_timeout, '200ms');
    const simple = await pgError(c.query(SLOW));
    assert.equal(simple.code, '57014');
    assert.equal(simple.message, 'canceling statement due to statement timeout');
    const extended = await pgError(c.query({ text: `${SLOW} WHERE x.a >= $1`, values: [0] }));
    assert.equal(extended.code, '57014');
    assert.equal(extended.message, 'canceling statement due to statement timeout');
    const bad = await pgError(c.query("SET statement_timeout = 'abc'"));
    assert.equal(bad.code, '22023');
    assert.equal(bad.message, 'invalid value for parameter "statement_timeout": "abc"');
    await c.query('SET statement_timeout = 0');
    assert.equal((await c.query('SHOW statement_timeout')).rows[0].statement_timeout, '0');
    const fast = await c.query({ text: `SELECT count(*) FROM big x CROSS JOIN big y WHERE x.a = $1`, values: [7] });
    assert.equal(fast.rows[0].count, String(ROWS));
  } finally {
    await c.end();
  }
});

test('statement_timeout from the startup options applies; inside BEGIN the timed-out statement fails the block', { timeout: 20_000 }, async () => {
  const c = await client({ options: '-c statement_timeout=200ms' });
  try {
    assert.equal((await c.query('SHOW statement_timeout')).rows[0].statement_timeout, '200ms');
    await c.query('BEGIN');
    assert.equal((await pgError(c.query(SLOW))).message, 'canceling statement due to statement timeout');
    assert.equal((await pgError(c.query('SELECT 1'))).code, '25P02');
    await c.query('ROLLBACK');
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  } finally {
    await c.end();
  }
});

/**
 * Cancel and statement_timeout on an in-process engine session: SET/SHOW statement_timeout against PostgreSQL
 * (accepted spellings, how SHOW prints them, the 22023 errors with their hints), a long ad-hoc SELECT stopped by
 * Session.cancel() and by statement_timeout with 57014 (simple and prepared), a cancel while idle that does not
 * touch the next statement, the session usable afterwards, and the failed transaction block ('E').
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineSession, StatementResult } from '../../src/engine/api.js';
import { SqlError } from '../../src/common/errors.js';
import { oracleConnection, ensurePostgres } from '../harness/pg-oracle.js';

let engine: Engine;
/** Long enough to be stopped several times over: a 2500 × 2500 cross join (about a second here). */
const SLOW = 'SELECT count(*), sum(x.a + y.a) FROM big x CROSS JOIN big y';

before(async () => {
  engine = await createEngine({ autoEpochs: false });
  const s = engine.openSession({ user: 'root', database: 'dev' });
  await s.execute('CREATE TABLE big (a int)');
  await s.execute(`INSERT INTO big VALUES ${Array.from({ length: 2500 }, (_, i) => `(${i})`).join(', ')}`);
});

after(async () => {
  await engine.close();
});

const session = (): EngineSession => engine.openSession({ user: 'root', database: 'dev' });

function rowsOf(r: StatementResult): unknown[][] {
  assert.equal(r.kind, 'rows');
  return r.kind === 'rows' ? r.rows.map((row) => [...row]) : [];
}

async function sqlError(p: unknown): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  assert.fail('the statement succeeded');
}

test('SET / SHOW statement_timeout parse and print values as PostgreSQL does, errors included', async () => {
  const values = ['0', '200', "'200ms'", "'2s'", "'1min'", "'60000'", "'1.5s'", "'90s'", "'3.5min'", "'1h'", "'1d'", "'0.5'", "'2.5'", "'1500us'", "'100us'",
    "' 200 ms '", "'1e3'", "'1.2e3ms'", "'0x10'", "'+5s'", "'-0'", '1.5', "'2147483647'", 'DEFAULT',
    "'abc'", "''", "'ms'", "'10xyz'", "'2S'", '-1', "'-5s'", '2147483648', "'25d'"];
  await ensurePostgres();
  const pgc = new pg.Client(oracleConnection());
  await pgc.connect();
  const s = session();
  try {
    for (const v of values) {
      const set = `SET statement_timeout = ${v}`;
      let expected: string;
      try {
        await pgc.query(set);
        expected = String((await pgc.query('SHOW statement_timeout')).rows[0].statement_timeout);
      } catch (e) {
        const pe = e as pg.DatabaseError;
        expected = `${pe.code} ${pe.message} | ${pe.hint ?? ''}`;
      }
      let actual: string;
      try {
        await s.execute(set);
        actual = String(rowsOf(await s.execute('SHOW statement_timeout'))[0]![0]);
      } catch (e) {
        const se = e as SqlError;
        actual = `${se.code} ${se.message} | ${se.hint ?? ''}`;
      }
      assert.equal(actual, expected, set);
      await pgc.query('RESET statement_timeout');
      await s.execute('RESET statement_timeout');
    }
    // set_config goes through the same rules; current_setting prints as SHOW.
    await s.execute("SELECT set_config('statement_timeout', '3000', false)");
    assert.deepEqual(rowsOf(await s.execute("SELECT current_setting('statement_timeout')")), [['3s']]);
    assert.equal((await sqlError(s.execute("SELECT set_config('statement_timeout', 'soon', false)"))).code, '22023');
  } finally {
    await pgc.end();
  }
});

test('cancel() stops a running SELECT with 57014 "due to user request"; the session then answers', async () => {
  const s = session();
  const running = s.execute(SLOW);
  setTimeout(() => s.cancel(), 20);
  const e = await sqlError(running);
  assert.equal(e.code, '57014');
  assert.equal(e.message, 'canceling statement due to user request');
  assert.deepEqual(rowsOf(await s.execute('SELECT 1')), [[1]]);
});

test('a cancel while nothing runs does not cancel the next statement', async () => {
  const s = session();
  s.cancel();
  const r = rowsOf(await s.execute('SELECT count(*) FROM big x CROSS JOIN (SELECT a FROM big WHERE a < 40) y'));
  assert.deepEqual(r, [[100_000n]]);
});

test('statement_timeout stops a SELECT with 57014 "due to statement timeout"; 0 disables it', async () => {
  const s = session();
  await s.execute("SET statement_timeout = '50ms'");
  const e = await sqlError(s.execute(SLOW));
  assert.equal(e.code, '57014');
  assert.equal(e.message, 'canceling statement due to statement timeout');
  // Prepared statements (extended protocol) too, also once their plan is cached.
  const p = s.prepare(`${SLOW} WHERE x.a >= $1`, ['integer']);
  for (let i = 0; i < 2; i++) assert.equal((await sqlError(s.executePrepared(p, [0]))).message, 'canceling statement due to statement timeout');
  assert.deepEqual(rowsOf(await s.execute('SELECT count(*) FROM big')), [[2500n]]);
  await s.execute('SET statement_timeout = 0');
  assert.deepEqual(rowsOf(await s.executePrepared(p, [2499])), [[2500n, 2499n * 2500n + (2499n * 2500n) / 2n]]);
});

test('inside a transaction block a cancelled statement fails the block (E) until ROLLBACK', async () => {
  const s = session();
  await s.execute('BEGIN');
  const running = s.execute(SLOW);
  setTimeout(() => s.cancel(), 20);
  assert.equal((await sqlError(running)).code, '57014');
  assert.equal(s.transactionStatus(), 'E');
  assert.equal((await sqlError(s.execute('SELECT 1'))).code, '25P02');
  await s.execute('ROLLBACK');
  assert.equal(s.transactionStatus(), 'I');
  assert.deepEqual(rowsOf(await s.execute('SELECT 1')), [[1]]);
});

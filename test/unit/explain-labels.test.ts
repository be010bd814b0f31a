/**
 * EXPLAIN labels say everything that changes a result: a window's offset, and NULLS FIRST/LAST when they differ
 * from the direction's default (ALTER MATERIALIZED VIEW and readers compare plans by what they show).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/engine.js';

test('EXPLAIN shows a window offset and non-default NULLS ordering', async () => {
  const engine = await createEngine({ autoEpochs: false });
  try {
    const s = engine.openSession({ user: 'root', database: 'dev' });
    await s.execute('CREATE TABLE ev (k VARCHAR, at TIMESTAMPTZ)');
    const explain = async (sql: string): Promise<string> => {
      const r = await s.execute(`EXPLAIN (STREAM) CREATE MATERIALIZED VIEW x AS ${sql}`);
      return r.kind === 'rows' ? r.rows.map((row) => String(row[0])).join('\n') : '';
    };
    assert.match(await explain("SELECT k, window_start FROM TUMBLE(ev, at, INTERVAL '5 minutes', INTERVAL '1 minute')"), /Tumble at size 5m offset 1m/);
    assert.doesNotMatch(await explain("SELECT k, window_start FROM TUMBLE(ev, at, INTERVAL '5 minutes')"), /offset/);
    assert.match(await explain('SELECT k FROM ev ORDER BY k NULLS FIRST LIMIT 3'), /order by \[k NULLS FIRST\]/);
    assert.match(await explain('SELECT k FROM ev ORDER BY k DESC NULLS LAST LIMIT 3'), /order by \[k DESC NULLS LAST\]/);
    assert.match(await explain('SELECT k FROM ev ORDER BY k DESC LIMIT 3'), /order by \[k DESC\]/);
  } finally {
    await engine.close();
  }
});

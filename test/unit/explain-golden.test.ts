/**
 * Golden plans: EXPLAIN (LOGICAL), (STREAM) and (DATAFLOW) of each of the article's views, compared with
 * test/golden/<view>.<stage>.txt. Accept new output with: SLUICE_ACCEPT=1 npm test -- test/unit/explain-golden.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { createEngine } from '../../src/engine/engine.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ARTICLE = readFileSync(join(ROOT, '..', 'shared', 'seed', 'article.sql'), 'utf8');
const GOLDEN = join(ROOT, 'test', 'golden');
const accept = process.env['SLUICE_ACCEPT'] === '1';

test('EXPLAIN of the article views matches the golden files', async () => {
  const engine = await createEngine({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z') * 1000), autoEpochs: false });
  const session = engine.openSession({ user: 'root', database: 'dev' });
  try {
    const statements = ARTICLE.replace(/--[^\n]*/g, '').split(';').map((s) => s.trim()).filter(Boolean);
    let checked = 0;
    for (const stmt of statements) {
      if (/^CREATE SOURCE/i.test(stmt)) {
        // The same sources fed by the datagen connector (no broker needed): the plans are a source's plans
        // (append-only input), not a table's.
        const stream = /CREATE SOURCE (\w+)/i.exec(stmt)![1]!;
        await session.execute(stmt.replace(/WITH \([\s\S]*?\) FORMAT/i, `WITH (connector = 'datagen', stream = '${stream}', rate = '1') FORMAT`));
        continue;
      }
      if (!/^CREATE MATERIALIZED VIEW/i.test(stmt)) continue;
      const name = /VIEW (\w+)/i.exec(stmt)![1]!;
      for (const stage of ['logical', 'stream', 'dataflow']) {
        const r = await session.execute(`EXPLAIN (${stage.toUpperCase()}) ${stmt}`);
        assert.equal(r.kind, 'rows');
        const text = r.kind === 'rows' ? r.rows.map((row) => String(row[0])).join('\n') + '\n' : '';
        const file = join(GOLDEN, `${name}.${stage}.txt`);
        if (accept) writeFileSync(file, text);
        assert.ok(existsSync(file), `${file} is missing; create it with SLUICE_ACCEPT=1`);
        assert.equal(text, readFileSync(file, 'utf8'), `${file} differs; accept with SLUICE_ACCEPT=1 if the change is intended`);
        checked++;
      }
      await session.execute(stmt);
    }
    assert.equal(checked, 15);
  } finally {
    await engine.close();
  }
});

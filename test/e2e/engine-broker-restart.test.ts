/**
 * The engine across a dead broker: a Kafka source and a Kafka sink on a private broker that is stopped mid-stream
 * and restarted. While it is down the source shows status 'retrying' with its last error; afterwards the view
 * equals PostgreSQL over every message produced, and the sink topic holds each epoch's output exactly once with
 * the latest value per key equal to the view.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { PrivateBroker } from '../harness/private-broker.js';

async function rows(s: EngineSession, sql: string): Promise<TextRow[]> {
  const r = await s.execute(sql);
  if (r.kind !== 'rows') throw new Error('expected rows');
  return r.rows.map((row) => row.map((v, i) => (v === null ? null : formatValueText(v, r.columns[i]!.type))));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('broker stopped and restarted mid-stream: nothing lost, nothing repeated, status visible', { timeout: 300_000, skip: PrivateBroker.available ? false : 'no Kafka jars' }, async () => {
  const broker = new PrivateBroker(19192);
  await broker.start();
  const admin = broker.kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }, { topic: 'counts', numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = broker.kafka().producer();
  const produced: { k: string; n: number }[] = [];
  const produceBatch = async (from: number, count: number): Promise<void> => {
    const msgs = Array.from({ length: count }, (_, i) => ({ k: `key${(from + i) % 7}`, n: from + i }));
    produced.push(...msgs);
    await producer.connect();
    await producer.send({ topic: 'events', messages: msgs.map((m, i) => ({ value: JSON.stringify(m), partition: i % 2 })) });
    await producer.disconnect();
  };
  const engine = await createEngine({ epochMs: 50 });
  const s = engine.openSession({ user: 'root', database: 'dev' });
  const server = broker.brokers[0]!;
  try {
    await s.execute(`CREATE SOURCE events (k VARCHAR, n INT) WITH (connector = 'kafka', topic = 'events', properties.bootstrap.server = '${server}', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`);
    await s.execute('CREATE MATERIALIZED VIEW counts AS SELECT k, count(*) AS c, sum(n) AS total FROM events GROUP BY k');
    await s.execute(`CREATE SINK counts_sink FROM counts WITH (connector = 'kafka', topic = 'counts', properties.bootstrap.server = '${server}', primary_key = 'k') FORMAT UPSERT ENCODE JSON`);
    await produceBatch(0, 300);
    await until('first batch ingested', async () => (await rows(s, 'SELECT sum(c) FROM counts'))[0]![0] === '300');

    await broker.stop();
    await until('source reports the broker as unreachable', async () => {
      const [st] = await rows(s, `SELECT status, last_error FROM sluice.sources WHERE name = 'events'`);
      return st![0] === 'retrying' && st![1] !== null;
    });
    // Queries keep working while the broker is down.
    assert.equal((await rows(s, 'SELECT sum(c) FROM counts'))[0]![0], '300');

    await broker.start();
    await produceBatch(300, 250);
    await until('all messages ingested after the restart', async () => (await rows(s, 'SELECT sum(c) FROM counts'))[0]![0] === String(produced.length));

    await withOracle(async (o) => {
      await o.createTable('events', [{ name: 'k', type: 'varchar' }, { name: 'n', type: 'integer' }]);
      await o.insert('events', produced.map((m) => [m.k, String(m.n)]));
      const expected = await o.query('SELECT k, count(*) AS c, sum(n) AS total FROM events GROUP BY k');
      assertSameRows(await rows(s, 'SELECT * FROM counts'), expected, 'counts after the broker restart');
      // The sink topic: each epoch once; the latest record per key is the view's row.
      const consumer = broker.kafka().consumer({ groupId: `check-${Date.now()}`, readUncommitted: false });
      const seen: { epoch: string; key: string; value: string }[] = [];
      await until('sink caught up', async () => {
        seen.length = 0;
        await consumer.connect();
        await consumer.subscribe({ topic: 'counts', fromBeginning: true });
        const done = new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 3000);
          void consumer.run({
            eachMessage: async ({ message }) => {
              seen.push({ epoch: String(message.headers?.['sluice-epoch']), key: String(message.key), value: String(message.value) });
              if (seen.length > 10_000) {
                clearTimeout(t);
                resolve();
              }
            },
          });
        });
        await done;
        await consumer.stop();
        await consumer.disconnect();
        const latest = new Map(seen.map((m) => [m.key, m.value]));
        return latest.size === expected.length && [...latest.values()].every((v) => {
          const j = JSON.parse(v) as { k: string; c: number; total: string | number };
          return expected.some((r) => r[0] === j.k && r[1] === String(j.c) && r[2] === String(j.total));
        });
      }, 60_000);
      const pairs = seen.map((m) => `${m.epoch}|${m.key}`);
      assert.equal(new Set(pairs).size, pairs.length, 'no epoch wrote the same key twice (no repeated epoch)');
    });
  } finally {
    await engine.close();
    await broker.destroy();
  }
});

/**
 * Kafka sources through the engine: bad messages (invalid JSON, not an object, wrong types, an empty value, a 1 MB
 * value) interleaved with good ones become rows of sluice.dead_letters with their offsets while every good one is
 * counted; and scan.startup.mode earliest reads what was on the topic before CREATE SOURCE, latest does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { createTopic, ensureKafkaBroker, produce, uniqueTopic } from '../harness/kafka.js';

async function rows(s: EngineSession, sql: string): Promise<unknown[][]> {
  const r = await s.execute(sql);
  assert.equal(r.kind, 'rows');
  return r.kind === 'rows' ? r.rows.map((x) => [...x]) : [];
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('bad Kafka messages become dead letters with their offsets; good ones are all counted', { timeout: 120_000 }, async () => {
  await ensureKafkaBroker();
  const topic = uniqueTopic('dlq');
  await createTopic(topic, 1);
  const engine = await createEngine({});
  const s = engine.openSession({ user: 'root', database: 'dev' });
  try {
    await s.execute(`CREATE SOURCE fw (src_ip VARCHAR, dst_port INT, bytes BIGINT, log_time TIMESTAMPTZ) WITH (connector = 'kafka', topic = '${topic}', properties.bootstrap.server = 'kafka:9092', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`);
    await s.execute('CREATE MATERIALIZED VIEW per_ip AS SELECT src_ip, count(*) AS n, sum(bytes) AS total FROM fw GROUP BY src_ip');
    const good = (i: number): string => JSON.stringify({ src_ip: `10.0.0.${i % 3}`, dst_port: 443, bytes: i, log_time: '2026-01-01T00:00:00Z' });
    const bad: { value: string; reason: RegExp }[] = [
      { value: '{not json', reason: /json/i },
      { value: '[1,2,3]', reason: /object/i },
      { value: JSON.stringify({ src_ip: 'x', dst_port: 'abc' }), reason: /dst_port/ },
      { value: JSON.stringify({ src_ip: 'x', log_time: 'yesterday-ish' }), reason: /log_time/ },
      { value: '', reason: /empty/i },
      { value: JSON.stringify({ src_ip: 'x'.repeat(1_000_000), dst_port: 'big' }), reason: /dst_port/ }, // ~1 MB: below the broker's message.max.bytes
    ];
    const messages: { value: string }[] = [];
    const badOffsets: number[] = [];
    let goodCount = 0;
    for (let i = 0; i < 60; i++) {
      if (i % 10 === 5) {
        badOffsets.push(messages.length);
        messages.push({ value: bad[badOffsets.length - 1]!.value });
      } else {
        messages.push({ value: good(i) });
        goodCount++;
      }
    }
    // One request per message: a 1 MB record and its neighbours must not share one batch (broker size limit).
    for (const m of messages) await produce(topic, [m]);
    await until('all messages consumed', async () => {
      await s.execute('FLUSH');
      const n = Number((await rows(s, 'SELECT coalesce(sum(n), 0) FROM per_ip'))[0]![0]);
      const d = Number((await rows(s, `SELECT count(*) FROM sluice.dead_letters WHERE source = 'fw'`))[0]![0]);
      return n === goodCount && d === bad.length;
    });
    const dead = await rows(s, `SELECT "offset", error, length(raw) FROM sluice.dead_letters WHERE source = 'fw' ORDER BY "offset"`);
    assert.deepEqual(dead.map((d) => Number(d[0])), badOffsets);
    dead.forEach((d, i) => assert.match(String(d[1]), bad[i]!.reason, `reason for offset ${d[0]}: ${d[1]}`));
    assert.ok(Number(dead[5]![2]) <= 1024, 'raw bytes are kept up to a limit');
    const [src] = await rows(s, `SELECT rows_ingested, dead_letters, status FROM sluice.sources WHERE name = 'fw'`);
    assert.deepEqual([Number(src![0]), Number(src![1]), src![2]], [goodCount, bad.length, 'running']);
    const total = (await rows(s, 'SELECT sum(total) FROM per_ip'))[0]![0];
    const expectedTotal = messages.map((m, i) => (badOffsets.includes(i) ? 0 : i)).reduce((a, b) => a + b, 0);
    assert.equal(String(total), String(expectedTotal));
  } finally {
    await engine.close();
  }
});

test('scan.startup.mode: earliest reads messages produced before CREATE SOURCE, latest only later ones', { timeout: 120_000 }, async () => {
  await ensureKafkaBroker();
  const topic = uniqueTopic('startup');
  await createTopic(topic, 2);
  await produce(topic, [0, 1, 2, 3].map((i) => ({ value: JSON.stringify({ k: `before-${i}` }), partition: i % 2 })));
  const engine = await createEngine({});
  const s = engine.openSession({ user: 'root', database: 'dev' });
  try {
    for (const mode of ['earliest', 'latest']) {
      await s.execute(`CREATE SOURCE src_${mode} (k VARCHAR) WITH (connector = 'kafka', topic = '${topic}', properties.bootstrap.server = 'kafka:9092', scan.startup.mode = '${mode}') FORMAT PLAIN ENCODE JSON`);
      await s.execute(`CREATE MATERIALIZED VIEW all_${mode} AS SELECT k FROM src_${mode}`);
    }
    await until('sources running', async () => Number((await rows(s, `SELECT count(*) FROM sluice.sources WHERE status = 'running'`))[0]![0]) === 2);
    await s.execute('FLUSH');
    await produce(topic, [0, 1].map((i) => ({ value: JSON.stringify({ k: `after-${i}` }), partition: i % 2 })));
    await until('after-messages read', async () => {
      await s.execute('FLUSH');
      return Number((await rows(s, 'SELECT count(*) FROM all_latest'))[0]![0]) === 2 && Number((await rows(s, 'SELECT count(*) FROM all_earliest'))[0]![0]) === 6;
    });
    assert.deepEqual((await rows(s, 'SELECT k FROM all_latest ORDER BY k')).map((r) => r[0]), ['after-0', 'after-1']);
    assert.deepEqual((await rows(s, 'SELECT k FROM all_earliest ORDER BY k')).map((r) => r[0]), ['after-0', 'after-1', 'before-0', 'before-1', 'before-2', 'before-3']);
  } finally {
    await engine.close();
  }
});

/**
 * Kafka source against the real test broker: exact offsets across 3 partitions, stop and resume from
 * position() with no loss or duplication, partitions added later, 'latest' and timestamp startup modes,
 * an unreachable broker, and the bounded buffer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafkaSource } from '../../src/connectors/kafka-source.js';
import type { SourceMessage, SourceReader } from '../../src/connectors/types.js';
import { addPartitions, BROKERS, createTopic, ensureBroker, produce, uniqueTopic, waitFor, kafka } from './kafka-connectors-util.js';
import { Partitioners } from 'kafkajs';

const opened: SourceReader[] = [];

function source(topic: string, startup: 'earliest' | 'latest' | { timestampMs: number }, properties: Record<string, string> = {}, brokers = BROKERS): SourceReader {
  const s = createKafkaSource({ brokers, topic, startup, clientId: 'sluice-test', properties });
  opened.push(s);
  return s;
}

/** Polls until `n` messages were collected (or 20 s passed). */
async function collect(s: SourceReader, n: number, into: SourceMessage[] = []): Promise<SourceMessage[]> {
  await waitFor(() => {
    into.push(...s.poll(n - into.length));
    return into.length >= n;
  }, 20_000);
  return into;
}

function ids(ms: SourceMessage[]): string[] {
  return ms.map((m) => `${m.partition}:${m.offset}`);
}

function threePartitionMessages(perPartition: number): { partition: number; value: string }[] {
  const out: { partition: number; value: string }[] = [];
  for (let i = 0; i < perPartition; i++) for (let p = 0; p < 3; p++) out.push({ partition: p, value: JSON.stringify({ p, i }) });
  return out;
}

describe('kafka source', { timeout: 120_000 }, () => {
  before(async () => {
    await ensureBroker();
  });
  after(async () => {
    for (const s of opened) await s.close();
  });

  it('reads exactly N messages with correct offsets from a 3-partition topic', async () => {
    const topic = uniqueTopic('src-exact');
    await createTopic(topic, 3);
    await produce(topic, threePartitionMessages(100));
    const s = source(topic, 'earliest');
    await s.start(null);
    const got = await collect(s, 300);
    assert.equal(got.length, 300);
    assert.equal(new Set(ids(got)).size, 300);
    for (let p = 0; p < 3; p++) {
      const offs = got.filter((m) => m.partition === p).map((m) => Number(m.offset));
      assert.deepEqual(offs, Array.from({ length: 100 }, (_, i) => i), `partition ${p} in offset order`);
      const values = got.filter((m) => m.partition === p).map((m) => JSON.parse(m.value!.toString()).i);
      assert.deepEqual(values, Array.from({ length: 100 }, (_, i) => i));
    }
    assert.deepEqual(s.position(), { 0: '100', 1: '100', 2: '100' });
    await waitFor(() => s.poll(10).length > 0, 300);
    assert.equal(s.poll(10).length, 0, 'nothing beyond the produced messages');
    const st = s.status();
    assert.equal(st.state, 'running');
    assert.deepEqual(st.partitions.map((p) => [p.partition, p.nextOffset, p.highWatermark]), [
      [0, '100', '100'],
      [1, '100', '100'],
      [2, '100', '100'],
    ]);
  });

  it('stops and resumes from position() with no loss or duplication', async () => {
    const topic = uniqueTopic('src-resume');
    await createTopic(topic, 3);
    await produce(topic, threePartitionMessages(100));
    const first = source(topic, 'earliest');
    await first.start(null);
    const a = await collect(first, 137);
    assert.equal(a.length, 137);
    const pos = first.position();
    await first.close();
    await produce(topic, threePartitionMessages(10)); // more arrive while stopped
    const second = source(topic, 'latest'); // startup mode must not matter when resuming
    await second.start(pos);
    const b = await collect(second, 330 - 137);
    const all = ids([...a, ...b]);
    assert.equal(all.length, 330);
    assert.equal(new Set(all).size, 330, 'no duplicates');
    assert.deepEqual(second.position(), { 0: '110', 1: '110', 2: '110' });
  });

  it('picks up partitions added later, from their first offset', async () => {
    const topic = uniqueTopic('src-grow');
    await createTopic(topic, 1);
    await produce(topic, [{ partition: 0, value: '{"a":1}' }]);
    const s = source(topic, 'latest', { 'topic.metadata.refresh.interval.ms': '200' });
    await s.start(null);
    assert.deepEqual(s.position(), { 0: '1' });
    await addPartitions(topic, 3);
    const admin = kafka().admin();
    await admin.connect();
    // Wait for the new partitions' leaders too: producing before then makes kafkajs retry, which can duplicate.
    await waitFor(async () => {
      const parts = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
      return parts.length === 3 && parts.every((p) => p.leader >= 0);
    }, 10_000);
    await admin.disconnect();
    await produce(topic, [
      { partition: 1, value: '{"a":2}' },
      { partition: 2, value: '{"a":3}' },
      { partition: 2, value: '{"a":4}' },
    ]);
    const got = await collect(s, 3);
    assert.deepEqual(got.map((m) => `${m.partition}:${m.offset}:${m.value!.toString()}`).sort(), ['1:0:{"a":2}', '2:0:{"a":3}', '2:1:{"a":4}']);
    assert.deepEqual(s.position(), { 0: '1', 1: '1', 2: '2' });
  });

  it("'latest' skips messages produced before start and reads the ones after", async () => {
    const topic = uniqueTopic('src-latest');
    await createTopic(topic, 3);
    await produce(topic, threePartitionMessages(20));
    const s = source(topic, 'latest');
    await s.start(null);
    assert.deepEqual(s.position(), { 0: '20', 1: '20', 2: '20' }, 'end offsets at start() are the position');
    await produce(topic, threePartitionMessages(2));
    const got = await collect(s, 6);
    assert.equal(got.length, 6);
    assert.ok(got.every((m) => Number(m.offset) >= 20));
    await waitFor(() => false, 300);
    assert.equal(s.poll(100).length, 0);
  });

  it('a partition missing from a non-empty resume point starts at its beginning', async () => {
    const topic = uniqueTopic('src-missing');
    await createTopic(topic, 2);
    await produce(topic, [
      { partition: 0, value: '{"x":0}' },
      { partition: 0, value: '{"x":1}' },
      { partition: 1, value: '{"x":2}' },
    ]);
    const s = source(topic, 'latest');
    await s.start({ 0: '1' });
    const got = await collect(s, 2);
    assert.deepEqual(ids(got).sort(), ['0:1', '1:0']);
  });

  it('timestamp startup starts at the first record at or after the timestamp', async () => {
    const topic = uniqueTopic('src-ts');
    await createTopic(topic, 1);
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const base = 1_700_000_000_000;
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `{"i":${i}}`, timestamp: String(base + i * 1000) })),
    });
    await producer.disconnect();
    const s = source(topic, { timestampMs: base + 6500 });
    await s.start(null);
    const got = await collect(s, 3);
    assert.deepEqual(ids(got), ['0:7', '0:8', '0:9']);
    assert.equal(got[0]!.timestampMs, base + 7000);
  });

  it('start() resolves with an unreachable broker and reports retrying', async () => {
    const s = source('nowhere', 'earliest', {}, ['127.0.0.1:1']);
    await s.start(null);
    const st = s.status();
    assert.equal(st.state, 'retrying');
    assert.ok(st.lastError && st.lastError.length > 0);
    assert.ok(st.lastErrorAtMs !== null);
    assert.deepEqual(s.poll(10), []);
    assert.deepEqual(s.position(), {});
  });

  it('a topic that does not exist yet is retried, then read once created', async () => {
    const topic = uniqueTopic('src-late-topic');
    const s = source(topic, 'earliest');
    await s.start(null);
    assert.equal(s.status().state, 'retrying');
    assert.match(s.status().lastError ?? '', /does not exist|unknown topic|This server does not host/i);
    await createTopic(topic, 1);
    await produce(topic, [{ partition: 0, value: '{"ok":true}' }]);
    const got = await collect(s, 1);
    assert.deepEqual(ids(got), ['0:0']);
    assert.equal(s.status().state, 'running');
  });

  it('reads a transactional topic read_committed: aborted records and markers skipped, resume exact', async () => {
    const topic = uniqueTopic('src-txn');
    await createTopic(topic, 1);
    const producer = kafka().producer({ transactionalId: `tx-${topic}`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const t1 = await producer.transaction();
    await t1.send({ topic, messages: [{ partition: 0, value: '{"v":"c1"}' }, { partition: 0, value: '{"v":"c2"}' }] });
    await t1.commit();
    const t2 = await producer.transaction();
    await t2.send({ topic, messages: [{ partition: 0, value: '{"v":"aborted"}' }] });
    await t2.abort();
    const t3 = await producer.transaction();
    await t3.send({ topic, messages: [{ partition: 0, value: '{"v":"c3"}' }] });
    await t3.commit();
    await producer.disconnect();
    const s = source(topic, 'earliest');
    await s.start(null);
    const got = await collect(s, 3);
    assert.deepEqual(got.map((m) => JSON.parse(m.value!.toString()).v), ['c1', 'c2', 'c3']);
    // offsets: c1 0, c2 1, marker 2, aborted 3, marker 4, c3 5, marker 6
    assert.deepEqual(ids(got), ['0:0', '0:1', '0:5']);
    assert.deepEqual(s.position(), { 0: '6' });
    await s.close();
    const again = source(topic, 'earliest');
    await again.start({ 0: '2' });
    assert.deepEqual(ids(await collect(again, 1)), ['0:5']);
    await waitFor(() => false, 300);
    assert.equal(again.poll(10).length, 0);
  });

  it('wakes the engine through onData when messages arrive', async () => {
    const topic = uniqueTopic('src-ondata');
    await createTopic(topic, 1);
    const s = source(topic, 'latest');
    let calls = 0;
    s.onData?.(() => calls++);
    await s.start(null);
    await produce(topic, [{ partition: 0, value: '{"x":1}' }]);
    assert.ok(await waitFor(() => calls > 0, 10_000), 'listener called');
    assert.equal(s.poll(10).length, 1);
  });

  it('keeps its buffer bounded until the engine drains it', async () => {
    const topic = uniqueTopic('src-bounded');
    await createTopic(topic, 1);
    const msgs = Array.from({ length: 2000 }, (_, i) => ({ partition: 0, value: JSON.stringify({ i, pad: 'x'.repeat(100) }) }));
    await produce(topic, msgs, BROKERS, 10); // record batches of 10: a fetch returns whole batches
    const s = source(topic, 'earliest', { 'queued.max.messages': '100', 'max.partition.fetch.bytes': '4096' });
    await s.start(null);
    await waitFor(() => s.status().partitions[0]?.highWatermark === '2000', 10_000);
    await waitFor(() => false, 500);
    const firstBatch = s.poll(100_000);
    // Fetching stops once 100 are buffered; one more fetch (≤ 4 KiB ≈ 30 records) may be in flight.
    assert.ok(firstBatch.length >= 1 && firstBatch.length < 200, `buffered ${firstBatch.length}`);
    const rest = await collect(s, 2000 - firstBatch.length);
    assert.equal(firstBatch.length + rest.length, 2000);
    assert.deepEqual(
      [...firstBatch, ...rest].map((m) => Number(m.offset)),
      Array.from({ length: 2000 }, (_, i) => i),
    );
  });
});

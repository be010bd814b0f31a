/**
 * e2e: the project's Kafka broker (scripts/kafka.sh) through the article's `kafka:9092` address, with kafkajs
 * 2.2.4 and the real kcat; and the transactional producer the sluice sink relies on (commit + abort, seen
 * correctly by read_committed and read_uncommitted readers).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createTopic,
  deleteTopic,
  endOffsets,
  ensureKafkaBroker,
  kcatRead,
  produce,
  produceJsonLines,
  readTopic,
  testKafka,
  uniqueTopic,
} from '../harness/kafka.js';

const KAFKA_SH = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));

describe('kafka broker at kafka:9092', () => {
  before(async () => {
    await ensureKafkaBroker();
  });

  it('scripts/kafka.sh status and ensure report the running broker', () => {
    assert.match(execFileSync('bash', [KAFKA_SH, 'status'], { encoding: 'utf8' }), /^running \(/);
    assert.equal(execFileSync('bash', [KAFKA_SH, 'ensure'], { encoding: 'utf8' }).trim(), 'already running');
  });

  it('creates a topic, produces, and reads back with kafkajs and kcat', async () => {
    const topic = uniqueTopic('e2e-plain');
    assert.equal(await createTopic(topic, 2), true);
    assert.equal(await createTopic(topic, 2), false, 'second create reports the topic exists');
    await produce(topic, [
      { key: 'k1', value: 'v1', partition: 0, headers: { h: 'x' } },
      { key: null, value: 'tab\there\nnewline', partition: 1, timestampMs: 1_500_000_000_000 },
      { key: 'k3', value: 'v3', partition: 0 },
    ]);
    await produceJsonLines(topic, [{ a: 1 }, { b: 'two' }], 1);

    const read = await readTopic(topic, { isolation: 'read_uncommitted', timeoutMs: 30_000 });
    assert.deepEqual(
      read.map((m) => [m.partition, m.offset, m.key, m.value]),
      [
        [0, 0, 'k1', 'v1'],
        [0, 1, 'k3', 'v3'],
        [1, 0, null, 'tab\there\nnewline'],
        [1, 1, null, '{"a":1}'],
        [1, 2, null, '{"b":"two"}'],
      ],
    );
    assert.deepEqual(read[0]!.headers, { h: 'x' });
    assert.equal(read[2]!.timestampMs, 1_500_000_000_000);

    const viaKcat = await kcatRead(topic);
    assert.deepEqual(
      viaKcat.map((m) => [m.partition, m.offset, m.key, m.value]),
      read.map((m) => [m.partition, m.offset, m.key, m.value]),
    );
    await deleteTopic(topic);
  });

  it('reads an empty topic as no messages', async () => {
    const topic = uniqueTopic('e2e-empty');
    await createTopic(topic);
    assert.deepEqual(await readTopic(topic), []);
    assert.deepEqual(await kcatRead(topic), []);
    await deleteTopic(topic);
  });

  it('transactional producer: committed messages are visible to read_committed, aborted ones are not', async () => {
    const topic = uniqueTopic('e2e-txn');
    await createTopic(topic, 2);
    const producer = testKafka('sluice-test-txn').producer({
      transactionalId: uniqueTopic('txid'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ value: 'c1', partition: 0 }, { value: 'c2', partition: 1 }] });
      await t1.commit();

      const t2 = await producer.transaction();
      await t2.send({ topic, messages: [{ value: 'a1', partition: 0 }, { value: 'a2', partition: 1 }] });
      await t2.abort();

      const t3 = await producer.transaction();
      await t3.send({ topic, messages: [{ value: 'c3', partition: 0 }] });
      await t3.commit();

      const committed = await readTopic(topic, { isolation: 'read_committed', timeoutMs: 30_000 });
      assert.deepEqual(committed.map((m) => m.value).sort(), ['c1', 'c2', 'c3']);
      const uncommitted = await readTopic(topic, { isolation: 'read_uncommitted', timeoutMs: 30_000 });
      assert.deepEqual(uncommitted.map((m) => m.value).sort(), ['a1', 'a2', 'c1', 'c2', 'c3']);
      const viaKcat = await kcatRead(topic, { isolation: 'read_committed' });
      assert.deepEqual(viaKcat.map((m) => m.value).sort(), ['c1', 'c2', 'c3']);

      // An open transaction: its messages exist (read_uncommitted) but stay invisible to read_committed readers.
      const t4 = await producer.transaction();
      await t4.send({ topic, messages: [{ value: 'open1', partition: 1 }] });
      const lso = await endOffsets(topic, 'read_committed');
      const hw = await endOffsets(topic, 'read_uncommitted');
      assert.ok(hw.get(1)! > lso.get(1)!, `high watermark ${hw.get(1)} is past the last stable offset ${lso.get(1)}`);
      assert.deepEqual((await readTopic(topic, { isolation: 'read_committed' })).map((m) => m.value).sort(), ['c1', 'c2', 'c3']);
      assert.ok((await readTopic(topic, { isolation: 'read_uncommitted' })).some((m) => m.value === 'open1'));
      assert.deepEqual((await kcatRead(topic)).map((m) => m.value).sort(), ['c1', 'c2', 'c3']);
      await t4.commit();
      assert.deepEqual((await readTopic(topic)).map((m) => m.value).sort(), ['c1', 'c2', 'c3', 'open1']);
    } finally {
      await producer.disconnect();
    }
    await deleteTopic(topic);
  });

  it('a restarted transactional producer (same transactionalId) fences the old one and aborts its open transaction', async () => {
    const topic = uniqueTopic('e2e-fence');
    await createTopic(topic);
    const transactionalId = uniqueTopic('txid-fence');
    const options = { transactionalId, idempotent: true, maxInFlightRequests: 1 };
    const crashed = testKafka('sluice-test-crashed').producer(options);
    await crashed.connect();
    const restarted = testKafka('sluice-test-restarted').producer(options);
    try {
      const open = await crashed.transaction();
      await open.send({ topic, messages: [{ value: 'lost-at-crash' }] });
      // The "crash": the old producer never commits; a new one with the same id starts (InitProducerId).
      await restarted.connect();
      const t = await restarted.transaction();
      await t.send({ topic, messages: [{ value: 'after-restart' }] });
      await t.commit();
      assert.deepEqual((await readTopic(topic, { isolation: 'read_committed', timeoutMs: 30_000 })).map((m) => m.value), ['after-restart']);
      assert.deepEqual((await kcatRead(topic)).map((m) => m.value), ['after-restart']);
      await assert.rejects(open.commit(), 'the fenced producer cannot commit its old transaction');
    } finally {
      await crashed.disconnect().catch(() => {});
      await restarted.disconnect();
    }
    await deleteTopic(topic);
  });
});

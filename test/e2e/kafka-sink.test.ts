/**
 * Kafka sink against the real test broker, checked with kcat (librdkafka, an independent client) reading
 * read_committed: epochs appear exactly once with their sluice-epoch header, a re-sent epoch is skipped,
 * start() reports the last durable epoch, and a crashed (never committed) transaction stays invisible.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Partitioners } from 'kafkajs';
import { createKafkaSink, EPOCH_HEADER } from '../../src/connectors/kafka-sink.js';
import { createKafkaSource } from '../../src/connectors/kafka-source.js';
import { createJsonDecoder } from '../../src/connectors/json-decoder.js';
import { encodeChanges } from '../../src/connectors/json-encoder.js';
import type { Column, Row } from '../../src/common/types.js';
import type { SinkWriter } from '../../src/connectors/types.js';
import { BROKERS, createTopic, ensureBroker, kafka, uniqueTopic, waitFor } from './kafka-connectors-util.js';

interface KcatRecord {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** Everything read_committed readers see on `topic`, read by kcat up to the end of each partition. */
function kcatReadCommitted(topic: string, isolation = 'read_committed'): KcatRecord[] {
  const out = execFileSync(
    'kcat',
    ['-b', BROKERS[0]!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J', '-X', `isolation.level=${isolation}`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as KcatRecord);
}

function epochOf(r: KcatRecord): string | undefined {
  const h = r.headers ?? [];
  for (let i = 0; i + 1 < h.length; i += 2) if (h[i] === EPOCH_HEADER) return h[i + 1];
  return undefined;
}

const opened: SinkWriter[] = [];
function sink(topic: string, transactionalId: string, brokers = BROKERS): SinkWriter {
  const s = createKafkaSink({ brokers, topic, transactionalId });
  opened.push(s);
  return s;
}

describe('kafka sink', { timeout: 120_000 }, () => {
  before(async () => {
    await ensureBroker();
  });
  after(async () => {
    for (const s of opened) await s.close();
  });

  it('writes each epoch once, stamped, and start() reports the last epoch', async () => {
    const topic = uniqueTopic('sink-epochs');
    await createTopic(topic, 3);
    const txId = `tx-${topic}`;
    const s1 = sink(topic, txId);
    assert.equal(await s1.start(), 0);
    await s1.writeEpoch(1, [
      { key: '{"k":1}', value: '{"a":1}' },
      { key: '{"k":2}', value: '{"a":2}' },
      { key: null, value: '{"a":3}' },
    ]);
    await s1.writeEpoch(2, [{ key: '{"k":1}', value: '{"a":4}' }]);
    await s1.writeEpoch(2, [{ key: '{"k":1}', value: '{"a":4}' }]); // a re-sent epoch is skipped
    await s1.writeEpoch(3, []); // an empty epoch writes nothing
    assert.equal(s1.status().lastEpoch, 3);
    assert.equal(s1.status().messagesWritten, 4);
    await s1.close();

    const s2 = sink(topic, txId);
    assert.equal(await s2.start(), 2, 'highest epoch durably on the topic');
    await s2.writeEpoch(2, [{ key: '{"k":1}', value: '{"a":4}' }]); // engine re-sends a logged epoch: skipped
    await s2.writeEpoch(4, [{ key: '{"k":9}', value: '{"a":5}' }]);

    const seen = kcatReadCommitted(topic);
    const payloads = seen.map((r) => r.payload).sort();
    assert.deepEqual(payloads, ['{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}', '{"a":5}']);
    const byPayload = new Map(seen.map((r) => [r.payload, epochOf(r)]));
    assert.equal(byPayload.get('{"a":1}'), '1');
    assert.equal(byPayload.get('{"a":3}'), '1');
    assert.equal(byPayload.get('{"a":4}'), '2');
    assert.equal(byPayload.get('{"a":5}'), '4');
    assert.equal(seen.find((r) => r.payload === '{"a":2}')?.key, '{"k":2}');
  });

  it('a crashed transaction of the same transactionalId is aborted by start() and never visible', async () => {
    const topic = uniqueTopic('sink-crash');
    await createTopic(topic, 1);
    const txId = `tx-${topic}`;
    const s1 = sink(topic, txId);
    await s1.start();
    await s1.writeEpoch(1, [{ key: null, value: '{"committed":1}' }]);
    await s1.close();

    // A producer that dies mid-epoch: it sends inside a transaction and never commits.
    const zombie = kafka().producer({ transactionalId: txId, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await zombie.connect();
    const txn = await zombie.transaction();
    await txn.send({ topic, messages: [{ value: '{"lost":2}', headers: { [EPOCH_HEADER]: '2' } }, { value: '{"lost":3}', headers: { [EPOCH_HEADER]: '2' } }] });
    await zombie.disconnect();
    const dirty = kcatReadCommitted(topic, 'read_uncommitted').map((r) => r.payload);
    assert.ok(dirty.includes('{"lost":2}'), 'the zombie really wrote records');

    const s2 = sink(topic, txId);
    assert.equal(await s2.start(), 1, 'the open epoch-2 transaction does not count');
    await s2.writeEpoch(2, [{ key: null, value: '{"committed":2}' }]);
    const seen = kcatReadCommitted(topic).map((r) => `${r.payload}@${epochOf(r)}`);
    assert.deepEqual(seen, ['{"committed":1}@1', '{"committed":2}@2']);
  });

  it('a large epoch is one transaction across produce requests', async () => {
    const topic = uniqueTopic('sink-large');
    await createTopic(topic, 2);
    const s = createKafkaSink({ brokers: BROKERS, topic, transactionalId: `tx-${topic}`, chunkSize: 100 });
    opened.push(s);
    await s.start();
    const msgs = Array.from({ length: 1234 }, (_, i) => ({ key: `{"i":${i}}`, value: `{"i":${i}}` }));
    await s.writeEpoch(5, msgs);
    const seen = kcatReadCommitted(topic);
    assert.equal(seen.length, 1234);
    assert.equal(new Set(seen.map((r) => r.payload)).size, 1234);
    assert.ok(seen.every((r) => epochOf(r) === '5'));
  });

  it('encoder → sink → source → decoder round-trips alert rows exactly once', async () => {
    const topic = uniqueTopic('sink-pipeline');
    await createTopic(topic, 2);
    const cols: Column[] = [
      { name: 'alert_type', type: 'varchar' },
      { name: 'entity', type: 'varchar' },
      { name: 'detected_at', type: 'timestamptz' },
      { name: 'description', type: 'varchar' },
    ];
    const rows: Row[] = Array.from({ length: 50 }, (_, i) => ['brute_force', `198.18.0.${i}`, 1767261600000000 + i * 1000, `${21 + i} failures`]);
    const s = sink(topic, `tx-${topic}`);
    await s.start();
    await s.writeEpoch(1, encodeChanges('PLAIN', rows.slice(0, 30).map((row) => ({ row, weight: 1 })), cols, []));
    // epoch 2 updates one alert (−old, +new) and deletes another: PLAIN writes only the new row
    await s.writeEpoch(
      2,
      encodeChanges(
        'PLAIN',
        [{ row: rows[0]!, weight: -1 }, { row: [...rows[0]!.slice(0, 3), '99 failures'], weight: 1 }, { row: rows[1]!, weight: -1 }, ...rows.slice(30).map((row) => ({ row, weight: 1 }))],
        cols,
        [],
      ),
    );
    const src = createKafkaSource({ brokers: BROKERS, topic, startup: 'earliest', clientId: 'pipeline', properties: {} });
    await src.start(null);
    const dec = createJsonDecoder({ columns: cols, include: [] });
    const got: Row[] = [];
    await waitFor(() => {
      for (const m of src.poll(1000)) {
        const r = dec.decode(m);
        assert.ok(r.ok);
        got.push(r.row);
      }
      return got.length >= 51;
    }, 20_000);
    await src.close();
    const key = (r: Row): string => JSON.stringify(r);
    assert.deepEqual(got.map(key).sort(), [...rows, [...rows[0]!.slice(0, 3), '99 failures']].map(key).sort());
  });

  it('retries while the broker is unreachable and fails pending calls on close', async () => {
    const s = createKafkaSink({ brokers: ['127.0.0.1:1'], topic: 'nowhere', transactionalId: 'tx-nowhere' });
    const started = s.start();
    let settled = false;
    started.then(
      () => (settled = true),
      () => (settled = true),
    );
    assert.ok(await waitFor(() => s.status().state === 'retrying', 15_000), 'reports retrying');
    assert.equal(settled, false, 'start() waits for the broker');
    assert.ok((s.status().lastError ?? '').length > 0);
    await s.close();
    await assert.rejects(started, /closed/);
  });
});

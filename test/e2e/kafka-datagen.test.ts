/**
 * Datagen → Kafka → source → decoder: the article's three topics (uniquely named here) carry exactly the
 * generator's events, decodable with the article's CREATE SOURCE columns, record timestamps = event time.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { produceSiemTraffic } from '../../src/connectors/datagen-kafka.js';
import { createSiemGenerator } from '../../src/connectors/datagen.js';
import { createKafkaSource } from '../../src/connectors/kafka-source.js';
import { createJsonDecoder } from '../../src/connectors/json-decoder.js';
import type { Column } from '../../src/common/types.js';
import type { SourceMessage } from '../../src/connectors/types.js';
import { BROKERS, createTopic, ensureBroker, uniqueTopic, waitFor } from './kafka-connectors-util.js';

const AUTH: Column[] = [
  { name: 'event_id', type: 'varchar' },
  { name: 'user_id', type: 'varchar' },
  { name: 'source_ip', type: 'varchar' },
  { name: 'event_type', type: 'varchar' },
  { name: 'event_time', type: 'timestamptz' },
];
const PROC: Column[] = [
  { name: 'event_id', type: 'varchar' },
  { name: 'host_id', type: 'varchar' },
  { name: 'parent_pid', type: 'integer' },
  { name: 'child_pid', type: 'integer' },
  { name: 'process_name', type: 'varchar' },
  { name: 'command_line', type: 'varchar' },
  { name: 'event_time', type: 'timestamptz' },
];

describe('datagen to kafka', { timeout: 120_000 }, () => {
  before(async () => {
    await ensureBroker();
  });

  it('publishes the generator events, decodable with the article columns', async () => {
    const topics = { auth_events: uniqueTopic('dg-auth'), process_events: uniqueTopic('dg-proc') };
    await createTopic(topics.auth_events, 1);
    await createTopic(topics.process_events, 1);
    const produced = await produceSiemTraffic({ brokers: BROKERS, seed: 11, streams: ['auth_events', 'process_events'], topics, count: 2000, batchSize: 500 });
    assert.deepEqual(produced, { [topics.auth_events]: 2000, [topics.process_events]: 2000 });
    const gen = createSiemGenerator({ seed: 11 });
    for (const [stream, cols] of [
      ['auth_events', AUTH],
      ['process_events', PROC],
    ] as const) {
      const src = createKafkaSource({ brokers: BROKERS, topic: topics[stream], startup: 'earliest', clientId: 'dg', properties: {} });
      await src.start(null);
      const got: SourceMessage[] = [];
      await waitFor(() => {
        got.push(...src.poll(5000));
        return got.length >= 2000;
      }, 20_000);
      await src.close();
      assert.equal(got.length, 2000);
      const dec = createJsonDecoder({ columns: cols, include: [{ what: 'timestamp', name: 'ts' }] });
      got.forEach((m, n) => {
        assert.equal(m.value!.toString(), gen.json(stream, n));
        const r = dec.decode(m);
        assert.ok(r.ok && r.row.slice(0, cols.length).every((v) => v !== null));
        assert.equal(r.row[cols.length], Math.floor(gen.eventTimeMicros(n) / 1000) * 1000);
      });
    }
  });
});

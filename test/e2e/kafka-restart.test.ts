/**
 * Broker down mid-stream: the test runs its OWN single-node broker (test/harness/private-broker.ts, ports
 * 19092/19093), stops it with SIGTERM while a source reads and a sink writes, and
 * restarts it on the same data. Nothing is lost or repeated; the pending epoch commits after the restart.
 * It never touches the shared broker on 9092. Skipped when the jars are not there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PrivateBroker } from '../harness/private-broker.js';
import { createKafkaSource } from '../../src/connectors/kafka-source.js';
import { createKafkaSink, EPOCH_HEADER } from '../../src/connectors/kafka-sink.js';
import type { SourceMessage } from '../../src/connectors/types.js';
import { createTopic, produce, waitFor } from './kafka-connectors-util.js';

const PORT = 19092;
const BROKERS = [`127.0.0.1:${PORT}`];
let broker: PrivateBroker | null = null;
const startBroker = (): Promise<void> => broker!.start();
const stopBroker = async (): Promise<void> => broker?.stop();

function kcatCommitted(topic: string): { payload: string; headers?: string[] }[] {
  const out = execFileSync('kcat', ['-b', BROKERS[0]!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J', '-X', 'isolation.level=read_committed'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}


describe('kafka connectors across a broker restart', { timeout: 300_000, skip: PrivateBroker.available ? false : 'no Kafka jars (bash scripts/kafka.sh fetch)' }, () => {
  before(async () => {
    broker = new PrivateBroker(PORT);
    await startBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  it('source and sink lose and repeat nothing while the broker is down', async () => {
    const topic = 'restart-src';
    const sinkTopic = 'restart-sink';
    await createTopic(topic, 3, BROKERS);
    await createTopic(sinkTopic, 1, BROKERS);
    const batch = (from: number, n: number): { partition: number; value: string }[] =>
      Array.from({ length: n }, (_, i) => ({ partition: (from + i) % 3, value: JSON.stringify({ i: from + i }) }));
    await produce(topic, batch(0, 300), BROKERS);

    const source = createKafkaSource({ brokers: BROKERS, topic, startup: 'earliest', clientId: 'restart-test', properties: {} });
    const sink = createKafkaSink({ brokers: BROKERS, topic: sinkTopic, transactionalId: 'restart-tx' });
    try {
      await source.start(null);
      assert.equal(await sink.start(), 0);
      await sink.writeEpoch(1, [{ key: null, value: '{"e":1}' }]);
      const got: SourceMessage[] = [];
      await waitFor(() => {
        got.push(...source.poll(100 - got.length));
        return got.length >= 100;
      }, 20_000);
      assert.equal(got.length, 100);

      await stopBroker();
      assert.ok(await waitFor(() => source.status().state === 'retrying', 30_000), 'source notices the broker is gone');
      got.push(...source.poll(1_000_000)); // whatever was buffered before the stop
      const pending = sink.writeEpoch(2, [{ key: null, value: '{"e":2}' }]);
      assert.ok(await waitFor(() => sink.status().state === 'retrying', 30_000), 'sink retries');

      await startBroker();
      await pending;
      await produce(topic, batch(300, 300), BROKERS);
      await waitFor(() => {
        got.push(...source.poll(600 - got.length));
        return got.length >= 600;
      }, 60_000);
      assert.equal(source.status().state, 'running');
      assert.equal(got.length, 600);
      assert.equal(new Set(got.map((m) => `${m.partition}:${m.offset}`)).size, 600, 'no duplicates');
      for (let p = 0; p < 3; p++) {
        const offs = got.filter((m) => m.partition === p).map((m) => Number(m.offset));
        assert.deepEqual(offs, Array.from({ length: 200 }, (_, i) => i));
      }
      assert.deepEqual(got.map((m) => JSON.parse(m.value!.toString()).i).sort((a, b) => a - b), Array.from({ length: 600 }, (_, i) => i));

      const seen = kcatCommitted(sinkTopic);
      assert.deepEqual(
        seen.map((r) => `${r.payload}@${(r.headers ?? [])[(r.headers ?? []).indexOf(EPOCH_HEADER) + 1]}`),
        ['{"e":1}@1', '{"e":2}@2'],
      );
    } finally {
      await source.close();
      await sink.close();
    }
  });
});

/**
 * Broker down mid-stream: the test runs its OWN single-node broker (ports 19092/19093, its own data dir,
 * the jars scripts/kafka.sh fetched), stops it with SIGTERM while a source reads and a sink writes, and
 * restarts it on the same data. Nothing is lost or repeated; the pending epoch commits after the restart.
 * It never touches the shared broker on 9092. Skipped when the jars are not there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaSource } from '../../src/connectors/kafka-source.js';
import { createKafkaSink, EPOCH_HEADER } from '../../src/connectors/kafka-sink.js';
import type { SourceMessage } from '../../src/connectors/types.js';
import { createTopic, kafka, produce, waitFor } from './kafka-connectors-util.js';

const LIB = join(homedir(), '.m2', 'sluice-kafka', process.env['SLUICE_KAFKA_VERSION'] ?? '4.1.1', 'lib');
const PORT = 19092;
const BROKERS = [`127.0.0.1:${PORT}`];
const ROOT = new URL('../../', import.meta.url).pathname;

let dataDir = '';
let broker: ChildProcess | null = null;

function jvmArgs(): string[] {
  return ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(ROOT, 'scripts/kafka/log4j2.properties')}`, `-Dkafka.logs.dir=${dataDir}/logs`];
}

function writeConfig(): string {
  const base = readFileSync(join(ROOT, 'scripts/kafka/server.properties'), 'utf8');
  const conf = `${base}
controller.quorum.voters=1@127.0.0.1:${PORT + 1}
listeners=PLAINTEXT://127.0.0.1:${PORT},CONTROLLER://127.0.0.1:${PORT + 1}
advertised.listeners=PLAINTEXT://127.0.0.1:${PORT}
log.dirs=${dataDir}/data
`;
  const path = join(dataDir, 'server.properties');
  writeFileSync(path, conf);
  return path;
}

async function startBroker(): Promise<void> {
  const conf = join(dataDir, 'server.properties');
  broker = spawn('java', [...jvmArgs(), '-cp', `${LIB}/*`, 'kafka.Kafka', conf], { stdio: 'ignore' });
  const admin = kafka(BROKERS).admin();
  const up = await waitFor(async () => {
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
      return false;
    }
  }, 90_000);
  await admin.disconnect().catch(() => undefined);
  assert.ok(up, 'test broker started');
}

async function stopBroker(): Promise<void> {
  const b = broker;
  broker = null;
  if (!b || b.exitCode !== null) return;
  const exited = new Promise((r) => b.once('exit', r));
  b.kill('SIGTERM');
  const t = setTimeout(() => b.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(t);
}

function kcatCommitted(topic: string): { payload: string; headers?: string[] }[] {
  const out = execFileSync('kcat', ['-b', BROKERS[0]!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J', '-X', 'isolation.level=read_committed'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

const haveJars = existsSync(LIB);

describe('kafka connectors across a broker restart', { timeout: 300_000, skip: haveJars ? false : `no Kafka jars in ${LIB}` }, () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-restart-kafka-'));
    const conf = writeConfig();
    execFileSync('java', [...jvmArgs(), '-cp', `${LIB}/*`, 'kafka.tools.StorageTool', 'format', '-t', 'Rk2Lx5fBTgq6lKb1m3vQaw', '-c', conf], { stdio: 'ignore' });
    await startBroker();
  });
  after(async () => {
    await stopBroker();
    if (dataDir.includes('sluice-restart-kafka-')) rmSync(dataDir, { recursive: true, force: true });
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

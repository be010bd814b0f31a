/**
 * Kafka plumbing for bench/compare.bench.ts: fresh 4-partition topics per run (deleted afterwards), loading the
 * seeded SIEM traffic or an auth-shaped stream with K distinct source IPs before timing, and reading a sink topic
 * back (kcat, read_committed) to count what each engine wrote. Stateless. Invariant: topic names carry a per-run
 * tag, so no run reads another's data; nothing here is timed as part of an engine's run.
 */
import { spawn } from 'node:child_process';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { produceSiemTraffic } from '../../src/connectors/datagen-kafka.js';
import type { Topics } from './compare-workloads.js';

export const kafka = (brokers: string[]): Kafka => new Kafka({ brokers, clientId: 'sluice-compare', logLevel: logLevel.NOTHING });

export async function createTopics(brokers: string[], names: string[], partitions = 4): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(brokers: string[], names: string[]): Promise<void> {
  if (!names.length) return;
  const admin = kafka(brokers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: names, timeout: 30_000 }).catch(() => undefined);
  await admin.disconnect();
}

/** The seeded SIEM traffic: `perStream` events per topic, event times spread over the hour before now. */
export async function loadSiemTopics(brokers: string[], topics: Topics, perStream: number): Promise<number> {
  const t0 = performance.now();
  await produceSiemTraffic({ brokers, seed: 42, count: perStream, topics, startMicros: (Date.now() - 3_600_000) * 1000, eventsPerSecond: perStream / 3600, batchSize: 2000 });
  return (performance.now() - t0) / 1000;
}

function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  return (a ^ (a >>> 16)) >>> 0;
}

/** Auth-shaped events (the article's auth_events columns) whose source_ip takes `keys` distinct values. */
export async function loadCardinalityTopic(brokers: string[], topic: string, events: number, keys: number): Promise<number> {
  const t0 = performance.now();
  const producer = kafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const startMs = Date.now() - 3_600_000;
  const inFlight: Promise<unknown>[] = [];
  try {
    for (let i = 0; i < events; i += 2000) {
      const messages = [];
      for (let n = i; n < Math.min(events, i + 2000); n++) {
        const h = mix(n ^ 0x5bd1e995);
        const k = n < keys ? n : h % keys; // every key occurs at least once when events ≥ keys
        const roll = mix(h) % 1000;
        const ms = startMs + Math.floor((n * 3_600_000) / events);
        messages.push({
          value: JSON.stringify({
            event_id: `ck-${n}`,
            user_id: `user${mix(h ^ 7) % 500}`,
            source_ip: `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`,
            event_type: roll < 975 ? 'login_success' : roll < 999 ? 'login_failure' : 'mfa_bypass',
            event_time: new Date(ms).toISOString(),
          }),
          timestamp: String(ms),
        });
      }
      inFlight.push(producer.send({ topic, acks: -1, messages }));
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - t0) / 1000;
}

/** Every committed message value of a topic (kcat, to the end of each partition). */
export async function readTopic(broker: string, topic: string, timeoutMs = 120_000): Promise<string[]> {
  const child = spawn('kcat', ['-b', broker, '-t', topic, '-C', '-e', '-q', '-o', 'beginning', '-X', 'isolation.level=read_committed', '-f', '%s\\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  const lines: string[] = [];
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) if (p) lines.push(p);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let failed: Error | null = null;
  await new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', (e) => {
      failed = e; // e.g. kcat not installed: reported, not hung on
      resolve();
    });
  });
  clearTimeout(timer);
  if (failed) throw new Error(`kcat failed: ${(failed as Error).message}`);
  if (buf) lines.push(buf);
  return lines;
}

/** Messages of a sink topic by `alert_type` (article) or in total (other workloads, key '*'). */
export async function countSink(broker: string, topic: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of await readTopic(broker, topic)) {
    let key = '*';
    try {
      const v = JSON.parse(line) as { alert_type?: unknown };
      if (typeof v.alert_type === 'string') key = v.alert_type;
    } catch {
      key = '(not json)';
    }
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

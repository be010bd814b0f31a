/**
 * Kafka test harness (kafkajs 2.2.4 + the real kcat): topics, producing, and bounded reads of a whole topic.
 * Stateless: every call opens and closes its own client connections, so a test file never leaks sockets.
 * Invariant: readTopic returns exactly the records visible under the requested isolation level up to the end
 * offsets measured when it was called (high watermark, or last stable offset for read_committed), or throws.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin, type IHeaders, type RecordMetadata } from 'kafkajs';

const execFileAsync = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bootstrap brokers for tests: env SLUICE_TEST_KAFKA (comma-separated), default the article's 'kafka:9092'. */
export function kafkaBrokers(): string[] {
  const raw = process.env['SLUICE_TEST_KAFKA'] ?? 'kafka:9092';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A kafkajs client for tests; quiet unless SLUICE_TEST_KAFKA_LOG=1 (kafkajs logs retried errors as ERROR). */
export function testKafka(clientId = 'sluice-test'): Kafka {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  return new Kafka({
    clientId,
    brokers: kafkaBrokers(),
    logLevel: process.env['SLUICE_TEST_KAFKA_LOG'] === '1' ? logLevel.INFO : logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 8, initialRetryTime: 100 },
  });
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka('sluice-test-admin').admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Make sure a broker answers on the first bootstrap address; if none does, run `scripts/kafka.sh ensure`
 * (which leaves the broker running for later tests; scripts/test.sh stops it when it started it).
 */
export async function ensureKafkaBroker(): Promise<void> {
  const [first] = kafkaBrokers();
  const [host, portText] = (first ?? 'kafka:9092').split(':');
  if (await tcpOpen(host ?? 'kafka', Number(portText ?? 9092), 1000)) return;
  execFileSync('bash', [`${REPO_ROOT}scripts/kafka.sh`, 'ensure'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A topic name nobody else uses: `<prefix>-<time>-<random>`, restricted to Kafka's legal characters. */
export function uniqueTopic(prefix = 't'): string {
  const clean = prefix.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 180);
  return `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Create a topic (replication 1) and wait for its partition leaders. Returns false when it already existed. */
export async function createTopic(name: string, partitions = 1): Promise<boolean> {
  return withAdmin(async (admin) => {
    const created = await admin.createTopics({
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    return created;
  });
}

/** Delete a topic; a topic that does not exist is not an error. */
export async function deleteTopic(name: string): Promise<void> {
  await withAdmin(async (admin) => {
    const existing = await admin.listTopics();
    if (existing.includes(name)) await admin.deleteTopics({ topics: [name] });
  });
}

export interface TestMessage {
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly partition?: number;
  readonly timestampMs?: number;
  readonly headers?: Record<string, string>;
}

/**
 * Produce messages (acks=all, idempotent so a retried request never duplicates, non-transactional) in order;
 * returns the broker's per-partition metadata.
 */
export async function produce(topic: string, messages: readonly TestMessage[]): Promise<RecordMetadata[]> {
  const producer = testKafka('sluice-test-producer').producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    return await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key ?? null,
        value: m.value,
        ...(m.partition !== undefined ? { partition: m.partition } : {}),
        ...(m.timestampMs !== undefined ? { timestamp: String(m.timestampMs) } : {}),
        ...(m.headers !== undefined ? { headers: m.headers } : {}),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Produce one message per object, the value being its JSON text (what ENCODE JSON sources read). */
export async function produceJsonLines(topic: string, objects: readonly unknown[], partition?: number): Promise<RecordMetadata[]> {
  return produce(
    topic,
    objects.map((o) => ({ value: JSON.stringify(o), ...(partition !== undefined ? { partition } : {}) })),
  );
}

export type Isolation = 'read_committed' | 'read_uncommitted';

export interface ReadMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
  readonly timestampMs: number;
}

export interface ReadOptions {
  /** default read_committed (what the sluice sink's readers use) */
  readonly isolation?: Isolation;
  /** give up (throw) after this long; default 20000 */
  readonly timeoutMs?: number;
}

function headerText(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

/**
 * End offset per partition under an isolation level: the high watermark (read_uncommitted) or the last stable
 * offset (read_committed). kafkajs's admin always lists offsets READ_COMMITTED, so the read_uncommitted case
 * uses a cluster with isolation level 0 built through kafkajs 2.2.4's private createCluster (version pinned).
 */
export async function endOffsets(topic: string, isolation: Isolation): Promise<Map<number, number>> {
  const kafka = testKafka('sluice-test-offsets');
  if (isolation === 'read_committed') {
    const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  }
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (sym === undefined) throw new Error('kafkajs internals changed: no private:Kafka:createCluster');
  interface PrivateCluster {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    addTargetTopic(t: string): Promise<void>;
    refreshMetadata(): Promise<void>;
    findTopicPartitionMetadata(t: string): { partitionId: number }[];
    fetchTopicsOffset(
      q: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
    ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  }
  const create = (kafka as unknown as Record<symbol, (o: { isolationLevel: number }) => PrivateCluster>)[sym]!;
  const cluster = create({ isolationLevel: 0 });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    await cluster.refreshMetadata();
    const parts = cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    const [res] = await cluster.fetchTopicsOffset([{ topic, fromBeginning: false, partitions: parts }]);
    return new Map((res?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await cluster.disconnect();
  }
}

/**
 * Read a whole topic from the beginning up to the end offsets measured at the call, then return the messages
 * ordered by (partition, offset). Uses a throw-away consumer group. Bounded: throws after timeoutMs.
 */
export async function readTopic(topic: string, opts: ReadOptions = {}): Promise<ReadMessage[]> {
  const isolation = opts.isolation ?? 'read_committed';
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const targets = await endOffsets(topic, isolation);
  const positions = new Map<number, number>();
  const pending = (): number[] => [...targets].filter(([p, end]) => (positions.get(p) ?? 0) < end).map(([p]) => p);
  if (pending().length === 0) return [];

  const kafka = testKafka('sluice-test-reader');
  const consumer = kafka.consumer({
    groupId: `sluice-test-reader-${randomBytes(6).toString('hex')}`,
    readUncommitted: isolation === 'read_uncommitted',
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const messages: ReadMessage[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const advance = (partition: number, lastOffset: string | number): void => {
    const next = Number(lastOffset) + 1;
    if (next > (positions.get(partition) ?? 0)) positions.set(partition, next);
    if (pending().length === 0) finish();
  };
  // END_BATCH_PROCESS also fires for batches that were all control records or aborted data (kafkajs #1256).
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    if (e.payload.topic === topic) advance(e.payload.partition, e.payload.lastOffset);
  });
  await consumer.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const end = targets.get(partition) ?? 0;
        if (offset < end) {
          messages.push({
            partition,
            offset,
            key: message.key === null ? null : message.key.toString('utf8'),
            value: message.value === null ? null : message.value.toString('utf8'),
            headers: headerText(message.headers),
            timestampMs: Number(message.timestamp),
          });
        }
      },
    });
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([finished.then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') {
      const left = pending().map((p) => `partition ${p} at ${positions.get(p) ?? 0} of ${targets.get(p)}`);
      throw new Error(`readTopic(${topic}) timed out after ${timeoutMs} ms: ${left.join(', ')}`);
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export interface KcatMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestampMs: number;
}

/**
 * Read a topic from the beginning to its current end with the real kcat (librdkafka), read_committed by default.
 * Uses kcat's JSON envelope (-J) so keys and values with tabs or newlines survive.
 */
export async function kcatRead(topic: string, opts: { isolation?: Isolation; timeoutMs?: number } = {}): Promise<KcatMessage[]> {
  const broker = kafkaBrokers().join(',');
  const args = ['-b', broker, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J',
    '-X', `isolation.level=${opts.isolation ?? 'read_committed'}`];
  const { stdout } = await execFileAsync('kcat', args, { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 256 * 1024 * 1024 });
  const out: KcatMessage[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const j = JSON.parse(line) as { partition: number; offset: number; key: string | null; payload: string | null; ts: number };
    out.push({ partition: j.partition, offset: j.offset, key: j.key, value: j.payload, timestampMs: j.ts });
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

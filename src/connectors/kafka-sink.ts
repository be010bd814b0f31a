/**
 * Kafka SinkWriter: one Kafka transaction per engine epoch (kafkajs transactional, idempotent producer,
 * maxInFlightRequests 1); every message carries header `sluice-epoch: <epoch>`. start() fences earlier
 * producers of the same transactionalId (InitProducerId aborts their open transaction) and reads the tail
 * of each partition read_committed to find the highest epoch already on the topic.
 * State: the producer, the highest durable epoch. Invariant: an epoch's messages become visible to
 * read_committed readers exactly once, all together, and epochs appear in increasing order.
 */
import { crashPoint } from '../common/crash-point.js';
import { Kafka, logLevel as kjsLogLevel, Partitioners, type Producer } from 'kafkajs';
import type { Epoch } from '../common/changes.js';
import { Backoff, Waker, errorText } from './backoff.js';
import { ISOLATION, KafkaPartitionClient, kafkaLogCreator, type ConnectorLog } from './kafka-client.js';
import type { ConnectorState, ConnectorStatus, PartitionStatus, SinkMessage, SinkWriter } from './types.js';

export const EPOCH_HEADER = 'sluice-epoch';
/** Which writer (its transactional id) wrote a record: only its own records tell a sink what it already wrote. */
export const WRITER_HEADER = 'sluice-writer';

export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  transactionalId: string;
  clientId?: string;
  log?: ConnectorLog;
  /** Kafka transaction timeout (ms); an abandoned transaction blocks read_committed readers this long at most. */
  transactionTimeoutMs?: number;
  /** Messages per produce request inside a transaction (each becomes ≤ one record batch per partition). */
  chunkSize?: number;
}

/** Sink messages already sent are final: this error means the sink was closed before the epoch committed. */
export class SinkClosedError extends Error {
  constructor() {
    super('kafka sink closed');
  }
}

/**
 * The highest `sluice-epoch` header among read_committed records of `topic` (0 if none), reading each
 * partition backwards in growing windows from its last stable offset until a stamped record is found.
 */
export async function readLastEpoch(client: KafkaPartitionClient, topic: string, writer?: string): Promise<{ epoch: Epoch; partitions: PartitionStatus[] }> {
  let parts: number[];
  try {
    parts = await client.partitions(topic);
  } catch (e) {
    if (/does not exist|UNKNOWN_TOPIC|does not host this topic/i.test(errorText(e))) return { epoch: 0, partitions: [] };
    throw e;
  }
  const low = await client.offsets(topic, parts, 'earliest');
  const end = await client.offsets(topic, parts, 'latest');
  let best = 0;
  const partitions: PartitionStatus[] = [];
  for (const p of parts) {
    const lo = BigInt(low.get(p) ?? '0');
    const hi = BigInt(end.get(p) ?? '0');
    partitions.push({ partition: p, nextOffset: hi.toString(), highWatermark: hi.toString() });
    let to = hi;
    let window = 16n;
    while (to > lo) {
      const from = to - window > lo ? to - window : lo;
      const found = await maxEpochIn(client, topic, p, from, to, writer);
      if (found !== null) {
        if (found > best) best = found;
        break;
      }
      to = from;
      window *= 8n;
    }
  }
  return { epoch: best, partitions };
}

async function maxEpochIn(client: KafkaPartitionClient, topic: string, partition: number, from: bigint, to: bigint, writer?: string): Promise<number | null> {
  let pos = from;
  let best: number | null = null;
  while (pos < to) {
    const [r] = await client.fetch(topic, new Map([[partition, pos]]), { maxWaitMs: 50, maxBytesPerPartition: 1_048_576, withHeaders: true });
    if (!r || r.nextOffset <= pos) break;
    for (const rec of r.records) {
      if (BigInt(rec.offset) >= to) break;
      const h = rec.headers[EPOCH_HEADER];
      if (writer !== undefined && rec.headers[WRITER_HEADER] !== writer) continue;
      if (h !== undefined && /^\d+$/.test(h)) best = Math.max(best ?? 0, Number(h));
    }
    pos = r.nextOffset;
  }
  return best;
}

class KafkaSink implements SinkWriter {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private needsRecovery = true;
  private lastEpoch: Epoch = 0;
  private messagesWritten = 0;
  private state: ConnectorState = 'stopped';
  private lastError: string | null = null;
  private lastErrorAtMs: number | null = null;
  private partitions: PartitionStatus[] = [];
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly waker = new Waker();
  private readonly chunkSize: number;

  constructor(private readonly opts: KafkaSinkOptions) {
    this.chunkSize = opts.chunkSize ?? 500;
    this.kafka = new Kafka({
      brokers: opts.brokers,
      clientId: opts.clientId ?? `sluice-sink-${opts.transactionalId}`,
      connectionTimeout: 1000,
      requestTimeout: 10_000,
      // Fail fast; withRetry() owns backoff (also for CONCURRENT_TRANSACTIONS while an old txn aborts).
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: opts.log ? kjsLogLevel.WARN : kjsLogLevel.NOTHING,
      logCreator: kafkaLogCreator(opts.log) as never,
    });
  }

  start(): Promise<Epoch> {
    this.state = 'starting';
    return this.serial(async () => {
      await this.withRetry(async () => {
        await this.ready();
      });
      return this.lastEpoch;
    });
  }

  writeEpoch(epoch: Epoch, messages: SinkMessage[]): Promise<void> {
    return this.serial(() =>
      this.withRetry(async () => {
        await this.ready();
        if (epoch <= this.lastEpoch) return; // already durable on the topic (a re-sent epoch)
        if (messages.length > 0) await this.transact(epoch, messages);
        this.lastEpoch = epoch;
        this.messagesWritten += messages.length;
      }),
    );
  }

  status(): ConnectorStatus & { messagesWritten: number; lastEpoch: Epoch } {
    return {
      state: this.state,
      lastError: this.lastError,
      lastErrorAtMs: this.lastErrorAtMs,
      partitions: this.partitions,
      messagesWritten: this.messagesWritten,
      lastEpoch: this.lastEpoch,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waker.wake();
    await this.tail.catch(() => undefined);
    await this.dropProducer();
    this.state = 'stopped';
  }

  /** Runs `task` after every earlier start/writeEpoch call finished (epochs are written in call order). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async withRetry(step: () => Promise<void>): Promise<void> {
    const backoff = new Backoff(100, 3000);
    for (;;) {
      if (this.closed) throw new SinkClosedError();
      try {
        await step();
        if (this.state !== 'running') this.opts.log?.('info', `kafka sink ${this.opts.topic}: running`);
        this.state = 'running';
        return;
      } catch (e) {
        if (this.closed) throw new SinkClosedError();
        this.lastError = errorText(e);
        this.lastErrorAtMs = Date.now();
        if (this.state !== 'retrying') this.opts.log?.('warn', `kafka sink ${this.opts.topic}: retrying after error: ${this.lastError}`);
        this.state = 'retrying';
        this.needsRecovery = true;
        await this.dropProducer();
        await this.waker.sleep(backoff.next());
      }
    }
  }

  /**
   * Connects a fresh producer when needed: InitProducerId fences older producers of this transactionalId
   * and aborts their open transaction; then the topic tail says which epoch is already durable.
   */
  private async ready(): Promise<void> {
    if (this.producer && !this.needsRecovery) return;
    await this.dropProducer();
    const producer = this.kafka.producer({
      transactionalId: this.opts.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.opts.transactionTimeoutMs ?? 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer = producer;
    await producer.connect();
    const init = await producer.transaction(); // InitProducerId happens here
    await init.abort(); // nothing was sent: no EndTxn, just back to ready
    const reader = new KafkaPartitionClient({
      brokers: this.opts.brokers,
      clientId: `${this.opts.clientId ?? 'sluice-sink'}-recovery`,
      isolationLevel: ISOLATION.READ_COMMITTED,
      ...(this.opts.log ? { log: this.opts.log } : {}),
    });
    try {
      await reader.connect();
      const { epoch, partitions } = await readLastEpoch(reader, this.opts.topic, this.opts.transactionalId);
      this.partitions = partitions;
      if (epoch > this.lastEpoch) this.lastEpoch = epoch;
    } finally {
      await reader.disconnect().catch(() => undefined);
    }
    this.needsRecovery = false;
  }

  private async transact(epoch: Epoch, messages: SinkMessage[]): Promise<void> {
    const producer = this.producer!;
    const epochText = String(epoch);
    const txn = await producer.transaction();
    try {
      for (let i = 0; i < messages.length; i += this.chunkSize) {
        const chunk = messages.slice(i, i + this.chunkSize);
        await txn.send({
          topic: this.opts.topic,
          acks: -1,
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers, [EPOCH_HEADER]: epochText, [WRITER_HEADER]: this.opts.transactionalId } })),
        });
      }
      crashPoint('sink-transaction');
      await txn.commit();
    } catch (e) {
      await txn.abort().catch(() => undefined);
      throw e;
    }
  }

  private async dropProducer(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    if (p) await p.disconnect().catch(() => undefined);
  }
}

export function createKafkaSink(opts: KafkaSinkOptions): SinkWriter {
  return new KafkaSink(opts);
}

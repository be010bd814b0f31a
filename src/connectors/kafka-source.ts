/**
 * Kafka SourceReader: reads every partition of one topic from exact offsets the engine owns, by driving
 * Fetch requests itself (kafka-client.ts); no consumer group, nothing committed to Kafka.
 * State: per partition the next offset to fetch and the next offset to hand out, a bounded message buffer,
 * broker high watermarks. Invariant: poll() hands out each visible record at or after start(from) exactly
 * once, in offset order per partition; position() is always "last handed out + 1" (or the start offset).
 */
import { Backoff, Waker, errorText } from './backoff.js';
import { KafkaPartitionClient, ISOLATION, OffsetOutOfRangeError, type ConnectorLog, type OffsetSpec } from './kafka-client.js';
import type { ConnectorState, ConnectorStatus, SourceMessage, SourceOffsets, SourceReader } from './types.js';

export interface KafkaSourceOptions {
  brokers: string[];
  topic: string;
  startup: 'earliest' | 'latest' | { timestampMs: number };
  clientId: string;
  /**
   * Kafka client properties (the WITH clause's `properties.*` without the prefix). Understood:
   * isolation.level (read_committed | read_uncommitted; default read_committed), fetch.max.wait.ms (250),
   * max.partition.fetch.bytes (1048576), topic.metadata.refresh.interval.ms (5000),
   * queued.max.messages (buffer bound, 20000). Others are ignored.
   */
  properties: Record<string, string>;
  log?: ConnectorLog;
}

function intProp(props: Record<string, string>, key: string, dflt: number): number {
  const v = props[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`property ${key} must be a positive integer, got "${v}"`);
  return n;
}

class KafkaSource implements SourceReader {
  private readonly fetchPos = new Map<number, bigint>();
  private readonly handed = new Map<number, string>();
  private readonly highWatermarks = new Map<number, string>();
  private readonly chunks: SourceMessage[][] = [];
  private headIndex = 0;
  private queued = 0;
  private state: ConnectorState = 'stopped';
  private lastError: string | null = null;
  private lastErrorAtMs: number | null = null;
  private client: KafkaPartitionClient | null = null;
  private closed = false;
  private started = false;
  private initialResolved = false;
  private resumed = false;
  private nextMetadataAt = 0;
  private loop: Promise<void> | null = null;
  private readonly waker = new Waker();
  private readonly listeners: (() => void)[] = [];
  private readonly isolationLevel: number;
  private readonly fetchMaxWaitMs: number;
  private readonly maxBytesPerPartition: number;
  private readonly metadataRefreshMs: number;
  private readonly maxBuffered: number;

  constructor(private readonly opts: KafkaSourceOptions) {
    const p = opts.properties;
    const iso = p['isolation.level'] ?? 'read_committed';
    if (iso !== 'read_committed' && iso !== 'read_uncommitted') throw new Error(`isolation.level must be read_committed or read_uncommitted, got "${iso}"`);
    this.isolationLevel = iso === 'read_committed' ? ISOLATION.READ_COMMITTED : ISOLATION.READ_UNCOMMITTED;
    this.fetchMaxWaitMs = intProp(p, 'fetch.max.wait.ms', 250);
    this.maxBytesPerPartition = intProp(p, 'max.partition.fetch.bytes', 1_048_576);
    this.metadataRefreshMs = intProp(p, 'topic.metadata.refresh.interval.ms', 5000);
    this.maxBuffered = intProp(p, 'queued.max.messages', 20_000);
  }

  async start(from: SourceOffsets | null): Promise<void> {
    if (this.started) throw new Error('kafka source already started');
    this.started = true;
    this.state = 'starting';
    if (from) {
      for (const [p, o] of Object.entries(from)) {
        this.fetchPos.set(Number(p), BigInt(o));
        this.handed.set(Number(p), o);
      }
      this.resumed = Object.keys(from).length > 0;
    }
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((r) => (firstAttempt = r));
    this.loop = this.run(firstAttempt);
    await attempted;
  }

  poll(max: number): SourceMessage[] {
    const out: SourceMessage[] = [];
    while (out.length < max && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const take = Math.min(max - out.length, chunk.length - this.headIndex);
      for (let k = 0; k < take; k++) out.push(chunk[this.headIndex + k]!);
      this.headIndex += take;
      if (this.headIndex >= chunk.length) {
        this.chunks.shift();
        this.headIndex = 0;
      }
    }
    if (out.length === 0) return out;
    this.queued -= out.length;
    const last = new Map<number, string>();
    for (const m of out) last.set(m.partition, m.offset);
    for (const [p, o] of last) this.handed.set(p, (BigInt(o) + 1n).toString());
    if (this.queued < this.maxBuffered / 2) this.waker.wake();
    return out;
  }

  position(): SourceOffsets {
    const out: SourceOffsets = {};
    for (const [p, o] of [...this.handed].sort((a, b) => a[0] - b[0])) out[p] = o;
    return out;
  }

  status(): ConnectorStatus {
    const ids = [...new Set([...this.handed.keys(), ...this.fetchPos.keys()])].sort((a, b) => a - b);
    return {
      state: this.state,
      lastError: this.lastError,
      lastErrorAtMs: this.lastErrorAtMs,
      partitions: ids.map((partition) => ({
        partition,
        nextOffset: this.handed.get(partition) ?? this.fetchPos.get(partition)?.toString() ?? '0',
        highWatermark: this.highWatermarks.get(partition) ?? null,
      })),
    };
  }

  onData(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waker.wake();
    await this.loop;
    await this.dropClient();
    this.state = 'stopped';
  }

  private log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.log?.(level, `kafka source ${this.opts.topic}: ${msg}`);
  }

  private async dropClient(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.disconnect().catch(() => undefined);
  }

  private fail(e: unknown): void {
    this.lastError = errorText(e);
    this.lastErrorAtMs = Date.now();
    if (this.state !== 'retrying') this.log('warn', `retrying after error: ${this.lastError}`);
    this.state = 'retrying';
  }

  /** Learns the topic's partitions; gives each unknown one its start offset (startup mode, then earliest). */
  private async refreshPartitions(client: KafkaPartitionClient): Promise<void> {
    const parts = await client.partitions(this.opts.topic);
    const unknown = parts.filter((p) => !this.fetchPos.has(p));
    if (unknown.length > 0) {
      // Partitions missing from a non-empty resume point, or found after the first resolution, did not exist
      // when the source started: all their records are new, so they start at the beginning.
      const spec: OffsetSpec = this.initialResolved || this.resumed ? 'earliest' : this.opts.startup;
      const offs = await client.offsets(this.opts.topic, unknown, spec);
      for (const p of unknown) {
        const o = offs.get(p);
        if (o === undefined) throw new Error(`no ${typeof spec === 'string' ? spec : 'timestamp'} offset for partition ${p}`);
        this.fetchPos.set(p, BigInt(o));
        this.handed.set(p, o);
        if (this.initialResolved) this.log('info', `new partition ${p} from offset ${o}`);
      }
    }
    this.initialResolved = true;
    this.nextMetadataAt = Date.now() + this.metadataRefreshMs;
  }

  private async resetOutOfRange(client: KafkaPartitionClient, partition: number): Promise<void> {
    const pos = this.fetchPos.get(partition) ?? 0n;
    const earliest = BigInt((await client.offsets(this.opts.topic, [partition], 'earliest')).get(partition) ?? '0');
    const latest = BigInt((await client.offsets(this.opts.topic, [partition], 'latest')).get(partition) ?? '0');
    const next = pos < earliest ? earliest : latest;
    this.lastError = `offset ${pos} out of range on partition ${partition} (log is ${earliest}..${latest}); continuing at ${next}`;
    this.lastErrorAtMs = Date.now();
    this.log('warn', this.lastError);
    this.fetchPos.set(partition, next);
  }

  private deliver(partition: number, records: { offset: string; timestampMs: number | null; key: Buffer | null; value: Buffer | null }[]): void {
    const chunk: SourceMessage[] = new Array<SourceMessage>(records.length);
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      chunk[k] = { partition, offset: r.offset, timestampMs: r.timestampMs, key: r.key, value: r.value };
    }
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  private async run(firstAttempt: () => void): Promise<void> {
    const backoff = new Backoff(100, 3000);
    while (!this.closed) {
      try {
        if (!this.client) {
          const client = new KafkaPartitionClient({
            brokers: this.opts.brokers,
            clientId: this.opts.clientId,
            isolationLevel: this.isolationLevel,
            ...(this.opts.log ? { log: this.opts.log } : {}),
          });
          this.client = client;
          await client.connect();
          await this.refreshPartitions(client);
          if (this.state !== 'running') this.log('info', 'running');
          this.state = 'running';
          backoff.reset();
          firstAttempt();
        }
        const client = this.client;
        if (Date.now() >= this.nextMetadataAt) await this.refreshPartitions(client);
        if (this.queued >= this.maxBuffered) {
          await this.waker.sleep(this.metadataRefreshMs);
          continue;
        }
        let results;
        try {
          results = await client.fetch(this.opts.topic, this.fetchPos, {
            maxWaitMs: this.fetchMaxWaitMs,
            maxBytesPerPartition: this.maxBytesPerPartition,
          });
        } catch (e) {
          if (e instanceof OffsetOutOfRangeError) {
            await this.resetOutOfRange(client, e.partition);
            continue;
          }
          throw e;
        }
        if (this.closed) break;
        let delivered = false;
        for (const r of results) {
          if (this.fetchPos.get(r.partition) === undefined) continue;
          this.highWatermarks.set(r.partition, r.highWatermark);
          this.fetchPos.set(r.partition, r.nextOffset);
          if (r.records.length > 0) {
            this.deliver(r.partition, r.records);
            delivered = true;
          }
        }
        if (this.state === 'retrying') {
          this.log('info', 'recovered');
          this.state = 'running';
        }
        if (delivered) for (const l of this.listeners) l();
        // No leader known for any partition (or no partitions): wait instead of spinning.
        if (results.length === 0) await this.waker.sleep(this.fetchMaxWaitMs);
      } catch (e) {
        if (this.closed) break;
        this.fail(e);
        await this.dropClient();
        firstAttempt();
        await this.waker.sleep(backoff.next());
      }
    }
    firstAttempt();
  }
}

export function createKafkaSource(opts: KafkaSourceOptions): SourceReader {
  return new KafkaSource(opts);
}

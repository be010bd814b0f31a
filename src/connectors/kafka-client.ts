/**
 * The one file that touches kafkajs's internals: a partition-level client (metadata, ListOffsets, Fetch at
 * exact offsets) built on kafkajs 2.2.4's Cluster and Batch classes, which kafkajs does not export publicly
 * (its public consumer only reads through consumer groups). State: one kafkajs Cluster (connections, metadata).
 * Invariant: fetch() never moves a position by itself; the caller owns every offset. Swap kafkajs here only.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/* Minimal typings of the kafkajs 2.2.4 internals used here (checked against its sources). */
interface KjsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  isControlRecord: boolean;
  batchContext?: { firstOffset: string; lastOffsetDelta: number };
}
interface KjsPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset?: string;
  abortedTransactions?: unknown[];
  messages: KjsMessage[];
}
interface KjsBatch {
  partition: number;
  highWatermark: string;
  /** Records at or after the fetch offset, including control records and aborted ones. */
  messagesWithinOffset: KjsMessage[];
  /** Visible records: no control records, no aborted transactional records. */
  messages: KjsMessage[];
}
interface KjsBroker {
  fetch(req: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: KjsPartitionData[] }[] }>;
}
interface KjsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number | null }[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string }): Promise<KjsBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning?: boolean; fromTimestamp?: number }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}
type KjsLogEntry = { namespace: string; level: number; label: string; log: { message: string; [k: string]: unknown } };

const Cluster = require('kafkajs/src/cluster/index.js') as new (opts: Record<string, unknown>) => KjsCluster;
const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: KjsPartitionData) => KjsBatch;
const { createLogger, LEVELS } = require('kafkajs/src/loggers/index.js') as {
  createLogger(o: { level: number; logCreator: (level: number) => (e: KjsLogEntry) => void }): unknown;
  LEVELS: { NOTHING: number; ERROR: number; WARN: number; INFO: number; DEBUG: number };
};
const defaultSocketFactory = require('kafkajs/src/network/socketFactory.js') as () => unknown;

export const ISOLATION = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;

/** A connector's log sink: kafkajs warnings and errors and the connector's own state changes. */
export type ConnectorLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  isolationLevel: number;
  log?: ConnectorLog;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** One fetched record, as the client hands it out. */
export interface FetchedRecord {
  offset: string;
  timestampMs: number | null;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface PartitionFetchResult {
  partition: number;
  highWatermark: string;
  /** Visible records in offset order. */
  records: FetchedRecord[];
  /** Where the next fetch of this partition must start (past control and aborted records too). */
  nextOffset: bigint;
}

export class OffsetOutOfRangeError extends Error {
  constructor(readonly partition: number) {
    super(`offset out of range on partition ${partition}`);
  }
}

export type OffsetSpec = 'earliest' | 'latest' | { timestampMs: number };

function headerText(v: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  return one === undefined ? undefined : one.toString();
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function toRecord(m: KjsMessage, withHeaders: boolean): FetchedRecord {
  const headers: Record<string, string> = withHeaders ? {} : NO_HEADERS;
  if (withHeaders) for (const k of Object.keys(m.headers)) {
    const t = headerText(m.headers[k]);
    if (t !== undefined) headers[k] = t;
  }
  const ts = Number(m.timestamp);
  return { offset: m.offset, timestampMs: Number.isFinite(ts) && ts >= 0 ? ts : null, key: m.key, value: m.value, headers };
}

export function kafkaLogCreator(log: ConnectorLog | undefined): (level: number) => (e: KjsLogEntry) => void {
  return () => (e) => {
    if (!log) return;
    const level = e.level <= LEVELS.ERROR ? 'error' : e.level <= LEVELS.WARN ? 'warn' : 'info';
    const extra = e.log['error'] ? `: ${String(e.log['error'])}` : '';
    log(level, `kafkajs ${e.namespace}: ${e.log.message}${extra}`);
  };
}

/**
 * Records returned entirely below the fetch offset (a compacted batch that spans it): continue after the
 * batch's last offset, as its header says, so the fetch makes progress.
 */
function pastCompactedBatches(raw: KjsMessage[], from: bigint): bigint {
  let next = from;
  for (const m of raw) {
    const ctx = m.batchContext;
    if (!ctx) continue;
    const end = BigInt(ctx.firstOffset) + BigInt(ctx.lastOffsetDelta) + 1n;
    if (end > next) next = end;
  }
  return next;
}

/** A partition-level Kafka client over one kafkajs Cluster. Create a new one after a connection failure. */
export class KafkaPartitionClient {
  private readonly cluster: KjsCluster;
  private readonly isolationLevel: number;

  constructor(opts: KafkaClientOptions) {
    this.isolationLevel = opts.isolationLevel;
    this.cluster = new Cluster({
      logger: createLogger({ level: opts.log ? LEVELS.WARN : LEVELS.NOTHING, logCreator: kafkaLogCreator(opts.log) }),
      socketFactory: defaultSocketFactory(),
      brokers: opts.brokers,
      clientId: opts.clientId,
      connectionTimeout: opts.connectionTimeoutMs ?? 1000,
      requestTimeout: opts.requestTimeoutMs ?? 10_000,
      enforceRequestTimeout: true,
      metadataMaxAge: 300_000,
      // Our callers own retries and backoff; kafkajs should fail fast and let them.
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
      allowAutoTopicCreation: false,
      maxInFlightRequests: null,
      isolationLevel: opts.isolationLevel,
      offsets: new Map(),
    });
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  async disconnect(): Promise<void> {
    await this.cluster.disconnect();
  }

  /** Refreshes metadata and returns the topic's partition ids (ascending); throws if the topic is unknown. */
  async partitions(topic: string): Promise<number[]> {
    await this.cluster.addTargetTopic(topic);
    await this.cluster.refreshMetadata();
    const meta = this.cluster.findTopicPartitionMetadata(topic);
    if (meta.length === 0) throw new Error(`topic "${topic}" does not exist`);
    return meta.map((p) => p.partitionId).sort((a, b) => a - b);
  }

  /** ListOffsets: earliest, latest (the LSO under read_committed), or the first offset at/after a timestamp. */
  async offsets(topic: string, partitions: number[], spec: OffsetSpec): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (partitions.length === 0) return out;
    const q = { topic, partitions: partitions.map((partition) => ({ partition })) };
    const query =
      spec === 'earliest' ? { ...q, fromBeginning: true } : spec === 'latest' ? { ...q, fromBeginning: false } : { ...q, fromTimestamp: spec.timestampMs };
    const res = await this.cluster.fetchTopicsOffset([query]);
    let missing: number[] = [];
    for (const t of res) for (const p of t.partitions) {
      if (p.offset === '-1' || p.offset === undefined) missing.push(p.partition);
      else out.set(p.partition, p.offset);
    }
    if (missing.length > 0 && typeof spec === 'object') {
      // No record at or after the timestamp: start at the end, as Kafka's consumers do.
      const latest = await this.offsets(topic, missing, 'latest');
      for (const [p, o] of latest) out.set(p, o);
      missing = [];
    }
    return out;
  }

  /** One Fetch per partition leader, from exactly the given offsets. Throws OffsetOutOfRangeError per partition. */
  async fetch(
    topic: string,
    positions: ReadonlyMap<number, bigint>,
    opts: { maxWaitMs: number; maxBytesPerPartition: number; withHeaders?: boolean },
  ): Promise<PartitionFetchResult[]> {
    const parts = [...positions.keys()];
    const withHeaders = opts.withHeaders ?? false;
    const byLeader = this.cluster.findLeaderForPartitions(topic, parts);
    const requests = Object.keys(byLeader).map(async (nodeId) => {
      const broker = await this.cluster.findBroker({ nodeId });
      const leaderParts = byLeader[nodeId]!;
      let response;
      try {
        response = await broker.fetch({
          isolationLevel: this.isolationLevel,
          maxWaitTime: opts.maxWaitMs,
          minBytes: 1,
          maxBytes: opts.maxBytesPerPartition * leaderParts.length,
          topics: [
            {
              topic,
              partitions: leaderParts.map((partition) => ({
                partition,
                fetchOffset: positions.get(partition)!.toString(),
                maxBytes: opts.maxBytesPerPartition,
              })),
            },
          ],
        });
      } catch (e) {
        const err = e as { name?: string; partition?: number };
        if (err.name === 'KafkaJSOffsetOutOfRange' && typeof err.partition === 'number') throw new OffsetOutOfRangeError(err.partition);
        throw e;
      }
      const results: PartitionFetchResult[] = [];
      for (const t of response.responses) {
        if (t.topicName !== topic) continue;
        for (const pd of t.partitions) {
          const from = positions.get(pd.partition);
          if (from === undefined) continue;
          const batch = new Batch(topic, from.toString(), pd);
          const within = batch.messagesWithinOffset;
          let nextOffset = within.length > 0 ? BigInt(within[within.length - 1]!.offset) + 1n : from;
          if (within.length === 0) nextOffset = pastCompactedBatches(pd.messages, from);
          results.push({ partition: pd.partition, highWatermark: pd.highWatermark, records: batch.messages.map((m) => toRecord(m, withHeaders)), nextOffset });
        }
      }
      return results;
    });
    return (await Promise.all(requests)).flat();
  }
}

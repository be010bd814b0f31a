/**
 * Connector contracts (L3): what the engine needs from a source transport, a format decoder and a sink.
 * The engine drives everything synchronously per epoch: it drains buffered messages with `poll`, decodes
 * them, and commits their offsets only with the epoch that committed the rows they produced.
 * Invariant: a reader never skips or repeats a message relative to the offsets it was started from.
 */
import type { Epoch } from '../common/changes.js';
import type { Column, Row, SqlType } from '../common/types.js';

/** One raw message from a source transport (Kafka record, file line, generated event). */
export interface SourceMessage {
  readonly partition: number;
  /** Offset as a decimal string (Kafka offsets are int64). */
  readonly offset: string;
  /** Record timestamp (CreateTime) in ms since the epoch, or null when the transport has none. */
  readonly timestampMs: number | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Next offset to read per partition (i.e. last consumed + 1), as decimal strings. */
export type SourceOffsets = Record<number, string>;

export type ConnectorState = 'starting' | 'running' | 'retrying' | 'stopped' | 'failed';

export interface PartitionStatus {
  partition: number;
  /** Next offset this reader will hand out. */
  nextOffset: string;
  /** Broker high watermark when last fetched (null if unknown). */
  highWatermark: string | null;
}

export interface ConnectorStatus {
  state: ConnectorState;
  lastError: string | null;
  /** When the last error happened (ms since epoch). */
  lastErrorAtMs: number | null;
  partitions: PartitionStatus[];
}

export interface SourceReader {
  /**
   * Start reading. `from` is the committed offsets of a previous run (resume exactly there); null means
   * a fresh start that follows the source's startup mode. Never throws for an unreachable broker:
   * it reports 'retrying' in status() and keeps trying with backoff.
   */
  start(from: SourceOffsets | null): Promise<void>;
  /** Take up to `max` buffered messages, in offset order per partition. Never blocks. */
  poll(max: number): SourceMessage[];
  /** Offsets after the last message handed out by poll() (what to commit with the epoch). */
  position(): SourceOffsets;
  status(): ConnectorStatus;
  /** Wakes the engine when new messages are buffered (optional). */
  onData?(listener: () => void): void;
  close(): Promise<void>;
}

/** Outcome of decoding one message into a row of the source's declared columns. */
export type DecodeResult = { ok: true; row: Row } | { ok: false; error: string };

export interface RowDecoder {
  decode(message: SourceMessage): DecodeResult;
}

export interface DecoderOptions {
  /** Declared payload columns, in order. */
  columns: readonly Column[];
  /** INCLUDE metadata columns appended after the payload columns, in declaration order. */
  include: readonly IncludeColumn[];
}

export interface IncludeColumn {
  what: 'partition' | 'offset' | 'timestamp' | 'key';
  /** Column name (INCLUDE partition AS p → 'p'; default `_rw_kafka_partition` style names are the planner's). */
  name: string;
  /**
   * Declared type of the column (added by the connectors helper; optional). Defaults: partition integer,
   * offset bigint, timestamp timestamptz, key varchar (UTF-8 text). Also accepted: partition/offset as
   * varchar/text/bigint/integer, timestamp as timestamp, key as text/jsonb.
   */
  type?: SqlType;
}

/** One message to write to a sink topic. */
export interface SinkMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface SinkWriter {
  /** Connect and recover: returns the highest engine epoch whose output is already durably on the sink (0 if none). */
  start(): Promise<Epoch>;
  /**
   * Write one epoch's messages atomically (a Kafka transaction, or the closest the transport allows).
   * Resolves once they are durable and visible to read_committed consumers. Retries with backoff on a dead
   * broker; resolves only on success, so the caller applies backpressure by awaiting it.
   */
  writeEpoch(epoch: Epoch, messages: SinkMessage[]): Promise<void>;
  status(): ConnectorStatus & { messagesWritten: number; lastEpoch: Epoch };
  close(): Promise<void>;
}

/**
 * The StateStore contract (L1): named state tables of key → value, written atomically once per epoch.
 * Operators and the engine see only this interface; memory-store.ts and lmdb-store.ts implement it.
 * Invariants: reads see committed state plus this epoch's own pending writes; `commitEpoch` makes every
 * pending write of every table, plus the metadata entries, durable in one atomic step (all or nothing);
 * keys compare in SQL order (NULLs last, numbers numerically, strings by code point, timestamps in time order).
 */
import type { Epoch } from '../common/changes.js';
import type { Value } from '../common/types.js';

/** A composite key: SQL values compared column by column. */
export type StateKey = readonly Value[];

/**
 * A stored value: any structure of Values, plain objects, arrays, numbers, strings, booleans, null, bigint,
 * Interval and Jsonb. The store must round-trip all of them exactly (including bigint and Jsonb).
 */
export type StateValue = unknown;

export interface KeyRange {
  /** Keys starting with this prefix (column-wise). Omitted = all keys. */
  prefix?: StateKey;
  /** Inclusive lower bound (column-wise, compared after prefix filtering). */
  start?: StateKey;
  /** Exclusive upper bound. */
  end?: StateKey;
  reverse?: boolean;
  limit?: number;
}

export interface StateTable {
  readonly name: string;
  get(key: StateKey): StateValue | undefined;
  put(key: StateKey, value: StateValue): void;
  delete(key: StateKey): void;
  /** Entries in key order (reverse if asked), including this epoch's pending writes. */
  scan(range?: KeyRange): Iterable<[StateKey, StateValue]>;
  /** Number of entries committed plus pending (approximate is fine for LMDB; exact for memory). */
  size(): number;
  /** True when the table holds more than n entries (committed plus pending), at a cost of O(min(n, size)). */
  holdsMoreThan(n: number): boolean;
  /** Remove every entry (pending until commit). */
  clear(): void;
}

/** A read-only view of one committed epoch, for serving queries while ingestion goes on. */
export interface StateSnapshot {
  readonly epoch: Epoch;
  scan(table: string, range?: KeyRange): Iterable<[StateKey, StateValue]>;
  get(table: string, key: StateKey): StateValue | undefined;
  close(): void;
}

export interface StateStore {
  /** Open (or create) a named table. Names are stable across restarts: they identify the state. */
  table(name: string): StateTable;
  /** Names of all tables that exist (committed). */
  tableNames(): string[];
  /** Drop a table and all its entries (pending until commit). */
  dropTable(name: string): void;
  /** Metadata (catalog, source offsets, sink progress): read committed-plus-pending value. */
  getMeta(key: string): StateValue | undefined;
  /** Metadata write, committed with the next commitEpoch. */
  putMeta(key: string, value: StateValue): void;
  /** Atomically commit all pending writes (tables and metadata) as `epoch`. Epochs strictly increase. */
  commitEpoch(epoch: Epoch): Promise<void>;
  /** The last committed epoch (0 if none). */
  committedEpoch(): Epoch;
  /** A consistent read view of the last committed epoch. */
  snapshot(): StateSnapshot;
  close(): Promise<void>;
}

/**
 * LmdbStore: the durable StateStore: one LMDB environment in `<dir>/state/`, a `data` sub-database whose keys
 * are a 4-byte table id + key-codec bytes, and a `sys` sub-database (epoch, table catalog, metadata).
 * State: per table a pending overlay for the open epoch; a bounded LRU read cache of committed values.
 * Invariant: commitEpoch writes every pending put/delete/clear/drop, the catalog, metadata and the epoch number
 * in ONE LMDB write transaction, so a reopened store is exactly some committed epoch.
 */
import { crashPoint } from '../common/crash-point.js';
import { open, type Database, type RootDatabase } from 'lmdb';
import { join } from 'node:path';
import type { Epoch } from '../common/changes.js';
import { SqlError, SQLSTATE } from '../common/errors.js';
import { fsError, lockDataDir, prepareDataDir, type DataDirLock } from './data-dir.js';
import { encodeKeyString } from './key-codec.js';
import { LmdbRangeSource, type ReadTxn } from './lmdb-range.js';
import { LruCache } from './lru-cache.js';
import { OrderedCursor, OrderedMap } from './ordered-map.js';
import { EMPTY_SOURCE, encodedBounds, mergeScan, TOMBSTONE, type PeekSource, type Tombstone } from './scan.js';
import type { KeyRange, StateKey, StateSnapshot, StateStore, StateTable, StateValue } from './store.js';
import { decodeValue, encodeValue } from './value-codec.js';
import { decodeEntryValueFor, encodeEntryValue, storageKey } from './lmdb-entry.js';

export interface LmdbStoreOptions {
  /** Read cache capacity in entries (committed values, including "absent"); default 100 000; 0 disables. */
  cacheEntries?: number;
  /** Initial LMDB map size in bytes (lmdb-js grows it as needed). */
  mapSize?: number;
  /** Do not fsync commits (benchmarks and scratch stores only: a machine crash may lose recent epochs). */
  noSync?: boolean;
}

type Bytes = Buffer;
const ABSENT: unique symbol = Symbol('sluice.state.absent');
type Cached = StateValue | typeof ABSENT;

const SYS_EPOCH = Buffer.from('epoch');
const SYS_TABLES = Buffer.from('tables');
const SYS_NEXT_ID = Buffer.from('next-table-id');
const META_PREFIX = 'meta:';

function tableHead(id: number): Bytes {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(id, 0);
  return b;
}

export class LmdbTable implements StateTable {
  readonly pending = new OrderedMap<StateValue | Tombstone>();
  cleared = false;
  dropped = false;
  readonly head: Bytes;
  readonly headStr: string;

  constructor(
    private readonly store: LmdbStore,
    readonly name: string,
    readonly id: number,
  ) {
    this.head = tableHead(id);
    this.headStr = this.head.toString('latin1');
  }

  get(key: StateKey): StateValue | undefined {
    this.assertLive();
    const ks = encodeKeyString(key);
    const p = this.pending.get(ks);
    if (p !== undefined) return p === TOMBSTONE ? undefined : p;
    if (this.cleared) return undefined;
    return this.store.readCommitted(this, ks);
  }

  put(key: StateKey, value: StateValue): void {
    this.assertLive();
    if (value === undefined) throw new SqlError(SQLSTATE.internal_error, `state table "${this.name}": cannot put undefined`);
    this.pending.set(encodeKeyString(key), key, value);
  }

  delete(key: StateKey): void {
    this.assertLive();
    const ks = encodeKeyString(key);
    if (this.cleared && !this.pending.has(ks)) return;
    this.pending.set(ks, key, TOMBSTONE);
  }

  scan(range?: KeyRange): Iterable<[StateKey, StateValue]> {
    this.assertLive();
    const bounds = encodedBounds(range);
    const reverse = range?.reverse === true;
    const pending = new OrderedCursor(this.pending, reverse, bounds.low, bounds.high);
    const committed = this.cleared ? EMPTY_SOURCE : this.store.committedSource(this, range);
    return mergeScan(pending, committed, () => !this.cleared, range, bounds);
  }

  /** Committed count (cached between commits) adjusted by the pending overlay: O(pending). */
  size(): number {
    this.assertLive();
    let n = this.cleared ? 0 : this.store.committedCount(this);
    for (const [ks, , v] of this.pending.entries()) {
      const before = !this.cleared && this.store.readCommitted(this, ks) !== undefined;
      const after = v !== TOMBSTONE;
      n += (after ? 1 : 0) - (before ? 1 : 0);
    }
    return n;
  }

  /** Without a cached count and pending writes, counts at most n + 1 committed keys instead of all of them. */
  holdsMoreThan(n: number): boolean {
    this.assertLive();
    if (this.cleared || this.pending.size > 0 || this.store.hasCommittedCount(this)) return this.size() > n;
    return this.store.committedCountUpTo(this, n + 1) > n;
  }

  clear(): void {
    this.assertLive();
    this.pending.clear();
    this.cleared = true;
  }

  private assertLive(): void {
    if (this.dropped) {
      throw new SqlError(SQLSTATE.internal_error, `state table "${this.name}" was dropped`, {
        hint: 'Call StateStore.table() again for a new, empty table of that name.',
      });
    }
  }
}


class LmdbSnapshot implements StateSnapshot {
  private closed = false;

  constructor(
    readonly epoch: Epoch,
    private readonly catalog: ReadonlyMap<string, number>,
    private readonly data: Database<Bytes, Bytes>,
    private readonly txn: ReadTxn,
    private readonly onClose: (s: LmdbSnapshot) => void,
  ) {}

  scan(table: string, range?: KeyRange): Iterable<[StateKey, StateValue]> {
    this.assertOpen();
    const id = this.catalog.get(table);
    if (id === undefined) return [];
    const bounds = encodedBounds(range);
    const src = new LmdbRangeSource(this.data, tableHead(id).toString('latin1'), bounds, range?.reverse === true, this.txn);
    return mergeScan(EMPTY_SOURCE, src, () => true, range, bounds);
  }

  get(table: string, key: StateKey): StateValue | undefined {
    this.assertOpen();
    const id = this.catalog.get(table);
    if (id === undefined) return undefined;
    const ks = encodeKeyString(key);
    const buf = this.data.get(storageKey(tableHead(id).toString('latin1'), ks), { transaction: this.txn });
    return buf === undefined ? undefined : decodeEntryValueFor(ks, buf);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.txn.done();
    this.onClose(this);
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError(SQLSTATE.internal_error, `snapshot of epoch ${this.epoch} is closed`);
  }
}

export class LmdbStore implements StateStore {
  private readonly handles = new Map<string, LmdbTable>();
  /** Committed table name → id. */
  private catalog: Map<string, number>;
  private nextTableId: number;
  private epoch: Epoch;
  /** Committed ids dropped or to be emptied this epoch. */
  private readonly pendingDrops = new Set<number>();
  private readonly pendingMeta = new Map<string, StateValue | Tombstone>();
  private readonly cache: LruCache<Cached>;
  private readonly counts = new Map<number, number>();
  private readonly openSnapshots = new Set<LmdbSnapshot>();
  /** The last commitEpoch failed (disk full, I/O error). */
  private commitFailed = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly env: RootDatabase,
    private readonly data: Database<Bytes, Bytes>,
    private readonly sys: Database<Bytes, Bytes>,
    private readonly lock: DataDirLock,
    private readonly opts: LmdbStoreOptions,
  ) {
    this.cache = new LruCache<Cached>(opts.cacheEntries ?? 100_000);
    const epochBuf = sys.get(SYS_EPOCH);
    this.epoch = epochBuf === undefined ? 0 : (decodeValue(epochBuf) as number);
    const tablesBuf = sys.get(SYS_TABLES);
    this.catalog = new Map(Object.entries(tablesBuf === undefined ? {} : (decodeValue(tablesBuf) as Record<string, number>)));
    const nextBuf = sys.get(SYS_NEXT_ID);
    this.nextTableId = nextBuf === undefined ? 1 : (decodeValue(nextBuf) as number);
  }

  /**
   * Open (creating if needed) the store in data directory `dir`. Fails fast with SqlError 55000 if another live
   * process holds the directory or its format major differs, 58030 / 53100 on I/O errors.
   */
  static async open(dir: string, opts: LmdbStoreOptions = {}): Promise<LmdbStore> {
    const lock = lockDataDir(dir);
    try {
      const stateDir = prepareDataDir(lock.dir);
      let env: RootDatabase;
      try {
        env = open({
          path: join(stateDir, 'data.mdb'),
          maxDbs: 4,
          // Only commitEpoch writes, in one explicit transaction: no implicit per-event-turn batch (whose
          // internal promise would reject unhandled when a commit fails).
          eventTurnBatching: false,
          ...(opts.mapSize !== undefined ? { mapSize: opts.mapSize } : {}),
          ...(opts.noSync ? { noSync: true } : {}),
        });
      } catch (e) {
        throw fsError(e, 'open state database in', stateDir);
      }
      const data = env.openDB<Bytes, Bytes>({ name: 'data', encoding: 'binary', keyEncoding: 'binary' });
      const sys = env.openDB<Bytes, Bytes>({ name: 'sys', encoding: 'binary', keyEncoding: 'binary' });
      return new LmdbStore(lock.dir, env, data, sys, lock, opts);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  table(name: string): StateTable {
    this.assertOpen();
    let t = this.handles.get(name);
    if (t === undefined) {
      const committedId = this.catalog.get(name);
      const id = committedId !== undefined && !this.pendingDrops.has(committedId) ? committedId : this.nextTableId++;
      t = new LmdbTable(this, name, id);
      this.handles.set(name, t);
    }
    return t;
  }

  tableNames(): string[] {
    return [...this.catalog.keys()].sort();
  }

  dropTable(name: string): void {
    this.assertOpen();
    const t = this.handles.get(name);
    if (t !== undefined) {
      t.dropped = true;
      this.handles.delete(name);
    }
    const id = this.catalog.get(name);
    if (id !== undefined) this.pendingDrops.add(id);
  }

  getMeta(key: string): StateValue | undefined {
    this.assertOpen();
    const p = this.pendingMeta.get(key);
    if (p !== undefined) return p === TOMBSTONE ? undefined : p;
    const buf = this.sys.get(Buffer.from(META_PREFIX + key));
    return buf === undefined ? undefined : decodeValue(buf);
  }

  /** `undefined` deletes the entry. */
  putMeta(key: string, value: StateValue): void {
    this.assertOpen();
    this.pendingMeta.set(key, value === undefined ? TOMBSTONE : value);
  }

  async commitEpoch(epoch: Epoch): Promise<void> {
    this.assertOpen();
    if (!(epoch > this.epoch)) {
      throw new SqlError(SQLSTATE.internal_error, `epoch ${epoch} is not after the committed epoch ${this.epoch}`);
    }
    const catalog = new Map(this.catalog);
    for (const [name, id] of this.catalog) if (this.pendingDrops.has(id)) catalog.delete(name);
    for (const t of this.handles.values()) catalog.set(t.name, t.id);
    const emptied = [...this.pendingDrops];
    for (const t of this.handles.values()) if (t.cleared && this.catalog.get(t.name) === t.id) emptied.push(t.id);
    try {
      // The callback runs on this thread; LMDB commits on lmdb-js's write thread, so this thread keeps serving.
      await this.env.transaction(() => {
        for (const id of emptied) this.removeTableRange(id);
        let wrote = 0;
        for (const t of this.handles.values()) {
          wrote += t.pending.size;
          for (const [ks, , v] of t.pending.entries()) {
            const kb = storageKey(t.headStr, ks);
            if (v === TOMBSTONE) this.data.removeSync(kb);
            else this.data.putSync(kb, encodeEntryValue(ks, v));
          }
        }
        if (wrote > 0) crashPoint('checkpoint-write'); // tests: die with this epoch's rows written, not committed
        for (const [k, v] of this.pendingMeta) {
          const kb = Buffer.from(META_PREFIX + k);
          if (v === TOMBSTONE) this.sys.removeSync(kb);
          else this.sys.putSync(kb, encodeValue(v));
        }
        this.sys.putSync(SYS_TABLES, encodeValue(Object.fromEntries(catalog)));
        this.sys.putSync(SYS_NEXT_ID, encodeValue(this.nextTableId));
        this.sys.putSync(SYS_EPOCH, encodeValue(epoch));
      });
    } catch (e) {
      if (e instanceof SqlError) throw e;
      this.commitFailed = true;
      throw fsError(await commitFailure(e), `commit epoch ${epoch} to`, this.dir);
    }
    this.commitFailed = false;
    // committed and visible: fold the overlay into the cache synchronously, so writes made while we wait for the
    // flush below belong to the next epoch
    for (const id of emptied) {
      this.cache.deletePrefix(tableHead(id).toString('latin1'));
      this.counts.delete(id);
    }
    for (const t of this.handles.values()) {
      if (t.pending.size > 0) this.counts.delete(t.id);
      if (this.cache.maxEntries > 0) {
        for (const [ks, , v] of t.pending.entries()) this.cache.set(t.headStr + ks, v === TOMBSTONE ? ABSENT : v);
      }
      t.pending.clear();
      t.cleared = false;
    }
    this.pendingDrops.clear();
    this.pendingMeta.clear();
    this.catalog = catalog;
    this.epoch = epoch;
    if (!this.opts.noSync) {
      try {
        await this.env.flushed;
      } catch (e) {
        throw fsError(e, `flush epoch ${epoch} to`, this.dir);
      }
    }
  }

  committedEpoch(): Epoch {
    return this.epoch;
  }

  snapshot(): StateSnapshot {
    this.assertOpen();
    const txn = this.env.useReadTransaction();
    const epochBuf = this.sys.get(SYS_EPOCH, { transaction: txn });
    const tablesBuf = this.sys.get(SYS_TABLES, { transaction: txn });
    const epoch = epochBuf === undefined ? 0 : (decodeValue(epochBuf) as number);
    const catalog = new Map(Object.entries(tablesBuf === undefined ? {} : (decodeValue(tablesBuf) as Record<string, number>)));
    const snap = new LmdbSnapshot(epoch, catalog, this.data, txn, (s) => this.openSnapshots.delete(s));
    this.openSnapshots.add(snap);
    return snap;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.openSnapshots]) s.close();
    try {
      // lmdb-js closes once its last commit has flushed; a failed one never does, so settle it with an empty one.
      if (this.commitFailed) await this.env.transaction(() => undefined).catch(() => undefined);
      await this.env.close();
    } finally {
      this.lock.release();
    }
  }

  // ---- for LmdbTable ----

  /** The committed value of `key` in table `t` (through the read cache). */
  /** The committed value of the key encoded as `ks` in table `t` (through the read cache). */
  readCommitted(t: LmdbTable, ks: string): StateValue | undefined {
    const full = t.headStr + ks;
    if (this.cache.maxEntries <= 0) {
      const buf = this.data.getBinary(storageKey(t.headStr, ks));
      return buf === undefined ? undefined : decodeEntryValueFor(ks, buf);
    }
    const hit = this.cache.get(full);
    if (hit !== undefined) return hit === ABSENT ? undefined : hit;
    const buf = this.data.getBinary(storageKey(t.headStr, ks));
    const v = buf === undefined ? undefined : decodeEntryValueFor(ks, buf);
    this.cache.set(full, v === undefined ? ABSENT : v);
    return v;
  }

  committedSource(t: LmdbTable, range: KeyRange | undefined): PeekSource<StateValue> {
    if (this.catalog.get(t.name) !== t.id) return EMPTY_SOURCE;
    return new LmdbRangeSource(this.data, t.headStr, encodedBounds(range), range?.reverse === true);
  }

  hasCommittedCount(t: LmdbTable): boolean {
    return this.counts.has(t.id);
  }

  /** min(limit, committed entries of t), reading at most `limit` keys. */
  committedCountUpTo(t: LmdbTable, limit: number): number {
    if (this.catalog.get(t.name) !== t.id) return 0;
    let n = 0;
    for (const _key of this.data.getKeys({ start: t.head, end: tableHead(t.id + 1), limit })) n++;
    return n;
  }

  committedCount(t: LmdbTable): number {
    if (this.catalog.get(t.name) !== t.id) return 0;
    let n = this.counts.get(t.id);
    if (n === undefined) {
      n = this.data.getKeysCount({ start: t.head, end: tableHead(t.id + 1) });
      this.counts.set(t.id, n);
    }
    return n;
  }

  private removeTableRange(id: number): void {
    const keys = [...this.data.getKeys({ start: tableHead(id), end: tableHead(id + 1) })] as Bytes[];
    for (const k of keys) this.data.removeSync(k);
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError(SQLSTATE.internal_error, `state store in "${this.dir}" is closed`);
  }
}

/**
 * The cause of a failed asynchronous LMDB commit: lmdb-js rejects the transaction with a generic "Commit failed"
 * whose `commitError` promise rejects with the system error (ENOSPC, EIO, …); that one is awaited (and so handled).
 */
async function commitFailure(e: unknown): Promise<unknown> {
  const cause = (e as { commitError?: Promise<unknown> } | null)?.commitError;
  if (cause === undefined) return e;
  try {
    await cause;
    return e;
  } catch (real) {
    return real;
  }
}

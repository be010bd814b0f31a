/**
 * MemoryStore: a StateStore in process memory (tests, ephemeral pipelines); nothing survives the process.
 * State: per table a committed OrderedMap (sorted by key-codec encoding) plus a pending overlay (puts, tombstones)
 * for the open epoch; metadata likewise. commitEpoch folds every overlay in one synchronous step; snapshots are
 * copy-on-write views of the committed maps. Values are kept by reference: never mutate one after put()/get().
 */
import type { Epoch } from '../common/changes.js';
import { SqlError, SQLSTATE } from '../common/errors.js';
import { encodeKeyString } from './key-codec.js';
import { OrderedCursor, OrderedMap } from './ordered-map.js';
import { EMPTY_SOURCE, encodedBounds, mergeScan, TOMBSTONE, type Tombstone } from './scan.js';
import type { KeyRange, StateKey, StateSnapshot, StateStore, StateTable, StateValue } from './store.js';

type Committed = OrderedMap<StateValue>;

/** Scan one ordered map within a range (no overlay). */
function scanMap(map: Committed, range: KeyRange | undefined): Iterable<[StateKey, StateValue]> {
  const bounds = encodedBounds(range);
  const cur = new OrderedCursor(map, range?.reverse === true, bounds.low, bounds.high);
  return mergeScan(EMPTY_SOURCE, cur, () => true, range, bounds);
}

export class MemoryTable implements StateTable {
  /** Pending writes of the open epoch; TOMBSTONE = deleted. */
  readonly pending = new OrderedMap<StateValue | Tombstone>();
  /** True if clear() was called this epoch: committed entries are hidden. */
  cleared = false;
  /** Detached by dropTable: every call fails. */
  dropped = false;
  /** Visible size minus committed size (when not cleared) or visible size (when cleared). */
  private sizeDelta = 0;

  constructor(
    readonly name: string,
    /** Committed entries; replaced by the store on commit, never mutated outside commit. */
    public committed: Committed,
  ) {}

  get(key: StateKey): StateValue | undefined {
    this.assertLive();
    const ks = encodeKeyString(key);
    const p = this.pending.get(ks);
    if (p !== undefined) return p === TOMBSTONE ? undefined : p;
    return this.cleared ? undefined : this.committed.get(ks);
  }

  put(key: StateKey, value: StateValue): void {
    this.assertLive();
    if (value === undefined) throw new SqlError(SQLSTATE.internal_error, `state table "${this.name}": cannot put undefined`);
    const ks = encodeKeyString(key);
    if (!this.visible(ks)) this.sizeDelta++;
    this.pending.set(ks, key, value);
  }

  delete(key: StateKey): void {
    this.assertLive();
    const ks = encodeKeyString(key);
    if (this.visible(ks)) this.sizeDelta--;
    if (this.cleared && !this.pending.has(ks)) return;
    this.pending.set(ks, key, TOMBSTONE);
  }

  scan(range?: KeyRange): Iterable<[StateKey, StateValue]> {
    this.assertLive();
    const bounds = encodedBounds(range);
    const reverse = range?.reverse === true;
    const pending = new OrderedCursor(this.pending, reverse, bounds.low, bounds.high);
    // committed maps mutate in place at commit; the cursor re-seeks if that happens mid-scan
    const committed = new OrderedCursor(this.committed, reverse, bounds.low, bounds.high);
    return mergeScan(pending, committed, () => !this.cleared, range, bounds);
  }

  size(): number {
    this.assertLive();
    return (this.cleared ? 0 : this.committed.size) + this.sizeDelta;
  }

  holdsMoreThan(n: number): boolean {
    return this.size() > n;
  }

  clear(): void {
    this.assertLive();
    this.pending.clear();
    this.cleared = true;
    this.sizeDelta = 0;
  }

  /** Fold pending into committed (called by the store inside commitEpoch). */
  applyPending(): void {
    if (this.cleared) this.committed.clear();
    for (const [ks, k, v] of this.pending.entries()) {
      if (v === TOMBSTONE) this.committed.delete(ks);
      else this.committed.set(ks, k, v);
    }
    this.pending.clear();
    this.cleared = false;
    this.sizeDelta = 0;
  }

  private visible(ks: string): boolean {
    const p = this.pending.get(ks);
    if (p !== undefined) return p !== TOMBSTONE;
    return !this.cleared && this.committed.has(ks);
  }

  private assertLive(): void {
    if (this.dropped) {
      throw new SqlError(SQLSTATE.internal_error, `state table "${this.name}" was dropped`, {
        hint: 'Call StateStore.table() again for a new, empty table of that name.',
      });
    }
  }
}

class MemorySnapshot implements StateSnapshot {
  constructor(
    readonly epoch: Epoch,
    private readonly tables: ReadonlyMap<string, Committed>,
  ) {}

  scan(table: string, range?: KeyRange): Iterable<[StateKey, StateValue]> {
    const map = this.tables.get(table);
    return map === undefined ? [] : scanMap(map, range);
  }

  get(table: string, key: StateKey): StateValue | undefined {
    return this.tables.get(table)?.get(encodeKeyString(key));
  }

  close(): void {}
}

export class MemoryStore implements StateStore {
  /** Live handles, including tables created or re-created this epoch. */
  private readonly handles = new Map<string, MemoryTable>();
  /** Committed tables by name (what tableNames and snapshots see). */
  private readonly committedTables = new Map<string, Committed>();
  /** Names dropped this epoch (their committed data goes away at commit). */
  private readonly pendingDrops = new Set<string>();
  private readonly meta = new Map<string, StateValue>();
  private readonly pendingMeta = new Map<string, StateValue | Tombstone>();
  private epoch: Epoch = 0;
  private cachedSnapshot: MemorySnapshot | null = null;
  private closed = false;

  table(name: string): StateTable {
    this.assertOpen();
    let t = this.handles.get(name);
    if (t === undefined) {
      const committed = this.pendingDrops.has(name) ? undefined : this.committedTables.get(name);
      t = new MemoryTable(name, committed ?? new OrderedMap<StateValue>());
      this.handles.set(name, t);
    }
    return t;
  }

  tableNames(): string[] {
    return [...this.committedTables.keys()].sort();
  }

  dropTable(name: string): void {
    this.assertOpen();
    const t = this.handles.get(name);
    if (t !== undefined) {
      t.dropped = true;
      this.handles.delete(name);
    }
    this.pendingDrops.add(name);
  }

  getMeta(key: string): StateValue | undefined {
    const p = this.pendingMeta.get(key);
    if (p !== undefined) return p === TOMBSTONE ? undefined : p;
    return this.meta.get(key);
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
    for (const name of this.pendingDrops) this.committedTables.delete(name);
    this.pendingDrops.clear();
    for (const t of this.handles.values()) {
      t.applyPending();
      this.committedTables.set(t.name, t.committed);
    }
    for (const [k, v] of this.pendingMeta) {
      if (v === TOMBSTONE) this.meta.delete(k);
      else this.meta.set(k, v);
    }
    this.pendingMeta.clear();
    this.epoch = epoch;
    this.cachedSnapshot = null;
  }

  committedEpoch(): Epoch {
    return this.epoch;
  }

  snapshot(): StateSnapshot {
    this.assertOpen();
    if (this.cachedSnapshot === null) {
      const frozen = new Map<string, Committed>();
      for (const [name, map] of this.committedTables) frozen.set(name, map.freeze());
      this.cachedSnapshot = new MemorySnapshot(this.epoch, frozen);
    }
    return this.cachedSnapshot;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError(SQLSTATE.internal_error, 'state store is closed');
  }
}

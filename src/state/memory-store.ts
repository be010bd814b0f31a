/**
 * MemoryStore: a StateStore held in process memory (tests, ephemeral pipelines). Nothing survives the process.
 * State: per table a committed OrderedMap plus a pending overlay (puts and tombstones) for the open epoch;
 * metadata likewise. commitEpoch folds every overlay into the committed maps in one synchronous step.
 * Snapshots are copy-on-write views of the committed maps (cheap; later commits never change them).
 * Values are stored by reference: do not mutate a value after put() or one returned by get()/scan().
 */
import type { Epoch } from '../common/changes.js';
import { SqlError, SQLSTATE } from '../common/errors.js';
import { compareKeys } from './key-compare.js';
import { OrderedCursor, OrderedMap } from './ordered-map.js';
import { mergeScan, scanBounds, TOMBSTONE, type PeekSource, type Tombstone } from './scan.js';
import type { KeyRange, StateKey, StateSnapshot, StateStore, StateTable, StateValue } from './store.js';

type Committed = OrderedMap<StateValue>;

const EMPTY_SOURCE: PeekSource<StateValue> = { peek: () => undefined, advance: () => {} };

/** Scan one ordered map within a range (no overlay). */
function* scanMap(map: Committed, range: KeyRange | undefined): Generator<[StateKey, StateValue]> {
  const bounds = scanBounds(range);
  const cur = new OrderedCursor(map, range?.reverse === true, bounds.reached, compareKeys);
  yield* mergeScan(EMPTY_SOURCE as PeekSource<StateValue | Tombstone>, cur, () => true, range, bounds.within);
}

export class MemoryTable implements StateTable {
  /** Pending writes of the open epoch; TOMBSTONE = deleted. */
  readonly pending = new OrderedMap<StateValue | Tombstone>(compareKeys);
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
    const p = this.pending.get(key);
    if (p !== undefined) return p === TOMBSTONE ? undefined : p;
    return this.cleared ? undefined : this.committed.get(key);
  }

  put(key: StateKey, value: StateValue): void {
    this.assertLive();
    if (value === undefined) throw new SqlError(SQLSTATE.internal_error, `state table "${this.name}": cannot put undefined`);
    if (!this.visible(key)) this.sizeDelta++;
    this.pending.set(key, value);
  }

  delete(key: StateKey): void {
    this.assertLive();
    if (this.visible(key)) this.sizeDelta--;
    if (this.cleared && !this.pending.has(key)) return;
    this.pending.set(key, TOMBSTONE);
  }

  scan(range?: KeyRange): Iterable<[StateKey, StateValue]> {
    this.assertLive();
    const bounds = scanBounds(range);
    const reverse = range?.reverse === true;
    const pending = new OrderedCursor(this.pending, reverse, bounds.reached, compareKeys);
    // the committed map object is captured per scan; a commit mid-scan swaps nothing (maps mutate in place)
    const committed = new OrderedCursor(this.committed, reverse, bounds.reached, compareKeys);
    return mergeScan(pending, committed, () => !this.cleared, range, bounds.within);
  }

  size(): number {
    this.assertLive();
    return (this.cleared ? 0 : this.committed.size) + this.sizeDelta;
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
    for (const [k, v] of this.pending.entries()) {
      if (v === TOMBSTONE) this.committed.delete(k);
      else this.committed.set(k, v);
    }
    this.pending.clear();
    this.cleared = false;
    this.sizeDelta = 0;
  }

  private visible(key: StateKey): boolean {
    const p = this.pending.get(key);
    if (p !== undefined) return p !== TOMBSTONE;
    return !this.cleared && this.committed.has(key);
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
    return this.tables.get(table)?.get(key);
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
      t = new MemoryTable(name, committed ?? new OrderedMap<StateValue>(compareKeys));
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

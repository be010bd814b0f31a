/**
 * LmdbRangeSource (L1): one table's committed entries in an LMDB key range, decoded, as a peekable source in
 * key order for mergeScan. Entries whose storage keys may be out of key order (long keys sharing a prefix, see
 * lmdb-entry.ts) are read as a group and sorted by full encoded key. Closing ends the LMDB iterator.
 */
import type { Database, RootDatabase } from 'lmdb';
import { decodeKey } from './key-codec.js';
import { decodeEntry, mayMisorder, PREFIX_ROOM, storageBound } from './lmdb-entry.js';
import type { PeekSource } from './scan.js';
import type { StateKey, StateValue } from './store.js';

type Bytes = Buffer;
export type ReadTxn = ReturnType<RootDatabase['useReadTransaction']>;

interface RangeEntry {
  key: Bytes;
  value: Bytes;
}

const GROUP_PREFIX = 4 + PREFIX_ROOM;

/**
 * Committed entries of one table from LMDB, decoded, as a peekable source in key order. Entries whose storage
 * keys may be out of key order (long keys sharing a prefix, see lmdb-entry.ts) are read as a group and sorted.
 */
export class LmdbRangeSource implements PeekSource<StateValue> {
  private readonly it: Iterator<RangeEntry> | null;
  private readonly queue: [string, StateKey, StateValue][] = [];
  private lookahead: RangeEntry | undefined;
  private done = false;

  /** `bounds` are encoded keys without the table head. */
  constructor(
    db: Database<Bytes, Bytes>,
    headStr: string,
    bounds: { low: string; high: string },
    private readonly reverse: boolean,
    transaction?: ReadTxn,
  ) {
    if (bounds.low >= bounds.high) {
      this.it = null;
      this.done = true;
      return;
    }
    const low = storageBound(headStr, bounds.low, 'low');
    const high = storageBound(headStr, bounds.high, 'high');
    const opts = reverse
      ? { start: high, end: low, reverse: true, exclusiveStart: true, inclusiveEnd: true }
      : { start: low, end: high };
    const iterable = db.getRange(transaction ? { ...opts, transaction } : opts) as Iterable<RangeEntry>;
    this.it = iterable[Symbol.iterator]();
  }

  peek(): [string, StateKey, StateValue] | undefined {
    if (this.queue.length === 0) this.fill();
    return this.queue[0];
  }

  advance(): void {
    if (this.queue.length === 0) this.fill();
    this.queue.shift();
  }

  close(): void {
    if (!this.done) {
      this.done = true;
      this.it?.return?.();
    }
  }

  private nextRaw(): RangeEntry | undefined {
    const la = this.lookahead;
    if (la !== undefined) {
      this.lookahead = undefined;
      return la;
    }
    if (this.done) return undefined;
    const r = this.it!.next();
    if (r.done) {
      this.done = true;
      return undefined;
    }
    return r.value;
  }

  private decoded(raw: RangeEntry): [string, StateKey, StateValue] {
    const { ks, value } = decodeEntry(raw.key, raw.value);
    const key = raw.key.length - 4 === ks.length ? decodeKey(raw.key, 4) : decodeKey(Buffer.from(ks, 'latin1'));
    return [ks, key, value];
  }

  private fill(): void {
    const raw = this.nextRaw();
    if (raw === undefined) return;
    const first = this.decoded(raw);
    if (!mayMisorder(raw.key)) {
      this.queue.push(first);
      return;
    }
    const prefix = Buffer.from(raw.key.subarray(0, GROUP_PREFIX));
    const group = [first];
    for (;;) {
      const nx = this.nextRaw();
      if (nx === undefined) break;
      if (!mayMisorder(nx.key) || !prefix.equals(nx.key.subarray(0, GROUP_PREFIX))) {
        this.lookahead = nx;
        break;
      }
      group.push(this.decoded(nx));
    }
    const dir = this.reverse ? -1 : 1;
    group.sort((a, b) => (a[0] < b[0] ? -dir : a[0] > b[0] ? dir : 0));
    this.queue.push(...group);
  }
}

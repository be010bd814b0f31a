/**
 * OrderedMap: an in-memory sorted map StateKey → V as a list of small sorted chunks (a flat B+-tree).
 * State: chunks in key order, each at most CHUNK_MAX entries; `version` bumps on every mutation.
 * Copy-on-write: `freeze()` returns a read-only view sharing the chunks; later mutations copy a chunk
 * before changing it, so frozen views never change. Cost of freeze: O(entries / CHUNK_MAX).
 */
import type { StateKey } from './store.js';

const CHUNK_MAX = 256;

interface Chunk<V> {
  keys: StateKey[];
  values: V[];
  /** Generation that may mutate this chunk in place; older chunks are shared with a frozen view. */
  gen: number;
}

/** A monotone predicate over keys in order: false…false true…true. */
export type KeyPredicate = (key: StateKey) => boolean;

export class OrderedMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;
  private gen = 0;
  private frozen = false;
  /** Bumps on every mutation; cursors use it to re-seek. */
  version = 0;

  constructor(private readonly cmp: (a: StateKey, b: StateKey) => number) {}

  get size(): number {
    return this.count;
  }

  /** A read-only view of the current contents; later writes to this map do not show in it. */
  freeze(): OrderedMap<V> {
    const view = new OrderedMap<V>(this.cmp);
    view.chunks = this.chunks.slice();
    view.count = this.count;
    view.frozen = true;
    this.gen++;
    return view;
  }

  get(key: StateKey): V | undefined {
    const ci = this.chunkFor(key);
    if (ci < 0) return undefined;
    const c = this.chunks[ci]!;
    const i = this.indexIn(c, key);
    return i < c.keys.length && this.cmp(c.keys[i]!, key) === 0 ? c.values[i] : undefined;
  }

  has(key: StateKey): boolean {
    const ci = this.chunkFor(key);
    if (ci < 0) return false;
    const c = this.chunks[ci]!;
    const i = this.indexIn(c, key);
    return i < c.keys.length && this.cmp(c.keys[i]!, key) === 0;
  }

  /** Insert or replace; returns true if the key was new. */
  set(key: StateKey, value: V): boolean {
    this.assertWritable();
    this.version++;
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], values: [value], gen: this.gen });
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(key);
    if (ci < 0) ci = this.chunks.length - 1;
    const c = this.writable(ci);
    const i = this.indexIn(c, key);
    if (i < c.keys.length && this.cmp(c.keys[i]!, key) === 0) {
      c.values[i] = value;
      return false;
    }
    c.keys.splice(i, 0, key);
    c.values.splice(i, 0, value);
    this.count++;
    if (c.keys.length > CHUNK_MAX) {
      const half = c.keys.length >> 1;
      const right: Chunk<V> = { keys: c.keys.splice(half), values: c.values.splice(half), gen: this.gen };
      this.chunks.splice(ci + 1, 0, right);
    }
    return true;
  }

  /** Remove; returns true if the key was present. */
  delete(key: StateKey): boolean {
    this.assertWritable();
    const ci = this.chunkFor(key);
    if (ci < 0) return false;
    const i = this.indexIn(this.chunks[ci]!, key);
    const found = this.chunks[ci]!;
    if (i >= found.keys.length || this.cmp(found.keys[i]!, key) !== 0) return false;
    this.version++;
    const c = this.writable(ci);
    c.keys.splice(i, 1);
    c.values.splice(i, 1);
    this.count--;
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  clear(): void {
    this.assertWritable();
    this.version++;
    this.chunks = [];
    this.count = 0;
  }

  /** Entries in order (or reverse), for tests and bulk copies. */
  *entries(reverse = false): Generator<[StateKey, V]> {
    const cur = new OrderedCursor(this, reverse, () => true, this.cmp);
    for (let e = cur.peek(); e !== undefined; e = cur.peek()) {
      yield e;
      cur.advance();
    }
  }

  // ---- positional access for cursors ----

  /** Global position of the first key satisfying the monotone predicate (size if none). */
  firstWhere(pred: KeyPredicate): { ci: number; i: number } {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid]!;
      if (pred(c.keys[c.keys.length - 1]!)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === this.chunks.length) return { ci: lo, i: 0 };
    const c = this.chunks[lo]!;
    let a = 0;
    let b = c.keys.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (pred(c.keys[mid]!)) b = mid;
      else a = mid + 1;
    }
    return { ci: lo, i: a };
  }

  /** Position just before `pos` (ci = −1 when at the start). */
  prevPos(pos: { ci: number; i: number }): { ci: number; i: number } {
    if (pos.i > 0) return { ci: pos.ci, i: pos.i - 1 };
    if (pos.ci === 0) return { ci: -1, i: 0 };
    const ci = pos.ci - 1;
    return { ci, i: this.chunks[ci]!.keys.length - 1 };
  }

  nextPos(pos: { ci: number; i: number }): { ci: number; i: number } {
    const c = this.chunks[pos.ci]!;
    if (pos.i + 1 < c.keys.length) return { ci: pos.ci, i: pos.i + 1 };
    return { ci: pos.ci + 1, i: 0 };
  }

  keyAt(pos: { ci: number; i: number }): StateKey | undefined {
    if (pos.ci < 0 || pos.ci >= this.chunks.length) return undefined;
    return this.chunks[pos.ci]!.keys[pos.i];
  }

  valueAt(pos: { ci: number; i: number }): V {
    return this.chunks[pos.ci]!.values[pos.i]!;
  }

  // ---- internals ----

  /** Index of the first chunk whose last key ≥ key, or −1 if key is beyond every chunk. */
  private chunkFor(key: StateKey): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid]!;
      if (this.cmp(c.keys[c.keys.length - 1]!, key) >= 0) hi = mid;
      else lo = mid + 1;
    }
    return lo === this.chunks.length ? -1 : lo;
  }

  /** First index in chunk with key ≥ target. */
  private indexIn(c: Chunk<V>, key: StateKey): number {
    let lo = 0;
    let hi = c.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(c.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private writable(ci: number): Chunk<V> {
    const c = this.chunks[ci]!;
    if (c.gen === this.gen) return c;
    const copy: Chunk<V> = { keys: c.keys.slice(), values: c.values.slice(), gen: this.gen };
    this.chunks[ci] = copy;
    return copy;
  }

  private assertWritable(): void {
    if (this.frozen) throw new Error('OrderedMap: a frozen view is read-only');
  }
}

/**
 * A cursor over an OrderedMap within bounds, robust to writes between steps: after a mutation it re-seeks
 * to the first key strictly after (or before, in reverse) the last key it moved past.
 * `inside(key)` is the start bound (monotone: true from the first key of the range on, in scan direction).
 */
export class OrderedCursor<V> {
  private pos: { ci: number; i: number } | null = null;
  private seenVersion = -1;
  private last: StateKey | null = null;

  constructor(
    private readonly map: OrderedMap<V>,
    private readonly reverse: boolean,
    /** Forward: keys ≥ the range start. Reverse: keys ≤ the range end (as "not after the end"). */
    private readonly startBound: KeyPredicate,
    private readonly cmp: (a: StateKey, b: StateKey) => number,
  ) {}

  /** The current entry, or undefined at the end of the map (bounds on the far side are the caller's). */
  peek(): [StateKey, V] | undefined {
    if (this.pos === null || this.seenVersion !== this.map.version) this.seek();
    const key = this.map.keyAt(this.pos!);
    if (key === undefined) return undefined;
    return [key, this.map.valueAt(this.pos!)];
  }

  advance(): void {
    if (this.pos === null || this.seenVersion !== this.map.version) this.seek();
    const key = this.map.keyAt(this.pos!);
    if (key === undefined) return;
    this.last = key;
    this.pos = this.reverse ? this.map.prevPos(this.pos!) : this.map.nextPos(this.pos!);
  }

  private seek(): void {
    this.seenVersion = this.map.version;
    const last = this.last;
    const cmp = this.cmp;
    if (!this.reverse) {
      const pred: KeyPredicate =
        last === null ? this.startBound : (k) => this.startBound(k) && cmp(k, last) > 0;
      this.pos = this.map.firstWhere(pred);
    } else {
      // last key where startBound holds (and < last): first key where it fails, minus one
      const start = this.startBound;
      const fails: KeyPredicate =
        last === null ? (k) => !start(k) : (k) => !start(k) || cmp(k, last) >= 0;
      this.pos = this.map.prevPos(this.map.firstWhere(fails));
    }
  }
}

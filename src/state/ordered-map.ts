/**
 * OrderedMap: an in-memory sorted map from encoded key (key-codec latin1 string, compared with native `<`) to
 * (StateKey, V), as a list of small sorted chunks (a flat B+-tree). `version` bumps on every mutation.
 * Copy-on-write: `freeze()` returns a read-only view sharing the chunks; later mutations copy a chunk before
 * changing it, so frozen views never change. Cost of freeze: O(entries / CHUNK_MAX).
 */
import type { StateKey } from './store.js';

const CHUNK_MAX = 256;

interface Chunk<V> {
  ks: string[];
  keys: StateKey[];
  values: V[];
  /** Generation that may mutate this chunk in place; older chunks are shared with a frozen view. */
  gen: number;
}

export interface Pos {
  ci: number;
  i: number;
}

export class OrderedMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;
  private gen = 0;
  private frozen = false;
  /** Bumps on every mutation; cursors use it to re-seek. */
  version = 0;

  get size(): number {
    return this.count;
  }

  /** A read-only view of the current contents; later writes to this map do not show in it. */
  freeze(): OrderedMap<V> {
    const view = new OrderedMap<V>();
    view.chunks = this.chunks.slice();
    view.count = this.count;
    view.frozen = true;
    this.gen++;
    return view;
  }

  get(ks: string): V | undefined {
    const ci = this.chunkFor(ks);
    if (ci < 0) return undefined;
    const c = this.chunks[ci]!;
    const i = indexIn(c.ks, ks);
    return c.ks[i] === ks ? c.values[i] : undefined;
  }

  has(ks: string): boolean {
    const ci = this.chunkFor(ks);
    if (ci < 0) return false;
    const c = this.chunks[ci]!;
    return c.ks[indexIn(c.ks, ks)] === ks;
  }

  /** Insert or replace; returns true if the key was new. */
  set(ks: string, key: StateKey, value: V): boolean {
    this.assertWritable();
    this.version++;
    if (this.chunks.length === 0) {
      this.chunks.push({ ks: [ks], keys: [key], values: [value], gen: this.gen });
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(ks);
    if (ci < 0) ci = this.chunks.length - 1;
    const c = this.writable(ci);
    const i = indexIn(c.ks, ks);
    if (c.ks[i] === ks) {
      c.values[i] = value;
      return false;
    }
    c.ks.splice(i, 0, ks);
    c.keys.splice(i, 0, key);
    c.values.splice(i, 0, value);
    this.count++;
    if (c.ks.length > CHUNK_MAX) {
      const half = c.ks.length >> 1;
      const right: Chunk<V> = { ks: c.ks.splice(half), keys: c.keys.splice(half), values: c.values.splice(half), gen: this.gen };
      this.chunks.splice(ci + 1, 0, right);
    }
    return true;
  }

  /** Remove; returns true if the key was present. */
  delete(ks: string): boolean {
    this.assertWritable();
    const ci = this.chunkFor(ks);
    if (ci < 0) return false;
    const i = indexIn(this.chunks[ci]!.ks, ks);
    if (this.chunks[ci]!.ks[i] !== ks) return false;
    this.version++;
    const c = this.writable(ci);
    c.ks.splice(i, 1);
    c.keys.splice(i, 1);
    c.values.splice(i, 1);
    this.count--;
    if (c.ks.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  clear(): void {
    this.assertWritable();
    this.version++;
    this.chunks = [];
    this.count = 0;
  }

  /** Entries in key order: [encoded key, key, value]. Do not mutate the map while iterating. */
  *entries(): Generator<[string, StateKey, V]> {
    for (const c of this.chunks) for (let i = 0; i < c.ks.length; i++) yield [c.ks[i]!, c.keys[i]!, c.values[i]!];
  }

  // ---- positional access for cursors ----

  /** Position of the first encoded key ≥ ks (ci = number of chunks when none). */
  lowerBound(ks: string): Pos {
    const ci = this.chunkFor(ks);
    if (ci < 0) return { ci: this.chunks.length, i: 0 };
    return { ci, i: indexIn(this.chunks[ci]!.ks, ks) };
  }

  /** Position just before `pos` (ci = −1 when at the start). */
  prevPos(pos: Pos): Pos {
    if (pos.i > 0) return { ci: pos.ci, i: pos.i - 1 };
    if (pos.ci === 0) return { ci: -1, i: 0 };
    const ci = pos.ci - 1;
    return { ci, i: this.chunks[ci]!.ks.length - 1 };
  }

  nextPos(pos: Pos): Pos {
    if (pos.i + 1 < this.chunks[pos.ci]!.ks.length) return { ci: pos.ci, i: pos.i + 1 };
    return { ci: pos.ci + 1, i: 0 };
  }

  ksAt(pos: Pos): string | undefined {
    if (pos.ci < 0 || pos.ci >= this.chunks.length) return undefined;
    return this.chunks[pos.ci]!.ks[pos.i];
  }

  keyAt(pos: Pos): StateKey {
    return this.chunks[pos.ci]!.keys[pos.i]!;
  }

  valueAt(pos: Pos): V {
    return this.chunks[pos.ci]!.values[pos.i]!;
  }

  // ---- internals ----

  /** Index of the first chunk whose last key ≥ ks, or −1 if ks is beyond every chunk. */
  private chunkFor(ks: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid]!.ks;
      if (c[c.length - 1]! >= ks) hi = mid;
      else lo = mid + 1;
    }
    return lo === this.chunks.length ? -1 : lo;
  }

  private writable(ci: number): Chunk<V> {
    const c = this.chunks[ci]!;
    if (c.gen === this.gen) return c;
    const copy: Chunk<V> = { ks: c.ks.slice(), keys: c.keys.slice(), values: c.values.slice(), gen: this.gen };
    this.chunks[ci] = copy;
    return copy;
  }

  private assertWritable(): void {
    if (this.frozen) throw new Error('OrderedMap: a frozen view is read-only');
  }
}

/** First index in a sorted array with element ≥ ks. */
function indexIn(arr: string[], ks: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < ks) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A cursor over an OrderedMap between encoded bounds [low, high), forward or reverse, robust to writes between
 * steps: after a mutation it re-seeks to the first key strictly after (before, in reverse) the last one passed.
 * The far bound is the caller's to check (mergeScan does).
 */
export class OrderedCursor<V> {
  private pos: Pos | null = null;
  private seenVersion = -1;
  private last: string | null = null;
  /** The key the last peek() returned (what advance() consumes). */
  private peekedKs: string | null = null;

  constructor(
    private readonly map: OrderedMap<V>,
    private readonly reverse: boolean,
    private readonly low: string,
    private readonly high: string,
  ) {}

  peek(): [string, StateKey, V] | undefined {
    if (this.pos === null || this.seenVersion !== this.map.version) this.seek();
    const ks = this.map.ksAt(this.pos!);
    this.peekedKs = ks ?? null;
    if (ks === undefined) return undefined;
    return [ks, this.map.keyAt(this.pos!), this.map.valueAt(this.pos!)];
  }

  /** Move past the entry peek() returns now (the key it returned, even if written since). */
  advance(): void {
    if (this.pos === null || this.seenVersion !== this.map.version) {
      // the map changed since peek: consume the key we showed, not whatever now sits at its position
      if (this.peekedKs !== null) {
        this.last = this.peekedKs;
        this.peekedKs = null;
        this.pos = null;
        return;
      }
      this.seek();
    }
    const ks = this.map.ksAt(this.pos!);
    if (ks === undefined) return;
    this.last = ks;
    this.peekedKs = null;
    this.pos = this.reverse ? this.map.prevPos(this.pos!) : this.map.nextPos(this.pos!);
  }

  private seek(): void {
    this.seenVersion = this.map.version;
    if (!this.reverse) {
      const from = this.last === null ? this.low : this.last + '\u0000';
      this.pos = this.map.lowerBound(from > this.low ? from : this.low);
    } else {
      const before = this.last === null || this.last > this.high ? this.high : this.last;
      this.pos = this.map.prevPos(this.map.lowerBound(before));
    }
  }
}

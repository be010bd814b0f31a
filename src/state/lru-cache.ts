/**
 * LruCache: a bounded string-keyed cache for hot state reads, approximately least-recently-used, O(1) per call.
 * State: two generations (`young`, `old`) of at most maxEntries/2 each; a hit in `old` is promoted to `young`;
 * when `young` fills, `old` is discarded and `young` becomes `old`. (Evicting one oldest entry at a time from a
 * single Map is O(n) in V8 once deleted slots pile up at its front.) Invariant: size ≤ maxEntries.
 */
export class LruCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly half: number;
  /** With a budget of 1 there is no room for an old generation. */
  private readonly keepOld: boolean;

  constructor(readonly maxEntries: number) {
    this.half = Math.max(1, Math.floor(maxEntries / 2));
    this.keepOld = maxEntries >= 2;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The cached value (marking it recently used), or undefined if absent. */
  get(key: string): V | undefined {
    const y = this.young.get(key);
    if (y !== undefined) return y;
    const o = this.old.get(key);
    if (o === undefined) return undefined;
    this.old.delete(key);
    this.insertYoung(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.maxEntries <= 0) return;
    this.old.delete(key);
    this.insertYoung(key, value);
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  /** Drop every key starting with `prefix` (O(size)). */
  deletePrefix(prefix: string): void {
    for (const m of [this.young, this.old]) for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  private insertYoung(key: string, value: V): void {
    if (!this.young.has(key) && this.young.size >= this.half) {
      this.old = this.keepOld ? this.young : new Map();
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

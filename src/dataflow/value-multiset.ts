/**
 * ValueMultiset: per group and aggregate, the multiset of argument values (value → multiplicity), used by
 * MIN/MAX, DISTINCT aggregates and string_agg so they stay correct under deletions.
 * State: the entries — the single entry inline while there is at most one (most groups of an event stream see one
 * distinct value; it is compared by value, no key string is built), a Map by value key (with string_agg's
 * separator, part of the identity) from the second on; `dirty` remembers the entries changed since the last flush
 * (only when tracking: a store keeps the state). Invariant: no entry has multiplicity 0; `many` is null or holds
 * every entry (then `one` is null).
 */
import { dfValueKey, sameDfValue } from './row-key.js';
import type { Value } from '../common/types.js';

export interface ValueEntry {
  readonly value: Value;
  /** string_agg's separator (part of the identity); null otherwise. */
  readonly sep: Value;
  mult: number;
}

const NO_ENTRIES: readonly ValueEntry[] = [];

export class ValueMultiset {
  private one: ValueEntry | null = null;
  private many: Map<string, ValueEntry> | null = null;
  /** Entries changed since the last flush, by value key. */
  dirty: Map<string, ValueEntry> | null = null;

  /** withSep: the separator is part of a value's identity (string_agg). */
  constructor(private readonly withSep: boolean) {}

  private keyOf(value: Value, sep: Value): string {
    return this.withSep ? dfValueKey(value) + '\u0001' + dfValueKey(sep) : dfValueKey(value);
  }

  /** Every entry (each with a positive multiplicity). */
  entries(): Iterable<ValueEntry> {
    if (this.many !== null) return this.many.values();
    return this.one === null ? NO_ENTRIES : [this.one];
  }

  /** Add w to the multiplicity of (value, sep); returns the multiplicity before. */
  add(value: Value, sep: Value, w: number, track: boolean): number {
    let key: string | null = null;
    let e: ValueEntry | undefined;
    if (this.many !== null) e = this.many.get((key = this.keyOf(value, sep)));
    else if (this.one !== null && sameDfValue(this.one.value, value) && (!this.withSep || sameDfValue(this.one.sep, sep))) e = this.one;
    let old = 0;
    if (e === undefined) {
      e = { value, sep, mult: w };
      if (w !== 0) this.insert(e, key);
    } else {
      old = e.mult;
      e.mult = old + w;
      if (e.mult === 0) {
        if (this.many !== null) this.many.delete(key!);
        else this.one = null;
      }
    }
    if (track) {
      if (this.dirty === null) this.dirty = new Map();
      this.dirty.set(key ?? this.keyOf(value, sep), e);
    }
    return old;
  }

  /** Load one stored entry. */
  load(value: Value, sep: Value, mult: number): void {
    this.insert({ value, sep, mult }, null);
  }

  /** Insert an entry whose value is not present; `key` is its value key if already computed. */
  private insert(e: ValueEntry, key: string | null): void {
    if (this.many !== null) this.many.set(key ?? this.keyOf(e.value, e.sep), e);
    else if (this.one === null) this.one = e;
    else {
      this.many = new Map([
        [this.keyOf(this.one.value, this.one.sep), this.one],
        [key ?? this.keyOf(e.value, e.sep), e],
      ]);
      this.one = null;
    }
  }
}

/**
 * ValueMultiset: per group and aggregate, the multiset of argument values (value → multiplicity), used by
 * MIN/MAX, DISTINCT aggregates and string_agg so they stay correct under deletions.
 * State: entries by valueKey (with an optional second value, string_agg's separator) — the single entry inline
 * while there is at most one (most groups of an event stream see one distinct value), a Map from the second on;
 * `dirty` remembers the keys changed since the last flush. Invariant: no entry has multiplicity 0; `many` is null
 * or holds every entry (then `one` is null).
 */
import { dfValueKey } from './row-key.js';
import type { Value } from '../common/types.js';

export interface ValueEntry {
  readonly value: Value;
  /** string_agg's separator (part of the identity); null otherwise. */
  readonly sep: Value;
  mult: number;
}

const NO_ENTRIES: readonly ValueEntry[] = [];

export class ValueMultiset {
  private oneKey = '';
  private one: ValueEntry | null = null;
  private many: Map<string, ValueEntry> | null = null;
  /** Keys changed since the last flush, with the values to rebuild the state key from. */
  dirty: Map<string, ValueEntry> | null = null;

  static keyOf(value: Value, sep: Value, withSep: boolean): string {
    return withSep ? dfValueKey(value) + '\u0001' + dfValueKey(sep) : dfValueKey(value);
  }

  /** Every entry (each with a positive multiplicity). */
  entries(): Iterable<ValueEntry> {
    if (this.many !== null) return this.many.values();
    return this.one === null ? NO_ENTRIES : [this.one];
  }

  /** Add w to the multiplicity of (value, sep); returns the multiplicity before. */
  add(key: string, value: Value, sep: Value, w: number, track: boolean): number {
    let e = this.many !== null ? this.many.get(key) : this.one !== null && this.oneKey === key ? this.one : undefined;
    let old = 0;
    if (e === undefined) {
      e = { value, sep, mult: w };
      if (w !== 0) this.insert(key, e);
    } else {
      old = e.mult;
      e.mult = old + w;
      if (e.mult === 0) {
        if (this.many !== null) this.many.delete(key);
        else this.one = null;
      }
    }
    if (track) {
      if (this.dirty === null) this.dirty = new Map();
      this.dirty.set(key, e);
    }
    return old;
  }

  /** Load one stored entry. */
  load(key: string, value: Value, sep: Value, mult: number): void {
    this.insert(key, { value, sep, mult });
  }

  private insert(key: string, e: ValueEntry): void {
    if (this.many !== null) this.many.set(key, e);
    else if (this.one === null) {
      this.one = e;
      this.oneKey = key;
    } else {
      this.many = new Map([
        [this.oneKey, this.one],
        [key, e],
      ]);
      this.one = null;
    }
  }
}

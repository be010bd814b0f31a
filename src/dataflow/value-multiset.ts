/**
 * ValueMultiset: per group and aggregate, the multiset of argument values (value → multiplicity), used by
 * MIN/MAX, DISTINCT aggregates and string_agg so they stay correct under deletions.
 * State: entries by valueKey (with an optional second value, string_agg's separator); `dirty` remembers the
 * keys changed since the last flush. Invariant: no entry has multiplicity 0.
 */
import { dfValueKey } from './row-key.js';
import type { Value } from '../common/types.js';

export interface ValueEntry {
  readonly value: Value;
  /** string_agg's separator (part of the identity); null otherwise. */
  readonly sep: Value;
  mult: number;
}

export class ValueMultiset {
  readonly entries = new Map<string, ValueEntry>();
  /** Keys changed since the last flush, with the values to rebuild the state key from. */
  dirty: Map<string, ValueEntry> | null = null;

  static keyOf(value: Value, sep: Value, withSep: boolean): string {
    return withSep ? dfValueKey(value) + '\u0001' + dfValueKey(sep) : dfValueKey(value);
  }

  /** Add w to the multiplicity of (value, sep); returns the multiplicity before. */
  add(key: string, value: Value, sep: Value, w: number, track: boolean): number {
    let e = this.entries.get(key);
    let old = 0;
    if (e === undefined) {
      e = { value, sep, mult: w };
      if (w !== 0) this.entries.set(key, e);
    } else {
      old = e.mult;
      e.mult = old + w;
      if (e.mult === 0) this.entries.delete(key);
    }
    if (track) {
      if (this.dirty === null) this.dirty = new Map();
      this.dirty.set(key, e);
    }
    return old;
  }

  /** Load one stored entry. */
  load(key: string, value: Value, sep: Value, mult: number): void {
    this.entries.set(key, { value, sep, mult });
  }
}

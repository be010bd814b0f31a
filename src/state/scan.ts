/**
 * Range scans shared by the stores (L1): KeyRange → monotone bound predicates, and the merge of a table's
 * pending overlay (puts and tombstones of the open epoch) over its committed entries, in key order.
 * Invariant: the merged scan yields each key at most once, pending beats committed, tombstones hide keys.
 */
import { compareKeys, comparePrefix } from './key-compare.js';
import type { KeyPredicate } from './ordered-map.js';
import type { KeyRange, StateKey, StateValue } from './store.js';

/** Marks a key deleted in a pending overlay. */
export const TOMBSTONE: unique symbol = Symbol('sluice.state.tombstone');
export type Tombstone = typeof TOMBSTONE;

export interface ScanBounds {
  /** Monotone in scan direction: true once a key has reached the near end of the range. */
  reached: KeyPredicate;
  /** True while a key has not passed the far end of the range (checked on every yielded key). */
  within: KeyPredicate;
}

/** Bounds for `range` in scan direction. start/end are whole keys (they include any prefix columns). */
export function scanBounds(range: KeyRange | undefined): ScanBounds {
  const prefix = range?.prefix && range.prefix.length > 0 ? range.prefix : undefined;
  const start = range?.start;
  const end = range?.end;
  const atOrAfterLow: KeyPredicate = (k) =>
    (start === undefined || compareKeys(k, start) >= 0) && (prefix === undefined || comparePrefix(k, prefix) >= 0);
  const beforeHigh: KeyPredicate = (k) =>
    (end === undefined || compareKeys(k, end) < 0) && (prefix === undefined || comparePrefix(k, prefix) <= 0);
  return range?.reverse ? { reached: beforeHigh, within: atOrAfterLow } : { reached: atOrAfterLow, within: beforeHigh };
}

/** A peekable ordered source of entries. */
export interface PeekSource<V> {
  peek(): [StateKey, V] | undefined;
  advance(): void;
  /** Release resources (an LMDB iterator) when the scan ends early or completes. */
  close?(): void;
}

/**
 * Merge pending (may hold tombstones) over committed, both in scan order and already positioned at the range's
 * near end. `committedLive()` is re-checked per step so a clear() during the scan hides committed entries.
 * Both sources are closed when the scan completes or the consumer stops early.
 */
export function* mergeScan(
  pending: PeekSource<StateValue | Tombstone>,
  committed: PeekSource<StateValue>,
  committedLive: () => boolean,
  range: KeyRange | undefined,
  within: KeyPredicate,
): Generator<[StateKey, StateValue]> {
  const limit = range?.limit ?? Infinity;
  if (limit <= 0) return;
  const dir = range?.reverse ? -1 : 1;
  let yielded = 0;
  try {
    for (;;) {
      const p = pending.peek();
      const c = committedLive() ? committed.peek() : undefined;
      let entry: [StateKey, StateValue | Tombstone];
      if (p === undefined && c === undefined) return;
      if (c === undefined) {
        entry = p!;
        pending.advance();
      } else if (p === undefined) {
        entry = c;
        committed.advance();
      } else {
        const order = compareKeys(p[0], c[0]) * dir;
        if (order < 0) {
          entry = p;
          pending.advance();
        } else if (order > 0) {
          entry = c;
          committed.advance();
        } else {
          entry = p;
          pending.advance();
          committed.advance();
        }
      }
      if (!within(entry[0])) return;
      if (entry[1] === TOMBSTONE) continue;
      yield entry as [StateKey, StateValue];
      if (++yielded >= limit) return;
    }
  } finally {
    pending.close?.();
    committed.close?.();
  }
}

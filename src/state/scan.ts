/**
 * Range scans shared by the stores (L1): KeyRange → encoded bounds [low, high), and the merge of a table's
 * pending overlay (puts and tombstones of the open epoch) over its committed entries, in key order.
 * Invariant: the merged scan yields each key at most once, pending beats committed, tombstones hide keys.
 */
import { encodeKeyString, PREFIX_END } from './key-codec.js';
import type { KeyRange, StateKey, StateValue } from './store.js';

/** Marks a key deleted in a pending overlay. */
export const TOMBSTONE: unique symbol = Symbol('sluice.state.tombstone');
export type Tombstone = typeof TOMBSTONE;

const END_CHAR = String.fromCharCode(PREFIX_END);

/**
 * Encoded bounds of `range` (after `head`, e.g. a table id): keys k with low ≤ k < high. start/end are whole
 * keys (they include any prefix columns); a prefix bounds to [enc(prefix), enc(prefix) ++ 0xFF).
 */
export function encodedBounds(range: KeyRange | undefined, head = ''): { low: string; high: string } {
  let low = head;
  let high = head + END_CHAR;
  const prefix = range?.prefix;
  if (prefix !== undefined && prefix.length > 0) {
    low = encodeKeyString(prefix, head);
    high = low + END_CHAR;
  }
  if (range?.start !== undefined) {
    const s = encodeKeyString(range.start, head);
    if (s > low) low = s;
  }
  if (range?.end !== undefined) {
    const e = encodeKeyString(range.end, head);
    if (e < high) high = e;
  }
  return { low, high };
}

/** A peekable ordered source of entries: [encoded key (no head), key, value]. */
export interface PeekSource<V> {
  peek(): [string, StateKey, V] | undefined;
  advance(): void;
  /** Release resources (an LMDB iterator) when the scan ends early or completes. */
  close?(): void;
}

export const EMPTY_SOURCE: PeekSource<never> = { peek: () => undefined, advance: () => {} };

/**
 * Merge pending (may hold tombstones) over committed, both in scan order and positioned at the range's near
 * end; stops at the far end of [low, high). `committedLive()` is re-checked per step so a clear() during the
 * scan hides committed entries. Both sources are closed when the scan completes or the consumer stops early.
 */
export function* mergeScan(
  pending: PeekSource<StateValue | Tombstone>,
  committed: PeekSource<StateValue>,
  committedLive: () => boolean,
  range: KeyRange | undefined,
  bounds: { low: string; high: string },
): Generator<[StateKey, StateValue]> {
  const limit = range?.limit ?? Infinity;
  if (limit <= 0 || bounds.low >= bounds.high) return;
  const reverse = range?.reverse === true;
  const { low, high } = bounds;
  let yielded = 0;
  try {
    for (;;) {
      const p = pending.peek();
      const c = committedLive() ? committed.peek() : undefined;
      let entry: [string, StateKey, StateValue | Tombstone];
      if (p === undefined && c === undefined) return;
      if (c === undefined) {
        entry = p!;
        pending.advance();
      } else if (p === undefined) {
        entry = c;
        committed.advance();
      } else if (p[0] === c[0]) {
        entry = p;
        pending.advance();
        committed.advance();
      } else if (p[0] < c[0] !== reverse) {
        entry = p;
        pending.advance();
      } else {
        entry = c;
        committed.advance();
      }
      if (reverse ? entry[0] < low : entry[0] >= high) return;
      if (entry[2] === TOMBSTONE) continue;
      if (reverse ? entry[0] >= high : entry[0] < low) continue; // a source may start before the near bound
      yield [entry[1], entry[2] as StateValue];
      if (++yielded >= limit) return;
    }
  } finally {
    pending.close?.();
    committed.close?.();
  }
}

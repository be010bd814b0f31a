/**
 * Z-set helpers for the dataflow: consolidation of change batches and a row → multiplicity map.
 * State: RowCounts holds one entry per distinct row (by rowKey, SQL equality) with a non-zero weight.
 * Invariant: consolidate() returns at most one change per distinct row and never a zero weight.
 */
import type { Change, ChangeBatch } from '../common/changes.js';
import { Numeric } from '../common/numeric.js';
import { dfRowKey, dfValueKey } from './row-key.js';
import type { Row } from '../common/types.js';
import type { StateTable, StateValue } from '../state/store.js';

interface Entry {
  row: Row;
  weight: number;
}

/**
 * Sum the weights per distinct row (SQL equality, via rowKey) and drop zeros; keeps first-seen order.
 * Rows equal under SQL equality but not identical (Numeric 0.5 vs 0.50: they print differently) keep their
 * changes unconsolidated, in order, so a representation-only update (−0.5, +0.50) survives; readers that
 * count rows (RowCounts) keep the representation of the latest insertion.
 */
export function consolidate(batch: ChangeBatch): ChangeBatch {
  if (batch.length === 0) return batch;
  if (batch.length === 1) return batch[0]!.weight === 0 ? [] : batch;
  const acc = new Map<string, Entry & { mixed: Change[] | null }>();
  let anyMixed = false;
  for (let i = 0; i < batch.length; i++) {
    const c = batch[i]!;
    const k = dfRowKey(c.row);
    const e = acc.get(k);
    if (e === undefined) acc.set(k, { row: c.row, weight: c.weight, mixed: null });
    else {
      if (e.mixed === null && e.row !== c.row && !identicalRows(e.row, c.row)) {
        e.mixed = [];
        anyMixed = true;
      }
      e.weight += c.weight;
    }
  }
  if (anyMixed) {
    for (let i = 0; i < batch.length; i++) {
      const c = batch[i]!;
      const e = acc.get(dfRowKey(c.row))!;
      if (e.mixed !== null) e.mixed.push(c);
    }
  }
  const out: ChangeBatch = [];
  for (const e of acc.values()) {
    if (e.mixed !== null) for (const c of e.mixed) out.push(c);
    else if (e.weight !== 0) out.push({ row: e.row, weight: e.weight });
  }
  return out;
}

/** True when the row holds a value the state key codec does not round-trip exactly (Numeric scale). */
export function needsExactRow(row: Row): boolean {
  for (let i = 0; i < row.length; i++) if (row[i] instanceof Numeric) return true;
  return false;
}

/** The stored value of a counted row whose key is the row: its multiplicity, plus the exact row when the key
 *  would lose its representation. */
export function encodeCounted(row: Row, mult: number): StateValue {
  return needsExactRow(row) ? [mult, row] : mult;
}

/** Inverse of encodeCounted, given the row as decoded from the key. */
export function decodeCounted(keyRow: Row, v: StateValue): [Row, number] {
  if (typeof v === 'number') return [keyRow, v];
  const a = v as [number, Row];
  return [a[1], a[0]];
}

/** Concatenate batches without copying when only one is non-empty. */
export function concatBatches(batches: readonly ChangeBatch[]): ChangeBatch {
  let only: ChangeBatch | null = null;
  let count = 0;
  for (const b of batches) {
    if (b.length > 0) {
      only = b;
      count++;
    }
  }
  if (count === 0) return [];
  if (count === 1) return only!;
  const out: ChangeBatch = [];
  for (const b of batches) for (let i = 0; i < b.length; i++) out.push(b[i]!);
  return out;
}

/** A multiset of rows: rowKey → (row, multiplicity). Zero entries are removed. */
export class RowCounts {
  readonly entries = new Map<string, Entry>();

  /** Add `weight` to the row's multiplicity; returns the multiplicity before the change. */
  add(key: string, row: Row, weight: number): number {
    const e = this.entries.get(key);
    if (e === undefined) {
      if (weight !== 0) this.entries.set(key, { row, weight });
      return 0;
    }
    const old = e.weight;
    e.weight = old + weight;
    if (weight > 0) e.row = row; // the latest insertion's representation wins
    if (e.weight === 0) this.entries.delete(key);
    return old;
  }

  get(key: string): number {
    return this.entries.get(key)?.weight ?? 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Write the rows named in `dirty` (key → a row of that key) to `table` as they stand now, then clear `dirty`. */
  flushTo(table: StateTable, dirty: Map<string, Row>): void {
    for (const [k, row] of dirty) {
      const e = this.entries.get(k);
      if (e === undefined) table.delete(row);
      else table.put(e.row, encodeCounted(e.row, e.weight));
    }
    dirty.clear();
  }
}

/** True when two rows are identical values, including Numeric scale (1.0 vs 1.00 differ: they print differently). */
export function identicalRows(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
      if (typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y)) continue;
      return false;
    }
    if (x instanceof Numeric || y instanceof Numeric) {
      if (!(x instanceof Numeric && y instanceof Numeric) || x.unscaled !== y.unscaled || x.scale !== y.scale) return false;
      continue;
    }
    if (dfValueKey(x) !== dfValueKey(y)) return false;
  }
  return true;
}

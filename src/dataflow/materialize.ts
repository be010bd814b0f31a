/**
 * Materialize: holds the integrated contents of its input (row → multiplicity) and passes the delta on.
 * Z-set law: output delta = consolidate(input delta), so ∫output = ∫input; contents() = ∫input.
 * State: table `rows`, key = the row's values, value = multiplicity, or [multiplicity, row] when the row holds
 * a Numeric (the key codec normalizes scale). In memory, `counts` holds the resident rows: all of them while
 * `complete`; once more than `residentRows` were held after a flush (or after a restart over a bigger table) it
 * is a cache, least recently changed rows are evicted, and a row not resident is read from the table when a delta
 * touches it. Equal rows show the latest insertion's form.
 * Serving indexes (memory only, while complete; rebuilt on demand after a restart): hash maps from the values of
 * some columns to the rows holding them, built on the first lookup of those columns and maintained by every step
 * afterwards. When not complete, a lookup on the leading columns is a prefix range scan of the table instead.
 * Invariants: every index holds exactly the current rows, each under the key of its indexed columns' values; a row
 * changed this epoch (`dirty`) is resident or known dead, so the table is never consulted for it before flush.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import { RowCounts, consolidate, decodeCounted } from './zset.js';

/** The most column sets one view indexes on demand; a lookup on another set scans (and says so). */
const MAX_SERVING_INDEXES = 8;

interface ServingIndex {
  readonly columns: readonly number[];
  /** dfRowKey(values of `columns`) → the dfRowKeys of the rows holding them. */
  readonly buckets: Map<string, Set<string>>;
}

export class MaterializeOperator implements Operator {
  private readonly counts = new RowCounts();
  private readonly indexes: ServingIndex[] = [];
  private readonly table: StateTable | null;
  private readonly dirty = new Map<string, Row>();
  private readonly residentRows: number;
  /** Every current row is in `counts` (always true without a table). */
  private complete = true;
  /** Σ multiplicities of the contents; null after a lazy start until first asked for. */
  private total: number | null = 0;

  constructor(env: OperatorEnv) {
    this.table = env.table('rows');
    this.residentRows = Math.max(1, env.residentRows);
    if (this.table !== null && !env.fresh) {
      if (this.table.size() > this.residentRows) {
        this.complete = false;
        this.total = null;
      } else {
        for (const [key, v] of this.table.scan()) {
          const [row, mult] = decodeCounted(key, v);
          this.counts.add(dfRowKey(row), row, mult);
          this.total! += mult;
        }
      }
    }
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const delta = consolidate(inputs[0]!);
    const track = this.table !== null;
    for (let i = 0; i < delta.length; i++) {
      const c = delta[i]!;
      const k = dfRowKey(c.row);
      if (!this.complete && !this.dirty.has(k) && !this.counts.entries.has(k)) this.fetch(k, c.row);
      const before = this.counts.add(k, c.row, c.weight);
      if (this.total !== null) this.total += c.weight;
      if (track) this.dirty.set(k, c.row);
      if (this.indexes.length > 0 && (before === 0) !== (before + c.weight === 0)) this.reindex(k, c.row, before === 0);
    }
    return delta;
  }

  private reindex(rowKey: string, row: Row, added: boolean): void {
    for (const ix of this.indexes) {
      if (added) indexRow(ix, rowKey, row);
      else {
        const key = indexKey(row, ix.columns);
        const bucket = ix.buckets.get(key);
        if (bucket !== undefined && bucket.delete(rowKey) && bucket.size === 0) ix.buckets.delete(key);
      }
    }
  }

  /**
   * The rows (with multiplicities) whose `columns` hold exactly `values` under the dataflow's value keys — a
   * superset of the rows where each column = its value by SQL equality when the values have the columns' types.
   * Builds the index for this column list on first use (one pass); null when MAX_SERVING_INDEXES are in use.
   */
  lookup(columns: readonly number[], values: readonly Value[]): [Row, number][] | null {
    if (!this.complete) return this.lookupStored(columns, values);
    let ix = this.indexes.find((i) => i.columns.length === columns.length && i.columns.every((c, j) => c === columns[j]));
    if (ix === undefined) {
      if (this.indexes.length >= MAX_SERVING_INDEXES) return null;
      ix = { columns: [...columns], buckets: new Map() };
      for (const [k, e] of this.counts.entries) indexRow(ix, k, e.row);
      this.indexes.push(ix);
    }
    const bucket = ix.buckets.get(dfRowKey(values as Row));
    if (bucket === undefined) return [];
    const out: [Row, number][] = [];
    for (const k of bucket) {
      const e = this.counts.entries.get(k)!;
      out.push([e.row, e.weight]);
    }
    return out;
  }


  wantsStep(): boolean {
    return false;
  }

  nextWakeup(): number | null {
    return null;
  }

  flush(): void {
    if (this.table === null) return;
    const entries = this.counts.entries;
    if (entries.size > this.residentRows / 2) {
      // Map order is insertion order: re-inserting the rows changed this epoch makes it approximate recency.
      for (const k of this.dirty.keys()) {
        const e = entries.get(k);
        if (e !== undefined && entries.delete(k)) entries.set(k, e);
      }
    }
    this.counts.flushTo(this.table, this.dirty);
    if (entries.size > this.residentRows) {
      const keep = Math.floor(this.residentRows * 0.75);
      for (const k of entries.keys()) {
        if (entries.size <= keep) break;
        entries.delete(k);
      }
      this.complete = false;
      this.indexes.length = 0;
    }
  }

  /** Read a row that is not resident from the table into `counts`. */
  private fetch(rowKey: string, row: Row): void {
    const v = this.table!.get(row);
    if (v === undefined) return;
    const [stored, mult] = decodeCounted(row, v);
    this.counts.add(rowKey, stored, mult);
  }

  /** The integrated contents: each distinct row with its multiplicity. */
  contents(): Iterable<[Row, number]> {
    return this.complete ? this.residentContents() : this.storedContents();
  }

  private *residentContents(): Iterable<[Row, number]> {
    for (const e of this.counts.entries.values()) yield [e.row, e.weight];
  }

  /** The table's rows, with this epoch's unflushed changes (resident) in place of their stored versions. */
  private *storedContents(range?: { prefix: Value[] }): Iterable<[Row, number]> {
    for (const k of this.dirty.keys()) {
      const e = this.counts.entries.get(k);
      if (e !== undefined && (range === undefined || range.prefix.every((v, i) => dfRowKey([e.row[i]!]) === dfRowKey([v])))) yield [e.row, e.weight];
    }
    for (const [key, v] of this.table!.scan(range)) {
      const counted = decodeCounted(key, v);
      if (this.dirty.size > 0 && this.dirty.has(dfRowKey(counted[0]))) continue;
      yield counted;
    }
  }

  /** Not complete: rows whose leading columns are `columns` (in any order) by a prefix scan, else null. */
  private lookupStored(columns: readonly number[], values: readonly Value[]): [Row, number][] | null {
    const prefix: Value[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      if (c >= columns.length || prefix[c] !== undefined) return null;
      prefix[c] = values[i]!;
    }
    return [...this.storedContents({ prefix })];
  }

  /** Σ multiplicities of the contents (one pass over the table the first time after a lazy start). */
  get rowCount(): number {
    if (this.total === null) {
      let n = 0;
      for (const [, mult] of this.storedContents()) n += mult;
      this.total = n;
    }
    return this.total;
  }
}

function indexRow(ix: ServingIndex, rowKey: string, row: Row): void {
  const key = indexKey(row, ix.columns);
  let bucket = ix.buckets.get(key);
  if (bucket === undefined) ix.buckets.set(key, (bucket = new Set()));
  bucket.add(rowKey);
}

function indexKey(row: Row, columns: readonly number[]): string {
  return columns.length === 1 ? dfRowKey([row[columns[0]!]!]) : dfRowKey(columns.map((c) => row[c]!));
}

/**
 * Materialize: holds the integrated contents of its input (row → multiplicity) and passes the delta on.
 * Z-set law: output delta = consolidate(input delta), so ∫output = ∫input; contents() = ∫input.
 * State: the rows in a ResidentRowCounts (table `rows`; in memory all rows, or a budget of them once the view
 * is bigger — see resident-counts.ts). Equal rows show the latest insertion's form.
 * Serving indexes (memory only, while every row is resident; rebuilt on demand after a restart): hash maps from
 * the values of some columns to the rows holding them, built on the first lookup of those columns and maintained
 * by every step afterwards. When not every row is resident, a lookup on the leading columns is a prefix scan of
 * the table instead. Invariant: every index holds exactly the current rows, each under the key of its indexed
 * columns' values.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { Operator, OperatorEnv } from './operator.js';
import { ResidentRowCounts } from './resident-counts.js';
import { consolidate } from './zset.js';

/** The most column sets one view indexes on demand; a lookup on another set scans (and says so). */
const MAX_SERVING_INDEXES = 8;

interface ServingIndex {
  readonly columns: readonly number[];
  /** dfRowKey(values of `columns`) → the dfRowKeys of the rows holding them. */
  readonly buckets: Map<string, Set<string>>;
}

export class MaterializeOperator implements Operator {
  private readonly rows: ResidentRowCounts;
  private readonly indexes: ServingIndex[] = [];
  /** Σ multiplicities of the contents; null after a lazy start until first asked for. */
  private total: number | null = 0;

  constructor(env: OperatorEnv) {
    this.rows = new ResidentRowCounts(env);
    if (!this.rows.complete) this.total = null;
    else for (const e of this.rows.counts.entries.values()) this.total! += e.weight;
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const delta = consolidate(inputs[0]!);
    for (let i = 0; i < delta.length; i++) {
      const c = delta[i]!;
      const k = dfRowKey(c.row);
      const before = this.rows.add(k, c.row, c.weight);
      if (this.total !== null) this.total += c.weight;
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
   * Every row resident: through the hash index for this column list, built on first use (one pass); null when
   * MAX_SERVING_INDEXES are in use. Otherwise: a prefix scan when `columns` are the leading ones, else null.
   */
  lookup(columns: readonly number[], values: readonly Value[]): [Row, number][] | null {
    if (!this.rows.complete) {
      const prefix: Value[] = new Array(columns.length);
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        if (c >= columns.length || prefix[c] !== undefined) return null;
        prefix[c] = values[i]!;
      }
      return [...this.rows.contents(prefix)];
    }
    const entries = this.rows.counts.entries;
    let ix = this.indexes.find((i) => i.columns.length === columns.length && i.columns.every((c, j) => c === columns[j]));
    if (ix === undefined) {
      if (this.indexes.length >= MAX_SERVING_INDEXES) return null;
      ix = { columns: [...columns], buckets: new Map() };
      for (const [k, e] of entries) indexRow(ix, k, e.row);
      this.indexes.push(ix);
    }
    const bucket = ix.buckets.get(dfRowKey(values as Row));
    if (bucket === undefined) return [];
    const out: [Row, number][] = [];
    for (const k of bucket) {
      const e = entries.get(k)!;
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
    if (this.rows.flush()) this.indexes.length = 0;
  }

  /** The integrated contents: each distinct row with its multiplicity. */
  contents(): Iterable<[Row, number]> {
    return this.rows.contents();
  }

  /** Σ multiplicities of the contents (one pass over the table the first time after a lazy start). */
  get rowCount(): number {
    if (this.total === null) {
      let n = 0;
      for (const [, mult] of this.rows.contents()) n += mult;
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

/**
 * Materialize: holds the integrated contents of its input (row → multiplicity) and passes the delta on.
 * Z-set law: output delta = consolidate(input delta), so ∫output = ∫input; contents() = ∫input.
 * State: table `rows`, key = the row's values, value = multiplicity, or [multiplicity, row] when the row holds
 * a Numeric (the key codec normalizes scale); kept in memory too. Equal rows show the latest insertion's form.
 * Serving indexes (memory only, rebuilt on demand after a restart): hash maps from the values of some columns to
 * the rows holding them, built on the first lookup of those columns and maintained by every step afterwards.
 * Invariant: every index holds exactly the current rows, each under the key of its indexed columns' values.
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

  constructor(env: OperatorEnv) {
    this.table = env.table('rows');
    if (this.table !== null && !env.fresh) {
      for (const [key, v] of this.table.scan()) {
        const [row, mult] = decodeCounted(key, v);
        this.counts.add(dfRowKey(row), row, mult);
      }
    }
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const delta = consolidate(inputs[0]!);
    const track = this.table !== null;
    for (let i = 0; i < delta.length; i++) {
      const c = delta[i]!;
      const k = dfRowKey(c.row);
      const before = this.counts.add(k, c.row, c.weight);
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
    if (this.table !== null) this.counts.flushTo(this.table, this.dirty);
  }

  /** The integrated contents: each distinct row with its multiplicity. */
  *contents(): Iterable<[Row, number]> {
    for (const e of this.counts.entries.values()) yield [e.row, e.weight];
  }

  get rowCount(): number {
    return this.counts.size;
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

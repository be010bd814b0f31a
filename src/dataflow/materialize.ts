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
 * Reads as of the step before the last (Dataflow.readBeforeLastStep: the engine serves the committed epoch while
 * the next one commits): once the node has been read, every step records the rows it changed with their earlier
 * multiplicities (`undo`), and such a read answers with those in place of the current ones. Invariant: while
 * `undoStep` is the Dataflow's current step, `undo` holds exactly the rows that step changed.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import { NotReadableBeforeLastStep, type Operator, type OperatorEnv, type ReadView } from './operator.js';
import type { NodeId } from './spec.js';
import { ResidentRowCounts } from './resident-counts.js';
import { consolidate } from './zset.js';

/** The most column sets one view indexes on demand; a lookup on another set scans (and says so). */
const MAX_SERVING_INDEXES = 8;

/** A row as it was before the last step changed it (`before` 0: it was absent). */
interface UndoEntry {
  readonly row: Row;
  readonly before: number;
}

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
  private readonly nodeId: NodeId;
  private readonly view: ReadView;
  /** Set by the first read: from then on every step records its undo. */
  private served = false;
  /** The last step that changed rows, and the step `undo` (with `undoWeight`, Σ weights changed) belongs to. */
  private changedStep = -1;
  private undoStep = -1;
  private readonly undo = new Map<string, UndoEntry>();
  private undoWeight = 0;
  /** Per serving index: the undo entries grouped by index key (built by the first lookup that needs them). */
  private readonly undoByIndex = new Map<ServingIndex, Map<string, [string, UndoEntry][]>>();

  constructor(env: OperatorEnv) {
    this.nodeId = env.nodeId;
    this.view = env.readView;
    this.rows = new ResidentRowCounts(env);
    if (!this.rows.complete) this.total = null;
    else for (const e of this.rows.counts.entries.values()) this.total! += e.weight;
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const delta = consolidate(inputs[0]!);
    if (delta.length === 0) return delta;
    this.changedStep = this.view.step;
    const record = this.served && this.rows.complete;
    if (record) {
      this.undo.clear();
      this.undoByIndex.clear();
      this.undoWeight = 0;
      this.undoStep = this.view.step;
    }
    const entries = this.rows.counts.entries;
    for (let i = 0; i < delta.length; i++) {
      const c = delta[i]!;
      const k = dfRowKey(c.row);
      if (record) {
        if (!this.undo.has(k)) {
          const e = entries.get(k);
          this.undo.set(k, e === undefined ? { row: c.row, before: 0 } : { row: e.row, before: e.weight });
        }
        this.undoWeight += c.weight;
      }
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
    const undo = this.undoForRead();
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
    const key = dfRowKey(values as Row);
    const bucket = ix.buckets.get(key);
    const out: [Row, number][] = [];
    if (bucket !== undefined) {
      for (const k of bucket) {
        if (undo !== null && undo.has(k)) continue;
        const e = entries.get(k)!;
        out.push([e.row, e.weight]);
      }
    }
    if (undo !== null) for (const [, u] of this.undoIndexed(ix, undo).get(key) ?? []) if (u.before !== 0) out.push([u.row, u.before]);
    return out;
  }

  /** The undo entries of the last step under `ix`'s keys (built once per step and index). */
  private undoIndexed(ix: ServingIndex, undo: Map<string, UndoEntry>): Map<string, [string, UndoEntry][]> {
    let byKey = this.undoByIndex.get(ix);
    if (byKey === undefined) {
      byKey = new Map();
      for (const [k, u] of undo) {
        const ik = indexKey(u.row, ix.columns);
        const list = byKey.get(ik);
        if (list === undefined) byKey.set(ik, [[k, u]]);
        else list.push([k, u]);
      }
      this.undoByIndex.set(ix, byKey);
    }
    return byKey;
  }

  /**
   * For a read: the undo to apply (inside readBeforeLastStep, when the last step changed this node), else null —
   * the current state is the answer. Marks the node served, so later steps record their undo.
   */
  private undoForRead(): Map<string, UndoEntry> | null {
    this.served = true;
    if (this.changedStep !== this.view.step && this.undo.size > 0) {
      this.undo.clear();
      this.undoByIndex.clear();
    }
    if (!this.view.beforeLastStep || this.changedStep !== this.view.step) return null;
    if (this.undoStep !== this.view.step || !this.rows.complete) throw new NotReadableBeforeLastStep(this.nodeId);
    return this.undo;
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
    const undo = this.undoForRead();
    return undo === null ? this.rows.contents() : this.contentsBefore(undo);
  }

  /**
   * The contents as the resident entries themselves (no tuple per row, for scans): null when not every row is
   * resident or the read is as of the step before (then use contents()).
   */
  residentEntries(): Iterable<{ readonly row: Row; readonly weight: number }> | null {
    return this.undoForRead() === null && this.rows.complete ? this.rows.counts.entries.values() : null;
  }

  private *contentsBefore(undo: Map<string, UndoEntry>): Iterable<[Row, number]> {
    for (const [k, e] of this.rows.counts.entries) if (!undo.has(k)) yield [e.row, e.weight];
    for (const u of undo.values()) if (u.before !== 0) yield [u.row, u.before];
  }

  /** Σ multiplicities of the contents (one pass over the table the first time after a lazy start). */
  get rowCount(): number {
    const undo = this.undoForRead();
    if (this.total === null) {
      let n = 0;
      for (const [, mult] of this.rows.contents()) n += mult;
      this.total = n;
    }
    return undo === null ? this.total : this.total - this.undoWeight;
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

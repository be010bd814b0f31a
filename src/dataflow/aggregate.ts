/**
 * Aggregate (GROUP BY): per group, a row count (for existence) and one incremental kernel state per aggregate.
 * Z-set law: ∫output = σ_having(γ(∫input)): one row [...groupKey, ...results] per group whose integrated row count
 * is > 0 (global: exactly one row always, even on empty input) and that HAVING, when fused in, keeps. A step retracts a group's old row and inserts the new
 * one only when the row changed; a group whose row count reaches 0 loses all its state.
 * State: `groups` key = groupKey values → [rowCount, ...kernel encodings]; `values` key = [...groupKey, aggIndex,
 * value(, separator)] → multiplicity (MIN/MAX/DISTINCT/string_agg multisets). In memory, `groups` holds the
 * resident groups: all of them while `complete`; once more than `residentRows` were held after a flush (or after
 * a restart over a bigger table) it is a cache, the least recently changed groups are evicted, and a group that is
 * not resident is read back from the tables (with its value multisets) when a row reaches it.
 * currentRows() yields the integrated output (one row per live group) from that state, for ALTER's backfill.
 * Invariant: a group changed this epoch is resident (in `dirty`) or known dead (in `died`), so its stored state,
 * stale until flush, is never read back.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { StateKey, StateTable } from '../state/store.js';
import { kernelFor, type AggKernel } from './aggregate-kernels.js';
import type { Operator, OperatorEnv } from './operator.js';
import type { AggregateSpec, PredFn, RowFn } from './spec.js';
import { evictBeyondBudget } from './resident-counts.js';
import { identicalRows } from './zset.js';

interface Group {
  readonly mapKey: string;
  readonly key: Row;
  /** Σ weights of the input rows in the group. */
  count: number;
  readonly states: unknown[];
  /** The output row currently emitted for the group, or null. */
  out: Row | null;
}

export class AggregateOperator implements Operator {
  private readonly groups = new Map<string, Group>();
  private readonly kernels: AggKernel<unknown>[];
  private readonly args: (RowFn | undefined)[];
  private readonly seps: (RowFn | undefined)[];
  private readonly filters: (PredFn | undefined)[];
  private readonly countStar: boolean[];
  private readonly groupsTable: StateTable | null;
  private readonly valuesTable: StateTable | null;
  private readonly dirty = new Set<Group>();
  /** Map keys of groups whose row count reached 0 this epoch (their stored state is deleted at flush). */
  private readonly died = new Set<string>();
  private readonly residentRows: number;
  /** Every live group is in `groups` (always true without tables). */
  private complete = true;
  private readonly usesValues: boolean;
  /** Global aggregate whose first row has not been emitted yet. */
  private initialPending = false;

  constructor(
    env: OperatorEnv,
    private readonly groupKey: readonly RowFn[],
    aggregates: readonly AggregateSpec[],
    private readonly global: boolean,
    /** HAVING fused into the aggregate: a group's row is output only while this keeps it. */
    private having: PredFn | undefined,
  ) {
    this.kernels = aggregates.map(kernelFor);
    this.args = aggregates.map((a) => a.arg);
    this.seps = aggregates.map((a) => a.separator);
    this.filters = aggregates.map((a) => a.filter);
    this.countStar = aggregates.map((a) => a.fn === 'count_star');
    this.groupsTable = env.table('groups');
    this.valuesTable = env.table('values');
    this.residentRows = Math.max(1, env.residentRows);
    this.usesValues = this.kernels.some((k) => k.usesValues);
    if (!env.fresh && this.groupsTable !== null) {
      if (!global && this.groupsTable.holdsMoreThan(this.residentRows)) this.complete = false;
      else this.load();
    }
    if (global && !this.groups.has('')) {
      this.groups.set('', this.newGroup('', []));
      this.initialPending = true;
    }
  }

  private newGroup(mapKey: string, key: Row): Group {
    return { mapKey, key, count: 0, states: this.kernels.map((k) => k.create()), out: null };
  }

  /** Read every stored group (the whole state fits the budget). */
  private load(): void {
    const nk = this.groupKey.length;
    for (const [key, v] of this.groupsTable!.scan()) {
      const g = this.decodeGroup(dfRowKey(key), key, v);
      this.groups.set(g.mapKey, g);
    }
    if (this.usesValues) {
      for (const [key, mult] of this.valuesTable!.scan()) {
        const g = this.groups.get(dfRowKey(key.slice(0, nk)));
        if (g !== undefined) this.loadValue(g, key, mult as number); // else an orphan entry: its group is gone
      }
    }
    for (const g of this.groups.values()) this.finishLoad(g);
  }

  /** One stored group, with its value multisets, or undefined if it has no state (or died this epoch). */
  private fetch(mapKey: string, key: Row): Group | undefined {
    if (this.died.has(mapKey)) return undefined;
    const stored = this.groupsTable!.get(key);
    return stored === undefined ? undefined : this.restore(mapKey, key, stored);
  }

  private restore(mapKey: string, key: Row, stored: unknown): Group {
    const g = this.decodeGroup(mapKey, key, stored);
    if (this.usesValues) for (const [vk, mult] of this.valuesTable!.scan({ prefix: key })) this.loadValue(g, vk, mult as number);
    this.finishLoad(g);
    return g;
  }

  private decodeGroup(mapKey: string, key: Row, stored: unknown): Group {
    const a = stored as unknown[];
    return { mapKey, key, count: a[0] as number, states: this.kernels.map((k, i) => k.decode(a[i + 1])), out: null };
  }

  /** One values-table entry [...groupKey, aggIndex, value(, sep)] → mult into its group's multiset. */
  private loadValue(g: Group, key: StateKey, mult: number): void {
    const nk = this.groupKey.length;
    const i = key[nk] as number;
    const k = this.kernels[i]!;
    const value = key[nk + 1]!;
    const sep = k.withSep ? key[nk + 2]! : null;
    k.values(g.states[i])!.load(value, sep, mult);
  }

  private finishLoad(g: Group): void {
    for (let i = 0; i < this.kernels.length; i++) this.kernels[i]!.afterLoad(g.states[i]);
    g.out = this.currentOut(g);
  }

  /** The row the group outputs now: null when it has no rows (and is not the global group) or HAVING drops it. */
  private currentOut(g: Group): Row | null {
    if (!this.global && g.count <= 0) return null;
    const row = this.outputRow(g);
    return this.having === undefined || this.having(row) ? row : null;
  }

  private outputRow(g: Group): Row {
    const nk = g.key.length;
    const row: Value[] = new Array(nk + this.kernels.length);
    for (let i = 0; i < nk; i++) row[i] = g.key[i]!;
    for (let i = 0; i < this.kernels.length; i++) row[nk + i] = this.kernels[i]!.result(g.states[i]);
    return row;
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    const touched = new Set<Group>();
    const track = this.groupsTable !== null;
    const nk = this.groupKey.length;
    const na = this.kernels.length;
    for (let r = 0; r < input.length; r++) {
      const c = input[r]!;
      const row = c.row;
      const w = c.weight;
      let g: Group | undefined;
      if (nk === 0) g = this.groups.get('');
      else {
        const key: Value[] = new Array(nk);
        for (let i = 0; i < nk; i++) key[i] = this.groupKey[i]!(row);
        const mk = dfRowKey(key);
        g = this.groups.get(mk);
        if (g === undefined) {
          g = (this.complete ? undefined : this.fetch(mk, key)) ?? this.newGroup(mk, key);
          this.groups.set(mk, g);
        }
      }
      if (g === undefined) {
        g = this.newGroup('', []);
        this.groups.set('', g);
      }
      g.count += w;
      for (let i = 0; i < na; i++) {
        const f = this.filters[i];
        if (f !== undefined && f(row) !== true) continue;
        let value: Value = true;
        if (!this.countStar[i]) {
          value = this.args[i]!(row);
          if (value === null) continue;
        }
        const sepFn = this.seps[i];
        this.kernels[i]!.update(g.states[i], value, sepFn === undefined ? null : sepFn(row), w, track);
      }
      touched.add(g);
    }
    if (this.initialPending) {
      touched.add(this.groups.get('')!);
      this.initialPending = false;
    }
    const out: ChangeBatch = [];
    for (const g of touched) {
      const next = this.currentOut(g);
      const prev = g.out;
      if (prev === null || next === null || !identicalRows(prev, next)) {
        if (prev !== null) out.push({ row: prev, weight: -1 });
        if (next !== null) out.push({ row: next, weight: 1 });
        g.out = next;
      }
      if (g.count === 0 && !this.global) {
        this.groups.delete(g.mapKey);
        if (!this.complete) this.died.add(g.mapKey);
      }
      if (track) this.dirty.add(g);
    }
    return out;
  }

  /** Take another HAVING (ALTER): the resident groups' output rows are recomputed, nothing is emitted. */
  replaceHaving(having: PredFn | undefined): void {
    this.having = having;
    for (const g of this.groups.values()) g.out = this.currentOut(g);
  }

  /** The rows currently emitted (∫output): one per group with a positive row count (global: its one row). */
  *currentRows(): Iterable<Row> {
    for (const g of this.groups.values()) if (g.out !== null) yield g.out;
    if (this.complete) return;
    for (const [key, stored] of this.groupsTable!.scan()) {
      const mk = dfRowKey(key);
      if (this.groups.has(mk) || this.died.has(mk)) continue;
      const out = this.restore(mk, key, stored).out;
      if (out !== null) yield out;
    }
  }

  wantsStep(): boolean {
    return this.initialPending;
  }

  nextWakeup(): number | null {
    return null;
  }

  flush(): void {
    const gt = this.groupsTable;
    const vt = this.valuesTable;
    if (gt === null || vt === null) return;
    // Map order is insertion order: re-inserting the groups changed this epoch makes it approximate recency.
    const refresh = !this.global && this.groups.size > this.residentRows / 2;
    for (const g of this.dirty) {
      const dead = g.count === 0 && !this.global && this.groups.get(g.mapKey) !== g;
      if (refresh && !dead && this.groups.delete(g.mapKey)) this.groups.set(g.mapKey, g);
      if (dead) gt.delete(g.key);
      else {
        const enc: unknown[] = new Array(this.kernels.length + 1);
        enc[0] = g.count;
        for (let i = 0; i < this.kernels.length; i++) enc[i + 1] = this.kernels[i]!.encode(g.states[i]);
        gt.put(g.key, enc);
      }
      for (let i = 0; i < this.kernels.length; i++) {
        const k = this.kernels[i]!;
        if (!k.usesValues) continue;
        const ms = k.values(g.states[i])!;
        if (dead) {
          for (const e of ms.entries()) vt.delete(valuesKey(g.key, i, e.value, e.sep, k.withSep));
        }
        if (ms.dirty !== null) {
          for (const e of ms.dirty.values()) {
            const sk = valuesKey(g.key, i, e.value, e.sep, k.withSep);
            if (dead || e.mult === 0) vt.delete(sk);
            else vt.put(sk, e.mult);
          }
          ms.dirty = null;
        }
      }
    }
    this.dirty.clear();
    this.died.clear();
    if (!this.global && evictBeyondBudget(this.groups, this.residentRows)) this.complete = false;
  }
}

function valuesKey(groupKey: Row, aggIndex: number, value: Value, sep: Value, withSep: boolean): Value[] {
  const k: Value[] = [...groupKey, aggIndex, value];
  if (withSep) k.push(sep);
  return k;
}

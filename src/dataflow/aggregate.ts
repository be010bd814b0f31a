/**
 * Aggregate (GROUP BY): per group, a row count (for existence) and one incremental kernel state per aggregate.
 * Z-set law: ∫output = γ(∫input): one row [...groupKey, ...results] per group whose integrated row count is > 0
 * (global: exactly one row always, even on empty input). A step retracts a group's old row and inserts the new
 * one only when the row changed; a group whose row count reaches 0 loses all its state.
 * State: `groups` key = groupKey values → [rowCount, ...kernel encodings]; `values` key = [...groupKey, aggIndex,
 * value(, separator)] → multiplicity (MIN/MAX/DISTINCT/string_agg multisets).
 * currentRows() yields the integrated output (one row per live group) from that state, for ALTER's backfill.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import { kernelFor, type AggKernel } from './aggregate-kernels.js';
import type { Operator, OperatorEnv } from './operator.js';
import type { AggregateSpec, PredFn, RowFn } from './spec.js';
import { ValueMultiset } from './value-multiset.js';
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
  /** Global aggregate whose first row has not been emitted yet. */
  private initialPending = false;

  constructor(
    env: OperatorEnv,
    private readonly groupKey: readonly RowFn[],
    aggregates: readonly AggregateSpec[],
    private readonly global: boolean,
  ) {
    this.kernels = aggregates.map(kernelFor);
    this.args = aggregates.map((a) => a.arg);
    this.seps = aggregates.map((a) => a.separator);
    this.filters = aggregates.map((a) => a.filter);
    this.countStar = aggregates.map((a) => a.fn === 'count_star');
    this.groupsTable = env.table('groups');
    this.valuesTable = env.table('values');
    if (!env.fresh && this.groupsTable !== null) this.load();
    if (global && !this.groups.has('')) {
      this.groups.set('', this.newGroup('', []));
      this.initialPending = true;
    }
  }

  private newGroup(mapKey: string, key: Row): Group {
    return { mapKey, key, count: 0, states: this.kernels.map((k) => k.create()), out: null };
  }

  private load(): void {
    const nk = this.groupKey.length;
    for (const [key, v] of this.groupsTable!.scan()) {
      const a = v as unknown[];
      const g: Group = { mapKey: dfRowKey(key), key, count: a[0] as number, states: this.kernels.map((k, i) => k.decode(a[i + 1])), out: null };
      this.groups.set(g.mapKey, g);
    }
    for (const [key, mult] of this.valuesTable!.scan()) {
      const g = this.groups.get(dfRowKey(key.slice(0, nk)));
      if (g === undefined) continue; // orphan entry: its group is gone
      const i = key[nk] as number;
      const k = this.kernels[i]!;
      const value = key[nk + 1]!;
      const sep = k.withSep ? key[nk + 2]! : null;
      k.values(g.states[i])!.load(ValueMultiset.keyOf(value, sep, k.withSep), value, sep, mult as number);
    }
    for (const g of this.groups.values()) {
      for (let i = 0; i < this.kernels.length; i++) this.kernels[i]!.afterLoad(g.states[i]);
      g.out = this.global || g.count > 0 ? this.outputRow(g) : null;
    }
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
          g = this.newGroup(mk, key);
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
      const next = this.global || g.count > 0 ? this.outputRow(g) : null;
      const prev = g.out;
      if (prev === null || next === null || !identicalRows(prev, next)) {
        if (prev !== null) out.push({ row: prev, weight: -1 });
        if (next !== null) out.push({ row: next, weight: 1 });
        g.out = next;
      }
      if (g.count === 0 && !this.global) this.groups.delete(g.mapKey);
      if (track) this.dirty.add(g);
    }
    return out;
  }

  /** The rows currently emitted (∫output): one per group with a positive row count (global: its one row). */
  *currentRows(): Iterable<Row> {
    for (const g of this.groups.values()) if (g.out !== null) yield g.out;
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
    for (const g of this.dirty) {
      const dead = g.count === 0 && !this.global && this.groups.get(g.mapKey) !== g;
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
          for (const e of ms.entries.values()) vt.delete(valuesKey(g.key, i, e.value, e.sep, k.withSep));
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
  }
}

function valuesKey(groupKey: Row, aggIndex: number, value: Value, sep: Value, withSep: boolean): Value[] {
  const k: Value[] = [...groupKey, aggIndex, value];
  if (withSep) k.push(sep);
  return k;
}

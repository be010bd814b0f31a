/**
 * TopN (ORDER BY … LIMIT … OFFSET …, no partitioning): the rows at positions [offset, offset + limit) of the
 * integrated input in sort order, a row of multiplicity m taking m positions.
 * Z-set law: ∫output = topN(∫input). Ties in the ORDER BY keys are broken by the whole row (SQL order, then
 * rowKey), so the result is deterministic. State: table `rows`, key = row values → multiplicity (or
 * [multiplicity, row], see zset.encodeCounted); in memory a
 * sorted array of all rows (deletions can pull any row into the window) and the window last emitted.
 */
import type { ChangeBatch } from '../common/changes.js';
import { compareValues } from '../common/compare.js';
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import type { RowFn } from './spec.js';
import { decodeCounted, encodeCounted, identicalRows } from './zset.js';

export interface OrderKey {
  fn: RowFn;
  desc: boolean;
  nullsFirst: boolean;
}

interface SortedEntry {
  /** The latest inserted form of the row (SQL-equal rows share an entry). */
  row: Row;
  readonly key: string;
  readonly sortVals: Value[];
  mult: number;
}

/** Compare two values for one ORDER BY key: direction applies to non-NULLs, NULL placement is explicit. */
export function compareForOrder(a: Value, b: Value, desc: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b);
  return desc ? -c : c;
}

/** Total order of rows used by topN: ORDER BY keys, then the row's columns in SQL order, then rowKey. */
export function compareRowsTotal(a: Row, b: Row, ka: string, kb: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  if (a.length !== b.length) return a.length - b.length;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class TopNOperator implements Operator {
  private sorted: SortedEntry[] = [];
  private window = new Map<string, { row: Row; mult: number }>();
  private readonly table: StateTable | null;
  private readonly dirty = new Map<string, SortedEntry>();

  constructor(
    env: OperatorEnv,
    private readonly orderBy: readonly OrderKey[],
    private readonly limit: number,
    private readonly offset: number,
  ) {
    this.table = env.table('rows');
    if (this.table !== null && !env.fresh) {
      for (const [key, v] of this.table.scan()) {
        const [row, mult] = decodeCounted(key, v);
        this.sorted.push(this.entryFor(row, dfRowKey(row), mult));
      }
      this.sorted.sort((x, y) => this.compare(x, y));
      this.window = this.computeWindow();
    }
  }

  private entryFor(row: Row, key: string, mult: number): SortedEntry {
    const sortVals: Value[] = new Array(this.orderBy.length);
    for (let i = 0; i < this.orderBy.length; i++) sortVals[i] = this.orderBy[i]!.fn(row);
    return { row, key, sortVals, mult };
  }

  private compare(x: SortedEntry, y: SortedEntry): number {
    for (let i = 0; i < this.orderBy.length; i++) {
      const o = this.orderBy[i]!;
      const c = compareForOrder(x.sortVals[i]!, y.sortVals[i]!, o.desc, o.nullsFirst);
      if (c !== 0) return c;
    }
    return compareRowsTotal(x.row, y.row, x.key, y.key);
  }

  /** Index of the first entry not less than e. */
  private lowerBound(e: SortedEntry): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(this.sorted[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private computeWindow(): Map<string, { row: Row; mult: number }> {
    const w = new Map<string, { row: Row; mult: number }>();
    let pos = 0;
    const end = this.offset + this.limit;
    for (let i = 0; i < this.sorted.length && pos < end; i++) {
      const e = this.sorted[i]!;
      if (e.mult <= 0) continue;
      const lo = Math.max(pos, this.offset);
      const hi = Math.min(pos + e.mult, end);
      if (hi > lo) w.set(e.key, { row: e.row, mult: hi - lo });
      pos += e.mult;
    }
    return w;
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    if (input.length === 0) return [];
    if (input.length > 8) this.applyBulk(input);
    else for (let i = 0; i < input.length; i++) this.applyOne(input[i]!.row, input[i]!.weight);
    const next = this.computeWindow();
    const out: ChangeBatch = [];
    for (const [k, o] of this.window) {
      const n = next.get(k);
      if (n !== undefined && n.row !== o.row && !identicalRows(n.row, o.row)) {
        out.push({ row: o.row, weight: -o.mult }, { row: n.row, weight: n.mult });
        continue;
      }
      const d = (n?.mult ?? 0) - o.mult;
      if (d !== 0) out.push({ row: o.row, weight: d });
    }
    for (const [k, n] of next) if (!this.window.has(k)) out.push({ row: n.row, weight: n.mult });
    this.window = next;
    return out;
  }

  /** Insert/update one row by binary search (small batches). */
  private applyOne(row: Row, weight: number): void {
    const probe = this.entryFor(row, dfRowKey(row), weight);
    const at = this.lowerBound(probe);
    const found = this.sorted[at];
    let e: SortedEntry;
    if (found !== undefined && found.key === probe.key) {
      found.mult += weight;
      if (weight > 0) found.row = row;
      e = found;
      if (found.mult === 0) this.sorted.splice(at, 1);
    } else {
      e = probe;
      if (probe.mult !== 0) this.sorted.splice(at, 0, probe);
    }
    if (this.table !== null) this.dirty.set(e.key, e);
  }

  /** Large batches: update existing rows in place, sort the new ones, merge once (O(n + b log b)). */
  private applyBulk(input: ChangeBatch): void {
    const byKey = new Map<string, SortedEntry>();
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      const k = dfRowKey(c.row);
      const e = byKey.get(k);
      if (e === undefined) byKey.set(k, this.entryFor(c.row, k, c.weight));
      else {
        e.mult += c.weight;
        if (c.weight > 0) e.row = c.row;
      }
    }
    const fresh: SortedEntry[] = [];
    let removed = false;
    for (const probe of byKey.values()) {
      if (probe.mult === 0) continue;
      const at = this.lowerBound(probe);
      const found = this.sorted[at];
      if (found !== undefined && found.key === probe.key) {
        found.mult += probe.mult;
        if (probe.mult > 0) found.row = probe.row;
        if (found.mult === 0) removed = true;
        if (this.table !== null) this.dirty.set(found.key, found);
      } else {
        fresh.push(probe);
        if (this.table !== null) this.dirty.set(probe.key, probe);
      }
    }
    if (fresh.length === 0 && !removed) return;
    fresh.sort((x, y) => this.compare(x, y));
    const old = this.sorted;
    const merged: SortedEntry[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < fresh.length) {
      const take = j >= fresh.length || (i < old.length && this.compare(old[i]!, fresh[j]!) < 0) ? old[i++]! : fresh[j++]!;
      if (take.mult !== 0) merged.push(take);
    }
    this.sorted = merged;
  }

  wantsStep(): boolean {
    return false;
  }

  nextWakeup(): number | null {
    return null;
  }

  flush(): void {
    const t = this.table;
    if (t === null) return;
    for (const e of this.dirty.values()) {
      if (e.mult === 0) t.delete(e.row);
      else t.put(e.row, encodeCounted(e.row, e.mult));
    }
    this.dirty.clear();
  }
}

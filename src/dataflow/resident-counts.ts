/**
 * ResidentRowCounts: a row → multiplicity state (materialize, distinct) whose table `rows` holds every row and
 * whose memory holds at most a budget of them between epochs.
 * State: `counts`, the resident rows: all of them while `complete`; once more than `residentRows` are held after
 * a flush (or after a restart over a bigger table) it is a cache: the rows changed least recently are evicted and
 * a row that is not resident is read from the table before a change to it. `dirty`: rows changed this epoch.
 * Table: key = the row's values, value = multiplicity, or [multiplicity, row] when the row holds a Numeric.
 * Invariant: a row in `dirty` is resident or known dead (multiplicity 0), so its stored version, stale until
 * flush, is never read back; without a table, `complete` is always true.
 */
import { dfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { OperatorEnv } from './operator.js';
import { RowCounts, decodeCounted } from './zset.js';

export class ResidentRowCounts {
  readonly counts = new RowCounts();
  readonly table: StateTable | null;
  private readonly dirty = new Map<string, Row>();
  private readonly residentRows: number;
  private resident = true;

  constructor(env: OperatorEnv) {
    this.table = env.table('rows');
    this.residentRows = Math.max(1, env.residentRows);
    if (this.table === null || env.fresh) return;
    if (this.table.holdsMoreThan(this.residentRows)) this.resident = false;
    else {
      for (const [key, v] of this.table.scan()) {
        const [row, mult] = decodeCounted(key, v);
        this.counts.add(dfRowKey(row), row, mult);
      }
    }
  }

  /** True while every row is in `counts`. */
  get complete(): boolean {
    return this.resident;
  }

  /** The row's current entry (read from the table into memory if it is stored but not resident). */
  entry(key: string, row: Row): { row: Row; weight: number } | undefined {
    const e = this.counts.entries.get(key);
    if (e !== undefined || this.resident || this.dirty.has(key)) return e;
    const v = this.table!.get(row);
    if (v === undefined) return undefined;
    const [stored, mult] = decodeCounted(row, v);
    this.counts.add(key, stored, mult);
    return this.counts.entries.get(key);
  }

  /** Add `weight` to the row's multiplicity (reading it from the table first if needed); the multiplicity before. */
  add(key: string, row: Row, weight: number): number {
    if (!this.resident) this.entry(key, row);
    if (this.table !== null) this.dirty.set(key, row);
    return this.counts.add(key, row, weight);
  }

  /** Write this epoch's changes; then evict down to 3/4 of the budget if over it. True when rows were evicted. */
  flush(): boolean {
    if (this.table === null) return false;
    const entries = this.counts.entries;
    if (entries.size > this.residentRows / 2) {
      // Map order is insertion order: re-inserting the rows changed this epoch makes it approximate recency.
      for (const k of this.dirty.keys()) {
        const e = entries.get(k);
        if (e !== undefined && entries.delete(k)) entries.set(k, e);
      }
    }
    this.counts.flushTo(this.table, this.dirty);
    if (!evictBeyondBudget(entries, this.residentRows)) return false;
    this.resident = false;
    return true;
  }

  /** Every current row with its multiplicity; with `prefix`, those whose leading columns equal it (SQL-equal keys). */
  *contents(prefix?: readonly Value[]): Iterable<[Row, number]> {
    if (this.resident) {
      for (const e of this.counts.entries.values()) if (prefix === undefined || hasPrefix(e.row, prefix)) yield [e.row, e.weight];
      return;
    }
    // The table, with this epoch's unflushed changes (resident) in place of their stored versions.
    for (const k of this.dirty.keys()) {
      const e = this.counts.entries.get(k);
      if (e !== undefined && (prefix === undefined || hasPrefix(e.row, prefix))) yield [e.row, e.weight];
    }
    for (const [key, v] of this.table!.scan(prefix === undefined ? undefined : { prefix })) {
      const counted = decodeCounted(key, v);
      if (this.dirty.size > 0 && this.dirty.has(dfRowKey(counted[0]))) continue;
      yield counted;
    }
  }
}

/**
 * The budget rule every budgeted operator follows after its flush: when `map` holds more than `budget` entries,
 * delete its oldest insertions (Map order, which the operators refresh for what changed) down to 3/4 of the
 * budget, so eviction runs now and then rather than every epoch. True when it evicted.
 */
export function evictBeyondBudget(map: Map<string, unknown>, budget: number): boolean {
  if (map.size <= budget) return false;
  const keep = Math.floor(budget * 0.75);
  for (const k of map.keys()) {
    if (map.size <= keep) break;
    map.delete(k);
  }
  return true;
}

function hasPrefix(row: Row, prefix: readonly Value[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (dfRowKey([row[i]!]) !== dfRowKey([prefix[i]!])) return false;
  return true;
}

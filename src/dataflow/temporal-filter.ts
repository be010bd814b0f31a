/**
 * Temporal filter: a row is in the output while from <= now < until (its validity interval).
 * Z-set law: after step(now), ∫output = { (r, m) ∈ ∫input : from(r) <= now < until(r) }.
 * State: only rows with a future event: `timers` key = [time, phase, ...row] → multiplicity (or [mult, row], see
 * zset.encodeCounted), phase 0 = waiting
 * for `from` (not yet in the output), phase 1 = in the output until `until`. A step pops due timers in time
 * order and touches only rows whose bound was crossed; rows with infinite bounds never need a timer.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import { TimeHeap } from './time-heap.js';
import { decodeCounted, encodeCounted } from './zset.js';

export type ValidityFn = (row: Row) => { from: number; until: number } | null;

interface Timer {
  /** The latest inserted form of the row. */
  row: Row;
  readonly phase: 0 | 1;
  /** The other bound: for phase 0 the row's `until`. */
  readonly until: number;
  mult: number;
}

export class TemporalFilterOperator implements Operator {
  /** time → (phase + rowKey → timer) */
  private readonly buckets = new Map<number, Map<string, Timer>>();
  private readonly heap = new TimeHeap();
  private readonly table: StateTable | null;
  private readonly dirty = new Map<string, { time: number; timer: Timer }>();
  private entries = 0;

  constructor(
    env: OperatorEnv,
    private readonly validity: ValidityFn,
  ) {
    this.table = env.table('timers');
    if (this.table !== null && !env.fresh) {
      for (const [k, sv] of this.table.scan()) {
        const time = k[0] as number;
        const phase = k[1] as 0 | 1;
        const [row, mult] = decodeCounted(k.slice(2), sv);
        const v = phase === 0 ? this.validity(row) : null;
        this.addTimer(time, phase, row, v === null ? Infinity : v.until, mult, false);
      }
    }
  }

  private addTimer(time: number, phase: 0 | 1, row: Row, until: number, w: number, track: boolean): void {
    let b = this.buckets.get(time);
    if (b === undefined) {
      b = new Map();
      this.buckets.set(time, b);
      this.heap.push(time);
    }
    const k = (phase === 0 ? '0' : '1') + dfRowKey(row);
    let t = b.get(k);
    if (t === undefined) {
      t = { row, phase, until, mult: w };
      b.set(k, t);
      this.entries++;
    } else {
      t.mult += w;
      if (w > 0) t.row = row;
    }
    if (t.mult === 0) {
      b.delete(k);
      this.entries--;
      if (b.size === 0) this.buckets.delete(time);
    }
    if (track) this.dirty.set(time + ':' + k, { time, timer: t });
  }

  step(inputs: readonly ChangeBatch[], now: number): ChangeBatch {
    const out: ChangeBatch = [];
    const track = this.table !== null;
    // 1. timers that are due, in time order
    for (;;) {
      const t = this.heap.peek();
      if (t === undefined || t > now) break;
      this.heap.pop();
      const b = this.buckets.get(t);
      if (b === undefined) continue; // stale: bucket emptied earlier
      this.buckets.delete(t);
      for (const [k, timer] of b) {
        this.entries--;
        if (track) this.dirty.set(t + ':' + k, { time: t, timer: { ...timer, mult: 0 } });
        if (timer.phase === 0) {
          if (now < timer.until) {
            out.push({ row: timer.row, weight: timer.mult });
            if (timer.until !== Infinity) this.addTimer(timer.until, 1, timer.row, Infinity, timer.mult, track);
          }
        } else out.push({ row: timer.row, weight: -timer.mult });
      }
    }
    // 2. the input delta, against the current time
    const input = inputs[0];
    if (input !== undefined) {
      for (let i = 0; i < input.length; i++) {
        const c = input[i]!;
        const v = this.validity(c.row);
        if (v === null || !(v.from < v.until) || now >= v.until) continue; // also drops NaN bounds
        if (now < v.from) this.addTimer(v.from, 0, c.row, v.until, c.weight, track);
        else {
          out.push(c);
          if (v.until !== Infinity) this.addTimer(v.until, 1, c.row, Infinity, c.weight, track);
        }
      }
    }
    return out;
  }

  wantsStep(now: number): boolean {
    const t = this.heap.peek();
    return t !== undefined && t <= now;
  }

  nextWakeup(): number | null {
    // skip stale heap tops (their bucket was emptied by retractions)
    for (;;) {
      const t = this.heap.peek();
      if (t === undefined) return null;
      if (this.buckets.has(t)) return t;
      this.heap.pop();
    }
  }

  flush(): void {
    const tb = this.table;
    if (tb === null) return;
    for (const { time, timer } of this.dirty.values()) {
      const key = [time, timer.phase, ...timer.row];
      if (timer.mult === 0) tb.delete(key);
      else tb.put(key, encodeCounted(timer.row, timer.mult));
    }
    this.dirty.clear();
  }

  get timerCount(): number {
    return this.entries;
  }
}

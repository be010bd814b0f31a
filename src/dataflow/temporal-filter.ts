/**
 * Temporal filter: a row is in the output while from <= now < until (its validity interval).
 * Z-set law: after step(now), ∫output = { (r, m) ∈ ∫input : from(r) <= now < until(r) }.
 * State: only rows with a future event: `timers` key = [time, phase, ...row] → multiplicity (or [mult, row], see
 * zset.encodeCounted), phase 0 = waiting for `from` (not yet in the output), phase 1 = in the output until
 * `until`. A step pops due timers in time order and touches only rows whose bound was crossed; rows with
 * infinite bounds never need a timer. In memory: timers by (phase, time, row) plus a min-heap by time.
 */
import type { ChangeBatch } from '../common/changes.js';
import type { Row } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import { dfRowKey } from './row-key.js';
import { TimeHeap } from './time-heap.js';
import { decodeCounted, encodeCounted } from './zset.js';

export type ValidityFn = (row: Row) => { from: number; until: number } | null;

interface Timer {
  readonly time: number;
  readonly phase: 0 | 1;
  readonly key: string;
  /** The latest inserted form of the row. */
  row: Row;
  /** For phase 0: the row's `until`, where its phase-1 timer goes. */
  readonly until: number;
  mult: number;
  /** Fired or cancelled: no longer in `timers` (heap entries are deleted lazily). */
  dead: boolean;
}

export class TemporalFilterOperator implements Operator {
  private readonly timers = new Map<string, Timer>();
  private readonly heap = new TimeHeap<Timer>();
  private readonly table: StateTable | null;
  /** Timers changed since the last flush, in change order (a dead timer precedes its same-key successor). */
  private readonly dirty = new Set<Timer>();

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
    const key = (phase === 0 ? 'a' : 'b') + time + '|' + dfRowKey(row);
    let t = this.timers.get(key);
    if (t === undefined) {
      if (w === 0) return;
      t = { time, phase, key, row, until, mult: w, dead: false };
      this.timers.set(key, t);
      this.heap.push(t);
    } else {
      t.mult += w;
      if (w > 0) t.row = row;
      if (t.mult === 0) {
        t.dead = true;
        this.timers.delete(key);
      }
    }
    if (track) this.dirty.add(t);
  }

  /** The earliest live timer, dropping stale heap entries. */
  private top(): Timer | undefined {
    for (;;) {
      const t = this.heap.peek();
      if (t === undefined || !t.dead) return t;
      this.heap.pop();
    }
  }

  step(inputs: readonly ChangeBatch[], now: number): ChangeBatch {
    const out: ChangeBatch = [];
    const track = this.table !== null;
    // 1. timers that are due, in time order
    for (;;) {
      const t = this.top();
      if (t === undefined || t.time > now) break;
      this.heap.pop();
      t.dead = true;
      this.timers.delete(t.key);
      if (track) this.dirty.add(t);
      if (t.phase === 0) {
        if (now < t.until) {
          out.push({ row: t.row, weight: t.mult });
          if (t.until !== Infinity) this.addTimer(t.until, 1, t.row, Infinity, t.mult, track);
        }
      } else out.push({ row: t.row, weight: -t.mult });
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
    const t = this.top();
    return t !== undefined && t.time <= now;
  }

  nextWakeup(): number | null {
    return this.top()?.time ?? null;
  }

  flush(): void {
    const tb = this.table;
    if (tb === null) return;
    for (const t of this.dirty) {
      const key = [t.time, t.phase, ...t.row];
      if (t.dead) tb.delete(key);
      else tb.put(key, encodeCounted(t.row, t.mult));
    }
    this.dirty.clear();
  }

  get timerCount(): number {
    return this.timers.size;
  }
}

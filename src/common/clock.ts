/**
 * Clock: the source of processing time (NOW()). Production uses the wall clock; tests inject a ManualClock
 * and move it by hand, so temporal filters are deterministic. Times are microseconds since the Unix epoch.
 */

export interface Clock {
  /** Current processing time in microseconds since 1970-01-01 UTC. Never decreases. */
  nowMicros(): number;
}

export class SystemClock implements Clock {
  private last = 0;
  nowMicros(): number {
    const t = Date.now() * 1000;
    if (t > this.last) this.last = t;
    return this.last;
  }
}

export class ManualClock implements Clock {
  constructor(private micros: number) {}
  nowMicros(): number {
    return this.micros;
  }
  set(micros: number): void {
    if (micros < this.micros) throw new Error(`clock cannot move backwards (${micros} < ${this.micros})`);
    this.micros = micros;
  }
  advance(micros: number): void {
    if (micros < 0) throw new Error('clock cannot move backwards');
    this.micros += micros;
  }
}

/**
 * The stateless operators: map, filter, flatMap, union. They hold no state and run only on input.
 * Z-set laws (linear operators commute with integration): map: ∫map(Δ) = map(∫Δ); filter: ∫σ(Δ) = σ(∫Δ);
 * flatMap: ∫fm(Δ) = fm(∫Δ) with each output row carrying its input row's weight; union: ∫(ΔA+ΔB) = ∫ΔA + ∫ΔB.
 */
import type { ChangeBatch } from '../common/changes.js';
import type { Row, Value } from '../common/types.js';
import type { Operator } from './operator.js';
import type { PredFn, RowFn } from './spec.js';
import { concatBatches } from './zset.js';

abstract class StatelessOperator implements Operator {
  abstract step(inputs: readonly ChangeBatch[], nowMicros: number): ChangeBatch;
  wantsStep(): boolean {
    return false;
  }
  flush(): void {}
  nextWakeup(): number | null {
    return null;
  }
}

/** Projection: output row = fns(row), same weight. */
export class MapOperator extends StatelessOperator {
  constructor(private readonly fns: readonly RowFn[]) {
    super();
  }
  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    const fns = this.fns;
    const n = fns.length;
    const out: ChangeBatch = new Array(input.length);
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      const row: Value[] = new Array(n);
      for (let j = 0; j < n; j++) row[j] = fns[j]!(c.row);
      out[i] = { row, weight: c.weight };
    }
    return out;
  }
}

/** Selection: keeps the changes whose row satisfies pred (exactly true). */
export class FilterOperator extends StatelessOperator {
  constructor(private readonly pred: PredFn) {
    super();
  }
  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    const pred = this.pred;
    const out: ChangeBatch = [];
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      if (pred(c.row) === true) out.push(c);
    }
    return out;
  }
}

/** Each input row becomes fn(row) rows, each with the input row's weight. */
export class FlatMapOperator extends StatelessOperator {
  constructor(private readonly fn: (row: Row) => Row[]) {
    super();
  }
  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    const fn = this.fn;
    const out: ChangeBatch = [];
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      const rows = fn(c.row);
      for (let j = 0; j < rows.length; j++) out.push({ row: rows[j]!, weight: c.weight });
    }
    return out;
  }
}

/** UNION ALL: the sum of the input deltas. */
export class UnionOperator extends StatelessOperator {
  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    return concatBatches(inputs);
  }
}

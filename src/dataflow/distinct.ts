/**
 * Distinct: multiset → set. A row is in the output (weight 1) iff its integrated input multiplicity is > 0.
 * Z-set law: ∫output = distinct(∫input); each step emits +1 for rows whose multiplicity became positive and
 * −1 for rows whose multiplicity stopped being positive (and −old/+new when only a Numeric's form changed).
 * State: the input rows' multiplicities in a ResidentRowCounts (table `rows`; in memory all rows, or a budget of
 * them once there are more — see resident-counts.ts).
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row } from '../common/types.js';
import type { Operator, OperatorEnv } from './operator.js';
import { ResidentRowCounts } from './resident-counts.js';
import { identicalRows } from './zset.js';

export class DistinctOperator implements Operator {
  private readonly rows: ResidentRowCounts;

  constructor(env: OperatorEnv) {
    this.rows = new ResidentRowCounts(env);
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    // multiplicity and emitted form before this step, per touched row
    const before = new Map<string, { row: Row; old: number }>();
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      const k = dfRowKey(c.row);
      const prevRow = this.rows.entry(k, c.row)?.row ?? c.row;
      const old = this.rows.add(k, c.row, c.weight);
      if (!before.has(k)) before.set(k, { row: prevRow, old });
    }
    const out: ChangeBatch = [];
    for (const [k, b] of before) {
      const e = this.rows.counts.entries.get(k);
      const was = b.old > 0;
      const is = e !== undefined && e.weight > 0;
      if (was && !is) out.push({ row: b.row, weight: -1 });
      else if (!was && is) out.push({ row: e.row, weight: 1 });
      else if (was && is && !identicalRows(b.row, e.row)) out.push({ row: b.row, weight: -1 }, { row: e.row, weight: 1 });
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
    this.rows.flush();
  }
}

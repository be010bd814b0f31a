/**
 * Distinct: multiset → set. A row is in the output (weight 1) iff its integrated input multiplicity is > 0.
 * Z-set law: ∫output = distinct(∫input); each step emits +1 for rows whose multiplicity became positive and
 * −1 for rows whose multiplicity stopped being positive (and −old/+new when only a Numeric's form changed).
 * State: table `rows`, key = row values → multiplicity (or [multiplicity, row], see zset.encodeCounted).
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import { RowCounts, decodeCounted, identicalRows } from './zset.js';

export class DistinctOperator implements Operator {
  private readonly counts = new RowCounts();
  private readonly table: StateTable | null;
  private readonly dirty = new Map<string, Row>();

  constructor(env: OperatorEnv) {
    this.table = env.table('rows');
    if (this.table !== null && !env.fresh) {
      for (const [key, v] of this.table.scan()) {
        const [row, mult] = decodeCounted(key, v);
        this.counts.add(dfRowKey(row), row, mult);
      }
    }
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const input = inputs[0]!;
    // multiplicity and emitted form before this step, per touched row
    const before = new Map<string, { row: Row; old: number }>();
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      const k = dfRowKey(c.row);
      const prevRow = this.counts.entries.get(k)?.row ?? c.row;
      const old = this.counts.add(k, c.row, c.weight);
      if (!before.has(k)) before.set(k, { row: prevRow, old });
    }
    const out: ChangeBatch = [];
    for (const [k, b] of before) {
      const e = this.counts.entries.get(k);
      const was = b.old > 0;
      const is = e !== undefined && e.weight > 0;
      if (was && !is) out.push({ row: b.row, weight: -1 });
      else if (!was && is) out.push({ row: e.row, weight: 1 });
      else if (was && is && !identicalRows(b.row, e.row)) out.push({ row: b.row, weight: -1 }, { row: e.row, weight: 1 });
      if (this.table !== null) this.dirty.set(k, b.row);
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
    if (this.table !== null) this.counts.flushTo(this.table, this.dirty);
  }
}

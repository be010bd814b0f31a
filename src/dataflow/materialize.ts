/**
 * Materialize: holds the integrated contents of its input (row → multiplicity) and passes the delta on.
 * Z-set law: output delta = consolidate(input delta), so ∫output = ∫input; contents() = ∫input.
 * State: table `rows`, key = the row's values, value = multiplicity, or [multiplicity, row] when the row holds
 * a Numeric (the key codec normalizes scale); kept in memory too. Equal rows show the latest insertion's form.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey } from './row-key.js';
import type { Row } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import { RowCounts, consolidate, decodeCounted } from './zset.js';

export class MaterializeOperator implements Operator {
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
    const delta = consolidate(inputs[0]!);
    const track = this.table !== null;
    for (let i = 0; i < delta.length; i++) {
      const c = delta[i]!;
      const k = dfRowKey(c.row);
      this.counts.add(k, c.row, c.weight);
      if (track) this.dirty.set(k, c.row);
    }
    return delta;
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

  /** The integrated contents: each distinct row with its multiplicity. */
  *contents(): Iterable<[Row, number]> {
    for (const e of this.counts.entries.values()) yield [e.row, e.weight];
  }

  get rowCount(): number {
    return this.counts.size;
  }
}

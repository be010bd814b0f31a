/**
 * Point lookups for serving: which columns of a filter's input are pinned to one value by `column = value`
 * conjuncts, where the value does not depend on the row (a literal, a parameter, or a cast of one). Pure.
 * Invariant: a row passing the predicate holds, in each returned column, a value whose dataflow key equals the
 * key of that column's value — so an index lookup on those columns returns a superset of the matching rows.
 */
import type { SqlType } from '../common/types.js';
import type { BoundExpr } from './bound.js';

/** Types whose SQL equality is exactly equality of dataflow value keys (no collation, no cross-type casts). */
const KEY_EXACT_TYPES = new Set<SqlType>(['boolean', 'smallint', 'integer', 'bigint', 'numeric', 'varchar', 'text', 'timestamp', 'timestamptz', 'date']);

export interface PointLookup {
  /** Ascending column positions of the filter's input. */
  readonly columns: number[];
  /** The value expression for each column (row-independent). */
  readonly values: BoundExpr[];
}

/** The equality-pinned columns of `predicate`, or null when no conjunct pins one. */
export function pointLookup(predicate: BoundExpr): PointLookup | null {
  const pinned = new Map<number, BoundExpr>();
  for (const c of conjuncts(predicate)) {
    if (c.kind !== 'call' || c.fn.name !== '=' || c.args.length !== 2) continue;
    const [l, r] = c.args as [BoundExpr, BoundExpr];
    const lc = asColumn(l);
    const rc = lc === null ? asColumn(r) : null;
    const col = lc ?? rc;
    const val = lc !== null ? r : l;
    if (col === null || !KEY_EXACT_TYPES.has(val.type) || !rowIndependent(val) || pinned.has(col.index)) continue;
    if (col.type !== val.type && !(isString(col.type) && isString(val.type))) continue;
    pinned.set(col.index, val);
  }
  if (pinned.size === 0) return null;
  const columns = [...pinned.keys()].sort((a, b) => a - b);
  return { columns, values: columns.map((c) => pinned.get(c)!) };
}

/** A column, or a column cast between varchar and text (same values, same equality). */
function asColumn(e: BoundExpr): Extract<BoundExpr, { kind: 'column' }> | null {
  if (e.kind === 'column') return e;
  if (e.kind === 'cast' && e.arg.kind === 'column' && isString(e.type) && isString(e.arg.type)) return e.arg;
  return null;
}

function isString(t: SqlType): boolean {
  return t === 'text' || t === 'varchar';
}

function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function rowIndependent(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'param':
      return true;
    case 'cast':
      return rowIndependent(e.arg);
    default:
      return false;
  }
}

/**
 * Comparison semantics per type pair, as PostgreSQL's btree operators define them: integers across widths,
 * floats with NaN equal to itself and above every number, text in C collation (code unit order), and
 * date/timestamp/timestamptz across kinds via the session zone. Stateless.
 * Invariant: each comparator is a total order consistent with equality for its pair of types.
 */
import { MICROS_PER_DAY, type SqlType, type Value } from '../common/types.js';
import { compareValues } from '../common/compare.js';
import { localToUtc } from './casts.js';
import type { EvalContext } from './registry.js';

export type Comparator = (a: Value, b: Value, ctx: EvalContext) => number;

function floatCompare(a: Value, b: Value): number {
  const x = a as number;
  const y = b as number;
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
  if (Number.isNaN(y)) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stringCompare(a: Value, b: Value): number {
  const x = a as string;
  const y = b as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

function numberCompare(a: Value, b: Value): number {
  const x = a as number;
  const y = b as number;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A date/timestamp/timestamptz value as UTC µs (timestamptz) or wall-clock µs, for cross-kind comparison. */
function toMicros(v: Value, t: SqlType, asUtc: boolean, tz: string): number {
  let x = v as number;
  if (t === 'date') x = Number.isFinite(x) ? x * MICROS_PER_DAY : x;
  if (asUtc && t !== 'timestamptz') x = localToUtc(x, tz);
  return x;
}

/** The comparator for left/right types that have a PostgreSQL comparison operator. */
export function comparatorFor(left: SqlType, right: SqlType): Comparator {
  if (left === 'real' || left === 'double precision') return floatCompare;
  if (left === 'text' || left === 'varchar') return stringCompare;
  if ((left === 'smallint' || left === 'integer') && left === right) return numberCompare;
  if (left === 'date' || left === 'timestamp' || left === 'timestamptz') {
    if (left === right) return numberCompare;
    const asUtc = left === 'timestamptz' || right === 'timestamptz';
    return (a, b, ctx) => numberCompare(toMicros(a, left, asUtc, ctx.timeZone), toMicros(b, right, asUtc, ctx.timeZone));
  }
  return (a, b) => compareValues(a, b);
}

/** IS DISTINCT FROM: NULLs are equal to each other and distinct from every value; otherwise `<>`. */
export function isDistinct(a: Value, b: Value, type: SqlType, ctx: EvalContext): boolean {
  if (a === null || b === null) return a !== b;
  return comparatorFor(type, type)(a, b, ctx) !== 0;
}

/**
 * Mapping between PostgreSQL type OIDs (as clients send them in Parse) and sluice SqlTypes (pure).
 * Invariant: every SqlType maps to its TYPE_OID; a few PostgreSQL aliases (bpchar, name, json, int2vector-free
 * scalars) map to the nearest sluice type; OID 0 means "infer".
 */
import { TYPE_LEN, TYPE_OID, type SqlType } from '../../common/types.js';
import { SqlError } from '../../common/errors.js';

const BY_OID = new Map<number, SqlType>();
for (const [t, oid] of Object.entries(TYPE_OID) as [SqlType, number][]) BY_OID.set(oid, t);
/** PostgreSQL types clients commonly declare that sluice stores as a near equivalent. */
const ALIASES: ReadonlyMap<number, SqlType> = new Map<number, SqlType>([
  [18, 'text'], // "char"
  [19, 'text'], // name
  [1042, 'text'], // bpchar
  [114, 'jsonb'], // json
  [26, 'bigint'], // oid
]);

/** The SqlType a client-declared OID stands for; null for 0 (infer). Throws 42704 for types sluice lacks. */
export function typeForOid(oid: number): SqlType | null {
  if (oid === 0) return null;
  const t = BY_OID.get(oid) ?? ALIASES.get(oid);
  if (t === undefined) throw new SqlError('42704', `type with OID ${oid} is not supported`);
  return t;
}

export function oidForType(t: SqlType): number {
  // untyped results are reported as text, as PostgreSQL does for unknown-typed output columns
  return t === 'unknown' ? TYPE_OID.text : TYPE_OID[t];
}

export function typeSize(t: SqlType): number {
  return t === 'unknown' ? -1 : TYPE_LEN[t];
}

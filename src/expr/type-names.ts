/**
 * PostgreSQL type names ↔ SqlType: every spelling a user may write (int4, double precision, varchar(10),
 * timestamp with time zone, …) and the canonical name PostgreSQL prints (format_type). Stateless.
 * Invariant: typeFromName(pgTypeName(t)) === t for every SqlType.
 */
import { SQL_TYPE_ALIASES, type SqlType } from '../common/types.js';

/** A type as written: the SqlType plus its modifiers (sluice keeps them for casts; the Value ignores them). */
export interface TypeSpec {
  readonly type: SqlType;
  /** varchar(n) */
  readonly length?: number;
  /** numeric(p[, s]) */
  readonly precision?: number;
  readonly scale?: number;
  /** timestamp(p) / timestamptz(p) / interval(p): fractional-second digits */
  readonly secondsPrecision?: number;
}

const NAMES: Record<string, SqlType> = { ...SQL_TYPE_ALIASES, unknown: 'unknown' };

const INTERVAL_FIELDS = /^interval\s+(year|month|day|hour|minute|second)(\s+to\s+(month|hour|minute|second))?$/;

/** Parses a type name with optional modifiers; null when sluice has no such type. Case-insensitive. */
export function parseTypeName(name: string): TypeSpec | null {
  let n = name.trim().toLowerCase().replace(/\s+/g, ' ').replace(/"/g, '');
  if (n.startsWith('pg_catalog.')) n = n.slice('pg_catalog.'.length);
  let mods: number[] = [];
  // The modifier sits after the first word for 'timestamp(3) with time zone', else at the end.
  const m = /^([a-z_ ]*?)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*([a-z ]*)$/.exec(n);
  if (m) {
    mods = [Number(m[2])];
    if (m[3] !== undefined) mods.push(Number(m[3]));
    n = (m[1] + (m[4] ? ' ' + m[4] : '')).trim();
  }
  if (INTERVAL_FIELDS.test(n)) n = 'interval';
  if (n === 'float' && mods.length === 1) {
    const p = mods[0]!;
    if (p < 1 || p > 53) return null;
    return { type: p <= 24 ? 'real' : 'double precision' };
  }
  const type = NAMES[n];
  if (type === undefined) return null;
  if (mods.length === 0) return { type };
  switch (type) {
    case 'varchar':
      return mods.length === 1 && mods[0]! >= 1 ? { type, length: mods[0]! } : null;
    case 'numeric':
      return { type, precision: mods[0]!, scale: mods[1] ?? 0 };
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
      return mods.length === 1 && mods[0]! <= 6 ? { type, secondsPrecision: mods[0]! } : null;
    default:
      return null;
  }
}

/** The SqlType for a PostgreSQL type name or alias (modifiers dropped), or null if sluice lacks it. */
export function typeFromName(name: string): SqlType | null {
  return parseTypeName(name)?.type ?? null;
}

const PG_NAMES: Record<SqlType, string> = {
  boolean: 'boolean',
  smallint: 'smallint',
  integer: 'integer',
  bigint: 'bigint',
  real: 'real',
  'double precision': 'double precision',
  numeric: 'numeric',
  varchar: 'character varying',
  text: 'text',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  date: 'date',
  interval: 'interval',
  jsonb: 'jsonb',
  unknown: 'unknown',
};

/** PostgreSQL's printed name (format_type), as used in error messages: 'timestamp with time zone'. */
export function pgTypeName(t: SqlType): string {
  return PG_NAMES[t];
}

/** The name PostgreSQL's input function uses in 'invalid input syntax for type …' messages. */
export function inputTypeName(t: SqlType): string {
  return t === 'timestamp' ? 'timestamp' : t === 'jsonb' ? 'json' : PG_NAMES[t];
}

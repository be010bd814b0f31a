/**
 * SQL types and their runtime representation (L0). Every layer speaks these.
 * Invariant: a Value of type T is always in the representation listed in `Value` below,
 * never a looser JS value (no strings for numbers, no Date objects).
 */
import type { Numeric } from './numeric.js';

/** The SQL types sluice supports. `unknown` is the type of an untyped NULL or string literal before coercion. */
export type SqlType =
  | 'boolean'
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'real'
  | 'double precision'
  | 'numeric'
  | 'varchar'
  | 'text'
  | 'timestamp'
  | 'timestamptz'
  | 'date'
  | 'interval'
  | 'jsonb'
  | 'unknown';

/** Every spelling of a sluice type that PostgreSQL accepts (lower case, modifiers stripped) → the SqlType. */
export const SQL_TYPE_ALIASES: Readonly<Record<string, SqlType>> = {
  bool: 'boolean',
  boolean: 'boolean',
  int2: 'smallint',
  smallint: 'smallint',
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  float4: 'real',
  real: 'real',
  float8: 'double precision',
  float: 'double precision',
  'double precision': 'double precision',
  numeric: 'numeric',
  decimal: 'numeric',
  dec: 'numeric',
  varchar: 'varchar',
  'character varying': 'varchar',
  'char varying': 'varchar',
  text: 'text',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  date: 'date',
  interval: 'interval',
  jsonb: 'jsonb',
};

/** A PostgreSQL interval: months, days and microseconds are kept apart, as PostgreSQL does. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

/** A jsonb value: the parsed JSON document. The wrapper keeps it distinct from text and arrays. */
export class Jsonb {
  constructor(readonly value: unknown) {}
}

/**
 * Runtime representation per type:
 *   NULL → null; boolean → boolean; smallint/integer/real/double → number; bigint → bigint;
 *   numeric → Numeric (exact decimal, common/numeric.ts); varchar/text → string;
 *   timestamp/timestamptz → number of microseconds since 1970-01-01 00:00:00 UTC (timestamp: wall clock as UTC);
 *   date → number of days since 1970-01-01; interval → Interval; jsonb → Jsonb.
 */
export type Value = null | boolean | number | bigint | string | Numeric | Interval | Jsonb;

/** A row is a positional tuple; its meaning comes from a Schema. */
export type Row = readonly Value[];

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable?: boolean;
  /** A table column's DEFAULT expression, as written in CREATE TABLE. */
  readonly default?: string;
}

export interface Schema {
  readonly columns: readonly Column[];
}

/** PostgreSQL type OIDs, as the wire protocol and pg_type use them. */
export const TYPE_OID: Record<SqlType, number> = {
  boolean: 16,
  smallint: 21,
  integer: 23,
  bigint: 20,
  real: 700,
  'double precision': 701,
  numeric: 1700,
  varchar: 1043,
  text: 25,
  timestamp: 1114,
  timestamptz: 1184,
  date: 1082,
  interval: 1186,
  jsonb: 3802,
  unknown: 705,
};

/** Width in bytes for pg_type.typlen / RowDescription (−1 = variable). */
export const TYPE_LEN: Record<SqlType, number> = {
  boolean: 1,
  smallint: 2,
  integer: 4,
  bigint: 8,
  real: 4,
  'double precision': 8,
  numeric: -1,
  varchar: -1,
  text: -1,
  timestamp: 8,
  timestamptz: 8,
  date: 4,
  interval: 16,
  jsonb: -1,
  unknown: -2,
};

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400_000_000;

export function isNumericType(t: SqlType): boolean {
  return t === 'smallint' || t === 'integer' || t === 'bigint' || t === 'real' || t === 'double precision' || t === 'numeric';
}

export function isStringType(t: SqlType): boolean {
  return t === 'varchar' || t === 'text';
}

export function isTimeType(t: SqlType): boolean {
  return t === 'timestamp' || t === 'timestamptz' || t === 'date';
}

/**
 * Map PostgreSQL type names (as libpg-query gives them: ['pg_catalog', 'int4'], or user-written 'varchar')
 * to sluice SqlTypes. Unknown names are null; the caller raises 42704 with the position.
 */
import type { SqlType } from '../common/types.js';

const NAMES: Record<string, SqlType> = {
  bool: 'boolean',
  boolean: 'boolean',
  int2: 'smallint',
  smallint: 'smallint',
  int4: 'integer',
  int: 'integer',
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
  varchar: 'varchar',
  'character varying': 'varchar',
  bpchar: 'varchar',
  char: 'varchar',
  character: 'varchar',
  text: 'text',
  name: 'text',
  string: 'varchar',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  date: 'date',
  interval: 'interval',
  jsonb: 'jsonb',
  json: 'jsonb',
  // Catalog types are served as their nearest sluice type.
  oid: 'bigint',
  regclass: 'text',
  regtype: 'text',
  regproc: 'text',
  regnamespace: 'text',
};

export function sqlTypeFromName(names: readonly string[]): SqlType | null {
  const parts = names.map((n) => n.toLowerCase());
  const last = parts[parts.length - 1] ?? '';
  if (parts.length > 1 && parts[0] !== 'pg_catalog') return null;
  return NAMES[last] ?? null;
}

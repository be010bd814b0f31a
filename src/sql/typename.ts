/**
 * Map PostgreSQL type names (as libpg-query gives them: ['pg_catalog', 'int4'], or user-written 'varchar')
 * to sluice SqlTypes. Unknown names are null; the caller raises 42704 with the position.
 */
import { SQL_TYPE_ALIASES, type SqlType } from '../common/types.js';

const NAMES: Record<string, SqlType> = {
  ...SQL_TYPE_ALIASES,
  bpchar: 'varchar',
  char: 'varchar',
  character: 'varchar',
  name: 'text',
  string: 'varchar',
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

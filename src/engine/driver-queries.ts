/**
 * Rewrites of the few catalog queries that drivers send verbatim and that use features sluice's batch binder
 * lacks (window functions, set-returning functions in the SELECT list, composite field selection): pgjdbc's
 * getColumns / getPrimaryKeys / getImportedKeys / getIndexInfo, SQLAlchemy's get_pk_constraint and Grafana's search_path
 * constraint. Stateless and pure: a query that matches no
 * pattern is returned unchanged. Invariant: each rewrite returns the same rows as the original does on
 * PostgreSQL, given sluice's catalog (attnums are dense 1..n; index/constraint keys have distinct attnums).
 */

interface DriverRewrite {
  /** Who sends it, for the reader. */
  client: string;
  pattern: RegExp;
  replacement: string;
}

const REWRITES: DriverRewrite[] = [
  {
    // Dense attnums (no dropped columns): row_number() over the attnums of a relation is the attnum itself.
    client: 'pgjdbc DatabaseMetaData.getColumns',
    pattern: /row_number\(\)\s+OVER\s*\(\s*PARTITION\s+BY\s+a\.attrelid\s+ORDER\s+BY\s+a\.attnum\s*\)\s+AS\s+attnum/gi,
    replacement: 'a.attnum AS attnum',
  },
  {
    // KEY_SEQ: the attribute's 1-based position in the key vector.
    client: 'pgjdbc DatabaseMetaData.getPrimaryKeys',
    pattern: /\(\s*information_schema\._pg_expandarray\(\s*((?:con\.conkey|i\.indkey))\s*\)\s*\)\.n\s+AS\s+KEY_SEQ/gi,
    replacement: '__int2vector_position($1, a.attnum) AS KEY_SEQ',
  },
  {
    // KEYS: one row per (attribute, key element); the outer filter keeps attnum = x, so keep the attnum if it is a key.
    client: 'pgjdbc DatabaseMetaData.getPrimaryKeys',
    pattern: /information_schema\._pg_expandarray\(\s*((?:con\.conkey|i\.indkey))\s*\)\s+AS\s+KEYS/gi,
    replacement: '__int2vector_member($1, a.attnum) AS KEYS',
  },
  {
    client: 'pgjdbc DatabaseMetaData.getPrimaryKeys',
    pattern: /result\.A_ATTNUM\s*=\s*\(\s*result\.KEYS\s*\)\.x/gi,
    replacement: 'result.A_ATTNUM = result.KEYS',
  },
  {
    // One row per key column: join the relation's attributes and keep those in the key, numbered by position.
    client: 'SQLAlchemy 1.4 PGDialect.get_pk_constraint',
    pattern: /SELECT\s+unnest\(ix\.indkey\)\s+attnum,\s*generate_subscripts\(ix\.indkey,\s*1\)\s+ord\s+FROM\s+pg_index\s+ix\s+WHERE\s/gi,
    replacement:
      'SELECT ka.attnum AS attnum, __int2vector_position(ix.indkey, ka.attnum) AS ord FROM pg_index ix JOIN pg_catalog.pg_attribute ka ON ka.attrelid = ix.indrelid WHERE __int2vector_position(ix.indkey, ka.attnum) IS NOT NULL AND ',
  },
  {
    // ORDINAL_POSITION: one row per index key column, from the index's table attributes that are in the key.
    client: 'pgjdbc DatabaseMetaData.getIndexInfo',
    pattern: /\(\s*information_schema\._pg_expandarray\(\s*i\.indkey\s*\)\s*\)\.n\s+AS\s+ORDINAL_POSITION([\s\S]*?)JOIN\s+pg_catalog\.pg_am\s+am\s+ON\s+\(\s*ci\.relam\s*=\s*am\.oid\s*\)/gi,
    replacement:
      '__int2vector_position(i.indkey, ka.attnum) AS ORDINAL_POSITION$1JOIN pg_catalog.pg_am am ON (ci.relam = am.oid)' +
      ' JOIN pg_catalog.pg_attribute ka ON (ka.attrelid = ct.oid AND __int2vector_position(i.indkey, ka.attnum) IS NOT NULL)',
  },
  {
    // int2vector subscripts are 0-based; `x & 1` on the (non-negative) index option flags is x % 2.
    client: 'pgjdbc DatabaseMetaData.getIndexInfo',
    pattern: /tmp\.I_INDOPTION\[\s*tmp\.ORDINAL_POSITION\s*-\s*1\s*\]\s*&\s*1::smallint/gi,
    replacement: '(__int2vector_element(tmp.I_INDOPTION, tmp.ORDINAL_POSITION - 1) % 2)',
  },
  {
    // A comma-separated FROM list joins as cross products before WHERE filters (9 relations: out of memory), so
    // the same relations are joined explicitly on the WHERE clause's key equalities (the WHERE stays as is).
    client: 'pgjdbc DatabaseMetaData.getImportedKeys / getExportedKeys / getCrossReference',
    pattern:
      /FROM\s+pg_catalog\.pg_namespace\s+pkn,\s*pg_catalog\.pg_class\s+pkc,\s*pg_catalog\.pg_attribute\s+pka,\s*pg_catalog\.pg_namespace\s+fkn,\s*pg_catalog\.pg_class\s+fkc,\s*pg_catalog\.pg_attribute\s+fka,\s*pg_catalog\.pg_constraint\s+con,\s*pg_catalog\.generate_series\(\s*1\s*,\s*(\d+)\s*\)\s+pos\(n\),\s*pg_catalog\.pg_class\s+pkic(?=\s+WHERE)/gi,
    replacement:
      'FROM pg_catalog.pg_constraint con JOIN pg_catalog.generate_series(1, $1) pos(n) ON true' +
      ' JOIN pg_catalog.pg_class pkc ON con.confrelid = pkc.oid JOIN pg_catalog.pg_namespace pkn ON pkn.oid = pkc.relnamespace' +
      ' JOIN pg_catalog.pg_attribute pka ON pkc.oid = pka.attrelid JOIN pg_catalog.pg_class fkc ON con.conrelid = fkc.oid' +
      ' JOIN pg_catalog.pg_namespace fkn ON fkn.oid = fkc.relnamespace JOIN pg_catalog.pg_attribute fka ON fkc.oid = fka.attrelid' +
      ' JOIN pg_catalog.pg_class pkic ON pkic.oid = con.conindid',
  },
  {
    // A scalar function in FROM is a one-row relation; sluice's binder takes it as a subquery in FROM.
    client: 'Grafana PostgreSQL datasource (table and column lists: the search_path constraint)',
    pattern: /\bstring_to_array\(\s*current_setting\(\s*'search_path'\s*\)\s*,\s*','\s*\)\s+s\b/gi,
    replacement: "(SELECT string_to_array(current_setting('search_path'), ',') AS s) s",
  },
];

/** The query with every known driver pattern rewritten; unchanged when none matches. */
export function rewriteDriverQuery(sql: string): string {
  if (!/row_number|_pg_expandarray|generate_subscripts|string_to_array|pg_constraint\s+con,/i.test(sql)) return sql;
  let out = sql;
  for (const r of REWRITES) out = out.replace(r.pattern, r.replacement);
  return out;
}

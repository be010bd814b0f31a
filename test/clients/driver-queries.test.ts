/**
 * rewriteDriverQuery (src/engine/driver-queries.ts): ordinary SQL passes through byte for byte, and each known
 * driver query loses the construct sluice cannot bind. The rewritten queries' results are checked end to end
 * by test/e2e/clients-*.test.ts with the real drivers.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteDriverQuery } from '../../src/engine/driver-queries.js';
import { initParser, parseStatement } from '../../src/sql/parser.js';

before(async () => {
  await initParser();
});

test('queries that match no driver pattern are returned unchanged', () => {
  const queries = [
    'SELECT 1',
    "SELECT row_number FROM t WHERE s = 'string_to_array'",
    'SELECT * FROM pg_constraint c, pg_class t WHERE c.conrelid = t.oid',
    "SELECT string_to_array(current_setting('search_path'), ',')",
    'CREATE MATERIALIZED VIEW v AS SELECT a, count(*) FROM t GROUP BY a',
  ];
  for (const q of queries) assert.equal(rewriteDriverQuery(q), q);
});

test('pgjdbc getColumns: row_number() over the attnums becomes the attnum', () => {
  const q = 'SELECT a.attname, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum FROM pg_attribute a';
  const r = rewriteDriverQuery(q);
  assert.equal(r, 'SELECT a.attname, a.attnum AS attnum FROM pg_attribute a');
});

test('pgjdbc getPrimaryKeys: _pg_expandarray and its field selections are gone, and the result parses', () => {
  const q = `SELECT result.KEY_SEQ FROM (SELECT a.attname AS COLUMN_NAME, (information_schema._pg_expandarray(con.conkey)).n AS KEY_SEQ,
    information_schema._pg_expandarray(con.conkey) AS KEYS, a.attnum AS A_ATTNUM FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_attribute a ON (a.attrelid = con.conrelid) WHERE con.contype = 'p') result where result.A_ATTNUM = (result.KEYS).x`;
  const r = rewriteDriverQuery(q);
  assert.doesNotMatch(r, /_pg_expandarray|\.x\b/);
  assert.match(r, /__int2vector_position\(con\.conkey, a\.attnum\) AS KEY_SEQ/);
  assert.match(r, /__int2vector_member\(con\.conkey, a\.attnum\) AS KEYS/);
  assert.equal(parseStatement(r).kind, 'pg');
});

test('SQLAlchemy get_pk_constraint: SELECT-list unnest/generate_subscripts become a join on the key positions', () => {
  const q = `SELECT a.attname FROM pg_attribute a JOIN (
                    SELECT unnest(ix.indkey) attnum,
                           generate_subscripts(ix.indkey, 1) ord
                    FROM pg_index ix
                    WHERE ix.indrelid = 16390 AND ix.indisprimary
                    ) k ON a.attnum=k.attnum WHERE a.attrelid = 16390 ORDER BY k.ord`;
  const r = rewriteDriverQuery(q);
  assert.doesNotMatch(r, /unnest|generate_subscripts/);
  assert.match(r, /__int2vector_position\(ix\.indkey, ka\.attnum\) IS NOT NULL AND ix\.indrelid = 16390/);
  assert.equal(parseStatement(r).kind, 'pg');
});

test('Grafana: the search_path function in FROM becomes a one-row subquery', () => {
  const q = "SELECT trim(s[i]) FROM generate_series(1, 2) as i, string_to_array(current_setting('search_path'),',') s";
  const r = rewriteDriverQuery(q);
  assert.equal(r, "SELECT trim(s[i]) FROM generate_series(1, 2) as i, (SELECT string_to_array(current_setting('search_path'), ',') AS s) s");
  assert.equal(rewriteDriverQuery(r), r, 'a rewritten query is not rewritten again');
});

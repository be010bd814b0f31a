/**
 * PostgreSQL oracle for differential tests: a throw-away schema on 127.0.0.1:5432 db `test`, loaded with rows in
 * PostgreSQL text form, queried with every value returned as PostgreSQL's own text output (no pg type parsing).
 * State: one pg.Client per withOracle call, its schema dropped afterwards. Session: TimeZone UTC,
 * DateStyle 'ISO, MDY', extra_float_digits 1 (the server default), search_path = the fresh schema.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { AssertionError } from 'node:assert';
import pg from 'pg';
import type { Column, SqlType } from '../../src/common/types.js';
import type { StatementResult } from '../../src/engine/api.js';
import { formatValueText } from '../../src/expr/text-io.js';

/** A row in PostgreSQL text form: every value is its text output, NULL is null. */
export type TextRow = readonly (string | null)[];

/** Connection settings: env SLUICE_TEST_PG (a postgres:// URL) or 127.0.0.1:5432, db test, user postgres. */
export function oracleConnection(): pg.ClientConfig {
  const url = process.env['SLUICE_TEST_PG'];
  if (url !== undefined && url !== '') return { connectionString: url };
  return { host: '127.0.0.1', port: 5432, database: 'test', user: process.env['PGUSER'] ?? 'postgres' };
}

/** PostgreSQL column type for a sluice SqlType (unknown → text). */
export function pgTypeName(t: SqlType): string {
  switch (t) {
    case 'boolean':
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'real':
    case 'double precision':
    case 'numeric':
    case 'varchar':
    case 'text':
    case 'timestamp':
    case 'timestamptz':
    case 'date':
    case 'interval':
    case 'jsonb':
      return t;
    case 'unknown':
      return 'text';
    default: {
      const never: never = t;
      throw new Error(`no PostgreSQL type for ${String(never)}`);
    }
  }
}

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Every type's text parser is the identity: values come back exactly as PostgreSQL prints them. */
const TEXT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

async function canConnect(): Promise<boolean> {
  const client = new pg.Client({ ...oracleConnection(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Make sure PostgreSQL answers; if not, start the Debian cluster with pg_ctlcluster and wait (bounded, 30 s).
 */
export async function ensurePostgres(): Promise<void> {
  if (await canConnect()) return;
  const versions = readdirSync('/etc/postgresql');
  for (const v of versions) {
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', v, 'main', 'start'], { stdio: 'ignore' });
    } catch {
      // already running or failed: the wait below decides
    }
  }
  for (let attempt = 0; attempt < 60; attempt++) {
    if (await canConnect()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('PostgreSQL at 127.0.0.1:5432 did not become reachable within 30 s');
}

export interface QueryResultText {
  readonly fields: readonly { readonly name: string; readonly typeOid: number }[];
  readonly rows: TextRow[];
}

export interface Oracle {
  /** the fresh schema this oracle owns (also the session's search_path) */
  readonly schema: string;
  /** the underlying client, for anything not covered here */
  readonly client: pg.Client;
  /** CREATE TABLE name (columns) with PostgreSQL types mapped from SqlType; nullable unless nullable === false */
  createTable(name: string, columns: readonly Column[]): Promise<void>;
  /** Insert rows given in PostgreSQL text form (bulk, parameterised, each value cast to its column's type). */
  insert(name: string, rows: readonly TextRow[]): Promise<void>;
  /** Run SQL; returns the last statement's rows with every value in PostgreSQL text form. */
  query(sql: string, params?: readonly (string | null)[]): Promise<TextRow[]>;
  /** Like query, with the result's column names and type OIDs. */
  queryResult(sql: string, params?: readonly (string | null)[]): Promise<QueryResultText>;
}

/** Run fn with a fresh schema in PostgreSQL; the schema is dropped (CASCADE) and the client closed afterwards. */
export async function withOracle<T>(fn: (o: Oracle) => Promise<T>): Promise<T> {
  await ensurePostgres();
  const client = new pg.Client({ ...oracleConnection(), types: TEXT_TYPES });
  await client.connect();
  const schema = `sluice_oracle_${process.pid}_${randomBytes(4).toString('hex')}`;
  const tableTypes = new Map<string, string[]>();
  try {
    await client.query(
      `CREATE SCHEMA ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}; ` +
        `SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, MDY'; SET extra_float_digits TO 1; SET IntervalStyle TO postgres`,
    );
    const queryResult = async (sql: string, params?: readonly (string | null)[]): Promise<QueryResultText> => {
      const res = (await client.query({ text: sql, ...(params && params.length > 0 ? { values: [...params] } : {}), rowMode: 'array' })) as
        | pg.QueryResult<(string | null)[]>
        | pg.QueryResult<(string | null)[]>[];
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      if (last === undefined) return { fields: [], rows: [] };
      return {
        fields: (last.fields ?? []).map((f) => ({ name: f.name, typeOid: f.dataTypeID })),
        rows: last.rows ?? [],
      };
    };
    const oracle: Oracle = {
      schema,
      client,
      async createTable(name, columns) {
        const defs = columns.map(
          (c) => `${quoteIdent(c.name)} ${pgTypeName(c.type)}${c.nullable === false ? ' NOT NULL' : ''}`,
        );
        await client.query(`CREATE TABLE ${quoteIdent(name)} (${defs.join(', ')})`);
        tableTypes.set(name, columns.map((c) => pgTypeName(c.type)));
      },
      async insert(name, rows) {
        if (rows.length === 0) return;
        const types = tableTypes.get(name) ?? (await columnTypes(client, name));
        const width = types.length;
        const perChunk = Math.max(1, Math.floor(30_000 / Math.max(1, width)));
        for (let start = 0; start < rows.length; start += perChunk) {
          const chunk = rows.slice(start, start + perChunk);
          const values: (string | null)[] = [];
          const tuples = chunk.map((row, i) => {
            if (row.length !== width) {
              throw new Error(`insert into ${name}: row ${start + i} has ${row.length} values, table has ${width} columns`);
            }
            const cells = row.map((v, j) => {
              values.push(v);
              return `$${values.length}::${types[j]}`;
            });
            return `(${cells.join(', ')})`;
          });
          await client.query(`INSERT INTO ${quoteIdent(name)} VALUES ${tuples.join(', ')}`, values);
        }
      },
      async query(sql, params) {
        return (await queryResult(sql, params)).rows;
      },
      queryResult,
    };
    return await fn(oracle);
  } finally {
    try {
      await client.query(`RESET search_path; DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/** Column types of an existing table in the current schema (for tables created with plain SQL). */
async function columnTypes(client: pg.Client, table: string): Promise<string[]> {
  const res = await client.query<{ t: string }>(
    `SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quoteIdent(table)],
  );
  if (res.rows.length === 0) throw new Error(`no columns found for table ${table}`);
  return res.rows.map((r) => r.t);
}

export interface MultisetDiff {
  readonly equal: boolean;
  /** rows expected but not in actual, with multiplicity (a row missing twice appears twice) */
  readonly missing: TextRow[];
  /** rows in actual but not expected, with multiplicity */
  readonly unexpected: TextRow[];
  /** '' when equal; otherwise a readable summary and diff */
  readonly message: string;
}

function rowId(row: TextRow): string {
  return JSON.stringify(row);
}

/** One row for humans: values separated by ' | ', NULL bare, strings quoted only when they would be ambiguous. */
export function formatTextRow(row: TextRow): string {
  return row
    .map((v) => {
      if (v === null) return 'NULL';
      if (v === '' || v === 'NULL' || /[\s|'\\]/.test(v)) return "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n') + "'";
      return v;
    })
    .join(' | ');
}

function countRows(rows: readonly TextRow[]): Map<string, { row: TextRow; n: number }> {
  const m = new Map<string, { row: TextRow; n: number }>();
  for (const row of rows) {
    const k = rowId(row);
    const e = m.get(k);
    if (e) e.n++;
    else m.set(k, { row, n: 1 });
  }
  return m;
}

function sortRows(rows: TextRow[]): TextRow[] {
  return rows.sort((a, b) => (rowId(a) < rowId(b) ? -1 : rowId(a) > rowId(b) ? 1 : 0));
}

/** Compare two lists of rows as multisets (order ignored, multiplicity counts). */
export function compareMultisets(actual: readonly TextRow[], expected: readonly TextRow[]): MultisetDiff {
  const a = countRows(actual);
  const e = countRows(expected);
  const missing: TextRow[] = [];
  const unexpected: TextRow[] = [];
  for (const [k, { row, n }] of e) {
    const have = a.get(k)?.n ?? 0;
    for (let i = have; i < n; i++) missing.push(row);
  }
  for (const [k, { row, n }] of a) {
    const want = e.get(k)?.n ?? 0;
    for (let i = want; i < n; i++) unexpected.push(row);
  }
  sortRows(missing);
  sortRows(unexpected);
  const equal = missing.length === 0 && unexpected.length === 0;
  if (equal) return { equal, missing, unexpected, message: '' };
  const lines = [
    `rows differ: ${missing.length} missing, ${unexpected.length} unexpected ` +
      `(actual ${actual.length} rows, expected ${expected.length})`,
  ];
  const show = (title: string, sign: string, rows: TextRow[]): void => {
    if (rows.length === 0) return;
    lines.push(`  ${title}:`);
    const limit = 50;
    for (const row of rows.slice(0, limit)) lines.push(`    ${sign} ${formatTextRow(row)}`);
    if (rows.length > limit) lines.push(`    … ${rows.length - limit} more`);
  };
  show('missing (expected, not in actual)', '-', missing);
  show('unexpected (in actual, not expected)', '+', unexpected);
  return { equal, missing, unexpected, message: lines.join('\n') };
}

/** Throw an AssertionError naming `label` and showing the multiset diff when the rows differ. */
export function assertSameRows(actual: readonly TextRow[], expected: readonly TextRow[], label = 'rows'): void {
  const diff = compareMultisets(actual, expected);
  if (!diff.equal) {
    throw new AssertionError({ message: `${label}: ${diff.message}`, actual, expected, operator: 'sameRows' });
  }
}

/** A sluice statement result's rows in PostgreSQL text form (it must have returned rows), to compare with `o.query`. */
export function resultTextRows(r: StatementResult): TextRow[] {
  if (r.kind !== 'rows') throw new AssertionError({ message: `expected rows, got a ${r.kind} result` });
  return r.rows.map((row) => row.map((v, i) => (v === null ? null : formatValueText(v, r.columns[i]!.type))));
}

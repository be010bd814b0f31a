/**
 * psycopg2 + SQLAlchemy (Superset's path) against the real server: SQLAlchemy's inspector issues its own
 * pg_catalog queries (pg_class/pg_namespace/pg_attribute joins, format_type, pg_get_expr, pg_index, pg_constraint,
 * json_build_object …). Runs test/clients/python/inspect_sluice.py with Debian's /usr/bin/python3, which needs
 * the Debian packages python3-psycopg2 and python3-sqlalchemy (SQLAlchemy 1.4 on Debian 12).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startFixtureServer, FIXTURE, type FixtureServer } from '../clients/fixture.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../clients/python/inspect_sluice.py', import.meta.url));

interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  timezone: boolean | null;
}

interface Inspection {
  errors: Record<string, string>;
  server_version: number[];
  schemas: string[];
  tables: string[];
  views: string[];
  materialized_views: string[];
  foreign_tables: string[];
  columns_mv: ColumnInfo[];
  columns_view: ColumnInfo[];
  columns_table: ColumnInfo[];
  columns_foreign: ColumnInfo[];
  pk_hosts: { constrained_columns: string[]; name: string };
  foreign_keys_hosts: unknown[];
  indexes_hosts: unknown[];
  unique_constraints_hosts: unknown[];
  view_definition: string;
  has_table: boolean[];
  rows: [string, number, string][];
  alerts: [string, number][];
}

let fx: FixtureServer;
let out: Inspection;

before(async () => {
  await run(PYTHON, ['-c', 'import psycopg2, sqlalchemy']).catch((e: Error) => {
    throw new Error(`${PYTHON} lacks psycopg2/sqlalchemy: apt-get install -y python3-psycopg2 python3-sqlalchemy (${e.message})`);
  });
  fx = await startFixtureServer();
  const { stdout } = await run(PYTHON, [SCRIPT, String(fx.port)], { timeout: 120_000 });
  out = JSON.parse(stdout) as Inspection;
}, { timeout: 300_000 });

after(async () => {
  await fx?.close();
});

test('every inspector step and query succeeds', () => {
  assert.deepEqual(out.errors, {});
  assert.deepEqual(out.server_version.slice(0, 1), [15]);
});

test('inspector lists tables, views, materialized views and foreign tables apart', () => {
  assert.deepEqual([...out.tables].sort(), [...FIXTURE.tables].sort());
  assert.deepEqual([...out.views].sort(), [...FIXTURE.views].sort());
  assert.deepEqual([...out.materialized_views].sort(), [...FIXTURE.materializedViews].sort());
  assert.deepEqual([...out.foreign_tables].sort(), [...FIXTURE.foreignTables].sort());
  assert.ok(out.schemas.includes('public'));
  assert.deepEqual(out.has_table, [true, false]);
});

test('get_columns gives names, SQLAlchemy types and nullability of a materialized view, a view and a table', () => {
  assert.deepEqual(out.columns_mv.map((c) => [c.name, c.type]), [
    ['host_id', 'VARCHAR'],
    ['parent_pid', 'INTEGER'],
    ['child_pid', 'INTEGER'],
    ['process_name', 'VARCHAR'],
    ['command_line', 'VARCHAR'],
    ['event_time', 'TIMESTAMP'],
  ]);
  assert.equal(out.columns_mv[5]!.timezone, true);
  assert.deepEqual(out.columns_view.map((c) => c.name), ['host_id', 'owner', 'risk']);
  assert.deepEqual(out.columns_table.map((c) => [c.name, c.nullable]), [['host_id', false], ['owner', true], ['risk', true]]);
  assert.deepEqual(out.columns_foreign.map((c) => c.name), ['event_id', 'user_id', 'source_ip', 'event_type', 'event_time']);
});

test('get_pk_constraint finds the PRIMARY KEY; no foreign keys, secondary indexes or unique constraints', () => {
  assert.deepEqual(out.pk_hosts, { constrained_columns: ['host_id'], name: 'hosts_pkey' });
  assert.deepEqual(out.foreign_keys_hosts, []);
  assert.deepEqual(out.indexes_hosts, []);
  assert.deepEqual(out.unique_constraints_hosts, []);
  assert.match(out.view_definition, /SELECT host_id, owner, risk FROM hosts WHERE risk > 5/);
});

test('a bound-parameter query and an aggregate over siem_alerts return the derived rows', () => {
  assert.deepEqual(out.rows, [
    ['h1', 101, '2026-03-01T10:00:00+00:00'],
    ['h1', 102, '2026-03-01T10:30:00+00:00'],
  ]);
  assert.deepEqual(out.alerts, [['auth_from_blocked_ip', 1], ['brute_force', 1], ['suspicious_process', 2]]);
});

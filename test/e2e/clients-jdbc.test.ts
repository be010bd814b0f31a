/**
 * pgjdbc (org.postgresql:postgresql 42.7.13) against the real server: the DatabaseMetaData calls DBeaver,
 * DataGrip and Metabase make (getSchemas, getTables by type, getColumns with java.sql.Types, getPrimaryKeys,
 * getImportedKeys, getIndexInfo) and PreparedStatements on materialized views. Runs test/clients/jdbc/SluiceJdbcProbe.java with Java's
 * single-file launcher; the driver jar comes from ~/.m2, fetched once with `mvn dependency:get` if missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startFixtureServer, FIXTURE, type FixtureServer } from '../clients/fixture.js';
import { withOracle } from '../harness/pg-oracle.js';

const run = promisify(execFile);
const PGJDBC_VERSION = '42.7.13';
const JAR = join(homedir(), '.m2/repository/org/postgresql/postgresql', PGJDBC_VERSION, `postgresql-${PGJDBC_VERSION}.jar`);
const PROBE = fileURLToPath(new URL('../clients/jdbc/SluiceJdbcProbe.java', import.meta.url));

// java.sql.Types constants.
const Types = { VARCHAR: 12, INTEGER: 4, BIGINT: -5, TIMESTAMP: 93 } as const;

let fx: FixtureServer;
let lines: string[][] = [];

async function ensureDriverJar(): Promise<void> {
  if (existsSync(JAR)) return;
  await run('mvn', ['-B', '-q', 'dependency:get', `-Dartifact=org.postgresql:postgresql:${PGJDBC_VERSION}`, '-Dtransitive=false'], { timeout: 300_000 });
  assert.ok(existsSync(JAR), `mvn dependency:get did not produce ${JAR}`);
}

before(async () => {
  await ensureDriverJar();
  fx = await startFixtureServer();
  const { stdout } = await run('java', ['-cp', JAR, PROBE, String(fx.port)], { timeout: 180_000 });
  lines = stdout.trim().split('\n').map((l) => l.split('\t'));
}, { timeout: 600_000 });

after(async () => {
  await fx?.close();
});

const facts = (kind: string): string[][] => lines.filter((l) => l[0] === kind).map((l) => l.slice(1));

test('every DatabaseMetaData step and query succeeds', () => {
  assert.deepEqual(facts('error'), []);
  assert.match(facts('product')[0]![0]!, /^PostgreSQL 15/);
});

test('getSchemas lists public and the sluice status schema', () => {
  const schemas = facts('schema').map((l) => l[0]);
  assert.ok(schemas.includes('public'));
  assert.ok(schemas.includes('sluice'));
});

test('getTables reports tables, views, materialized views and sources (foreign tables) by type', () => {
  const byType = new Map<string, string[]>();
  for (const [name, type] of facts('table')) byType.set(type!, [...(byType.get(type!) ?? []), name!]);
  assert.deepEqual(byType.get('TABLE')?.sort(), [...FIXTURE.tables].sort());
  assert.deepEqual(byType.get('VIEW')?.sort(), [...FIXTURE.views].sort());
  assert.deepEqual(byType.get('MATERIALIZED VIEW')?.sort(), [...FIXTURE.materializedViews].sort());
  assert.deepEqual(byType.get('FOREIGN TABLE')?.sort(), [...FIXTURE.foreignTables].sort());
});

test('getColumns gives the article views\' columns in order with java.sql.Types', () => {
  const cols = (rel: string): [string, number, string][] => facts('column').filter((l) => l[0] === rel).map((l) => [l[1]!, Number(l[2]), l[4]!]);
  assert.deepEqual(cols('siem_alerts'), [
    ['alert_type', Types.VARCHAR, '1'],
    ['entity', Types.VARCHAR, '2'],
    ['detected_at', Types.TIMESTAMP, '3'],
    ['description', Types.VARCHAR, '4'],
  ]);
  assert.deepEqual(cols('brute_force_detections'), [
    ['source_ip', Types.VARCHAR, '1'],
    ['window_start', Types.TIMESTAMP, '2'],
    ['window_end', Types.TIMESTAMP, '3'],
    ['failures', Types.BIGINT, '4'],
    ['targeted_accounts', Types.BIGINT, '5'],
  ]);
  assert.deepEqual(cols('suspicious_process_chains').map((c) => c[0]), ['host_id', 'parent_pid', 'child_pid', 'process_name', 'command_line', 'event_time']);
  assert.equal(cols('suspicious_process_chains')[2]![1], Types.INTEGER);
  // TYPE_NAME and nullability: the PRIMARY KEY column is NOT NULL.
  const hosts = facts('column').filter((l) => l[0] === 'hosts');
  assert.deepEqual(hosts.map((l) => [l[1], l[3], l[5]]), [['host_id', 'varchar', 'NO'], ['owner', 'varchar', 'YES'], ['risk', 'int4', 'YES']]);
});

test('getPrimaryKeys names the key column, its position and the constraint', () => {
  assert.deepEqual(facts('pk'), [['hosts', 'host_id', '1', 'hosts_pkey']]);
});

test('getImportedKeys answers (no foreign keys) and getIndexInfo lists the primary key index', () => {
  // getImportedKeys joins nine catalog relations; it once ran out of memory as a cross product.
  assert.deepEqual(facts('importedkeys'), [['hosts', '0']]);
  assert.deepEqual(facts('index'), [['hosts', 'hosts_pkey', 'false', 'host_id', '1', 'A']]);
});

test('a PreparedStatement with a parameter on a materialized view returns the derived rows', () => {
  assert.deepEqual(facts('rsmeta'), [['event_time', String(Types.TIMESTAMP), 'timestamptz']]);
  assert.deepEqual(facts('row'), [
    ['h1', '101', '2026-03-01T10:00:00Z'],
    ['h1', '102', '2026-03-01T10:30:00Z'],
  ]);
});

test('a timestamp parameter filters siem_alerts; a statement past prepareThreshold still answers', () => {
  assert.deepEqual(
    facts('alert'),
    FIXTURE.fixedAlerts.map((a) => [a.alertType, a.entity, a.detectedAt.replace('.000Z', 'Z')]),
  );
  assert.deepEqual(facts('repeat'), [['3']]);
});

test('the primary key\'s pg_index / pg_constraint rows read as PostgreSQL 15\'s do', { timeout: 60_000 }, async () => {
  const sql = `SELECT c.relname, i.indkey::text, i.indnatts, i.indisprimary, i.indisunique, pg_get_indexdef(i.indexrelid),
      pg_get_indexdef(i.indexrelid, 1, true), con.conname, con.contype, con.conkey::text, pg_get_constraintdef(con.oid), c.relkind
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_constraint con ON con.conindid = i.indexrelid
    WHERE i.indrelid = 'hosts'::regclass`;
  const c = new pg.Client({ host: '127.0.0.1', port: fx.port, user: 'root', database: 'dev' });
  await c.connect();
  let ours: unknown[][];
  try {
    ours = (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => r.map((v) => String(v)));
  } finally {
    await c.end();
  }
  const theirs = await withOracle(async (o) => {
    await o.client.query('CREATE TABLE hosts (host_id VARCHAR PRIMARY KEY, owner VARCHAR, risk INT)');
    return (await o.query(sql)).map((r) => r.map((v) => String(v).replace(`${o.schema}.`, 'public.')));
  });
  assert.deepEqual(ours, theirs.map((r) => r.map((v) => (v === 't' ? 'true' : v === 'f' ? 'false' : v))));
  assert.equal(ours.length, 1);
});

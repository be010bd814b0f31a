/**
 * Targets of the serving benchmark: the real `sluice serve` process (bin/sluice.js, so `npm run -s build` first)
 * with table `hosts` and materialized view `host_risk`, and the local PostgreSQL 15 with the same table (primary
 * key) in a throw-away schema. State: each target owns its process or schema until close(). Invariant: both hold
 * the same N rows, loaded with INSERT … VALUES in batches of 1000, before any timing starts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startServerProcess } from '../../test/harness/server-process.js';
import { procCpuSeconds } from './stats.js';

export interface ServingTarget {
  label: 'sluice' | 'PostgreSQL';
  config: pg.ClientConfig;
  /** Relation the queries read: the materialized view in sluice, the plain table in PostgreSQL. */
  relation: string;
  version: string;
  loadSeconds: number;
  /** CPU seconds (user + system) of the server process so far, or null when not one process (PostgreSQL). */
  serverCpuSeconds(): number | null;
  close(): Promise<void>;
}

export const hostKey = (i: number): string => `host-${String(i).padStart(7, '0')}`;

function valuesBatch(from: number, to: number): string {
  const rows: string[] = [];
  for (let i = from; i < to; i++) rows.push(`('${hostKey(i)}', 'owner-${i % 997}', ${i % 100})`);
  return rows.join(', ');
}

async function loadRows(c: pg.Client, rows: number): Promise<void> {
  for (let from = 0; from < rows; from += 1000) await c.query(`INSERT INTO hosts VALUES ${valuesBatch(from, Math.min(rows, from + 1000))}`);
}

const TABLE_DDL = 'CREATE TABLE hosts (host_id VARCHAR PRIMARY KEY, owner VARCHAR, risk INT)';

/** Start `sluice serve` (or, with `externalPort`, use a server already listening there, e.g. one under --cpu-prof). */
export async function startSluiceTarget(rows: number, externalPort?: number): Promise<ServingTarget> {
  // The served view must be resident (hash indexes, in-memory scans): size the per-operator memory budget above
  // its row count, as docs/operations.md advises for views that clients query.
  const sp = externalPort === undefined ? await startServerProcess({ args: ['--state-cache-rows', String(2 * rows)] }) : null;
  const config: pg.ClientConfig = { host: '127.0.0.1', port: sp?.port ?? externalPort, user: 'root', database: 'dev' };
  const c = new pg.Client(config);
  await c.connect();
  try {
    const version = String((await c.query('SELECT version() AS v')).rows[0].v);
    const t0 = performance.now();
    await c.query(TABLE_DDL);
    await loadRows(c, rows);
    await c.query('CREATE MATERIALIZED VIEW host_risk AS SELECT host_id, owner, risk FROM hosts WHERE risk >= 0');
    const n = Number((await c.query('SELECT count(*) AS n FROM host_risk')).rows[0].n);
    if (n !== rows) throw new Error(`sluice host_risk has ${n} rows, expected ${rows}`);
    const loadSeconds = (performance.now() - t0) / 1000;
    return {
      label: 'sluice',
      config,
      relation: 'host_risk',
      version,
      loadSeconds,
      serverCpuSeconds: () => (sp ? procCpuSeconds(sp.child.pid) : null),
      async close() {
        await sp?.stop();
      },
    };
  } finally {
    await c.end();
  }
}

function pgConnection(): pg.ClientConfig {
  const url = process.env['SLUICE_TEST_PG'];
  if (url) return { connectionString: url };
  return { host: '127.0.0.1', port: 5432, database: 'test', user: process.env['PGUSER'] ?? 'postgres' };
}

export async function startPostgresTarget(rows: number): Promise<ServingTarget> {
  const schema = `sluice_serving_${randomBytes(4).toString('hex')}`;
  const base = pgConnection();
  const admin = new pg.Client(base);
  await admin.connect();
  const version = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.query(`CREATE SCHEMA ${schema}`);
  const config: pg.ClientConfig = { ...base, options: `-c search_path=${schema}` };
  const c = new pg.Client(config);
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query(TABLE_DDL);
    await loadRows(c, rows);
    await c.query('ANALYZE hosts');
  } finally {
    await c.end();
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  return {
    label: 'PostgreSQL',
    config,
    relation: 'hosts',
    version: `PostgreSQL ${version}`,
    loadSeconds,
    serverCpuSeconds: () => null,
    async close() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

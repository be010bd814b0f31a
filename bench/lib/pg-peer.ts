/**
 * The batch-database peer: the same workload in PostgreSQL (127.0.0.1:5432, db test, or $SLUICE_TEST_PG) as three
 * plain tables and the five views as plain (non-materialized) views, re-queried in full after each epoch's insert
 * — a full recompute per batch, which is what a batch database does. State: a throw-away schema, dropped after.
 * Invariant: PostgreSQL sees the same rows and the same NOW() (table bench_clock) as the engine at every epoch.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { formatRfc3339Micros } from '../../src/connectors/iso-time.js';
import type { Row } from '../../src/common/types.js';
import { ARTICLE_STREAMS, ARTICLE_VIEWS, articleStatements, isSource, isView, sourceAsTable, viewForPostgres, type ArticleStream } from './article.js';
import type { Workload } from './workload.js';

export interface PeerResult {
  events: number;
  epochs: number;
  /** Per epoch: insert of the epoch's rows + clock update. */
  insertMs: number[];
  /** Per epoch: SELECT * from each of the five views. */
  queryMs: number[];
  wallSeconds: number;
  viewRows: Record<string, number>;
  version: string;
}

const PG_TYPES: Record<ArticleStream, string[]> = {
  auth_events: ['varchar', 'varchar', 'varchar', 'varchar', 'timestamptz'],
  firewall_logs: ['varchar', 'varchar', 'varchar', 'int', 'varchar', 'bigint', 'timestamptz'],
  process_events: ['varchar', 'varchar', 'int', 'int', 'varchar', 'varchar', 'timestamptz'],
};

function connection(): pg.ClientConfig {
  const url = process.env['SLUICE_TEST_PG'];
  if (url) return { connectionString: url };
  return { host: '127.0.0.1', port: 5432, database: 'test', user: process.env['PGUSER'] ?? 'postgres' };
}

/** Columns of `rows` as text arrays, for INSERT … SELECT FROM unnest($1::t[], …). */
function columnsOf(stream: ArticleStream, rows: readonly Row[]): string[][] {
  const types = PG_TYPES[stream];
  const cols: string[][] = types.map(() => []);
  for (const r of rows) {
    for (let i = 0; i < types.length; i++) {
      const v = r[i]!;
      cols[i]!.push(types[i] === 'timestamptz' ? formatRfc3339Micros(v as number) : String(v));
    }
  }
  return cols;
}

export async function runPostgresPeer(wl: Workload): Promise<PeerResult> {
  const client = new pg.Client(connection());
  await client.connect();
  const schema = `sluice_bench_${randomBytes(4).toString('hex')}`;
  try {
    const version = String((await client.query('SHOW server_version')).rows[0].server_version);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query(`SET TimeZone = 'UTC'`);
    await client.query('CREATE TABLE bench_clock (t timestamptz)');
    await client.query('INSERT INTO bench_clock VALUES ($1)', [formatRfc3339Micros(wl.startMicros)]);
    for (const stmt of articleStatements()) {
      if (isSource(stmt)) await client.query(sourceAsTable(stmt));
      else if (isView(stmt)) await client.query(viewForPostgres(stmt));
    }
    const inserts = Object.fromEntries(
      ARTICLE_STREAMS.map((s) => [s, `INSERT INTO ${s} SELECT * FROM unnest(${PG_TYPES[s].map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`]),
    ) as Record<ArticleStream, string>;
    // Prebuild parameters so the timed part is PostgreSQL's, not our formatting.
    const params = wl.epochs.map((e) => ({ now: formatRfc3339Micros(e.nowMicros), cols: Object.fromEntries(ARTICLE_STREAMS.map((s) => [s, columnsOf(s, e.batches[s].map((c) => c.row))])) as Record<ArticleStream, string[][]> }));
    const insertMs: number[] = [];
    const queryMs: number[] = [];
    const viewRows: Record<string, number> = {};
    const wall0 = performance.now();
    for (const p of params) {
      const t0 = performance.now();
      for (const s of ARTICLE_STREAMS) await client.query(inserts[s], p.cols[s]);
      await client.query('UPDATE bench_clock SET t = $1', [p.now]);
      const t1 = performance.now();
      for (const v of ARTICLE_VIEWS) viewRows[v] = (await client.query(`SELECT * FROM ${v}`)).rowCount ?? 0;
      const t2 = performance.now();
      insertMs.push(t1 - t0);
      queryMs.push(t2 - t1);
    }
    const wallSeconds = (performance.now() - wall0) / 1000;
    return { events: wl.events, epochs: wl.epochs.length, insertMs, queryMs, wallSeconds, viewRows, version };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}

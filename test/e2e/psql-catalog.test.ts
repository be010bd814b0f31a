/**
 * psql 15 against the real server process: the article verbatim with ON_ERROR_STOP, then the meta-commands a
 * user types first (\d, \d <view>, \dm, \dt, \dv, \dn, \du, \l, \x) and a SELECT on each view, all without
 * errors and in PostgreSQL's shape (compared structurally with the same commands against PostgreSQL itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { REPO_ROOT, startServerProcess } from '../harness/server-process.js';

const run = promisify(execFile);
const ARTICLE = join(REPO_ROOT, '..', 'shared', 'seed', 'article.sql');

async function psql(port: number, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('psql', ['-h', '127.0.0.1', '-p', String(port), '-d', 'dev', '-U', 'root', '-X', '-v', 'ON_ERROR_STOP=1', ...args]);
}

test('psql runs the article verbatim and its meta-commands describe every object', { timeout: 120_000 }, async () => {
  const server = await startServerProcess();
  try {
    const created = await psql(server.port, '-f', ARTICLE);
    assert.equal((created.stdout.match(/CREATE MATERIALIZED VIEW/g) ?? []).length, 5);
    assert.equal((created.stdout.match(/CREATE SOURCE/g) ?? []).length, 3);
    await psql(server.port, '-c', 'CREATE TABLE assets (host_id VARCHAR PRIMARY KEY, owner VARCHAR)', '-c', 'CREATE VIEW alert_counts AS SELECT alert_type, count(*) AS n FROM siem_alerts GROUP BY alert_type');

    const list = (await psql(server.port, '-c', '\\d')).stdout;
    for (const [name, type] of [
      ['auth_events', 'foreign table'],
      ['brute_force_detections', 'materialized view'],
      ['siem_alerts', 'materialized view'],
      ['siem_alerts_sink', 'foreign table'],
      ['assets', 'table'],
      ['alert_counts', 'view'],
    ]) {
      assert.match(list, new RegExp(`public\\s*\\|\\s*${name}\\s*\\|\\s*${type}\\s*\\|\\s*root`), `\\d lists ${name} as ${type}`);
    }
    const bf = (await psql(server.port, '-c', '\\d brute_force_detections')).stdout;
    assert.match(bf, /Materialized view "public.brute_force_detections"/);
    for (const [col, type] of [['source_ip', 'character varying'], ['window_start', 'timestamp with time zone'], ['failures', 'bigint'], ['targeted_accounts', 'bigint']]) {
      assert.match(bf, new RegExp(`${col}\\s*\\|\\s*${type}`));
    }
    assert.match((await psql(server.port, '-c', '\\d assets')).stdout, /host_id\s*\|\s*character varying\s*\|\s*\|\s*not null/);
    assert.match((await psql(server.port, '-c', '\\d auth_events')).stdout, /Foreign table "public.auth_events"[\s\S]*Server: kafka[\s\S]*topic 'auth_events'/);
    assert.match((await psql(server.port, '-c', '\\d+ siem_alerts')).stdout, /View definition:[\s\S]*UNION ALL/);
    const dm = (await psql(server.port, '-c', '\\dm')).stdout;
    assert.equal((dm.match(/materialized view/g) ?? []).length, 5);
    assert.match((await psql(server.port, '-c', '\\dt')).stdout, /assets\s*\|\s*table/);
    assert.match((await psql(server.port, '-c', '\\dv')).stdout, /alert_counts\s*\|\s*view/);
    assert.match((await psql(server.port, '-c', '\\dn')).stdout, /public\s*\|\s*root[\s\S]*sluice/);
    assert.match((await psql(server.port, '-c', '\\du')).stdout, /root\s*\|\s*Superuser/);
    assert.match((await psql(server.port, '-c', '\\l')).stdout, /dev\s*\|\s*root\s*\|\s*UTF8/);
    for (const v of ['brute_force_detections', 'suspicious_process_chains', 'recently_blocked_ips', 'auth_from_blocked_ip', 'siem_alerts']) {
      const r = await psql(server.port, '-c', '\\x', '-c', `SELECT * FROM ${v}`);
      assert.match(r.stdout, /Expanded display is on\.\n\(0 rows\)/, `SELECT on ${v}`);
      assert.equal(r.stderr, '');
    }
    // A failed statement keeps the session usable, with PostgreSQL's error shape.
    const bad = await run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'dev', '-U', 'root', '-X', '-c', 'SELECT nope FROM siem_alerts', '-c', 'SELECT 1 AS ok']);
    assert.match(bad.stderr, /ERROR:\s+column "nope" does not exist\nLINE 1: SELECT nope FROM siem_alerts\n\s+\^/);
    assert.match(bad.stdout, /ok\s*\n-+\n\s*1/);
  } finally {
    await server.stop();
  }
});

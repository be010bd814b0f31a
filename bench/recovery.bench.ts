/**
 * Recovery and memory benchmark (prints, asserts nothing): for each state size G, the real server process
 * (bin/sluice.js serve, LMDB data directory) ingests G distinct keys from a JSON-lines file source into
 * `SELECT k, count(*), sum(v) FROM s GROUP BY k` (G live groups: G aggregate entries + G view rows), then is
 * SIGKILLed and restarted on the same directory: time to listening, time to the first answered point query, RSS
 * before the kill and after recovery, state entries and data directory size.
 * Needs `npm run -s build`. Run: node --import tsx bench/recovery.bench.ts [--groups 100000,1000000] [--json FILE]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { startServerProcess, type ServerProcess } from '../test/harness/server-process.js';
import { fmtInt, procMemoryMiB } from './lib/stats.js';

const argv = process.argv.slice(2);
const opt = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const GROUPS = (opt('--groups') ?? '100000,1000000').split(',').map(Number).filter((n) => n > 0);
const JSON_OUT = opt('--json');

function dirMb(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return bytes / 1024 / 1024;
}

async function writeKeys(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `{"k":"key-${i}","v":${i % 1000}}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function client(server: ServerProcess): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev' });
  await c.connect();
  return c;
}

interface Result {
  groups: number;
  ingestSeconds: number;
  eventsPerSecond: number;
  rssBeforeKillMb: number;
  /** Highest RSS, and highest anonymous RSS (heap and native memory, without LMDB's mapped file), while ingesting. */
  peakRssMb: number;
  peakAnonMb: number;
  stateEntries: number;
  dataDirMb: number;
  restartToListeningMs: number;
  restartToFirstQueryMs: number;
  rssAfterRecoveryMb: number;
  anonAfterRecoveryMb: number;
}

async function run(groups: number): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-recovery-'));
  const input = join(tmpdir(), `sluice-bench-keys-${groups}-${process.pid}.jsonl`);
  await writeKeys(input, groups);
  let server = await startServerProcess({ dataDir, timeoutMs: 600_000 });
  try {
    let c = await client(server);
    const t0 = performance.now();
    let peakRssMb = 0;
    let peakAnonMb = 0;
    const sample = (): void => {
      const m = procMemoryMiB(server.child.pid!);
      peakRssMb = Math.max(peakRssMb, m.rss);
      peakAnonMb = Math.max(peakAnonMb, m.anon);
    };
    await c.query(`CREATE SOURCE s (k VARCHAR, v INT) WITH (connector = 'file', path = '${input}') FORMAT PLAIN ENCODE JSON`);
    await c.query('CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k');
    for (let i = 0; ; i++) {
      const r = await c.query(`SELECT rows_ingested FROM sluice.sources WHERE name = 's'`);
      if (Number(r.rows[0].rows_ingested) >= groups) break;
      sample();
      if (i > 36_000) throw new Error('ingest did not finish within an hour');
      await new Promise((res) => setTimeout(res, 100));
    }
    await c.query('FLUSH');
    const ingestSeconds = (performance.now() - t0) / 1000;
    const views = (await c.query(`SELECT rows, state_entries FROM sluice.views WHERE name = 'g'`)).rows[0];
    if (Number(views.rows) !== groups) throw new Error(`expected ${groups} groups, view has ${views.rows}`);
    sample();
    const rssBeforeKillMb = procMemoryMiB(server.child.pid!).rss;
    await c.end();
    await server.stop('SIGKILL');
    const dataDirMb = dirMb(dataDir);
    const t1 = performance.now();
    server = await startServerProcess({ dataDir, timeoutMs: 600_000 });
    const restartToListeningMs = performance.now() - t1;
    c = await client(server);
    const probe = `key-${Math.floor(groups / 2)}`;
    const r = await c.query('SELECT n FROM g WHERE k = $1', [probe]);
    const restartToFirstQueryMs = performance.now() - t1;
    if (r.rows.length !== 1 || Number(r.rows[0].n) !== 1) throw new Error(`after recovery, ${probe} should have count 1: ${JSON.stringify(r.rows)}`);
    const after = procMemoryMiB(server.child.pid!);
    await c.end();
    return {
      groups,
      ingestSeconds,
      eventsPerSecond: groups / ingestSeconds,
      rssBeforeKillMb,
      peakRssMb,
      peakAnonMb,
      stateEntries: Number(views.state_entries),
      dataDirMb,
      restartToListeningMs,
      restartToFirstQueryMs,
      rssAfterRecoveryMb: after.rss,
      anonAfterRecoveryMb: after.anon,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(input, { force: true });
  }
}

console.log(`recovery bench: groups ${GROUPS.map(fmtInt).join(', ')}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${new Date().toISOString()}`);
console.log('groups       ingest s  events/s  peak RSS MB  (anon)  RSS MB  state entries  dir MB  restart→listening ms  restart→first query ms  RSS after MB  (anon)');
const results: Result[] = [];
for (const g of GROUPS) {
  const r = await run(g);
  results.push(r);
  console.log(
    [fmtInt(r.groups).padStart(10), r.ingestSeconds.toFixed(1).padStart(10), fmtInt(r.eventsPerSecond).padStart(9), r.peakRssMb.toFixed(0).padStart(12), r.peakAnonMb.toFixed(0).padStart(7), r.rssBeforeKillMb.toFixed(0).padStart(8), fmtInt(r.stateEntries).padStart(14), r.dataDirMb.toFixed(0).padStart(7), fmtInt(r.restartToListeningMs).padStart(21), fmtInt(r.restartToFirstQueryMs).padStart(23), r.rssAfterRecoveryMb.toFixed(0).padStart(13), r.anonAfterRecoveryMb.toFixed(0).padStart(7)].join(' '),
  );
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, at: new Date().toISOString(), results }, null, 2));

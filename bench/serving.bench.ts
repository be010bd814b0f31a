/**
 * Serving benchmark: point and range SELECTs on a materialized view over the PG wire (extended protocol, named
 * prepared statements, 16 then 64 concurrent node-postgres connections) while a background connection UPDATEs a few
 * random rows every 50 ms; the same client code against PostgreSQL 15 on a plain table; queries/s, latency, ratio.
 * Prints numbers, asserts nothing. Needs `npm run -s build` (it runs the real bin/sluice.js).
 * Run: node --import tsx bench/serving.bench.ts [--quick|--full] [--rows N] [--seconds S] [--conns 16,64] [--no-peer] [--no-ingest] [--json FILE]
 *      [--sluice-port P]  (use a sluice already listening on P, e.g. started under node --cpu-prof, instead of starting one)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { runLoad, startIngest, type IngestResult, type LoadResult, type QuerySpec } from './lib/serving-load.js';
import { hostKey, startPostgresTarget, startSluiceTarget, type ServingTarget } from './lib/serving-setup.js';
import { fmtInt, percentile } from './lib/stats.js';

const argv = process.argv.slice(2);
const has = (flag: string): boolean => argv.includes(flag);
const opt = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const num = (flag: string, dflt: number): number => (opt(flag) === undefined ? dflt : Number(opt(flag)));

const full = has('--full');
const ROWS = num('--rows', 100_000);
const SECONDS = num('--seconds', full ? 30 : 4);
const CONNS = (opt('--conns') ?? '16,64').split(',').map(Number).filter((n) => n > 0);
const PEER = !has('--no-peer');
const SLUICE_PORT = opt('--sluice-port') === undefined ? undefined : Number(opt('--sluice-port'));
const INGEST = { intervalMs: 50, rowsPerTick: has('--no-ingest') ? 0 : 5 };
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 5;

function queries(relation: string): QuerySpec[] {
  return [
    { label: 'point', name: 'bench_point', text: `SELECT owner, risk FROM ${relation} WHERE host_id = $1`, params: (r) => [hostKey(Math.floor(r() * ROWS))] },
    {
      label: 'range',
      name: 'bench_range',
      text: `SELECT host_id, owner, risk FROM ${relation} WHERE risk BETWEEN $1 AND $2 LIMIT 100`,
      params: (r) => {
        const lo = Math.floor(r() * 98);
        return [lo, lo + 2];
      },
    },
  ];
}

interface PhaseResult {
  system: string;
  query: string;
  concurrency: number;
  qps: number;
  p50: number;
  p99: number;
  max: number;
  queries: number;
  errors: number;
  firstError: string | null;
  rowsPerQuery: number;
  serverCpuMsPerQuery: number | null;
  /** CPU of this (client) process during the phase, as % of one core. */
  clientCpuPct: number;
  ingest: { updates: number; errors: number; tickP99Ms: number; firstError: string | null };
}

async function runPhases(target: ServingTarget): Promise<PhaseResult[]> {
  const out: PhaseResult[] = [];
  for (const concurrency of CONNS) {
    for (const spec of queries(target.relation)) {
      const ingest = await startIngest(target.config, { table: 'hosts', keys: ROWS, keyOf: hostKey, ...INGEST, maxTicks: Math.ceil((SECONDS * 1000) / INGEST.intervalMs) * 4 + 200 });
      const cpu0 = target.serverCpuSeconds();
      const client0 = process.cpuUsage();
      let load: LoadResult;
      let ing: IngestResult;
      try {
        load = await runLoad(target.config, spec, concurrency, SECONDS, concurrency);
      } finally {
        ing = await ingest.stop();
      }
      const cpu1 = target.serverCpuSeconds();
      const client1 = process.cpuUsage(client0);
      const r: PhaseResult = {
        system: target.label,
        query: spec.label,
        concurrency,
        qps: load.queries / load.seconds,
        p50: percentile(load.latMs, 0.5),
        p99: percentile(load.latMs, 0.99),
        max: load.latMs.length ? load.latMs.reduce((m, x) => (x > m ? x : m), -Infinity) : NaN,
        queries: load.queries,
        errors: load.errors,
        firstError: load.firstError,
        rowsPerQuery: load.queries ? load.rowsReturned / load.queries : 0,
        serverCpuMsPerQuery: cpu0 !== null && cpu1 !== null && load.queries ? ((cpu1 - cpu0) * 1000) / load.queries : null,
        clientCpuPct: ((client1.user + client1.system) / 1e6 / load.seconds) * 100,
        ingest: { updates: ing.updates, errors: ing.errors, tickP99Ms: percentile(ing.tickMs, 0.99), firstError: ing.firstError },
      };
      out.push(r);
      printRow(r);
    }
  }
  return out;
}

const ms = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
const HEADER = `${'system'.padEnd(11)}${'query'.padEnd(7)}${'conns'.padStart(5)}${'queries/s'.padStart(11)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'queries'.padStart(11)}${'err'.padStart(5)}${'rows/q'.padStart(8)}${'srv CPU ms/q'.padStart(14)}${'updates'.padStart(9)}${'tick p99 ms'.padStart(13)}${'client CPU'.padStart(12)}`;
function printRow(r: PhaseResult): void {
  console.log(
    `${r.system.padEnd(11)}${r.query.padEnd(7)}${String(r.concurrency).padStart(5)}${fmtInt(r.qps).padStart(11)}${ms(r.p50).padStart(9)}${ms(r.p99).padStart(9)}${ms(r.max).padStart(9)}${fmtInt(r.queries).padStart(11)}${String(r.errors).padStart(5)}${r.rowsPerQuery.toFixed(1).padStart(8)}${(r.serverCpuMsPerQuery === null ? '—' : ms(r.serverCpuMsPerQuery)).padStart(14)}${fmtInt(r.ingest.updates).padStart(9)}${ms(r.ingest.tickP99Ms).padStart(13)}${`${r.clientCpuPct.toFixed(0)}%`.padStart(12)}`,
  );
  if (r.firstError) console.log(`  first query error: ${r.firstError}`);
  if (r.ingest.firstError) console.log(`  first update error (${r.ingest.errors}): ${r.ingest.firstError}`);
}

console.log(`serving bench (${full ? 'full' : 'quick'}): ${fmtInt(ROWS)} rows, ${SECONDS} s per phase, connections ${CONNS.join(', ')}, ${INGEST.rowsPerTick ? `ingest ${INGEST.rowsPerTick} UPDATEs every ${INGEST.intervalMs} ms` : 'no ingest'}`);
console.log(`machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);

const results: PhaseResult[] = [];
const versions: string[] = [];
const starters: (() => Promise<ServingTarget>)[] = [() => startSluiceTarget(ROWS, SLUICE_PORT)];
if (PEER) starters.push(() => startPostgresTarget(ROWS));
for (const start of starters) {
  const target = await start();
  versions.push(target.version);
  console.log(`\n[${target.label}] ${target.version}; ${fmtInt(ROWS)} rows loaded in ${target.loadSeconds.toFixed(1)} s (not timed); queries read ${target.relation}`);
  console.log(HEADER);
  try {
    results.push(...(await runPhases(target)));
  } finally {
    await target.close();
  }
}

if (PEER) {
  console.log(`\nsluice ÷ PostgreSQL (targets from the issue: ≥ ${TARGET_RATIO}× PostgreSQL's queries/s, p99 ≤ ${TARGET_P99_MS} ms; stated, not asserted)`);
  for (const r of results.filter((x) => x.system === 'sluice')) {
    const p = results.find((x) => x.system === 'PostgreSQL' && x.query === r.query && x.concurrency === r.concurrency);
    if (!p) continue;
    console.log(`  ${r.query.padEnd(6)} ${String(r.concurrency).padStart(3)} conns: queries/s ${(r.qps / p.qps).toFixed(3)}×   p99 ${ms(r.p99)} ms vs ${ms(p.p99)} ms`);
  }
}

const jsonPath = opt('--json');
if (jsonPath) writeFileSync(jsonPath, JSON.stringify({ rows: ROWS, seconds: SECONDS, conns: CONNS, ingest: INGEST, versions, at: new Date().toISOString(), results }, null, 2));

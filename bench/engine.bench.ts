/**
 * Engine benchmark: SIEM events from memory through the seed article's five materialized views (verbatim SQL, no
 * sink) in a real in-memory engine, one epoch per batch; then the PostgreSQL peer (same rows, plain views
 * re-queried after each batch) and the ratio. Prints numbers, asserts nothing (benchmarks are not tests).
 * Run: node --expose-gc --import tsx bench/engine.bench.ts [--quick|--full] [--events N] [--epoch N] [--eps N]
 *      [--modes tables,sources] [--what-if] [--per-view] [--peer-events N | --no-peer] [--profile DIR] [--json FILE]
 * --what-if adds a run with operator state kept out of the store (a proposed engine change, see docs/benchmarks.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { ARTICLE_VIEWS } from './lib/article.js';
import { runEngine, type EngineRunResult, type InputMode } from './lib/engine-run.js';
import { runPostgresPeer, type PeerResult } from './lib/pg-peer.js';
import { fmtInt, fmtMem, fmtMs, percentile } from './lib/stats.js';
import { buildWorkload } from './lib/workload.js';

const argv = process.argv.slice(2);
const has = (flag: string): boolean => argv.includes(flag);
const opt = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const num = (flag: string, dflt: number): number => (opt(flag) === undefined ? dflt : Number(opt(flag)));

const full = has('--full');
const EVENTS = num('--events', full ? 1_000_000 : 200_000);
const EPOCH = num('--epoch', 10_000);
const EPS = num('--eps', 100);
const PEER_EVENTS = has('--no-peer') ? 0 : num('--peer-events', full ? 1_000_000 : 200_000);
const MODES = (opt('--modes') ?? 'tables,sources').split(',').filter(Boolean) as InputMode[];
const PROFILE_DIR = opt('--profile');
const WHAT_IF = has('--what-if');
const TARGET = 400_000;

console.log(`engine bench (${full ? 'full' : 'quick'}): ${fmtInt(EVENTS)} events in epochs of ${fmtInt(EPOCH)}, ${EPS} events/s of event time per stream`);
console.log(`machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);

let t = performance.now();
const wl = buildWorkload({ events: EVENTS, epochEvents: EPOCH, eventsPerSecond: EPS, seed: 42 });
console.log(`workload: ${wl.epochs.length} epochs, event time ${((wl.endMicros - wl.startMicros) / 60e6).toFixed(1)} min, built in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed)`);

function printEngine(r: EngineRunResult): void {
  const wallRate = r.events / r.wallSeconds;
  console.log(`\n[engine, input via ${r.label}] ${fmtInt(r.events)} events, ${r.epochs} epochs`);
  console.log(`  events/s (wall)        ${fmtInt(wallRate).padStart(12)}   target ${fmtInt(TARGET)} (${((wallRate / TARGET) * 100).toFixed(0)}%)`);
  console.log(`  events/s (CPU-second)  ${fmtInt(r.events / r.cpuSeconds).padStart(12)}`);
  console.log(`  epoch ms p50 / p99 / max  ${fmtMs(percentile(r.epochMs, 0.5))} / ${fmtMs(percentile(r.epochMs, 0.99))} / ${fmtMs(Math.max(...r.epochMs))}`);
  console.log(`  memory before  ${fmtMem(r.memBefore)}`);
  console.log(`  memory after   ${fmtMem(r.memAfter)}`);
  console.log(`  view rows      ${ARTICLE_VIEWS.map((v) => `${v}=${r.viewRows[v]}`).join(' ')}`);
}

const engineResults: EngineRunResult[] = [];
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
const runs: { mode: InputMode; statelessStore: boolean }[] = MODES.map((mode) => ({ mode, statelessStore: false }));
if (WHAT_IF) runs.push({ mode: 'sources', statelessStore: true });
for (const run of runs) {
  const profilePath = PROFILE_DIR ? join(PROFILE_DIR, `engine-${run.mode}${run.statelessStore ? '-what-if' : ''}.cpuprofile`) : undefined;
  const r = await runEngine(run.mode, wl, { statelessStore: run.statelessStore, ...(profilePath ? { profilePath } : {}) });
  engineResults.push(r);
  printEngine(r);
  if (profilePath) console.log(`  CPU profile of the timed part: ${profilePath}`);
}

if (has('--per-view')) {
  // Cost of each view on its own (sources, state in the store as today): a view's inputs are created with it.
  const sets: string[][] = [['brute_force_detections'], ['suspicious_process_chains'], ['recently_blocked_ips'], ['recently_blocked_ips', 'auth_from_blocked_ip'], [...ARTICLE_VIEWS]];
  console.log(`\n[per view: input via sources, ${fmtInt(wl.events)} events]`);
  console.log(`  ${'views'.padEnd(58)} ${'events/CPU-s'.padStart(12)} ${'µs/event'.padStart(9)} ${'heap growth MiB'.padStart(16)}`);
  for (const views of sets) {
    const r = await runEngine('sources', wl, { views });
    console.log(`  ${views.join(' + ').padEnd(58)} ${fmtInt(r.events / r.cpuSeconds).padStart(12)} ${((r.cpuSeconds * 1e6) / r.events).toFixed(2).padStart(9)} ${(r.memAfter.heapUsedMiB - r.memBefore.heapUsedMiB).toFixed(0).padStart(16)}`);
  }
}

let peer: PeerResult | null = null;
if (PEER_EVENTS > 0) {
  const pwl = PEER_EVENTS === EVENTS ? wl : buildWorkload({ events: PEER_EVENTS, epochEvents: EPOCH, eventsPerSecond: EPS, seed: 42 });
  t = performance.now();
  try {
    peer = await runPostgresPeer(pwl);
  } catch (e) {
    console.log(`\n[peer] PostgreSQL not reachable, peer skipped: ${(e as Error).message}`);
  }
  if (peer) {
    const total = peer.insertMs.map((x, i) => x + peer!.queryMs[i]!);
    const rate = peer.events / peer.wallSeconds;
    console.log(`\n[peer: PostgreSQL ${peer.version}, plain views re-queried after each insert of ${fmtInt(EPOCH)} rows] ${fmtInt(peer.events)} events, ${peer.epochs} batches`);
    console.log(`  events/s (wall, insert + 5 view queries)  ${fmtInt(rate).padStart(12)}`);
    console.log(`  batch ms p50 / p99: insert ${fmtMs(percentile(peer.insertMs, 0.5))} / ${fmtMs(percentile(peer.insertMs, 0.99))}, queries ${fmtMs(percentile(peer.queryMs, 0.5))} / ${fmtMs(percentile(peer.queryMs, 0.99))}, total ${fmtMs(percentile(total, 0.5))} / ${fmtMs(percentile(total, 0.99))}`);
    console.log(`  last batch: queries ${fmtMs(peer.queryMs[peer.queryMs.length - 1]!)} ms`);
    console.log(`  view rows      ${ARTICLE_VIEWS.map((v) => `${v}=${peer!.viewRows[v]}`).join(' ')}`);
    for (const r of engineResults) {
      const same = r.events === peer.events && ARTICLE_VIEWS.every((v) => r.viewRows[v] === peer!.viewRows[v]);
      console.log(`  ratio sluice(${r.label}) / PostgreSQL events/s: ${(r.events / r.wallSeconds / rate).toFixed(1)}x` + (r.events === peer.events ? `; view row counts ${same ? 'agree' : 'DIFFER'}` : ` (different N: ${fmtInt(r.events)} vs ${fmtInt(peer.events)})`));
    }
  }
}

const jsonPath = opt('--json');
if (jsonPath) {
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        events: EVENTS,
        epoch: EPOCH,
        eps: EPS,
        engine: engineResults.map((r) => ({ mode: r.label, events: r.events, eventsPerSecWall: r.events / r.wallSeconds, eventsPerCpuSec: r.events / r.cpuSeconds, p50: percentile(r.epochMs, 0.5), p99: percentile(r.epochMs, 0.99), memBefore: r.memBefore, memAfter: r.memAfter, viewRows: r.viewRows })),
        peer: peer && { version: peer.version, events: peer.events, eventsPerSecWall: peer.events / peer.wallSeconds, insertP50: percentile(peer.insertMs, 0.5), queryP50: percentile(peer.queryMs, 0.5), queryP99: percentile(peer.queryMs, 0.99), viewRows: peer.viewRows },
      },
      null,
      2,
    ) + '\n',
  );
}

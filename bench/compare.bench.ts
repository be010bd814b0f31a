/**
 * sluice beside Apache Flink 1.20 on the same Kafka topics in the same run: throughput of the article pipeline,
 * a pass-through, a tumbling aggregate and a stream-stream join; cost growth with the number of detection views and
 * with key cardinality; freshness (produce → PG-wire SELECT, produce → sink topic) of the real server process.
 * Prints numbers, writes bench/results/compare-<date>[-quick].json and SVG charts (--full: docs/bench/, --quick:
 * bench/results/); asserts nothing.
 * Run: node --expose-gc --import tsx bench/compare.bench.ts [--quick|--full] [--events N] [--only throughput,growth,
 *      cardinality,freshness] [--views 1,20] [--keys 1000,100000] [--card-events N]
 *      [--rates 20000,100000] [--fresh-seconds S] [--no-flink] [--profile DIR] [--json FILE] [--charts DIR | --no-charts]
 *      [--charts-from RESULTS.json]   (only redraw the charts of an earlier run)
 *      [--calibrate | --no-calibrate]   (default on with --full: each throughput workload also runs on empty
 *      topics, and the rate net of that fixed start-up time is reported beside the plain one)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { execSync } from 'node:child_process';
import { writeCompareCharts, type CompareResultsFile } from './lib/compare-charts.js';
import { countSink, createTopics, deleteTopics, loadCardinalityTopic, loadSiemTopics } from './lib/compare-kafka.js';
import { cardinalityWorkload, detectionsWorkload, flinkSqlText, WORKLOADS, type Stream, type Topics, type Workload } from './lib/compare-workloads.js';
import { buildFlink, flinkVersions, runFlinkSql, writeTempSql, type FlinkResult } from './lib/flink-peer.js';
import { runFreshness, type FreshnessPhase } from './lib/freshness.js';
import { startProfile } from './lib/profile.js';
import { runSluice, type SluiceRunResult } from './lib/sluice-kafka-run.js';
import { fmtInt } from './lib/stats.js';

const argv = process.argv.slice(2);
const has = (f: string): boolean => argv.includes(f);
const opt = (f: string): string | undefined => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
const full = has('--full');
const mode = full ? 'full' : 'quick';
const PER_STREAM = Number(opt('--events') ?? (full ? 500_000 : 100_000));
const ONLY = new Set((opt('--only') ?? 'throughput,growth,cardinality,freshness').split(','));
const FLINK = !has('--no-flink');
const list = (f: string, dflt: number[]): number[] => (opt(f) ? opt(f)!.split(',').map(Number) : dflt);
const VIEWS = list('--views', full ? [1, 5, 20, 100] : [1, 20]);
const KEYS = list('--keys', full ? [1_000, 10_000, 100_000, 1_000_000] : [1_000, 100_000]);
const CARD_EVENTS = Number(opt('--card-events') ?? (full ? 1_000_000 : 100_000));
const FRESH_RATES = list('--rates', full ? [20_000, 100_000] : [20_000]);
const FRESH_SECONDS = Number(opt('--fresh-seconds') ?? (full ? 20 : 5));
const PROFILE_DIR = opt('--profile');
const CALIBRATE = has('--calibrate') || (full && !has('--no-calibrate'));
// A full run's charts go to docs/bench/ (committed); a quick run's (CI) to bench/results/ (ignored), so CI leaves docs alone.
const CHART_DIR = has('--no-charts') ? null : (opt('--charts') ?? (full ? join(import.meta.dirname, '..', 'docs', 'bench') : join(import.meta.dirname, 'results')));
const CHARTS_FROM = opt('--charts-from');
if (CHARTS_FROM) {
  // Only redraw the charts of an earlier run from its results JSON (no benchmark runs).
  const data = JSON.parse(readFileSync(CHARTS_FROM, 'utf8')) as CompareResultsFile;
  const dir = opt('--charts') ?? (data.mode === 'full' ? join(import.meta.dirname, '..', 'docs', 'bench') : join(import.meta.dirname, 'results'));
  console.log(`charts: ${writeCompareCharts(data, dir).join(', ')}`);
  process.exit(0);
}
const BROKER = process.env['SLUICE_BENCH_KAFKA'] ?? '127.0.0.1:9092';
const brokers = [BROKER];
const tag = `cmp${Date.now().toString(36)}`;
const started = new Date();
const benchStart = performance.now();
const createdTopics: string[] = [];

interface Row {
  workload: string;
  title: string;
  events: number;
  sluice: SluiceRunResult | null;
  flink: FlinkResult | null;
  sluiceEventsPerSecond: number | null;
  flinkEventsPerSecond: number | null;
  flinkEventsPerSecondInclStartup: number | null;
  sluiceEventsPerCpuSecond: number | null;
  flinkEventsPerCpuSecond: number | null;
  ratio: number | null;
  /** Same workload on empty topics (start-up only): sluice wall s, Flink job net runtime ms; rates net of it. */
  empty?: { sluiceSeconds: number | null; flinkNetMs: number | null; sluiceNetEventsPerSecond: number | null; flinkNetEventsPerSecond: number | null; ratio: number | null };
  sinkMessages?: { sluice: Record<string, number>; flink: Record<string, number> };
  error?: string;
}

const sh = (cmd: string): string => {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
};
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '?',
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  java: sh('java -version 2>&1 | head -1'),
  kafka: process.env['SLUICE_KAFKA_VERSION'] ?? '4.1.1',
  loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
};
console.log(`compare bench (${mode}): sluice beside Flink on Kafka ${BROKER}, ${fmtInt(PER_STREAM)} events per stream, ${started.toISOString()}`);
console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memGiB} GiB, node ${machine.node}, ${machine.java}, load ${machine.loadAverageAtStart.join(' ')}`);

let flinkBuildSeconds: number | null = null;
const versions = flinkVersions();
if (FLINK) {
  flinkBuildSeconds = buildFlink();
  console.log(`flink peer: Flink ${versions.flink}, flink-connector-kafka ${versions.connector}, MiniCluster parallelism 2, heap 2 GiB (build/check ${flinkBuildSeconds.toFixed(1)} s)`);
}

const rate = (events: number, seconds: number | null | undefined): number | null => (seconds && seconds > 0 ? events / seconds : null);

let emptyTopics: Topics | null = null;

/** The workload on empty topics: its fixed start-up cost in each engine (connect, plan, deploy; no events). */
async function startupCost(w: Workload): Promise<{ sluiceSeconds: number | null; flinkNetMs: number | null }> {
  if (!emptyTopics) {
    emptyTopics = { auth_events: `${tag}_eauth`, firewall_logs: `${tag}_efw`, process_events: `${tag}_eproc` };
    await createTopics(brokers, Object.values(emptyTopics));
    createdTopics.push(...Object.values(emptyTopics));
  }
  const sinkS = `${tag}_${w.id}_esluice`;
  const sinkF = `${tag}_${w.id}_eflink`;
  if (w.sink) {
    await createTopics(brokers, [sinkS, sinkF]);
    createdTopics.push(sinkS, sinkF);
  }
  const s = await runSluice(w, emptyTopics, sinkS, BROKER, 0);
  let flinkNetMs: number | null = null;
  if (FLINK) {
    const file = w.flinkVars ? writeTempSql(`${w.id}.sql`, flinkSqlText(w)) : w.flinkFile();
    const f = await runFlinkSql(file, {
      vars: { AUTH_TOPIC: emptyTopics.auth_events, FW_TOPIC: emptyTopics.firewall_logs, PROC_TOPIC: emptyTopics.process_events, SINK_TOPIC: sinkF, BOOTSTRAP: BROKER, GROUP: `${tag}-${w.id}-empty` },
    }).finally(() => w.flinkVars && rmSync(dirname(file), { recursive: true, force: true }));
    flinkNetMs = f.job_net_runtime_ms;
  }
  return { sluiceSeconds: s.wallSeconds, flinkNetMs };
}

async function runPair(w: Workload, topics: Topics, events: number, opts: { profile?: string; calibrate?: boolean } = {}): Promise<Row> {
  const sinkS = `${tag}_${w.id}_sluice`;
  const sinkF = `${tag}_${w.id}_flink`;
  if (w.sink) {
    await createTopics(brokers, [sinkS, sinkF]);
    createdTopics.push(sinkS, sinkF);
  }
  const row: Row = { workload: w.id, title: w.title, events, sluice: null, flink: null, sluiceEventsPerSecond: null, flinkEventsPerSecond: null, flinkEventsPerSecondInclStartup: null, sluiceEventsPerCpuSecond: null, flinkEventsPerCpuSecond: null, ratio: null };
  try {
    const prof = await startProfile(opts.profile);
    row.sluice = await runSluice(w, topics, sinkS, BROKER, events);
    await prof.stop();
    row.sluiceEventsPerSecond = rate(events, row.sluice.wallSeconds);
    row.sluiceEventsPerCpuSecond = rate(events, row.sluice.cpuSeconds);
    (globalThis as { gc?: () => void }).gc?.();
    if (FLINK) {
      const file = w.flinkVars ? writeTempSql(`${w.id}.sql`, flinkSqlText(w)) : w.flinkFile();
      row.flink = await runFlinkSql(file, {
        vars: { AUTH_TOPIC: topics.auth_events, FW_TOPIC: topics.firewall_logs, PROC_TOPIC: topics.process_events, SINK_TOPIC: sinkF, BOOTSTRAP: BROKER, GROUP: `${tag}-${w.id}` },
      }).finally(() => w.flinkVars && rmSync(dirname(file), { recursive: true, force: true }));
      row.flinkEventsPerSecond = rate(events, row.flink.job_net_runtime_ms / 1000);
      row.flinkEventsPerSecondInclStartup = rate(events, row.flink.process_wall_ms / 1000);
      row.flinkEventsPerCpuSecond = rate(events, row.flink.job_cpu_ms / 1000);
      if (row.sluiceEventsPerSecond && row.flinkEventsPerSecond) row.ratio = row.sluiceEventsPerSecond / row.flinkEventsPerSecond;
    }
    if (opts.calibrate) {
      const c = await startupCost(w);
      const net = (secs: number | undefined, fixed: number | null): number | null => (secs !== undefined && fixed !== null && secs - fixed > 0 ? events / (secs - fixed) : null);
      const sn = net(row.sluice.wallSeconds, c.sluiceSeconds);
      const fn = row.flink ? net(row.flink.job_net_runtime_ms / 1000, c.flinkNetMs === null ? null : c.flinkNetMs / 1000) : null;
      row.empty = { ...c, sluiceNetEventsPerSecond: sn, flinkNetEventsPerSecond: fn, ratio: sn && fn ? sn / fn : null };
    }
    if (w.sink) row.sinkMessages = { sluice: await countSink(BROKER, sinkS), flink: FLINK ? await countSink(BROKER, sinkF) : {} };
  } catch (e) {
    row.error = String((e as Error).message ?? e).slice(0, 2000);
    console.log(`  ${w.id}: FAILED ${row.error}`);
  }
  const f = (x: number | null): string => (x === null ? '—' : fmtInt(x)).padStart(10);
  console.log(
    `  ${w.title.padEnd(44)} sluice ${f(row.sluiceEventsPerSecond)} ev/s (${f(row.sluiceEventsPerCpuSecond)} /CPU-s)   flink ${f(row.flinkEventsPerSecond)} ev/s (${f(row.flinkEventsPerCpuSecond)} /CPU-s, ${f(row.flinkEventsPerSecondInclStartup)} incl. JVM start)   sluice/flink ${row.ratio === null ? '—' : row.ratio.toFixed(2) + '×'}`,
  );
  if (row.empty) {
    const e = row.empty;
    console.log(`    start-up on empty topics: sluice ${e.sluiceSeconds?.toFixed(2)} s, flink job ${e.flinkNetMs === null ? '—' : (e.flinkNetMs / 1000).toFixed(2) + ' s'}; net of it: sluice ${f(e.sluiceNetEventsPerSecond)} ev/s, flink ${f(e.flinkNetEventsPerSecond)} ev/s, sluice/flink ${e.ratio === null ? '—' : e.ratio.toFixed(2) + '×'}`);
  }
  if (row.sinkMessages) console.log(`    sink messages: sluice ${JSON.stringify(row.sinkMessages.sluice)}  flink ${JSON.stringify(row.sinkMessages.flink)}`);
  if (row.sluice && Object.keys(row.sluice.viewRows).length && Object.keys(row.sluice.viewRows).length <= 6) console.log(`    sluice view rows: ${JSON.stringify(row.sluice.viewRows)}`);
  return row;
}

const results: { throughput: Row[]; growth: Row[]; cardinality: (Row & { keys: number })[]; freshness: { epochMs: number; phases: FreshnessPhase[] } | null } = {
  throughput: [],
  growth: [],
  cardinality: [],
  freshness: null,
};
let loadSeconds: number | null = null;

const day = started.toISOString().slice(0, 10);
const jsonPath = opt('--json') ?? join(import.meta.dirname, 'results', `compare-${day}${full ? '' : '-quick'}.json`);
/** Writes the results so far (after every section, so a late failure keeps the earlier ones). */
function saveResults(complete: boolean): number {
  const totalSeconds = (performance.now() - benchStart) / 1000;
  mkdirSync(join(jsonPath, '..'), { recursive: true });
  writeFileSync(
  jsonPath,
  JSON.stringify(
    {
      bench: 'compare',
      mode,
      date: started.toISOString(),
      command: `node --expose-gc --import tsx bench/compare.bench.ts ${argv.join(' ')}`.trim(),
      machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))) },
      settings: {
        eventsPerStream: PER_STREAM,
        partitions: 4,
        seed: 42,
        sluice: 'in-process createEngine({ epochMs: 100 }), in-memory state (throughput, growth, cardinality); real server process for freshness',
        flink: FLINK ? { version: versions.flink, kafkaConnector: versions.connector, parallelism: 2, heap: '2g', mode: "MiniCluster, scan.bounded.mode = 'latest-offset'" } : null,
        views: VIEWS,
        keys: KEYS,
        cardinalityEvents: CARD_EVENTS,
        freshnessRates: FRESH_RATES,
        freshnessSeconds: FRESH_SECONDS,
      },
      flinkBuildSeconds,
      loadSeconds,
      totalSeconds,
      complete,
      results,
    },
    null,
    2,
  ),
);
  return totalSeconds;
}

try {
  if (ONLY.has('throughput') || ONLY.has('growth')) {
    const topics: Topics = { auth_events: `${tag}_auth`, firewall_logs: `${tag}_fw`, process_events: `${tag}_proc` };
    await createTopics(brokers, Object.values(topics));
    createdTopics.push(...Object.values(topics));
    loadSeconds = await loadSiemTopics(brokers, topics, PER_STREAM);
    console.log(`loaded ${fmtInt(3 * PER_STREAM)} events (seed 42) into 3 topics × 4 partitions in ${loadSeconds.toFixed(1)} s (not timed)`);
    const events = (w: Workload): number => w.streams.length * PER_STREAM;
    if (ONLY.has('throughput')) {
      console.log('\n== throughput: earliest offset → caught up (sluice in-process engine, then Flink MiniCluster)');
      if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
      for (const w of WORKLOADS) {
        const profile = PROFILE_DIR ? join(PROFILE_DIR, `compare-${w.id}-sluice.cpuprofile`) : undefined;
        results.throughput.push(await runPair(w, topics, events(w), { calibrate: CALIBRATE, ...(profile ? { profile } : {}) }));
        if (profile) console.log(`    CPU profile of sluice's run: ${profile}`);
      }
      saveResults(false);
    }
    if (ONLY.has('growth')) {
      console.log(`\n== cost growth: detection views on auth_events (${fmtInt(PER_STREAM)} events)`);
      for (const n of VIEWS) results.growth.push(await runPair(detectionsWorkload(n), topics, PER_STREAM));
      saveResults(false);
    }
  }
  if (ONLY.has('cardinality')) {
    console.log(`\n== cost growth: key cardinality (per-source_ip aggregate, ${fmtInt(CARD_EVENTS)} events each)`);
    for (const keys of KEYS) {
      const topic = `${tag}_card${keys}`;
      await createTopics(brokers, [topic]);
      createdTopics.push(topic);
      const secs = await loadCardinalityTopic(brokers, topic, CARD_EVENTS, keys);
      console.log(`  loaded ${fmtInt(CARD_EVENTS)} events with ${fmtInt(keys)} source IPs in ${secs.toFixed(1)} s (not timed)`);
      const topics = { auth_events: topic, firewall_logs: topic, process_events: topic } satisfies Record<Stream, string>;
      results.cardinality.push({ ...(await runPair(cardinalityWorkload(keys), topics, CARD_EVENTS)), keys });
      await deleteTopics(brokers, [topic]);
    }
    saveResults(false);
  }
  if (ONLY.has('freshness')) {
    console.log(`\n== freshness: real server process (in memory, epoch 100 ms), steady rate, one marked event per 10 ms tick`);
    const topics: Topics = { auth_events: `${tag}_fauth`, firewall_logs: `${tag}_ffw`, process_events: `${tag}_fproc` };
    const sink = `${tag}_falerts`;
    await createTopics(brokers, [...Object.values(topics), sink]);
    createdTopics.push(...Object.values(topics), sink);
    results.freshness = await runFreshness({ brokers, topics, sinkTopic: sink, rates: FRESH_RATES, seconds: FRESH_SECONDS });
  }
} finally {
  await deleteTopics(brokers, createdTopics);
}

const totalSeconds = saveResults(true);
console.log(`\nresults: ${jsonPath} (${totalSeconds.toFixed(0)} s in total)`);

if (CHART_DIR) {
  const data = JSON.parse(readFileSync(jsonPath, 'utf8')) as CompareResultsFile;
  console.log(`charts: ${writeCompareCharts(data, CHART_DIR).join(', ')}`);
}
process.exit(0);

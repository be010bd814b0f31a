/**
 * Freshness phase of bench/compare.bench.ts: the real sluice server process (src/cli/main.ts `serve`, in memory,
 * run through tsx) with the article's pipeline and sink on fresh topics, fed at a steady rate of seeded SIEM traffic
 * with one marked process event (a `whoami` command that suspicious_process_chains must catch) per 10 ms tick,
 * produced from a worker thread (bench/lib/freshness-producer.ts).
 * Per marker: produce → visible through a PG-wire SELECT on the view, and produce → its alert read from the sink
 * topic. State: one server per call, stopped (by its pid) at the end. Invariant: loops are bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { articleForSluice, type Topics } from './compare-workloads.js';
import { kafka } from './compare-kafka.js';
import type { ProducerJob, ProducerMessage } from './freshness-producer.js';
import { percentile, procCpuSeconds } from './stats.js';
import { freePort } from '../../test/harness/server-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MARK_HOST = 'fresh-marker';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FreshnessPhase {
  targetEventsPerSecond: number;
  achievedEventsPerSecond: number;
  seconds: number;
  markers: number;
  view: { p50: number; p99: number; max: number; seen: number };
  sink: { p50: number; p99: number; max: number; seen: number };
  serverCpuShare: number;
  selectsPerSecond: number;
  failedSends: number;
}

async function startServer(epochMs: number): Promise<{ child: ChildProcess; port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const main = join(ROOT, 'src', 'cli', 'main.ts');
  const argv = JSON.stringify([process.execPath, 'sluice', 'serve', '--port', String(port), '--log-format', 'json', '--epoch-ms', String(epochMs)]);
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { main } from ${JSON.stringify(main)}; await main(${argv});`], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  const log: string[] = [];
  const onData = (b: Buffer): void => {
    for (const l of b.toString('utf8').split('\n')) if (l.trim()) log.push(l);
    if (log.length > 2000) log.splice(0, 1000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!log.some((l) => l.includes('"event":"listening"') || l.includes('listening'))) {
    if (child.exitCode !== null) throw new Error(`sluice server exited ${child.exitCode}:\n${log.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sluice server did not start:\n${log.join('\n')}`);
    }
    await sleep(50);
  }
  return {
    child,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

const stat = (xs: number[]): { p50: number; p99: number; max: number; seen: number } => ({
  p50: percentile(xs, 0.5),
  p99: percentile(xs, 0.99),
  max: xs.length ? Math.max(...xs) : NaN,
  seen: xs.length,
});

export async function runFreshness(opts: { brokers: string[]; topics: Topics; sinkTopic: string; rates: number[]; seconds: number; epochMs?: number; log?: (s: string) => void }): Promise<{ epochMs: number; phases: FreshnessPhase[] }> {
  const say = opts.log ?? ((s: string) => console.log(s));
  const epochMs = opts.epochMs ?? 100;
  const server = await startServer(epochMs);
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', query_timeout: 15_000 });
  const consumer = kafka(opts.brokers).consumer({ groupId: `fresh-${Date.now()}`, maxWaitTimeInMs: 20, readUncommitted: false });
  const sendAt = new Map<number, number>();
  const viewAt = new Map<number, number>();
  const sinkAt = new Map<number, number>();
  const phases: FreshnessPhase[] = [];
  let polling = false;
  try {
    await client.connect();
    for (const stmt of articleForSluice(opts.topics, opts.sinkTopic, opts.brokers[0]!)) await client.query(stmt);
    await consumer.connect();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topic: opts.sinkTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const now = performance.timeOrigin + performance.now();
        const v = JSON.parse(message.value?.toString('utf8') ?? '{}') as { entity?: string; description?: string };
        if (v.entity !== MARK_HOST) return;
        const id = Number(/#(\d+)$/.exec(v.description ?? '')?.[1]);
        if (Number.isFinite(id) && !sinkAt.has(id)) sinkAt.set(id, now);
      },
    });
    await Promise.race([joined, sleep(30_000)]);
    let nextMarker = 0;
    polling = true;
    let selects = 0;
    let min = 0;
    const poller = (async () => {
      while (polling) {
        while (viewAt.has(min)) min++;
        if (min < nextMarker) {
          const r = await client.query(`SELECT child_pid FROM suspicious_process_chains WHERE host_id = '${MARK_HOST}' AND child_pid >= ${min}`);
          selects++;
          const now = performance.timeOrigin + performance.now();
          for (const row of r.rows as { child_pid: number }[]) if (!viewAt.has(row.child_pid)) viewAt.set(row.child_pid, now);
        }
        await sleep(2);
      }
    })();
    for (const rate of opts.rates) {
      const cpu0 = procCpuSeconds(server.child.pid) ?? NaN;
      const sel0 = selects;
      const firstMarker = nextMarker;
      const job: ProducerJob = { brokers: opts.brokers, topics: opts.topics, rate, seconds: opts.seconds, warmupMs: 1500, firstMarker, markHost: MARK_HOST };
      // A worker does not inherit tsx's loader: register it inside the worker, then load the TypeScript entry.
      const entry = new URL('./freshness-producer.ts', import.meta.url).href;
      const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: job });
      let done: Extract<ProducerMessage, { kind: 'done' }>;
      try {
        done = await new Promise<Extract<ProducerMessage, { kind: 'done' }>>((resolve, reject) => {
        worker.on('message', (m: ProducerMessage) => {
          if (m.kind === 'marker') {
            sendAt.set(m.id, m.atMs);
            nextMarker = Math.max(nextMarker, m.id + 1);
          } else resolve(m);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`producer worker exited ${code}`)));
        setTimeout(() => reject(new Error(`producer worker did not finish within ${opts.seconds + 90} s`)), (opts.seconds + 90) * 1000).unref();
        }).finally(() => worker.terminate());
      } catch (e) {
        say(`  freshness at ${rate} events/s: FAILED ${(e as Error).message}`);
        continue;
      }
      const events = done.events;
      const cpu1 = procCpuSeconds(server.child.pid) ?? NaN;
      const wallS = done.wallMs / 1000;
      const ids = Array.from({ length: nextMarker - firstMarker }, (_, i) => firstMarker + i);
      const deadline = performance.now() + 30_000;
      while (performance.now() < deadline && ids.some((id) => !viewAt.has(id) || !sinkAt.has(id))) await sleep(50);
      const lat = (m: Map<number, number>): number[] => ids.filter((id) => m.has(id)).map((id) => m.get(id)! - sendAt.get(id)!);
      const phase: FreshnessPhase = {
        targetEventsPerSecond: rate,
        achievedEventsPerSecond: events / wallS,
        seconds: done.markMs / 1000,
        markers: ids.length,
        view: stat(lat(viewAt)),
        sink: stat(lat(sinkAt)),
        serverCpuShare: (cpu1 - cpu0) / wallS,
        selectsPerSecond: (selects - sel0) / wallS,
        failedSends: done.failedSends,
      };
      phases.push(phase);
      say(`  freshness at ${rate.toLocaleString('en-US')} events/s (achieved ${Math.round(phase.achievedEventsPerSecond).toLocaleString('en-US')}), ${phase.markers} markers: ` +
        `view p50/p99/max ${phase.view.p50.toFixed(0)}/${phase.view.p99.toFixed(0)}/${phase.view.max.toFixed(0)} ms (${phase.view.seen} seen), ` +
        `sink ${phase.sink.p50.toFixed(0)}/${phase.sink.p99.toFixed(0)}/${phase.sink.max.toFixed(0)} ms (${phase.sink.seen} seen); server CPU ${(phase.serverCpuShare * 100).toFixed(0)}% of a core, ${phase.selectsPerSecond.toFixed(0)} SELECTs/s, ${phase.failedSends} failed produce requests`);
    }
    polling = false;
    await poller;
  } finally {
    polling = false;
    await consumer.disconnect().catch(() => undefined);
    await client.end().catch(() => undefined);
    await server.stop();
  }
  return { epochMs, phases };
}

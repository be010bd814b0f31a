/**
 * One timed sluice run of a compare workload from pre-loaded Kafka topics: a fresh in-memory engine in this process
 * (createEngine, epochs every 100 ms, as `sluice serve` runs), the workload's DDL, then wait until every event is
 * ingested and every sink has written all its epochs. State: none kept between runs (the engine is closed).
 * Invariant: the clock starts before the first statement (source connect and group join are inside the time), and
 * stops once every source is running and has ingested `events` rows (0 on empty topics: the fixed start-up cost).
 */
import { createEngine } from '../../src/engine/engine.js';
import type { Topics, Workload } from './compare-workloads.js';

export interface SluiceRunResult {
  engine: 'sluice';
  events: number;
  wallSeconds: number;
  cpuSeconds: number;
  epochs: number;
  heapUsedMiB: number;
  rssMiB: number;
  viewRows: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSluice(w: Workload, topics: Topics, sinkTopic: string, bootstrap: string, events: number, timeoutMs = 900_000): Promise<SluiceRunResult> {
  (globalThis as { gc?: () => void }).gc?.();
  const engine = await createEngine({ epochMs: 100, clientId: `sluice-compare-${Date.now()}` });
  const s = engine.openSession({ user: 'root', database: 'dev' });
  const q = async (sql: string): Promise<unknown[][]> => {
    const r = await s.execute(sql);
    return r.kind === 'rows' ? (r.rows as unknown[][]) : [];
  };
  try {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    for (const stmt of w.sluice(topics, sinkTopic, bootstrap)) await s.execute(stmt);
    for (;;) {
      const src = await q('SELECT rows_ingested, status FROM sluice.sources');
      const n = src.reduce((a, r) => a + Number(r[0]), 0);
      if (n >= events && src.every((r) => r[1] === 'running')) break;
      if (performance.now() - start > timeoutMs) throw new Error(`sluice did not catch up on ${w.id}: ${n}/${events}`);
      await sleep(20);
    }
    for (;;) {
      const rows = await q('SELECT name, status, last_error, pending_epochs FROM sluice.sinks');
      if (rows.every((r) => Number(r[3]) === 0)) break;
      if (performance.now() - start > timeoutMs) throw new Error(`sluice sink did not drain on ${w.id}: ${JSON.stringify(rows)}`);
      await sleep(20);
    }
    const wallSeconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const viewRows: Record<string, number> = {};
    for (const r of await q('SELECT name, rows FROM sluice.views')) viewRows[String(r[0])] = Number(r[1]);
    const mem = process.memoryUsage();
    return {
      engine: 'sluice',
      events,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      epochs: Number(engine.epoch),
      heapUsedMiB: mem.heapUsed / 2 ** 20,
      rssMiB: mem.rss / 2 ** 20,
      viewRows,
    };
  } finally {
    await engine.close();
  }
}

/**
 * The SVG charts of one compare run (bench/compare.bench.ts), drawn from its results JSON into a directory
 * (docs/bench/ by default): throughput, cost growth by views and by keys, freshness. Stateless; a quick run's
 * files get a `-quick` suffix so they never overwrite a full run's. Invariant: only measured values are drawn.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChart, lineChart } from './charts.js';
import { fmtInt } from './stats.js';

interface Rate {
  workload: string;
  sluiceEventsPerSecond: number | null;
  flinkEventsPerSecond: number | null;
  empty?: { sluiceNetEventsPerSecond: number | null; flinkNetEventsPerSecond: number | null };
}
interface Lat {
  p50: number;
  p99: number;
  max: number;
}
export interface CompareResultsFile {
  mode: string;
  date: string;
  machine: { cpus: number };
  settings: { flink: { version: string } | null };
  results: {
    throughput: Rate[];
    growth: Rate[];
    cardinality: (Rate & { keys: number })[];
    freshness: { phases: { targetEventsPerSecond: number; view: Lat; sink: Lat }[] } | null;
  };
}

/** Writes the charts; returns the files written. */
export function writeCompareCharts(data: CompareResultsFile, dir: string): string[] {
  const results = data.results;
  const full = data.mode === 'full';
  const versions = { flink: data.settings.flink?.version ?? '?' };
  const machine = data.machine;
  const mode = data.mode;
  const day = data.date.slice(0, 10);
  const CHART_DIR = dir;

  mkdirSync(CHART_DIR, { recursive: true });
  const sfx = full ? '' : '-quick';
  const written: string[] = [];
  const put = (name: string, svg: string): void => {
    writeFileSync(join(CHART_DIR, `${name}${sfx}.svg`), svg);
    written.push(join(CHART_DIR, `${name}${sfx}.svg`));
  };
  const when = `${mode}, ${day}, ${machine.cpus} vCPU`;
  if (results.throughput.length) {
    put('compare-throughput', barChart(`Throughput from Kafka, earliest → caught up (${when})`, 'events/s (wall)', results.throughput.map((r) => r.workload), [
      { name: 'sluice', values: results.throughput.map((r) => r.sluiceEventsPerSecond) },
      { name: `Flink ${versions.flink} (p=2)`, values: results.throughput.map((r) => r.flinkEventsPerSecond) },
      ...(results.throughput.some((r) => r.empty)
        ? [
            { name: 'sluice, net of start-up', values: results.throughput.map((r) => r.empty?.sluiceNetEventsPerSecond ?? null) },
            { name: 'Flink, net of start-up', values: results.throughput.map((r) => r.empty?.flinkNetEventsPerSecond ?? null) },
          ]
        : []),
    ]));
  }
  if (results.growth.length) {
    put('compare-views', lineChart(`Cost growth: detection views on one source (${when})`, 'detection views (log scale)', 'events/s (wall)', results.growth.map((r) => Number(r.workload.split('-')[1])), [
      { name: 'sluice', values: results.growth.map((r) => r.sluiceEventsPerSecond) },
      { name: `Flink ${versions.flink} (p=2)`, values: results.growth.map((r) => r.flinkEventsPerSecond) },
    ], { logX: true }));
  }
  if (results.cardinality.length) {
    put('compare-cardinality', lineChart(`Cost growth: distinct keys in one aggregate (${when})`, 'distinct source_ip keys (log scale)', 'events/s (wall)', results.cardinality.map((r) => r.keys), [
      { name: 'sluice', values: results.cardinality.map((r) => r.sluiceEventsPerSecond) },
      { name: `Flink ${versions.flink} (p=2)`, values: results.cardinality.map((r) => r.flinkEventsPerSecond) },
    ], { logX: true }));
  }
  if (results.freshness?.phases.length) {
    const ph = results.freshness.phases;
    const cats = ph.flatMap((p) => [`view @${fmtInt(p.targetEventsPerSecond)}/s`, `sink @${fmtInt(p.targetEventsPerSecond)}/s`]);
    const pick = (k: 'p50' | 'p99' | 'max'): (number | null)[] => ph.flatMap((p) => [p.view[k], p.sink[k]].map((v) => (Number.isFinite(v) ? v : null)));
    put('compare-freshness', barChart(`sluice freshness: produce → visible (${when})`, 'milliseconds', cats, [
      { name: 'p50', values: pick('p50') },
      { name: 'p99', values: pick('p99') },
      { name: 'max', values: pick('max') },
    ]));
  }
  return written;
}

/**
 * One timed engine run: a fresh in-memory engine (ManualClock, no epoch timer) with the article's sources (as
 * quiet datagen sources or as tables) and its five views verbatim, fed a prebuilt workload one epoch at a time.
 * State: the engine lives only inside runEngine. Invariant: the timed part is push + runEpoch per epoch; row
 * generation and conversion happen before, view row counts are read after.
 */
import { ManualClock } from '../../src/common/clock.js';
import { createEngine } from '../../src/engine/engine.js';
import { sourceNode, tableInputNode } from '../../src/engine/ddl.js';
import { ARTICLE_STREAMS, ARTICLE_VIEWS, articleStatements, isSource, isView, sourceAsQuietDatagen, sourceAsTable, type ArticleStream } from './article.js';
import { Dataflow } from '../../src/dataflow/graph.js';
import { startProfile } from './profile.js';
import { cpuSeconds, memory, type MemorySnapshot } from './stats.js';
import type { Workload } from './workload.js';

export type InputMode = 'sources' | 'tables';

export interface EngineRunResult {
  mode: InputMode;
  label: string;
  events: number;
  epochs: number;
  epochMs: number[];
  wallSeconds: number;
  cpuSeconds: number;
  memBefore: MemorySnapshot;
  memAfter: MemorySnapshot;
  viewRows: Record<string, number>;
}

export interface RunOptions {
  /** Write a .cpuprofile of the timed part here. */
  profilePath?: string;
  /**
   * What-if for a proposed engine change (not how the engine runs today): build the dataflow with
   * persistState: false, i.e. operator state in memory only, as an engine without a data directory could.
   */
  statelessStore?: boolean;
  /** Create only these views (in article order; a view's inputs must be listed too). Default: all five. */
  views?: readonly string[];
}

const viewName = (stmt: string): string => /^CREATE MATERIALIZED VIEW (\w+)/i.exec(stmt)![1]!;

export async function runEngine(mode: InputMode, wl: Workload, opts: RunOptions = {}): Promise<EngineRunResult> {
  const clock = new ManualClock(wl.startMicros);
  const engine = await createEngine({ clock, autoEpochs: false });
  if (opts.statelessStore) (engine as { dataflow: Dataflow }).dataflow = new Dataflow(engine.store, { persistState: false });
  try {
    const session = engine.openSession({ user: 'root', database: 'dev' });
    for (const stmt of articleStatements()) {
      if (isSource(stmt)) await session.execute(mode === 'sources' ? sourceAsQuietDatagen(stmt) : sourceAsTable(stmt));
      else if (isView(stmt) && (!opts.views || opts.views.includes(viewName(stmt)))) await session.execute(stmt);
      // CREATE SINK is left out: the bench measures the views, not Kafka.
    }
    const nodes = {} as Record<ArticleStream, string>;
    for (const s of ARTICLE_STREAMS) {
      const oid = engine.catalog.get(s)!.oid;
      nodes[s] = mode === 'sources' ? sourceNode(oid) : tableInputNode(oid);
    }
    const memBefore = memory();
    const epochMs: number[] = [];
    const profiler = await startProfile(opts.profilePath);
    const cpu0 = cpuSeconds();
    const wall0 = performance.now();
    for (const e of wl.epochs) {
      const t0 = performance.now();
      if (e.nowMicros > clock.nowMicros()) clock.set(e.nowMicros);
      for (const s of ARTICLE_STREAMS) engine.push(nodes[s], e.batches[s]);
      await engine.serial(() => engine.runEpoch());
      epochMs.push(performance.now() - t0);
    }
    const wallSeconds = (performance.now() - wall0) / 1000;
    const cpu = cpuSeconds() - cpu0;
    await profiler.stop();
    const memAfter = memory();
    const viewRows: Record<string, number> = {};
    for (const v of ARTICLE_VIEWS.filter((name) => !opts.views || opts.views.includes(name))) {
      const r = await session.execute(`SELECT count(*) FROM ${v}`);
      viewRows[v] = r.kind === 'rows' ? Number(r.rows[0]![0]) : NaN;
    }
    return { mode, label: mode + (opts.statelessStore ? ', what-if: operator state not written to the store' : '') + (opts.views ? `, views: ${opts.views.join(' + ')}` : ''), events: wl.events, epochs: wl.epochs.length, epochMs, wallSeconds, cpuSeconds: cpu, memBefore, memAfter, viewRows };
  } finally {
    await engine.close();
  }
}

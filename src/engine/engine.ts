/**
 * The engine: the one composition root. It owns the catalog, the state store, the single dataflow graph, the
 * source readers and sink writers, and the epoch loop; sessions run statements against it.
 * State: everything mutable changes only inside `serial()` (DDL, DML, epochs), so epochs never interleave with
 * DDL; reads (`read()`) run between epochs, never while one is applied but not yet committed, so a SELECT sees
 * one committed epoch. Invariant: after each commit, the store holds the
 * catalog, operator state, MV contents, source offsets and pending sink output of exactly that epoch.
 */
import { SqlError, SQLSTATE, type Notice } from '../common/errors.js';
import { SystemClock, type Clock } from '../common/clock.js';
import type { ChangeBatch, Epoch } from '../common/changes.js';
import type { Row, Value } from '../common/types.js';
import { Catalog, type CatalogObject, type CatalogSnapshot, type SinkDef, type SourceDef, type TableDef } from '../catalog/catalog.js';
import { Dataflow, inputsOf } from '../dataflow/graph.js';
import { NotReadableBeforeLastStep } from '../dataflow/index.js';
import type { NodeId, NodeSpec } from '../dataflow/spec.js';
import type { EvalContext } from '../expr/functions.js';
import { MemoryStore } from '../state/memory-store.js';
import type { StateStore } from '../state/store.js';
import { initParser } from '../sql/parser.js';
import type { RowDecoder, SinkWriter, SourceReader } from '../connectors/types.js';
import type { EngineSession, SessionOptions } from './api.js';
import { createLogger, type Logger } from './log.js';
import { Session } from './session.js';
import { randomBytes } from 'node:crypto';

export interface EngineOptions {
  /** Directory for durable state (LMDB). null/undefined → in-memory state (lost on exit). */
  dataDir?: string | null;
  /** Epoch length in ms (default 100). */
  epochMs?: number;
  clock?: Clock;
  log?: Logger;
  /** Start the epoch timer (default true). Tests that step epochs by hand pass false. */
  autoEpochs?: boolean;
  /** Kafka client id prefix. */
  clientId?: string;
  /** With a data directory: the most entries (groups, rows, join keys) each aggregate, materialize, distinct and
   *  join node keeps in memory between epochs (the rest is read from LMDB on demand). Default DEFAULT_RESIDENT_ROWS. */
  residentRows?: number;
}

/**
 * Default per-node memory budget in entries. Peak memory grows by about 1.6 KB per resident entry (bench/recovery.bench.ts:
 * 1 M groups peaked at 1,028 MB anonymous memory with 250 000, 366 MB with 50 000, and ingested no slower).
 */
export const DEFAULT_RESIDENT_ROWS = 50_000;

export interface DeadLetter {
  source: string;
  partition: number;
  offset: string;
  kafkaTimestampMs: number | null;
  error: string;
  raw: string;
  atMs: number;
}

export interface SourceRuntime {
  def: SourceDef;
  inputNode: NodeId;
  reader: SourceReader | null;
  decoder: RowDecoder | null;
  rowsIngested: number;
  deadLetters: number;
  /** JSON of the offsets last written to the store (to skip idle commits). */
  committedPosition: string;
  lastError: string | null;
}

export interface SinkRuntime {
  def: SinkDef;
  /** Node whose deltas the sink writes (the relation's materialize node). */
  node: NodeId;
  writer: SinkWriter | null;
  /** The writer's transactional id; every message it writes carries it in the `sluice-writer` header. */
  writerId: string;
  /** Changes to write in the next epoch (initial snapshot at creation). */
  pendingInitial: ChangeBatch | null;
  /**
   * Epochs whose output is committed in the store but not yet confirmed on the sink, oldest first. Persisted with
   * every commit (meta `sink/<name>/pending`), written in order by the sink's drain loop, so a crash at any moment
   * re-sends exactly what the topic lacks (the writer skips epochs already on the topic).
   */
  pending: SinkEpoch[];
  /** True when `pending` shrank since the last commit (the store's copy is stale). */
  pendingChanged: boolean;
  /** Resolves when the writer has connected and recovered; the drain loop waits for it. */
  ready: Promise<void>;
  draining: boolean;
  messagesWritten: number;
  lastError: string | null;
  encode: (changes: ChangeBatch) => { key: string | null; value: string | null }[];
}

export interface SinkEpoch {
  epoch: Epoch;
  messages: { key: string | null; value: string | null }[];
}

/** Epochs a sink may fall behind (broker down) before sources stop being drained: bounded memory, backpressure. */
const SINK_BACKLOG_LIMIT = 200;

export interface TableRuntime {
  def: TableDef;
  inputNode: NodeId;
  contentsNode: NodeId;
  /** The table's PRIMARY KEY (first, if any) and UNIQUE constraints, each with its current keys, for the checks. */
  keys: TableKey[];
}

/** A PRIMARY KEY or UNIQUE constraint of a table and the rows that hold each key value (rows with a NULL in the key
 *  are not held: NULLs never collide, as in PostgreSQL). */
export interface TableKey {
  name: string;
  columns: number[];
  rows: Map<string, Row>;
}

export interface EvalErrorCount {
  view: string;
  count: number;
  lastError: string;
  lastAtMs: number;
}

const DEAD_LETTER_TABLE = 'sys/dead_letters';
const DEAD_LETTER_RAW_LIMIT = 1024;

export class Engine {
  readonly catalog: Catalog;
  /** Random id of this data directory (or of this in-memory run): names its Kafka transactional ids. */
  readonly instanceId: string;
  readonly dataflow: Dataflow;
  readonly sources = new Map<string, SourceRuntime>();
  readonly sinks = new Map<string, SinkRuntime>();
  readonly tables = new Map<string, TableRuntime>();
  readonly evalErrors = new Map<string, EvalErrorCount>();
  readonly epochDurations: number[] = [];
  readonly startedAtMs = Date.now();
  /** Shared evaluation context: NOW() of the running epoch. */
  readonly ctx: EvalContext = { nowMicros: 0, timeZone: 'UTC' };
  private queue: Promise<unknown> = Promise.resolve();
  /** Set while an epoch is applying changes and committing them (see read()). */
  private uncommitted: Promise<void> | null = null;
  /**
   * True while the running epoch's dataflow step is done and its store commit is in flight, and the catalog is
   * the one last committed: reads then answer as of the step before (the last committed epoch) at once.
   */
  private committingData = false;
  /** The catalog generation as of the last commit. */
  private committedGeneration = -1;
  private timer: NodeJS.Timeout | null = null;
  private pending = new Map<NodeId, ChangeBatch>();
  private closed = false;
  private epochRunning = false;
  lastEpochAtMs = 0;
  private nextBackendPid = 1000;
  private sourcesMoved = false;

  private constructor(
    readonly store: StateStore,
    readonly clock: Clock,
    readonly log: Logger,
    readonly epochMs: number,
    readonly clientId: string,
    readonly dataDir: string | null,
    residentRows: number,
  ) {
    this.catalog = Catalog.fromSnapshot(store.getMeta('catalog') as CatalogSnapshot | undefined);
    const id = store.getMeta('instance_id');
    this.instanceId = typeof id === 'string' ? id : randomBytes(6).toString('hex');
    if (id === undefined) store.putMeta('instance_id', this.instanceId);
    // Without a data directory nothing is ever read back, so operators keep their state in memory only.
    this.dataflow = new Dataflow(store, { persistState: dataDir !== null, residentRows });
  }

  static async create(opts: EngineOptions = {}): Promise<Engine> {
    await initParser();
    const log = opts.log ?? createLogger('silent');
    const store: StateStore = opts.dataDir ? await (await import('../state/lmdb-store.js')).LmdbStore.open(opts.dataDir) : new MemoryStore();
    const engine = new Engine(store, opts.clock ?? new SystemClock(), log, opts.epochMs ?? 100, opts.clientId ?? 'sluice', opts.dataDir ?? null, opts.residentRows ?? DEFAULT_RESIDENT_ROWS);
    engine.ctx.nowMicros = engine.clock.nowMicros();
    const t0 = Date.now();
    await engine.recover();
    if (engine.catalog.list().length) log.info('recovery done', { epoch: store.committedEpoch(), objects: engine.catalog.list().length, ms: Date.now() - t0 });
    if (opts.autoEpochs !== false) engine.startTimer();
    return engine;
  }

  get epoch(): Epoch {
    return this.store.committedEpoch();
  }

  openSession(opts: SessionOptions): EngineSession {
    return new Session(this, opts, this.nextBackendPid++);
  }

  /**
   * Run a synchronous read on the last committed epoch, without queueing behind other statements: at once when
   * no epoch is between applying its changes and committing them; at once too while an epoch that changed only
   * data commits, with the views answering as of the epoch before (Dataflow.readBeforeLastStep); else (DDL, or a
   * view that cannot answer that way) right after that commit. Returns the value itself (or throws) when it ran
   * at once, so the common case costs no promise.
   */
  read<T>(fn: () => T): T | Promise<T> {
    if (this.uncommitted === null) return fn();
    if (this.committingData && this.catalog.generation === this.committedGeneration) {
      try {
        return this.dataflow.readBeforeLastStep(fn);
      } catch (e) {
        if (!(e instanceof NotReadableBeforeLastStep)) throw e;
      }
    }
    return this.readAfterCommit(fn);
  }

  private async readAfterCommit<T>(fn: () => T): Promise<T> {
    while (this.uncommitted !== null) await this.uncommitted;
    return fn();
  }

  /** Run `fn` with exclusive access to the engine's mutable state. */
  serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private startTimer(): void {
    this.timer = setInterval(() => {
      if (this.epochRunning || this.closed) return;
      this.epochRunning = true;
      this.serial(() => this.runEpoch(true))
        .catch((e) => this.log.error('epoch failed', { error: String(e) }))
        .finally(() => {
          this.epochRunning = false;
        });
    }, this.epochMs);
    this.timer.unref?.();
  }

  /** Is anything queued that an epoch would apply (changes, sink snapshots, due timers)? Sources aside. */
  private hasQueuedWork(): boolean {
    if (this.pending.size) return true;
    for (const s of this.sinks.values()) if (s.pendingInitial || s.pendingChanged) return true;
    const wake = this.dataflow.nextWakeupMicros();
    return wake !== null && wake <= this.clock.nowMicros();
  }

  /** Queue changes for an input node, applied by the next epoch. */
  push(node: NodeId, batch: ChangeBatch): void {
    if (!batch.length) return;
    const q = this.pending.get(node);
    if (q) q.push(...batch);
    else this.pending.set(node, [...batch]);
  }

  /**
   * One epoch: drain sources, apply queued changes, step the dataflow at NOW(), commit everything in one
   * store transaction, then hand sink output to the sinks (logged in the same commit, so never lost).
   * Must run inside serial().
   */
  async runEpoch(skipIfIdle = false): Promise<boolean> {
    let committed!: () => void;
    this.uncommitted = new Promise((resolve) => (committed = resolve));
    try {
      return await this.applyAndCommitEpoch(skipIfIdle);
    } finally {
      this.uncommitted = null;
      committed();
    }
  }

  private async applyAndCommitEpoch(skipIfIdle: boolean): Promise<boolean> {
    const started = performance.now();
    const now = this.clock.nowMicros();
    this.ctx.nowMicros = now;
    const epoch = this.store.committedEpoch() + 1;
    const deadLetters = this.store.table(DEAD_LETTER_TABLE);
    const backpressure = [...this.sinks.values()].some((s) => s.pending.length >= SINK_BACKLOG_LIMIT);
    for (const s of this.sources.values()) {
      if (!s.reader || !s.decoder || backpressure || !this.hasReaders(s.inputNode)) continue;
      const batch: ChangeBatch = [];
      for (;;) {
        const msgs = s.reader.poll(10_000);
        if (!msgs.length) break;
        for (const m of msgs) {
          const r = s.decoder.decode(m);
          if (r.ok) batch.push({ row: r.row, weight: 1 });
          else {
            s.deadLetters++;
            const raw = m.value === null ? '' : m.value.subarray(0, DEAD_LETTER_RAW_LIMIT).toString('utf8');
            deadLetters.put([s.def.name, m.partition, BigInt(m.offset)], { kafkaTimestampMs: m.timestampMs, error: r.error, raw, size: m.value?.length ?? 0, atMs: Date.now() });
          }
        }
        if (batch.length >= 50_000) break;
      }
      s.rowsIngested += batch.length;
      this.push(s.inputNode, batch);
      const pos = s.reader.position();
      const key = JSON.stringify(pos);
      if (key !== s.committedPosition) {
        this.store.putMeta(`source/${s.def.name}/offsets`, pos);
        s.committedPosition = key;
        this.sourcesMoved = true;
      }
    }
    const moved = this.sourcesMoved;
    this.sourcesMoved = false;
    if (skipIfIdle && !moved && !this.hasQueuedWork()) {
      // Nothing arrived: no commit, but remember how far sources got (offsets of dead-letter-only polls).
      return false;
    }
    for (const [node, batch] of this.pending) this.dataflow.push(node, batch);
    this.pending = new Map();
    const outputs = this.dataflow.step(now);
    for (const s of this.sinks.values()) {
      const changes: ChangeBatch = [...(s.pendingInitial ?? []), ...(outputs.get(s.node) ?? [])];
      s.pendingInitial = null;
      const msgs = changes.length ? s.encode(changes) : [];
      if (msgs.length) s.pending.push({ epoch, messages: msgs });
      if (msgs.length || s.pendingChanged) {
        this.store.putMeta(`sink/${s.def.name}/pending`, s.pending);
        s.pendingChanged = false;
      }
    }
    this.store.putMeta('catalog', this.catalog.snapshot());
    this.committingData = true;
    try {
      await this.store.commitEpoch(epoch);
    } finally {
      this.committingData = false;
    }
    this.committedGeneration = this.catalog.generation;
    this.lastEpochAtMs = Date.now();
    for (const s of this.sinks.values()) if (s.pending.length) this.drainSink(s);
    this.epochDurations.push(performance.now() - started);
    if (this.epochDurations.length > 1000) this.epochDurations.splice(0, 500);
    return true;
  }

  /** Write a sink's committed epochs in order, outside the epoch loop (a dead broker must not stall queries). */
  drainSink(s: SinkRuntime): void {
    if (s.draining || !s.writer) return;
    s.draining = true;
    const writer = s.writer;
    (async () => {
      await s.ready;
      while (s.pending.length && !this.closed && this.sinks.get(s.def.name) === s) {
        const next = s.pending[0]!;
        try {
          await writer.writeEpoch(next.epoch, next.messages.map((m) => ({ key: m.key, value: m.value, headers: {} })));
        } catch (e) {
          s.lastError = String((e as Error).message ?? e);
          this.log.error('sink write failed', { sink: s.def.name, epoch: next.epoch, error: s.lastError });
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        s.pending.shift();
        s.pendingChanged = true;
        s.messagesWritten += next.messages.length;
        s.lastError = null;
      }
    })().finally(() => {
      s.draining = false;
    });
  }

  /** Run epochs until every source has handed over what its broker has, and nothing is queued (bounded). */
  async waitCaughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.serial(() => this.runEpoch());
      if (this.caughtUp()) return;
      if (Date.now() > deadline) throw new SqlError(SQLSTATE.query_canceled, 'timed out waiting for sources to catch up');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Every source has handed over all messages up to its partitions' high watermarks. */
  caughtUp(): boolean {
    if (this.hasQueuedWork()) return false;
    for (const s of this.sources.values()) {
      if (!s.reader || !this.hasReaders(s.inputNode)) continue;
      const st = s.reader.status();
      if (st.state !== 'running') return false;
      for (const p of st.partitions) {
        // An unknown end (no fetch answered yet; a file not read to its end) is not caught up.
        if (p.highWatermark === null || BigInt(p.highWatermark) > BigInt(p.nextOffset)) return false;
      }
    }
    return true;
  }

  recordEvalError(view: string, e: unknown): Value {
    const cur = this.evalErrors.get(view) ?? { view, count: 0, lastError: '', lastAtMs: 0 };
    cur.count++;
    cur.lastError = e instanceof Error ? e.message : String(e);
    cur.lastAtMs = Date.now();
    this.evalErrors.set(view, cur);
    return null;
  }

  deadLetterRows(): DeadLetter[] {
    const out: DeadLetter[] = [];
    for (const [k, v] of this.store.table(DEAD_LETTER_TABLE).scan()) {
      const d = v as { kafkaTimestampMs: number | null; error: string; raw: string; atMs: number };
      out.push({ source: k[0] as string, partition: k[1] as number, offset: String(k[2]), kafkaTimestampMs: d.kafkaTimestampMs, error: d.error, raw: d.raw, atMs: d.atMs });
    }
    return out;
  }

  /** Rows (expanded by multiplicity) of a materialize node. */
  contentsOf(node: NodeId): Row[] {
    const out: Row[] = [];
    for (const [row, n] of this.dataflow.contents(node)) for (let i = 0; i < n; i++) out.push(row);
    return out;
  }

  /** Batch-evaluate a plan as a fresh session would (used by DML). */
  evaluatePlan(plan: import('../plan/logical.js').LogicalPlan, params: readonly Value[]): Row[] {
    return (this.openSession({ user: 'root', database: 'dev' }) as Session).evaluate(plan, params);
  }

  notice(message: string, detail?: string): Notice {
    return { severity: 'NOTICE', code: '00000', message, detail };
  }

  private async recover(): Promise<void> {
    // Rebuild runtimes in creation order; operators reload their state from the store by node id.
    const { rebuildObject } = await import('./ddl.js');
    for (const obj of this.catalog.list()) await rebuildObject(this, obj as CatalogObject);
  }

  /** Ids of every node in the dataflow, for DROP to find an object's nodes. */
  readonly nodeIds = new Set<NodeId>();

  /** How many nodes read each node: a source with no reader is not polled (it stores nothing, so reading it
   * before a view exists would drop rows; RisingWave also starts a source with its first view). */
  private readonly readers = new Map<NodeId, number>();

  addNodes(nodes: NodeSpec[]): void {
    this.dataflow.addNodes(nodes);
    for (const n of nodes) {
      this.nodeIds.add(n.id);
      this.specs.set(n.id, n);
      for (const i of inputsOf(n)) this.readers.set(i, (this.readers.get(i) ?? 0) + 1);
    }
  }

  /** ALTER: a running aggregate takes the HAVING (and label) of `spec`, its state unchanged. */
  replaceAggregateHaving(id: NodeId, spec: NodeSpec): void {
    this.dataflow.replaceAggregateHaving(id, spec);
    this.specs.set(id, spec);
  }

  removeNodes(ids: NodeId[]): void {
    const specs = ids.map((id) => this.specs.get(id)).filter((x): x is NodeSpec => x !== undefined);
    this.dataflow.removeNodes(ids);
    for (const n of specs) for (const i of inputsOf(n)) this.readers.set(i, (this.readers.get(i) ?? 1) - 1);
    for (const id of ids) {
      this.nodeIds.delete(id);
      this.specs.delete(id);
    }
  }

  private readonly specs = new Map<NodeId, NodeSpec>();

  hasReaders(node: NodeId): boolean {
    return (this.readers.get(node) ?? 0) > 0;
  }


  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.queue.catch(() => undefined);
    for (const s of this.sources.values()) await s.reader?.close().catch(() => undefined);
    for (const s of this.sinks.values()) await s.writer?.close().catch(() => undefined);
    await this.store.close();
  }
}

export function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  return Engine.create(opts);
}

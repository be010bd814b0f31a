/**
 * Dataflow: one graph of operators over change batches, stepped one epoch at a time.
 * State: nodes in topological order, each with its Operator; input batches queued by push(); per-node backfill
 * batches queued by addNodes(); a registry table `df/nodes` (key [nodeId] → kind) of the nodes that have
 * stepped at least once, so re-adding them after a restart reloads their state instead of starting fresh.
 * ALTER MATERIALIZED VIEW support: currentOutput() of a kept node, queueBackfill() for a new node reading it, and
 * rewire() of a materialize node onto a new input (keeping its operator and contents).
 * Invariant: step() feeds every node the deltas its inputs produced in the same step, in topological order.
 * evaluateBatch / evaluateBatchInterruptible: a query evaluated once over given rows on a throwaway Dataflow.
 */
import type { ChangeBatch } from '../common/changes.js';
import { SQLSTATE, SqlError } from '../common/errors.js';
import type { Row, Value } from '../common/types.js';
import type { StateStore, StateTable } from '../state/store.js';
import { AggregateOperator } from './aggregate.js';
import { DistinctOperator } from './distinct.js';
import { JoinOperator } from './join.js';
import { MaterializeOperator } from './materialize.js';
import { TABLE_PARTS, OperatorEnv, stateTableName, type Operator, type ReadView } from './operator.js';
import type { NodeId, NodeSpec } from './spec.js';
import { FilterOperator, FlatMapOperator, MapOperator, UnionOperator } from './stateless.js';
import { TemporalFilterOperator } from './temporal-filter.js';
import { TopNOperator } from './top-n.js';
import { dfRowKey } from './row-key.js';
import { consolidate, concatBatches, RowCounts } from './zset.js';

/** The registry table of nodes that have state from an earlier step. */
export const NODE_REGISTRY_TABLE = 'df/nodes';

export interface DataflowOptions {
  /** False = keep state in memory only (batch evaluation): no state table is read or written. Default true. */
  persistState?: boolean;
  /** Per aggregate/materialize node, the most entries kept in memory between epochs (see OperatorEnv). */
  residentRows?: number;
}

interface NodeRuntime {
  spec: NodeSpec;
  inputs: readonly NodeId[];
  readonly op: Operator | null; // null for 'input' nodes
  /** Batches queued for each input port before the next step (backfill). */
  backfill: ChangeBatch[] | null;
  registered: boolean;
}

/** The input node ids a node reads, one per port. */
export function inputsOf(spec: NodeSpec): NodeId[] {
  switch (spec.kind) {
    case 'input':
      return [];
    case 'map':
    case 'filter':
    case 'flatMap':
    case 'aggregate':
    case 'distinct':
    case 'temporalFilter':
    case 'topN':
    case 'materialize':
      return [spec.input];
    case 'join':
      return [spec.left, spec.right];
    case 'union':
      return [...spec.inputs];
    default: {
      const never: never = spec;
      throw new Error(`unknown node kind ${(never as NodeSpec).kind}`);
    }
  }
}

function buildOperator(spec: NodeSpec, env: OperatorEnv): Operator | null {
  switch (spec.kind) {
    case 'input':
      return null;
    case 'map':
      return new MapOperator(spec.fns);
    case 'filter':
      return new FilterOperator(spec.pred);
    case 'flatMap':
      return new FlatMapOperator(spec.fn);
    case 'union':
      return new UnionOperator();
    case 'aggregate':
      return new AggregateOperator(env, spec.groupKey, spec.aggregates, spec.global, spec.having);
    case 'distinct':
      return new DistinctOperator(env);
    case 'join':
      return new JoinOperator(env, spec.joinType, spec.leftKey, spec.rightKey, spec.residual, spec.leftArity, spec.rightArity);
    case 'temporalFilter':
      return new TemporalFilterOperator(env, spec.validity);
    case 'topN':
      return new TopNOperator(env, spec.orderBy, spec.limit, spec.offset);
    case 'materialize':
      return new MaterializeOperator(env);
    default: {
      const never: never = spec;
      throw new Error(`unknown node kind ${(never as NodeSpec).kind}`);
    }
  }
}

export class Dataflow {
  private readonly nodes = new Map<NodeId, NodeRuntime>();
  private order: NodeRuntime[] = [];
  private readonly pushed = new Map<NodeId, ChangeBatch[]>();
  private readonly watched = new Set<NodeId>();
  private readonly persist: boolean;
  private readonly residentRows: number;
  private readonly registry: StateTable | null;
  private failed: unknown = null;
  private readonly readView: ReadView = { step: 0, beforeLastStep: false };

  constructor(
    private readonly store: StateStore,
    options: DataflowOptions = {},
  ) {
    this.persist = options.persistState !== false;
    this.residentRows = options.residentRows ?? Infinity;
    this.registry = this.persist ? store.table(NODE_REGISTRY_TABLE) : null;
  }

  /**
   * Add nodes (in any order among themselves; every input must exist already or be in the list; no cycles).
   * A new node reading an existing (or reloaded) 'materialize' node gets its current contents as an insert
   * batch at the next step (backfill). A node already in the registry reloads its state from its tables.
   * Throws SqlError 42710 on a duplicate id, 42P01 on an unknown input.
   */
  addNodes(specs: NodeSpec[]): void {
    const sorted = topoSort(specs, this.nodes);
    const existedBefore = new Set(this.nodes.keys());
    const added: NodeRuntime[] = [];
    try {
      for (const spec of sorted) {
        const registered = this.registry !== null && this.registry.get([spec.id]) !== undefined;
        const env = new OperatorEnv(spec.id, this.store, this.persist, !registered, this.residentRows, this.readView);
        const rt: NodeRuntime = { spec, inputs: inputsOf(spec), op: buildOperator(spec, env), backfill: null, registered };
        this.nodes.set(spec.id, rt);
        added.push(rt);
      }
    } catch (e) {
      for (const rt of added) this.nodes.delete(rt.spec.id);
      throw e;
    }
    for (const rt of added) {
      if (rt.registered) continue;
      rt.inputs.forEach((inputId, port) => {
        const src = this.nodes.get(inputId)!;
        if (src.spec.kind !== 'materialize' || !(existedBefore.has(inputId) || src.registered)) return;
        const rows: ChangeBatch = [];
        for (const [row, mult] of (src.op as MaterializeOperator).contents()) rows.push({ row, weight: mult });
        if (rt.backfill === null) rt.backfill = rt.inputs.map(() => []);
        rt.backfill[port] = rows;
      });
    }
    this.order = this.order.concat(added);
  }

  /** Remove nodes and drop their state tables. Throws SqlError 2BP01 if a remaining node reads one of them. */
  removeNodes(ids: NodeId[]): void {
    const gone = new Set(ids);
    for (const rt of this.order) {
      if (gone.has(rt.spec.id)) continue;
      for (const i of rt.inputs) {
        if (gone.has(i)) throw new SqlError(SQLSTATE.dependent_objects_still_exist, `cannot remove dataflow node "${i}" because node "${rt.spec.id}" reads it`);
      }
    }
    for (const id of ids) {
      const rt = this.nodes.get(id);
      if (rt === undefined) continue;
      if (this.persist) {
        for (const part of TABLE_PARTS[rt.spec.kind]!) this.store.dropTable(stateTableName(id, part));
        this.registry!.delete([id]);
      }
      this.nodes.delete(id);
      this.pushed.delete(id);
      this.watched.delete(id);
    }
    this.order = this.order.filter((rt) => !gone.has(rt.spec.id));
  }

  has(id: NodeId): boolean {
    return this.nodes.has(id);
  }

  /**
   * The integrated output of a node as an insert batch, from its state: a materialize node's contents, an
   * aggregate's current group rows. null for kinds whose output is not kept in their state (stateless operators,
   * joins, temporal filters, top-N, distinct): their output must be recomputed from their inputs.
   */
  currentOutput(id: NodeId): ChangeBatch | null {
    const rt = this.nodes.get(id);
    if (rt === undefined) throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" does not exist`);
    const out: ChangeBatch = [];
    if (rt.spec.kind === 'materialize') {
      for (const [row, weight] of (rt.op as MaterializeOperator).contents()) out.push({ row, weight });
      return out;
    }
    if (rt.spec.kind === 'aggregate') {
      for (const row of (rt.op as AggregateOperator).currentRows()) out.push({ row, weight: 1 });
      return out;
    }
    return null;
  }

  /**
   * Give a running aggregate node the HAVING (and label) of `spec`, an aggregate spec equal to its own but for
   * HAVING: its groups are kept, their output rows recomputed. Its readers must then be rebuilt or backfilled
   * (ALTER does): nothing is emitted for the change.
   */
  replaceAggregateHaving(id: NodeId, spec: NodeSpec): void {
    const rt = this.nodes.get(id);
    if (rt === undefined || rt.spec.kind !== 'aggregate' || spec.kind !== 'aggregate') throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" is not an aggregate`);
    (rt.op as AggregateOperator).replaceHaving(spec.having);
    rt.spec = { ...spec, id, input: rt.spec.input };
  }

  /** Queue a backfill batch for input port `port` of a node, delivered with that port's delta at the next step. */
  queueBackfill(id: NodeId, port: number, batch: ChangeBatch): void {
    const rt = this.nodes.get(id);
    if (rt === undefined) throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" does not exist`);
    if (port < 0 || port >= rt.inputs.length) throw new SqlError(SQLSTATE.internal_error, `dataflow node "${id}" has no input port ${port}`);
    if (batch.length === 0) return;
    if (rt.backfill === null) rt.backfill = rt.inputs.map(() => []);
    rt.backfill[port] = concatBatches([rt.backfill[port]!, batch]);
  }

  /**
   * Point an existing materialize node at another input, keeping its operator and contents; `backfill` is fed to
   * it at the next step (for ALTER: the negated old contents plus the new input's current output, so its delta
   * is exactly new − old). Re-sorts the graph so every node still follows its inputs.
   */
  rewire(id: NodeId, input: NodeId, backfill: ChangeBatch): void {
    const rt = this.nodes.get(id);
    if (rt === undefined || rt.spec.kind !== 'materialize') throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" is not a materialize node`);
    if (!this.nodes.has(input)) throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" reads unknown node "${input}"`);
    if (this.closure([input]).has(id)) throw new SqlError(SQLSTATE.invalid_parameter_value, `dataflow node "${id}" would be part of a cycle`);
    rt.spec = { ...rt.spec, input };
    rt.inputs = [input];
    rt.backfill = [concatBatches([...(rt.backfill ?? []), backfill])];
    this.resort();
  }

  /** Topological order of all nodes, keeping the current order wherever it already is one. */
  private resort(): void {
    const placed = new Set<NodeId>();
    const out: NodeRuntime[] = [];
    const visit = (rt: NodeRuntime): void => {
      if (placed.has(rt.spec.id)) return;
      placed.add(rt.spec.id);
      for (const i of rt.inputs) visit(this.nodes.get(i)!);
      out.push(rt);
    };
    for (const rt of this.order) visit(rt);
    this.order = out;
  }

  /** Queue input changes for an 'input' node; applied at the next step. */
  push(inputId: NodeId, batch: ChangeBatch): void {
    const rt = this.nodes.get(inputId);
    if (rt === undefined || rt.spec.kind !== 'input') throw new SqlError(SQLSTATE.undefined_object, `dataflow input "${inputId}" does not exist`);
    if (batch.length === 0) return;
    let q = this.pushed.get(inputId);
    if (q === undefined) this.pushed.set(inputId, (q = []));
    q.push(batch);
  }

  /**
   * Run one epoch with NOW() = nowMicros: every queued batch flows through the graph in topological order, then
   * every stepped operator writes its state. Returns the consolidated delta of each watched node (empty deltas
   * included). If an operator's closure throws, the error propagates and the Dataflow refuses further steps
   * (its in-memory state is part-way through an epoch; rebuild it from the last committed store).
   */
  step(nowMicros: number): Map<NodeId, ChangeBatch> {
    if (this.failed !== null) throw new SqlError(SQLSTATE.internal_error, 'dataflow failed in an earlier step and must be rebuilt', { detail: String(this.failed) });
    this.readView.step++;
    const deltas = new Map<NodeId, ChangeBatch>();
    const stepped: Operator[] = [];
    const newlyRegistered: NodeRuntime[] = [];
    try {
      for (const rt of this.order) {
        if (rt.op === null) {
          const q = this.pushed.get(rt.spec.id);
          if (q !== undefined) {
            deltas.set(rt.spec.id, concatBatches(q));
            this.pushed.delete(rt.spec.id);
          }
        } else {
          let any = false;
          const ins: ChangeBatch[] = new Array(rt.inputs.length);
          for (let p = 0; p < rt.inputs.length; p++) {
            let d = deltas.get(rt.inputs[p]!) ?? [];
            if (rt.backfill !== null && rt.backfill[p]!.length > 0) d = concatBatches([rt.backfill[p]!, d]);
            if (d.length > 0) any = true;
            ins[p] = d;
          }
          rt.backfill = null;
          if (any || rt.op.wantsStep(nowMicros)) {
            const out = rt.op.step(ins, nowMicros);
            stepped.push(rt.op);
            if (out.length > 0) deltas.set(rt.spec.id, out);
          }
        }
        if (!rt.registered && this.persist) newlyRegistered.push(rt);
      }
      for (const op of stepped) op.flush();
      for (const rt of newlyRegistered) {
        this.registry!.put([rt.spec.id], rt.spec.kind);
        rt.registered = true;
      }
    } catch (e) {
      this.failed = e;
      throw e;
    }
    const result = new Map<NodeId, ChangeBatch>();
    for (const id of this.watched) result.set(id, consolidate(deltas.get(id) ?? []));
    return result;
  }

  watch(id: NodeId): void {
    if (!this.nodes.has(id)) throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" does not exist`);
    this.watched.add(id);
  }

  unwatch(id: NodeId): void {
    this.watched.delete(id);
  }

  /** Earliest time (µs) at which some temporal filter changes its output by itself, or null. */
  nextWakeupMicros(): number | null {
    let best: number | null = null;
    for (const rt of this.order) {
      const t = rt.op?.nextWakeup() ?? null;
      if (t !== null && (best === null || t < best)) best = t;
    }
    return best;
  }

  /**
   * Run `fn`, a synchronous read, with every materialize node answering as of the end of the step before the
   * last (contents, rowCount, lookup): the engine serves its last committed epoch this way while the next one
   * commits. Throws NotReadableBeforeLastStep when a node it reads cannot (see MaterializeOperator).
   */
  readBeforeLastStep<T>(fn: () => T): T {
    this.readView.beforeLastStep = true;
    try {
      return fn();
    } finally {
      this.readView.beforeLastStep = false;
    }
  }

  /** Current contents of a materialize node: each distinct row with its multiplicity. */
  contents(id: NodeId): Iterable<[Row, number]> {
    return this.materializeOp(id).contents();
  }

  /** A materialize node's contents as its resident entries, or null (see MaterializeOperator.residentEntries). */
  residentContents(id: NodeId): Iterable<{ readonly row: Row; readonly weight: number }> | null {
    return this.materializeOp(id).residentEntries();
  }

  /** Σ multiplicities of a materialize node's contents. */
  rowCount(id: NodeId): number {
    return this.materializeOp(id).rowCount;
  }

  /** The materialize node's rows whose `columns` equal `values` (see MaterializeOperator.lookup); null: no index. */
  lookup(id: NodeId, columns: readonly number[], values: readonly Value[]): [Row, number][] | null {
    return this.materializeOp(id).lookup(columns, values);
  }

  private materializeOp(id: NodeId): MaterializeOperator {
    const rt = this.nodes.get(id);
    if (rt === undefined || rt.spec.kind !== 'materialize') throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" is not a materialize node`);
    return rt.op as MaterializeOperator;
  }

  /** Readable text of the graph: one line per node (id, kind, label, inputs), in topological order. */
  explain(ids?: NodeId[]): string {
    const wanted = ids === undefined ? null : this.closure(ids);
    const lines: string[] = [];
    for (const rt of this.order) {
      if (wanted !== null && !wanted.has(rt.spec.id)) continue;
      const ins = rt.inputs.length > 0 ? ` <- ${rt.inputs.join(', ')}` : '';
      lines.push(`${rt.spec.id}: ${rt.spec.kind} ${rt.spec.label}${ins}`);
    }
    return lines.join('\n');
  }

  /** Entries in the node's state tables (0 for stateless nodes and when not persisting). */
  stateSize(id: NodeId): number {
    const rt = this.nodes.get(id);
    if (rt === undefined) throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${id}" does not exist`);
    if (!this.persist) return 0;
    let n = 0;
    for (const part of TABLE_PARTS[rt.spec.kind]!) n += this.store.table(stateTableName(id, part)).size();
    return n;
  }

  /** The node ids reachable upstream from ids (inclusive). */
  private closure(ids: NodeId[]): Set<NodeId> {
    const seen = new Set<NodeId>();
    const stack = [...ids];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const rt = this.nodes.get(id);
      if (rt !== undefined) stack.push(...rt.inputs);
    }
    return seen;
  }
}

/** Order new specs so each comes after its inputs; existing nodes count as already placed. */
function topoSort(specs: NodeSpec[], existing: ReadonlyMap<NodeId, NodeRuntime>): NodeSpec[] {
  const byId = new Map<NodeId, NodeSpec>();
  for (const s of specs) {
    if (existing.has(s.id) || byId.has(s.id)) throw new SqlError(SQLSTATE.duplicate_object, `dataflow node "${s.id}" already exists`);
    byId.set(s.id, s);
  }
  const out: NodeSpec[] = [];
  const state = new Map<NodeId, 1 | 2>(); // 1 = visiting, 2 = placed
  const visit = (s: NodeSpec): void => {
    const st = state.get(s.id);
    if (st === 2) return;
    if (st === 1) throw new SqlError(SQLSTATE.invalid_parameter_value, `dataflow node "${s.id}" is part of a cycle`);
    state.set(s.id, 1);
    for (const i of inputsOf(s)) {
      if (existing.has(i)) continue;
      const dep = byId.get(i);
      if (dep === undefined) throw new SqlError(SQLSTATE.undefined_object, `dataflow node "${s.id}" reads unknown node "${i}"`);
      visit(dep);
    }
    state.set(s.id, 2);
    out.push(s);
  };
  for (const s of specs) visit(s);
  return out;
}

/** A batch evaluation: the plan's nodes, the rows of each input node, the node whose output is the result, NOW(). */
export interface BatchQuery {
  readonly nodes: NodeSpec[];
  readonly inputs: ReadonlyMap<NodeId, readonly Row[]>;
  readonly outputId: NodeId;
  readonly nowMicros: number;
}

/**
 * Batch evaluation with the same operators (ad-hoc SELECT): a throwaway Dataflow that keeps state in memory
 * only, `inputs` pushed as insert batches, one step. Law: the result equals the integrated output of `outputId`
 * had the same rows streamed in over any number of steps. Returns the rows of `outputId`, each repeated by its
 * multiplicity (order unspecified). Writes nothing to `store` (state stays in memory), so any store will do.
 */
export function evaluateBatch(nodes: NodeSpec[], inputs: ReadonlyMap<NodeId, readonly Row[]>, outputId: NodeId, nowMicros: number, store: StateStore): Row[] {
  const run = new BatchRun({ nodes, inputs, outputId, nowMicros }, store);
  run.step(Infinity);
  return run.rows();
}

export interface InterruptibleBatchOptions {
  /** Called after every step (after yielding to the event loop when one was due); throws to stop, e.g. SqlError 57014. */
  interrupt: () => void;
  /** Yield to the event loop (one macrotask) once this many ms have passed since the last yield. Default 10. */
  yieldEveryMs?: number;
  /** Rows of each input pushed by the first step. Default 256; then adapted so a step takes about yieldEveryMs. */
  firstStepRows?: number;
}

/**
 * evaluateBatch, interruptible: the inputs are pushed in slices over several steps (the same law makes the result
 * equal), the slice size adapted so one step takes about `yieldEveryMs` (scaled by target / measured time, at
 * most ×8 up and ÷2 down: a cross join's step grows with what came before, a filter's does not), and between
 * steps the event loop gets a turn when due and `interrupt` may throw, which stops the evaluation with its error.
 * The result deltas of the steps (which may retract earlier rows) are summed per row. An error raised by a closure while
 * only part of the input was in (`1 / (count(*) - 2)` passing 2) may not happen on the whole input: the query is
 * then evaluated again in one step (synchronously), which returns the rows or throws the error that is real.
 * The caller must not change `query.inputs` before the promise settles (pass copies of live contents).
 */
export async function evaluateBatchInterruptible(query: BatchQuery, store: StateStore, opts: InterruptibleBatchOptions): Promise<Row[]> {
  const yieldEveryMs = opts.yieldEveryMs ?? 10;
  const run = new BatchRun(query, store);
  let sliceRows = Math.max(1, opts.firstStepRows ?? 256);
  let lastYieldAt = performance.now();
  while (!run.done) {
    const startedAt = performance.now();
    try {
      run.step(sliceRows);
    } catch (e) {
      if (run.wholeInputInFirstStep) throw e;
      return evaluateBatch(query.nodes, query.inputs, query.outputId, query.nowMicros, store);
    }
    const endedAt = performance.now();
    // Aim the next step at yieldEveryMs: scale the slice by target / took, at most ×8 up and ÷2 down per step.
    const scale = Math.min(8, Math.max(0.5, yieldEveryMs / Math.max(endedAt - startedAt, 0.001)));
    sliceRows = Math.max(1, Math.floor(sliceRows * scale));
    if (endedAt - lastYieldAt >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYieldAt = performance.now();
    }
    opts.interrupt();
  }
  return run.rows();
}

/**
 * One batch evaluation in progress: a throwaway in-memory Dataflow, a cursor per input, and the sum of the output
 * deltas so far (the first step's consolidated delta as it is; from the second step on, per row in a RowCounts,
 * whose entries keep the representation of the latest insertion).
 */
class BatchRun {
  private readonly df: Dataflow;
  private readonly cursors: { id: NodeId; rows: readonly Row[]; next: number }[] = [];
  private steps = 0;
  private first: ChangeBatch | null = null;
  private summed: RowCounts | null = null;
  /** The first step pushed every input row (so its errors are those of a one-step evaluation). */
  wholeInputInFirstStep = false;

  constructor(
    private readonly query: BatchQuery,
    store: StateStore,
  ) {
    this.df = new Dataflow(store, { persistState: false });
    this.df.addNodes(query.nodes);
    this.df.watch(query.outputId);
    for (const [id, rows] of query.inputs) if (rows.length > 0) this.cursors.push({ id, rows, next: 0 });
  }

  /** Every input row has been pushed and stepped (at least one step ran: a global aggregate answers empty input). */
  get done(): boolean {
    return this.steps > 0 && this.cursors.every((c) => c.next >= c.rows.length);
  }

  /** Push the next `sliceRows` rows of every input, step once at the query's NOW(), and add the output delta. */
  step(sliceRows: number): void {
    let whole = this.steps === 0;
    for (const c of this.cursors) {
      if (c.next >= c.rows.length) continue;
      const end = Math.min(c.rows.length, c.next + sliceRows);
      if (c.next > 0 || end < c.rows.length) whole = false;
      const batch: ChangeBatch = new Array(end - c.next);
      for (let i = c.next; i < end; i++) batch[i - c.next] = { row: c.rows[i]!, weight: 1 };
      this.df.push(c.id, batch);
      c.next = end;
    }
    if (this.steps === 0) this.wholeInputInFirstStep = whole;
    const delta = this.df.step(this.query.nowMicros).get(this.query.outputId) ?? [];
    this.steps++;
    if (this.steps === 1) {
      this.first = delta;
      return;
    }
    if (this.summed === null) {
      this.summed = new RowCounts();
      this.add(this.first!);
      this.first = null;
    }
    this.add(delta);
  }

  private add(delta: ChangeBatch): void {
    for (const c of delta) this.summed!.add(dfRowKey(c.row), c.row, c.weight);
  }

  /** The result so far: each row repeated by its multiplicity. */
  rows(): Row[] {
    const out: Row[] = [];
    const changes: Iterable<{ row: Row; weight: number }> = this.summed?.entries.values() ?? this.first ?? [];
    for (const c of changes) {
      if (c.weight < 0) throw new Error(`batch evaluation produced a negative multiplicity for node "${this.query.outputId}"`);
      for (let i = 0; i < c.weight; i++) out.push(c.row);
    }
    return out;
  }
}

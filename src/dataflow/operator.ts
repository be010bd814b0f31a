/**
 * The Operator contract every dataflow node implements, and the environment it is built in.
 * State: an operator keeps its integrated state in memory and writes the epoch's changes to its own state
 * tables in flush(); on construction over an existing node it reloads that state from the tables. Aggregate,
 * materialize, distinct and join nodes keep at most `residentRows` entries (groups, rows, join keys per side) in
 * memory after a flush — the rest stay in their tables and are read back on demand — and start lazily after a
 * restart when their tables hold more than that.
 * Invariant (Z-set law, per operator): integrating step() outputs equals the batch operator on the integrated input.
 */
import type { ChangeBatch } from '../common/changes.js';
import type { StateStore, StateTable } from '../state/store.js';
import type { NodeId } from './spec.js';

export interface Operator {
  /** Process one epoch: inputs[p] is the delta on input port p (possibly empty). Returns the output delta
   *  (possibly unconsolidated). Must not mutate its inputs; may keep references to input rows. */
  step(inputs: readonly ChangeBatch[], nowMicros: number): ChangeBatch;
  /** True if the operator must run at `nowMicros` even without input (due timers, a first output row). */
  wantsStep(nowMicros: number): boolean;
  /** Write the state changed since the last flush to the state tables (no-op when not persisting). */
  flush(): void;
  /** Earliest time at which the output changes without input, or null. */
  nextWakeup(): number | null;
}

/**
 * Which epoch a read of served state (materialize contents) is answered at, shared by a Dataflow and its
 * operators: `step` counts the Dataflow's steps; while `beforeLastStep` is set (inside
 * Dataflow.readBeforeLastStep) reads answer as of the end of step `step - 1`, i.e. the last committed epoch while
 * the latest one is still being committed.
 */
export interface ReadView {
  step: number;
  beforeLastStep: boolean;
}

/**
 * Thrown by a read inside Dataflow.readBeforeLastStep that cannot answer as of the step before (the node was not
 * read before that step, so it kept no undo record, or it is not fully resident): the caller waits for the commit.
 */
export class NotReadableBeforeLastStep extends Error {
  constructor(readonly nodeId: NodeId) {
    super(`dataflow node "${nodeId}" cannot be read as of the step before its last`);
  }
}

/** What an operator is built with: where its state lives and whether it starts empty. */
export class OperatorEnv {
  constructor(
    readonly nodeId: NodeId,
    private readonly store: StateStore,
    /** False for throwaway batch evaluation: no table is opened or written. */
    readonly persist: boolean,
    /** True when the node has no state from before (its tables are cleared). */
    readonly fresh: boolean,
    /** Most entries (groups, rows) a budgeted operator keeps in memory between epochs; Infinity = all. */
    readonly residentRows: number = Infinity,
    readonly readView: ReadView = { step: 0, beforeLastStep: false },
  ) {}

  /** The state table `df/<nodeId>/<part>`, or null when not persisting. Cleared when the node is fresh. */
  table(part: string): StateTable | null {
    if (!this.persist) return null;
    const t = this.store.table(stateTableName(this.nodeId, part));
    if (this.fresh && t.size() > 0) t.clear();
    return t;
  }
}

/** The name of a node's state table: stable across restarts because node ids are. */
export function stateTableName(nodeId: NodeId, part: string): string {
  return `df/${nodeId}/${part}`;
}

/** The state table parts each node kind owns (for stateSize/removeNodes). */
export const TABLE_PARTS: Record<string, readonly string[]> = {
  input: [],
  map: [],
  filter: [],
  flatMap: [],
  union: [],
  aggregate: ['groups', 'values'],
  distinct: ['rows'],
  join: ['left', 'right'],
  temporalFilter: ['timers'],
  topN: ['rows'],
  materialize: ['rows'],
};

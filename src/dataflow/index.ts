/**
 * Public face of the dataflow layer (L2): the spec the planner produces, the runtime graph and batch evaluation.
 * Other layers import from here only.
 */
export type { AggregateSpec, NodeId, NodeSpec, PredFn, RowFn } from './spec.js';
export { Dataflow, NODE_REGISTRY_TABLE, evaluateBatch, inputsOf, type DataflowOptions } from './graph.js';
export { NotReadableBeforeLastStep, stateTableName } from './operator.js';
export { consolidate, decodeCounted } from './zset.js';

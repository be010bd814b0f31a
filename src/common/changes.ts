/**
 * Change batches (Z-sets): rows with signed integer weights. +1 inserts, −1 deletes, an update is (−old, +new).
 * Invariant: a consolidated batch has at most one entry per distinct row and no zero weights.
 */
import type { Row } from './types.js';

export type Weight = number;

export interface Change {
  readonly row: Row;
  readonly weight: Weight;
}

/** An ordered list of changes; order carries no meaning beyond display. */
export type ChangeBatch = Change[];

/** An epoch number: all changes of an epoch commit atomically. Epoch 0 is "before anything". */
export type Epoch = number;

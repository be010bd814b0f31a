/**
 * Value codec (L1): compact binary encoding of StateValue via msgpack (msgpackr), self-describing per value
 * (record structures inline, no shared structure state to persist), with extensions for Numeric and Jsonb.
 * Round trip is exact for null, booleans, strings, numbers (except −0, which comes back as 0), bigint of any
 * size, Numeric (unscaled + scale), Jsonb, Interval and plain objects, arrays, Map, Set, undefined in arrays.
 */
import { addExtension, Packr } from 'msgpackr';
import { Numeric } from '../common/numeric.js';
import { Jsonb } from '../common/types.js';
import type { StateValue } from './store.js';

/** msgpack extension type codes owned by sluice (1–127 are free for applications; msgpackr uses letters). */
export const VALUE_EXT = { numeric: 0x01, jsonb: 0x02 } as const;

addExtension({
  Class: Numeric,
  type: VALUE_EXT.numeric,
  write: (n: Numeric) => [n.unscaled, n.scale],
  read: (data: [bigint | number, number]) => new Numeric(BigInt(data[0]), data[1]),
});

addExtension({
  Class: Jsonb,
  type: VALUE_EXT.jsonb,
  write: (j: Jsonb) => [j.value],
  read: (data: [unknown]) => new Jsonb(data[0]),
});

const packr = new Packr({ moreTypes: true, useBigIntExtension: true, int64AsType: 'bigint', copyBuffers: true });

export function encodeValue(v: StateValue): Buffer {
  return packr.pack(v);
}

export function decodeValue(buf: Uint8Array): StateValue {
  return packr.unpack(buf);
}

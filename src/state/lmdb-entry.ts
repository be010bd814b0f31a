/**
 * LMDB entry layout for state tables (L1): storage key = 4-byte table head ++ encoded key, and for keys longer
 * than LMDB allows, head ++ first PREFIX_ROOM bytes ++ 0xFE ++ sha256(full key); the value then carries the full
 * key. Value = 0x00 ++ msgpack, or 0x01 ++ u16 key length ++ full key ++ msgpack. Invariant: storage order equals
 * key order except among keys of ≥ PREFIX_ROOM bytes sharing their first PREFIX_ROOM bytes (readers re-sort those).
 */
import { createHash } from 'node:crypto';
import { decodeValue, encodeValue } from './value-codec.js';
import type { StateValue } from './store.js';

/** lmdb-js's maximum key size. */
export const LMDB_MAX_KEY = 1978;
const HEAD = 4;
/** Encoded key bytes that fit after the table head. */
export const KEY_ROOM = LMDB_MAX_KEY - HEAD;
/** Bytes of a long key kept verbatim (the rest of the room holds a marker byte and a 32-byte hash). */
export const PREFIX_ROOM = KEY_ROOM - 33;

const NORMAL = 0x00;
const LONG = 0x01;

export function isLongKey(ks: string): boolean {
  return ks.length > KEY_ROOM;
}

/** The LMDB key for encoded key `ks` in the table with head `headStr`. */
export function storageKey(headStr: string, ks: string): Buffer {
  if (!isLongKey(ks)) return Buffer.from(headStr + ks, 'latin1');
  const hash = createHash('sha256').update(Buffer.from(ks, 'latin1')).digest();
  return Buffer.concat([Buffer.from(headStr + ks.slice(0, PREFIX_ROOM) + '\u00fe', 'latin1'), hash]);
}

/**
 * A storage-key bound for an encoded bound `ks`: exact for short bounds; for bounds of ≥ PREFIX_ROOM bytes a
 * superset (low: the shared prefix; high: prefix ++ 0xFF) — the scan filters by full keys.
 */
export function storageBound(headStr: string, ks: string, side: 'low' | 'high'): Buffer {
  if (ks.length < PREFIX_ROOM) return Buffer.from(headStr + ks, 'latin1');
  const p = headStr + ks.slice(0, PREFIX_ROOM);
  return Buffer.from(side === 'low' ? p : p + '\u00ff', 'latin1');
}

/** True if entries with this storage key may be out of key order with their neighbours of the same prefix. */
export function mayMisorder(storage: Uint8Array): boolean {
  return storage.length >= HEAD + PREFIX_ROOM;
}

export function encodeEntryValue(ks: string, value: StateValue): Buffer {
  const body = encodeValue(value);
  if (!isLongKey(ks)) {
    const out = Buffer.allocUnsafe(body.length + 1);
    out[0] = NORMAL;
    out.set(body, 1);
    return out;
  }
  const out = Buffer.allocUnsafe(3 + ks.length + body.length);
  out[0] = LONG;
  out.writeUInt16BE(ks.length, 1);
  out.write(ks, 3, 'latin1');
  out.set(body, 3 + ks.length);
  return out;
}

/** The encoded key (no head) and value of a stored entry. */
export function decodeEntry(storage: Uint8Array, stored: Uint8Array): { ks: string; value: StateValue } {
  const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (buf[0] === LONG) {
    const len = buf.readUInt16BE(1);
    return { ks: buf.toString('latin1', 3, 3 + len), value: decodeValue(buf.subarray(3 + len)) };
  }
  const key = Buffer.from(storage.buffer, storage.byteOffset, storage.byteLength);
  return { ks: key.toString('latin1', HEAD), value: decodeValue(buf.subarray(1)) };
}

/** The value of a stored entry if it is the one for `ks` (a long key's hash could in theory collide). */
export function decodeEntryValueFor(ks: string, stored: Uint8Array): StateValue | undefined {
  const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (buf[0] === LONG) {
    const len = buf.readUInt16BE(1);
    if (buf.toString('latin1', 3, 3 + len) !== ks) return undefined;
    return decodeValue(buf.subarray(3 + len));
  }
  return decodeValue(buf.subarray(1));
}

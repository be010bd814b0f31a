/**
 * Key codec (L1): order-preserving, self-delimiting binary encoding of StateKey (Value[]) for LMDB keys.
 * Invariants: sign(Buffer.compare(encodeKey(a), encodeKey(b))) = sign(compareKeys(a, b)) for keys whose columns
 * each hold one type; encodeKey(p) is a byte prefix of encodeKey([...p, ...more]); decodeKey inverts encodeKey
 * up to SQL equality (numeric comes back normalized, -0 as 0, NaN as the canonical NaN).
 */
import { SqlError, SQLSTATE } from '../common/errors.js';
import { Numeric } from '../common/numeric.js';
import { canonicalJson } from '../common/rowkey.js';
import { Jsonb, type Interval, type Value } from '../common/types.js';
import { intervalSpanExact } from './key-compare.js';
import type { StateKey } from './store.js';

/** Column tags. Order between tags only matters for mixed-type columns (which plans never produce). */
export const KEY_TAG = {
  false: 0x10,
  true: 0x11,
  double: 0x20,
  bigint: 0x21,
  numeric: 0x22,
  string: 0x30,
  interval: 0x40,
  jsonb: 0x50,
  null: 0xf0,
} as const;

/** A byte greater than every tag: enc(prefix) ++ [PREFIX_END] bounds all extensions of prefix. */
export const PREFIX_END = 0xff;

const NUM_NEG = 0x01;
const NUM_ZERO = 0x02;
const NUM_POS = 0x03;

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const fromCodes = String.fromCharCode;

/** 8 bytes, order-preserving: sign bit flipped for positives, all bits flipped for negatives; -0 → 0. */
function doubleChars(x: number): string {
  f64[0] = Number.isNaN(x) ? NaN : x === 0 ? 0 : x;
  const b = f64Bytes;
  const o = LITTLE_ENDIAN ? [7, 6, 5, 4, 3, 2, 1, 0] : [0, 1, 2, 3, 4, 5, 6, 7];
  const neg = (b[o[0]!]! & 0x80) !== 0;
  const m = neg ? 0xff : 0;
  return fromCodes(
    (b[o[0]!]! ^ (neg ? 0xff : 0x80)) & 0xff,
    b[o[1]!]! ^ m,
    b[o[2]!]! ^ m,
    b[o[3]!]! ^ m,
    b[o[4]!]! ^ m,
    b[o[5]!]! ^ m,
    b[o[6]!]! ^ m,
    b[o[7]!]! ^ m,
  );
}

/** Arbitrary-size integer: header byte (0x80 ± byte length) then magnitude bytes (complemented if negative). */
function bigintChars(n: bigint): string {
  const neg = n < 0n;
  let hex = (neg ? -n : n).toString(16);
  if (n === 0n) return fromCodes(0x80);
  if (hex.length % 2) hex = '0' + hex;
  const len = hex.length / 2;
  if (len > 126) throw new SqlError(SQLSTATE.program_limit_exceeded, 'integer key too large to encode');
  let out = fromCodes(neg ? 0x7f - len : 0x80 + len);
  for (let i = 0; i < len; i++) {
    const b = parseInt(hex.substr(i * 2, 2), 16);
    out += fromCodes(neg ? 255 - b : b);
  }
  return out;
}

/** An interval field (a safe integer) in the bigint encoding. */
function intChars(n: number): string {
  return bigintChars(BigInt(Math.trunc(n)));
}

const TERMINATOR = '\u0000\u0001';

/** String bytes (UTF-8) as latin1 chars with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01. */
function stringChars(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return s + TERMINATOR;
  const bytes = Buffer.from(s, 'utf8').toString('latin1');
  return (bytes.indexOf('\u0000') < 0 ? bytes : bytes.replace(/\u0000/g, '\u0000\u00ff')) + TERMINATOR;
}

/** Normalized decimal: class byte, 4-byte exponent, digit bytes (1–10), terminator; all inverted if negative. */
function numericChars(d: Numeric): string {
  const n = d.normalized();
  if (n.unscaled === 0n) return fromCodes(NUM_ZERO);
  const neg = n.unscaled < 0n;
  const digits = (neg ? -n.unscaled : n.unscaled).toString();
  const exp = digits.length - n.scale; // value = 0.digits × 10^exp
  const e = (exp + 0x80000000) >>> 0;
  const inv = (b: number) => (neg ? 255 - b : b);
  let out = fromCodes(neg ? NUM_NEG : NUM_POS, inv((e >>> 24) & 0xff), inv((e >>> 16) & 0xff), inv((e >>> 8) & 0xff), inv(e & 0xff));
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--; // trailing zeros of the integer part
  for (let i = 0; i < end; i++) out += fromCodes(inv(digits.charCodeAt(i) - 47)); // '0' → 1 … '9' → 10
  return out + fromCodes(neg ? 0xff : 0x00);
}

function valueChars(v: Value): string {
  switch (typeof v) {
    case 'number':
      return '\u0020' + doubleChars(v);
    case 'string':
      return '\u0030' + stringChars(v);
    case 'bigint':
      return '\u0021' + bigintChars(v);
    case 'boolean':
      return v ? '\u0011' : '\u0010';
    case 'object':
      if (v === null) return '\u00f0';
      if (v instanceof Numeric) return '\u0022' + numericChars(v);
      if (v instanceof Jsonb) return '\u0050' + stringChars(canonicalJson(v.value));
      return intervalChars(v);
    default:
      throw new SqlError(SQLSTATE.internal_error, `cannot encode a ${typeof v} as a state key`);
  }
}

function intervalChars(v: Interval): string {
  return '\u0040' + bigintChars(intervalSpanExact(v)) + intChars(v.months) + intChars(v.days) + intChars(v.micros);
}

/**
 * The encoding as a latin1 string (one char per byte). Native `<` on these strings is the key order, so the
 * memory store sorts and hashes them directly; `Buffer.from(s, 'latin1')` gives the LMDB key bytes.
 */
export function encodeKeyString(key: StateKey, head = ''): string {
  let out = head;
  for (let i = 0; i < key.length; i++) out += valueChars(key[i]!);
  return out;
}

/** Encode a key (or a key prefix) to a fresh Buffer, optionally after `head` bytes (a table id). */
export function encodeKey(key: StateKey, head?: Uint8Array): Buffer {
  const s = encodeKeyString(key);
  if (head === undefined) return Buffer.from(s, 'latin1');
  const out = Buffer.allocUnsafe(head.length + s.length);
  out.set(head, 0);
  out.write(s, head.length, 'latin1');
  return out;
}

/** Decode a key encoded by encodeKey, starting at byte `from` (skip a table-id head). */
export function decodeKey(buf: Uint8Array, from = 0): Value[] {
  const r = new KeyReader(buf, from);
  const out: Value[] = [];
  while (!r.done()) out.push(r.value());
  return out;
}

class KeyReader {
  private pos: number;
  constructor(
    private readonly buf: Uint8Array,
    from: number,
  ) {
    this.pos = from;
  }

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  private fail(): never {
    throw new SqlError(SQLSTATE.internal_error, `corrupt state key at byte ${this.pos}`);
  }

  private next(): number {
    if (this.pos >= this.buf.length) this.fail();
    return this.buf[this.pos++]!;
  }

  value(): Value {
    const tag = this.next();
    switch (tag) {
      case KEY_TAG.false:
        return false;
      case KEY_TAG.true:
        return true;
      case KEY_TAG.null:
        return null;
      case KEY_TAG.double:
        return this.double();
      case KEY_TAG.bigint:
        return this.bigint();
      case KEY_TAG.numeric:
        return this.numeric();
      case KEY_TAG.string:
        return Buffer.from(this.escaped()).toString('utf8');
      case KEY_TAG.jsonb:
        return new Jsonb(JSON.parse(Buffer.from(this.escaped()).toString('utf8')));
      case KEY_TAG.interval: {
        this.bigint();
        const months = Number(this.bigint());
        const days = Number(this.bigint());
        const micros = Number(this.bigint());
        return { months, days, micros };
      }
      default:
        return this.fail();
    }
  }

  private double(): number {
    if (this.pos + 8 > this.buf.length) this.fail();
    const dv = new DataView(new ArrayBuffer(8));
    const neg = (this.buf[this.pos]! & 0x80) === 0;
    for (let i = 0; i < 8; i++) {
      const b = this.buf[this.pos + i]!;
      dv.setUint8(i, neg ? ~b & 0xff : i === 0 ? b ^ 0x80 : b);
    }
    this.pos += 8;
    return dv.getFloat64(0);
  }

  private bigint(): bigint {
    const h = this.next();
    const neg = h < 0x80;
    const len = neg ? 0x7f - h : h - 0x80;
    let m = 0n;
    for (let i = 0; i < len; i++) {
      const b = this.next();
      m = (m << 8n) | BigInt(neg ? 255 - b : b);
    }
    return neg ? -m : m;
  }

  private numeric(): Numeric {
    const cls = this.next();
    if (cls === NUM_ZERO) return new Numeric(0n, 0);
    if (cls !== NUM_NEG && cls !== NUM_POS) this.fail();
    const neg = cls === NUM_NEG;
    let e = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.next();
      e = e * 256 + (neg ? 255 - b : b);
    }
    const exp = e - 0x80000000;
    let digits = '';
    for (;;) {
      const raw = this.next();
      const b = neg ? 255 - raw : raw;
      if (b === 0) break;
      if (b < 1 || b > 10) this.fail();
      digits += String.fromCharCode(b + 47);
    }
    // value = 0.digits × 10^exp → unscaled digits with scale = len − exp (≥ 0), padded with zeros if exp > len
    let scale = digits.length - exp;
    if (scale < 0) {
      digits += '0'.repeat(-scale);
      scale = 0;
    }
    const u = BigInt(digits);
    return new Numeric(neg ? -u : u, scale);
  }

  /** Unescape until the 0x00 0x01 terminator. */
  private escaped(): Uint8Array {
    const start = this.pos;
    let plain = true;
    for (;;) {
      const b = this.next();
      if (b !== 0) continue;
      const t = this.next();
      if (t === 0x01) break;
      if (t !== 0xff) this.fail();
      plain = false;
    }
    const end = this.pos - 2;
    if (plain) return this.buf.subarray(start, end);
    const out: number[] = [];
    for (let i = start; i < end; i++) {
      out.push(this.buf[i]!);
      if (this.buf[i] === 0) i++;
    }
    return Uint8Array.from(out);
  }
}

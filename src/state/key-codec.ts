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

/** A growable byte buffer reused across encodes (single-threaded use). */
class ByteSink {
  buf = Buffer.allocUnsafe(256);
  len = 0;
  private readonly f64 = new DataView(new ArrayBuffer(8));

  reset(): void {
    this.len = 0;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  double(x: number): void {
    this.ensure(8);
    const v = this.f64;
    v.setFloat64(0, Number.isNaN(x) ? NaN : x === 0 ? 0 : x);
    const neg = (v.getUint8(0) & 0x80) !== 0;
    for (let i = 0; i < 8; i++) {
      const b = v.getUint8(i);
      this.buf[this.len++] = neg ? ~b & 0xff : i === 0 ? b ^ 0x80 : b;
    }
  }

  /** Arbitrary-size integer: header byte (0x80 ± byte length) then magnitude bytes (complemented if negative). */
  bigint(n: bigint): void {
    const neg = n < 0n;
    let m = neg ? -n : n;
    const bytes: number[] = [];
    while (m > 0n) {
      bytes.push(Number(m & 0xffn));
      m >>= 8n;
    }
    if (bytes.length > 126) throw new SqlError(SQLSTATE.program_limit_exceeded, 'integer key too large to encode');
    this.ensure(bytes.length + 1);
    this.buf[this.len++] = neg ? 0x7f - bytes.length : 0x80 + bytes.length;
    for (let i = bytes.length - 1; i >= 0; i--) this.buf[this.len++] = neg ? 255 - bytes[i]! : bytes[i]!;
  }

  /** Escaped bytes: 0x00 → 0x00 0xFF; terminated by 0x00 0x01. */
  escaped(bytes: Uint8Array): void {
    this.ensure(bytes.length * 2 + 2);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      this.buf[this.len++] = b;
      if (b === 0) this.buf[this.len++] = 0xff;
    }
    this.buf[this.len++] = 0x00;
    this.buf[this.len++] = 0x01;
  }

  /** ASCII-fast UTF-8 string with escaping. */
  string(s: string): void {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      this.escaped(Buffer.from(s, 'utf8'));
      return;
    }
    this.ensure(s.length + 2);
    this.len += this.buf.write(s, this.len, 'latin1');
    this.buf[this.len++] = 0x00;
    this.buf[this.len++] = 0x01;
  }

  numeric(d: Numeric): void {
    const n = d.normalized();
    if (n.unscaled === 0n) {
      this.byte(NUM_ZERO);
      return;
    }
    const neg = n.unscaled < 0n;
    const digits = (neg ? -n.unscaled : n.unscaled).toString();
    // value = 0.digits × 10^exp
    const exp = digits.length - n.scale;
    this.ensure(digits.length + 6);
    this.buf[this.len++] = neg ? NUM_NEG : NUM_POS;
    const e = (exp + 0x80000000) >>> 0;
    const eb = [(e >>> 24) & 0xff, (e >>> 16) & 0xff, (e >>> 8) & 0xff, e & 0xff];
    for (const b of eb) this.buf[this.len++] = neg ? 255 - b : b;
    let end = digits.length;
    while (end > 1 && digits.charCodeAt(end - 1) === 48) end--; // trailing zeros of the integer part
    for (let i = 0; i < end; i++) {
      const b = digits.charCodeAt(i) - 47; // '0' → 1 … '9' → 10
      this.buf[this.len++] = neg ? 255 - b : b;
    }
    this.buf[this.len++] = neg ? 0xff : 0x00;
  }

  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

const sink = new ByteSink();

function encodeValue(s: ByteSink, v: Value): void {
  switch (typeof v) {
    case 'number':
      s.byte(KEY_TAG.double);
      s.double(v);
      return;
    case 'string':
      s.byte(KEY_TAG.string);
      s.string(v);
      return;
    case 'bigint':
      s.byte(KEY_TAG.bigint);
      s.bigint(v);
      return;
    case 'boolean':
      s.byte(v ? KEY_TAG.true : KEY_TAG.false);
      return;
    case 'object':
      if (v === null) {
        s.byte(KEY_TAG.null);
        return;
      }
      if (v instanceof Numeric) {
        s.byte(KEY_TAG.numeric);
        s.numeric(v);
        return;
      }
      if (v instanceof Jsonb) {
        s.byte(KEY_TAG.jsonb);
        s.string(canonicalJson(v.value));
        return;
      }
      encodeInterval(s, v);
      return;
    default:
      throw new SqlError(SQLSTATE.internal_error, `cannot encode a ${typeof v} as a state key`);
  }
}

function encodeInterval(s: ByteSink, v: Interval): void {
  s.byte(KEY_TAG.interval);
  s.bigint(intervalSpanExact(v));
  s.bigint(BigInt(v.months));
  s.bigint(BigInt(v.days));
  s.bigint(BigInt(Math.trunc(v.micros)));
}

/** Encode a key (or a key prefix) to a fresh Buffer. */
export function encodeKey(key: StateKey, head?: Uint8Array): Buffer {
  sink.reset();
  if (head !== undefined) for (let i = 0; i < head.length; i++) sink.byte(head[i]!);
  for (let i = 0; i < key.length; i++) encodeValue(sink, key[i]!);
  return sink.take();
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

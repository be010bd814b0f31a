/**
 * Binary wire format (format code 1) of the common PostgreSQL types, both directions (pure, no I/O).
 * Layouts follow PostgreSQL's *send/*recv functions: big-endian integers, IEEE floats, base-10000 numeric,
 * timestamps as int64 µs since 2000-01-01, dates as int32 days since 2000-01-01, interval (µs, days, months),
 * jsonb as version byte 1 + text. Invariant: decode(encode(v)) equals v for every representable value.
 */
import { Numeric } from '../../common/numeric.js';
import { Jsonb, type Interval, type SqlType, type Value } from '../../common/types.js';
import { SqlError } from '../../common/errors.js';

/** µs between 1970-01-01 and 2000-01-01 (PostgreSQL's epoch). */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;
/** Days between 1970-01-01 and 2000-01-01. */
export const PG_EPOCH_DAYS = 10_957;

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;

/** Text conversions the codec needs for jsonb (and types without a binary layout here). */
export interface TextCodec {
  format(v: Value, type: SqlType, tz?: string): string;
  parse(text: string, type: SqlType, tz?: string): Value;
}

/** Whether `type` has a binary encoding here (others are sent as text even when binary is requested). */
export function hasBinaryFormat(type: SqlType): boolean {
  return type !== 'unknown';
}

function invalidBinary(type: SqlType): SqlError {
  return new SqlError('22P03', `incorrect binary data format in bind parameter of type ${type}`);
}

/** Encode a non-NULL value in PostgreSQL's binary format for `type`. */
export function encodeBinary(v: Exclude<Value, null>, type: SqlType, text: TextCodec): Buffer {
  switch (type) {
    case 'boolean':
      return Buffer.from([v ? 1 : 0]);
    case 'smallint': {
      const b = Buffer.allocUnsafe(2);
      b.writeInt16BE(Number(v));
      return b;
    }
    case 'integer': {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE(Number(v));
      return b;
    }
    case 'bigint': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v as number));
      return b;
    }
    case 'real': {
      const b = Buffer.allocUnsafe(4);
      b.writeFloatBE(Number(v));
      return b;
    }
    case 'double precision': {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(Number(v));
      return b;
    }
    case 'numeric':
      return encodeNumeric(v instanceof Numeric ? v : Numeric.fromString(String(v)) ?? new Numeric(0n, 0));
    case 'varchar':
    case 'text':
      return Buffer.from(String(v), 'utf8');
    case 'timestamp':
    case 'timestamptz': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(Math.round(v as number)) - PG_EPOCH_MICROS);
      return b;
    }
    case 'date': {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE((v as number) - PG_EPOCH_DAYS);
      return b;
    }
    case 'interval': {
      const iv = v as Interval;
      const b = Buffer.allocUnsafe(16);
      b.writeBigInt64BE(BigInt(Math.round(iv.micros)), 0);
      b.writeInt32BE(iv.days, 8);
      b.writeInt32BE(iv.months, 12);
      return b;
    }
    case 'jsonb':
      return Buffer.concat([Buffer.from([1]), Buffer.from(text.format(v, 'jsonb'), 'utf8')]);
    case 'unknown':
      return Buffer.from(text.format(v, type), 'utf8');
    default: {
      const never: never = type;
      throw new Error(`no binary format for ${String(never)}`);
    }
  }
}

/** Decode a binary-format parameter of `type`. Throws SqlError 22P03 when the bytes do not fit the type. */
export function decodeBinary(b: Buffer, type: SqlType, text: TextCodec): Value {
  const exact = (n: number): void => {
    if (b.length !== n) throw invalidBinary(type);
  };
  switch (type) {
    case 'boolean':
      exact(1);
      return b[0] !== 0;
    case 'smallint':
      exact(2);
      return b.readInt16BE(0);
    case 'integer':
      exact(4);
      return b.readInt32BE(0);
    case 'bigint':
      exact(8);
      return b.readBigInt64BE(0);
    case 'real':
      exact(4);
      return b.readFloatBE(0);
    case 'double precision':
      exact(8);
      return b.readDoubleBE(0);
    case 'numeric':
      return decodeNumeric(b);
    case 'varchar':
    case 'text':
    case 'unknown':
      return b.toString('utf8');
    case 'timestamp':
    case 'timestamptz':
      exact(8);
      return Number(b.readBigInt64BE(0) + PG_EPOCH_MICROS);
    case 'date':
      exact(4);
      return b.readInt32BE(0) + PG_EPOCH_DAYS;
    case 'interval':
      exact(16);
      return { micros: Number(b.readBigInt64BE(0)), days: b.readInt32BE(8), months: b.readInt32BE(12) };
    case 'jsonb': {
      if (b.length < 1 || b[0] !== 1) throw new SqlError('22P03', `unsupported jsonb version number ${b[0] ?? 0}`);
      const v = text.parse(b.toString('utf8', 1), 'jsonb');
      return v instanceof Jsonb ? v : new Jsonb(v);
    }
    default: {
      const never: never = type;
      throw new Error(`no binary format for ${String(never)}`);
    }
  }
}

/** PostgreSQL numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
export function encodeNumeric(n: Numeric): Buffer {
  const neg = n.unscaled < 0n;
  const digitsText = (neg ? -n.unscaled : n.unscaled).toString().padStart(n.scale + 1, '0');
  const cut = digitsText.length - n.scale;
  let intPart = digitsText.slice(0, cut);
  let fracPart = digitsText.slice(cut);
  intPart = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  fracPart = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPart.length; i += 4) groups.push(parseInt(intPart.slice(i, i + 4), 10));
  for (let i = 0; i < fracPart.length; i += 4) groups.push(parseInt(fracPart.slice(i, i + 4), 10));
  let weight = intPart.length / 4 - 1;
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  if (digits.length === 0) weight = 0;
  const b = Buffer.allocUnsafe(8 + 2 * digits.length);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(digits.length === 0 ? NUMERIC_POS : neg ? NUMERIC_NEG : NUMERIC_POS, 4);
  b.writeInt16BE(n.scale, 6);
  digits.forEach((d, i) => b.writeInt16BE(d, 8 + 2 * i));
  return b;
}

/** PostgreSQL numeric_recv. NaN and ±Infinity have no Numeric representation: 22P03. */
export function decodeNumeric(b: Buffer): Numeric {
  if (b.length < 8) throw invalidBinary('numeric');
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (ndigits < 0 || dscale < 0 || b.length !== 8 + 2 * ndigits) throw invalidBinary('numeric');
  if (sign === NUMERIC_NAN || (sign !== NUMERIC_POS && sign !== NUMERIC_NEG)) {
    throw new SqlError('0A000', 'numeric NaN and Infinity are not supported');
  }
  let acc = 0n;
  for (let i = 0; i < ndigits; i++) {
    const d = b.readInt16BE(8 + 2 * i);
    if (d < 0 || d > 9999) throw new SqlError('22P03', 'invalid digit in external "numeric" value');
    acc = acc * 10000n + BigInt(d);
  }
  // value = acc × 10000^(weight − ndigits + 1); unscaled at dscale = value × 10^dscale
  const exp10 = 4 * (weight - ndigits + 1) + dscale;
  const unscaled = exp10 >= 0 ? acc * 10n ** BigInt(exp10) : acc / 10n ** BigInt(-exp10);
  return new Numeric(sign === NUMERIC_NEG ? -unscaled : unscaled, dscale);
}

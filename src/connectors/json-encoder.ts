/**
 * ENCODE JSON for sinks, with RisingWave's default type mapping (shared/notes/semantics.md §2.5), and the
 * PLAIN / UPSERT / DEBEZIUM formats over a consolidated change batch. Stateless.
 * Invariant: one row always encodes to the same text (keys in column order), so retried epochs are identical.
 * Mapping: timestamptz "2023-11-11T18:30:09.453000Z", timestamp epoch ms, date days since 0001-01-01 (day 1),
 * numeric as string, bigint exact digits, jsonb as its PostgreSQL text, interval ISO 8601, NaN/±Infinity as strings.
 */
import type { Change } from '../common/changes.js';
import { Numeric } from '../common/numeric.js';
import { rowKey } from '../common/rowkey.js';
import { Jsonb, type Column, type Interval, type Row, type SqlType, type Value } from '../common/types.js';
import { formatJsonbText } from '../expr/jsonb-text.js';
import { formatRfc3339Micros } from './iso-time.js';
import type { SinkMessage } from './types.js';

export type SinkFormat = 'PLAIN' | 'UPSERT' | 'DEBEZIUM';

/** Days from 0001-01-01 (which is day 1, chrono's num_days_from_ce) to 1970-01-01. */
const CE_DAY_OF_UNIX_EPOCH = 719163;

function jsonNumber(n: number): string {
  if (Number.isFinite(n)) return Object.is(n, -0) ? '0' : String(n);
  return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
}

/** ISO 8601 duration 'P1Y1M2DT0H0M1S' (RisingWave's interval JSON form). */
export function formatIsoInterval(i: Interval): string {
  const years = Math.trunc(i.months / 12);
  const months = i.months - years * 12;
  let rest = i.micros;
  const hours = Math.trunc(rest / 3_600_000_000);
  rest -= hours * 3_600_000_000;
  const minutes = Math.trunc(rest / 60_000_000);
  rest -= minutes * 60_000_000;
  const whole = Math.trunc(rest / 1_000_000);
  const frac = Math.abs(rest - whole * 1_000_000);
  let secs = String(whole);
  if (frac !== 0) {
    if (whole === 0 && rest < 0) secs = '-0';
    secs += '.' + String(frac).padStart(6, '0').replace(/0+$/, '');
  }
  return `P${years}Y${months}M${i.days}DT${hours}H${minutes}M${secs}S`;
}

type ValueWriter = (v: Value) => string;

/** The JSON text writer for a non-null value of `type`. */
export function jsonWriterFor(type: SqlType): ValueWriter {
  switch (type) {
    case 'boolean':
      return (v) => (v ? 'true' : 'false');
    case 'smallint':
    case 'integer':
    case 'real':
    case 'double precision':
      return (v) => jsonNumber(v as number);
    case 'bigint':
      return (v) => (typeof v === 'bigint' ? v.toString() : jsonNumber(v as number));
    case 'numeric':
      return (v) => JSON.stringify(v instanceof Numeric ? v.toString() : String(v));
    case 'varchar':
    case 'text':
    case 'unknown':
      return (v) => JSON.stringify(String(v));
    case 'timestamptz':
      return (v) => '"' + formatRfc3339Micros(v as number) + '"';
    case 'timestamp':
      return (v) => String(Math.floor((v as number) / 1000));
    case 'date':
      return (v) => String((v as number) + CE_DAY_OF_UNIX_EPOCH);
    case 'interval':
      return (v) => '"' + formatIsoInterval(v as Interval) + '"';
    case 'jsonb':
      return (v) => JSON.stringify(v instanceof Jsonb ? formatJsonbText(v) : JSON.stringify(v));
    default: {
      const never: never = type;
      throw new Error(`no JSON writer for type ${String(never)}`);
    }
  }
}

/** Encodes rows of a fixed column list as flat JSON objects, keys in column order. */
export class RowJsonEncoder {
  private readonly prefixes: string[];
  private readonly writers: ValueWriter[];

  constructor(
    readonly columns: readonly Column[],
    /** Indices of the columns to encode (default all). */
    readonly indices: readonly number[] = columns.map((_, i) => i),
  ) {
    this.prefixes = indices.map((ci, j) => (j === 0 ? '{' : ',') + JSON.stringify(columns[ci]!.name) + ':');
    this.writers = indices.map((ci) => jsonWriterFor(columns[ci]!.type));
  }

  encode(row: Row): string {
    let s = '';
    const n = this.indices.length;
    for (let j = 0; j < n; j++) {
      const v = row[this.indices[j]!]!;
      s += this.prefixes[j]! + (v === null ? 'null' : this.writers[j]!(v));
    }
    return n === 0 ? '{}' : s + '}';
  }
}

export interface EncodeOptions {
  /** DEBEZIUM ts_ms (the epoch's processing time); defaults to Date.now(). */
  tsMs?: number;
  /** DEBEZIUM: follow each delete with a tombstone (null value), as Debezium and RisingWave do. Default true. */
  debeziumTombstones?: boolean;
}

interface KeyGroup {
  key: string | null;
  deletes: Row[];
  inserts: Row[];
}

function repeat(rows: Row[], row: Row, times: number): void {
  for (let k = 0; k < times; k++) rows.push(row);
}

/** Groups changes by key (first-seen order); rows with weight w count |w| times. */
function groupByKey(changes: readonly Change[], keyIndices: readonly number[], keyEnc: RowJsonEncoder | null): KeyGroup[] {
  const groups = new Map<string, KeyGroup>();
  const out: KeyGroup[] = [];
  for (const c of changes) {
    let gk: string;
    let key: string | null = null;
    if (keyEnc) {
      const keyRow = keyIndices.map((i) => c.row[i]!);
      gk = rowKey(keyRow);
      key = keyEnc.encode(c.row);
    } else {
      gk = rowKey(c.row);
    }
    let g = groups.get(gk);
    if (!g) {
      g = { key, deletes: [], inserts: [] };
      groups.set(gk, g);
      out.push(g);
    }
    if (c.weight > 0) repeat(g.inserts, c.row, c.weight);
    else if (c.weight < 0) repeat(g.deletes, c.row, -c.weight);
  }
  return out;
}

/**
 * Encodes one epoch's consolidated changes (updates as −old/+new pairs with the same key) as sink messages.
 * PLAIN: every inserted row (incl. the new side of updates); deletes are not written (force_append_only).
 * UPSERT: per key, the last inserted row, or a tombstone (null value) when the key was only deleted.
 * DEBEZIUM: per key {"before","after","op":"c|u|d","ts_ms"}; keyIndices required for UPSERT and DEBEZIUM.
 * Keys are the JSON object of the key columns, or null when keyIndices is empty.
 */
export function encodeChanges(
  format: SinkFormat,
  changes: readonly Change[],
  columns: readonly Column[],
  keyIndices: readonly number[],
  opts: EncodeOptions = {},
): SinkMessage[] {
  const valueEnc = new RowJsonEncoder(columns);
  const keyEnc = keyIndices.length > 0 ? new RowJsonEncoder(columns, keyIndices) : null;
  const out: SinkMessage[] = [];
  if (format === 'PLAIN') {
    for (const c of changes) {
      if (c.weight <= 0) continue;
      const value = valueEnc.encode(c.row);
      const key = keyEnc ? keyEnc.encode(c.row) : null;
      for (let k = 0; k < c.weight; k++) out.push({ key, value });
    }
    return out;
  }
  if (!keyEnc) throw new Error(`FORMAT ${format} needs a primary key`);
  const groups = groupByKey(changes, keyIndices, keyEnc);
  if (format === 'UPSERT') {
    for (const g of groups) {
      if (g.inserts.length > 0) for (const r of g.inserts) out.push({ key: g.key, value: valueEnc.encode(r) });
      else if (g.deletes.length > 0) out.push({ key: g.key, value: null });
    }
    return out;
  }
  const tsMs = opts.tsMs ?? Date.now();
  const tombstones = opts.debeziumTombstones ?? true;
  const envelope = (before: Row | null, after: Row | null, op: 'c' | 'u' | 'd'): string =>
    `{"before":${before ? valueEnc.encode(before) : 'null'},"after":${after ? valueEnc.encode(after) : 'null'},"op":"${op}","ts_ms":${tsMs}}`;
  for (const g of groups) {
    const pairs = Math.min(g.deletes.length, g.inserts.length);
    for (let k = 0; k < pairs; k++) out.push({ key: g.key, value: envelope(g.deletes[k]!, g.inserts[k]!, 'u') });
    for (let k = pairs; k < g.deletes.length; k++) {
      out.push({ key: g.key, value: envelope(g.deletes[k]!, null, 'd') });
      if (tombstones) out.push({ key: g.key, value: null });
    }
    for (let k = pairs; k < g.inserts.length; k++) out.push({ key: g.key, value: envelope(null, g.inserts[k]!, 'c') });
  }
  return out;
}

/**
 * `sluice replay`: read a JSON-lines file (gzip when it ends in .gz), optionally rebase its timestamps so the newest
 * event is "now" (gaps kept), and produce each line to a Kafka topic (kafkajs) or return the objects.
 * Stateless apart from one producer per call. Invariant: rebasing shifts every timestamp field of every row by the
 * same number of microseconds; rows are produced in file order; every sleep is capped (maxSleepMs), so a replay ends.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { Kafka, logLevel } from 'kafkajs';
import { formatRfc3339Micros, parseIsoTimestamp } from '../connectors/iso-time.js';

/** One decoded JSON line. */
export type JsonRow = Record<string, unknown>;

/** The time fields of the article's three streams. */
export const DEFAULT_TIME_FIELDS: readonly string[] = ['event_time', 'log_time'];

export interface ReplayOptions {
  /** JSON-lines file; gunzipped when the name ends in .gz. */
  readonly file: string;
  /** Produce to this topic; omitted → only return the rows. */
  readonly topic?: string;
  /** Bootstrap brokers (default ['kafka:9092']). */
  readonly brokers?: readonly string[];
  /** 'original' (default) keeps the file's times; 'rebased' shifts them so the newest event is at `nowMs`. */
  readonly timestamps?: 'original' | 'rebased';
  /** Reference time for rebasing, ms since the epoch (default Date.now()). */
  readonly nowMs?: number;
  /**
   * The newest event time (ms) rebasing maps to `nowMs`; default this file's newest. Pass the newest over all files
   * of a scenario so every stream gets the same shift (cross-stream rules keep their gaps).
   */
  readonly newestMs?: number;
  /** Round the rebasing shift down to a multiple of this many ms (keeps tumbling-window alignment). */
  readonly alignShiftMs?: number;
  /** Speed-up factor: > 0 sleeps (gap between consecutive events) / speed before each event; omitted → no sleeps. */
  readonly speed?: number;
  /** Upper bound of one sleep, ms (default 1000). */
  readonly maxSleepMs?: number;
  /** Fields holding ISO-8601 timestamps (default event_time, log_time). */
  readonly timeFields?: readonly string[];
  /** Messages per produce request when not sleeping (default 500). */
  readonly batchSize?: number;
  /** Kafka client id (default 'sluice-replay'). */
  readonly clientId?: string;
}

export interface ReplayResult {
  /** The rows as produced (after rebasing). */
  readonly rows: JsonRow[];
  /** Messages sent to Kafka (0 without a topic). */
  readonly produced: number;
  /** Microseconds added to every timestamp (0 for 'original'). */
  readonly shiftMicros: number;
}

/** Parse JSON-lines text: one object per non-empty line; a line that is not a JSON object is an error naming it. */
export function parseJsonLines(text: string, name = 'input'): JsonRow[] {
  const rows: JsonRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${name}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${name}:${i + 1}: not a JSON object`);
    rows.push(v as JsonRow);
  }
  return rows;
}

/** Read a JSON-lines file (gzip when *.gz). */
export async function readJsonLines(file: string): Promise<JsonRow[]> {
  const raw = await readFile(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return parseJsonLines(text, file);
}

/** µs since the epoch of an ISO-8601 timestamp text; throws naming the field when it is not one. */
export function isoMicros(text: string, field: string): number {
  const t = parseIsoTimestamp(text, true);
  if (Number.isNaN(t)) throw new Error(`${field}: not an ISO-8601 timestamp: ${JSON.stringify(text)}`);
  return t;
}

/** The event time of a row in µs: the first time field holding a string, or null. */
export function eventMicros(row: JsonRow, timeFields: readonly string[] = DEFAULT_TIME_FIELDS): number | null {
  for (const f of timeFields) {
    const v = row[f];
    if (typeof v === 'string') return isoMicros(v, f);
  }
  return null;
}

/**
 * Shift every time field of every row by (now − newest event time), so the newest event lands at `nowMs` and all
 * gaps are kept. `alignMs` rounds the shift down to a multiple of it (e.g. 1 day: tumbling windows keep their
 * alignment, the newest event lands within alignMs before now). Rows without a time field are copied unchanged.
 * Returns new rows (inputs are not modified).
 */
export function rebaseTimestamps(
  rows: readonly JsonRow[],
  nowMs: number,
  timeFields: readonly string[] = DEFAULT_TIME_FIELDS,
  alignMs?: number,
  newestMs?: number,
): { rows: JsonRow[]; shiftMicros: number } {
  let newest: number | null = newestMs === undefined ? null : Math.round(newestMs * 1000);
  for (const r of rows) {
    for (const f of timeFields) {
      const v = r[f];
      if (typeof v === 'string') {
        const t = isoMicros(v, f);
        if (newestMs === undefined && (newest === null || t > newest)) newest = t;
      }
    }
  }
  if (newest === null) return { rows: rows.map((r) => ({ ...r })), shiftMicros: 0 };
  let shiftMicros = Math.round(nowMs * 1000) - newest;
  if (alignMs !== undefined && alignMs > 0) {
    const unit = Math.round(alignMs * 1000);
    shiftMicros = Math.floor(shiftMicros / unit) * unit;
  }
  return { rows: shiftRows(rows, shiftMicros, timeFields), shiftMicros };
}

/** Add `shiftMicros` to every time field (RFC 3339 UTC output, microsecond precision kept). */
export function shiftRows(rows: readonly JsonRow[], shiftMicros: number, timeFields: readonly string[] = DEFAULT_TIME_FIELDS): JsonRow[] {
  return rows.map((r) => {
    const out: JsonRow = { ...r };
    for (const f of timeFields) {
      const v = r[f];
      if (typeof v === 'string') out[f] = formatRfc3339Micros(isoMicros(v, f) + shiftMicros);
    }
    return out;
  });
}

/**
 * The sleep before each row when replaying at `speed`: max(0, t[i] − t[i−1]) / speed in ms, capped at maxSleepMs;
 * 0 for the first row and for rows without a time. Out-of-order rows (negative gaps) do not sleep.
 */
export function replayDelaysMs(rows: readonly JsonRow[], speed: number, maxSleepMs = 1000, timeFields: readonly string[] = DEFAULT_TIME_FIELDS): number[] {
  if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
  const delays: number[] = [];
  let prev: number | null = null;
  for (const r of rows) {
    const t = eventMicros(r, timeFields);
    let d = 0;
    if (t !== null && prev !== null && t > prev) d = Math.min(maxSleepMs, (t - prev) / 1000 / speed);
    if (t !== null && (prev === null || t > prev)) prev = t;
    delays.push(d);
  }
  return delays;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Read, optionally rebase, and produce (when `topic` is set) a JSON-lines file. */
export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const timeFields = opts.timeFields ?? DEFAULT_TIME_FIELDS;
  const original = await readJsonLines(opts.file);
  const { rows, shiftMicros } =
    opts.timestamps === 'rebased' ? rebaseTimestamps(original, opts.nowMs ?? Date.now(), timeFields, opts.alignShiftMs, opts.newestMs) : { rows: original, shiftMicros: 0 };
  if (opts.topic === undefined) return { rows, produced: 0, shiftMicros };

  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  const kafka = new Kafka({
    clientId: opts.clientId ?? 'sluice-replay',
    brokers: [...(opts.brokers ?? ['kafka:9092'])],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 8, initialRetryTime: 100 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let produced = 0;
  try {
    const topic = opts.topic;
    const send = async (batch: readonly JsonRow[]): Promise<void> => {
      if (batch.length === 0) return;
      await producer.send({ topic, acks: -1, messages: batch.map((r) => ({ value: JSON.stringify(r) })) });
      produced += batch.length;
    };
    if (opts.speed !== undefined) {
      const delays = replayDelaysMs(rows, opts.speed, opts.maxSleepMs ?? 1000, timeFields);
      let pending: JsonRow[] = [];
      for (let i = 0; i < rows.length; i++) {
        if (delays[i]! > 0) {
          await send(pending);
          pending = [];
          await sleep(delays[i]!);
        }
        pending.push(rows[i]!);
      }
      await send(pending);
    } else {
      const size = Math.max(1, opts.batchSize ?? 500);
      for (let i = 0; i < rows.length; i += size) await send(rows.slice(i, i + size));
    }
  } finally {
    await producer.disconnect();
  }
  return { rows, produced, shiftMicros };
}

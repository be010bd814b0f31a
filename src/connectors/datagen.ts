/**
 * Datagen: a SourceReader over the SIEM generator (siem-generator.ts, re-exported here): one partition, offset = event index, JSON values, record timestamp
 * = event time. Rate-controlled against an injectable Clock, or as fast as possible (ratePerSecond 0/∞).
 * State: the next index and when (and from where) the current run started. Invariant: resuming from
 * position() continues with exactly the next event; the same seed and options give the same bytes.
 */
import { SystemClock, type Clock } from '../common/clock.js';
import { createSiemGenerator, type SiemStream } from './siem-generator.js';

export {
  createSiemGenerator,
  SIEM_STREAMS,
  SIEM_SCENARIOS,
  type SiemGenerator,
  type SiemGeneratorOptions,
  type SiemStream,
  type SiemScenario,
  type SiemEvent,
} from './siem-generator.js';
import type { ConnectorStatus, SourceMessage, SourceOffsets, SourceReader } from './types.js';

export interface DatagenSourceOptions {
  stream: SiemStream;
  /** Wall-clock events per second; 0 or Infinity = as fast as the engine polls. */
  ratePerSecond: number;
  seed: number;
  /** Event time of event 0 (pass the CREATE SOURCE time for live demos with NOW()); see datagen.ts. */
  startMicros?: number;
  /** Event-time density; defaults to ratePerSecond when that is finite and positive, else 100. */
  eventsPerSecond?: number;
  attackPeriodMinutes?: number;
  /** Stop after this many events (exclusive end offset). */
  limit?: number;
  clock?: Clock;
}

export interface DatagenSource extends SourceReader {
  /** True once `limit` events were handed out. */
  isFinished(): boolean;
}

export function createDatagenSource(opts: DatagenSourceOptions): DatagenSource {
  const unlimitedRate = !(opts.ratePerSecond > 0) || !Number.isFinite(opts.ratePerSecond);
  const gen = createSiemGenerator({
    seed: opts.seed,
    eventsPerSecond: opts.eventsPerSecond ?? (unlimitedRate ? 100 : opts.ratePerSecond),
    ...(opts.startMicros !== undefined ? { startMicros: opts.startMicros } : {}),
    ...(opts.attackPeriodMinutes !== undefined ? { attackPeriodMinutes: opts.attackPeriodMinutes } : {}),
  });
  const clock = opts.clock ?? new SystemClock();
  const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
  let next = 0;
  let base = 0;
  let startedAt = 0;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  const listeners: (() => void)[] = [];

  function ensureTimer(): void {
    if (!running || listeners.length === 0 || timer) return;
    timer = setInterval(() => {
      if (available() > 0) for (const l of listeners) l();
    }, 20);
    timer.unref();
  }

  function available(): number {
    if (!running) return 0;
    // With a start time, events are due when their event time arrives (a start in the past backfills at once);
    // without one, the rate counts from start().
    const due = unlimitedRate
      ? limit
      : opts.startMicros !== undefined
        ? Math.min(limit, Math.floor(((clock.nowMicros() - opts.startMicros) * opts.ratePerSecond) / 1e6) + 1)
        : Math.min(limit, base + Math.floor(((clock.nowMicros() - startedAt) * opts.ratePerSecond) / 1e6));
    return Math.max(0, due - next);
  }

  return {
    async start(from: SourceOffsets | null): Promise<void> {
      next = from?.[0] !== undefined ? Number(from[0]) : 0;
      base = next;
      startedAt = clock.nowMicros();
      running = true;
      ensureTimer();
    },
    poll(max: number): SourceMessage[] {
      const n = Math.min(max, available());
      const out: SourceMessage[] = new Array<SourceMessage>(n);
      for (let k = 0; k < n; k++) {
        const i = next + k;
        out[k] = {
          partition: 0,
          offset: String(i),
          timestampMs: Math.floor(gen.eventTimeMicros(i) / 1000),
          key: null,
          value: Buffer.from(gen.json(opts.stream, i)),
        };
      }
      next += n;
      return out;
    },
    position(): SourceOffsets {
      return { 0: String(next) };
    },
    status(): ConnectorStatus {
      return {
        state: running ? 'running' : 'stopped',
        lastError: null,
        lastErrorAtMs: null,
        partitions: [{ partition: 0, nextOffset: String(next), highWatermark: String(next + available()) }],
      };
    },
    onData(listener: () => void): void {
      listeners.push(listener);
      ensureTimer();
    },
    isFinished(): boolean {
      return next >= limit;
    },
    async close(): Promise<void> {
      running = false;
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/**
 * The benchmark workload: N SIEM events from createSiemGenerator, split evenly over the article's three streams
 * and cut into epochs, converted to sluice rows (column order of the article's sources) before any timing.
 * Stateless apart from the returned arrays. Invariant: epoch k holds events [k·E/3, (k+1)·E/3) of every stream,
 * and `nowMicros` is the latest event time in it, so NOW()-relative views see the traffic as live.
 */
import { createSiemGenerator, type SiemStream } from '../../src/connectors/siem-generator.js';
import type { ChangeBatch } from '../../src/common/changes.js';
import type { Row } from '../../src/common/types.js';
import type { ArticleStream } from './article.js';

export interface WorkloadEpoch {
  batches: Record<ArticleStream, ChangeBatch>;
  events: number;
  nowMicros: number;
}

export interface Workload {
  epochs: WorkloadEpoch[];
  events: number;
  startMicros: number;
  endMicros: number;
}

function toRow(stream: SiemStream, e: Record<string, string | number>, timeMicros: number): Row {
  switch (stream) {
    case 'auth_events':
      return [e['event_id'] as string, e['user_id'] as string, e['source_ip'] as string, e['event_type'] as string, timeMicros];
    case 'firewall_logs':
      return [e['log_id'] as string, e['src_ip'] as string, e['dst_ip'] as string, e['dst_port'] as number, e['action'] as string, BigInt(e['bytes'] as number), timeMicros];
    case 'process_events':
      return [e['event_id'] as string, e['host_id'] as string, e['parent_pid'] as number, e['child_pid'] as number, e['process_name'] as string, e['command_line'] as string, timeMicros];
  }
}

/** `events` events (rounded down to a multiple of 3), `epochEvents` per epoch, `eventsPerSecond` per stream. */
export function buildWorkload(opts: { events: number; epochEvents: number; eventsPerSecond: number; seed: number }): Workload {
  const gen = createSiemGenerator({ seed: opts.seed, eventsPerSecond: opts.eventsPerSecond });
  const perStream = Math.floor(opts.events / 3);
  const perEpoch = Math.max(1, Math.floor(opts.epochEvents / 3));
  const epochs: WorkloadEpoch[] = [];
  for (let from = 0; from < perStream; from += perEpoch) {
    const to = Math.min(perStream, from + perEpoch);
    const batches = { auth_events: [], firewall_logs: [], process_events: [] } as Record<ArticleStream, ChangeBatch>;
    for (const stream of ['auth_events', 'firewall_logs', 'process_events'] as const) {
      const out = batches[stream];
      for (let n = from; n < to; n++) out.push({ row: toRow(stream, gen.event(stream, n), gen.eventTimeMicros(n)), weight: 1 });
    }
    epochs.push({ batches, events: 3 * (to - from), nowMicros: gen.eventTimeMicros(to - 1) });
  }
  return { epochs, events: 3 * perStream, startMicros: gen.startMicros, endMicros: gen.eventTimeMicros(Math.max(0, perStream - 1)) };
}

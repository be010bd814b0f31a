/**
 * Worker thread of the freshness phase (bench/lib/freshness.ts): produces seeded SIEM traffic at a steady rate in
 * 10 ms ticks, with one marked process event per tick, and posts each marker's send time (epoch ms, comparable
 * across threads) to the parent. A request that fails is counted, not retried. Runs in its own thread so the parent's SELECT poller and sink consumer are not
 * delayed by producing. Invariant: stops after warm-up + `seconds`; at most 8 produce requests in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createSiemGenerator, SIEM_STREAMS, type SiemStream } from '../../src/connectors/siem-generator.js';

export interface ProducerJob {
  brokers: string[];
  topics: Record<SiemStream, string>;
  rate: number;
  seconds: number;
  warmupMs: number;
  firstMarker: number;
  markHost: string;
}
export type ProducerMessage = { kind: 'marker'; id: number; atMs: number } | { kind: 'done'; events: number; markers: number; wallMs: number; markMs: number; failedSends: number };

const job = workerData as ProducerJob;
const MAX_PER_SEND = 1500;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const producer = new Kafka({ brokers: job.brokers, clientId: 'sluice-fresh', logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
// The traffic is rendered before the clock starts (JSON generation is not what is measured, and on 2 shared cores
// it would hold the producer below 100k events/s); its event times start a few seconds before the first send.
const perStream = Math.ceil(((job.warmupMs / 1000 + job.seconds) * job.rate) / 3) + MAX_PER_SEND;
const gen = createSiemGenerator({ seed: 7, startMicros: (Date.now() + 2000) * 1000, eventsPerSecond: job.rate / 3 });
const rendered: Record<string, string[]> = {};
for (const stream of SIEM_STREAMS) rendered[stream] = Array.from({ length: perStream }, (_, n) => gen.json(stream, n));
const sent: Record<string, number> = { auth_events: 0, firewall_logs: 0, process_events: 0 };
const inFlight = new Set<Promise<unknown>>();
let next = job.firstMarker;
let events = 0;
let failed = 0;
let tMark = 0;
const t0 = now();
for (;;) {
  const elapsed = now() - t0;
  if (elapsed > job.warmupMs + job.seconds * 1000) break;
  const marking = elapsed >= job.warmupMs;
  if (marking && !tMark) tMark = now();
  const topicMessages = [];
  for (const stream of SIEM_STREAMS) {
    // At most MAX_PER_SEND per stream per request (a late tick must not build a record batch over the broker's
    // 1 MB message limit); a producer that falls behind sends less, and the achieved rate says so.
    const target = Math.min(Math.floor((elapsed / 1000) * (job.rate / 3)), sent[stream]! + MAX_PER_SEND);
    const messages = [];
    for (let n = sent[stream]!; n < Math.min(target, perStream); n++) messages.push({ value: rendered[stream]![n]! });
    events += Math.max(0, target - sent[stream]!);
    sent[stream] = Math.max(sent[stream]!, target);
    if (stream === 'process_events' && marking) {
      const id = next++;
      messages.push({
        value: JSON.stringify({ event_id: `mk-${id}`, host_id: job.markHost, parent_pid: 1, child_pid: id, process_name: 'cmd.exe', command_line: `cmd.exe /c whoami #${id}`, event_time: new Date().toISOString() }),
      });
      parentPort!.postMessage({ kind: 'marker', id, atMs: now() } satisfies ProducerMessage);
    }
    if (messages.length) topicMessages.push({ topic: job.topics[stream], messages });
  }
  if (topicMessages.length) {
    const p: Promise<unknown> = producer
      .sendBatch({ acks: 1, topicMessages })
      .catch(() => failed++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  while (inFlight.size >= 8) await Promise.race(inFlight);
  await sleep(Math.max(0, 10 - ((now() - t0) % 10)));
}
await Promise.all(inFlight);
const end = now();
await producer.disconnect();
parentPort!.postMessage({ kind: 'done', events, markers: next - job.firstMarker, wallMs: end - t0, markMs: end - tMark, failedSends: failed } satisfies ProducerMessage);

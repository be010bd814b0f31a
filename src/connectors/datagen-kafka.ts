/**
 * Publishes generated SIEM traffic to Kafka topics (for demos, e2e tests and benchmarks): events
 * [from, from + count) of each stream, record timestamp = event time, value = the event's JSON.
 * Stateless per call (one producer per call). Invariant: the same options publish the same bytes.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createSiemGenerator, SIEM_STREAMS, type SiemGeneratorOptions, type SiemStream } from './siem-generator.js';

export interface ProduceSiemOptions extends SiemGeneratorOptions {
  brokers: string[];
  /** Streams to publish (default all three); each goes to the topic of the same name unless `topics` says otherwise. */
  streams?: readonly SiemStream[];
  topics?: Partial<Record<SiemStream, string>>;
  from?: number;
  count: number;
  /** Messages per produce request (default 1000). */
  batchSize?: number;
}

/** Publishes the events and resolves with the number produced per topic once all were acknowledged. */
export async function produceSiemTraffic(opts: ProduceSiemOptions): Promise<Record<string, number>> {
  const gen = createSiemGenerator(opts);
  const kafka = new Kafka({ brokers: opts.brokers, clientId: 'sluice-datagen', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const from = opts.from ?? 0;
  const batch = opts.batchSize ?? 1000;
  const out: Record<string, number> = {};
  await producer.connect();
  try {
    for (const stream of opts.streams ?? SIEM_STREAMS) {
      const topic = opts.topics?.[stream] ?? stream;
      for (let i = from; i < from + opts.count; i += batch) {
        const end = Math.min(from + opts.count, i + batch);
        const messages = [];
        for (let n = i; n < end; n++) {
          messages.push({ value: gen.json(stream, n), timestamp: String(Math.floor(gen.eventTimeMicros(n) / 1000)) });
        }
        await producer.send({ topic, acks: -1, messages });
      }
      out[topic] = opts.count;
    }
  } finally {
    await producer.disconnect();
  }
  return out;
}

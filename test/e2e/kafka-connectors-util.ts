/**
 * Helpers for the connectors' Kafka e2e tests: make sure the shared test broker answers (scripts/kafka.sh
 * ensure), create uniquely named topics, produce test messages with the public kafkajs client, and wait
 * (bounded) for a condition. Stateless apart from the kafkajs clients each helper opens and closes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

export const BROKERS = [process.env['SLUICE_TEST_KAFKA'] ?? '127.0.0.1:9092'];

export function kafka(brokers = BROKERS): Kafka {
  return new Kafka({ brokers, clientId: 'sluice-connectors-test', logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

/** Ensures a broker answers on BROKERS (starting the shared one via scripts/kafka.sh ensure if needed). */
export async function ensureBroker(): Promise<void> {
  const admin = kafka().admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return;
  } catch {
    execFileSync('bash', ['scripts/kafka.sh', 'ensure'], { stdio: 'inherit', timeout: 180_000 });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function createTopic(topic: string, numPartitions: number, brokers = BROKERS): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function addPartitions(topic: string, count: number, brokers = BROKERS): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count }] });
  } finally {
    await admin.disconnect();
  }
}

/** Produces the messages (value strings) to explicit partitions, in order, acks=all. */
export async function produce(
  topic: string,
  messages: { partition: number; value: string; key?: string }[],
  brokers = BROKERS,
  /** Messages per produce request (each request becomes one record batch per partition). */
  chunk = 500,
): Promise<void> {
  const producer = kafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(i, i + chunk).map((m) => ({ partition: m.partition, value: m.value, key: m.key ?? null })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

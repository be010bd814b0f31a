/**
 * Kafka-path benchmark: events/s from a real topic (earliest offset) into the seed article's five views, until the
 * engine has caught up. Events (~200-byte JSON, the SIEM generator's traffic) are produced to fresh topics with
 * 4 partitions BEFORE the timed part, so producing is not measured. Prints wall and CPU rates; asserts nothing.
 * Usage: node --import tsx bench/kafka.bench.ts [--events N]   (N per stream; default 100000)
 */
import { cpus } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { createEngine } from '../src/engine/engine.js';
import { produceSiemTraffic } from '../src/connectors/datagen-kafka.js';
import { articleStatements } from './lib/article.js';

const args = process.argv.slice(2);
const perStream = Number(args[args.indexOf('--events') + 1] ?? 0) || 100_000;
const brokers = [process.env['SLUICE_BENCH_KAFKA'] ?? '127.0.0.1:9092'];
const tag = `bench${Date.now()}`;
const topics = { auth_events: `${tag}_auth`, firewall_logs: `${tag}_fw`, process_events: `${tag}_proc` };

const admin = new Kafka({ brokers, clientId: 'sluice-bench', logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 4 })), waitForLeaders: true });
await admin.disconnect();
const t0 = Date.now();
await produceSiemTraffic({ brokers, seed: 42, count: perStream, topics, startMicros: (Date.now() - 3_600_000) * 1000, eventsPerSecond: perStream / 3600 });
console.log(`produced ${3 * perStream} events to 3 topics × 4 partitions in ${((Date.now() - t0) / 1000).toFixed(1)} s (not timed)`);

const engine = await createEngine({ epochMs: 100 });
const s = engine.openSession({ user: 'root', database: 'dev' });
for (const stmt of articleStatements()) {
  if (/^CREATE SINK/i.test(stmt)) continue;
  const sql = stmt
    .replace(/topic = '(\w+)'/, (_m, t: keyof typeof topics) => `topic = '${topics[t]}'`)
    .replace(/properties\.bootstrap\.server = '[^']+'/, `properties.bootstrap.server = '${brokers[0]}'`)
    .replace(/scan\.startup\.mode = 'latest'/, "scan.startup.mode = 'earliest'");
  await s.execute(sql);
}
const cpu0 = process.cpuUsage();
const start = performance.now();
const total = 3 * perStream;
for (;;) {
  const r = await s.execute('SELECT sum(rows_ingested) FROM sluice.sources');
  const n = r.kind === 'rows' ? Number(r.rows[0]![0]) : 0;
  if (n >= total) break;
  if (performance.now() - start > 600_000) throw new Error(`did not catch up: ${n}/${total}`);
  await new Promise((res) => setTimeout(res, 50));
}
const wall = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const alerts = await s.execute('SELECT count(*) FROM siem_alerts');
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
console.log(`caught up on ${total} events in ${wall.toFixed(2)} s: ${Math.round(total / wall).toLocaleString('en-US')} events/s (wall), ${Math.round(total / cpuSeconds).toLocaleString('en-US')} events per CPU-second (this process; the JVM broker runs beside it)`);
console.log(`siem_alerts rows: ${alerts.kind === 'rows' ? String(alerts.rows[0]![0]) : '?'}; epochs committed: ${engine.epoch}`);
await engine.close();
const cleanup = new Kafka({ brokers, clientId: 'sluice-bench', logLevel: logLevel.NOTHING }).admin();
await cleanup.connect();
await cleanup.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
await cleanup.disconnect();

/**
 * The workloads of bench/compare.bench.ts, as SQL for both engines: sluice statements (the article's verbatim,
 * topics and bootstrap rewritten as bench/kafka.bench.ts does; the others written for this bench) and the Flink
 * file in bench/flink/sql/ that computes the closest equivalent. Stateless. Invariant: both sides of a workload read
 * the same topics, and `streams` names exactly the topics read (the events/s denominator).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { articleStatements } from './article.js';
import { FLINK_SQL_DIR } from './flink-peer.js';

export type Stream = 'auth_events' | 'firewall_logs' | 'process_events';
export type Topics = Record<Stream, string>;

export interface Workload {
  id: string;
  title: string;
  /** Topics read (each holds the same number of events). */
  streams: Stream[];
  sluice: (t: Topics, sinkTopic: string, bootstrap: string) => string[];
  /** Flink SQL file, and extra ${VAR} values besides topics/bootstrap/group. */
  flinkFile: () => string;
  flinkVars?: Record<string, string>;
  /** Does the workload write to the sink topic (both engines)? */
  sink: boolean;
}

/** The article's CREATE SOURCE for a stream, rewritten to a topic/bootstrap, read from the earliest offset. */
export function sourceStatement(stream: Stream, topic: string, bootstrap: string): string {
  const stmt = articleStatements().find((s) => new RegExp(`^CREATE SOURCE ${stream}\\b`, 'i').test(s));
  if (!stmt) throw new Error(`no source ${stream} in the article`);
  return rewriteKafka(stmt, topic, bootstrap);
}

export function rewriteKafka(stmt: string, topic: string, bootstrap: string): string {
  return stmt
    .replace(/topic = '(\w+)'/, `topic = '${topic}'`)
    .replace(/properties\.bootstrap\.server = '[^']+'/, `properties.bootstrap.server = '${bootstrap}'`)
    .replace(/scan\.startup\.mode = 'latest'/, "scan.startup.mode = 'earliest'");
}

const sinkWith = (topic: string, bootstrap: string): string => `WITH (connector = 'kafka', topic = '${topic}', properties.bootstrap.server = '${bootstrap}')`;

/** The article verbatim: three sources, five views, the sink (to `sinkTopic`). */
export function articleForSluice(t: Topics, sinkTopic: string, bootstrap: string): string[] {
  return articleStatements().map((stmt) => {
    const src = /^CREATE SOURCE (\w+)/i.exec(stmt);
    if (src) return rewriteKafka(stmt, t[src[1] as Stream], bootstrap);
    if (/^CREATE SINK/i.test(stmt)) return rewriteKafka(stmt, sinkTopic, bootstrap);
    return stmt;
  });
}

export const WORKLOADS: Workload[] = [
  {
    id: 'article',
    title: "(a) article: five views + sink",
    streams: ['auth_events', 'firewall_logs', 'process_events'],
    sluice: articleForSluice,
    flinkFile: () => join(FLINK_SQL_DIR, 'article.sql'),
    sink: true,
  },
  {
    id: 'passthrough',
    title: '(b) pass-through (q0/q1-like) → Kafka',
    streams: ['firewall_logs'],
    sluice: (t, sink, b) => [
      sourceStatement('firewall_logs', t.firewall_logs, b),
      `CREATE SINK passthrough_out AS SELECT log_id, src_ip, dst_ip, dst_port, action, bytes * 8 AS bits, log_time FROM firewall_logs WHERE bytes > 0 ${sinkWith(sink, b)}`,
    ],
    flinkFile: () => join(FLINK_SQL_DIR, 'passthrough.sql'),
    sink: true,
  },
  {
    id: 'aggregate',
    title: '(c) tumbling COUNT/FILTER/DISTINCT',
    streams: ['auth_events'],
    sluice: (t, _sink, b) => [
      sourceStatement('auth_events', t.auth_events, b),
      `CREATE MATERIALIZED VIEW user_windows AS SELECT user_id, window_start, window_end, COUNT(*) AS events,
         COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures, COUNT(DISTINCT source_ip) AS ips
       FROM TUMBLE(auth_events, event_time, INTERVAL '5 minutes') GROUP BY user_id, window_start, window_end`,
    ],
    flinkFile: () => join(FLINK_SQL_DIR, 'aggregate.sql'),
    sink: false,
  },
  {
    id: 'join',
    title: '(d) stream-stream join → Kafka',
    streams: ['auth_events', 'firewall_logs'],
    sluice: (t, sink, b) => [
      sourceStatement('auth_events', t.auth_events, b),
      sourceStatement('firewall_logs', t.firewall_logs, b),
      `CREATE SINK join_out AS SELECT a.user_id, a.source_ip, a.event_time AS auth_time, f.log_time AS block_time, f.action
       FROM auth_events a JOIN firewall_logs f ON a.source_ip = f.src_ip WHERE f.action IN ('deny', 'drop') ${sinkWith(sink, b)}`,
    ],
    flinkFile: () => join(FLINK_SQL_DIR, 'join.sql'),
    sink: true,
  },
];

/** Rule i of the cost-growth set (three shapes cycled; thresholds vary so no two rules are identical). */
function rule(i: number): { where: string; sluiceView: string; flinkInsert: string } {
  const k = i % 3;
  if (k === 0) {
    const th = 10 + (i % 10);
    const where = `event_type = 'login_failure' AND user_id <> 'user${i}'`;
    return {
      where,
      sluiceView: `CREATE MATERIALIZED VIEW det_${i} AS SELECT source_ip, window_start, window_end, COUNT(*) AS failures FROM TUMBLE(auth_events, event_time, INTERVAL '5 minutes') WHERE ${where} GROUP BY source_ip, window_start, window_end HAVING COUNT(*) > ${th}`,
      flinkInsert: `CREATE TABLE det_${i} (source_ip STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), failures BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO det_${i} SELECT source_ip, window_start, window_end, COUNT(*) AS failures FROM TABLE(TUMBLE(TABLE auth_events, DESCRIPTOR(event_time), INTERVAL '5' MINUTES)) WHERE ${where} GROUP BY source_ip, window_start, window_end HAVING COUNT(*) > ${th};`,
    };
  }
  if (k === 1) {
    const where = `event_type = 'mfa_bypass' AND source_ip LIKE '10.${i % 4}.%'`;
    return {
      where,
      sluiceView: `CREATE MATERIALIZED VIEW det_${i} AS SELECT event_id, user_id, source_ip, event_time FROM auth_events WHERE ${where}`,
      flinkInsert: `CREATE TABLE det_${i} (event_id STRING, user_id STRING, source_ip STRING, event_time TIMESTAMP_LTZ(3)) WITH ('connector' = 'blackhole');\nINSERT INTO det_${i} SELECT event_id, user_id, source_ip, event_time FROM auth_events WHERE ${where};`,
    };
  }
  const th = 50 + i;
  const where = `event_type = 'login_success' AND user_id LIKE 'user${i % 10}%'`;
  return {
    where,
    sluiceView: `CREATE MATERIALIZED VIEW det_${i} AS SELECT user_id, COUNT(DISTINCT source_ip) AS ips FROM auth_events WHERE ${where} GROUP BY user_id HAVING COUNT(DISTINCT source_ip) > ${th}`,
    flinkInsert: `CREATE TABLE det_${i} (user_id STRING, ips BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO det_${i} SELECT user_id, COUNT(DISTINCT source_ip) AS ips FROM auth_events WHERE ${where} GROUP BY user_id HAVING COUNT(DISTINCT source_ip) > ${th};`,
  };
}

/** Cost growth: `n` detection rules on auth_events. */
export function detectionsWorkload(n: number): Workload {
  return {
    id: `detections-${n}`,
    title: `${n} detection views on auth_events`,
    streams: ['auth_events'],
    sluice: (t, _sink, b) => [sourceStatement('auth_events', t.auth_events, b), ...Array.from({ length: n }, (_, i) => rule(i).sluiceView)],
    flinkFile: () => join(FLINK_SQL_DIR, 'detections.sql'),
    flinkVars: { RULES: Array.from({ length: n }, (_, i) => rule(i).flinkInsert).join('\n') },
    sink: false,
  };
}

/** Key cardinality: one unwindowed per-source_ip aggregate over a topic of auth-shaped events with K keys. */
export function cardinalityWorkload(keys: number): Workload {
  return {
    id: `cardinality-${keys}`,
    title: `per-source_ip aggregate, ${keys} keys`,
    streams: ['auth_events'],
    sluice: (t, _sink, b) => [
      sourceStatement('auth_events', t.auth_events, b),
      `CREATE MATERIALIZED VIEW per_ip AS SELECT source_ip, COUNT(*) AS events, COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures FROM auth_events GROUP BY source_ip`,
    ],
    flinkFile: () => join(FLINK_SQL_DIR, 'cardinality.sql'),
    sink: false,
  };
}

/** The Flink SQL text of a workload with its generated parts filled in (RunFlinkSql fills the rest). */
export function flinkSqlText(w: Workload): string {
  let sql = readFileSync(w.flinkFile(), 'utf8');
  for (const [k, v] of Object.entries(w.flinkVars ?? {})) sql = sql.replace(`\${${k}}`, v);
  return sql;
}

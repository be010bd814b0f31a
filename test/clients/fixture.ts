/**
 * The shared fixture of the client tests (pgjdbc, psycopg2 + SQLAlchemy, Grafana): the seed article's
 * materialized views over CREATE TABLE stand-ins for its Kafka sources, a table with a PRIMARY KEY, a plain
 * view, a datagen source (a foreign table), and rows whose derived results the tests know in advance.
 * Stateless: `startFixtureServer` starts a fresh in-memory engine + PG-wire server on an ephemeral port.
 */
import pg from 'pg';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { articleStatements } from '../harness/article.js';

export interface FixtureServer {
  engine: Engine;
  server: RunningServer;
  port: number;
  close(): Promise<void>;
}

/** The article's views, verbatim from ../shared/seed/article.sql, over tables with the sources' columns. */
export const ARTICLE_VIEWS = articleStatements().filter((st) => /^CREATE MATERIALIZED VIEW/i.test(st)).map((st) => st + ';').join('\n');

const TABLES = `
CREATE TABLE auth_events (event_id VARCHAR, user_id VARCHAR, source_ip VARCHAR, event_type VARCHAR, event_time TIMESTAMPTZ);
CREATE TABLE firewall_logs (log_id VARCHAR, src_ip VARCHAR, dst_ip VARCHAR, dst_port INT, action VARCHAR, bytes BIGINT, log_time TIMESTAMPTZ);
CREATE TABLE process_events (event_id VARCHAR, host_id VARCHAR, parent_pid INT, child_pid INT, process_name VARCHAR, command_line VARCHAR, event_time TIMESTAMPTZ);
CREATE TABLE hosts (host_id VARCHAR PRIMARY KEY, owner VARCHAR, risk INT);
CREATE VIEW risky_hosts AS SELECT host_id, owner, risk FROM hosts WHERE risk > 5;
CREATE SOURCE auth_stream (event_id VARCHAR, user_id VARCHAR, source_ip VARCHAR, event_type VARCHAR, event_time TIMESTAMPTZ)
  WITH (connector = 'datagen', stream = 'auth_events', rate = '1', seed = '7') FORMAT PLAIN ENCODE JSON;
`;

/** The relations the fixture creates, by kind (what catalog listings must show). */
export const FIXTURE = {
  tables: ['auth_events', 'firewall_logs', 'process_events', 'hosts'],
  views: ['risky_hosts'],
  materializedViews: ['auth_from_blocked_ip', 'brute_force_detections', 'recently_blocked_ips', 'siem_alerts', 'suspicious_process_chains'],
  foreignTables: ['auth_stream'],
  /** siem_alerts rows with fixed times (the auth_from_blocked_ip alert is NOW()-relative). */
  fixedAlerts: [
    { alertType: 'suspicious_process', entity: 'h1', detectedAt: '2026-03-01T10:00:00.000Z' },
    { alertType: 'suspicious_process', entity: 'h1', detectedAt: '2026-03-01T10:30:00.000Z' },
    { alertType: 'brute_force', entity: '10.0.0.66', detectedAt: '2026-06-01T12:05:00.000Z' },
  ],
} as const;

function rows(): string[] {
  const failures = Array.from({ length: 21 }, (_, i) => `('f${i}', 'u${i % 3}', '10.0.0.66', 'login_failure', '2026-06-01T12:00:${String(10 + i).padStart(2, '0')}Z')`);
  const recent = (minutesAgo: number): string => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return [
    `INSERT INTO process_events VALUES
      ('p1', 'h1', 100, 101, 'bash', 'whoami', '2026-03-01T10:00:00Z'),
      ('p2', 'h1', 100, 102, 'cmd.exe', 'net user admin', '2026-03-01T10:30:00Z'),
      ('p3', 'h2', 200, 201, 'bash', 'ls -la', '2026-03-01T11:00:00Z'),
      ('p4', 'h2', 200, 202, 'python', 'whoami', '2026-03-01T11:30:00Z')`,
    `INSERT INTO auth_events VALUES ${failures.join(', ')}`,
    `INSERT INTO firewall_logs VALUES ('l1', '203.0.113.9', '10.0.0.1', 22, 'deny', 60, '${recent(10)}')`,
    `INSERT INTO auth_events VALUES ('s1', 'mallory', '203.0.113.9', 'login_success', '${recent(5)}')`,
    `INSERT INTO hosts VALUES ('h1', 'alice', 9), ('h2', 'bob', 1), ('h3', 'carol', 7)`,
  ];
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const engine = await createEngine({});
  const server = await startServer(engine, { port: 0 });
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev' });
  await c.connect();
  try {
    await c.query(TABLES);
    await c.query(ARTICLE_VIEWS);
    for (const r of rows()) await c.query(r);
  } finally {
    await c.end();
  }
  return {
    engine,
    server,
    port: server.port,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}

/**
 * The seed article end to end: psql runs article.sql verbatim against the real server process, generated events
 * go to auth_events, firewall_logs and process_events on kafka:9092, every view then equals PostgreSQL's batch
 * evaluation of the same query over the same events, and kcat (read_committed) reads exactly the predicted
 * alerts from the siem_alerts topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Row } from '../../src/common/types.js';
import { parseValueText } from '../../src/expr/text-io.js';
import { formatRfc3339Micros } from '../../src/connectors/iso-time.js';
import { createTopic, endOffsets, ensureKafkaBroker, kcatRead, produceJsonLines, readTopic } from '../harness/kafka.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { SiemEvents } from '../harness/siem-events.js';
import { startServerProcess } from '../harness/server-process.js';
import { ARTICLE_COLUMNS, ARTICLE_PATH, ARTICLE_VIEWS, articleJson, articleTextRow, articleViewsForPostgres } from '../harness/article.js';

const execFileAsync = promisify(execFile);
const VIEWS = ARTICLE_VIEWS;
const COLUMNS = ARTICLE_COLUMNS;
const toJson = articleJson;
const textRow = articleTextRow;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('article.sql verbatim via psql on real Kafka: views equal PostgreSQL, kcat reads the predicted alerts', { timeout: 180_000 }, async () => {
  await ensureKafkaBroker();
  for (const t of ['auth_events', 'firewall_logs', 'process_events', 'siem_alerts']) await createTopic(t, 1);
  const sinkStart = (await endOffsets('siem_alerts', 'read_committed')).get(0) ?? 0;
  const server = await startServerProcess();
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', types: { getTypeParser: () => (v: string) => v } as never });
  try {
    const psql = await execFileAsync('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'dev', '-U', 'root', '-X', '-v', 'ON_ERROR_STOP=1', '-f', ARTICLE_PATH]);
    assert.match(psql.stdout, /CREATE SINK/);
    assert.match(psql.stderr, /FORMAT PLAIN on a view whose rows can be updated or deleted/);
    await client.connect();
    await waitFor('sources running', async () => (await client.query(`SELECT count(*) FROM sluice.sources WHERE status = 'running'`)).rows[0].count === '3');

    // Events with current times, kept away from the 1-hour horizon so the server's and PostgreSQL's now() agree.
    const now = Date.now() * 1000;
    const gen = new SiemEvents(7);
    const nearHorizon = (t: number): boolean => Math.abs(now - t - 3_600_000_000) < 10 * 60_000_000;
    const rows: Record<string, Row[]> = {
      auth_events: [...gen.auth(300, now), ...gen.burst(25, now), ...gen.burst(30, now - 20 * 60_000_000)],
      firewall_logs: gen.firewall(120, now).filter((r) => !nearHorizon(r[6] as number)),
      process_events: gen.process(120, now),
    };
    for (const [table, rs] of Object.entries(rows)) await produceJsonLines(table, rs.map((r) => toJson(table, r)));
    const total = Object.values(rows).reduce((n, r) => n + r.length, 0);
    await waitFor('all events ingested', async () => {
      await client.query('FLUSH');
      return Number((await client.query('SELECT sum(rows_ingested) AS n FROM sluice.sources')).rows[0].n) === total;
    });
    await client.query('FLUSH');

    await withOracle(async (o) => {
      for (const [table, cols] of Object.entries(COLUMNS)) {
        await o.createTable(table, cols.map(([name, type]) => ({ name, type })));
        await o.insert(table, rows[table]!.map((r) => textRow(table, r)));
      }
      for (const v of articleViewsForPostgres()) await o.query(v);
      const predicted = await o.query('SELECT alert_type, entity, detected_at, description FROM siem_alerts');
      assert.ok(predicted.some((r) => r[0] === 'brute_force'), 'the data contains a brute-force alert');
      assert.ok(predicted.some((r) => r[0] === 'suspicious_process'), 'the data contains a suspicious process');
      for (const v of VIEWS) {
        const ours = (await client.query({ text: `SELECT * FROM ${v}`, rowMode: 'array' })).rows as TextRow[];
        assertSameRows(ours, await o.query(`SELECT * FROM ${v}`), v);
      }
      // The sink topic: the latest message per alert equals PostgreSQL's row; no alert missing, none extra.
      // Other writers may share the article's fixed topic name; this server's messages carry its writer id.
      const writerId = (await client.query(`SELECT writer_id FROM sluice.sinks WHERE name = 'siem_alerts_sink'`)).rows[0].writer_id as string;
      const ownIds = new Set((await readTopic('siem_alerts')).filter((m) => m.offset >= sinkStart && m.headers['sluice-writer'] === writerId).map((m) => m.offset));
      const expected = new Map(predicted.map((r) => [`${r[0]}|${r[1]}|${formatRfc3339Micros(parseValueText(r[2]!, 'timestamptz') as number)}`, r[3]]));
      await waitFor('alerts on the sink topic', async () => {
        const own = new Set((await readTopic('siem_alerts')).filter((m) => m.offset >= sinkStart && m.headers['sluice-writer'] === writerId).map((m) => m.offset));
        const msgs = (await kcatRead('siem_alerts')).filter((m) => own.has(m.offset));
        const latest = new Map<string, unknown>();
        for (const m of msgs) {
          const j = JSON.parse(m.value!) as { alert_type: string; entity: string; detected_at: string; description: string };
          latest.set(`${j.alert_type}|${j.entity}|${j.detected_at}`, j.description);
        }
        return latest.size >= expected.size;
      }, 30_000).catch(() => undefined); // the comparison below shows what differs
      void ownIds;
      const own = new Set((await readTopic('siem_alerts')).filter((m) => m.offset >= sinkStart && m.headers['sluice-writer'] === writerId).map((m) => m.offset));
      const msgs = (await kcatRead('siem_alerts')).filter((m) => own.has(m.offset));
      assert.ok(msgs.length > 0, 'kcat read alerts written by this server');
      const latest = new Map<string, unknown>();
      for (const m of msgs) {
        const j = JSON.parse(m.value!) as { alert_type: string; entity: string; detected_at: string; description: string };
        latest.set(`${j.alert_type}|${j.entity}|${j.detected_at}`, j.description);
      }
      assert.deepEqual([...latest.entries()].sort(), [...expected.entries()].sort());
    });
  } finally {
    await client.end().catch(() => undefined);
    assert.equal(await server.stop(), 0);
  }
});

/**
 * Recovery equivalence with the real server process: the article's pipeline (its SQL, topics renamed so this
 * test owns them) over a deterministic event stream, the server SIGKILLed at random moments and restarted on the
 * same data directory many times. At the end every view equals PostgreSQL over all events, the sink topic's
 * latest alert per key equals PostgreSQL's siem_alerts, and no epoch's output was written twice.
 * Kills: SLUICE_RECOVERY_KILLS (default 20) at random moments, then one inside a checkpoint write and one inside a
 * sink transaction (crash points, src/common/crash-point.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Row } from '../../src/common/types.js';
import { parseValueText } from '../../src/expr/text-io.js';
import { formatRfc3339Micros } from '../../src/connectors/iso-time.js';
import { createTopic, ensureKafkaBroker, produceJsonLines, readTopic, uniqueTopic } from '../harness/kafka.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { rng, SiemEvents } from '../harness/siem-events.js';
import { startServerProcess, type ServerProcess } from '../harness/server-process.js';
import { ARTICLE_COLUMNS, ARTICLE_SQL, ARTICLE_VIEWS, articleJson, articleTextRow, articleViewsForPostgres } from '../harness/article.js';

const execFileAsync = promisify(execFile);
const ARTICLE = ARTICLE_SQL;
const KILLS = Number(process.env['SLUICE_RECOVERY_KILLS'] ?? 20);
const VIEWS = ARTICLE_VIEWS;
const COLUMNS = ARTICLE_COLUMNS;
const toJson = articleJson;
const textRow = articleTextRow;

async function connect(server: ServerProcess): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', types: { getTypeParser: () => (v: string) => v } as never });
  await c.connect();
  return c;
}

test(`recovery: ${KILLS} SIGKILLs mid-stream, then views and sink equal an uninterrupted evaluation`, { timeout: 600_000 }, async () => {
  await ensureKafkaBroker();
  const topics: Record<string, string> = {};
  for (const t of ['auth_events', 'firewall_logs', 'process_events', 'siem_alerts']) {
    topics[t] = uniqueTopic(`rec_${t}`);
    await createTopic(topics[t]!, 1);
  }
  const sql = ARTICLE.replace(/topic = '(\w+)'/g, (_m, t: string) => `topic = '${topics[t]}'`);
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  const random = rng(99);
  const gen = new SiemEvents(1234);
  const now = Date.now() * 1000;
  const nearHorizon = (t: number): boolean => Math.abs(now - t - 3_600_000_000) < 15 * 60_000_000;
  const all: Record<string, Row[]> = { auth_events: [], firewall_logs: [], process_events: [] };
  try {
    await execFileAsync('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'dev', '-U', 'root', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    let c = await connect(server);
    for (let i = 0; i < 100 && (await c.query(`SELECT count(*) FROM sluice.sources WHERE status = 'running'`)).rows[0].count !== '3'; i++) await new Promise((r) => setTimeout(r, 100));
    await c.query('FLUSH');
    await c.end();
    // Brute-force bursts are split across chunks, so windows must survive restarts to reach the threshold.
    const bursts = [gen.burst(24, now - 2 * 60_000_000), gen.burst(26, now - 30 * 60_000_000), gen.burst(22, now - 90 * 60_000_000)];
    for (let k = 0; k < KILLS; k++) {
      const chunk: Record<string, Row[]> = {
        auth_events: [...gen.auth(20, now), ...bursts.flatMap((b) => b.splice(0, 2))],
        firewall_logs: gen.firewall(10, now).filter((r) => !nearHorizon(r[6] as number)),
        process_events: gen.process(8, now),
      };
      for (const [table, rows] of Object.entries(chunk)) {
        all[table]!.push(...rows);
        await produceJsonLines(topics[table]!, rows.map((r) => toJson(table, r)));
      }
      // Kill at a random moment: while the server ingests, commits epochs, or writes the sink transaction.
      await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
      await server.stop('SIGKILL');
      server = await startServerProcess({ dataDir });
    }
    // Deterministic kills (SLUICE_CRASH_AT): inside an epoch's LMDB write transaction with its rows written but
    // not committed, and inside a Kafka sink transaction with its messages sent but not committed. Each chunk
    // holds suspicious commands, so an epoch and a sink transaction with alerts are sure to follow.
    for (const point of ['checkpoint-write:1', 'sink-transaction:1']) {
      await server.stop('SIGKILL');
      server = await startServerProcess({ dataDir, env: { SLUICE_CRASH_AT: point } });
      const chunk: Record<string, Row[]> = { auth_events: gen.auth(10, now), process_events: gen.process(40, now) };
      for (const [table, rows] of Object.entries(chunk)) {
        all[table]!.push(...rows);
        await produceJsonLines(topics[table]!, rows.map((r) => toJson(table, r)));
      }
      const died = await Promise.race([server.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 60_000))]);
      assert.equal(died, 'SIGKILL', `the server killed itself at crash point ${point}`);
      assert.ok(server.log.some((l) => l.includes('"crash point"') && l.includes(point.split(':')[0]!)), `crash point ${point} reached`);
      server = await startServerProcess({ dataDir });
    }
    for (const [table, rows] of Object.entries({ auth_events: bursts.flat() })) {
      all[table]!.push(...rows);
      await produceJsonLines(topics[table]!, rows.map((r) => toJson(table, r)));
    }
    c = await connect(server);
    c.on('error', (e) => process.stderr.write(`client error: ${e.message}\n`));
    const total = Object.values(all).reduce((n, r) => n + r.length, 0);
    // Caught up: every source running with no lag, several checks in a row.
    for (let i = 0, quiet = 0; quiet < 5; i++) {
      await c.query('FLUSH');
      const r = (await c.query(`SELECT count(*) FILTER (WHERE status = 'running') AS running, coalesce(sum(lag), 0) AS lag FROM sluice.sources`)).rows[0];
      quiet = r.running === '3' && Number(r.lag) === 0 ? quiet + 1 : 0;
      assert.ok(i < 600, `sources did not catch up (running ${r.running}, lag ${r.lag})`);
      await new Promise((res) => setTimeout(res, 100));
    }
    void total;
    await withOracle(async (o) => {
      for (const [table, cols] of Object.entries(COLUMNS)) {
        await o.createTable(table, cols.map(([name, type]) => ({ name, type })));
        await o.insert(table, all[table]!.map((r) => textRow(table, r)));
      }
      for (const v of articleViewsForPostgres()) await o.query(v);
      for (const v of VIEWS) {
        const ours = (await c.query({ text: `SELECT * FROM ${v}`, rowMode: 'array' })).rows as TextRow[];
        assertSameRows(ours, await o.query(`SELECT * FROM ${v}`), `${v} after ${KILLS} kills`);
      }
      const predicted = await o.query('SELECT alert_type, entity, detected_at, description FROM siem_alerts');
      assert.ok(predicted.filter((r) => r[0] === 'brute_force').length >= 2, 'bursts split across restarts reached the threshold');
      const expected = new Map(predicted.map((r) => [`${r[0]}|${r[1]}|${formatRfc3339Micros(parseValueText(r[2]!, 'timestamptz') as number)}`, r[3]]));
      let msgs = await readTopic(topics['siem_alerts']!, { isolation: 'read_committed' });
      for (let i = 0; i < 100; i++) {
        const keys = new Set(msgs.map((m) => { const j = JSON.parse(m.value!); return `${j.alert_type}|${j.entity}|${j.detected_at}`; }));
        if (keys.size >= expected.size) break;
        await new Promise((r) => setTimeout(r, 200));
        msgs = await readTopic(topics['siem_alerts']!, { isolation: 'read_committed' });
      }
      const latest = new Map<string, unknown>();
      const seen = new Set<string>();
      let lastEpoch = 0;
      for (const m of msgs) {
        const epoch = Number(m.headers['sluice-epoch']);
        assert.ok(epoch >= lastEpoch, `epochs on the sink topic go forward (${epoch} after ${lastEpoch})`);
        lastEpoch = epoch;
        assert.ok(!seen.has(`${epoch}|${m.value}`), `message of epoch ${epoch} written twice: ${m.value}`);
        seen.add(`${epoch}|${m.value}`);
        const j = JSON.parse(m.value!) as { alert_type: string; entity: string; detected_at: string; description: string };
        latest.set(`${j.alert_type}|${j.entity}|${j.detected_at}`, j.description);
      }
      assert.deepEqual([...latest.entries()].sort(), [...expected.entries()].sort());
    });
    await c.end();
  } catch (e) {
    await new Promise((r) => setTimeout(r, 500));
    process.stderr.write(`server log (last 30 lines):\n${server.log.slice(-30).join('\n')}\n`);
    throw e;
  } finally {
    await server.stop();
  }
});

/**
 * ALTER MATERIALIZED VIEW … AS end to end: the real broker and server process, psql running article.sql (topics
 * renamed), brute-force bursts of 12–25 failures; `ALTER MATERIALIZED VIEW brute_force_detections AS … > 10`
 * keeps the window counts (a burst split across the ALTER adds up), the views equal PostgreSQL for the new query,
 * and the sink topic (read_committed) receives only the newly qualifying alerts. Then SIGKILL inside an ALTER's
 * checkpoint write and right after an ALTER: recovery yields the old or the new definition with matching contents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Row } from '../../src/common/types.js';
import { createTopic, ensureKafkaBroker, produceJsonLines, readTopic, uniqueTopic } from '../harness/kafka.js';
import { assertSameRows, withOracle, type Oracle, type TextRow } from '../harness/pg-oracle.js';
import { SiemEvents } from '../harness/siem-events.js';
import { startServerProcess, type ServerProcess } from '../harness/server-process.js';
import { ARTICLE_COLUMNS, ARTICLE_SQL, ARTICLE_VIEWS, articleJson, articleStatements, articleTextRow, viewForPostgres } from '../harness/article.js';

const execFileAsync = promisify(execFile);
const BF = articleStatements().find((s) => /^CREATE MATERIALIZED VIEW brute_force_detections/i.test(s))!;
const bfQuery = (threshold: number): string => BF.slice(BF.search(/\bAS\s*\n/) + 2).trim().replace(/> 20;?\s*$/, `> ${threshold}`);
const alterSql = (threshold: number): string => `ALTER MATERIALIZED VIEW brute_force_detections AS ${bfQuery(threshold)}`;

async function connect(server: ServerProcess): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', types: { getTypeParser: () => (v: string) => v } as never });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

function psql(server: ServerProcess, sql: string): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'dev', '-U', 'root', '-X', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
}

/** The article's views in PostgreSQL with brute_force_detections at `threshold`. */
async function pgViews(o: Oracle, threshold: number): Promise<void> {
  await o.query('DROP VIEW IF EXISTS siem_alerts, auth_from_blocked_ip, recently_blocked_ips, suspicious_process_chains, brute_force_detections CASCADE');
  for (const s of articleStatements().filter((x) => /^CREATE MATERIALIZED VIEW/i.test(x))) {
    await o.query(viewForPostgres(s === BF ? s.replace(/> 20;?\s*$/, `> ${threshold}`) : s));
  }
}

/** FLUSH until every source is running with no lag and the sink has nothing pending, several checks in a row. */
async function settle(c: pg.Client): Promise<void> {
  for (let i = 0, quiet = 0; quiet < 3; i++) {
    await c.query('FLUSH');
    const r = (await c.query(`SELECT count(*) FILTER (WHERE status = 'running') AS running, coalesce(sum(lag), 0) AS lag FROM sluice.sources`)).rows[0];
    const p = (await c.query(`SELECT coalesce(sum(pending_epochs), 0) AS p FROM sluice.sinks`)).rows[0];
    quiet = r.running === '3' && Number(r.lag) === 0 && Number(p.p) === 0 ? quiet + 1 : 0;
    assert.ok(i < 300, `did not settle (running ${r.running}, lag ${r.lag}, pending ${p.p})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const rowsOf = async (c: pg.Client, sql: string): Promise<TextRow[]> => (await c.query({ text: sql, rowMode: 'array' })).rows as TextRow[];
const threshold = async (c: pg.Client): Promise<number> => Number(/> (\d+)\s*$/.exec(((await c.query(`SELECT definition FROM sluice.views WHERE name = 'brute_force_detections'`)).rows[0].definition as string).trim())![1]);

test('ALTER MATERIALIZED VIEW on live Kafka traffic: kept counts, PG-equal contents, only new alerts on the sink, SIGKILL-safe', { timeout: 180_000 }, async () => {
  await ensureKafkaBroker();
  const topics: Record<string, string> = {};
  for (const t of ['auth_events', 'firewall_logs', 'process_events', 'siem_alerts']) {
    topics[t] = uniqueTopic(`alter_${t}`);
    await createTopic(topics[t]!, 1);
  }
  const sql = ARTICLE_SQL.replace(/topic = '(\w+)'/g, (_m, t: string) => `topic = '${topics[t]}'`);
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  const gen = new SiemEvents(4242);
  const now = Date.now() * 1000;
  const nearHorizon = (t: number): boolean => Math.abs(now - t - 3_600_000_000) < 15 * 60_000_000;
  const all: Record<string, Row[]> = { auth_events: [], firewall_logs: [], process_events: [] };
  let c: pg.Client | null = null;
  try {
    await withOracle(async (o) => {
      for (const [table, cols] of Object.entries(ARTICLE_COLUMNS)) await o.createTable(table, cols.map(([name, type]) => ({ name, type })));
      const send = async (chunk: Record<string, Row[]>): Promise<void> => {
        for (const [table, rows] of Object.entries(chunk)) {
          all[table]!.push(...rows);
          await o.insert(table, rows.map((r) => articleTextRow(table, r)));
          await produceJsonLines(topics[table]!, rows.map((r) => articleJson(table, r)));
        }
      };
      const compare = async (t: number, label: string): Promise<void> => {
        await pgViews(o, t);
        for (const v of ARTICLE_VIEWS) assertSameRows(await rowsOf(c!, `SELECT * FROM ${v}`), await o.query(`SELECT * FROM ${v}`), `${v} (${label}, HAVING > ${t})`);
      };
      await psql(server, sql);
      c = await connect(server);
      for (let i = 0; i < 100 && (await c.query(`SELECT count(*) FROM sluice.sources WHERE status = 'running'`)).rows[0].count !== '3'; i++) await new Promise((r) => setTimeout(r, 100));
      await c.query('FLUSH');

      // Bursts of 12–25 failures in distinct 5-minute windows; one burst of 14 is split 8 before / 6 after the ALTER.
      const bursts = [25, 22, 18, 15, 12].map((n, i) => gen.burst(n, now - (i * 7 + 1) * 60_000_000));
      const split = gen.burst(14, now - 50 * 60_000_000);
      await send({ auth_events: [...gen.auth(150, now), ...bursts.flat(), ...split.slice(0, 8)], firewall_logs: gen.firewall(60, now).filter((r) => !nearHorizon(r[6] as number)), process_events: gen.process(60, now) });
      await settle(c);
      await compare(20, 'before ALTER');
      const oldAlerts = new Set((await o.query(`SELECT alert_type, entity, detected_at, description FROM siem_alerts WHERE alert_type = 'brute_force'`)).map((r) => r[3]));
      const sinkBefore = (await readTopic(topics['siem_alerts']!, { isolation: 'read_committed' })).length;

      const altered = await psql(server, alterSql(10));
      assert.match(altered.stdout, /ALTER MATERIALIZED VIEW/);
      assert.match(altered.stderr, /kept state of 1 operator, recomputed 0/);
      await settle(c);
      await compare(10, 'after ALTER');
      // A window counted before the ALTER qualifies at once (its count was kept, not reset).
      const bf = await rowsOf(c, 'SELECT source_ip, failures FROM brute_force_detections');
      assert.ok(bf.some((r) => Number(r[1]) >= 12 && Number(r[1]) <= 20), 'a 12–20 failure window qualifies right after the ALTER');
      await send({ auth_events: split.slice(8) });
      await settle(c);
      await compare(10, 'split burst completed after ALTER');
      const splitIp = split[0]![2] as string;
      assert.ok((await rowsOf(c, `SELECT failures FROM brute_force_detections WHERE source_ip = '${splitIp}'`)).some((r) => Number(r[0]) >= 14), 'the split burst added up across the ALTER');

      // Sink: after the ALTER only newly qualifying brute-force alerts (and their later updates), never an earlier one.
      const newAlerts = new Set((await o.query(`SELECT description FROM siem_alerts WHERE alert_type = 'brute_force'`)).map((r) => r[0]));
      let after: { value: string | null }[] = [];
      for (let i = 0; i < 50; i++) {
        after = (await readTopic(topics['siem_alerts']!, { isolation: 'read_committed' })).slice(sinkBefore);
        const got = new Set(after.map((m) => JSON.parse(m.value!).description as string));
        if ([...newAlerts].every((d) => oldAlerts.has(d) || got.has(d ?? ''))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const afterBf = after.map((m) => JSON.parse(m.value!) as { alert_type: string; description: string }).filter((j) => j.alert_type === 'brute_force').map((j) => j.description);
      assert.ok(afterBf.length > 0, 'the sink received the newly qualifying alerts');
      for (const d of afterBf) assert.ok(!oldAlerts.has(d), `an alert from before the ALTER was written again: ${d}`);
      assert.equal(new Set(afterBf).size, afterBf.length, 'no alert written twice');
      assert.deepEqual(new Set(afterBf), new Set([...newAlerts].filter((d) => !oldAlerts.has(d))), 'exactly the newly qualifying alerts');
      await c.end();
      c = null;

      // SIGKILL inside the checkpoint write of the next epoch (the ALTER's): old or new definition, never a mix.
      await server.stop();
      server = await startServerProcess({ dataDir, env: { SLUICE_CRASH_AT: 'checkpoint-write:1' } });
      await psql(server, alterSql(15)).catch(() => undefined);
      const died = await Promise.race([server.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 30_000))]);
      assert.equal(died, 'SIGKILL', 'the server killed itself inside a checkpoint write');
      server = await startServerProcess({ dataDir });
      c = await connect(server);
      await settle(c);
      const t1 = await threshold(c);
      assert.ok(t1 === 10 || t1 === 15, `recovered definition is the old or the new one (HAVING > ${t1})`);
      await compare(t1, 'after SIGKILL during ALTER');
      await c.end();
      c = null;

      // SIGKILL right after an ALTER returned: the committed new definition is recovered.
      await psql(server, alterSql(12));
      await server.stop('SIGKILL');
      server = await startServerProcess({ dataDir });
      c = await connect(server);
      await settle(c);
      assert.equal(await threshold(c), 12);
      await compare(12, 'after SIGKILL following ALTER');
    });
  } catch (e) {
    process.stderr.write(`server log (last 30 lines):\n${server.log.slice(-30).join('\n')}\n`);
    throw e;
  } finally {
    await (c as pg.Client | null)?.end().catch(() => undefined);
    await server.stop();
  }
});

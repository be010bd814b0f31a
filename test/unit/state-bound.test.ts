/**
 * State stays bounded: hours of generated firewall traffic (the datagen connector paced by a manual clock) through
 * the article's `recently_blocked_ips` (a 1-hour temporal filter in HAVING over MAX) and a 5-minute TUMBLE
 * aggregate behind a 1-hour temporal filter keep their persisted state entries flat while the events ingested
 * grow hour by hour. A control view (the same windows without a temporal filter) must grow, so the measure can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { ManualClock } from '../../src/common/clock.js';
import { articleStatements } from '../harness/article.js';

const HOURS = 4;
const RATE = 4; // events per second of clock time

async function scalar(s: EngineSession, sql: string): Promise<number> {
  const r = await s.execute(sql);
  assert.equal(r.kind, 'rows');
  return r.kind === 'rows' ? Number(r.rows[0]![0]) : NaN;
}

test(`state entries stay flat over ${HOURS} hours of traffic behind 1-hour temporal filters`, { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-state-bound-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1) * 1000);
  const engine = await createEngine({ dataDir: dir, clock, autoEpochs: false });
  try {
    const s = engine.openSession({ user: 'root', database: 'dev' });
    const source = articleStatements().find((x) => /CREATE SOURCE firewall_logs/i.test(x))!;
    await s.execute(source.replace(/WITH \([\s\S]*?\) FORMAT/, `WITH (connector = 'datagen', stream = 'firewall_logs', rate = '${RATE}', seed = '7') FORMAT`));
    await s.execute(articleStatements().find((x) => /recently_blocked_ips AS/i.test(x))!);
    const windows = (filter: string): string =>
      `SELECT src_ip, window_start, count(*) AS n, count(*) FILTER (WHERE action = 'deny') AS denies, count(DISTINCT dst_port) AS ports
         FROM TUMBLE(firewall_logs, log_time, INTERVAL '5 minutes') ${filter} GROUP BY src_ip, window_start`;
    await s.execute(`CREATE MATERIALIZED VIEW recent_windows AS ${windows("WHERE log_time > NOW() - INTERVAL '1 hour'")}`);
    await s.execute(`CREATE MATERIALIZED VIEW all_windows AS ${windows('')}`);
    const state = (view: string): Promise<number> => scalar(s, `SELECT state_entries FROM sluice.views WHERE name = '${view}'`);
    const hourly: { events: number; blocked: number; recent: number; all: number }[] = [];
    for (let hour = 1; hour <= HOURS; hour++) {
      for (let minute = 0; minute < 60; minute++) {
        clock.advance(60_000_000);
        await s.execute('FLUSH');
      }
      hourly.push({
        events: await scalar(s, `SELECT rows_ingested FROM sluice.sources WHERE name = 'firewall_logs'`),
        blocked: await state('recently_blocked_ips'),
        recent: await state('recent_windows'),
        all: await state('all_windows'),
      });
    }
    const first = hourly[0]!;
    const last = hourly[HOURS - 1]!;
    const report = JSON.stringify(hourly);
    t.diagnostic(`state entries per hour: ${report}`);
    assert.ok(last.events >= HOURS * 3600 * RATE * 0.9 && last.events >= 3.5 * first.events, `events kept arriving: ${report}`);
    assert.ok(await scalar(s, 'SELECT count(*) FROM recent_windows') > 0, 'the windowed view has rows');
    assert.ok(await scalar(s, 'SELECT count(*) FROM recently_blocked_ips') > 0, 'the blocked-IP view has rows');
    // From the second hour on (the filters' horizon is one hour) the bounded views' state does not grow with
    // the events; the control view's state grows with them.
    for (const h of hourly.slice(2)) {
      assert.ok(h.recent <= hourly[1]!.recent * 1.2, `recent_windows state flat after the first hour: ${report}`);
      assert.ok(h.blocked <= hourly[1]!.blocked * 1.2, `recently_blocked_ips state flat after the first hour: ${report}`);
    }
    assert.ok(last.all >= 1.8 * hourly[1]!.all, `the control view's state grows with the events: ${report}`);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

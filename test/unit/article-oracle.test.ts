/**
 * The article's five views, incrementally maintained by sluice, equal PostgreSQL's batch evaluation of the same
 * queries on the same rows after every epoch: inserts, updates and deletes through tables (the sources' columns
 * with a key), and a clock that moves past the 1-hour horizon of recently_blocked_ips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import type { Row, SqlType, Value } from '../../src/common/types.js';
import { createEngine } from '../../src/engine/engine.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { SiemEvents } from '../harness/siem-events.js';

const ARTICLE = readFileSync(join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'article.sql'), 'utf8');
const VIEWS = ['brute_force_detections', 'suspicious_process_chains', 'recently_blocked_ips', 'auth_from_blocked_ip', 'siem_alerts'];

/** The article's statements, in order. */
function articleStatements(): string[] {
  return ARTICLE.replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** CREATE SOURCE name (cols) WITH … → CREATE TABLE name (cols, PRIMARY KEY (first column)). */
function sourceAsTable(stmt: string): string {
  const m = /^CREATE SOURCE (\w+) \(([\s\S]*?)\)\s*WITH/i.exec(stmt);
  if (!m) throw new Error('not a source: ' + stmt);
  const cols = m[2]!.trim();
  const first = cols.split(/\s+/)[0]!;
  return `CREATE TABLE ${m[1]} (${cols}, PRIMARY KEY (${first}))`;
}

/** The view's SQL for PostgreSQL: TUMBLE as date_bin, NOW() as the test clock's current value. */
function forPostgres(stmt: string): string {
  return stmt
    .replace(/CREATE MATERIALIZED VIEW/i, 'CREATE VIEW')
    .replace(/FROM TUMBLE\((\w+), (\w+), INTERVAL '([^']+)'\)/i, (_m, rel: string, col: string, size: string) =>
      `FROM (SELECT *, date_bin(INTERVAL '${size}', ${col}, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS window_start, date_bin(INTERVAL '${size}', ${col}, TIMESTAMPTZ '1970-01-01 00:00:00+00') + INTERVAL '${size}' AS window_end FROM ${rel}) AS ${rel}`,
    )
    .replace(/NOW\(\)/gi, '(SELECT t FROM sluice_clock)');
}

const TABLE_TYPES: Record<string, SqlType[]> = {
  auth_events: ['varchar', 'varchar', 'varchar', 'varchar', 'timestamptz'],
  firewall_logs: ['varchar', 'varchar', 'varchar', 'integer', 'varchar', 'bigint', 'timestamptz'],
  process_events: ['varchar', 'varchar', 'integer', 'integer', 'varchar', 'varchar', 'timestamptz'],
};

function textRow(row: Row, types: readonly SqlType[]): TextRow {
  return row.map((v, i) => (v === null ? null : formatValueText(v, types[i]!)));
}

function sqlLiteral(v: Value, t: SqlType): string {
  return v === null ? 'NULL' : `'${formatValueText(v, t).replace(/'/g, "''")}'`;
}

test('article views equal PostgreSQL after every epoch (inserts, updates, deletes, clock past 1 hour)', async () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z') * 1000;
  const clock = new ManualClock(t0);
  const engine = await createEngine({ clock, autoEpochs: false });
  const session = engine.openSession({ user: 'root', database: 'dev' });
  const gen = new SiemEvents(42);
  const live: Record<string, Row[]> = { auth_events: [], firewall_logs: [], process_events: [] };
  try {
    await withOracle(async (pg) => {
      await pg.query('CREATE TABLE sluice_clock (t timestamptz)');
      await pg.query(`INSERT INTO sluice_clock VALUES ('${formatValueText(t0, 'timestamptz')}')`);
      for (const stmt of articleStatements()) {
        if (/^CREATE SOURCE/i.test(stmt)) {
          const ddl = sourceAsTable(stmt);
          await session.execute(ddl);
          await pg.query(ddl);
        } else if (/^CREATE MATERIALIZED VIEW/i.test(stmt)) {
          await session.execute(stmt);
          await pg.query(forPostgres(stmt));
        }
      }
      const insert = async (table: string, rows: Row[]): Promise<void> => {
        if (!rows.length) return;
        const types = TABLE_TYPES[table]!;
        const values = rows.map((r) => `(${r.map((v, i) => sqlLiteral(v, types[i]!)).join(', ')})`).join(', ');
        await session.execute(`INSERT INTO ${table} VALUES ${values}`);
        await pg.insert(table, rows.map((r) => textRow(r, types)));
        live[table]!.push(...rows);
      };
      const compareAll = async (label: string): Promise<void> => {
        for (const v of VIEWS) {
          const ours = await session.execute(`SELECT * FROM ${v}`);
          assert.equal(ours.kind, 'rows');
          if (ours.kind !== 'rows') return;
          const actual = ours.rows.map((r) => textRow(r, ours.columns.map((c) => c.type)));
          const expected = await pg.query(`SELECT * FROM ${v}`);
          assertSameRows(actual, expected, `${v} at ${label}`);
        }
      };
      let nonEmpty = new Set<string>();
      for (let epoch = 1; epoch <= 14; epoch++) {
        const now = clock.nowMicros();
        await insert('auth_events', [...gen.auth(30, now), ...(gen.chance(0.6) ? gen.burst(22 + gen.pickIndex(6), now) : [])]);
        await insert('firewall_logs', gen.firewall(20, now));
        await insert('process_events', gen.process(15, now));
        // Updates and deletes on earlier rows.
        for (const table of ['auth_events', 'firewall_logs'] as const) {
          const rows = live[table]!;
          for (let k = 0; k < 4 && rows.length; k++) {
            const i = gen.pickIndex(rows.length);
            const row = rows[i]!;
            if (gen.chance(0.5)) {
              await session.execute(`DELETE FROM ${table} WHERE ${table === 'auth_events' ? 'event_id' : 'log_id'} = '${row[0]}'`);
              await pg.query(`DELETE FROM ${table} WHERE ${table === 'auth_events' ? 'event_id' : 'log_id'} = '${row[0]}'`);
              rows.splice(i, 1);
            } else if (table === 'auth_events') {
              const type = gen.eventType();
              await session.execute(`UPDATE auth_events SET event_type = '${type}' WHERE event_id = '${row[0]}'`);
              await pg.query(`UPDATE auth_events SET event_type = '${type}' WHERE event_id = '${row[0]}'`);
              rows[i] = [row[0]!, row[1]!, row[2]!, type, row[4]!];
            } else {
              const action = gen.action();
              await session.execute(`UPDATE firewall_logs SET action = '${action}' WHERE log_id = '${row[0]}'`);
              await pg.query(`UPDATE firewall_logs SET action = '${action}' WHERE log_id = '${row[0]}'`);
              rows[i] = [row[0]!, row[1]!, row[2]!, row[3]!, action, row[5]!, row[6]!];
            }
          }
        }
        await compareAll(`epoch ${epoch} after writes`);
        // Move the clock 0–25 minutes; views with NOW() must retract what aged out.
        clock.advance(gen.pickIndex(26) * 60_000_000);
        await pg.query(`UPDATE sluice_clock SET t = '${formatValueText(clock.nowMicros(), 'timestamptz')}'`);
        await engine.waitCaughtUp();
        await compareAll(`epoch ${epoch} after clock advance`);
        for (const v of VIEWS) if ((await pg.query(`SELECT 1 FROM ${v} LIMIT 1`)).length) nonEmpty.add(v);
      }
      // The data must have exercised every view, or the comparison proves little.
      assert.deepEqual([...nonEmpty].sort(), [...VIEWS].sort());
      // The clock moved past the 1-hour horizon at least once: some firewall block aged out.
      assert.ok(clock.nowMicros() - t0 > 60 * 60_000_000, 'clock advanced more than an hour');
      nonEmpty = new Set();
    });
  } finally {
    await engine.close();
  }
});

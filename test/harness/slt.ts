/**
 * A sqllogictest runner for test/slt/**.slt, with the two records a streaming system needs:
 *   `wait` — run epochs until every source has caught up and every view is current;
 *   `clock set <ISO time>` / `clock advance <interval text>` — drive NOW() by hand (in-process only).
 * Records: `statement ok`, `statement error [regex]`, `query <types> [rowsort]` + SQL + `----` + expected rows
 * (values separated by one space; NULL as NULL; empty string as (empty)). Targets: in-process engine, or a
 * server over the PG wire (`pg` client, text results). State: none between files; each file gets a fresh target.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ManualClock } from '../../src/common/clock.js';
import { SqlError } from '../../src/common/errors.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { parseValueText } from '../../src/expr/text-io.js';
import type { Interval } from '../../src/common/types.js';

export interface SltTarget {
  /** Rows as text (null for NULL), or null for a statement without rows. Throws with `.code` on error. */
  run(sql: string): Promise<(string | null)[][] | null>;
  wait(): Promise<void>;
  clockSet?(micros: number): void;
  clockAdvance?(micros: number): void;
  close(): Promise<void>;
}

export async function inProcessTarget(startMicros = Date.parse('2026-01-01T00:00:00Z') * 1000): Promise<SltTarget & { engine: Engine; clock: ManualClock }> {
  const clock = new ManualClock(startMicros);
  const engine = await createEngine({ clock, autoEpochs: false });
  const session = engine.openSession({ user: 'root', database: 'dev' });
  return {
    engine,
    clock,
    async run(sql) {
      const r = await session.execute(sql);
      if (r.kind !== 'rows') return null;
      return r.rows.map((row) => row.map((v, i) => (v === null ? null : formatValueText(v, r.columns[i]!.type))));
    },
    wait: () => engine.waitCaughtUp(),
    clockSet: (m) => clock.set(m),
    clockAdvance: (m) => clock.advance(m),
    close: () => engine.close(),
  };
}

export async function wireTarget(connectionString: string): Promise<SltTarget> {
  const client = new pg.Client({ connectionString, types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  return {
    async run(sql) {
      const r = await client.query({ text: sql, rowMode: 'array' });
      return r.fields.length ? (r.rows as (string | null)[][]) : null;
    },
    async wait() {
      await client.query('FLUSH');
    },
    close: () => client.end(),
  };
}

interface SltRecord {
  line: number;
  kind: 'statement ok' | 'statement error' | 'query' | 'wait' | 'clock set' | 'clock advance';
  sql: string;
  arg: string;
  rowsort: boolean;
  expected: string[];
}

export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const out: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const start = i + 1;
    const header = line;
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----') body.push(lines[i++]!);
    const expected: string[] = [];
    if (i < lines.length && lines[i]!.trim() === '----') {
      i++;
      while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!.trim());
    }
    if (header === 'wait') out.push({ line: start, kind: 'wait', sql: '', arg: '', rowsort: false, expected });
    else if (header.startsWith('clock set ')) out.push({ line: start, kind: 'clock set', sql: '', arg: header.slice(10).trim(), rowsort: false, expected });
    else if (header.startsWith('clock advance ')) out.push({ line: start, kind: 'clock advance', sql: '', arg: header.slice(14).trim(), rowsort: false, expected });
    else if (header === 'statement ok') out.push({ line: start, kind: 'statement ok', sql: body.join('\n'), arg: '', rowsort: false, expected });
    else if (header.startsWith('statement error')) out.push({ line: start, kind: 'statement error', sql: body.join('\n'), arg: header.slice(15).trim(), rowsort: false, expected });
    else if (header.startsWith('query')) {
      const parts = header.split(/\s+/);
      out.push({ line: start, kind: 'query', sql: body.join('\n'), arg: parts[1] ?? '', rowsort: parts.includes('rowsort'), expected });
    } else throw new Error(`line ${start}: unknown record "${header}"`);
  }
  return out;
}

function renderRow(row: (string | null)[]): string {
  return row.map((v) => (v === null ? 'NULL' : v === '' ? '(empty)' : v)).join(' ');
}

/** Run one .slt file; throws an Error naming the file, line and the difference on the first failure. */
export async function runSltFile(path: string, target: SltTarget): Promise<{ records: number; skipped: number }> {
  const records = parseSlt(readFileSync(path, 'utf8'));
  let skipped = 0;
  for (const r of records) {
    const where = `${path}:${r.line}`;
    switch (r.kind) {
      case 'wait':
        await target.wait();
        break;
      case 'clock set':
        if (!target.clockSet) {
          skipped++;
          break;
        }
        target.clockSet(Date.parse(r.arg) * 1000);
        break;
      case 'clock advance': {
        if (!target.clockAdvance) {
          skipped++;
          break;
        }
        const iv = parseValueText(r.arg, 'interval') as Interval;
        target.clockAdvance(iv.days * 86_400_000_000 + iv.micros + iv.months * 30 * 86_400_000_000);
        break;
      }
      case 'statement ok':
        try {
          await target.run(r.sql);
        } catch (e) {
          throw new Error(`${where}: statement failed: ${(e as Error).message}\n${r.sql}`);
        }
        break;
      case 'statement error': {
        let failed: unknown = null;
        try {
          await target.run(r.sql);
        } catch (e) {
          failed = e;
        }
        if (!failed) throw new Error(`${where}: statement succeeded but an error was expected\n${r.sql}`);
        const msg = (failed as Error).message;
        const code = (failed as SqlError).code ?? '';
        if (r.arg && !new RegExp(r.arg).test(msg) && r.arg !== code) throw new Error(`${where}: error "${msg}" (${code}) does not match /${r.arg}/`);
        break;
      }
      case 'query': {
        let rows: (string | null)[][] | null;
        try {
          rows = await target.run(r.sql);
        } catch (e) {
          throw new Error(`${where}: query failed: ${(e as Error).message}\n${r.sql}`);
        }
        let got = (rows ?? []).map(renderRow);
        let want = [...r.expected];
        if (r.rowsort) {
          got = got.sort();
          want = want.sort();
        }
        if (got.join('\n') !== want.join('\n')) {
          throw new Error(`${where}: query result differs\n${r.sql}\n--- expected\n${want.join('\n')}\n--- actual\n${got.join('\n')}`);
        }
        break;
      }
    }
  }
  return { records: records.length, skipped };
}

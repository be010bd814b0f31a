/**
 * Random DML over two small tables for property tests (sql-differential, alter-mv): the tables' DDL, a fast-check
 * generator of operations with tiny key domains, a writer that runs each operation as the same SQL statement on
 * sluice and on PostgreSQL, and the PostgreSQL spelling of TUMBLE and NOW(). State: the writer's live row ids.
 */
import fc from 'fast-check';
import type { EngineSession } from '../../src/engine/api.js';
import { formatValueText } from '../../src/expr/text-io.js';
import type { Oracle } from './pg-oracle.js';

export const RANDOM_TABLES_DDL = ['CREATE TABLE t1 (id INT PRIMARY KEY, k VARCHAR, g INT, v INT, ts TIMESTAMPTZ)', 'CREATE TABLE t2 (id INT PRIMARY KEY, k VARCHAR, w INT)'];

export interface Op {
  kind: 'insert1' | 'insert2' | 'delete1' | 'delete2' | 'update1';
  k: string | null;
  g: number | null;
  v: number | null;
  minutesAgo: number;
  pick: number;
}

/** Operations over t1/t2: inserts twice as likely on t1; values from the given small domains. */
export function opArbitrary(d: { groups: number[]; values: [number, number]; minutesAgo: [number, number] }): fc.Arbitrary<Op> {
  return fc.record({
    kind: fc.constantFrom('insert1', 'insert1', 'insert2', 'delete1', 'delete2', 'update1'),
    k: fc.constantFrom('a', 'b', 'c', null),
    g: fc.constantFrom(...d.groups, null),
    v: fc.option(fc.integer({ min: d.values[0], max: d.values[1] }), { nil: null }),
    minutesAgo: fc.integer({ min: d.minutesAgo[0], max: d.minutesAgo[1] }),
    pick: fc.nat(),
  });
}

/** The query for PostgreSQL: TUMBLE(t1, ts, …) as date_bin columns; NOW() from the table sluice_clock. */
export function forPostgres(q: string): string {
  return q
    .replace(/FROM TUMBLE\(t1, ts, INTERVAL '([^']+)'\)/, (_m, w: string) => `FROM (SELECT *, date_bin(INTERVAL '${w}', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS window_start, date_bin(INTERVAL '${w}', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') + INTERVAL '${w}' AS window_end FROM t1) AS t1`)
    .replace(/NOW\(\)/g, '(SELECT t FROM sluice_clock)');
}

export const sqlLiteral = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));

/** Runs operations as SQL on both systems; deletes and updates pick among the rows still live. */
export class RandomTableWriter {
  private readonly live = { t1: [] as number[], t2: [] as number[] };
  private nextId = 1;

  constructor(
    private readonly s: EngineSession,
    private readonly pg: Oracle,
  ) {}

  async apply(ops: readonly Op[], nowMicros: number): Promise<void> {
    const lit = sqlLiteral;
    for (const o of ops) {
      const ts = `'${formatValueText(nowMicros - o.minutesAgo * 60_000_000, 'timestamptz')}'`;
      let stmt: string | null = null;
      if (o.kind === 'insert1') {
        const id = this.nextId++;
        this.live.t1.push(id);
        stmt = `INSERT INTO t1 VALUES (${id}, ${lit(o.k)}, ${lit(o.g)}, ${lit(o.v)}, ${ts})`;
      } else if (o.kind === 'insert2') {
        const id = this.nextId++;
        this.live.t2.push(id);
        stmt = `INSERT INTO t2 VALUES (${id}, ${lit(o.k)}, ${lit(o.v)})`;
      } else if (o.kind === 'delete1' && this.live.t1.length) {
        stmt = `DELETE FROM t1 WHERE id = ${this.live.t1.splice(o.pick % this.live.t1.length, 1)[0]}`;
      } else if (o.kind === 'delete2' && this.live.t2.length) {
        stmt = `DELETE FROM t2 WHERE id = ${this.live.t2.splice(o.pick % this.live.t2.length, 1)[0]}`;
      } else if (o.kind === 'update1' && this.live.t1.length) {
        stmt = `UPDATE t1 SET v = ${lit(o.v)}, k = ${lit(o.k)} WHERE id = ${this.live.t1[o.pick % this.live.t1.length]}`;
      }
      if (stmt) {
        await this.s.execute(stmt);
        await this.pg.query(stmt);
      }
    }
  }
}

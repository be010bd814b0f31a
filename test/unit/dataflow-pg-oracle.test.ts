/**
 * Differential test of the aggregate operator against PostgreSQL 15 (the oracle): random rows are streamed in,
 * some deleted again over several steps, and the materialized GROUP BY result must print exactly like
 * PostgreSQL's result on the remaining rows (types, NULLs, numeric scales of sum/avg, DISTINCT, FILTER).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { Dataflow } from '../../src/dataflow/index.js';
import type { AggregateSpec, NodeSpec } from '../../src/dataflow/spec.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { Numeric } from '../../src/common/numeric.js';
import type { Row, SqlType, Value } from '../../src/common/types.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';

const RUNS = Math.max(5, Math.round(Number(process.env.SLUICE_PROPERTY_RUNS ?? 20000) / 1000));

// rows: (k integer, v integer, n numeric, s text)
const rowArb = fc.tuple(
  fc.option(fc.integer({ min: 0, max: 2 }), { nil: null, freq: 6 }),
  fc.option(fc.integer({ min: -5, max: 5 }), { nil: null, freq: 5 }),
  fc.option(fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: 0, max: 3 })), { nil: null, freq: 5 }),
  fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null, freq: 5 }),
);

const col = (i: number) => (r: Row): Value => r[i]!;
const vPos = (r: Row): Value => (r[1] === null ? null : (r[1] as number) > 0);
const a = (fn: AggregateSpec['fn'], arg: ((r: Row) => Value) | undefined, inputType: SqlType, resultType: SqlType, more: Partial<AggregateSpec> = {}): AggregateSpec => ({
  fn,
  ...(arg ? { arg } : {}),
  distinct: false,
  inputType,
  resultType,
  ...more,
});
const AGGS: { sql: string; spec: AggregateSpec }[] = [
  { sql: 'count(*)', spec: a('count_star', undefined, 'bigint', 'bigint') },
  { sql: 'count(v)', spec: a('count', col(1), 'integer', 'bigint') },
  { sql: 'sum(v)', spec: a('sum', col(1), 'integer', 'bigint') },
  { sql: 'avg(v)', spec: a('avg', col(1), 'integer', 'numeric') },
  { sql: 'min(v)', spec: a('min', col(1), 'integer', 'integer') },
  { sql: 'max(n)', spec: a('max', col(2), 'numeric', 'numeric') },
  { sql: 'sum(n)', spec: a('sum', col(2), 'numeric', 'numeric') },
  { sql: 'avg(n)', spec: a('avg', col(2), 'numeric', 'numeric') },
  { sql: 'sum(v::bigint)', spec: a('sum', (r) => (r[1] === null ? null : BigInt(r[1] as number)), 'bigint', 'numeric') },
  { sql: 'count(DISTINCT v)', spec: a('count', col(1), 'integer', 'bigint', { distinct: true }) },
  { sql: 'sum(DISTINCT v)', spec: a('sum', col(1), 'integer', 'bigint', { distinct: true }) },
  { sql: 'avg(DISTINCT n)', spec: a('avg', col(2), 'numeric', 'numeric', { distinct: true }) },
  { sql: 'bool_and(v > 0)', spec: a('bool_and', vPos, 'boolean', 'boolean') },
  { sql: 'bool_or(v > 0)', spec: a('bool_or', vPos, 'boolean', 'boolean') },
  { sql: "string_agg(s, ',' ORDER BY s)", spec: a('string_agg', col(3), 'text', 'text', { separator: () => ',' }) },
  { sql: "string_agg(DISTINCT s, '-' ORDER BY s)", spec: a('string_agg', col(3), 'text', 'text', { separator: () => '-', distinct: true }) },
  { sql: 'count(*) FILTER (WHERE v > 0)', spec: a('count_star', undefined, 'bigint', 'bigint', { filter: (r) => vPos(r) === true }) },
  { sql: 'sum(n) FILTER (WHERE s = \'a\')', spec: a('sum', col(2), 'numeric', 'numeric', { filter: (r) => r[3] === 'a' }) },
];

function text(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Numeric) return v.toString();
  return String(v);
}
const pgText = (r: [number | null, number | null, [number, number] | null, string | null]): TextRow => [
  r[0] === null ? null : String(r[0]),
  r[1] === null ? null : String(r[1]),
  r[2] === null ? null : new Numeric(BigInt(r[2][0]), r[2][1]).toString(),
  r[3],
];
const toRow = (r: [number | null, number | null, [number, number] | null, string | null]): Row => [r[0], r[1], r[2] === null ? null : new Numeric(BigInt(r[2][0]), r[2][1]), r[3]];

for (const grouped of [true, false]) {
  test(`${grouped ? 'GROUP BY k' : 'global'} aggregates print exactly like PostgreSQL after inserts and deletes`, async () => {
    await withOracle(async (o) => {
      await o.createTable('t', [
        { name: 'k', type: 'integer' },
        { name: 'v', type: 'integer' },
        { name: 'n', type: 'numeric' },
        { name: 's', type: 'text' },
      ]);
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 15 }), async (rows, deletions) => {
          const nodes: NodeSpec[] = [
            { id: 'in', label: 'in', kind: 'input', arity: 4 },
            { id: 'g', label: 'agg', kind: 'aggregate', input: 'in', groupKey: grouped ? [col(0)] : [], global: !grouped, aggregates: AGGS.map((x) => x.spec) },
            { id: 'mv', label: 'mv', kind: 'materialize', input: 'g' },
          ];
          const store = new MemoryStore();
          const df = new Dataflow(store);
          df.addNodes(nodes);
          const live = rows.map((r) => r);
          if (live.length > 0) df.push('in', live.map((r) => ({ row: toRow(r), weight: 1 })));
          df.step(0);
          await store.commitEpoch(1);
          // delete some rows again, a few per step
          let epoch = 1;
          for (let i = 0; i < deletions.length && live.length > 0; i += 3) {
            const batch = deletions.slice(i, i + 3).flatMap((d) => {
              if (live.length === 0) return [];
              const [gone] = live.splice(d % live.length, 1);
              return [{ row: toRow(gone!), weight: -1 }];
            });
            df.push('in', batch);
            df.step(0);
            await store.commitEpoch(++epoch);
          }
          await o.query('TRUNCATE t');
          await o.insert('t', live.map(pgText));
          const sql = `SELECT ${grouped ? 'k, ' : ''}${AGGS.map((x) => x.sql).join(', ')} FROM t${grouped ? ' GROUP BY k' : ''}`;
          const want = await o.query(sql);
          const got: TextRow[] = [];
          for (const [row, n] of df.contents('mv')) for (let i = 0; i < n; i++) got.push(row.map(text));
          assertSameRows(got, want, sql);
        }),
        { numRuns: RUNS, includeErrorInReport: true },
      );
    });
  });
}

/**
 * Per-operator fixture tests for src/dataflow: changelog text in, expected changelog text out, step by step,
 * including update pairs (U-/U+), retractions to empty, NULL semantics and restart from the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataflow, evaluateBatch } from '../../src/dataflow/index.js';
import type { AggregateSpec, NodeSpec } from '../../src/dataflow/spec.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { Row, SqlType, Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import { assertSameChanges, parseChanges } from '../harness/changes.js';

const col =
  (i: number) =>
  (r: Row): Value =>
    r[i]!;

/** A tiny driver: one Dataflow over a MemoryStore, fixture text in, fixture text expected out. */
class Fixture {
  readonly store = new MemoryStore();
  df = new Dataflow(this.store);
  private epoch = 0;
  constructor(
    readonly nodes: NodeSpec[],
    readonly out: string,
    readonly inputTypes: Record<string, SqlType[]>,
    readonly outTypes: SqlType[],
  ) {
    this.df.addNodes(nodes);
    this.df.watch(out);
  }
  /** Push fixture batches (input id → text), step at `now`, assert the output delta, commit. */
  async step(inputs: Record<string, string>, expected: string, now = 0): Promise<void> {
    for (const [id, text] of Object.entries(inputs)) this.df.push(id, parseChanges(text, this.inputTypes[id]!));
    const got = this.df.step(now).get(this.out)!;
    assertSameChanges(got, expected, this.outTypes, `step ${this.epoch + 1}`);
    await this.store.commitEpoch(++this.epoch);
  }
  /** Simulate a restart: a new Dataflow over the same store, the same nodes re-added. */
  restart(): void {
    this.df = new Dataflow(this.store);
    this.df.addNodes(this.nodes);
    this.df.watch(this.out);
  }
}

const input = (id: string, arity: number): NodeSpec => ({ id, label: id, kind: 'input', arity });
const agg = (fn: AggregateSpec['fn'], arg: number | undefined, inputType: SqlType, resultType: SqlType, more: Partial<AggregateSpec> = {}): AggregateSpec => ({
  fn,
  ...(arg === undefined ? {} : { arg: col(arg) }),
  distinct: false,
  inputType,
  resultType,
  ...more,
});

test('map, filter, flatMap and union pass weights through', async () => {
  const f = new Fixture(
    [
      input('a', 2),
      input('b', 2),
      { id: 'f', label: 'x > 1', kind: 'filter', input: 'a', pred: (r) => (r[0] as number) > 1 },
      { id: 'm', label: 'x*10, s', kind: 'map', input: 'f', fns: [(r) => (r[0] as number) * 10, col(1)] },
      { id: 'fm', label: 'twice', kind: 'flatMap', input: 'b', fn: (r) => [r, [(r[0] as number) + 1, r[1]!]] },
      { id: 'u', label: 'union', kind: 'union', inputs: ['m', 'fm'] },
    ],
    'u',
    { a: ['integer', 'varchar'], b: ['integer', 'varchar'] },
    ['integer', 'varchar'],
  );
  await f.step({ a: '+ 1 a\n+ 2 b', b: '+ 5 z' }, '+ 20 b\n+ 5 z\n+ 6 z');
  await f.step({ a: 'U- 2 b\nU+ 3 c', b: '- 5 z' }, '- 20 b\n+ 30 c\n- 5 z\n- 6 z');
  await f.step({}, '');
});

test('filter drops rows whose predicate is NULL-ish (not exactly true)', async () => {
  const f = new Fixture(
    [input('a', 1), { id: 'f', label: 'x', kind: 'filter', input: 'a', pred: (r) => r[0] as boolean }],
    'f',
    { a: ['boolean'] },
    ['boolean'],
  );
  await f.step({ a: '+ t\n+ f\n+ NULL' }, '+ t');
});

test('distinct: multiset to set, under deletions', async () => {
  const f = new Fixture([input('a', 1), { id: 'd', label: 'distinct', kind: 'distinct', input: 'a' }], 'd', { a: ['integer'] }, ['integer']);
  await f.step({ a: '+ 1\n+ 1\n+ 2' }, '+ 1\n+ 2');
  await f.step({ a: '- 1' }, '');
  await f.step({ a: '- 1\n+ 3\n- 3' }, '- 1');
  f.restart();
  await f.step({ a: '- 2\n+ 1' }, '- 2\n+ 1');
});

test('grouped aggregate: count(*) FILTER, count(DISTINCT), update pairs only when the row changes', async () => {
  // (ip, user, type) grouped by ip: failures = count(*) filter (type = 'f'), users = count(distinct user)
  const f = new Fixture(
    [
      input('a', 3),
      {
        id: 'g',
        label: 'group by ip',
        kind: 'aggregate',
        input: 'a',
        groupKey: [col(0)],
        global: false,
        aggregates: [agg('count_star', undefined, 'bigint', 'bigint', { filter: (r) => r[2] === 'f' }), agg('count', 1, 'varchar', 'bigint', { distinct: true })],
      },
    ],
    'g',
    { a: ['varchar', 'varchar', 'varchar'] },
    ['varchar', 'bigint', 'bigint'],
  );
  await f.step({ a: "+ ip1 u1 f\n+ ip1 u2 f\n+ ip2 u1 s" }, '+ ip1 2 2\n+ ip2 0 1');
  // a success from an existing user on ip1 changes nothing in the output
  await f.step({ a: '+ ip1 u1 s' }, '');
  await f.step({ a: '- ip1 u2 f' }, 'U- ip1 2 2\nU+ ip1 1 1');
  // the group empties: its row is retracted and its state dropped
  await f.step({ a: '- ip2 u1 s' }, '- ip2 0 1');
  assert.equal(f.df.stateSize('g'), 1 + 1); // group ip1 + its one distinct user
  f.restart();
  await f.step({ a: '+ ip1 u3 f' }, 'U- ip1 1 1\nU+ ip1 2 2');
});

test('global aggregate: one row on empty input, NULL sums, back to the empty row', async () => {
  const f = new Fixture(
    [
      input('a', 1),
      {
        id: 'g',
        label: 'global',
        kind: 'aggregate',
        input: 'a',
        groupKey: [],
        global: true,
        aggregates: [agg('count_star', undefined, 'bigint', 'bigint'), agg('count', 0, 'integer', 'bigint'), agg('sum', 0, 'integer', 'bigint'), agg('max', 0, 'integer', 'integer')],
      },
    ],
    'g',
    { a: ['integer'] },
    ['bigint', 'bigint', 'bigint', 'integer'],
  );
  await f.step({}, '+ 0 0 NULL NULL');
  await f.step({ a: '+ NULL' }, 'U- 0 0 NULL NULL\nU+ 1 0 NULL NULL');
  await f.step({ a: '+ 4\n+ 7' }, 'U- 1 0 NULL NULL\nU+ 3 2 11 7');
  f.restart();
  await f.step({}, ''); // a restart does not emit the row again
  await f.step({ a: '- 7' }, 'U- 3 2 11 7\nU+ 2 1 4 4');
  await f.step({ a: '- 4\n- NULL' }, 'U- 2 1 4 4\nU+ 0 0 NULL NULL');
});

test('min/max stay correct when the extreme is deleted; sum/avg types follow PostgreSQL', async () => {
  const f = new Fixture(
    [
      input('a', 2),
      {
        id: 'g',
        label: 'by k',
        kind: 'aggregate',
        input: 'a',
        groupKey: [col(0)],
        global: false,
        aggregates: [agg('min', 1, 'integer', 'integer'), agg('max', 1, 'integer', 'integer'), agg('sum', 1, 'integer', 'bigint'), agg('avg', 1, 'integer', 'numeric')],
      },
    ],
    'g',
    { a: ['varchar', 'integer'] },
    ['varchar', 'integer', 'integer', 'bigint', 'numeric'],
  );
  await f.step({ a: '+ k 1\n+ k 2\n+ k 6' }, '+ k 1 6 9 3.0000000000000000');
  await f.step({ a: '- k 6' }, 'U- k 1 6 9 3.0000000000000000\nU+ k 1 2 3 1.5000000000000000');
  await f.step({ a: '- k 1' }, 'U- k 1 2 3 1.5000000000000000\nU+ k 2 2 2 2.0000000000000000');
});

test('sum(bigint) and sum(numeric) give numeric with the largest input scale present', async () => {
  const f = new Fixture(
    [
      input('a', 2),
      {
        id: 'g',
        label: 'sums',
        kind: 'aggregate',
        input: 'a',
        groupKey: [],
        global: true,
        aggregates: [agg('sum', 0, 'bigint', 'numeric'), agg('sum', 1, 'numeric', 'numeric'), agg('avg', 1, 'numeric', 'numeric')],
      },
    ],
    'g',
    { a: ['bigint', 'numeric'] },
    ['numeric', 'numeric', 'numeric'],
  );
  await f.step({ a: '+ 9007199254740993 1.50\n+ 1 2' }, '+ 9007199254740994 3.50 1.7500000000000000');
  const g = f.df;
  g.push('a', [{ row: [1n, new Numeric(150n, 2)], weight: -1 }]);
  const d = g.step(0).get('g')!;
  const inserted = d.find((c) => c.weight === 1)!;
  assert.equal(String(inserted.row[1]), '2'); // 1.50 left: the result scale drops back to 0
  assert.equal(String(inserted.row[2]), '2.0000000000000000');
});

test('string_agg concatenates in (value, separator) order; bool_and/bool_or ignore NULLs', async () => {
  const f = new Fixture(
    [
      input('a', 3),
      {
        id: 'g',
        label: 'strs',
        kind: 'aggregate',
        input: 'a',
        groupKey: [col(0)],
        global: false,
        aggregates: [agg('string_agg', 1, 'varchar', 'varchar', { separator: () => ',' }), agg('string_agg', 1, 'varchar', 'varchar', { separator: () => '-', distinct: true }), agg('bool_and', 2, 'boolean', 'boolean'), agg('bool_or', 2, 'boolean', 'boolean')],
      },
    ],
    'g',
    { a: ['integer', 'varchar', 'boolean'] },
    ['integer', 'varchar', 'varchar', 'boolean', 'boolean'],
  );
  await f.step({ a: '+ 1 c t\n+ 1 a NULL\n+ 1 c f\n+ 2 NULL NULL' }, "+ 1 a,c,c a-c f t\n+ 2 NULL NULL NULL NULL");
  await f.step({ a: '- 1 c f' }, 'U- 1 a,c,c a-c f t\nU+ 1 a,c a-c t t');
});

const joinNodes = (joinType: 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti', residual?: (r: Row) => boolean): NodeSpec[] => [
  input('l', 2),
  input('r', 2),
  { id: 'j', label: joinType, kind: 'join', left: 'l', right: 'r', joinType, leftKey: [col(0)], rightKey: [col(0)], leftArity: 2, rightArity: 2, ...(residual ? { residual } : {}) },
];
const lrTypes = { l: ['integer', 'varchar'] as SqlType[], r: ['integer', 'varchar'] as SqlType[] };
const pairTypes: SqlType[] = ['integer', 'varchar', 'integer', 'varchar'];

test('inner join: ΔL⋈R + L′⋈ΔR, NULL keys never match', async () => {
  const f = new Fixture(joinNodes('inner'), 'j', lrTypes, pairTypes);
  await f.step({ l: '+ 1 a\n+ NULL n', r: '+ 1 x\n+ NULL m' }, '+ 1 a 1 x');
  await f.step({ l: '+ 1 b', r: '+ 1 y' }, '+ 1 b 1 x\n+ 1 a 1 y\n+ 1 b 1 y');
  f.restart();
  await f.step({ r: 'U- 1 x\nU+ 2 x' }, '- 1 a 1 x\n- 1 b 1 x');
});

test('left join switches between padded and matched rows', async () => {
  const f = new Fixture(joinNodes('left'), 'j', lrTypes, pairTypes);
  await f.step({ l: '+ 1 a\n+ NULL n' }, '+ 1 a NULL NULL\n+ NULL n NULL NULL');
  await f.step({ r: '+ 1 x' }, '- 1 a NULL NULL\n+ 1 a 1 x');
  await f.step({ r: '+ 1 y' }, '+ 1 a 1 y');
  f.restart();
  await f.step({ r: '- 1 x\n- 1 y' }, '- 1 a 1 x\n- 1 a 1 y\n+ 1 a NULL NULL');
  await f.step({ l: '- 1 a' }, '- 1 a NULL NULL');
});

test('right and full joins pad the right side; residual decides matches', async () => {
  const f = new Fixture(joinNodes('full', (r) => r[1] !== r[3]), 'j', lrTypes, pairTypes);
  await f.step({ l: '+ 1 a', r: '+ 1 a' }, '+ 1 a NULL NULL\n+ NULL NULL 1 a');
  await f.step({ r: '+ 1 b' }, '+ 1 a 1 b\n- 1 a NULL NULL');
  await f.step({ l: '+ 1 b' }, '+ 1 b 1 a\n- NULL NULL 1 a');
  const g = new Fixture(joinNodes('right'), 'j', lrTypes, pairTypes);
  await g.step({ r: '+ 2 z\n+ NULL q' }, '+ NULL NULL 2 z\n+ NULL NULL NULL q');
  await g.step({ l: '+ 2 w\n+ 2 v' }, '- NULL NULL 2 z\n+ 2 w 2 z\n+ 2 v 2 z');
});

test('semi and anti joins output left rows by match status', async () => {
  const s = new Fixture(joinNodes('semi'), 'j', lrTypes, lrTypes.l);
  await s.step({ l: '+ 1 a\n+ 1 a\n+ 2 b\n+ NULL c', r: '+ 1 x\n+ 1 y' }, '+2 1 a');
  await s.step({ r: '- 1 x' }, '');
  await s.step({ r: '- 1 y\n+ 2 z' }, '-2 1 a\n+ 2 b');
  const a = new Fixture(joinNodes('anti'), 'j', lrTypes, lrTypes.l);
  await a.step({ l: '+ 1 a\n+ 2 b\n+ NULL c', r: '+ 1 x' }, '+ 2 b\n+ NULL c');
  await a.step({ r: '- 1 x\n+ 2 y' }, '+ 1 a\n- 2 b');
});

test('temporal filter emits insertion at from and retraction at until, without input', async () => {
  // row (id, ts): valid for [ts, ts + 100)
  const f = new Fixture(
    [input('a', 2), { id: 't', label: 'ts + 100 > now', kind: 'temporalFilter', input: 'a', validity: (r) => ({ from: r[1] as number, until: (r[1] as number) + 100 }) }],
    't',
    { a: ['integer', 'integer'] },
    ['integer', 'integer'],
  );
  await f.step({ a: '+ 1 0\n+ 2 50\n+ 3 500\n+ 4 -200' }, '+ 1 0', 10);
  assert.equal(f.df.nextWakeupMicros(), 50);
  await f.step({}, '+ 2 50', 60);
  assert.equal(f.df.nextWakeupMicros(), 100);
  f.restart();
  assert.equal(f.df.nextWakeupMicros(), 100);
  await f.step({ a: '- 2 50' }, '- 2 50', 99);
  await f.step({}, '- 1 0', 100);
  assert.equal(f.df.nextWakeupMicros(), 500);
  // jumping over a whole interval emits nothing for that row
  await f.step({}, '', 700);
  assert.equal(f.df.nextWakeupMicros(), null);
  assert.equal(f.df.stateSize('t'), 0);
});

test('topN keeps the window correct under deletions, with ties broken by the row', async () => {
  const f = new Fixture(
    [input('a', 2), { id: 'n', label: 'top 2 by v desc', kind: 'topN', input: 'a', orderBy: [{ fn: col(1), desc: true, nullsFirst: false }], limit: 2, offset: 0 }],
    'n',
    { a: ['varchar', 'integer'] },
    ['varchar', 'integer'],
  );
  await f.step({ a: '+ a 1\n+ b 5\n+ c 3\n+ d NULL' }, '+ b 5\n+ c 3');
  await f.step({ a: '- b 5' }, '- b 5\n+ a 1');
  await f.step({ a: '+ e 3' }, '- a 1\n+ e 3');
  f.restart();
  await f.step({ a: '+2 z 9' }, '-  c 3\n- e 3\n+2 z 9');
});

test('materialize holds contents and new readers get them as a backfill', async () => {
  const f = new Fixture(
    [input('a', 1), { id: 'mv', label: 'mv', kind: 'materialize', input: 'a' }],
    'mv',
    { a: ['integer'] },
    ['integer'],
  );
  await f.step({ a: '+ 1\n+ 1\n+ 2\n- 2\n+ 3' }, '+2 1\n+ 3');
  assert.deepEqual([...f.df.contents('mv')].sort(), [[[1], 2], [[3], 1]]);
  f.df.addNodes([{ id: 'cnt', label: 'count', kind: 'aggregate', input: 'mv', groupKey: [], global: true, aggregates: [agg('count_star', undefined, 'bigint', 'bigint')] }]);
  f.df.watch('cnt');
  f.df.push('a', parseChanges('+ 4', ['integer']));
  const out = f.df.step(0).get('cnt')!;
  assertSameChanges(out, '+ 4', ['bigint']);
  await f.store.commitEpoch(100);
  // after a restart the reader reloads its state instead of getting a second backfill
  f.restart();
  f.df.addNodes([{ id: 'cnt', label: 'count', kind: 'aggregate', input: 'mv', groupKey: [], global: true, aggregates: [agg('count_star', undefined, 'bigint', 'bigint')] }]);
  f.df.watch('cnt');
  f.df.push('a', parseChanges('+ 5', ['integer']));
  assertSameChanges(f.df.step(0).get('cnt')!, '- 4\n+ 5', ['bigint']);
  f.df.removeNodes(['cnt']);
  assert.ok(!f.df.has('cnt'));
  assert.throws(() => f.df.removeNodes(['a']), /reads it/);
});

test('evaluateBatch runs the same operators once over the given rows', () => {
  const nodes: NodeSpec[] = [
    input('a', 2),
    { id: 'g', label: 'by k', kind: 'aggregate', input: 'a', groupKey: [col(0)], global: false, aggregates: [agg('sum', 1, 'integer', 'bigint')] },
  ];
  const rows = evaluateBatch(nodes, new Map([['a', [['x', 1], ['x', 2], ['y', 5]]]]), 'g', 0, new MemoryStore());
  assert.deepEqual(rows.map((r) => [...r]).sort(), [['x', 3n], ['y', 5n]]);
});

test('explain lists nodes with kind, label and inputs', () => {
  const df = new Dataflow(new MemoryStore());
  df.addNodes(joinNodes('inner'));
  assert.equal(df.explain(), 'l: input l\nr: input r\nj: join inner <- l, r');
  assert.equal(df.explain(['l']), 'l: input l');
});

test('a representation-only change (numeric sum 3.50 → 3.5) reaches the view and survives a restart', async () => {
  const f = new Fixture(
    [
      input('a', 1),
      { id: 'g', label: 'sum', kind: 'aggregate', input: 'a', groupKey: [], global: true, aggregates: [agg('sum', 0, 'numeric', 'numeric')] },
      { id: 'mv', label: 'mv', kind: 'materialize', input: 'g' },
    ],
    'mv',
    { a: ['numeric'] },
    ['numeric'],
  );
  const shown = (): string[] => [...f.df.contents('mv')].map(([r]) => String(r[0]));
  await f.step({ a: '+ 1.50\n+ 2' }, '+ 3.50');
  assert.deepEqual(shown(), ['3.50']);
  // SQL-equal old and new rows: the update must not consolidate away (PostgreSQL would now print 3.5)
  await f.step({ a: 'U- 1.50\nU+ 1.5' }, '');
  assert.deepEqual(shown(), ['3.5']);
  f.restart();
  assert.deepEqual(shown(), ['3.5']);
});

test('dfRowKey has the same equality as common rowKey', async () => {
  const { dfRowKey } = await import('../../src/dataflow/row-key.js');
  const { rowKey } = await import('../../src/common/rowkey.js');
  const fc = (await import('fast-check')).default;
  const value = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom(0, -0, 1.5, NaN, Infinity),
    fc.bigInt({ min: -3n, max: 3n }),
    fc.string({ maxLength: 4, unit: fc.constantFrom('a', '\u0001', ':', '1', 's') }),
    fc.tuple(fc.bigInt({ min: -30n, max: 30n }), fc.nat({ max: 2 })).map(([u, s]) => new Numeric(u, s)),
  );
  const row = fc.array(value, { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(row, row, (a, b) => {
      assert.equal(dfRowKey(a) === dfRowKey(b), rowKey(a) === rowKey(b));
    }),
    { numRuns: 3000 },
  );
});

/**
 * Interruptible batch evaluation (evaluateBatchInterruptible, the ad-hoc SELECT path): on random small-domain
 * inputs and random pipelines (filter, map, aggregate ± DISTINCT ± FILTER, global aggregate, joins of every type,
 * UNION ALL, DISTINCT, topN, temporal filter), pushing the inputs in slices over many steps — slices from 1 row,
 * doubled or halved as the step-time rule decides, yielding to the event loop after every step or never — gives
 * the same multiset as the one-step evaluateBatch. Also: an interrupt callback that throws stops it (57014), the
 * event loop gets turns while it runs, and an error only a partial input raises does not leak out.
 * SLUICE_PROPERTY_RUNS=n runs more cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateBatch, evaluateBatchInterruptible, type BatchQuery } from '../../src/dataflow/graph.js';
import type { NodeSpec } from '../../src/dataflow/spec.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { SqlError, SQLSTATE } from '../../src/common/errors.js';
import type { Row } from '../../src/common/types.js';
import { canon, pipelineNodes, relArb, type Rel } from '../harness/random-pipelines.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 2000);
const NOW = 5;

/** The random pipeline over inputs `a` (3 columns) and `b` (2), evaluated at NOW. */
function query(rel: Rel, a: Row[], b: Row[]): BatchQuery {
  const { nodes, output } = pipelineNodes(rel);
  return { nodes, inputs: new Map([['A', a], ['B', b]]), outputId: output, nowMicros: NOW };
}

const small = fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 5 });
const rowsArb = (n: number): fc.Arbitrary<Row[]> => fc.array(fc.array(small, { minLength: n, maxLength: n }) as fc.Arbitrary<Row>, { maxLength: 30 });

// ------------------------------------------------------------------ properties

test(`evaluation in slices over many steps equals the one-step evaluation (${RUNS} cases)`, async () => {
  await fc.assert(
    fc.asyncProperty(relArb(3), rowsArb(3), rowsArb(2), fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 1000), async (rel, a, b, firstStepRows, yieldEveryMs) => {
      const q = query(rel, a, b);
      const expected = canon(evaluateBatch(q.nodes, q.inputs, q.outputId, q.nowMicros, new MemoryStore()));
      let interrupts = 0;
      const actual = canon(await evaluateBatchInterruptible(q, new MemoryStore(), { interrupt: () => interrupts++, firstStepRows, yieldEveryMs }));
      assert.deepEqual(actual, expected);
      // Every step is followed by an interrupt check: several steps ran whenever an input needed them.
      const longest = Math.max(a.length, b.length);
      if (yieldEveryMs === 0 && longest > firstStepRows) assert.ok(interrupts >= 2, `${interrupts} interrupt checks`);
    }),
    { numRuns: RUNS },
  );
});

function crossJoinCount(n: number): BatchQuery {
  const rows: Row[] = Array.from({ length: n }, (_, i) => [i]);
  const nodes: NodeSpec[] = [
    { id: 'A', label: 'A', kind: 'input', arity: 1 },
    { id: 'B', label: 'B', kind: 'input', arity: 1 },
    { id: 'j', label: 'cross', kind: 'join', left: 'A', right: 'B', joinType: 'inner', leftKey: [() => 1], rightKey: [() => 1], leftArity: 1, rightArity: 1 },
    { id: 'g', label: 'count', kind: 'aggregate', input: 'j', groupKey: [], global: true, aggregates: [{ fn: 'count_star', distinct: false, inputType: 'integer', resultType: 'bigint' }] },
  ];
  return { nodes, inputs: new Map([['A', rows], ['B', rows]]), outputId: 'g', nowMicros: 0 };
}

test('an interrupt callback that throws stops the evaluation with its error (57014)', async () => {
  const q = crossJoinCount(400);
  let calls = 0;
  await assert.rejects(
    evaluateBatchInterruptible(q, new MemoryStore(), {
      firstStepRows: 1,
      yieldEveryMs: 0,
      interrupt: () => {
        if (++calls === 3) throw new SqlError(SQLSTATE.query_canceled, 'canceling statement due to user request');
      },
    }),
    (e: unknown) => e instanceof SqlError && e.code === '57014' && e.message === 'canceling statement due to user request',
  );
  assert.equal(calls, 3, 'no step runs after the interrupt threw');
  // Not interrupted, the same query completes with the right answer.
  assert.deepEqual(await evaluateBatchInterruptible(q, new MemoryStore(), { firstStepRows: 1, interrupt: () => undefined }), [[160000n]]);
});

test('the event loop gets turns while a long evaluation runs (a timer fires before it ends)', async () => {
  let fired = false;
  const timer = setTimeout(() => (fired = true), 1);
  let firedDuring = false;
  const rows = await evaluateBatchInterruptible(crossJoinCount(1500), new MemoryStore(), {
    yieldEveryMs: 5,
    interrupt: () => {
      if (fired) firedDuring = true;
    },
  });
  clearTimeout(timer);
  assert.deepEqual(rows, [[2_250_000n]]);
  assert.ok(firedDuring, 'a timer callback ran between two steps');
});

test('an error that only a partial input raises is not reported; a real one is', async () => {
  // 100 / (count(*) - k): with 5 rows, count passes 3 on the way when rows arrive one by one.
  const withDivisor = (k: number): BatchQuery => ({
    nodes: [
      { id: 'A', label: 'A', kind: 'input', arity: 1 },
      { id: 'g', label: 'count', kind: 'aggregate', input: 'A', groupKey: [], global: true, aggregates: [{ fn: 'count_star', distinct: false, inputType: 'integer', resultType: 'bigint' }] },
      {
        id: 'm',
        label: 'div',
        kind: 'map',
        input: 'g',
        fns: [
          (row) => {
            const d = Number(row[0]) - k;
            if (d === 0) throw new SqlError(SQLSTATE.division_by_zero, 'division by zero');
            return Math.trunc(100 / d);
          },
        ],
      },
    ],
    inputs: new Map([['A', [[1], [2], [3], [4], [5]]]]),
    outputId: 'm',
    nowMicros: 0,
  });
  const opts = { firstStepRows: 1, yieldEveryMs: 1000, interrupt: () => undefined };
  assert.deepEqual(await evaluateBatchInterruptible(withDivisor(3), new MemoryStore(), opts), [[50]]);
  await assert.rejects(evaluateBatchInterruptible(withDivisor(5), new MemoryStore(), opts), (e: unknown) => e instanceof SqlError && e.code === '22012');
});

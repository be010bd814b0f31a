/**
 * Value codec: exact round trip for every StateValue shape the dataflow stores (property + fixed cases).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeValue, encodeValue } from '../../src/state/value-codec.js';
import { Numeric } from '../../src/common/numeric.js';
import { Jsonb } from '../../src/common/types.js';

const sqlValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double().filter((d) => !Object.is(d, -0)),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.string(),
  fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 20 })).map(([u, s]) => new Numeric(u, s)),
  fc.record({ months: fc.integer(), days: fc.integer(), micros: fc.maxSafeInteger() }).map((i) => ({ ...i })),
  fc.jsonValue({ maxDepth: 3 }).map((j) => new Jsonb(JSON.parse(JSON.stringify(j)))),
);

describe('value codec', () => {
  it('round trips nested structures of values exactly (property)', () => {
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, sqlValue, tie('array'), tie('object')),
      array: fc.array(tie('tree'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ maxLength: 5 }).filter((k) => k !== '__proto__'), tie('tree'), { maxKeys: 4 }).map((o) => ({ ...o })),
    }));
    fc.assert(
      fc.property(tree, (v) => {
        assert.deepEqual(decodeValue(encodeValue(v)), v);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps classes, bigint and Map/Set distinct from look-alikes', () => {
    const v = {
      d: new Numeric(12345n, 2),
      j: new Jsonb({ k: [1, 2] }),
      b: 7n,
      n: 7,
      big: 2n ** 128n,
      m: new Map<unknown, unknown>([['a', 1], [2, new Numeric(5n, 0)]]),
      s: new Set(['x']),
      list: [undefined, null, NaN, Infinity],
      i: { months: 1, days: -2, micros: 3 },
    };
    const back = decodeValue(encodeValue(v)) as typeof v;
    assert.deepEqual(back, v);
    assert.ok(back.d instanceof Numeric && back.d.scale === 2);
    assert.ok(back.j instanceof Jsonb);
    assert.equal(typeof back.b, 'bigint');
    assert.equal(typeof back.n, 'number');
    assert.ok(back.m instanceof Map);
    assert.ok(back.s instanceof Set);
  });

  it('each value decodes on its own (no shared structure state)', () => {
    const a = encodeValue({ x: 1, y: 'a' });
    const b = encodeValue({ x: 2, y: 'b' });
    assert.deepEqual(decodeValue(b), { x: 2, y: 'b' });
    assert.deepEqual(decodeValue(a), { x: 1, y: 'a' });
  });
});

describe('value codec limits', () => {
  it('documented: a -0 double comes back as 0 (msgpack integer encoding)', () => {
    assert.ok(Object.is(decodeValue(encodeValue(-0)), 0));
    assert.ok(Object.is(decodeValue(encodeValue(-0.5)), -0.5));
  });
});

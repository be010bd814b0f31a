/**
 * OrderedMap: agrees with a sorted model under random sets/deletes (enough to split and merge chunks), and a
 * frozen view never changes whatever is written afterwards (copy-on-write).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OrderedCursor, OrderedMap } from '../../src/state/ordered-map.js';
import { encodeKeyString } from '../../src/state/key-codec.js';

const op = fc.tuple(fc.constantFrom('set', 'set', 'del', 'freeze'), fc.integer({ min: 0, max: 2000 }), fc.integer());

function sortedModel(m: Map<string, [number, number]>): [string, number][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([ks, [, v]]) => [ks, v]);
}

describe('OrderedMap', () => {
  it('matches a sorted model; frozen views stay as they were (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
        const m = new OrderedMap<number>();
        const model = new Map<string, [number, number]>();
        const views: [OrderedMap<number>, [string, number][]][] = [];
        for (const [kind, k, v] of ops) {
          const ks = encodeKeyString([k]);
          if (kind === 'set') {
            assert.equal(m.set(ks, [k], v), !model.has(ks));
            model.set(ks, [k, v]);
          } else if (kind === 'del') {
            assert.equal(m.delete(ks), model.delete(ks));
          } else if (views.length < 5) {
            views.push([m.freeze(), sortedModel(model)]);
          }
        }
        assert.equal(m.size, model.size);
        assert.deepEqual([...m.entries()].map(([ks, , v]) => [ks, v]), sortedModel(model));
        for (const [view, expected] of views) {
          assert.deepEqual([...view.entries()].map(([ks, , v]) => [ks, v]), expected);
          for (const [ks, v] of expected.slice(0, 20)) assert.equal(view.get(ks), v);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a cursor re-seeks after writes and keeps its place', () => {
    const m = new OrderedMap<number>();
    for (let i = 0; i < 1000; i++) m.set(encodeKeyString([i]), [i], i);
    const cur = new OrderedCursor(m, false, encodeKeyString([10]), encodeKeyString([20]));
    const seen: number[] = [];
    for (let e = cur.peek(); e !== undefined && seen.length < 50; e = cur.peek()) {
      if (e[2] >= 20) break;
      seen.push(e[2]);
      m.delete(e[0]);
      if (e[2] === 12) m.set(encodeKeyString([15.5]), [15.5], 15.5);
      cur.advance();
    }
    assert.deepEqual(seen, [10, 11, 12, 13, 14, 15, 15.5, 16, 17, 18, 19]);
    const rev = new OrderedCursor(m, true, encodeKeyString([0]), encodeKeyString([5]));
    assert.equal(rev.peek()?.[2], 4);
  });
});

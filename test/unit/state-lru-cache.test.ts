/**
 * LruCache: never exceeds its budget, returns the latest value set, keeps recently used keys over cold ones.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LruCache } from '../../src/state/lru-cache.js';

describe('LruCache', () => {
  it('stays within budget and never returns a stale value (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.tuple(fc.constantFrom('get', 'set', 'del'), fc.integer({ min: 0, max: 30 }), fc.integer()), { maxLength: 300 }),
        (max, ops) => {
          const c = new LruCache<number>(max);
          const truth = new Map<string, number>();
          for (const [op, k, v] of ops) {
            const key = `k${k}`;
            if (op === 'set') {
              c.set(key, v);
              truth.set(key, v);
            } else if (op === 'del') {
              c.delete(key);
              truth.delete(key);
            } else {
              const got = c.get(key);
              if (got !== undefined) assert.equal(got, truth.get(key));
            }
            assert.ok(c.size <= max, `size ${c.size} > ${max}`);
          }
        },
      ),
    );
  });

  it('a key read often survives a stream of one-off keys', () => {
    const c = new LruCache<string>(10);
    c.set('hot', 'h');
    for (let i = 0; i < 1000; i++) {
      c.set(`cold${i}`, 'c');
      assert.equal(c.get('hot'), 'h');
    }
    c.deletePrefix('cold');
    assert.equal(c.size, 1);
  });
});

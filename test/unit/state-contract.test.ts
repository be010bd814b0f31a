/**
 * StateStore contract tests, run against every implementation (MemoryStore, LmdbStore when present).
 * A model (sorted array by compareKeys) is the oracle for scans; fast-check drives random op sequences.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStore } from '../../src/state/memory-store.js';
import { compareKeys, hasPrefix } from '../../src/state/key-compare.js';
import type { KeyRange, StateKey, StateStore, StateValue } from '../../src/state/store.js';
import { Numeric } from '../../src/common/numeric.js';
import { Jsonb } from '../../src/common/types.js';
import { storeFactories } from './state-factories.js';

function collect(it: Iterable<[StateKey, StateValue]>): [StateKey, StateValue][] {
  return [...it];
}

function modelScan(model: Map<string, [StateKey, StateValue]>, range: KeyRange | undefined): [StateKey, StateValue][] {
  let rows = [...model.values()].sort((a, b) => compareKeys(a[0], b[0]));
  if (range?.prefix) rows = rows.filter(([k]) => hasPrefix(k, range.prefix!));
  if (range?.start) rows = rows.filter(([k]) => compareKeys(k, range.start!) >= 0);
  if (range?.end) rows = rows.filter(([k]) => compareKeys(k, range.end!) < 0);
  if (range?.reverse) rows.reverse();
  if (range?.limit !== undefined) rows = rows.slice(0, Math.max(0, range.limit));
  return rows;
}

const mk = (k: StateKey) => JSON.stringify(k);

for (const factory of storeFactories([{ name: 'MemoryStore', open: async () => ({ store: new MemoryStore(), cleanup: async () => {} }) }])) {
  describe(`StateStore contract: ${factory.name}`, () => {
    async function withStore(fn: (s: StateStore) => Promise<void> | void): Promise<void> {
      const { store, cleanup } = await factory.open();
      try {
        await fn(store);
      } finally {
        await store.close();
        await cleanup();
      }
    }

    it('pending writes are visible before commit and committed after', () =>
      withStore(async (s) => {
        const t = s.table('t');
        assert.equal(s.committedEpoch(), 0);
        t.put([1], 'a');
        assert.equal(t.get([1]), 'a');
        assert.equal(s.snapshot().get('t', [1]), undefined);
        await s.commitEpoch(1);
        assert.equal(s.committedEpoch(), 1);
        assert.equal(t.get([1]), 'a');
        assert.equal(s.snapshot().get('t', [1]), 'a');
        t.delete([1]);
        assert.equal(t.get([1]), undefined);
        assert.equal(s.snapshot().get('t', [1]), 'a');
        await s.commitEpoch(2);
        assert.equal(t.get([1]), undefined);
        assert.equal(s.snapshot().get('t', [1]), undefined);
      }));

    it('scans in SQL key order: numbers numerically, strings by code point, NULL last', () =>
      withStore(async (s) => {
        const t = s.table('order');
        const keys: StateKey[] = [[10], [2], [-1.5], [null], [0], [1e20], [-Infinity], [Infinity]];
        for (const k of keys) t.put(k, k[0]);
        await s.commitEpoch(1);
        assert.deepEqual(collect(t.scan()).map(([k]) => k[0]), [-Infinity, -1.5, 0, 2, 10, 1e20, Infinity, null]);
        const u = s.table('strings');
        for (const k of ['b', 'a', 'ab', '', '\u{1F600}', '\uFFFD', 'B']) u.put([k], 1);
        assert.deepEqual(collect(u.scan()).map(([k]) => k[0]), ['', 'B', 'a', 'ab', 'b', '\uFFFD', '\u{1F600}']);
        assert.deepEqual(collect(u.scan({ reverse: true, limit: 2 })).map(([k]) => k[0]), ['\u{1F600}', '\uFFFD']);
      }));

    it('prefix, start/end, reverse and limit select the right block', () =>
      withStore(async (s) => {
        const t = s.table('r');
        for (let g = 0; g < 4; g++) for (let i = 0; i < 5; i++) t.put([g, `k${i}`], g * 10 + i);
        await s.commitEpoch(1);
        t.put([2, 'k9'], 'pending');
        t.delete([2, 'k0']);
        const vals = (r: KeyRange) => collect(t.scan(r)).map(([, v]) => v);
        assert.deepEqual(vals({ prefix: [2] }), [21, 22, 23, 24, 'pending']);
        assert.deepEqual(vals({ prefix: [2], reverse: true }), ['pending', 24, 23, 22, 21]);
        assert.deepEqual(vals({ prefix: [2], start: [2, 'k2'], end: [2, 'k4'] }), [22, 23]);
        assert.deepEqual(vals({ prefix: [2], start: [2, 'k2'], end: [2, 'k4'], reverse: true }), [23, 22]);
        assert.deepEqual(vals({ start: [3], limit: 3 }), [30, 31, 32]);
        assert.deepEqual(vals({ end: [1], reverse: true, limit: 2 }), [4, 3]);
        assert.deepEqual(vals({ prefix: [2], limit: 0 }), []);
        assert.deepEqual(vals({ prefix: [7] }), []);
        assert.equal(t.size(), 20);
      }));

    it('tells whether a table holds more than n entries, committed and pending', () =>
      withStore(async (s) => {
        const t = s.table('count');
        for (let i = 0; i < 5; i++) t.put([i], i);
        assert.equal(t.holdsMoreThan(4), true);
        assert.equal(t.holdsMoreThan(5), false);
        await s.commitEpoch(1);
        const fresh = s.table('count');
        assert.deepEqual([fresh.holdsMoreThan(0), fresh.holdsMoreThan(4), fresh.holdsMoreThan(5), fresh.holdsMoreThan(100)], [true, true, false, false]);
        fresh.put([9], 9);
        assert.equal(fresh.holdsMoreThan(5), true);
        fresh.delete([0]);
        fresh.delete([1]);
        assert.equal(fresh.holdsMoreThan(4), false);
        assert.equal(s.table('empty').holdsMoreThan(0), false);
      }));

    it('round-trips value kinds exactly', () =>
      withStore(async (s) => {
        const t = s.table('values');
        const v = {
          n: 1.5,
          b: 12345678901234567890n,
          d: new Numeric(-12345n, 3),
          i: { months: 1, days: 2, micros: 3 },
          j: new Jsonb({ a: [1, 'x', null] }),
          arr: [null, true, 'str', -2.5, NaN],
          nested: { m: new Map([['k', 1]]) },
        };
        t.put(['v'], v);
        await s.commitEpoch(1);
        const got = s.snapshot().get('values', ['v']) as typeof v;
        assert.deepEqual(got, v);
        assert.ok(got.d instanceof Numeric);
        assert.ok(got.j instanceof Jsonb);
        assert.equal(typeof got.b, 'bigint');
      }));

    it('key kinds (one type per column): bigint, Numeric, boolean, interval, jsonb', () =>
      withStore(async (s) => {
        const big = s.table('k_bigint');
        big.put([5n], 'b5');
        big.put([-(2n ** 70n)], 'bneg');
        big.put([0n], 'b0');
        const num = s.table('k_numeric');
        num.put([new Numeric(15n, 1)], 'd1.5');
        num.put([new Numeric(150n, 2)], 'd1.50'); // equal to 1.5: same key
        num.put([new Numeric(-2n, 0)], 'd-2');
        const bool = s.table('k_bool');
        bool.put([true], 't');
        bool.put([false], 'f');
        bool.put([null], 'n');
        const iv = s.table('k_interval');
        iv.put([{ months: 1, days: 0, micros: 0 }], 'i1mon');
        iv.put([{ months: 0, days: 29, micros: 0 }], 'i29d');
        iv.put([{ months: 0, days: 0, micros: -1 }], 'ineg');
        const js = s.table('k_jsonb');
        js.put([new Jsonb({ b: 1, a: 2 })], 'j');
        await s.commitEpoch(1);
        const vals = (t: { scan(r?: KeyRange): Iterable<[StateKey, StateValue]> }, r?: KeyRange) => collect(t.scan(r)).map(([, v]) => v);
        assert.deepEqual(vals(big), ['bneg', 'b0', 'b5']);
        assert.equal(big.get([-(2n ** 70n)]), 'bneg');
        assert.deepEqual(vals(num), ['d-2', 'd1.50']);
        assert.equal(num.get([new Numeric(15n, 1)]), 'd1.50');
        assert.deepEqual(vals(bool), ['f', 't', 'n']);
        assert.deepEqual(vals(bool, { start: [false], end: [true] }), ['f']);
        assert.deepEqual(vals(iv), ['ineg', 'i29d', 'i1mon']);
        assert.equal(js.get([new Jsonb({ a: 2, b: 1 })]), 'j');
      }));

    it('snapshot sees one committed epoch while later commits go on', () =>
      withStore(async (s) => {
        const t = s.table('snap');
        for (let i = 0; i < 1000; i++) t.put([i], i);
        await s.commitEpoch(1);
        const snap = s.snapshot();
        assert.equal(snap.epoch, 1);
        const it = snap.scan('snap')[Symbol.iterator]();
        const first = it.next();
        assert.deepEqual(first.value, [[0], 0]);
        for (let i = 0; i < 1000; i += 2) t.delete([i]);
        for (let i = 1000; i < 1500; i++) t.put([i], i);
        t.put([1], 'changed');
        await s.commitEpoch(2);
        const rest = [];
        for (let r = it.next(); !r.done; r = it.next()) rest.push(r.value);
        assert.equal(rest.length, 999);
        assert.deepEqual(rest[0], [[1], 1]);
        assert.equal(snap.get('snap', [1]), 1);
        assert.equal(snap.get('snap', [1200]), undefined);
        snap.close();
        const now = s.snapshot();
        assert.equal(now.epoch, 2);
        assert.equal(now.get('snap', [1]), 'changed');
        assert.equal(collect(now.scan('snap')).length, 1000);
        now.close();
      }));

    it('dropTable removes entries at commit; clear hides committed entries', () =>
      withStore(async (s) => {
        const a = s.table('a');
        const b = s.table('b');
        a.put([1], 1);
        b.put([1], 1);
        b.put([2], 2);
        await s.commitEpoch(1);
        assert.deepEqual(s.tableNames(), ['a', 'b']);
        s.dropTable('a');
        assert.deepEqual(s.tableNames(), ['a', 'b']);
        b.clear();
        assert.equal(b.size(), 0);
        assert.equal(b.get([1]), undefined);
        b.put([3], 3);
        assert.deepEqual(collect(b.scan()), [[[3], 3]]);
        await s.commitEpoch(2);
        assert.deepEqual(s.tableNames(), ['b']);
        assert.deepEqual(collect(s.table('b').scan()), [[[3], 3]]);
        const a2 = s.table('a');
        assert.equal(a2.get([1]), undefined);
        assert.equal(a2.size(), 0);
        assert.throws(() => a.get([1]), /dropped/);
      }));

    it('metadata commits with the epoch', () =>
      withStore(async (s) => {
        s.putMeta('offsets', { p0: 17n });
        assert.deepEqual(s.getMeta('offsets'), { p0: 17n });
        await s.commitEpoch(3);
        s.putMeta('offsets', { p0: 18n });
        assert.deepEqual(s.getMeta('offsets'), { p0: 18n });
        s.putMeta('gone', undefined);
        assert.equal(s.getMeta('gone'), undefined);
        await s.commitEpoch(4);
        assert.deepEqual(s.getMeta('offsets'), { p0: 18n });
        assert.equal(s.getMeta('missing'), undefined);
      }));

    it('epochs must strictly increase', () =>
      withStore(async (s) => {
        await s.commitEpoch(5);
        await assert.rejects(s.commitEpoch(5), /epoch 5/);
        await assert.rejects(s.commitEpoch(4), /epoch 4/);
        assert.equal(s.committedEpoch(), 5);
      }));

    it('writes during a scan: deleting each yielded key works and the scan sees later keys', () =>
      withStore(async (s) => {
        const t = s.table('w');
        for (let i = 0; i < 600; i++) t.put([i], i);
        await s.commitEpoch(1);
        let seen = 0;
        for (const [k] of t.scan()) {
          t.delete(k);
          if (k[0] === 10) t.put([1000], 'late');
          seen++;
          if (seen > 2000) break;
        }
        assert.equal(seen, 601);
        assert.equal(t.size(), 0);
      }));

    it('random ops and ranges agree with a sorted-array model (property)', async () => {
      const keyArb = fc.tuple(fc.constantFrom(0, 1, 2, null), fc.oneof(fc.constantFrom('a', 'b', 'c', ''), fc.integer({ min: -3, max: 3 })));
      const op = fc.oneof(
        fc.record({ kind: fc.constant('put' as const), key: keyArb, v: fc.integer() }),
        fc.record({ kind: fc.constant('del' as const), key: keyArb }),
        fc.record({ kind: fc.constant('commit' as const) }),
        fc.record({ kind: fc.constant('clear' as const) }),
      );
      const rangeArb = fc.record(
        {
          prefix: fc.option(fc.tuple(fc.constantFrom(0, 1, 2, null)), { nil: undefined }),
          start: fc.option(keyArb, { nil: undefined }),
          end: fc.option(keyArb, { nil: undefined }),
          reverse: fc.boolean(),
          limit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 60 }), fc.array(rangeArb, { minLength: 1, maxLength: 4 }), async (ops, ranges) => {
          const { store, cleanup } = await factory.open();
          try {
            const t = store.table('p');
            let pending = new Map<string, [StateKey, StateValue]>();
            let committed = new Map<string, [StateKey, StateValue]>();
            let epoch = 0;
            for (const o of ops) {
              if (o.kind === 'put') {
                t.put(o.key, o.v);
                pending.set(mk(o.key), [o.key, o.v]);
              } else if (o.kind === 'del') {
                t.delete(o.key);
                pending.delete(mk(o.key));
              } else if (o.kind === 'clear') {
                t.clear();
                pending = new Map();
              } else {
                await store.commitEpoch(++epoch);
                committed = new Map(pending);
              }
            }
            assert.equal(t.size(), pending.size);
            for (const r of ranges) {
              assert.deepEqual(collect(t.scan(r)), modelScan(pending, r));
              assert.deepEqual(collect(store.snapshot().scan('p', r)), modelScan(committed, r));
            }
          } finally {
            await store.close();
            await cleanup();
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}

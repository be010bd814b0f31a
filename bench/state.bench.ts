/**
 * State store benchmark (prints, asserts nothing): puts/s per epoch commit for 1k and 100k dirty rows, and
 * gets/s with a warm read cache and with none, for MemoryStore and LmdbStore (fsync on, as in production).
 * Run: node --import tsx bench/state.bench.ts
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../src/state/lmdb-store.js';
import { MemoryStore } from '../src/state/memory-store.js';
import type { StateStore } from '../src/state/store.js';

type Opener = { name: string; open(): Promise<{ store: StateStore; done(): Promise<void> }> };

function lmdb(name: string, cacheEntries: number, noSync = false): Opener {
  return {
    name,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-state-'));
      const store = await LmdbStore.open(dir, { cacheEntries, noSync });
      return { store, done: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  };
}

const memory: Opener = { name: 'memory', async open() { const store = new MemoryStore(); return { store, done: () => store.close() }; } };

function row(i: number) {
  return { count: i, sum: BigInt(i) * 3n, last: `user-${i % 977}`, ts: 1_700_000_000_000_000 + i };
}

async function benchCommit(o: Opener, dirty: number, epochs: number): Promise<number> {
  const { store, done } = await o.open();
  const t = store.table('agg');
  const t0 = performance.now();
  for (let e = 1; e <= epochs; e++) {
    for (let i = 0; i < dirty; i++) t.put([`k${(i * 7919 + e) % (dirty * 2)}`, i % 10], row(i + e));
    await store.commitEpoch(e);
  }
  const secs = (performance.now() - t0) / 1000;
  await done();
  return (dirty * epochs) / secs;
}

async function benchGets(o: Opener, n: number, rounds: number): Promise<number> {
  const { store, done } = await o.open();
  const t = store.table('agg');
  for (let i = 0; i < n; i++) t.put([`k${i}`, i % 10], row(i));
  await store.commitEpoch(1);
  for (let i = 0; i < n; i++) t.get([`k${i}`, i % 10]); // warm
  let found = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) if (t.get([`k${i}`, i % 10]) !== undefined) found++;
  const secs = (performance.now() - t0) / 1000;
  await done();
  if (found !== n * rounds) throw new Error(`expected ${n * rounds} hits, got ${found}`);
  return (n * rounds) / secs;
}

const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')}/s`;

console.log(`state bench on ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, node ${process.version}`);
for (const o of [memory, lmdb('lmdb', 100_000), lmdb('lmdb noSync', 100_000, true)]) {
  console.log(`${o.name.padEnd(12)} puts, 1k dirty rows/epoch:   ${fmt(await benchCommit(o, 1_000, 50))}`);
  console.log(`${o.name.padEnd(12)} puts, 100k dirty rows/epoch: ${fmt(await benchCommit(o, 100_000, 3))}`);
}
console.log(`memory       gets:                        ${fmt(await benchGets(memory, 100_000, 5))}`);
console.log(`lmdb         gets, cached (100k in cache): ${fmt(await benchGets(lmdb('lmdb', 200_000), 100_000, 5))}`);
console.log(`lmdb         gets, uncached (cache off):   ${fmt(await benchGets(lmdb('lmdb', 0), 100_000, 5))}`);

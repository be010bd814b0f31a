/**
 * LmdbStore specifics: persistence across reopen, crash safety under SIGKILL (real child processes), the
 * data-directory lock across two processes, FORMAT version check, I/O error mapping (58030, 53100).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LmdbStore } from '../../src/state/lmdb-store.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { SqlError } from '../../src/common/errors.js';
import { Numeric } from '../../src/common/numeric.js';
import type { StateStore } from '../../src/state/store.js';
import { tempDir } from './state-factories.js';
import { applyEpoch, PATTERN_TABLES } from './fixtures/state-pattern.js';

const CHILD = fileURLToPath(new URL('./fixtures/state-child.ts', import.meta.url));

function spawnChild(mode: string, dir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Resolve with each stdout line via `onLine` until it returns true (or the child exits). */
function watchLines(child: ChildProcess, onLine: (line: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let stderr = '';
    let done = false;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while (!done && (i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (onLine(line)) {
          done = true;
          resolve();
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (!done) reject(new Error(`child exited (${code ?? signal}) early: ${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

function dump(store: StateStore): unknown {
  const snap = store.snapshot();
  try {
    const out: Record<string, unknown> = { epoch: snap.epoch, last: store.getMeta('last'), offsets: store.getMeta('offsets') };
    for (const name of PATTERN_TABLES) out[name] = [...snap.scan(name)];
    out.names = store.tableNames();
    return out;
  } finally {
    snap.close();
  }
}

async function expectedAt(epoch: number): Promise<unknown> {
  const m = new MemoryStore();
  for (let e = 1; e <= epoch; e++) {
    applyEpoch(m, e);
    await m.commitEpoch(e);
  }
  return dump(m);
}

describe('LmdbStore', () => {
  it('persists tables, metadata, catalog and epoch across close and reopen', async () => {
    const dir = tempDir('reopen');
    try {
      let s = await LmdbStore.open(dir);
      const t = s.table('t');
      t.put(['a', 1], new Numeric(15n, 1));
      t.put(['b', 2n], { deep: [1n, 'x'] });
      s.table('gone').put([1], 1);
      s.putMeta('sink', { progress: 42 });
      await s.commitEpoch(7);
      s.dropTable('gone');
      s.table('t').put(['c'], 'pending, never committed');
      await s.commitEpoch(8);
      s.table('t').put(['d'], 'lost on close');
      await s.close();
      s = await LmdbStore.open(dir);
      assert.equal(s.committedEpoch(), 8);
      assert.deepEqual(s.tableNames(), ['t']);
      assert.deepEqual(s.getMeta('sink'), { progress: 42 });
      const rows = [...s.table('t').scan()];
      assert.deepEqual(rows.map(([k]) => k), [['a', 1], ['b', 2n], ['c']]);
      assert.deepEqual(rows[0]![1], new Numeric(15n, 1));
      assert.equal(s.table('t').get(['d']), undefined);
      assert.equal(s.table('t').size(), 3);
      assert.equal(s.table('gone').size(), 0);
      await s.close();
      assert.match(readFileSync(join(dir, 'FORMAT'), 'utf8'), /^sluice-state 1\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a read cache smaller than the working set returns the same values as no cache', async () => {
    const dir = tempDir('cache');
    try {
      const s = await LmdbStore.open(dir, { cacheEntries: 10 });
      const t = s.table('c');
      for (let i = 0; i < 200; i++) t.put([i], i);
      await s.commitEpoch(1);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 200; i += 3) assert.equal(t.get([i]), i);
        assert.equal(t.get([1000 + round]), undefined);
      }
      for (let i = 0; i < 200; i += 2) t.delete([i]);
      t.put([1000], 'new');
      await s.commitEpoch(2);
      for (let i = 0; i < 200; i++) assert.equal(t.get([i]), i % 2 === 0 ? undefined : i);
      assert.equal(t.get([1000]), 'new');
      assert.equal(t.size(), 101);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second process on the same directory fails fast naming the dir and holder pid; a dead holder is taken over', async () => {
    const dir = tempDir('lock');
    const child = spawnChild('hold', dir);
    try {
      let holderPid = 0;
      await watchLines(child, (line) => {
        const m = /^ready (\d+)$/.exec(line);
        if (m) holderPid = Number(m[1]);
        return m !== null;
      });
      assert.equal(holderPid, child.pid);
      await assert.rejects(LmdbStore.open(dir), (e: unknown) => {
        assert.ok(e instanceof SqlError);
        assert.equal(e.code, '55000');
        assert.ok(e.message.includes(dir), e.message);
        assert.ok(e.message.includes(`process ${holderPid}`), e.message);
        return true;
      });
      child.kill('SIGKILL');
      await exited(child);
      const s = await LmdbStore.open(dir);
      await assert.rejects(LmdbStore.open(dir), /in use by process/);
      await s.close();
      const again = await LmdbStore.open(dir);
      await again.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('survives SIGKILL at random moments: the reopened store is exactly some committed epoch', async () => {
    const dir = tempDir('crash');
    const rounds = Number(process.env.SLUICE_CRASH_ROUNDS ?? 10);
    try {
      let lastReported = 0;
      for (let round = 0; round < rounds; round++) {
        const child = spawnChild('crash-loop', dir);
        const killAfter = 1 + Math.floor(Math.random() * 15);
        let seen = 0;
        try {
          await watchLines(child, (line) => {
            const m = /^committed (\d+)$/.exec(line);
            if (m) {
              lastReported = Number(m[1]);
              seen++;
            }
            return seen >= killAfter;
          });
          await new Promise((r) => setTimeout(r, Math.random() * 20));
          child.kill('SIGKILL');
          await exited(child);
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited(child);
        }
        const s = await LmdbStore.open(dir);
        try {
          const epoch = s.committedEpoch();
          assert.ok(epoch >= lastReported, `epoch ${epoch} lost a reported commit ${lastReported}`);
          assert.deepEqual(dump(s), await expectedAt(epoch));
          lastReported = epoch;
        } finally {
          await s.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keys longer than LMDB allows work: get, delete, scans in order, reopen (property, vs MemoryStore)', async () => {
    const dir = tempDir('longkey');
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(fc.integer({ min: 1900, max: 2100 }), fc.constantFrom('', 'a', 'b', 'ab', 'zz'), fc.integer({ min: 0, max: 2 }), fc.boolean()),
            { maxLength: 25 },
          ),
          fc.tuple(fc.integer({ min: 1900, max: 2100 }), fc.boolean(), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })),
          async (ops, [boundLen, reverse, limit]) => {
            rmSync(dir, { recursive: true, force: true });
            const lm = await LmdbStore.open(dir, { cacheEntries: 0 });
            const mem = new MemoryStore();
            try {
              for (const s of [lm, mem]) {
                const t = s.table('long');
                for (const [len, suffix, col, del] of ops) {
                  const key = ['x'.repeat(len) + suffix, col];
                  if (del) t.delete(key);
                  else t.put(key, `${len}${suffix}${col}`);
                }
                await s.commitEpoch(1);
              }
              const ranges = [
                undefined,
                { reverse },
                { start: ['x'.repeat(boundLen)], reverse, limit },
                { end: ['x'.repeat(boundLen) + 'a'], reverse, limit },
                { prefix: ['x'.repeat(boundLen) + 'ab'], reverse },
              ];
              for (const r of ranges) {
                assert.deepEqual([...lm.table('long').scan(r)], [...mem.table('long').scan(r)]);
              }
              for (const [len, suffix, col] of ops) {
                const key = ['x'.repeat(len) + suffix, col];
                assert.equal(lm.table('long').get(key), mem.table('long').get(key));
                assert.equal(lm.snapshot().get('long', key), mem.table('long').get(key));
              }
              assert.equal(lm.table('long').size(), mem.table('long').size());
            } finally {
              await lm.close();
            }
          },
        ),
        { numRuns: 25 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a data directory with a different format major', async () => {
    const dir = tempDir('format');
    try {
      writeFileSync(join(dir, 'FORMAT'), 'sluice-state 2.3\n');
      await assert.rejects(LmdbStore.open(dir), (e: unknown) => {
        assert.ok(e instanceof SqlError && e.code === '55000');
        assert.match(e.message, /has state format 2\.3, this build reads format 1\.x/);
        return true;
      });
      // the failed open released its lock
      writeFileSync(join(dir, 'FORMAT'), 'sluice-state 1.4\n');
      const s = await LmdbStore.open(dir);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unusable directory gives SqlError 58030 naming it', async () => {
    const base = tempDir('unwritable');
    try {
      writeFileSync(join(base, 'file'), 'x');
      const dir = join(base, 'file', 'data');
      await assert.rejects(LmdbStore.open(dir), (e: unknown) => {
        assert.ok(e instanceof SqlError && e.code === '58030', String(e));
        assert.ok(e.message.includes(dir));
        return true;
      });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('disk full during commit gives SqlError 53100 and keeps the last committed epoch (tmpfs, root only)', async (t) => {
    const mnt = tempDir('diskfull');
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]).status === 0;
    if (!mounted) {
      t.skip('needs root to mount a small tmpfs');
      rmSync(mnt, { recursive: true, force: true });
      return;
    }
    const opened: LmdbStore[] = [];
    try {
      const dir = join(mnt, 'data');
      mkdirSync(dir);
      const s = await LmdbStore.open(dir);
      opened.push(s);
      s.table('t').put([1], 'kept');
      s.putMeta('m', 1);
      await s.commitEpoch(1);
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 200; i++) s.table('t').put([i + 10], big + i);
      s.putMeta('m', 2);
      await assert.rejects(s.commitEpoch(2), (e: unknown) => {
        assert.ok(e instanceof SqlError, String(e));
        assert.equal(e.code, '53100', e.message);
        assert.match(e.message, /no space left on device/);
        return true;
      });
      assert.equal(s.committedEpoch(), 1);
      await s.close();
      const r = await LmdbStore.open(dir);
      opened.push(r);
      assert.equal(r.committedEpoch(), 1);
      assert.equal(r.table('t').get([1]), 'kept');
      assert.equal(r.table('t').get([10]), undefined);
      assert.equal(r.getMeta('m'), 1);
      await r.close();
    } finally {
      for (const o of opened) await o.close().catch(() => {});
      // a busy mount (an env left open by a failed assertion) is detached lazily rather than leaked
      if (spawnSync('umount', [mnt]).status !== 0) spawnSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});

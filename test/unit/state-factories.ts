/**
 * Store factories for the StateStore contract suite: the given ones plus LmdbStore in a fresh temp dir.
 * Not a test file itself (no .test.ts suffix).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore, type LmdbStoreOptions } from '../../src/state/lmdb-store.js';
import type { StateStore } from '../../src/state/store.js';

export interface StoreFactory {
  name: string;
  open(): Promise<{ store: StateStore; cleanup: () => Promise<void> }>;
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-${label}-`));
}

export function lmdbFactory(name: string, opts: LmdbStoreOptions): StoreFactory {
  return {
    name,
    async open() {
      const dir = tempDir('state');
      const store = await LmdbStore.open(dir, opts);
      return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  };
}

export function storeFactories(base: StoreFactory[]): StoreFactory[] {
  return [...base, lmdbFactory('LmdbStore', {}), lmdbFactory('LmdbStore (no read cache)', { cacheEntries: 0 })];
}

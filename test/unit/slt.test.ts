/**
 * Runs every test/slt/*.slt file through the sqllogictest runner against an in-process engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inProcessTarget, runSltFile } from '../harness/slt.js';

const dir = join(import.meta.dirname, '..', 'slt');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.slt')).sort()) {
  test(`slt ${file} (in-process)`, async () => {
    const target = await inProcessTarget();
    try {
      const r = await runSltFile(join(dir, file), target);
      assert.ok(r.records > 0);
    } finally {
      await target.close();
    }
  });
}

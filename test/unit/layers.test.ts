/**
 * The layer rule (.dependency-cruiser.cjs): the real src/ passes it, and fixture trees with deliberate
 * violations (an upward import, a same-layer import across folders, a cycle, src importing test/) fail it,
 * each reported under its rule's name, while a tree of legal downward imports passes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

interface Run {
  readonly code: number;
  readonly violations: Violation[];
  /** one line per violation, for assertion messages */
  readonly report: string;
}

/**
 * Run the real depcruise CLI with the project config in `cwd`. 'json' parses the violations (no colours to strip;
 * exit code 0 whatever it found); 'err' is what scripts/test.sh runs: exit code = number of errors.
 */
function depcruise(cwd: string, outputType: 'json' | 'err' = 'json'): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      DEPCRUISE,
      ['src', '--config', CONFIG, '--output-type', outputType],
      { cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        if (outputType === 'err') {
          resolve({ code, violations: [], report: stdout + stderr });
          return;
        }
        let parsed: { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
        try {
          parsed = JSON.parse(stdout) as typeof parsed;
        } catch {
          reject(new Error(`depcruise printed no JSON (exit ${code}): ${stderr}${stdout.slice(0, 2000)}`));
          return;
        }
        const violations = parsed.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
        const report = violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`).join('\n');
        resolve({ code, violations, report });
      },
    );
  });
}

/** Write a fixture tree (path → contents) into a fresh temp dir with a minimal tsconfig; returns the dir. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-layers-'));
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('layer rule', () => {
  it('passes on the real src/', async () => {
    const run = await depcruise(ROOT);
    assert.deepEqual(run.violations, [], `depcruise on src/ reported:\n${run.report}`);
  });

  it('fails on deliberate violations, naming each rule', async () => {
    const dir = fixture({
      'src/common/x.ts': "import { y } from '../engine/y.js';\nexport const x = y;\n",
      'src/engine/y.ts': 'export const y = 1;\n',
      'src/plan/p.ts': "import { c } from '../connectors/c.js';\nexport const p = c;\n",
      'src/connectors/c.ts': 'export const c = 2;\n',
      'src/sql/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
      'src/sql/b.ts': "import { a } from './a.js';\nexport const b = (): number => a();\n",
      'src/state/s.ts': "import { h } from '../../test/h.js';\nexport const s = h;\n",
      'test/h.ts': 'export const h = 3;\n',
    });
    try {
      const run = await depcruise(dir);
      assert.equal((await depcruise(dir, 'err')).code, 4, 'the CLI exits with the number of errors');
      const has = (rule: string, from: string, to: string): boolean =>
        run.violations.some((v) => v.rule === rule && v.from === from && v.to === to);
      assert.ok(has('layer-common', 'src/common/x.ts', 'src/engine/y.ts'), run.report);
      assert.ok(has('layer-plan', 'src/plan/p.ts', 'src/connectors/c.ts'), run.report);
      assert.ok(run.violations.some((v) => v.rule === 'no-circular' && v.from.startsWith('src/sql/')), run.report);
      assert.ok(has('src-not-to-test-or-bench', 'src/state/s.ts', 'test/h.ts'), run.report);
      assert.equal(run.violations.length, 4, run.report);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes on legal downward imports', async () => {
    const dir = fixture({
      'src/common/types.ts': 'export type T = number;\n',
      'src/state/store.ts': "import type { T } from '../common/types.js';\nexport const s: T = 1;\n",
      'src/dataflow/op.ts': "import { s } from '../state/store.js';\nexport const o = s;\n",
      'src/engine/e.ts': "import { o } from '../dataflow/op.js';\nimport { s } from '../state/store.js';\nexport const e = o + s;\n",
      'src/cli/main.ts': "import { e } from '../engine/e.js';\nexport const m = e;\n",
    });
    try {
      const run = await depcruise(dir);
      assert.deepEqual(run.violations, [], run.report);
      assert.equal((await depcruise(dir, 'err')).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

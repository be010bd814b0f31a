/**
 * The published package works on its own: `npm pack` of a fresh copy of the sources without dist/ (prepack must
 * build it; the repo's own dist/, used by parallel tests, is never rebuilt), `npm install -g --prefix <tmp>`, then
 * the installed `sluice` runs --version, `demo` whose siem_alerts gets a brute_force alert through psql, `sql`
 * (its runtime dependencies are installed), and exits 0 on SIGINT. Needs the npm registry (bounded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../harness/server-process.js';

interface PackageJson {
  version: string;
  files: string[];
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}
const PKG = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs: number }): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, encoding: 'utf8', timeout: opts.timeoutMs, env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

function psql(port: number, sql: string): string {
  const r = spawnSync('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(port), '-U', 'root', '-d', 'dev', '-c', sql], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : `psql failed: ${r.stderr}`;
}

test('package.json ships what the installed command needs', () => {
  assert.ok(PKG.files.includes('bin'), 'files has bin');
  assert.ok(PKG.files.includes('dist/src'), 'files has dist/src');
  assert.equal(PKG.bin.sluice, 'bin/sluice.js');
  assert.match(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'), /"prepack": "npm run build"/, 'npm pack builds dist/ first (dist/ is git-ignored)');
  // Every package src/ imports at run time is a dependency, not a devDependency.
  const imported = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/^\s*import\s[^;]*?from\s+'([^.'][^']*)'/gm)) {
          const spec = m[1]!;
          if (spec.startsWith('node:') || /^import\s+type\s/.test(m[0].trim())) continue;
          imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  assert.ok(imported.size > 0);
  for (const name of imported) assert.ok(name in PKG.dependencies, `src imports "${name}" but it is not in dependencies`);
});

test('npm pack → npm install -g → sluice --version, demo with a brute_force alert via psql, sql, SIGINT exits 0', { timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-pack-'));
  // A checkout as git has it: sources, no dist/ (git-ignored). node_modules is shared (a symlink) for tsc.
  const checkout = join(tmp, 'checkout');
  for (const f of ['package.json', 'tsconfig.json', 'README.md', 'bin', 'src', 'docs', 'examples']) {
    cpSync(join(REPO_ROOT, f), join(checkout, f), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
  assert.ok(!existsSync(join(checkout, 'dist')));
  const pack = run('npm', ['pack', '--pack-destination', tmp, '--loglevel=error'], { cwd: checkout, timeoutMs: 240_000 });
  assert.ok(existsSync(join(checkout, 'dist', 'src', 'cli', 'main.js')), 'prepack built dist/');
  assert.equal(pack.code, 0, `npm pack failed:\n${pack.stderr}`);
  const tarball = join(tmp, `sluice-${PKG.version}.tgz`);
  assert.equal(pack.stdout.trim().split('\n').at(-1), `sluice-${PKG.version}.tgz`);

  const listing = run('tar', ['tzf', tarball], { timeoutMs: 30_000 });
  assert.equal(listing.code, 0, listing.stderr);
  const entries = new Set(listing.stdout.split('\n'));
  for (const f of ['package/bin/sluice.js', 'package/dist/src/cli/main.js', 'package/dist/src/cli/sql-client.js', 'package/package.json', 'package/README.md']) {
    assert.ok(entries.has(f), `tarball has ${f}`);
  }
  assert.ok(![...entries].some((e) => e.startsWith('package/node_modules/') || e.startsWith('package/dist/test/') || e.startsWith('package/src/')), 'no node_modules, tests or TS sources in the tarball');

  const prefix = join(tmp, 'prefix');
  const install = run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--loglevel=error', tarball], { cwd: tmp, timeoutMs: 300_000 });
  assert.equal(install.code, 0, `npm install -g failed:\n${install.stderr}`);
  const bin = join(prefix, 'bin', 'sluice');

  const version = run(bin, ['--version'], { cwd: tmp, timeoutMs: 30_000 });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), PKG.version);

  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-pack-data-'));
  const child = spawn(bin, ['demo', '--port', String(port), '--data-dir', dataDir], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const startDeadline = Date.now() + 60_000;
    while (!out.includes('sluice demo is running')) {
      assert.equal(child.exitCode, null, `installed demo exited early:\n${out}`);
      assert.ok(Date.now() < startDeadline, `installed demo did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    let types = '';
    const alertDeadline = Date.now() + 60_000;
    while (Date.now() < alertDeadline) {
      types = psql(port, "SELECT string_agg(DISTINCT alert_type, ',') FROM siem_alerts");
      if (types.split(',').includes('brute_force')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(types.split(',').includes('brute_force'), `a brute_force alert within 60 s, got "${types}"`);

    const sql = run(bin, ['sql', '--port', String(port), '-c', "SELECT count(*) > 0 AS seen FROM siem_alerts WHERE alert_type = 'brute_force'"], { cwd: tmp, timeoutMs: 30_000 });
    assert.equal(sql.code, 0, `installed sluice sql failed:\n${sql.stderr}`);
    assert.match(sql.stdout, /^ seen\s*\n-+\n t *\n\(1 row\)/);
  } finally {
    if (child.exitCode === null) child.kill('SIGINT');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(killTimer);
    assert.equal(code, 0, `SIGINT exits 0:\n${out.slice(-2000)}`);
  }
});

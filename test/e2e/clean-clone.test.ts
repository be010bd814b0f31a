/**
 * The README's two commands, copied literally from its "Two commands" section, on a clean clone of this
 * repository (committed files only, no node_modules, no dist): the first runs the embedded demo, and psql sees rows
 * in siem_alerts within 60 seconds of it listening; the second is what CI runs (.ci/run calls it), so every CI run
 * of a clean clone is the proof that it passes the tests (running it here would recurse).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../harness/server-process.js';

/** The shell commands in the README's "Two commands" section, in order. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = /^## Two commands[^\n]*\n([\s\S]*?)(?=^## )/m.exec(readme);
  assert.ok(section, 'README.md has a "Two commands" section');
  return [...section[1]!.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

function psql(port: number, sql: string): string {
  return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-d', 'dev', '-U', 'root', '-X', '-A', '-t', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

test('clean clone: the README\'s demo command shows alerts through psql within 60 s; CI runs its test command', { timeout: 600_000 }, async () => {
  const [demoCommand, testCommand] = readmeCommands();
  assert.equal(demoCommand, 'npm run demo');
  assert.equal(testCommand, 'npm test');
  assert.match(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8'), /^npm test\b/m, '.ci/run runs the README\'s test command');

  const dir = mkdtempSync(join(tmpdir(), 'sluice-clone-'));
  const clone = join(dir, 'sluice');
  execFileSync('git', ['clone', '--quiet', REPO_ROOT, clone]);
  // A clone has no node_modules: the demo command installs them (npm ci from the machine's npm cache) and builds.
  // ../shared sits beside the repository on CI machines; the demo does not need it.
  symlinkSync(join(REPO_ROOT, '..', 'shared'), join(dir, 'shared'));
  const port = await freePort();
  const child = spawn('bash', ['-c', demoCommand], { cwd: clone, env: { ...process.env, SLUICE_PORT: String(port), SLUICE_DATA_DIR: join(dir, 'demo-data') }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: string[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => out.push(b.toString()));
  try {
    const installDeadline = Date.now() + 480_000;
    while (!out.join('').includes('sluice demo is running')) {
      assert.ok(child.exitCode === null, `the demo exited (${child.exitCode}):\n${out.join('')}`);
      assert.ok(Date.now() < installDeadline, `the demo did not start within 8 minutes:\n${out.join('')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const deadline = Date.now() + 60_000;
    let rows = 0;
    while (Date.now() < deadline && rows === 0) {
      rows = Number(psql(port, 'SELECT count(*) FROM siem_alerts'));
      if (rows === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(rows > 0, 'rows in siem_alerts within 60 s of the demo listening');
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.on('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
});

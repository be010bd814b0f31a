/**
 * The README's "run it" path: `sluice demo` starts with generated SIEM traffic and the article's views, psql sees
 * alerts in siem_alerts within 60 seconds, Ctrl-C (SIGINT) stops it cleanly, and a second run recovers its state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../harness/server-process.js';

function psql(port: number, sql: string): string {
  return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-d', 'dev', '-U', 'root', '-X', '-A', '-t', '-c', sql], { encoding: 'utf8' }).trim();
}

async function runDemo(port: number, dataDir: string): Promise<{ out: string[]; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'sluice.js'), 'demo', '--port', String(port), '--data-dir', dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b.toString()));
  child.stderr.on('data', (b: Buffer) => out.push(b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  while (!out.join('').includes('sluice demo is running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`demo did not start:\n${out.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    out,
    stop: async () => {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

test('sluice demo: alerts visible through psql within 60 s, clean Ctrl-C, state recovered on the next run', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
  const demo = await runDemo(port, dataDir);
  assert.match(demo.out.join(''), new RegExp(`psql -h localhost -p ${port} -d dev -U root`));
  let types = '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    types = psql(port, 'SELECT string_agg(DISTINCT alert_type, \',\') FROM siem_alerts');
    if (types.includes('brute_force')) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.match(types, /brute_force/, 'a brute-force alert within 60 s');
  const before = Number(psql(port, "SELECT count(*) FROM siem_alerts WHERE alert_type = 'brute_force'"));
  assert.ok(before > 0);
  assert.equal(await demo.stop(), 0, 'Ctrl-C exits 0');
  const again = await runDemo(port, dataDir);
  try {
    const after = Number(psql(port, "SELECT count(*) FROM siem_alerts WHERE alert_type = 'brute_force'"));
    assert.ok(after >= before, `recovered ${after} alerts, had ${before}`);
  } finally {
    assert.equal(await again.stop(), 0);
  }
});

/**
 * The `sluice` command line as a user meets it, with real processes (bin/sluice.js → dist/, build first):
 * --version, --help examples, exit code 2 with a clear message for a busy port, a locked or unwritable data dir,
 * JSON logs, `sluice sql` and `sluice status` output, --user password auth through psql, --config precedence.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { freePort, REPO_ROOT, startServerProcess, type ServerProcess } from '../harness/server-process.js';

const BIN = join(REPO_ROOT, 'bin', 'sluice.js');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a short-lived sluice command to completion (bounded by a timeout that kills it). */
function sluice(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function psql(port: number, user: string, password: string, sql: string): RunResult {
  const r = spawnSync('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'dev', '-c', sql], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start `sluice serve` with arbitrary args and wait (bounded) until it logs that it listens, or exits. */
async function serveUntilListening(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; out: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/\blistening\b.*port[=":]+\d+/.test(text)) {
    if (child.exitCode !== null) throw new Error(`sluice serve exited with ${child.exitCode}:\n${text}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sluice serve did not start listening:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    out: () => text,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

// One shared server (JSON logs, durable data dir) for the tests that only need something to talk to.
let shared: ServerProcess | undefined;
async function sharedServer(): Promise<ServerProcess> {
  shared ??= await startServerProcess();
  return shared;
}
after(async () => {
  if (shared) await shared.stop();
});

test('--version prints the version in package.json', () => {
  for (const flag of ['--version', '-v']) {
    const r = sluice([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), PACKAGE_VERSION);
  }
});

test('--help of every command shows an example', () => {
  for (const cmd of ['serve', 'demo', 'sql', 'status']) {
    const r = sluice([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: sluice ${cmd}`), cmd);
    assert.match(r.stdout, /Examples?:\n\s+(\S+=\S+ )?sluice /, `${cmd} --help has an example:\n${r.stdout}`);
  }
});

test('serve on a port already in use exits 2 naming the port', async () => {
  const blocker = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port));
  });
  try {
    const r = sluice(['serve', '--port', String(port)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`port ${port}\\b.*in use`));
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

test('a second server on the same --data-dir exits 2 naming the directory', async () => {
  const first = await startServerProcess();
  try {
    const r = sluice(['serve', '--port', String(await freePort()), '--data-dir', first.dataDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(first.dataDir), `message names ${first.dataDir}: ${r.stderr}`);
    assert.match(r.stderr, /in use|locked/);
    // The first server is unaffected.
    assert.equal(psql(first.port, 'root', '', 'SELECT 1').stdout.trim(), '1');
  } finally {
    assert.equal(await first.stop('SIGINT'), 0, 'Ctrl-C exits 0');
  }
  // A clean stop releases the lock: the directory opens again.
  const again = await startServerProcess({ dataDir: first.dataDir });
  assert.equal(psql(again.port, 'root', '', 'SELECT 1').stdout.trim(), '1');
  assert.equal(await again.stop(), 0);
});

test('an unwritable data dir (a path under a regular file) exits 2 with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  const file = join(dir, 'not-a-directory');
  writeFileSync(file, 'x');
  const dataDir = join(file, 'data');
  const r = sluice(['serve', '--port', String(await freePort()), '--data-dir', dataDir]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(dataDir), `message names ${dataDir}: ${r.stderr}`);
  assert.match(r.stderr, /data directory/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  // A data dir that is itself a regular file.
  const onFile = sluice(['serve', '--port', String(await freePort()), '--data-dir', file]);
  assert.equal(onFile.code, 2, onFile.stderr);
  assert.ok(onFile.stderr.includes(file), onFile.stderr);
});

test('bad option values and config files exit 2 with a message (and a hint for bad values)', () => {
  const cases: { args: string[]; message: RegExp; hint?: false }[] = [
    { args: ['serve', '--port', '99999'], message: /invalid port "99999"/ },
    { args: ['serve', '--port', '0', '--user', 'bob'], message: /invalid --user "bob"/ },
    { args: ['serve', '--config', join(tmpdir(), 'sluice-no-such-config.json')], message: /cannot read config file .*sluice-no-such-config\.json/, hint: false },
    { args: ['sql', '--port', '1'], message: /nothing to run/ },
  ];
  const badJson = join(mkdtempSync(join(tmpdir(), 'sluice-cli-')), 'bad.json');
  writeFileSync(badJson, '{not json');
  cases.push({ args: ['serve', '--config', badJson], message: /cannot read config file .*bad\.json/, hint: false });
  for (const c of cases) {
    const r = sluice(c.args);
    assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, c.message, c.args.join(' '));
    if (c.hint !== false) assert.match(r.stderr, /^hint: /m, c.args.join(' '));
  }
});

test('--log-format json: every log line is JSON and one is the listening event', async () => {
  const s = await sharedServer();
  assert.ok(s.log.length > 0);
  const events = s.log.map((line) => JSON.parse(line) as { event?: string; port?: number; level?: string });
  const listening = events.find((e) => e.event === 'listening');
  assert.ok(listening, s.log.join('\n'));
  assert.equal(listening.port, s.port);
  assert.equal(listening.level, 'info');
});

test('sluice sql prints a psql-like table and exits 0; a bad statement exits 1 with ERROR and SQLSTATE', async () => {
  const s = await sharedServer();
  const ok = sluice(['sql', '--port', String(s.port), '-c', 'SELECT 1 AS x']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, ' x\n---\n 1\n(1 row)\n\n');
  // Same layout as psql itself for text and one-digit columns (psql pads the header's last cell; ignore that).
  const query = "SELECT 1 AS x, 'hello' AS longer_name, NULL::int AS n";
  const mine = sluice(['sql', '--port', String(s.port), '-c', query]);
  const real = spawnSync('psql', ['-X', '-h', '127.0.0.1', '-p', String(s.port), '-U', 'root', '-d', 'dev', '-c', query], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(real.status, 0, real.stderr);
  const trimEnds = (t: string): string => t.replace(/ +$/gm, '');
  assert.equal(trimEnds(mine.stdout), trimEnds(real.stdout));
  const bad = sluice(['sql', '--port', String(s.port), '-c', 'SELEC 1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ERROR: {2}syntax error at or near "SELEC" \(SQLSTATE 42601\)$/m);
  const missing = sluice(['sql', '--port', String(s.port), '-c', 'SELECT * FROM no_such_view']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^ERROR: .*no_such_view.*\(SQLSTATE 42P01\)$/m);
  // Through the environment variable instead of the flag.
  const viaEnv = sluice(['sql', '-c', 'SELECT 2 AS y'], { SLUICE_PORT: String(s.port) });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.match(viaEnv.stdout, /^ y\n---\n 2\n\(1 row\)/);
});

test('sluice status prints the sources, views, sinks and epochs tables', async () => {
  const s = await sharedServer();
  const r = sluice(['status', '--port', String(s.port)]);
  assert.equal(r.code, 0, r.stderr);
  const headers = r.stdout.split('\n').filter((l, i, all) => /^-+(\+-+)*$/.test(all[i + 1] ?? ''));
  assert.equal(headers.length, 4, r.stdout);
  assert.match(headers[0]!, /\bname\b.*\bconnector\b.*\brows_ingested\b/, 'sluice.sources');
  assert.match(headers[1]!, /\bname\b.*\brows\b.*\bstate_entries\b/, 'sluice.views');
  assert.match(headers[2]!, /\bname\b.*\bconnector\b.*\bmessages_written\b/, 'sluice.sinks');
  assert.match(headers[3]!, /\bcommitted_epoch\b/, 'sluice.epochs');
  assert.equal((r.stdout.match(/^\(\d+ rows?\)$/gm) ?? []).length, 4);
});

test('sluice sql / status against no server exit 2 with a hint', async () => {
  const port = await freePort();
  const r = sluice(['status', '--port', String(port)]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`));
  assert.match(r.stderr, /hint:/);
});

test('--user alice:secret: psql with the right password succeeds, a wrong one fails with 28P01', async () => {
  const port = await freePort();
  const s = await serveUntilListening(['--port', String(port), '--user', 'alice:secret']);
  try {
    const good = psql(port, 'alice', 'secret', 'SELECT 40 + 2');
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout.trim(), '42');
    const bad = psql(port, 'alice', 'wrong', 'SELECT 1');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /password authentication failed for user "alice"/);
    // psql does not print the SQLSTATE of a startup failure; a driver sees it.
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'alice', password: 'wrong', database: 'dev' });
    await assert.rejects(client.connect(), (e: { code?: string }) => e.code === '28P01');
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('--config JSON: its port is used without a flag, and a --port flag wins over the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-config-'));
  const filePort = await freePort();
  const config = join(dir, 'sluice.json');
  writeFileSync(config, JSON.stringify({ port: String(filePort), logFormat: 'json' }));

  const fromFile = await serveUntilListening(['--config', config]);
  try {
    assert.match(fromFile.out(), new RegExp(`"event":"listening".*"port":${filePort}\\b`), fromFile.out());
    assert.equal(psql(filePort, 'root', '', 'SELECT 1').stdout.trim(), '1');
  } finally {
    assert.equal(await fromFile.stop(), 0);
  }

  const flagPort = await freePort();
  const fromFlag = await serveUntilListening(['--config', config, '--port', String(flagPort)]);
  try {
    assert.match(fromFlag.out(), new RegExp(`"event":"listening".*"port":${flagPort}\\b`), fromFlag.out());
    assert.equal(psql(flagPort, 'root', '', 'SELECT 1').stdout.trim(), '1');
  } finally {
    assert.equal(await fromFlag.stop(), 0);
  }
});

test('environment variables configure serve: SLUICE_PORT, SLUICE_LOG_FORMAT, SLUICE_EPOCH_MS, SLUICE_USERS, SLUICE_DATA_DIR', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-cli-env-'));
  const env = { SLUICE_PORT: String(port), SLUICE_LOG_FORMAT: 'json', SLUICE_EPOCH_MS: '250', SLUICE_USERS: 'alice:secret,bob:hunter2', SLUICE_DATA_DIR: dataDir };
  const s = await serveUntilListening([], env);
  try {
    const listening = s
      .out()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { event?: string; port?: number; data_dir?: string })
      .find((e) => e.event === 'listening');
    assert.equal(listening?.port, port);
    assert.equal(listening?.data_dir, dataDir);
    assert.equal(psql(port, 'bob', 'hunter2', 'SELECT epoch_ms FROM sluice.epochs').stdout.trim(), '250');
    assert.equal(psql(port, 'alice', 'secret', 'SELECT 1').code, 0);
    assert.notEqual(psql(port, 'alice', 'hunter2', 'SELECT 1').code, 0);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('precedence: SLUICE_CONFIG file < SLUICE_PORT environment < --port flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-config-'));
  const [filePort, envPort, flagPort] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'sluice.json');
  writeFileSync(config, JSON.stringify({ port: filePort, logFormat: 'json' }));
  const envWins = await serveUntilListening([], { SLUICE_CONFIG: config, SLUICE_PORT: String(envPort) });
  try {
    assert.match(envWins.out(), new RegExp(`"event":"listening".*"port":${envPort}\\b`), envWins.out());
  } finally {
    assert.equal(await envWins.stop(), 0);
  }
  const flagWins = await serveUntilListening(['--port', String(flagPort)], { SLUICE_CONFIG: config, SLUICE_PORT: String(envPort) });
  try {
    assert.match(flagWins.out(), new RegExp(`"event":"listening".*"port":${flagPort}\\b`), flagWins.out());
  } finally {
    assert.equal(await flagWins.stop(), 0);
  }
});

test('sluice sql -f runs a file of statements in order', async () => {
  const s = await sharedServer();
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-cli-sql-')), 'q.sql');
  writeFileSync(file, "CREATE TABLE cli_t (id int, name text);\nINSERT INTO cli_t VALUES (1, 'a'), (2, 'b');\nSELECT name FROM cli_t ORDER BY id;\n");
  const r = sluice(['sql', '--port', String(s.port), '-f', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^CREATE\nINSERT\n name\n------\n a *\n b *\n\(2 rows\)/);
});

test('sluice replay: rebased lines to stdout keep their gaps; --topic produces every line to Kafka', async () => {
  const file = join(REPO_ROOT, '..', 'shared', 'siem-test-data', 'streams', 'A_ssh_bruteforce.auth_events.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const out = sluice(['replay', file, '--timestamps', 'rebased', '--now', '2030-01-01T00:00:00Z']);
  assert.equal(out.code, 0, out.stderr);
  const rows = out.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { event_time: string });
  const orig = lines.map((l) => JSON.parse(l) as { event_time: string });
  assert.equal(rows.length, orig.length);
  const newest = Math.max(...rows.map((r) => Date.parse(r.event_time)));
  assert.equal(newest, Date.parse('2030-01-01T00:00:00Z'));
  const gap = (xs: { event_time: string }[]): number => Date.parse(xs[xs.length - 1]!.event_time) - Date.parse(xs[0]!.event_time);
  assert.equal(gap(rows), gap(orig), 'gaps are kept');
  const topic = `replay-cli-${process.pid}-${Date.now()}`;
  const produced = sluice(['replay', file, '--topic', topic, '--brokers', 'kafka:9092'], {}, 60_000);
  assert.equal(produced.code, 0, produced.stderr);
  assert.match(produced.stderr, new RegExp(`replayed ${orig.length} events`));
  const kcat = spawnSync('kcat', ['-b', 'kafka:9092', '-C', '-t', topic, '-e', '-q', '-o', 'beginning'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(kcat.stdout.split('\n').filter((l) => l.trim()).length, orig.length);
});

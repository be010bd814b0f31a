/**
 * Each example of examples/ run as its README says: the README's ```sh blocks through bash (the server via
 * `node bin/sluice.js serve`, psql -f of the example's SQL, kcat against kafka:9092), its ```sql blocks through
 * psql, each result compared with the README's ```text block and with PostgreSQL running the same SQL. Markers
 * (an HTML comment on the line before a fence): `<!-- examples-test: serve -->`, `<!-- examples-test: skip (why) -->`.
 * Only substitution: the documented default port 4566 becomes a free port (and SLUICE_PORT); the cwd is a temp dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { promisify } from 'node:util';
import { parseValueText } from '../../src/expr/text-io.js';
import { formatRfc3339Micros } from '../../src/connectors/iso-time.js';
import { ARTICLE_COLUMNS, articleStatements, viewForPostgres } from '../harness/article.js';
import { endOffsets, ensureKafkaBroker, readTopic } from '../harness/kafka.js';
import { assertSameRows, withOracle, type Oracle, type TextRow } from '../harness/pg-oracle.js';
import { freePort, REPO_ROOT } from '../harness/server-process.js';

const execFileAsync = promisify(execFile);
const EXAMPLES = join(REPO_ROOT, 'examples');
/** psql's unaligned field separator: a character no example value contains. */
const SEP = '\x1f';

// ───────────────────────────── the README as steps ─────────────────────────────

interface Block {
  lang: string;
  body: string;
  /** 1-based line of the opening fence */
  line: number;
  marker: string | null;
  /** the ```text block that follows this block (before any other code block): what the README says to expect */
  expected: string | null;
}

/** Every fenced block of a README, in order; indented fences (inside list items) are de-indented. */
function readmeBlocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Block[] = [];
  let last: Block | null = null;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) body.push(lines[j++]!.slice(indent));
    assert.ok(j < lines.length, `${file}:${i + 1}: unclosed block`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const m = k >= 0 ? /^\s*<!--\s*examples-test:\s*(.+?)\s*-->\s*$/.exec(lines[k]!) : null;
    const lang = open[3]!.toLowerCase();
    if (lang === 'text' && last !== null && last.expected === null) last.expected = body.join('\n');
    else {
      last = { lang, body: body.join('\n'), line: i + 1, marker: m ? m[1]! : null, expected: null };
      out.push(last);
    }
    i = j;
  }
  for (const b of out) assert.ok(['sh', 'sql', 'text'].includes(b.lang), `${file}:${b.line}: a \`\`\`${b.lang} block: the test runs sh and sql blocks only`);
  for (const b of out) if (b.marker !== null) assert.match(b.marker, /^(serve|skip \(.+\))$/, `${file}:${b.line}: unknown marker "${b.marker}"`);
  return out;
}

interface Table {
  header: string[];
  rows: string[][];
}

/** A psql aligned table as printed in a README (header, dashes, rows; an optional "(n rows)" footer). */
function parseAligned(text: string): Table {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^\(\d+ rows?\)$/.test(l.trim()));
  assert.ok(lines.length >= 2 && /^[-+]+$/.test(lines[1]!.trim()), `not a psql table:\n${text}`);
  const cells = (l: string): string[] => l.split('|').map((c) => c.trim());
  return { header: cells(lines[0]!), rows: lines.slice(2).map(cells) };
}

/** The statements of a SQL text (comment lines removed), each without its semicolon. */
function statements(sql: string): string[] {
  return articleStatements(sql);
}

const isQuery = (stmt: string): boolean => /^\s*(SELECT|WITH)\b/i.test(stmt);
const ordered = (stmt: string): boolean => /\bORDER\s+BY\b/i.test(stmt);

/** Rows compared in order when the query orders them, as multisets otherwise; NULL prints as '' (psql's default). */
function assertRows(actual: readonly (readonly string[])[], expected: readonly TextRow[], label: string, inOrder: boolean): void {
  const exp = expected.map((r) => r.map((v) => v ?? ''));
  if (inOrder) assert.deepEqual(actual, exp, label);
  else assertSameRows(actual, exp, label);
}

/** One statement as PostgreSQL runs it: a materialized view becomes a plain view (TUMBLE as date_bin). */
function forPostgres(stmt: string): string | null {
  if (/^\s*CREATE\s+(SOURCE|SINK)\b/i.test(stmt)) return null;
  if (/^\s*CREATE\s+MATERIALIZED\s+VIEW\b/i.test(stmt)) return viewForPostgres(stmt);
  return stmt;
}

// ───────────────────────────── running an example ─────────────────────────────

/** A kcat on PATH that records what each `kcat -P … -t TOPIC` sends (one line a message), then runs the real kcat. */
const KCAT_WRAPPER = `#!/usr/bin/env bash
# examples.test.ts: records the messages produced with -P into $EXAMPLES_CAPTURE/<topic>, then runs the real kcat.
set -euo pipefail
real="$EXAMPLES_REAL_KCAT"
produce=0; topic=""; prev=""
for a in "$@"; do
  if [ "$a" = "-P" ]; then produce=1; fi
  if [ "$prev" = "-t" ]; then topic="$a"; fi
  prev="$a"
done
if [ "$produce" = 1 ] && [ -n "$topic" ]; then
  tmp="$(mktemp "$EXAMPLES_CAPTURE/.in.XXXXXX")"
  cat > "$tmp"
  "$real" "$@" < "$tmp"
  cat "$tmp" >> "$EXAMPLES_CAPTURE/$topic"
  rm -f "$tmp"
else
  exec "$real" "$@"
fi
`;

class ExampleRun {
  readonly port: number;
  readonly cwd: string;
  readonly capture: string;
  private readonly env: NodeJS.ProcessEnv;
  private server: ChildProcess | null = null;
  private serverLog = '';

  private constructor(port: number, cwd: string, capture: string, env: NodeJS.ProcessEnv) {
    this.port = port;
    this.cwd = cwd;
    this.capture = capture;
    this.env = env;
  }

  /** A fresh working directory that looks like the repository's root (bin/ and examples/ linked), and a free port. */
  static async create(realKcat: string | null): Promise<ExampleRun> {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), 'sluice-examples-'));
    symlinkSync(join(REPO_ROOT, 'bin'), join(cwd, 'bin'));
    symlinkSync(join(REPO_ROOT, 'examples'), join(cwd, 'examples'));
    const capture = join(cwd, '.kcat-capture');
    const tools = join(cwd, '.tools');
    mkdirSync(capture);
    mkdirSync(tools);
    let path = process.env['PATH'] ?? '';
    if (realKcat !== null) {
      writeFileSync(join(tools, 'kcat'), KCAT_WRAPPER);
      chmodSync(join(tools, 'kcat'), 0o755);
      path = `${tools}:${path}`;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: path,
      SLUICE_PORT: String(port),
      PGCONNECT_TIMEOUT: '10',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      EXAMPLES_CAPTURE: capture,
      EXAMPLES_REAL_KCAT: realKcat ?? '',
    };
    return new ExampleRun(port, cwd, capture, env);
  }

  /** The README's shell text with the documented default port replaced by this run's port. */
  private script(body: string): string {
    return body.replace(/-p 4566\b/g, `-p ${this.port}`);
  }

  /** A `serve` block: started in the background (its own process group); resolves when the port accepts connections. */
  async serve(b: Block): Promise<void> {
    assert.equal(this.server, null, 'one server per example');
    const child = spawn('bash', ['-c', this.script(b.body)], { cwd: this.cwd, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.server = child;
    child.stdout!.on('data', (d: Buffer) => (this.serverLog += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (this.serverLog += d.toString('utf8')));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) assert.fail(`the server block (line ${b.line}) exited with ${child.exitCode}:\n${this.serverLog}`);
      if (await portOpen(this.port)) return;
      if (Date.now() > deadline) assert.fail(`the server block (line ${b.line}) did not listen on ${this.port}:\n${this.serverLog}`);
      await sleep(100);
    }
  }

  /** A shell block through bash (-e, pipefail); returns its output and what its kcat -P commands sent, per topic. */
  async sh(b: Block): Promise<{ stdout: string; stderr: string; produced: Map<string, string[]> }> {
    let r: { stdout: string; stderr: string };
    try {
      r = await execFileAsync('bash', ['-e', '-o', 'pipefail', '-c', this.script(b.body)], { cwd: this.cwd, env: this.env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const x = e as { code?: unknown; stdout?: string; stderr?: string };
      assert.fail(`sh block at line ${b.line} failed (${String(x.code)}):\n${b.body}\n--- stdout\n${x.stdout ?? ''}\n--- stderr\n${x.stderr ?? ''}\n--- server\n${this.serverLog}`);
    }
    const produced = new Map<string, string[]>();
    for (const topic of readdirSync(this.capture).filter((f) => !f.startsWith('.'))) {
      const p = join(this.capture, topic);
      produced.set(topic, readFileSync(p, 'utf8').split('\n').filter((l) => l !== ''));
      rmSync(p);
    }
    return { ...r, produced };
  }

  /** One statement through psql (as the README connects); a query returns its header and rows. */
  async psql(stmt: string): Promise<Table> {
    const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-A', '-F', SEP, '-P', 'footer=off', '-h', '127.0.0.1', '-p', String(this.port), '-d', 'dev', '-U', 'root', '-c', stmt];
    let stdout: string;
    try {
      ({ stdout } = await execFileAsync('psql', args, { env: this.env, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 }));
    } catch (e) {
      const x = e as { stderr?: string };
      assert.fail(`psql failed on: ${stmt}\n${x.stderr ?? String(e)}`);
    }
    if (!isQuery(stmt)) return { header: [], rows: [] };
    const lines = stdout.split('\n').filter((l) => l !== '');
    return { header: lines[0]!.split(SEP), rows: lines.slice(1).map((l) => l.split(SEP)) };
  }

  /** Stop the server: SIGTERM to its process group (SIGKILL after 10 s), then remove the working directory. */
  async close(): Promise<void> {
    const child = this.server;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(-child.pid!, 'SIGTERM');
      const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.cwd, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Retry `check` (an assertion) until it passes or `timeoutMs` is over; then its last failure is thrown. */
async function eventually(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await sleep(250);
  }
}

/** The SQL files an sh block runs with psql -f (a literal path, or a `for f in DIR/*.sql` loop), in run order. */
function sqlFilesOf(body: string, cwd: string): string[] {
  const files: string[] = [];
  const loop = /for\s+(\w+)\s+in\s+(\S+)\/\*\.sql\s*;/.exec(body);
  if (loop) files.push(...readdirSync(join(cwd, loop[2]!)).filter((f) => f.endsWith('.sql')).sort().map((f) => join(cwd, loop[2]!, f)));
  for (const m of body.matchAll(/-f\s+(\S+\.sql)\b/g)) files.push(join(cwd, m[1]!));
  return files;
}

/**
 * The walkthrough of a table-only example: every block in order; the SQL files and README statements also run in
 * PostgreSQL, and every query's result equals PostgreSQL's and the README's ```text block (when there is one).
 */
async function runTableExample(dir: string): Promise<{ queries: number; texts: number }> {
  const blocks = readmeBlocks(join(EXAMPLES, dir, 'README.md'));
  const run = await ExampleRun.create(null);
  let queries = 0;
  let texts = 0;
  try {
    await withOracle(async (o) => {
      for (const b of blocks) {
        const where = `examples/${dir}/README.md:${b.line}`;
        if (b.marker?.startsWith('skip')) continue;
        if (b.lang === 'sh' && b.marker === 'serve') await run.serve(b);
        else if (b.lang === 'sh') {
          const r = await run.sh(b);
          assert.doesNotMatch(r.stderr, /ERROR/, `${where}: ${r.stderr}`);
          const files = sqlFilesOf(b.body, run.cwd);
          assert.ok(files.length > 0, `${where}: the block runs a SQL file`);
          for (const f of files) for (const s of statements(readFileSync(f, 'utf8'))) await oracleRun(o, s);
        } else if (b.lang === 'sql') {
          const stmts = statements(b.body);
          for (let k = 0; k < stmts.length; k++) {
            const s = stmts[k]!;
            const ours = await run.psql(s);
            const theirs = await oracleRun(o, s);
            if (!isQuery(s)) continue;
            queries++;
            assertRows(ours.rows, theirs!, `${where}: sluice vs PostgreSQL: ${s}`, ordered(s));
            if (b.expected !== null && k === stmts.length - 1) {
              texts++;
              const t = parseAligned(b.expected);
              assert.deepEqual(ours.header, t.header, `${where}: columns as the README shows them`);
              assertRows(ours.rows, t.rows, `${where}: the README's expected rows`, ordered(s));
            }
          }
        }
      }
    });
  } finally {
    await run.close();
  }
  return { queries, texts };
}

async function oracleRun(o: Oracle, stmt: string): Promise<TextRow[] | null> {
  const pgStmt = forPostgres(stmt);
  return pgStmt === null ? null : o.query(pgStmt);
}

// ───────────────────────────── the examples ─────────────────────────────

test('examples/tumbling-counts: the README walkthrough, results = README = PostgreSQL', { timeout: 60_000 }, async () => {
  const r = await runTableExample('tumbling-counts');
  assert.ok(r.queries >= 4 && r.texts >= 2, `queries ${r.queries}, README tables ${r.texts}`);
});

test('examples/enrichment-join: the README walkthrough, results = README = PostgreSQL', { timeout: 60_000 }, async () => {
  const r = await runTableExample('enrichment-join');
  assert.ok(r.queries >= 3 && r.texts >= 2, `queries ${r.queries}, README tables ${r.texts}`);
});

test('examples/detections: every rule file through psql, the README events, results = README = PostgreSQL', { timeout: 60_000 }, async () => {
  const r = await runTableExample('detections');
  assert.ok(r.queries >= 5 && r.texts >= 4, `queries ${r.queries}, README tables ${r.texts}`);
});

interface Alert {
  alert_type: string;
  entity: string;
  detected_at: string;
  description: string;
}

test('examples/streaming-siem: the README on the real broker (kcat in, psql, kcat read_committed out)', { timeout: 120_000 }, async () => {
  await ensureKafkaBroker();
  const realKcat = (await execFileAsync('bash', ['-c', 'command -v kcat'])).stdout.trim();
  const dir = join(EXAMPLES, 'streaming-siem');
  const blocks = readmeBlocks(join(dir, 'README.md'));
  // The sink topic is shared by every run on this broker: only what this run's writer adds after now is ours.
  const sinkStart = await endOffsets('siem_alerts', 'read_committed').catch(() => new Map<number, number>());
  const run = await ExampleRun.create(realKcat);
  try {
    await withOracle(async (o) => {
      for (const [table, cols] of Object.entries(ARTICLE_COLUMNS)) await o.createTable(table, cols.map(([name, type]) => ({ name, type })));
      let sqlDone = false;
      const produced = new Map<string, string[]>();
      let writerId = '';
      let alertChecked = false;
      let kcatChecked = false;
      for (const b of blocks) {
        const where = `examples/streaming-siem/README.md:${b.line}`;
        if (b.marker?.startsWith('skip')) continue;
        if (b.lang === 'sh' && b.marker === 'serve') {
          await run.serve(b);
          continue;
        }
        if (b.lang === 'sh' && /kcat -C/.test(b.body)) {
          await checkAlertsTopic(run, b, o, sinkStart, writerId);
          kcatChecked = true;
          continue;
        }
        if (b.lang === 'sh') {
          const r = await run.sh(b);
          if (/siem\.sql/.test(b.body)) {
            // "Expect CREATE SOURCE ×3, CREATE MATERIALIZED VIEW ×5, CREATE SINK, a NOTICE per source, and a NOTICE
            // that the FORMAT PLAIN sink reads a view whose rows can be updated or deleted".
            const file = readFileSync(join(dir, 'siem.sql'), 'utf8');
            const count = (re: RegExp, s: string): number => s.match(re)?.length ?? 0;
            assert.equal(count(/^CREATE SOURCE$/gm, r.stdout), count(/^CREATE SOURCE\b/gm, file), `${where}: ${r.stdout}`);
            assert.equal(count(/^CREATE MATERIALIZED VIEW$/gm, r.stdout), count(/^CREATE MATERIALIZED VIEW\b/gm, file), r.stdout);
            assert.equal(count(/^CREATE SINK$/gm, r.stdout), 1, r.stdout);
            assert.equal(count(/NOTICE:.*source "\w+" reads topic/g, r.stderr), count(/^CREATE SOURCE\b/gm, file), r.stderr);
            assert.match(r.stderr, /NOTICE:.*FORMAT PLAIN on a view whose rows can be updated or deleted/, r.stderr);
            assert.doesNotMatch(r.stderr, /ERROR/, r.stderr);
            for (const s of statements(file)) await oracleRun(o, s);
            sqlDone = true;
            writerId = (await run.psql(`SELECT writer_id FROM sluice.sinks WHERE name = 'siem_alerts_sink'`)).rows[0]![0]!;
            assert.ok(writerId !== '', 'the sink has a writer id');
          } else if (sqlDone) {
            // The events this run sent, as the sources will read them: also the oracle's input.
            for (const [topic, lines] of r.produced) {
              const cols = ARTICLE_COLUMNS[topic];
              assert.ok(cols, `${where}: produces to ${topic}, one of the article's topics`);
              produced.set(topic, [...(produced.get(topic) ?? []), ...lines]);
              const rows = lines.map((l) => {
                const j = JSON.parse(l) as Record<string, unknown>;
                return cols.map(([name]) => (j[name] === undefined || j[name] === null ? null : String(j[name])));
              });
              await o.insert(topic, rows);
            }
          }
          continue;
        }
        if (b.lang !== 'sql') continue;
        for (const s of statements(b.body)) {
          if (/FROM sluice\.sources/i.test(s) && produced.size === 0) {
            // Step 5: wait until the sources are running, as the README's table shows.
            const t = parseAligned(b.expected ?? '');
            await eventually(async () => {
              const ours = await run.psql(s);
              assert.deepEqual(ours.header, t.header);
              assert.deepEqual(ours.rows, t.rows, `${where}: the sources are running`);
            });
          } else if (/FROM sluice\.sources/i.test(s)) {
            // Every event this run sent was read; nothing went to the dead letters.
            await eventually(async () => {
              const ours = await run.psql(s);
              const col = (name: string): number => ours.header.indexOf(name);
              assert.deepEqual(ours.rows.map((r) => r[col('name')]), Object.keys(ARTICLE_COLUMNS).sort());
              for (const r of ours.rows) {
                const name = r[col('name')]!;
                assert.equal(r[col('status')], 'running', `${name} status`);
                assert.equal(r[col('last_error')], '', `${name} last_error`);
                assert.equal(Number(r[col('rows_ingested')]), produced.get(name)?.length ?? 0, `${name}: rows ingested = messages this run sent`);
                assert.equal(Number(r[col('dead_letters')]), 0, `${name} dead letters`);
              }
            });
          } else if (/FROM sluice\.sinks/i.test(s)) {
            await eventually(async () => {
              const ours = await run.psql(s);
              const col = (name: string): number => ours.header.indexOf(name);
              assert.equal(ours.rows.length, 1, 'one sink');
              assert.equal(ours.rows[0]![col('name')], 'siem_alerts_sink');
              assert.equal(ours.rows[0]![col('status')], 'running');
              assert.ok(Number(ours.rows[0]![col('messages_written')]) >= 3, `messages written: ${ours.rows[0]![col('messages_written')]}`);
              assert.ok(Number(ours.rows[0]![col('last_epoch')]) > 0, 'an epoch was written');
            });
          } else if (isQuery(s)) {
            assert.ok(produced.size > 0, `${where}: the events were produced before the queries`);
            const theirs = (await oracleRun(o, s))!;
            await eventually(async () => {
              const ours = await run.psql(s);
              assertRows(ours.rows, theirs, `${where}: sluice vs PostgreSQL over the events sent: ${s}`, ordered(s));
            });
            if (/FROM siem_alerts/i.test(s)) {
              alertChecked = true;
              checkSiemAlerts(await run.psql(s), b, produced, where);
            }
            if (/FROM brute_force_detections/i.test(s)) {
              const ours = await run.psql(s);
              const failures = countFailures(produced);
              const col = ours.header.indexOf('failures');
              assert.deepEqual(ours.rows.map((r) => [r[0], Number(r[col])]), [...failures].filter(([, n]) => n > 20), 'failures = the login_failure events sent per source IP');
              assert.deepEqual([...failures.values()], [25], 'the README sends 25 failures from one IP');
            }
          } else {
            await run.psql(s);
            await oracleRun(o, s);
          }
        }
      }
      assert.ok(sqlDone && alertChecked && kcatChecked, 'the README has the SQL, the alerts query and the kcat read');
    });
  } finally {
    await run.close();
  }
});

/** login_failure events sent per source IP (all in one 5-minute window in the README). */
function countFailures(produced: Map<string, string[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of produced.get('auth_events') ?? []) {
    const j = JSON.parse(l) as { source_ip: string; event_type: string };
    if (j.event_type === 'login_failure') out.set(j.source_ip, (out.get(j.source_ip) ?? 0) + 1);
  }
  return out;
}

/**
 * "With the events above they return one alert of each type": exactly one per type, the README's table (except the
 * detected_at of the login from the blocked IP, which is the time the events were sent), the brute-force count.
 */
function checkSiemAlerts(ours: Table, b: Block, produced: Map<string, string[]>, where: string): void {
  const types = ours.rows.map((r) => r[0]).sort();
  assert.deepEqual(types, ['auth_from_blocked_ip', 'brute_force', 'suspicious_process'], `${where}: one alert of each type`);
  const t = parseAligned(b.expected ?? '');
  assert.deepEqual(ours.header, t.header, `${where}: columns as the README shows them`);
  const nowCell = (r: string[]): string[] => (r[0] === 'auth_from_blocked_ip' ? r.map((v, i) => (ours.header[i] === 'detected_at' ? '(when sent)' : v)) : r);
  assert.deepEqual(ours.rows.map(nowCell), t.rows.map(nowCell), `${where}: the README's expected alerts`);
  const [[ip, n]] = [...countFailures(produced)];
  const bf = ours.rows.find((r) => r[0] === 'brute_force')!;
  assert.equal(bf[1], ip);
  assert.equal(bf[3], `${n} failures in 5 min from ${ip}`, 'the description counts the failures sent');
}

/** An alert with what differs between runs blanked: the detected_at of the login (the time it was sent). */
function masked(a: Alert): Alert {
  return a.alert_type === 'auth_from_blocked_ip' ? { ...a, detected_at: '(when sent)' } : a;
}

function cmpAlert(x: Alert, y: Alert): number {
  return JSON.stringify(x) < JSON.stringify(y) ? -1 : JSON.stringify(x) > JSON.stringify(y) ? 1 : 0;
}

/**
 * The README's `kcat -C … -X isolation.level=read_committed` block: run as written (retried until the sink has
 * written the alerts); this run's messages (its writer, after the offsets seen before the run) are each alert of
 * siem_alerts — the latest message per alert equals PostgreSQL's row — each once, with a sluice-epoch header, and
 * every one of them is a line of kcat's output in the README's format.
 */
async function checkAlertsTopic(run: ExampleRun, b: Block, o: Oracle, sinkStart: Map<number, number>, writerId: string): Promise<void> {
  const predicted = await o.query('SELECT alert_type, entity, detected_at, description FROM siem_alerts');
  const expected = new Map(predicted.map((r) => [`${r[0]}|${r[1]}|${formatRfc3339Micros(parseValueText(r[2]!, 'timestamptz') as number)}`, r[3]]));
  assert.equal(expected.size, 3, 'PostgreSQL predicts three alerts');
  // The README's sample output: `<headers> <alert JSON>` lines; what varies by run is masked before comparing.
  const sample = (b.expected ?? '').split('\n').filter((l) => l.trim() !== '').map((l) => {
    const m = /^(\S+) (\{.*\})$/.exec(l);
    assert.ok(m, `a README line of kcat output: ${l}`);
    return { headerNames: m[1]!.split(',').map((h) => h.split('=')[0]!), alert: masked(JSON.parse(m[2]!) as Alert) };
  });
  assert.ok(sample.length > 0, 'the README shows kcat output');
  await eventually(async () => {
    const { stdout } = await run.sh(b);
    const mine = (await readTopic('siem_alerts')).filter((m) => m.offset >= (sinkStart.get(m.partition) ?? 0) && m.headers['sluice-writer'] === writerId);
    const latest = new Map<string, unknown>();
    for (const m of mine) {
      const j = JSON.parse(m.value!) as Alert;
      latest.set(`${j.alert_type}|${j.entity}|${j.detected_at}`, j.description);
    }
    assert.deepEqual([...latest].sort(), [...expected].sort(), 'the latest message per alert = PostgreSQL');
    const shown = new Map(mine.map((m) => [`${(JSON.parse(m.value!) as Alert).alert_type}|${(JSON.parse(m.value!) as Alert).entity}`, m]));
    assert.deepEqual(sample.map((x) => x.alert).sort(cmpAlert), [...shown.values()].map((m) => masked(JSON.parse(m.value!) as Alert)).sort(cmpAlert), "the README's sample alerts");
    for (const x of sample) assert.deepEqual(x.headerNames, Object.keys(mine[0]!.headers), "the README's sample headers");
    const values = mine.map((m) => m.value!);
    assert.equal(new Set(values).size, values.length, 'each message once under read_committed');
    const lines = new Set(stdout.split('\n'));
    let lastEpoch = 0;
    for (const m of mine) {
      const epoch = Number(m.headers['sluice-epoch']);
      assert.ok(Number.isInteger(epoch) && epoch >= lastEpoch, `sluice-epoch header ${m.headers['sluice-epoch']}`);
      lastEpoch = epoch;
      const hs = Object.entries(m.headers).map(([k, v]) => `${k}=${v}`).join(',');
      assert.ok(lines.has(`${hs} ${m.value}`), `kcat printed "${hs} ${m.value}"`);
    }
  });
}

/**
 * The public datasets (siem-test-data scenarios A, B, C, G) through the real Kafka broker and the real `sluice serve`
 * process: psql runs the detection library's files verbatim, the real `sluice replay` CLI produces the stream files,
 * and every rule's view must hold exactly the alerts of expected_alerts.json — once with the recorded times, once
 * rebased to now and sped up, polled with psql while the replay runs (views must grow during it, not only at the end).
 * One server per scenario and path (fresh names, unique topics). docs/detections.md's second table is this file's.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import type { SqlType } from '../../src/common/types.js';
import { parseValueText } from '../../src/expr/text-io.js';
import { formatRfc3339Micros } from '../../src/connectors/iso-time.js';
import type { JsonRow } from '../../src/cli/replay.js';
import { createTopic, ensureKafkaBroker, kafkaBrokers, uniqueTopic } from '../harness/kafka.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { startServerProcess } from '../harness/server-process.js';
import { ARTICLE_COLUMNS, viewForPostgres } from '../harness/article.js';
import {
  DETECTIONS_DIR, REPO_ROOT, STREAM_TABLES, assertNegativeChecks, assertRuleRows, createKafkaSourceSql, expectedAlerts, expectedFor, expectedForAll,
  isoToMicros, loadDetections, readRows, renderMeasurements, scenarioPrefixes, streamFiles, syncGeneratedBlock, threatIntelInserts,
  type Measurement, type StreamTable, type ViewRows,
} from '../harness/datasets.js';

const execFileAsync = promisify(execFile);
const DETECTIONS = loadDetections();
const EXPECTED = expectedAlerts();
const DOC_PATH = join(REPO_ROOT, 'docs', 'detections.md');
const SLUICE_BIN = join(REPO_ROOT, 'bin', 'sluice.js');
/**
 * Rebasing rounds the shift down to whole 10 minutes: the library's widest tumbling window (AUTH-7) is 10 minutes, so
 * every window (1, 5, 10 min, epoch-aligned) keeps exactly the events it had (a 5-minute shift that is an odd multiple of 5 minutes would move AUTH-7's windows).
 */
const ALIGN_MS = 600_000;
/** Views whose row count can only grow while append-only streams arrive (no NOW(), no retraction). */
const GROWING_VIEWS = DETECTIONS.filter((d) => !['ART-3', 'ART-4', 'ART-5'].includes(d.rule)).map((d) => d.view);

interface Scenario {
  /** Column label: 'A', 'B', 'C', 'G'. */
  readonly name: string;
  /** The scenario prefixes of the streams folder replayed into the same three topics. */
  readonly prefixes: readonly string[];
  /** --speed for the live replay, chosen so it takes a few seconds (span / speed, sleeps capped at maxSleepMs). */
  readonly speed: number;
  readonly maxSleepMs: number;
}
/**
 * A: 14,937 s of recording / 4000 ≈ 3.7 s. B: 8.4 s / 2 ≈ 4.2 s. C: 394 s / 100 ≈ 3.9 s. G: the five OTRF atomics
 * (1–5 events each, months apart) as one time-ordered stream: gaps between recordings capped at 1 s, net_local_users'
 * 46 s / 25 ≈ 1.8 s — about 6 s.
 */
const SCENARIOS: readonly Scenario[] = [
  { name: 'A', prefixes: ['A_ssh_bruteforce'], speed: 4000, maxSleepMs: 1000 },
  { name: 'B', prefixes: ['B_ad_password_spray'], speed: 2, maxSleepMs: 1000 },
  { name: 'C', prefixes: ['C_lsass_procdump'], speed: 100, maxSleepMs: 1000 },
  { name: 'G', prefixes: scenarioPrefixes('G'), speed: 25, maxSleepMs: 1000 },
];

const measured: Measurement[] = [];
let workDir = '';

before(async () => {
  await ensureKafkaBroker();
  workDir = mkdtempSync(join(tmpdir(), 'sluice-datasets-live-'));
});
after(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

const eventTime = (r: JsonRow): number => isoToMicros(r['event_time'] ?? r['log_time']);

/** A scenario's input per stream: the file to replay (the dataset's own, or the G atomics merged, gzipped) and its rows. */
interface StreamInput {
  readonly table: StreamTable;
  readonly file: string;
  readonly rows: readonly JsonRow[];
}
function scenarioInputs(sc: Scenario): StreamInput[] {
  const out: StreamInput[] = [];
  for (const table of STREAM_TABLES) {
    const files = sc.prefixes.flatMap((p) => streamFiles(p)).filter((f) => f.table === table);
    if (files.length === 0) continue;
    if (files.length === 1) {
      out.push({ table, file: files[0]!.path, rows: readRows(files[0]!.path) });
      continue;
    }
    // Several recordings into one stream: in time order (a stable sort keeps each file's own order), gzipped, so the
    // replay also exercises .jsonl.gz input.
    const rows = files.flatMap((f) => readRows(f.path)).map((r, i) => ({ r, i, t: eventTime(r) }));
    rows.sort((a, b) => a.t - b.t || a.i - b.i);
    const file = join(workDir, `${sc.name}.${table}.jsonl.gz`);
    writeFileSync(file, gzipSync(rows.map(({ r }) => JSON.stringify(r)).join('\n') + '\n'));
    out.push({ table, file, rows: rows.map(({ r }) => r) });
  }
  return out;
}

/** The rebasing shift exactly as `sluice replay --timestamps rebased --now --newest --align` defines it. */
function rebaseShift(nowMs: number, newestMicros: number, alignMs: number): number {
  const unit = alignMs * 1000;
  return Math.floor((nowMs * 1000 - newestMicros) / unit) * unit;
}

function shiftJson(rows: readonly JsonRow[], shift: number): JsonRow[] {
  return rows.map((r) => {
    const out = { ...r };
    for (const f of ['event_time', 'log_time']) if (typeof r[f] === 'string') out[f] = formatRfc3339Micros(isoToMicros(r[f]) + shift);
    return out;
  });
}

function psqlArgs(port: number, ...rest: string[]): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-d', 'dev', '-U', 'root', '-X', '-v', 'ON_ERROR_STOP=1', ...rest];
}

/** Every type parser is the identity: values arrive as the server's text output. */
const TEXT_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

function sqlTypeOfOid(oid: number): SqlType {
  switch (oid) {
    case 1184:
      return 'timestamptz';
    case 1114:
      return 'timestamp';
    case 20:
      return 'bigint';
    case 23:
      return 'integer';
    default:
      return 'varchar';
  }
}

/** A view read over the wire: text rows (for PostgreSQL) and rows with timestamps as µs (for the rule checks). */
interface WireView extends ViewRows {
  readonly text: TextRow[];
}
async function readView(client: pg.Client, view: string): Promise<WireView> {
  const r = await client.query({ text: `SELECT * FROM ${view}`, rowMode: 'array' });
  const columns = r.fields.map((f) => ({ name: f.name, type: sqlTypeOfOid(f.dataTypeID) }));
  const text = r.rows as TextRow[];
  const rows = text.map((row) => row.map((v, i) => (v === null ? null : columns[i]!.type === 'timestamptz' ? parseValueText(v, 'timestamptz') : v)));
  return { columns, rows, text };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, pauseMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** One psql poll during a live replay. */
interface Observation {
  /** A replay process was still running when psql had returned (so also when the query ran). */
  readonly duringReplay: boolean;
  readonly ingested: number;
  /** Rows of the GROWING_VIEWS, summed. */
  readonly alerts: number;
}

/** A running replay process: its exit code and output once it ends. */
interface ReplayProcess {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stderr: string }>;
}
function spawnReplay(args: readonly string[]): ReplayProcess {
  const child = spawn(process.execPath, [SLUICE_BIN, 'replay', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}

interface RunResult {
  readonly views: Map<string, WireView>;
  readonly observations: Observation[];
  readonly serverNow: string;
}

/**
 * One scenario on a fresh server: unique topics, the sources and every detection file through psql -f, the lookup,
 * then the real replay CLI (all of a scenario's streams at once), catch-up (every row ingested, lag 0, FLUSH), and
 * every view read over the wire. `live` polls with psql while the replay runs.
 */
async function runScenario(sc: Scenario, inputs: readonly StreamInput[], mode: 'original' | 'live', replayFlags: readonly string[]): Promise<RunResult> {
  const topics = new Map<StreamTable, string>();
  for (const t of STREAM_TABLES) {
    const topic = uniqueTopic(`datasets-live-${sc.name}-${mode}-${t}`);
    await createTopic(topic, 1);
    topics.set(t, topic);
  }
  const dir = mkdtempSync(join(workDir, `${sc.name}-${mode}-`));
  const sourcesSql = join(dir, 'sources.sql');
  const lookupSql = join(dir, 'lookup.sql');
  writeFileSync(sourcesSql, STREAM_TABLES.map((t) => `${createKafkaSourceSql(t, topics.get(t)!)};\n`).join(''));
  writeFileSync(lookupSql, threatIntelInserts().map((s) => `${s};\n`).join(''));
  const server = await startServerProcess();
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', types: TEXT_TYPES });
  let exitCode: number | null = null;
  try {
    const files = DETECTIONS.map((d) => join(DETECTIONS_DIR, d.file));
    await execFileAsync('psql', psqlArgs(server.port, '-q', '-f', sourcesSql, ...files.flatMap((f) => ['-f', f]), '-f', lookupSql));
    await client.connect();
    await waitFor('sources running', async () => (await client.query(`SELECT count(*) FROM sluice.sources WHERE status = 'running'`)).rows[0].count === '3');

    const total = inputs.reduce((n, i) => n + i.rows.length, 0);
    const brokers = kafkaBrokers().join(',');
    const procs = inputs.map((i) => spawnReplay([i.file, '--topic', topics.get(i.table)!, '--brokers', brokers, ...replayFlags]));
    const observations: Observation[] = [];
    if (mode === 'live') {
      const pollSql =
        `SELECT 'ingested', coalesce(sum(rows_ingested), 0) FROM sluice.sources` + GROWING_VIEWS.map((v) => ` UNION ALL SELECT '${v}', count(*) FROM ${v}`).join('');
      const running = (): boolean => procs.some((p) => p.child.exitCode === null && p.child.signalCode === null);
      // Poll until every replay process has ended and the server has ingested every row (bounded: 1200 polls).
      for (let i = 0; i < 1200; i++) {
        const { stdout } = await execFileAsync('psql', psqlArgs(server.port, '-At', '-F', '\t', '-c', pollSql));
        const duringReplay = running();
        let ingested = 0;
        let alerts = 0;
        for (const line of stdout.split('\n').filter((l) => l !== '')) {
          const [what, n] = line.split('\t') as [string, string];
          if (what === 'ingested') ingested = Number(n);
          else alerts += Number(n);
        }
        observations.push({ duringReplay, ingested, alerts });
        if (!duringReplay && ingested === total) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const [i, p] of procs.entries()) {
      const { code, stderr } = await p.done;
      assert.equal(code, 0, `sluice replay ${inputs[i]!.file}: ${stderr}`);
      assert.match(stderr, new RegExp(`replayed ${inputs[i]!.rows.length} events to `), 'the replay CLI reports every event produced');
    }
    const perSource = new Map(inputs.map((i) => [i.table as string, i.rows.length]));
    await waitFor('sources caught up (every row ingested, lag 0)', async () => {
      await client.query('FLUSH');
      const r = await client.query<{ name: string; rows_ingested: string; lag: string | null; dead_letters: string }>('SELECT name, rows_ingested, lag, dead_letters FROM sluice.sources');
      return r.rows.every((s) => Number(s.rows_ingested) === (perSource.get(s.name) ?? 0) && s.lag === '0' && s.dead_letters === '0');
    });
    await client.query('FLUSH');
    const views = new Map<string, WireView>();
    for (const d of DETECTIONS) views.set(d.view, await readView(client, d.view));
    const serverNow = (await client.query('SELECT now()')).rows[0].now as string;
    return { views, observations, serverNow };
  } finally {
    await client.end().catch(() => undefined);
    exitCode = await server.stop();
    assert.equal(exitCode, 0, 'the server stops cleanly');
  }
}

/**
 * The article's views against PostgreSQL over the same (shifted) rows, NOW() replaced by the server's now() read after
 * the views. Precondition asserted: no deny/drop source's last block lies within 5 minutes of the 1-hour horizon, so
 * the exact NOW() instant (server vs the moment the view was read) cannot change recently_blocked_ips.
 */
async function checkArticleViews(label: string, inputs: readonly StreamInput[], shift: number, run: RunResult): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const article = DETECTIONS.filter((d) => d.rule.startsWith('ART-'));
  const now = `TIMESTAMPTZ '${run.serverNow}'`;
  await withOracle(async (o) => {
    for (const t of STREAM_TABLES) {
      const cols = ARTICLE_COLUMNS[t]!;
      await o.createTable(t, cols.map(([name, type]) => ({ name, type })));
      const rows = shiftJson(inputs.find((i) => i.table === t)?.rows ?? [], shift);
      if (rows.length > 0) await o.insert(t, rows.map((r) => cols.map(([n]) => (r[n] === null || r[n] === undefined ? null : String(r[n])))));
    }
    const nearHorizon = await o.query(
      `SELECT count(*) FROM (SELECT max(log_time) AS m FROM firewall_logs WHERE action IN ('deny', 'drop') GROUP BY src_ip) b ` +
        `WHERE b.m BETWEEN ${now} - INTERVAL '65 minutes' AND ${now} - INTERVAL '55 minutes'`,
    );
    assert.equal(nearHorizon[0]![0], '0', `${label}: no block within 5 minutes of the NOW() - 1 hour horizon`);
    for (const d of article) await o.query(viewForPostgres(d.statements[0]!, now));
    for (const d of article) {
      const pgRows = await o.query(`SELECT * FROM ${d.view}`);
      assertSameRows(run.views.get(d.view)!.text, pgRows, `${label} ${d.view}`);
      counts.set(d.view, pgRows.length);
    }
  });
  return counts;
}

/** Every rule's view against expected_alerts.json (shifted), the negative checks, the article views; record the cells. */
async function checkScenario(sc: Scenario, column: string, inputs: readonly StreamInput[], shift: number, run: RunResult): Promise<void> {
  const label = `${sc.name} (${column})`;
  for (const d of DETECTIONS) {
    const exp = expectedForAll(EXPECTED, sc.prefixes, d);
    if (exp === null) continue;
    const got = run.views.get(d.view)!;
    measured.push({ scenario: column, rule: d.rule, view: d.view, expected: exp.source === 'json' ? String(exp.count) : `${exp.count} (${exp.source})`, actual: got.rows.length });
    assertRuleRows(label, d, exp, got, shift);
  }
  // Per recording when several share the streams (G): each Sigma view's rows of that file's events are its expected count.
  if (sc.prefixes.length > 1) {
    for (const prefix of sc.prefixes) {
      const ids = new Set(streamFiles(prefix).flatMap((f) => readRows(f.path)).map((r) => r['event_id']));
      for (const d of DETECTIONS.filter((x) => x.sigma !== null)) {
        const exp = expectedFor(EXPECTED, prefix, d)!;
        const got = run.views.get(d.view)!.rows.filter((r) => ids.has(r[4]));
        assert.equal(got.length, exp.count, `${label} ${prefix} ${d.rule}: alerts of that recording`);
      }
    }
  }
  const rows = new Map(inputs.map((i) => [i.table, i.rows] as const));
  let negative = 0;
  for (const prefix of sc.prefixes) negative += assertNegativeChecks(prefix, DETECTIONS, run.views, rows, shift);
  if (sc.name === 'A' || sc.name === 'C') assert.ok(negative > 0, `${label}: the negative checks ran`);
  const pg = await checkArticleViews(label, inputs, shift, run);
  for (const d of DETECTIONS.filter((x) => x.rule.startsWith('ART-'))) {
    measured.push({ scenario: column, rule: d.rule, view: d.view, expected: `${pg.get(d.view)} (PostgreSQL)`, actual: run.views.get(d.view)!.rows.length });
  }
}

for (const sc of SCENARIOS) {
  test(`dataset ${sc.name} through the broker and the server, recorded times: every rule's view holds exactly the expected alerts`, { timeout: 120_000 }, async () => {
    const inputs = scenarioInputs(sc);
    const run = await runScenario(sc, inputs, 'original', ['--timestamps', 'original']);
    await checkScenario(sc, `${sc.name} original`, inputs, 0, run);
  });

  test(`dataset ${sc.name} rebased to now and sped up: psql sees the views grow during the replay; then exactly the expected alerts`, { timeout: 120_000 }, async (t) => {
    const inputs = scenarioInputs(sc);
    const newest = Math.max(...inputs.flatMap((i) => i.rows.map(eventTime)));
    assert.equal(newest % 1000, 0, 'the newest event has millisecond precision (--newest is an ISO text in ms)');
    const nowMs = Date.now();
    const shift = rebaseShift(nowMs, newest, ALIGN_MS);
    assert.ok(newest + shift <= nowMs * 1000 && newest + shift > (nowMs - ALIGN_MS) * 1000, 'the newest event lands within the alignment before now');
    const flags = ['--timestamps', 'rebased', '--now', new Date(nowMs).toISOString(), '--newest', new Date(newest / 1000).toISOString(), '--align', String(ALIGN_MS), '--speed', String(sc.speed), '--max-sleep-ms', String(sc.maxSleepMs)];
    const run = await runScenario(sc, inputs, 'live', flags);

    const total = inputs.reduce((n, i) => n + i.rows.length, 0);
    const obs = run.observations;
    const during = obs.filter((o) => o.duringReplay);
    const finalAlerts = obs[obs.length - 1]!.alerts;
    const partialIngest = during.filter((o) => o.ingested > 0 && o.ingested < total).length;
    const partialAlerts = during.filter((o) => o.alerts > 0 && o.alerts < finalAlerts).length;
    t.diagnostic(`${sc.name}: ${obs.length} psql observations, ${during.length} during the replay, ${partialIngest} with part of the ${total} rows ingested, ${partialAlerts} with part of the ${finalAlerts} alert rows; shift ${shift} µs`);
    assert.ok(during.length > 0, 'psql observed the views while the replay was running');
    assert.ok(partialIngest > 0, 'an observation during the replay saw some but not all rows ingested');
    for (let i = 1; i < obs.length; i++) {
      assert.ok(obs[i]!.ingested >= obs[i - 1]!.ingested, 'ingested rows never go back');
      assert.ok(obs[i]!.alerts >= obs[i - 1]!.alerts, 'alert rows of append-only views never go back');
    }
    assert.equal(obs[obs.length - 1]!.ingested, total, 'the last observation saw every row');
    assert.ok(obs[obs.length - 1]!.ingested > Math.min(...during.map((o) => o.ingested)), 'later observations grew');
    // Alerts spread over the recording (A: hours of brute force; C: the attack's minutes; G: recordings in turn) must
    // appear while the replay runs; B's alerts all come from one 12 ms burst, so only its ingestion is seen partial.
    if (sc.name !== 'B') assert.ok(partialAlerts > 0, 'an observation during the replay saw some but not all alert rows');

    await checkScenario(sc, `${sc.name} live`, inputs, shift, run);
    if (sc.name === 'C') assert.ok(run.views.get('recently_blocked_ips')!.rows.length > 0, 'with rebased times the NOW() view recently_blocked_ips holds the recent blocks');
  });
}

const BEGIN = '<!-- BEGIN GENERATED LIVE TABLE (test/e2e/datasets-live.test.ts, SLUICE_WRITE_DETECTIONS_DOC=1) -->';
const END = '<!-- END GENERATED LIVE TABLE -->';

test('docs/detections.md: its broker + server table is what this run measured', () => {
  assert.ok(measured.length >= SCENARIOS.length * 2 * 17, 'every scenario and path was measured');
  const table = renderMeasurements(measured, (col) => col.replace(/ original$/, ' recorded').replace(/ live$/, ' live'));
  const { current } = syncGeneratedBlock(DOC_PATH, BEGIN, END, table, process.env['SLUICE_WRITE_DETECTIONS_DOC'] === '1');
  assert.equal(current, table, 'docs/detections.md live table (regenerate with SLUICE_WRITE_DETECTIONS_DOC=1)');
});


/**
 * The public security datasets (siem-test-data scenarios A, B, C, F, G) through sluice: every stream file is loaded
 * into tables of an in-process engine, every detection of examples/detections runs as a materialized view, and
 * each view must hold exactly the alerts of expected_alerts.json (rows compared, not only counts); the article's
 * views must equal PostgreSQL's evaluation. Then scenario C again through the real Kafka broker (rebased times).
 * docs/detections.md's table is what this file measures (written when SLUICE_WRITE_DETECTIONS_DOC=1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineSession, StatementResult } from '../../src/engine/api.js';
import type { Row, Value } from '../../src/common/types.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { replay, rebaseTimestamps, replayDelaysMs, shiftRows, type JsonRow } from '../../src/cli/replay.js';
import { viewForPostgres } from '../harness/article.js';
import { assertSameRows, withOracle, type TextRow } from '../harness/pg-oracle.js';
import { createTopic, ensureKafkaBroker, readTopic, uniqueTopic } from '../harness/kafka.js';
import {
  REPO_ROOT, STREAM_TABLES, assertNegativeChecks, assertRuleRows, createKafkaSourceSql, createTableSql, expectedAlerts, expectedFor, insertStatements, isoToMicros,
  loadDetections, readRows, renderMeasurements, streamTablesSql, scenarioPrefixes, streamFiles, syncGeneratedBlock, threatIntelInserts, type Measurement, type StreamTable,
} from '../harness/datasets.js';
import { ARTICLE_COLUMNS, articleStatements } from '../harness/article.js';

const DETECTIONS = loadDetections();
const EXPECTED = expectedAlerts();
const DOC_PATH = join(REPO_ROOT, 'docs', 'detections.md');
const SCENARIOS = ['A_ssh_bruteforce', 'B_ad_password_spray', 'C_lsass_procdump', 'F_sigma_regression_pack', ...scenarioPrefixes('G')];
interface ViewResult {
  readonly columns: { name: string; type: import('../../src/common/types.js').SqlType }[];
  readonly rows: Row[];
}
const measured: Measurement[] = [];

async function exec(s: EngineSession, sql: string): Promise<StatementResult> {
  return s.execute(sql);
}

async function selectAll(s: EngineSession, view: string): Promise<ViewResult> {
  const r = await exec(s, `SELECT * FROM ${view}`);
  assert.equal(r.kind, 'rows', `SELECT * FROM ${view}`);
  if (r.kind !== 'rows') throw new Error('unreachable');
  return { columns: r.columns.map((c) => ({ name: c.name, type: c.type })), rows: r.rows };
}

const micros = (v: Value): number => v as number;

/** Create tables (or Kafka sources), all detection views, the lookup; load rows with INSERT; FLUSH; read every view. */
async function runInProcess(scenario: string): Promise<{ views: Map<string, ViewResult>; rows: Map<StreamTable, JsonRow[]> }> {
  const engine = await createEngine({});
  const s = engine.openSession({ user: 'root', database: 'dev' });
  try {
    for (const t of STREAM_TABLES) await exec(s, createTableSql(t));
    for (const d of DETECTIONS) for (const st of d.statements) await exec(s, st);
    for (const ins of threatIntelInserts()) await exec(s, ins);
    const rows = new Map<StreamTable, JsonRow[]>();
    for (const f of streamFiles(scenario)) {
      const rs = readRows(f.path);
      rows.set(f.table, rs);
      for (const ins of insertStatements(f.table, rs)) await exec(s, ins);
    }
    await exec(s, 'FLUSH');
    for (const [t, rs] of rows) {
      const r = await exec(s, `SELECT count(*) FROM ${t}`);
      assert.ok(r.kind === 'rows' && String(r.rows[0]![0]) === String(rs.length), `${t} holds all ${rs.length} rows`);
    }
    const views = new Map<string, ViewResult>();
    for (const d of DETECTIONS) views.set(d.view, await selectAll(s, d.view));
    return { views, rows };
  } finally {
    s.close();
    await engine.close();
  }
}

/** Assert every dataset rule's view equals expected_alerts.json; record the measurements. */
function checkRules(scenario: string, views: Map<string, ViewResult>, shift = 0, record = true): void {
  for (const d of DETECTIONS) {
    const exp = expectedFor(EXPECTED, scenario, d);
    if (exp === null) continue;
    const got = views.get(d.view)!;
    if (record) measured.push({ scenario, rule: d.rule, view: d.view, expected: exp.source === 'json' ? String(exp.count) : `${exp.count} (${exp.source})`, actual: got.rows.length });
    assertRuleRows(scenario, d, exp, got, shift);
  }
}

function textRows(v: ViewResult): TextRow[] {
  return v.rows.map((r) => r.map((x, i) => (x === null ? null : formatValueText(x, v.columns[i]!.type))));
}

/** The article's views must equal PostgreSQL over the same rows (historic times: NOW() − 1 h excludes them all). */
async function checkArticleViews(scenario: string, views: Map<string, ViewResult>, rows: Map<StreamTable, JsonRow[]>): Promise<void> {
  const article = DETECTIONS.filter((d) => d.rule.startsWith('ART-'));
  await withOracle(async (o) => {
    for (const t of STREAM_TABLES) {
      const cols = ARTICLE_COLUMNS[t]!;
      await o.createTable(t, cols.map(([name, type]) => ({ name, type })));
      const rs = rows.get(t) ?? [];
      if (rs.length > 0) await o.insert(t, rs.map((r) => cols.map(([n]) => (r[n] === null || r[n] === undefined ? null : String(r[n])))));
    }
    for (const d of article) await o.query(viewForPostgres(d.statements[0]!));
    for (const d of article) {
      const pgRows = await o.query(`SELECT * FROM ${d.view}`);
      const got = views.get(d.view)!;
      assertSameRows(textRows(got), pgRows, `${scenario} ${d.view}`);
      measured.push({ scenario, rule: d.rule, view: d.view, expected: `${pgRows.length} (PostgreSQL)`, actual: got.rows.length });
    }
  });
}

test('the detection library: headers, one view per file, article views verbatim', () => {
  const stmts = articleStatements().filter((s) => /^CREATE MATERIALIZED VIEW/i.test(s));
  const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
  const article = DETECTIONS.filter((d) => d.rule.startsWith('ART-'));
  assert.equal(article.length, 5);
  assert.deepEqual(streamTablesSql(), STREAM_TABLES.map(createTableSql), '00-streams-as-tables.sql has the article columns');
  for (const d of article) assert.ok(stmts.map(norm).includes(norm(d.statements[0]!)), `${d.file} is the article's ${d.view} verbatim`);
  for (const d of DETECTIONS) {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'detections', d.file), 'utf8');
    for (const h of ['What it detects', 'MITRE ATT&CK', 'Source data', 'Known false positives']) assert.ok(text.includes(h), `${d.file} header has '${h}'`);
    assert.equal(d.statements.filter((s) => /^CREATE MATERIALIZED VIEW/i.test(s)).length, 1, `${d.file}: one view`);
  }
  assert.deepEqual(DETECTIONS.filter((d) => !d.rule.startsWith('ART-')).map((d) => d.rule), ['AUTH-1', 'AUTH-3', 'AUTH-7', 'FW-1', 'FW-2', 'FW-3', 'FW-4', 'SIGMA-502b42de', 'SIGMA-5afee48e', 'SIGMA-646ea171', 'SIGMA-bd8b828d', 'SIGMA-ffa6861c']);
  for (const d of DETECTIONS.filter((x) => x.sigma !== null)) assert.match(readFileSync(join(REPO_ROOT, 'examples', 'detections', d.file), 'utf8'), /Rule author \(Detection Rule License 1\.1/, `${d.file} names the rule author`);
});

test('replay: rebasing keeps gaps and puts the newest event at now; speed-up sleeps are bounded', async () => {
  const rows = [{ event_time: '2017-12-10T06:55:48.000Z' }, { event_time: '2017-12-10T06:55:50.500Z' }, { x: 1 }, { event_time: '2017-12-10T06:55:49.000Z' }];
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const { rows: out, shiftMicros } = rebaseTimestamps(rows, now);
  assert.equal(out[1]!['event_time'], '2026-01-01T12:00:00.000000Z');
  assert.equal(out[0]!['event_time'], '2026-01-01T11:59:57.500000Z');
  assert.equal(out[3]!['event_time'], '2026-01-01T11:59:58.500000Z');
  assert.deepEqual(out[2], { x: 1 });
  assert.equal(shiftMicros, now * 1000 - isoToMicros('2017-12-10T06:55:50.500Z'));
  assert.equal(rows[0]!['event_time'], '2017-12-10T06:55:48.000Z', 'input not modified');
  const aligned = rebaseTimestamps(rows, now, undefined, 3_600_000);
  assert.equal(aligned.shiftMicros % 3_600_000_000, 0, 'aligned shift is whole hours');
  assert.ok(isoToMicros(aligned.rows[1]!['event_time']) <= now * 1000 && isoToMicros(aligned.rows[1]!['event_time']) > now * 1000 - 3_600_000_000);
  assert.deepEqual(replayDelaysMs(rows, 2, 5000), [0, 1250, 0, 0]);
  assert.deepEqual(replayDelaysMs(rows, 2, 1000), [0, 1000, 0, 0]);
  assert.deepEqual(replayDelaysMs(rows, 1, 100), [0, 100, 0, 0]);
  assert.throws(() => replayDelaysMs(rows, 0), /speed/);
  assert.deepEqual(shiftRows([{ log_time: '2023-08-16T00:33:48.495Z' }], 1), [{ log_time: '2023-08-16T00:33:48.495001Z' }]);
  const file = streamFiles('G_otrf_net_local_users')[0]!.path;
  const r = await replay({ file, timestamps: 'original' });
  assert.equal(r.rows.length, 5);
  assert.equal(r.produced, 0);
  assert.throws(() => rebaseTimestamps([{ event_time: 'yesterday' }], now), /event_time/);
  const common = rebaseTimestamps(rows, now, undefined, undefined, Date.UTC(2017, 11, 10, 7, 0, 0));
  assert.equal(common.rows[1]!['event_time'], '2026-01-01T11:55:50.500000Z', 'a given newest time sets the shift');
});

for (const scenario of SCENARIOS) {
  test(`dataset ${scenario}: every rule's view holds exactly the expected alerts; article views equal PostgreSQL`, { timeout: 120_000 }, async () => {
    const files = streamFiles(scenario);
    assert.ok(files.length > 0, `${scenario} has stream files`);
    const { views, rows } = await runInProcess(scenario);
    checkRules(scenario, views);
    await checkArticleViews(scenario, views, rows);

    const negative = assertNegativeChecks(scenario, DETECTIONS, views, rows);
    if (scenario === 'A_ssh_bruteforce' || scenario === 'C_lsass_procdump') assert.ok(negative > 0, `${scenario}: the negative checks ran`);
  });
}

test('replay: gzip input, and producing at a speed-up to a topic keeps order and content', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-replay-'));
  try {
    const src = streamFiles('G_otrf_net_local_users')[0]!.path;
    const gz = join(dir, 'net.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(src)));
    const plain = await replay({ file: src });
    const fromGz = await replay({ file: gz });
    assert.deepEqual(fromGz.rows, plain.rows);
    await ensureKafkaBroker();
    const topic = uniqueTopic('datasets-replay');
    await createTopic(topic, 1);
    const r = await replay({ file: gz, topic, timestamps: 'rebased', speed: 1000, maxSleepMs: 20 });
    assert.equal(r.produced, 5);
    const got = await readTopic(topic, { isolation: 'read_uncommitted' });
    assert.deepEqual(got.map((m) => JSON.parse(m.value ?? 'null') as unknown), r.rows);
    const newest = Math.max(...r.rows.map((x) => isoToMicros(x['event_time'])));
    assert.ok(Math.abs(newest / 1000 - Date.now()) < 600_000, 'rebased: the newest event is about now');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dataset C_lsass_procdump through the real Kafka broker (rebased timestamps): same alerts', { timeout: 180_000 }, async () => {
  await ensureKafkaBroker();
  const engine = await createEngine({});
  const s = engine.openSession({ user: 'root', database: 'dev' });
  try {
    const files = streamFiles('C_lsass_procdump');
    const topics = new Map<StreamTable, string>();
    for (const t of STREAM_TABLES) {
      const topic = uniqueTopic(`datasets-${t}`);
      await createTopic(topic, 1);
      topics.set(t, topic);
      await exec(s, createKafkaSourceSql(t, topic));
    }
    for (const d of DETECTIONS) for (const st of d.statements) await exec(s, st);
    for (const ins of threatIntelInserts()) await exec(s, ins);
    // One shift for all streams, whole days (tumbling windows keep their alignment), newest event within a day of now.
    const all = files.flatMap((f) => readRows(f.path));
    const newest = Math.max(...all.map((r) => isoToMicros(r['event_time'] ?? r['log_time'])));
    const day = 86_400_000_000;
    const shift = Math.floor((Date.now() * 1000 - newest) / day) * day;
    assert.ok(newest + shift > Date.now() * 1000 - day, 'rebased: the newest event is within a day of now');
    let total = 0;
    for (const f of files) {
      const r = await replay({ file: f.path, topic: topics.get(f.table)!, brokers: ['kafka:9092'], timestamps: 'rebased', nowMs: Date.now(), newestMs: newest / 1000, alignShiftMs: 86_400_000 });
      assert.equal(r.shiftMicros, shift, `${f.table}: the replay shift`);
      total += r.produced;
    }
    assert.equal(total, 257);
    let caughtUp = false;
    for (let i = 0; i < 300 && !caughtUp; i++) {
      await exec(s, 'FLUSH');
      const r = await exec(s, `SELECT coalesce(sum(lag), -1), sum(rows_ingested) FROM sluice.sources`);
      if (r.kind === 'rows' && String(r.rows[0]![0]) === '0' && String(r.rows[0]![1]) === String(total)) caughtUp = true;
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(caughtUp, 'sources caught up (lag 0, every row ingested)');
    await exec(s, 'FLUSH');
    const views = new Map<string, ViewResult>();
    for (const d of DETECTIONS) views.set(d.view, await selectAll(s, d.view));
    checkRules('C_lsass_procdump', views, shift, false);
    const chains = views.get('suspicious_process_chains')!;
    const inProcess = await runInProcess('C_lsass_procdump');
    assert.deepEqual(
      chains.rows.map((r) => [r[0], r[1], r[2], r[3], r[4], micros(r[5]!) - shift].join('|')).sort(),
      inProcess.views.get('suspicious_process_chains')!.rows.map((r) => [r[0], r[1], r[2], r[3], r[4], micros(r[5]!)].join('|')).sort(),
    );
  } finally {
    s.close();
    await engine.close();
  }
});

/** The table of docs/detections.md, from this run's measurements: one row per rule, one column per scenario file. */
function renderTable(): string {
  return renderMeasurements(measured, (sc) => sc.replace(/^G_otrf_/, 'G ').replace(/^([A-F])_.*/, '$1'));
}
const BEGIN = '<!-- BEGIN GENERATED TABLE (test/e2e/datasets.test.ts, SLUICE_WRITE_DETECTIONS_DOC=1) -->';
const END = '<!-- END GENERATED TABLE -->';

test('docs/detections.md: its table is what this run measured', () => {
  assert.ok(measured.length >= SCENARIOS.length * 7, 'every scenario was measured');
  const table = renderTable();
  assert.ok(existsSync(DOC_PATH));
  const { equal, current } = syncGeneratedBlock(DOC_PATH, BEGIN, END, table, process.env['SLUICE_WRITE_DETECTIONS_DOC'] === '1');
  assert.equal(current, table, 'docs/detections.md table (regenerate with SLUICE_WRITE_DETECTIONS_DOC=1)');
  assert.ok(equal);
});

/**
 * The public security datasets (../shared/siem-test-data, read in place — never copied: loghub's licence) for
 * tests: stream files per scenario, SQL literals and INSERT batches for the article's three streams, the
 * threat-intel lookup as INSERTs, the detection library (examples/detections/*.sql), expected_alerts.json, and the
 * comparison of views with it (shared by datasets.test.ts and datasets-live.test.ts). Stateless; every function
 * reads the files again. Invariant: values become SQL literals that round-trip exactly.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlType } from '../../src/common/types.js';
import { parseJsonLines, type JsonRow } from '../../src/cli/replay.js';
import { parseIsoTimestamp } from '../../src/connectors/iso-time.js';
import { ARTICLE_COLUMNS } from './article.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DATASETS_DIR = join(REPO_ROOT, '..', 'shared', 'siem-test-data');
export const DETECTIONS_DIR = join(REPO_ROOT, 'examples', 'detections');
export const STREAM_TABLES = ['auth_events', 'firewall_logs', 'process_events'] as const;
export type StreamTable = (typeof STREAM_TABLES)[number];

/** Section suffix of expected_alerts.json per stream ('A_ssh_bruteforce' + '.auth'). */
export const STREAM_SECTION: Record<StreamTable, string> = { auth_events: 'auth', firewall_logs: 'firewall', process_events: 'process' };

/** One stream file of a scenario. */
export interface StreamFile {
  readonly table: StreamTable;
  readonly path: string;
}

/** The stream files whose names start with `${prefix}.` (e.g. 'C_lsass_procdump'), one per table. */
export function streamFiles(prefix: string): StreamFile[] {
  const dir = join(DATASETS_DIR, 'streams');
  const out: StreamFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    for (const table of STREAM_TABLES) if (name === `${prefix}.${table}.jsonl`) out.push({ table, path: join(dir, name) });
  }
  return out;
}

/** Every scenario prefix of the streams folder starting with `letter_` ('G' → the five G_otrf_* files). */
export function scenarioPrefixes(letter: string): string[] {
  const names = readdirSync(join(DATASETS_DIR, 'streams')).filter((n) => n.startsWith(`${letter}_`));
  return [...new Set(names.map((n) => n.split('.')[0]!))].sort();
}

export function readRows(path: string): JsonRow[] {
  return parseJsonLines(readFileSync(path, 'utf8'), path);
}

/** A SQL literal of `v` for a column of `type` (strings quoted with '' doubling; timestamps as ISO text). */
export function sqlLiteral(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return 'NULL';
  switch (type) {
    case 'integer':
    case 'bigint':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`not an integer for ${type}: ${JSON.stringify(v)}`);
      return String(v);
    case 'timestamptz':
      if (typeof v !== 'string' || Number.isNaN(parseIsoTimestamp(v, true))) throw new Error(`not an ISO timestamp: ${JSON.stringify(v)}`);
      return `TIMESTAMPTZ '${v}'`;
    default:
      return `'${String(v).replace(/'/g, "''")}'`;
  }
}

/** CREATE TABLE with the article's source columns (no primary key). */
export function createTableSql(table: StreamTable): string {
  const cols = ARTICLE_COLUMNS[table]!.map(([n, t]) => `${n} ${t === 'varchar' ? 'VARCHAR' : t === 'integer' ? 'INT' : t.toUpperCase()}`);
  return `CREATE TABLE ${table} (${cols.join(', ')})`;
}

/** CREATE SOURCE on Kafka with the article's columns, reading `topic` from the beginning. */
export function createKafkaSourceSql(table: StreamTable, topic: string): string {
  const cols = ARTICLE_COLUMNS[table]!.map(([n, t]) => `${n} ${t === 'varchar' ? 'VARCHAR' : t === 'integer' ? 'INT' : t.toUpperCase()}`);
  return `CREATE SOURCE ${table} (${cols.join(', ')}) WITH (connector = 'kafka', topic = '${topic}', properties.bootstrap.server = 'kafka:9092', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`;
}

/** INSERT … VALUES statements of `rows` (only the table's columns), `batch` rows each. */
export function insertStatements(table: StreamTable, rows: readonly JsonRow[], batch = 200): string[] {
  const cols = ARTICLE_COLUMNS[table]!;
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const values = rows.slice(i, i + batch).map((r) => `(${cols.map(([n, t]) => sqlLiteral(r[n], t)).join(', ')})`);
    out.push(`INSERT INTO ${table} (${cols.map(([n]) => n).join(', ')}) VALUES ${values.join(', ')}`);
  }
  return out;
}

/** Minimal CSV (double-quoted fields with "" escapes, no newlines inside fields) → header-keyed records. */
export function parseCsv(text: string): Record<string, string>[] {
  const parseLine = (line: string): string[] => {
    const fields: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        fields.push(cur);
        cur = '';
      }
      else cur += c;
    }
    fields.push(cur);
    return fields;
  };
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
  const header = parseLine(lines[0] ?? '');
  return lines.slice(1).map((l) => {
    const f = parseLine(l);
    return Object.fromEntries(header.map((h, i) => [h, f[i] ?? '']));
  });
}

/** INSERTs loading lookups/threat_intel_ips.csv into threat_intel_ips(ip, indicator_type). */
export function threatIntelInserts(): string[] {
  const rows = parseCsv(readFileSync(join(DATASETS_DIR, 'lookups', 'threat_intel_ips.csv'), 'utf8'));
  return rows.map((r) => `INSERT INTO threat_intel_ips (ip, indicator_type) VALUES (${sqlLiteral(r['ip'], 'varchar')}, ${sqlLiteral(r['indicator_type'], 'varchar')})`);
}

/** One file of examples/detections. */
export interface Detection {
  readonly file: string;
  /** 'AUTH-1', 'FW-3', 'ART-2' … */
  readonly rule: string;
  /** The materialized view the file creates. */
  readonly view: string;
  /** The rule definition's key in expected_alerts.json, when the datasets define one. */
  readonly expectedKey: string | null;
  /** The Sigma rule id a SIGMA-* file translates, else null (from '-- sigma:'). */
  readonly sigma: string | null;
  /** Tables the file needs loaded besides the streams (from '-- needs:'). */
  readonly needs: readonly string[];
  /** Its statements, comments removed, in order. */
  readonly statements: readonly string[];
}

function header(text: string, field: string): string | null {
  const m = new RegExp(`^-- ${field}: (.+)$`, 'm').exec(text);
  return m ? m[1]!.trim() : null;
}

/** The statements of a SQL file: `--` comment lines dropped, split on ';'. (The library has no ';' in literals.) */
export function sqlStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The statements of examples/detections/00-streams-as-tables.sql (the streams as tables; not a rule). */
export function streamTablesSql(): string[] {
  return sqlStatements(readFileSync(join(DETECTIONS_DIR, '00-streams-as-tables.sql'), 'utf8'));
}

/** Every detection file (00-* excluded), in file-name order (article-1…5 first: later article views depend on earlier ones). */
export function loadDetections(): Detection[] {
  return readdirSync(DETECTIONS_DIR)
    .filter((n) => n.endsWith('.sql') && !n.startsWith('00-'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(DETECTIONS_DIR, file), 'utf8');
      const rule = header(text, 'rule');
      const view = header(text, 'view');
      if (rule === null || view === null) throw new Error(`${file}: missing '-- rule:' or '-- view:' header`);
      return { file, rule, view, expectedKey: header(text, 'expected'), sigma: header(text, 'sigma'), needs: (header(text, 'needs') ?? '').split(',').map((s) => s.trim()).filter(Boolean), statements: sqlStatements(text) };
    });
}

/** One expected alert as written in expected_alerts.json (fields vary by rule). */
export type ExpectedAlert = Record<string, unknown>;
export interface ExpectedRule {
  readonly count: number;
  readonly alerts: readonly ExpectedAlert[];
}
export type ExpectedAlerts = Record<string, Record<string, ExpectedRule>>;

export function expectedAlerts(): ExpectedAlerts {
  return JSON.parse(readFileSync(join(DATASETS_DIR, 'expected_alerts.json'), 'utf8')) as ExpectedAlerts;
}

/** µs since the epoch of an ISO text (throws when it is not one). */
export function isoToMicros(text: unknown): number {
  const t = typeof text === 'string' ? parseIsoTimestamp(text, true) : Number.NaN;
  if (Number.isNaN(t)) throw new Error(`not an ISO timestamp: ${JSON.stringify(text)}`);
  return t;
}

// ---- Comparing views with expected_alerts.json (shared by the in-process and the broker + server tests) ----------

/** The expected_alerts.json entry of the ten Sigma rules' single-event matches, per scenario's `.process` section. */
export const SIGMA_SECTION_KEY = 'SIGMA-10 single-event matches (rule,event pairs)';
/**
 * Scenario F has no section in expected_alerts.json; its README row states the scenario rules over the whole pack:
 * "502b42de 2 (its own test + cmdkey /list), all others 0".
 */
export const F_SIGMA_COUNTS: Record<string, number> = { '502b42de-4306-40b4-9596-6f590c81f073': 2 };

/** A view's rows: timestamptz values as µs since the epoch (numbers), other values as the engine or the wire gave them. */
export interface ViewRows {
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Expected alerts of one rule: 'json' (expected_alerts.json), 'README' (scenario F) or 'no stream' (expected 0). */
export interface ExpectedForRule {
  readonly count: number;
  readonly alerts: readonly ExpectedAlert[];
  readonly source: 'json' | 'README' | 'no stream';
}

/** The stream a rule reads ('AUTH-*' → auth_events, 'FW-*' → firewall_logs, 'SIGMA-*' → process_events). */
export function ruleStream(rule: string): StreamTable | null {
  if (rule.startsWith('AUTH-')) return 'auth_events';
  if (rule.startsWith('FW-')) return 'firewall_logs';
  if (rule.startsWith('SIGMA-')) return 'process_events';
  return null;
}

/** Expected alerts of a rule in a scenario: its section's entry, none when the scenario lacks that stream, null when no rule definition applies (ART-*). */
export function expectedFor(expected: ExpectedAlerts, scenario: string, d: Detection): ExpectedForRule | null {
  const stream = ruleStream(d.rule);
  if (d.sigma !== null) {
    if (scenario.startsWith('F_')) return { count: F_SIGMA_COUNTS[d.sigma] ?? 0, alerts: [], source: 'README' };
    const section = expected[`${scenario}.process`];
    if (section === undefined) return { count: 0, alerts: [], source: 'no stream' };
    const entry = section[SIGMA_SECTION_KEY] as (ExpectedRule & { per_rule?: Record<string, number> }) | undefined;
    if (entry === undefined) throw new Error(`expected_alerts.json ${scenario}.process lacks '${SIGMA_SECTION_KEY}'`);
    const perRule = Object.entries(entry.per_rule ?? {}).find(([k]) => k.startsWith(`${d.sigma} `));
    return { count: perRule?.[1] ?? 0, alerts: entry.alerts.filter((a) => a['rule_id'] === d.sigma), source: 'json' };
  }
  if (stream === null || d.expectedKey === null) return null;
  const section = expected[`${scenario}.${STREAM_SECTION[stream]}`];
  if (section === undefined) return { count: 0, alerts: [], source: 'no stream' };
  const entry = section[d.expectedKey];
  if (entry === undefined) throw new Error(`expected_alerts.json ${scenario}.${STREAM_SECTION[stream]} lacks '${d.expectedKey}'`);
  return { count: entry.count, alerts: entry.alerts, source: 'json' };
}

/**
 * Expected alerts of a rule over several scenarios replayed into the same streams (the G atomics as one stream):
 * counts add and alerts concatenate — exact for the per-event and per-key rules here, whose keys (event ids, hosts,
 * windows) the scenarios do not share. 'json' when any scenario's section defines the rule.
 */
export function expectedForAll(expected: ExpectedAlerts, scenarios: readonly string[], d: Detection): ExpectedForRule | null {
  const parts = scenarios.map((s) => expectedFor(expected, s, d));
  if (parts.every((p) => p === null)) return null;
  const some = parts.filter((p): p is ExpectedForRule => p !== null);
  return {
    count: some.reduce((n, p) => n + p.count, 0),
    alerts: some.flatMap((p) => p.alerts),
    source: some.some((p) => p.source === 'json') ? 'json' : some.some((p) => p.source === 'README') ? 'README' : 'no stream',
  };
}

const micros = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`not a timestamp in µs: ${JSON.stringify(v)}`);
  return v;
};

/** The comparison kind of a detection: 'FW-3', 'FW-4', 'SIGMA' or 'WINDOW' (key, window_start, window_end, value). */
export function ruleKind(d: Detection): 'FW-3' | 'FW-4' | 'SIGMA' | 'WINDOW' {
  if (d.rule === 'FW-3' || d.rule === 'FW-4') return d.rule;
  return d.rule.startsWith('SIGMA-') ? 'SIGMA' : 'WINDOW';
}

/** A rule's alert as a comparable string, from a view row (timestamps minus `shift` µs) … */
export function actualAlertKey(kind: ReturnType<typeof ruleKind>, row: readonly unknown[], shift: number): string {
  switch (kind) {
    case 'FW-3': // log_id, src_ip, dst_ip, dst_port, log_time, indicator_type
      return [row[0], row[1], row[2], String(row[3]), micros(row[4]) - shift].join('|');
    case 'FW-4': // src_ip, dst_ip, window_start, window_end, bytes
      return [row[0], row[1], micros(row[2]) - shift, String(row[4])].join('|');
    case 'SIGMA': // rule_id, title, level, rule_author, event_id, host_id, process_name, command_line, event_time
      return [row[0], row[4], row[5], micros(row[8]) - shift].join('|');
    case 'WINDOW': // key, window_start, window_end, value
      return [row[0], micros(row[1]) - shift, micros(row[2]) - shift, String(row[3])].join('|');
    default: {
      const never: never = kind;
      throw new Error(`unknown rule kind ${String(never)}`);
    }
  }
}

/** … and from an expected_alerts.json alert. */
export function expectedAlertKey(kind: ReturnType<typeof ruleKind>, a: ExpectedAlert): string {
  switch (kind) {
    case 'FW-3':
      return [a['log_id'], a['src_ip'], a['dst_ip'], String(a['dst_port']), isoToMicros(a['log_time'])].join('|');
    case 'FW-4': {
      const k = a['key'] as string[];
      return [k[0], k[1], isoToMicros(a['window_start']), String(a['bytes'])].join('|');
    }
    case 'SIGMA':
      return [a['rule_id'], a['event_id'], a['host_id'], isoToMicros(a['event_time'])].join('|');
    case 'WINDOW':
      return [a['key'], isoToMicros(a['window_start']), isoToMicros(a['window_end']), String(a['value'])].join('|');
    default: {
      const never: never = kind;
      throw new Error(`unknown rule kind ${String(never)}`);
    }
  }
}

/**
 * Assert a rule's view holds exactly the expected alerts: the count, and the rows (sorted keys) when the expected
 * file lists them. `shift` µs is subtracted from the view's timestamps first (rebased replays).
 */
export function assertRuleRows(label: string, d: Detection, exp: ExpectedForRule, got: ViewRows, shift = 0): void {
  assert.equal(got.rows.length, exp.count, `${label} ${d.rule} (${d.view}): alert count`);
  if (exp.alerts.length > 0) {
    const kind = ruleKind(d);
    const a = got.rows.map((r) => actualAlertKey(kind, r, shift)).sort();
    const e = exp.alerts.map((x) => expectedAlertKey(kind, x)).sort();
    assert.deepEqual(a, e, `${label} ${d.rule}: alert rows`);
  }
}

/**
 * The datasets' negative checks, over the views of one scenario (timestamps in µs, shifted by `shift` from the
 * files' times): A — the one legitimate SSH login (fztu from 119.137.62.142, no failures) is flagged by no view;
 * C — the benign gatherNetworkInfo.vbs burst (reg export, systeminfo, tasklist…) raises nothing in the Sigma views,
 * suspicious_process_chains or siem_alerts. Returns how many checks ran (0 for other scenarios).
 */
export function assertNegativeChecks(scenario: string, detections: readonly Detection[], views: ReadonlyMap<string, ViewRows>, rows: ReadonlyMap<StreamTable, readonly JsonRow[]>, shift = 0): number {
  let checks = 0;
  if (scenario === 'A_ssh_bruteforce') {
    const successes = (rows.get('auth_events') ?? []).filter((r) => r['event_type'] === 'login_success');
    assert.deepEqual(successes.map((r) => [r['user_id'], r['source_ip']]), [['fztu', '119.137.62.142']]);
    for (const [view, v] of views) {
      for (const row of v.rows) assert.ok(!row.includes('119.137.62.142') && !row.includes('fztu'), `${view} does not flag the legitimate login`);
      checks++;
    }
    assert.equal(views.get('auth_from_blocked_ip')!.rows.length, 0);
  }
  if (scenario === 'C_lsass_procdump') {
    const procs = rows.get('process_events') ?? [];
    const start = procs.find((r) => String(r['command_line']).includes('gatherNetworkInfo.vbs'));
    assert.ok(start, 'the burst is in the data');
    const burstStart = isoToMicros(start['event_time']) + shift;
    const burst = procs.filter((r) => isoToMicros(r['event_time']) + shift >= burstStart);
    assert.ok(burst.some((r) => String(r['command_line']).includes('reg  export')), 'the burst has reg export');
    for (const row of views.get('suspicious_process_chains')!.rows) assert.ok(micros(row[5]) < burstStart, `suspicious_process_chains: ${String(row[4])} is not part of the benign burst`);
    checks++;
    for (const d of detections.filter((x) => x.sigma !== null)) {
      for (const row of views.get(d.view)!.rows) assert.ok(micros(row[8]) < burstStart, `${d.view}: ${String(row[7])} is not part of the benign burst`);
      checks++;
    }
    for (const row of views.get('siem_alerts')!.rows) assert.ok(micros(row[2]) < burstStart, 'siem_alerts raises nothing for the burst');
    checks++;
  }
  return checks;
}

/** One measured cell of docs/detections.md: a rule in a scenario (or path) column. */
export interface Measurement {
  readonly scenario: string;
  readonly rule: string;
  readonly view: string;
  /** 'N', 'N (PostgreSQL)', 'N (README)' or 'N (no stream)'. */
  readonly expected: string;
  readonly actual: number;
}

/**
 * A table of rules × columns from measurements: a cell is "expected / actual" ("—" = the scenario has no stream for
 * the rule; "pg" = expected is PostgreSQL's evaluation of the same view; "readme" = the datasets README's stated
 * count). A mismatch is marked **bold**. `label` names a column from its scenario string.
 */
export function renderMeasurements(measured: readonly Measurement[], label: (scenario: string) => string): string {
  const scenarios = [...new Set(measured.map((m) => m.scenario))];
  const rules = [...new Set(measured.map((m) => `${m.rule}|${m.view}`))];
  const lines = [`| rule | view | ${scenarios.map(label).join(' | ')} |`, `|---|---|${scenarios.map(() => '---').join('|')}|`];
  for (const rv of rules) {
    const [rule, view] = rv.split('|') as [string, string];
    const cells = scenarios.map((sc) => {
      const m = measured.find((x) => x.scenario === sc && x.rule === rule);
      if (m === undefined) return '';
      const [exp, how] = m.expected.split(' ');
      const tag = how === '(PostgreSQL)' ? ' pg' : how === '(README)' ? ' readme' : '';
      const cell = how === '(no' ? `— / ${m.actual}` : `${exp} / ${m.actual}${tag}`;
      return exp === String(m.actual) ? cell : `**${cell}**`;
    });
    lines.push(`| ${rule} | \`${view}\` | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Replace the text between `begin` and `end` in a doc with `table` (when write) and return whether the doc's block
 * equals `table` afterwards. Throws when the markers are missing.
 */
export function syncGeneratedBlock(path: string, begin: string, end: string, table: string, write: boolean): { equal: boolean; current: string } {
  const read = (): { doc: string; a: number; b: number } => {
    const doc = readFileSync(path, 'utf8');
    const a = doc.indexOf(begin);
    const b = doc.indexOf(end);
    if (a < 0 || b <= a) throw new Error(`${path} lacks the generated-table markers ${begin} … ${end}`);
    return { doc, a, b };
  };
  if (write) {
    const { doc, a, b } = read();
    writeFileSync(path, `${doc.slice(0, a + begin.length)}\n${table}\n${doc.slice(b)}`);
  }
  const { doc, a, b } = read();
  const current = doc.slice(a + begin.length, b).trim();
  return { equal: current === table, current };
}

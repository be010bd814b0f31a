/**
 * The public security datasets (../shared/siem-test-data, read in place — never copied: loghub's licence) for
 * tests: stream files per scenario, SQL literals and INSERT batches for the article's three streams, the
 * threat-intel lookup as INSERTs, the detection library (examples/detections/*.sql) and expected_alerts.json.
 * Stateless; every function reads the files again. Invariant: values become SQL literals that round-trip exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

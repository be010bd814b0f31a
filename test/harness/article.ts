/**
 * The seed article for tests: its SQL, its three streams' columns, and the same views rewritten for PostgreSQL
 * (TUMBLE as date_bin over Unix-epoch-aligned windows; NOW() optionally replaced by a test clock expression).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row, SqlType } from '../../src/common/types.js';
import { formatValueText } from '../../src/expr/text-io.js';
import { formatRfc3339Micros } from '../../src/connectors/iso-time.js';
import type { TextRow } from './pg-oracle.js';

export const ARTICLE_PATH = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'article.sql');
export const ARTICLE_SQL = readFileSync(ARTICLE_PATH, 'utf8');
export const ARTICLE_VIEWS = ['brute_force_detections', 'suspicious_process_chains', 'recently_blocked_ips', 'auth_from_blocked_ip', 'siem_alerts'];

export const ARTICLE_COLUMNS: Record<string, [string, SqlType][]> = {
  auth_events: [['event_id', 'varchar'], ['user_id', 'varchar'], ['source_ip', 'varchar'], ['event_type', 'varchar'], ['event_time', 'timestamptz']],
  firewall_logs: [['log_id', 'varchar'], ['src_ip', 'varchar'], ['dst_ip', 'varchar'], ['dst_port', 'integer'], ['action', 'varchar'], ['bytes', 'bigint'], ['log_time', 'timestamptz']],
  process_events: [['event_id', 'varchar'], ['host_id', 'varchar'], ['parent_pid', 'integer'], ['child_pid', 'integer'], ['process_name', 'varchar'], ['command_line', 'varchar'], ['event_time', 'timestamptz']],
};

/** The article's statements in order, comments removed. */
export function articleStatements(sql = ARTICLE_SQL): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** One CREATE MATERIALIZED VIEW statement as a PostgreSQL CREATE VIEW; `now` replaces NOW() when given. */
export function viewForPostgres(stmt: string, now?: string): string {
  const v = stmt
    .replace(/CREATE MATERIALIZED VIEW/i, 'CREATE VIEW')
    .replace(/FROM TUMBLE\((\w+), (\w+), INTERVAL '([^']+)'\)/i, (_m, rel: string, col: string, size: string) =>
      `FROM (SELECT *, date_bin(INTERVAL '${size}', ${col}, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS window_start, date_bin(INTERVAL '${size}', ${col}, TIMESTAMPTZ '1970-01-01 00:00:00+00') + INTERVAL '${size}' AS window_end FROM ${rel}) AS ${rel}`,
    );
  return now === undefined ? v : v.replace(/NOW\(\)/gi, now);
}

/** All five views for PostgreSQL. */
export function articleViewsForPostgres(now?: string): string[] {
  return articleStatements().filter((s) => /^CREATE MATERIALIZED VIEW/i.test(s)).map((s) => viewForPostgres(s, now));
}

/** A stream row as the JSON message a producer would send (timestamps as RFC 3339 UTC strings). */
export function articleJson(table: string, row: Row): Record<string, unknown> {
  return Object.fromEntries(
    ARTICLE_COLUMNS[table]!.map(([name, type], i) => [name, type === 'timestamptz' ? formatRfc3339Micros(row[i] as number) : typeof row[i] === 'bigint' ? Number(row[i]) : row[i]]),
  );
}

/** A stream row in PostgreSQL text form (for the oracle). */
export function articleTextRow(table: string, row: Row): TextRow {
  return row.map((v, i) => (v === null ? null : formatValueText(v, ARTICLE_COLUMNS[table]![i]![1])));
}

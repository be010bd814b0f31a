/**
 * The seed article's SQL for benchmarks: its statements in order, the sources rewritten as quiet datagen sources
 * or as key-less tables with the same columns, and the five views rewritten for PostgreSQL (TUMBLE → date_bin,
 * NOW() → a one-row clock table). Stateless. Invariant: the five CREATE MATERIALIZED VIEW texts are verbatim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ARTICLE_PATH = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'article.sql');
export const ARTICLE_VIEWS = ['brute_force_detections', 'suspicious_process_chains', 'recently_blocked_ips', 'auth_from_blocked_ip', 'siem_alerts'] as const;
export type ArticleStream = 'auth_events' | 'firewall_logs' | 'process_events';
export const ARTICLE_STREAMS: readonly ArticleStream[] = ['auth_events', 'firewall_logs', 'process_events'];

/** The article's statements, in order, comments removed. */
export function articleStatements(): string[] {
  return readFileSync(ARTICLE_PATH, 'utf8')
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const isSource = (stmt: string): boolean => /^CREATE SOURCE/i.test(stmt);
export const isView = (stmt: string): boolean => /^CREATE MATERIALIZED VIEW/i.test(stmt);

function splitSource(stmt: string): { name: string; cols: string } {
  const m = /^CREATE SOURCE (\w+) \(([\s\S]*?)\)\s*WITH/i.exec(stmt);
  if (!m) throw new Error('not a source: ' + stmt);
  return { name: m[1]!, cols: m[2]!.trim() };
}

/** CREATE SOURCE … WITH (kafka …) → the same columns over a datagen connector so slow it emits nothing. */
export function sourceAsQuietDatagen(stmt: string): string {
  const { name, cols } = splitSource(stmt);
  return `CREATE SOURCE ${name} (${cols}) WITH (connector = 'datagen', stream = '${name}', rate = '0.000001', seed = '1') FORMAT PLAIN ENCODE JSON`;
}

/** CREATE SOURCE name (cols) WITH … → CREATE TABLE name (cols) (no key: appends are not checked). */
export function sourceAsTable(stmt: string): string {
  const { name, cols } = splitSource(stmt);
  return `CREATE TABLE ${name} (${cols})`;
}

/** A materialized view as a plain PostgreSQL view: TUMBLE as date_bin, NOW() read from table bench_clock. */
export function viewForPostgres(stmt: string): string {
  return stmt
    .replace(/CREATE MATERIALIZED VIEW/i, 'CREATE VIEW')
    .replace(/FROM TUMBLE\((\w+), (\w+), INTERVAL '([^']+)'\)/i, (_m, rel: string, col: string, size: string) =>
      `FROM (SELECT *, date_bin(INTERVAL '${size}', ${col}, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS window_start, ` +
      `date_bin(INTERVAL '${size}', ${col}, TIMESTAMPTZ '1970-01-01 00:00:00+00') + INTERVAL '${size}' AS window_end FROM ${rel}) AS ${rel}`,
    )
    .replace(/NOW\(\)/gi, '(SELECT t FROM bench_clock)');
}

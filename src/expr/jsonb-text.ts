/**
 * jsonb text I/O in PostgreSQL's layout: '{"a": 1, "b": [1, 2]}' (", " and ": " separators), object keys
 * ordered shorter-first then bytewise (UTF-8), later duplicate keys win. Stateless.
 * Invariant: formatJsonbText(parseJsonbText(formatJsonbText(j))) === formatJsonbText(j).
 */
import { Jsonb } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { formatJsonNumber } from './float-text.js';

/** PostgreSQL's jsonb key order: by UTF-8 byte length, then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) {
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ba.length !== bb.length) return ba.length - bb.length;
  return Buffer.compare(ba, bb);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The sorted keys of a jsonb object (the order PostgreSQL iterates and prints them). */
export function jsonbObjectKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort(compareJsonbKeys);
}

export function formatJsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatJsonNumber(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return '[' + v.map(formatJsonValue).join(', ') + ']';
      const o = v as Record<string, unknown>;
      return '{' + jsonbObjectKeys(o).map((k) => JSON.stringify(k) + ': ' + formatJsonValue(o[k])).join(', ') + '}';
    }
    default:
      return 'null';
  }
}

export function formatJsonbText(j: Jsonb): string {
  return formatJsonValue(j.value);
}

/** jsonb_in: standard JSON; 22P02 'invalid input syntax for type json' on bad text, 22P05 for \u0000. */
export function parseJsonbText(text: string): Jsonb {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SqlError('22P02', 'invalid input syntax for type json', { detail: e instanceof Error ? e.message : undefined });
  }
  if (text.includes('\\u0000')) {
    throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
  }
  return new Jsonb(value);
}

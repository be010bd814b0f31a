/**
 * Textual change-batch fixtures (RisingWave style) for operator tests: `+ 1 a`, `- 1 a`, `U- 2 b` / `U+ 2 c`,
 * plus `+N` / `-N` for a weight of ±N; fields are whitespace-separated, 'single quoted' fields may hold spaces
 * ('' is a quote), bare NULL is SQL NULL; each field is typed by its column's SqlType. Also Z-set helpers:
 * consolidate, integrate, sameChanges / assertSameChanges. Pure functions, no state.
 * Invariant: parseChanges(formatChanges(b, types), types) equals b for every batch of well-typed rows.
 */
import { AssertionError } from 'node:assert';
import type { Change, ChangeBatch, Weight } from '../../src/common/changes.js';
import { Jsonb, type Interval, type Row, type SqlType, type Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import { canonicalJson, rowKey } from '../../src/common/rowkey.js';
import { compareValues } from '../../src/common/compare.js';

// ---------------------------------------------------------------------------------------------- tokenizing

interface Field {
  readonly text: string;
  /** quoted fields are never NULL and may hold spaces */
  readonly quoted: boolean;
}

function tokenize(line: string, lineNo: number): Field[] {
  const fields: Field[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`line ${lineNo}: unterminated quoted field`);
        if (line[i] === "'") {
          if (line[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += line[i];
        i++;
      }
      if (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
        throw new Error(`line ${lineNo}: text directly after a closing quote`);
      }
      fields.push({ text, quoted: true });
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    fields.push({ text: line.slice(i, j), quoted: false });
    i = j;
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------- values

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO 8601 / PostgreSQL timestamp text → µs since the epoch (no zone = UTC). null when malformed. */
export function parseTimestampMicros(text: string): number | null {
  const m = TS_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (Number.isNaN(ms)) return null;
  let micros = ms * 1000 + (frac ? Number(frac.padEnd(6, '0')) : 0);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    micros -= sign * offsetMin * 60_000_000;
  }
  return micros;
}

/** µs since the epoch → ISO text, fraction trimmed: 2017-12-10T06:55:48.5Z (zoneSuffix '' for timestamp). */
export function formatTimestampMicros(micros: number, zoneSuffix = 'Z'): string {
  const ms = Math.floor(micros / 1000);
  const subMs = micros - ms * 1000;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const base = iso.slice(0, 19);
  const frac = (iso.slice(20, 23) + String(subMs).padStart(3, '0')).replace(/0+$/, '');
  return base + (frac ? '.' + frac : '') + zoneSuffix;
}

const INTERVAL_UNITS: Record<string, keyof Interval | 'years' | 'weeks' | 'hours' | 'minutes' | 'seconds'> = {
  year: 'years', years: 'years', y: 'years',
  mon: 'months', mons: 'months', month: 'months', months: 'months',
  week: 'weeks', weeks: 'weeks', w: 'weeks',
  day: 'days', days: 'days', d: 'days',
  hour: 'hours', hours: 'hours', h: 'hours',
  minute: 'minutes', minutes: 'minutes', min: 'minutes', mins: 'minutes', m: 'minutes',
  second: 'seconds', seconds: 'seconds', sec: 'seconds', secs: 'seconds', s: 'seconds',
};

/** PostgreSQL-style interval text ('1 day 02:00:00', '5 minutes', '-1 mon') → Interval. null when malformed. */
export function parseInterval(text: string): Interval | null {
  let months = 0;
  let days = 0;
  let micros = 0;
  const parts = text.trim().toLowerCase().split(/\s+/);
  if (parts.length === 0 || parts[0] === '') return null;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const clock = /^([+-]?)(\d+):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(p);
    if (clock) {
      const sign = clock[1] === '-' ? -1 : 1;
      const us =
        (Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4] ?? 0)) * 1_000_000 +
        (clock[5] ? Number(clock[5].padEnd(6, '0')) : 0);
      micros += sign * us;
      continue;
    }
    const n = Number(p);
    const unit = INTERVAL_UNITS[parts[i + 1] ?? ''];
    if (!Number.isFinite(n) || unit === undefined) return null;
    i++;
    switch (unit) {
      case 'years': months += n * 12; break;
      case 'months': months += n; break;
      case 'weeks': days += n * 7; break;
      case 'days': days += n; break;
      case 'hours': micros += Math.round(n * 3_600_000_000); break;
      case 'minutes': micros += Math.round(n * 60_000_000); break;
      case 'seconds': micros += Math.round(n * 1_000_000); break;
      default: return null;
    }
  }
  if (!Number.isInteger(months) || !Number.isInteger(days)) return null;
  return { months, days, micros };
}

/** Interval → PostgreSQL's default (IntervalStyle postgres) output: '1 year 2 mons 3 days 04:05:06.5'. */
export function formatInterval(iv: Interval): string {
  const out: string[] = [];
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months - years * 12;
  if (years) out.push(`${years} year${Math.abs(years) === 1 ? '' : 's'}`);
  if (mons) out.push(`${mons} mon${Math.abs(mons) === 1 ? '' : 's'}`);
  if (iv.days) out.push(`${iv.days} day${Math.abs(iv.days) === 1 ? '' : 's'}`);
  if (iv.micros || out.length === 0) {
    const neg = iv.micros < 0;
    let us = Math.abs(iv.micros);
    const h = Math.floor(us / 3_600_000_000);
    us -= h * 3_600_000_000;
    const mi = Math.floor(us / 60_000_000);
    us -= mi * 60_000_000;
    const s = Math.floor(us / 1_000_000);
    const frac = String(us - s * 1_000_000).padStart(6, '0').replace(/0+$/, '');
    const two = (x: number): string => String(x).padStart(2, '0');
    out.push(`${neg ? '-' : ''}${two(h)}:${two(mi)}:${two(s)}${frac ? '.' + frac : ''}`);
  }
  return out.join(' ');
}

/** One fixture field → a Value of the column type. Throws with a message naming the problem. */
export function parseValue(field: string, type: SqlType, quoted = false): Value {
  if (!quoted && field.toUpperCase() === 'NULL') return null;
  const bad = (): never => {
    throw new Error(`'${field}' is not a valid ${type}`);
  };
  switch (type) {
    case 'boolean': {
      const t = field.toLowerCase();
      if (t === 't' || t === 'true') return true;
      if (t === 'f' || t === 'false') return false;
      return bad();
    }
    case 'smallint':
    case 'integer': {
      if (!/^[+-]?\d+$/.test(field)) return bad();
      const n = Number(field);
      const limit = type === 'smallint' ? 32767 : 2147483647;
      if (n > limit || n < -limit - 1) return bad();
      return n;
    }
    case 'bigint':
      if (!/^[+-]?\d+$/.test(field)) return bad();
      return BigInt(field);
    case 'real':
    case 'double precision': {
      const t = field.toLowerCase();
      if (t === 'nan') return NaN;
      if (t === 'infinity' || t === '+infinity') return Infinity;
      if (t === '-infinity') return -Infinity;
      const n = Number(field);
      if (field.trim() === '' || Number.isNaN(n)) return bad();
      return n;
    }
    case 'numeric':
      return Numeric.fromString(field) ?? bad();
    case 'varchar':
    case 'text':
    case 'unknown':
      return field;
    case 'timestamp':
    case 'timestamptz':
      return parseTimestampMicros(field) ?? bad();
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(field);
      if (!m) return bad();
      return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
    }
    case 'interval':
      return parseInterval(field) ?? bad();
    case 'jsonb':
      try {
        return new Jsonb(JSON.parse(field));
      } catch {
        return bad();
      }
    default: {
      const never: never = type;
      throw new Error(`unsupported type ${String(never)}`);
    }
  }
}

function quoteIfNeeded(text: string): string {
  if (text === '' || /[\s']/.test(text) || text.toUpperCase() === 'NULL') return "'" + text.replace(/'/g, "''") + "'";
  return text;
}

/** A Value → its fixture field text (the inverse of parseValue). */
export function formatValue(v: Value, type: SqlType): string {
  if (v === null) return 'NULL';
  switch (type) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'timestamptz':
      return formatTimestampMicros(v as number, 'Z');
    case 'timestamp':
      return formatTimestampMicros(v as number, '');
    case 'date':
      return new Date((v as number) * 86_400_000).toISOString().slice(0, 10);
    case 'interval':
      return quoteIfNeeded(formatInterval(v as Interval));
    case 'jsonb':
      return quoteIfNeeded(canonicalJson((v as Jsonb).value));
    case 'real':
    case 'double precision': {
      const n = v as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return String(n);
    }
    case 'varchar':
    case 'text':
    case 'unknown':
      return quoteIfNeeded(String(v));
    default:
      return String(v);
  }
}

// ---------------------------------------------------------------------------------------------- batches

function parseOp(op: string, lineNo: number): { weight: Weight; update?: 'old' | 'new' } {
  if (op === '+') return { weight: 1 };
  if (op === '-') return { weight: -1 };
  if (op === 'U-') return { weight: -1, update: 'old' };
  if (op === 'U+') return { weight: 1, update: 'new' };
  const m = /^([+-])(\d+)$/.exec(op);
  if (m && Number(m[2]) > 0) return { weight: (m[1] === '-' ? -1 : 1) * Number(m[2]) };
  throw new Error(`line ${lineNo}: expected +, -, U-, U+, +N or -N, got '${op}'`);
}

/**
 * Parse a fixture: one change per line; blank lines and lines starting with # are ignored. U- must be followed
 * directly by U+ (an update is a retraction of the old row and an insertion of the new one).
 */
export function parseChanges(text: string, types: readonly SqlType[]): ChangeBatch {
  const batch: Change[] = [];
  let openUpdate: number | null = null;
  const lines = text.split('\n');
  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    const line = lines[idx]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [opField, ...fields] = tokenize(line, lineNo);
    const op = parseOp(opField!.text, lineNo);
    if (op.update === 'new' && openUpdate === null) throw new Error(`line ${lineNo}: U+ without a preceding U-`);
    if (op.update !== 'new' && openUpdate !== null) throw new Error(`line ${openUpdate}: U- not followed by U+`);
    openUpdate = op.update === 'old' ? lineNo : null;
    if (fields.length !== types.length) {
      throw new Error(`line ${lineNo}: ${fields.length} fields for ${types.length} columns: ${line}`);
    }
    const row: Value[] = fields.map((f, i) => {
      try {
        return parseValue(f.text, types[i]!, f.quoted);
      } catch (e) {
        throw new Error(`line ${lineNo}, column ${i + 1}: ${(e as Error).message}`);
      }
    });
    batch.push({ row, weight: op.weight });
  }
  if (openUpdate !== null) throw new Error(`line ${openUpdate}: U- not followed by U+`);
  return batch;
}

export interface FormatOptions {
  /** consolidate, then sort by row (compareValues per column), then weight: a canonical text for a Z-set */
  readonly sorted?: boolean;
}

function formatWeight(w: Weight): string {
  if (w === 1) return '+';
  if (w === -1) return '-';
  if (!Number.isInteger(w) || w === 0) throw new Error(`cannot format weight ${w}`);
  return w > 0 ? `+${w}` : `${w}`;
}

/** Format a batch as fixture lines (+/-, +N/-N; the batch carries no update pairing, so no U-/U+). */
export function formatChanges(batch: ChangeBatch, types: readonly SqlType[], opts: FormatOptions = {}): string {
  const changes = opts.sorted ? sortChanges(consolidate(batch)) : batch;
  return changes
    .map((c) => {
      if (c.row.length !== types.length) throw new Error(`row has ${c.row.length} values for ${types.length} types`);
      return [formatWeight(c.weight), ...c.row.map((v, i) => formatValue(v, types[i]!))].join(' ');
    })
    .join('\n');
}

export function compareRows(a: Row, b: Row): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Sort by row, then weight (a new array). */
export function sortChanges(batch: ChangeBatch): ChangeBatch {
  return [...batch].sort((x, y) => compareRows(x.row, y.row) || x.weight - y.weight);
}

/** Sum weights per distinct row (rowKey) and drop zeros; rows keep the order of their first appearance. */
export function consolidate(batch: ChangeBatch): ChangeBatch {
  const acc = new Map<string, { row: Row; weight: Weight }>();
  for (const c of batch) {
    const k = rowKey(c.row);
    const e = acc.get(k);
    if (e) e.weight += c.weight;
    else acc.set(k, { row: c.row, weight: c.weight });
  }
  const out: Change[] = [];
  for (const e of acc.values()) if (e.weight !== 0) out.push({ row: e.row, weight: e.weight });
  return out;
}

/** The integral of a stream of batches: every row with its net multiplicity (non-zero), sorted by row. */
export function integrate(batches: readonly ChangeBatch[]): ChangeBatch {
  return sortChanges(consolidate(batches.flat()));
}

/** Expand an integrated Z-set into a multiset of rows; throws if any multiplicity is negative. */
export function toRows(zset: ChangeBatch): Row[] {
  const rows: Row[] = [];
  for (const c of consolidate(zset)) {
    if (c.weight < 0) throw new Error(`row ${rowKey(c.row)} has negative multiplicity ${c.weight}`);
    for (let i = 0; i < c.weight; i++) rows.push(c.row);
  }
  return rows.sort(compareRows);
}

/** Two batches are the same Z-set when their consolidations are equal (order and splitting ignored). */
export function sameChanges(a: ChangeBatch, b: ChangeBatch): boolean {
  const x = consolidate(a);
  const y = new Map(consolidate(b).map((c) => [rowKey(c.row), c.weight]));
  if (x.length !== y.size) return false;
  return x.every((c) => y.get(rowKey(c.row)) === c.weight);
}

/**
 * Assert that `actual` is the same Z-set as the fixture text `expected` (or batch). On failure the message
 * shows both sides in canonical sorted fixture form and their difference (actual − expected).
 */
export function assertSameChanges(
  actual: ChangeBatch,
  expected: string | ChangeBatch,
  types: readonly SqlType[],
  label = 'changes',
): void {
  const want = typeof expected === 'string' ? parseChanges(expected, types) : expected;
  if (sameChanges(actual, want)) return;
  const diff = consolidate([...actual, ...want.map((c) => ({ row: c.row, weight: -c.weight }))]);
  const message = [
    `${label}: change batches differ`,
    '  actual:',
    indent(formatChanges(actual, types, { sorted: true })),
    '  expected:',
    indent(formatChanges(want, types, { sorted: true })),
    '  actual − expected:',
    indent(formatChanges(diff, types, { sorted: true })),
  ].join('\n');
  throw new AssertionError({ message, actual, expected: want, operator: 'sameChanges' });
}

function indent(text: string): string {
  return text === '' ? '    (empty)' : text.split('\n').map((l) => '    ' + l).join('\n');
}

/**
 * FORMAT PLAIN ENCODE JSON decoder: one JSON object per message → one row of the declared columns, then the
 * INCLUDE metadata columns. Stateless after construction (converters are chosen once per column).
 * Invariant: decode never throws; a bad message yields { ok: false, error } with a reason naming the column.
 * Keys are case-sensitive, a missing key or JSON null is SQL NULL, extra keys are ignored.
 */
import type { SqlType, Value } from '../common/types.js';
import { ColumnFailure, jsonConverterFor, type JsonConverter } from './json-convert.js';
import type { DecodeResult, DecoderOptions, IncludeColumn, RowDecoder, SourceMessage } from './types.js';

/** Default SQL type of each INCLUDE column when the planner gives none. */
export const INCLUDE_DEFAULT_TYPES: Record<IncludeColumn['what'], SqlType> = {
  partition: 'integer',
  offset: 'bigint',
  timestamp: 'timestamptz',
  key: 'varchar',
};

type IncludeReader = (m: SourceMessage) => Value;

function includeReader(inc: IncludeColumn): IncludeReader {
  const type = inc.type ?? INCLUDE_DEFAULT_TYPES[inc.what];
  const asText = type === 'varchar' || type === 'text';
  switch (inc.what) {
    case 'partition':
      if (asText) return (m) => String(m.partition);
      if (type === 'bigint') return (m) => BigInt(m.partition);
      return (m) => m.partition;
    case 'offset':
      if (asText) return (m) => m.offset;
      if (type === 'integer' || type === 'smallint') return (m) => Number(m.offset);
      return (m) => BigInt(m.offset);
    case 'timestamp':
      return (m) => (m.timestampMs === null ? null : m.timestampMs * 1000);
    case 'key':
      if (type === 'jsonb') {
        const conv = jsonConverterFor(inc.name, 'jsonb');
        return (m) => {
          if (m.key === null) return null;
          const text = m.key.toString('utf8');
          try {
            return conv(JSON.parse(text), text);
          } catch {
            throw new ColumnFailure('message key is not valid JSON');
          }
        };
      }
      return (m) => (m.key === null ? null : m.key.toString('utf8'));
    default: {
      const never: never = inc.what;
      throw new Error(`unknown INCLUDE ${String(never)}`);
    }
  }
}

/** Names that exist on Object.prototype need an own-property check ('constructor', 'toString', …). */
function isPrototypeName(name: string): boolean {
  return name in Object.prototype;
}

function describeNonObject(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export function createJsonDecoder(opts: DecoderOptions): RowDecoder {
  const names = opts.columns.map((c) => c.name);
  const converters: JsonConverter[] = opts.columns.map((c) => jsonConverterFor(c.name, c.type));
  const guarded = names.map(isPrototypeName);
  const anyGuarded = guarded.some((g) => g);
  const includes = opts.include.map(includeReader);
  const nCols = names.length;
  const width = nCols + includes.length;

  function decode(message: SourceMessage): DecodeResult {
    const buf = message.value;
    if (buf === null || buf.length === 0) return { ok: false, error: 'message is empty' };
    const text = buf.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return { ok: false, error: `message is not valid JSON: ${(e as Error).message}` };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, error: `message is not a JSON object (got ${describeNonObject(parsed)})` };
    }
    const obj = parsed as Record<string, unknown>;
    const row: Value[] = new Array<Value>(width);
    let i = 0;
    try {
      for (; i < nCols; i++) {
        const name = names[i]!;
        const v = anyGuarded && guarded[i] && !Object.hasOwn(obj, name) ? undefined : obj[name];
        row[i] = v === undefined || v === null ? null : converters[i]!(v, text);
      }
      for (let j = 0; j < includes.length; j++) row[nCols + j] = includes[j]!(message);
    } catch (e) {
      if (e instanceof ColumnFailure) {
        const where = i < nCols ? `column "${names[i]}": ` : '';
        return { ok: false, error: where + e.reason };
      }
      return { ok: false, error: `column "${names[i] ?? '?'}": ${(e as Error).message}` };
    }
    return { ok: true, row };
  }

  return { decode };
}

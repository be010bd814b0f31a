/**
 * Per-type converters from a parsed JSON member to a sluice Value (the JSON decoder's column step).
 * Stateless; one converter is chosen per declared column when the decoder is built, never per message.
 * Invariant: a converter returns a Value in the representation common/types.ts prescribes for its type,
 * or throws a ColumnFailure (a plain object, no stack) whose reason names the value and the type.
 */
import { Jsonb, type SqlType, type Value } from '../common/types.js';
import { Numeric } from '../common/numeric.js';
import { isFiniteTimestampInRange } from '../expr/calendar.js';
import { parseDateText, parseTimestampText, parseTimestamptzText } from '../expr/datetime-text.js';
import { parseFloatText } from '../expr/float-text.js';
import { parseIntervalText } from '../expr/interval-text.js';
import { parseIsoTimestamp } from './iso-time.js';
import { rawTopLevelMember } from './json-raw.js';

/** Why one column of one message could not be converted. Thrown, caught once per message. */
export class ColumnFailure {
  constructor(readonly reason: string) {}
}

/** Converts the (non-null) JSON member `v` of column `name`; `text` is the whole message for exact re-reads. */
export type JsonConverter = (v: unknown, text: string) => Value;

const MAX_SHOWN = 80;

/** How a bad value is shown in a reason: strings quoted, other JSON as its source text, both truncated. */
export function showJson(v: unknown, text: string, name: string): string {
  let shown: string;
  if (typeof v === 'string') shown = JSON.stringify(v);
  else if (typeof v === 'number') shown = rawTopLevelMember(text, name) ?? String(v);
  else shown = JSON.stringify(v) ?? String(v);
  return shown.length > MAX_SHOWN ? shown.slice(0, MAX_SHOWN) + '…' : shown;
}

function cannotParse(v: unknown, text: string, name: string, type: string): ColumnFailure {
  return new ColumnFailure(`cannot parse ${showJson(v, text, name)} as ${type}`);
}

function outOfRange(shown: string, type: string): ColumnFailure {
  return new ColumnFailure(`value ${shown} is out of range for type ${type}`);
}

const INT_TEXT = /^\s*[+-]?\d+\s*$/;

function int32Converter(name: string, type: 'smallint' | 'integer', min: number, max: number): JsonConverter {
  return (v, text) => {
    let n: number;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw cannotParse(v, text, name, type);
      n = v;
    } else if (typeof v === 'string' && INT_TEXT.test(v)) {
      n = Number(v);
    } else {
      throw cannotParse(v, text, name, type);
    }
    if (n < min || n > max) throw outOfRange(showJson(v, text, name), type);
    return n;
  };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function bigintConverter(name: string): JsonConverter {
  return (v, text) => {
    let b: bigint;
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) return BigInt(v);
      // JSON.parse rounded it (or it is fractional): re-read the exact token from the message text.
      const raw = rawTopLevelMember(text, name);
      const num = raw === undefined ? null : Numeric.fromString(raw);
      if (num === null) throw cannotParse(v, text, name, 'bigint');
      const norm = num.normalized();
      if (norm.scale !== 0) throw cannotParse(v, text, name, 'bigint');
      b = norm.unscaled;
    } else if (typeof v === 'string' && INT_TEXT.test(v)) {
      b = BigInt(v.trim());
    } else {
      throw cannotParse(v, text, name, 'bigint');
    }
    if (b < INT64_MIN || b > INT64_MAX) throw outOfRange(showJson(v, text, name), 'bigint');
    return b;
  };
}

function floatConverter(name: string, real: boolean): JsonConverter {
  const type = real ? 'real' : 'double precision';
  return (v, text) => {
    if (typeof v === 'number') {
      const f = real ? Math.fround(v) : v;
      if (!Number.isFinite(f)) throw outOfRange(showJson(v, text, name), type);
      return f;
    }
    if (typeof v === 'string') {
      try {
        return parseFloatText(v, real);
      } catch {
        throw cannotParse(v, text, name, type);
      }
    }
    throw cannotParse(v, text, name, type);
  };
}

function numericConverter(name: string): JsonConverter {
  return (v, text) => {
    let parsed: Numeric | null = null;
    if (typeof v === 'number') {
      const raw = rawTopLevelMember(text, name);
      parsed = raw === undefined ? null : Numeric.fromString(raw);
    } else if (typeof v === 'string') {
      parsed = Numeric.fromString(v);
    }
    if (parsed === null) throw cannotParse(v, text, name, 'numeric');
    return parsed;
  };
}

const TRUE_WORDS = new Set(['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0']);

function booleanConverter(name: string): JsonConverter {
  return (v, text) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const w = v.trim().toLowerCase();
      if (TRUE_WORDS.has(w)) return true;
      if (FALSE_WORDS.has(w)) return false;
    }
    throw cannotParse(v, text, name, 'boolean');
  };
}

function stringConverter(name: string, type: string): JsonConverter {
  return (v, text) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return rawTopLevelMember(text, name) ?? String(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    throw cannotParse(v, text, name, type);
  };
}

function timestampConverter(name: string, withZone: boolean): JsonConverter {
  const type = withZone ? 'timestamptz' : 'timestamp';
  return (v, text) => {
    let micros: number;
    if (typeof v === 'string') {
      micros = parseIsoTimestamp(v, withZone);
      if (Number.isNaN(micros)) {
        try {
          micros = withZone ? parseTimestamptzText(v) : parseTimestampText(v);
        } catch {
          throw cannotParse(v, text, name, type);
        }
        if (!Number.isFinite(micros)) throw cannotParse(v, text, name, type);
      }
    } else if (typeof v === 'number') {
      // A JSON number is epoch milliseconds (fractions keep µs precision).
      micros = Math.round(v * 1000);
    } else {
      throw cannotParse(v, text, name, type);
    }
    if (!isFiniteTimestampInRange(micros)) throw outOfRange(showJson(v, text, name), type);
    return micros;
  };
}

function textParsedConverter(name: string, type: string, parse: (s: string) => Value): JsonConverter {
  return (v, text) => {
    if (typeof v !== 'string') throw cannotParse(v, text, name, type);
    try {
      return parse(v);
    } catch {
      throw cannotParse(v, text, name, type);
    }
  };
}

const jsonbConverter: JsonConverter = (v) => new Jsonb(v);

/** The converter for a column of `type` named `name`; chosen once per column. */
export function jsonConverterFor(name: string, type: SqlType): JsonConverter {
  switch (type) {
    case 'smallint':
      return int32Converter(name, 'smallint', -32768, 32767);
    case 'integer':
      return int32Converter(name, 'integer', -2147483648, 2147483647);
    case 'bigint':
      return bigintConverter(name);
    case 'real':
      return floatConverter(name, true);
    case 'double precision':
      return floatConverter(name, false);
    case 'numeric':
      return numericConverter(name);
    case 'boolean':
      return booleanConverter(name);
    case 'varchar':
    case 'text':
    case 'unknown':
      return stringConverter(name, type === 'unknown' ? 'text' : type);
    case 'timestamptz':
      return timestampConverter(name, true);
    case 'timestamp':
      return timestampConverter(name, false);
    case 'date':
      return textParsedConverter(name, 'date', (s) => {
        const d = parseDateText(s);
        if (!Number.isFinite(d)) throw new Error('infinite date');
        return d;
      });
    case 'interval':
      return textParsedConverter(name, 'interval', parseIntervalText);
    case 'jsonb':
      return jsonbConverter;
    default: {
      const never: never = type;
      throw new Error(`no JSON converter for type ${String(never)}`);
    }
  }
}

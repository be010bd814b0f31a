/**
 * The text I/O the server uses for format-0 values and parameters: src/expr/text-io.ts behind the TextCodec shape.
 * Stateless. Invariant: values of type `unknown` (untyped literals) pass through as their string form.
 */
import { formatValueText, parseValueText } from '../expr/text-io.js';
import type { SqlType, Value } from '../common/types.js';
import type { TextCodec } from './protocol/binary.js';

export const exprTextCodec: TextCodec = {
  format(v: Value, type: SqlType, tz?: string): string {
    if (type === 'unknown' && typeof v === 'string') return v;
    return formatValueText(v, type, tz);
  },
  parse(text: string, type: SqlType, tz?: string): Value {
    if (type === 'unknown') return text;
    return parseValueText(text, type, tz);
  },
};

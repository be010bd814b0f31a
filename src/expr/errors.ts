/**
 * Error constructors for expression evaluation, worded exactly as PostgreSQL words them.
 * Stateless. Invariant: every error thrown by src/expr is a SqlError built here (or directly), never a bare Error.
 */
import { SqlError } from '../common/errors.js';

/** SQLSTATEs used by expr that common/errors.ts does not list by name. */
export const EXPR_SQLSTATE = {
  interval_field_overflow: '22015',
  invalid_escape_sequence: '22025',
  cannot_coerce: '42846',
  indeterminate_datatype: '42P18',
  ambiguous_function: '42725',
  invalid_argument_for_power_function: '2201F',
  invalid_argument_for_log: '2201E',
  character_not_in_repertoire: '22021',
} as const;

/** `invalid input syntax for type integer: "abc"` (22P02, or 22007 for date/time types). */
export function invalidInputSyntax(typeName: string, text: string, code = '22P02'): SqlError {
  return new SqlError(code, `invalid input syntax for type ${typeName}: "${text}"`);
}

/** `value "99999999999" is out of range for type integer` (22003). */
export function valueOutOfRange(typeName: string, text: string): SqlError {
  return new SqlError('22003', `value "${text}" is out of range for type ${typeName}`);
}

/** `"1e400" is out of range for type double precision` (22003), the float input form. */
export function floatOutOfRange(typeName: string, text: string): SqlError {
  return new SqlError('22003', `"${text}" is out of range for type ${typeName}`);
}

/** `date/time field value out of range: "2024-13-01"` (22008). */
export function dateTimeFieldOutOfRange(text: string): SqlError {
  return new SqlError('22008', `date/time field value out of range: "${text}"`);
}

export function numericOutOfRange(what: 'smallint' | 'integer' | 'bigint' | 'real' | 'double precision' | 'numeric' | 'timestamp' | 'interval' | 'date'): SqlError {
  switch (what) {
    case 'timestamp':
      return new SqlError('22008', 'timestamp out of range');
    case 'date':
      return new SqlError('22008', 'date out of range');
    case 'interval':
      return new SqlError('22008', 'interval out of range');
    case 'numeric':
      return new SqlError('22003', 'value overflows numeric format');
    default:
      return new SqlError('22003', `${what} out of range`);
  }
}

export function divisionByZero(): SqlError {
  return new SqlError('22012', 'division by zero');
}

/**
 * SqlError: the one error type that crosses layers and reaches the client as a PostgreSQL ErrorResponse.
 * Messages follow PostgreSQL style: lowercase, no trailing period; detail and hint are full sentences.
 * `position` is a 1-based character offset into the statement text, as PostgreSQL reports it.
 */

/** SQLSTATE codes sluice raises. Names follow PostgreSQL's errcodes.txt. */
export const SQLSTATE = {
  successful_completion: '00000',
  warning: '01000',
  feature_not_supported: '0A000',
  invalid_parameter_value: '22023',
  division_by_zero: '22012',
  numeric_value_out_of_range: '22003',
  invalid_text_representation: '22P02',
  invalid_datetime_format: '22007',
  datetime_field_overflow: '22008',
  string_data_right_truncation: '22001',
  invalid_regular_expression: '2201B',
  not_null_violation: '23502',
  unique_violation: '23505',
  invalid_transaction_state: '25000',
  in_failed_sql_transaction: '25P02',
  invalid_authorization_specification: '28000',
  invalid_password: '28P01',
  syntax_error: '42601',
  insufficient_privilege: '42501',
  undefined_column: '42703',
  undefined_table: '42P01',
  undefined_object: '42704',
  undefined_function: '42883',
  undefined_parameter: '42P02',
  duplicate_table: '42P07',
  duplicate_object: '42710',
  duplicate_column: '42701',
  ambiguous_column: '42702',
  datatype_mismatch: '42804',
  grouping_error: '42803',
  invalid_column_reference: '42P10',
  wrong_object_type: '42809',
  dependent_objects_still_exist: '2BP01',
  invalid_catalog_name: '3D000',
  invalid_schema_name: '3F000',
  protocol_violation: '08P01',
  query_canceled: '57014',
  admin_shutdown: '57P01',
  disk_full: '53100',
  out_of_memory: '53200',
  program_limit_exceeded: '54000',
  object_not_in_prerequisite_state: '55000',
  internal_error: 'XX000',
  io_error: '58030',
} as const;

export type SqlState = (typeof SQLSTATE)[keyof typeof SQLSTATE];

export interface SqlErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text. */
  position?: number;
  severity?: 'ERROR' | 'FATAL' | 'PANIC';
}

export class SqlError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  position: number | undefined;
  readonly severity: 'ERROR' | 'FATAL' | 'PANIC';

  constructor(code: string, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.severity = fields.severity ?? 'ERROR';
  }

  /** A copy of this error with a position, unless it already has one. */
  at(position: number | undefined): SqlError {
    if (this.position === undefined && position !== undefined) this.position = position;
    return this;
  }
}

/** A notice the engine wants the client to see (PostgreSQL NoticeResponse). */
export interface Notice {
  severity: 'NOTICE' | 'WARNING' | 'INFO';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

export function isSqlError(e: unknown): e is SqlError {
  return e instanceof SqlError;
}

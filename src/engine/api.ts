/**
 * The engine's face toward the server (L4 → L5): sessions that run statements and return typed rows.
 * The server turns these into wire messages; it never sees plans or dataflows.
 * Invariant: every method either returns a result or throws a SqlError; a thrown error never leaves the
 * session unusable (a failed statement inside BEGIN…COMMIT moves the session to the 'failed' state instead).
 */
import type { Notice } from '../common/errors.js';
import type { Row, SqlType } from '../common/types.js';

export interface ResultColumn {
  name: string;
  type: SqlType;
  /** pg_class OID of the relation the column comes from, or 0. */
  tableOid?: number;
  /** 1-based attribute number in that relation, or 0. */
  columnNumber?: number;
}

export type StatementResult =
  /** A statement that returns rows (SELECT, SHOW, EXPLAIN, DESCRIBE). commandTag e.g. 'SELECT 3'. */
  | { kind: 'rows'; columns: ResultColumn[]; rows: Row[]; commandTag: string }
  /** A statement without rows: commandTag e.g. 'CREATE MATERIALIZED VIEW', 'INSERT 0 2', 'SET'. */
  | { kind: 'command'; commandTag: string }
  /** COPY (query) TO STDOUT: the server streams `rows` as CopyData in `format`. */
  | { kind: 'copy-out'; format: 'text' | 'csv'; header: boolean; delimiter: string; nullString: string; columns: ResultColumn[]; rows: Row[]; commandTag: string }
  /** The empty query string. */
  | { kind: 'empty' };

/** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block (ReadyForQuery status). */
export type TransactionStatus = 'I' | 'T' | 'E';

export interface PreparedStatement {
  readonly sql: string;
  /** Parameter types, inferred where the client left them unspecified (OID 0). */
  readonly paramTypes: readonly SqlType[];
  /** Output columns, or null when the statement returns no rows. */
  readonly columns: readonly ResultColumn[] | null;
}

export interface SessionOptions {
  user: string;
  database: string;
  applicationName?: string;
  /** Called for each notice raised while a statement runs. */
  onNotice?: (n: Notice) => void;
}

export interface EngineSession {
  /** Split a simple-query string into statements (text + 0-based offset of each in the string). */
  splitStatements(sql: string): { sql: string; offset: number }[];
  /** Run one statement of the simple protocol. */
  execute(sql: string): Promise<StatementResult>;
  /** Parse and describe a statement of the extended protocol. paramTypes: client-given, null = infer. */
  prepare(sql: string, paramTypes: readonly (SqlType | null)[]): PreparedStatement;
  /** Run a prepared statement with bound parameters (already decoded into Values of paramTypes). */
  /** The result itself when it was ready at once (a cached plan read without waiting), else a promise. */
  executePrepared(stmt: PreparedStatement, params: readonly import('../common/types.js').Value[]): StatementResult | Promise<StatementResult>;
  /**
   * Cancel the statement running now, if any: an ad-hoc SELECT fails with 57014 `canceling statement due to user
   * request` at its next evaluation step (other statements run to completion). Does nothing while idle.
   */
  cancel(): void;
  transactionStatus(): TransactionStatus;
  /** Current value of a session setting (for ParameterStatus after SET). */
  setting(name: string): string | undefined;
  /** Settings reported to the client at startup and after SET (ParameterStatus); the same object until one changes. */
  reportedSettings(): Record<string, string>;
  close(): void;
}

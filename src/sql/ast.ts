/**
 * Statement AST: PostgreSQL statements keep libpg-query's parse tree (`pg`); sluice's extensions get their own
 * nodes. Immutable after parsing. `offset` fields are 0-based character offsets in the statement text.
 */
import type { SqlType } from '../common/types.js';

/** A libpg-query parse-tree node: `{ NodeType: { …fields } }`. Deliberately loose: the binder walks it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PgNode = any;

export interface ColumnDef {
  name: string;
  type: SqlType;
  notNull: boolean;
  primaryKey: boolean;
  /** The DEFAULT expression as written, or null. */
  default: string | null;
  offset: number;
}

export interface IncludeDef {
  what: 'partition' | 'offset' | 'timestamp' | 'key';
  alias: string | null;
}

export interface WithOption {
  key: string;
  value: string;
  offset: number;
}

export type Statement =
  | { kind: 'pg'; node: PgNode; text: string }
  | {
      kind: 'create_source';
      name: string;
      ifNotExists: boolean;
      columns: ColumnDef[];
      include: IncludeDef[];
      options: WithOption[];
      format: string;
      encode: string;
      formatOptions: WithOption[];
      text: string;
    }
  | {
      kind: 'create_sink';
      name: string;
      ifNotExists: boolean;
      /** FROM relation, or null when AS query is given. */
      from: string | null;
      /** AS query (a SelectStmt node) and its text. */
      query: PgNode | null;
      queryText: string | null;
      options: WithOption[];
      format: string;
      encode: string;
      formatOptions: WithOption[];
      text: string;
    }
  | { kind: 'flush'; text: string }
  | { kind: 'describe'; name: string; offset: number; text: string }
  | { kind: 'show_objects'; what: 'sources' | 'tables' | 'materialized views' | 'views' | 'sinks'; text: string }
  | { kind: 'show_create'; objectKind: 'materialized view' | 'view' | 'source' | 'sink' | 'table'; name: string; offset: number; text: string }
  | { kind: 'drop'; objectKind: 'source' | 'sink'; names: string[]; ifExists: boolean; cascade: boolean; text: string }
  | { kind: 'alter_mv_as'; name: string; query: PgNode; queryText: string; offset: number; text: string };

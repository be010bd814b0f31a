/**
 * Name scopes for the binder: the columns visible at a point of a query, with their relation aliases.
 * Invariant: a scope's column i is column i of the plan node it describes.
 */
import { SqlError, SQLSTATE } from '../common/errors.js';
import type { SqlType } from '../common/types.js';

export interface ScopeColumn {
  /** Relation alias the column is reachable through (null for derived columns of a subquery without alias). */
  table: string | null;
  name: string;
  type: SqlType;
  /** Hidden from unqualified lookup and from `*` (the right side of JOIN … USING). */
  hidden?: boolean;
}

export class Scope {
  constructor(
    readonly columns: ScopeColumn[],
    /** The enclosing query's scope, for correlated subqueries. */
    readonly outer: Scope | null = null,
  ) {}

  static concat(a: Scope, b: Scope, outer: Scope | null = null): Scope {
    return new Scope([...a.columns, ...b.columns], outer);
  }

  /** Resolve a (possibly qualified) column name to an index, or null when absent here. */
  lookup(parts: string[], position: number | undefined): number | null {
    const name = parts[parts.length - 1]!;
    const table = parts.length >= 2 ? parts[parts.length - 2]! : null;
    let found = -1;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      if (c.name !== name) continue;
      if (table !== null ? c.table !== table : c.hidden) continue;
      if (found >= 0) {
        throw new SqlError(SQLSTATE.ambiguous_column, `column reference "${parts.join('.')}" is ambiguous`, { position });
      }
      found = i;
    }
    return found >= 0 ? found : null;
  }

  hasTable(table: string): boolean {
    return this.columns.some((c) => c.table === table);
  }
}

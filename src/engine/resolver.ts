/**
 * Name resolution for the binder: catalog objects in schema `public`, system relations in pg_catalog,
 * information_schema and sluice. Unqualified names search public, then pg_catalog (PostgreSQL's search_path).
 */
import type { RelationResolver, ResolvedRelation } from '../plan/binder.js';
import type { Engine } from './engine.js';
import { findSystemRelation } from './system.js';

export function relationResolver(engine: Engine): RelationResolver {
  return {
    resolve(parts: string[]): ResolvedRelation | null {
      const name = parts[parts.length - 1]!;
      const schema = parts.length >= 2 ? parts[parts.length - 2]! : null;
      if (schema === null || schema === 'public') {
        const o = engine.catalog.get(name);
        if (o) {
          if (o.kind === 'view') return { kind: 'view', name: o.name, query: o.query, columns: o.columns };
          if (o.kind === 'sink') return null;
          return { kind: 'relation', ref: { kind: o.kind, name: o.name, oid: o.oid }, columns: o.columns };
        }
        if (schema === 'public') return null;
      }
      const sys = findSystemRelation(schema, name);
      if (!sys) return null;
      return { kind: 'relation', ref: { kind: 'system', name: sys.name, schema: sys.schema, oid: sys.oid, rows: () => sys.rows(engine) }, columns: sys.columns };
    },
  };
}

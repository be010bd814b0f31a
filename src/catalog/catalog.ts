/**
 * The catalog: names → definitions of sources, tables, views, materialized views and sinks, with OIDs and
 * dependencies. Persisted as one JSON document in the state store's metadata, committed with the epoch
 * that applied the DDL, so a restart sees exactly the objects whose dataflows exist.
 * Invariant: names are unique across kinds (one namespace, as PostgreSQL relations); every dependency names
 * an existing object; OIDs are never reused.
 */
import { SqlError, SQLSTATE } from '../common/errors.js';
import type { Column } from '../common/types.js';

export type ObjectKind = 'source' | 'table' | 'view' | 'materialized view' | 'sink';

interface BaseDef {
  name: string;
  oid: number;
  /** The statement that created the object, as the user wrote it. */
  sql: string;
  /** Objects this one reads from (direct dependencies). */
  dependsOn: string[];
  createdAtMs: number;
}

export interface SourceDef extends BaseDef {
  kind: 'source';
  columns: Column[];
  /** Number of leading payload columns; INCLUDE metadata columns follow. */
  payloadColumns: number;
  include: { what: 'partition' | 'offset' | 'timestamp' | 'key'; name: string }[];
  connector: string;
  options: Record<string, string>;
  format: string;
  encode: string;
  formatOptions: Record<string, string>;
}

export interface TableDef extends BaseDef {
  kind: 'table';
  columns: Column[];
  /** Column indexes of the primary key (empty: rows are a multiset). */
  primaryKey: number[];
  /** UNIQUE constraints: name and column indexes (absent in catalogs written before they were supported). */
  unique?: { name: string; columns: number[] }[];
}

export interface ViewDef extends BaseDef {
  kind: 'view';
  columns: Column[];
  /** The SELECT text (expanded at plan time). */
  query: string;
}

export interface MaterializedViewDef extends BaseDef {
  kind: 'materialized view';
  columns: Column[];
  query: string;
  /** 1 (absent) = as created; +1 per ALTER … AS. Names the id prefix of the operators planned by that version. */
  planVersion?: number;
  /** After ALTER … AS: planned node id → id of the older operator it kept (with its state). */
  reusedNodes?: Record<string, string>;
}

export interface SinkDef extends BaseDef {
  kind: 'sink';
  columns: Column[];
  /** FROM relation, or null for AS query. */
  from: string | null;
  query: string;
  connector: string;
  options: Record<string, string>;
  format: string;
  encode: string;
  formatOptions: Record<string, string>;
}

export type CatalogObject = SourceDef | TableDef | ViewDef | MaterializedViewDef | SinkDef;

export interface CatalogSnapshot {
  version: 1;
  nextOid: number;
  objects: CatalogObject[];
}

export const FIRST_USER_OID = 16384;

export class Catalog {
  private readonly objects = new Map<string, CatalogObject>();
  private nextOid = FIRST_USER_OID;
  /** Bumped by every change to the set of objects or their definitions (plan caches compare it). */
  generation = 0;

  static fromSnapshot(s: CatalogSnapshot | undefined): Catalog {
    const c = new Catalog();
    if (!s) return c;
    c.nextOid = s.nextOid;
    for (const o of s.objects) c.objects.set(o.name, o);
    return c;
  }

  snapshot(): CatalogSnapshot {
    return { version: 1, nextOid: this.nextOid, objects: [...this.objects.values()] };
  }

  allocateOid(): number {
    return this.nextOid++;
  }

  get(name: string): CatalogObject | undefined {
    return this.objects.get(name);
  }

  /** Objects in creation order (OID order), optionally of one kind. */
  list(kind?: ObjectKind): CatalogObject[] {
    const all = [...this.objects.values()].sort((a, b) => a.oid - b.oid);
    return kind ? all.filter((o) => o.kind === kind) : all;
  }

  add(def: CatalogObject): void {
    if (this.objects.has(def.name)) {
      throw new SqlError(SQLSTATE.duplicate_table, `relation "${def.name}" already exists`);
    }
    for (const d of def.dependsOn) if (!this.objects.has(d)) throw new SqlError(SQLSTATE.undefined_table, `relation "${d}" does not exist`);
    this.objects.set(def.name, def);
    this.generation++;
  }

  replace(def: CatalogObject): void {
    this.objects.set(def.name, def);
    this.generation++;
  }

  remove(name: string): void {
    this.objects.delete(name);
    this.generation++;
  }

  rename(from: string, to: string): void {
    const o = this.objects.get(from);
    if (!o) throw new SqlError(SQLSTATE.undefined_table, `relation "${from}" does not exist`);
    if (this.objects.has(to)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${to}" already exists`);
    this.objects.delete(from);
    this.objects.set(to, { ...o, name: to });
    this.generation++;
    for (const other of this.objects.values()) {
      other.dependsOn = other.dependsOn.map((d) => (d === from ? to : d));
      if (other.kind === 'sink' && other.from === from) other.from = to;
    }
  }

  /** Objects that depend on `name` directly. */
  directDependents(name: string): CatalogObject[] {
    return this.list().filter((o) => o.dependsOn.includes(name));
  }

  /** All transitive dependents of `name`, dependents before what they depend on (safe drop order). */
  transitiveDependents(name: string): CatalogObject[] {
    const out: CatalogObject[] = [];
    const seen = new Set<string>();
    const visit = (n: string): void => {
      for (const d of this.directDependents(n)) {
        if (seen.has(d.name)) continue;
        seen.add(d.name);
        visit(d.name);
        out.push(d);
      }
    };
    visit(name);
    return out;
  }
}

export function kindLabel(kind: ObjectKind): string {
  return kind;
}

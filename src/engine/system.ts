/**
 * System relations: the pg_catalog and information_schema relations that psql, drivers and BI tools query,
 * and the `sluice` schema of engine status views. Rows are computed from the catalog and the engine's runtime
 * at query time, so they are always current. Invariant: OIDs here agree with the wire protocol (TYPE_OID) and
 * with catalog objects' OIDs; user objects live in namespace `public` (OID 2200).
 */
import type { Column, Row, SqlType, Value } from '../common/types.js';
import { TYPE_LEN, TYPE_OID } from '../common/types.js';
import type { CatalogObject } from '../catalog/catalog.js';
import type { Engine } from './engine.js';

export interface SystemRelation {
  schema: string;
  name: string;
  oid: number;
  columns: Column[];
  rows: (engine: Engine) => Row[];
}

export const NAMESPACE_OID = { pg_catalog: 11, public: 2200, information_schema: 13000, sluice: 13100 } as const;
const OWNER_OID = 10;
const DATABASE_OID = 16300;
const BTREE_AM_OID = 403;

type ColSpec = [string, SqlType];
const cols = (spec: ColSpec[]): Column[] => spec.map(([name, type]) => ({ name, type }));
const oid = (n: number): bigint => BigInt(n);

/** relkind per object kind; sources and sinks show as foreign tables ('f') so `\d` lists them. */
export function relkind(o: CatalogObject): string {
  switch (o.kind) {
    case 'table':
      return 'r';
    case 'view':
      return 'v';
    case 'materialized view':
      return 'm';
    case 'source':
      return 'f';
    case 'sink':
      return 'f';
  }
}

function relations(engine: Engine): CatalogObject[] {
  return engine.catalog.list();
}

const TYPE_NAMES: Record<SqlType, string> = {
  boolean: 'bool',
  smallint: 'int2',
  integer: 'int4',
  bigint: 'int8',
  real: 'float4',
  'double precision': 'float8',
  numeric: 'numeric',
  varchar: 'varchar',
  text: 'text',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  date: 'date',
  interval: 'interval',
  jsonb: 'jsonb',
  unknown: 'unknown',
};

const TYPE_CATEGORY: Record<SqlType, string> = {
  boolean: 'B',
  smallint: 'N',
  integer: 'N',
  bigint: 'N',
  real: 'N',
  'double precision': 'N',
  numeric: 'N',
  varchar: 'S',
  text: 'S',
  timestamp: 'D',
  timestamptz: 'D',
  date: 'D',
  interval: 'T',
  jsonb: 'U',
  unknown: 'X',
};

/** The extra types drivers look up by OID (oid, name, char, regclass …) beyond sluice's own. */
const EXTRA_TYPES: [number, string, number, string][] = [
  [26, 'oid', 4, 'N'],
  [19, 'name', 64, 'S'],
  [18, 'char', 1, 'Z'],
  [2205, 'regclass', 4, 'N'],
  [2206, 'regtype', 4, 'N'],
  [1042, 'bpchar', -1, 'S'],
  [114, 'json', -1, 'U'],
  [1083, 'time', 8, 'D'],
  [17, 'bytea', -1, 'U'],
  [2950, 'uuid', 16, 'U'],
];

export function formatType(t: SqlType): string {
  return t === 'varchar' ? 'character varying' : t === 'timestamptz' ? 'timestamp with time zone' : t === 'timestamp' ? 'timestamp without time zone' : t;
}

function allTypes(): { oid: number; name: string; len: number; category: string }[] {
  const out = (Object.keys(TYPE_OID) as SqlType[]).filter((t) => t !== 'unknown').map((t) => ({ oid: TYPE_OID[t], name: TYPE_NAMES[t], len: TYPE_LEN[t], category: TYPE_CATEGORY[t] }));
  for (const [o, name, len, category] of EXTRA_TYPES) out.push({ oid: o, name, len, category });
  return out;
}

export function typeOidName(typeOid: number): string | null {
  return allTypes().find((t) => t.oid === typeOid)?.name ?? null;
}

export function typeOidDisplay(typeOid: number): string | null {
  const t = (Object.keys(TYPE_OID) as SqlType[]).find((k) => TYPE_OID[k] === typeOid);
  if (t) return formatType(t);
  return typeOidName(typeOid);
}

function settingRows(engine: Engine): Row[] {
  void engine;
  const s: [string, string, string][] = [
    ['server_version', '15.0 (sluice)', 'Shows the server version.'],
    ['server_version_num', '150000', 'Shows the server version as an integer.'],
    ['server_encoding', 'UTF8', 'Shows the server (database) character set encoding.'],
    ['client_encoding', 'UTF8', "Sets the client's character set encoding."],
    ['DateStyle', 'ISO, MDY', 'Sets the display format for date and time values.'],
    ['TimeZone', 'UTC', 'Sets the time zone for displaying and interpreting time stamps.'],
    ['integer_datetimes', 'on', 'Shows whether datetimes are integer based.'],
    ['standard_conforming_strings', 'on', "Causes '...' strings to treat backslashes literally."],
    ['max_identifier_length', '63', 'Shows the maximum identifier length.'],
    ['max_index_keys', '32', 'Shows the maximum number of index keys.'],
    ['search_path', '"$user", public', 'Sets the schema search order for names that are not schema-qualified.'],
    ['transaction_isolation', 'serializable', 'Sets the current transaction isolation level.'],
    ['default_transaction_read_only', 'off', 'Sets the default read-only status of new transactions.'],
    ['epoch_ms', String(engine.epochMs), 'sluice: the epoch length in milliseconds.'],
  ];
  return s.map(([name, setting, desc]) => [name, setting, null, 'sluice', desc, null, 'user', 'string', 'default', null, null, null, setting, setting, null, null, false]);
}

function attributes(o: CatalogObject): { name: string; type: SqlType; num: number; notNull: boolean; default: string | null }[] {
  const pk = o.kind === 'table' ? new Set(o.primaryKey) : new Set<number>();
  return o.columns.map((c, i) => ({ name: c.name, type: c.type, num: i + 1, notNull: pk.has(i) || c.nullable === false, default: c.default ?? null }));
}

function viewDefinition(o: CatalogObject): string {
  return 'query' in o ? ` ${o.query.trim().replace(/;?\s*$/, ';')}` : '';
}

/** The unique index behind each table's PRIMARY KEY and UNIQUE constraint, as pg_class/pg_index/pg_constraint show it. */
export interface KeyIndex {
  table: CatalogObject;
  name: string;
  /** PRIMARY KEY (else UNIQUE). */
  primary: boolean;
  indexOid: number;
  constraintOid: number;
  /** 1-based attribute numbers, in key order. */
  attnums: number[];
}

/** OIDs of a table's own catalog objects, at table oid + n × 10M + kind (table oids stay far below 1M): the primary
 *  key (n = 0) and the k-th UNIQUE constraint (n = k + 1) at + 1M (constraint) / + 2M (index), the DEFAULT of
 *  attribute a (n = a) at + 3M. */
const KEY_CONSTRAINT_OID_OFFSET = 1_000_000;
const KEY_INDEX_OID_OFFSET = 2_000_000;
const ATTRDEF_OID_OFFSET = 3_000_000;
const OID_STRIDE = 10_000_000;

function hasKeys(o: CatalogObject): boolean {
  return o.kind === 'table' && (o.primaryKey.length > 0 || (o.unique ?? []).length > 0);
}

export function keyIndexes(engine: Engine): KeyIndex[] {
  const out: KeyIndex[] = [];
  for (const o of engine.catalog.list('table')) {
    if (o.kind !== 'table') continue;
    const at = (base: number, name: string, primary: boolean, columns: number[]): KeyIndex => ({
      table: o,
      name,
      primary,
      indexOid: o.oid + base + KEY_INDEX_OID_OFFSET,
      constraintOid: o.oid + base + KEY_CONSTRAINT_OID_OFFSET,
      attnums: columns.map((i) => i + 1),
    });
    if (o.primaryKey.length > 0) out.push(at(0, `${o.name}_pkey`, true, o.primaryKey));
    (o.unique ?? []).forEach((u, k) => out.push(at((k + 1) * OID_STRIDE, u.name, false, u.columns)));
  }
  return out;
}

export function keyColumnNames(ix: KeyIndex): string[] {
  return ix.attnums.map((k) => ix.table.columns[k - 1]!.name);
}

/** What pg_get_indexdef and pg_indexes.indexdef show for a key's index. */
export function indexDefinition(ix: KeyIndex): string {
  return `CREATE UNIQUE INDEX ${ix.name} ON public.${ix.table.name} USING btree (${keyColumnNames(ix).join(', ')})`;
}

/** int2vector text (pg_index.indkey): attribute numbers separated by spaces, e.g. '1 2'. */
export function int2vectorText(xs: number[]): string {
  return xs.join(' ');
}

const CONNECTORS = ['kafka', 'datagen', 'file'];
function connectorServerOid(connector: string): number {
  return 13200 + Math.max(0, CONNECTORS.indexOf(connector));
}

/** Options as PostgreSQL array text of "key=value" elements (what pg_options_to_table reads). */
function optionsArray(options: Record<string, string>): string {
  return '{' + Object.entries(options).filter(([k]) => k !== 'connector').map(([k, v]) => `"${`${k}=${v}`.replace(/[\\"]/g, (c) => '\\' + c)}"`).join(',') + '}';
}

const REL_OID_BASE = 12000;
let relOid = REL_OID_BASE;
const sys = (schema: string, name: string, spec: ColSpec[], rows: (engine: Engine) => Row[]): SystemRelation => ({ schema, name, oid: relOid++, columns: cols(spec), rows });

export const SYSTEM_RELATIONS: SystemRelation[] = [
  sys('pg_catalog', 'pg_namespace', [['oid', 'bigint'], ['nspname', 'text'], ['nspowner', 'bigint'], ['nspacl', 'text']], () =>
    Object.entries(NAMESPACE_OID).map(([n, o]) => [oid(o), n, oid(OWNER_OID), null]),
  ),
  sys(
    'pg_catalog',
    'pg_class',
    [
      ['oid', 'bigint'], ['relname', 'text'], ['relnamespace', 'bigint'], ['reltype', 'bigint'], ['reloftype', 'bigint'], ['relowner', 'bigint'], ['relam', 'bigint'],
      ['relfilenode', 'bigint'], ['reltablespace', 'bigint'], ['relpages', 'integer'], ['reltuples', 'real'], ['relallvisible', 'integer'], ['reltoastrelid', 'bigint'],
      ['relhasindex', 'boolean'], ['relisshared', 'boolean'], ['relpersistence', 'text'], ['relkind', 'text'], ['relnatts', 'smallint'], ['relchecks', 'smallint'],
      ['relhasrules', 'boolean'], ['relhastriggers', 'boolean'], ['relhassubclass', 'boolean'], ['relrowsecurity', 'boolean'], ['relforcerowsecurity', 'boolean'],
      ['relispopulated', 'boolean'], ['relreplident', 'text'], ['relispartition', 'boolean'], ['relrewrite', 'bigint'], ['relfrozenxid', 'bigint'], ['relminmxid', 'bigint'],
      ['relacl', 'text'], ['reloptions', 'text'], ['relpartbound', 'text'],
    ],
    (engine) => [
      ...relations(engine).map((o) => [
        oid(o.oid), o.name, oid(NAMESPACE_OID.public), 0n, 0n, oid(OWNER_OID), 0n, oid(o.oid), 0n, 0, -1, 0, 0n,
        hasKeys(o), false, 'p', relkind(o), o.columns.length, 0, false, false, false, false, false, true, 'd', false, 0n, 0n, 0n, null, null, null,
      ] as Row),
      ...keyIndexes(engine).map((ix) => [
        oid(ix.indexOid), ix.name, oid(NAMESPACE_OID.public), 0n, 0n, oid(OWNER_OID), oid(BTREE_AM_OID), oid(ix.indexOid), 0n, 0, -1, 0, 0n,
        false, false, 'p', 'i', ix.attnums.length, 0, false, false, false, false, false, true, 'n', false, 0n, 0n, 0n, null, null, null,
      ] as Row),
      ...SYSTEM_RELATIONS.map((r) => [
        oid(r.oid), r.name, oid(NAMESPACE_OID[r.schema as keyof typeof NAMESPACE_OID]), 0n, 0n, oid(OWNER_OID), 0n, 0n, 0n, 0, -1, 0, 0n,
        false, false, 'p', 'v', r.columns.length, 0, false, false, false, false, false, true, 'n', false, 0n, 0n, 0n, null, null, null,
      ] as Row),
    ],
  ),
  sys(
    'pg_catalog',
    'pg_attribute',
    [
      ['attrelid', 'bigint'], ['attname', 'text'], ['atttypid', 'bigint'], ['attstattarget', 'integer'], ['attlen', 'smallint'], ['attnum', 'smallint'], ['attndims', 'integer'],
      ['attcacheoff', 'integer'], ['atttypmod', 'integer'], ['attbyval', 'boolean'], ['attalign', 'text'], ['attstorage', 'text'], ['attcompression', 'text'], ['attnotnull', 'boolean'],
      ['atthasdef', 'boolean'], ['atthasmissing', 'boolean'], ['attidentity', 'text'], ['attgenerated', 'text'], ['attisdropped', 'boolean'], ['attislocal', 'boolean'],
      ['attinhcount', 'integer'], ['attcollation', 'bigint'], ['attacl', 'text'], ['attoptions', 'text'], ['attfdwoptions', 'text'],
    ],
    (engine) => {
      const out: Row[] = [];
      for (const o of relations(engine)) {
        for (const a of attributes(o)) {
          out.push([oid(o.oid), a.name, oid(TYPE_OID[a.type]), -1, TYPE_LEN[a.type], a.num, 0, -1, -1, TYPE_LEN[a.type] > 0 && TYPE_LEN[a.type] <= 8, 'i', 'p', '', a.notNull, a.default !== null, false, '', '', false, true, 0, 0n, null, null, null]);
        }
      }
      for (const r of SYSTEM_RELATIONS) {
        r.columns.forEach((c, i) => out.push([oid(r.oid), c.name, oid(TYPE_OID[c.type]), -1, TYPE_LEN[c.type], i + 1, 0, -1, -1, false, 'i', 'p', '', false, false, false, '', '', false, true, 0, 0n, null, null, null]));
      }
      return out;
    },
  ),
  sys(
    'pg_catalog',
    'pg_type',
    [
      ['oid', 'bigint'], ['typname', 'text'], ['typnamespace', 'bigint'], ['typowner', 'bigint'], ['typlen', 'smallint'], ['typbyval', 'boolean'], ['typtype', 'text'],
      ['typcategory', 'text'], ['typispreferred', 'boolean'], ['typisdefined', 'boolean'], ['typdelim', 'text'], ['typrelid', 'bigint'], ['typelem', 'bigint'], ['typarray', 'bigint'],
      ['typinput', 'text'], ['typoutput', 'text'], ['typreceive', 'text'], ['typsend', 'text'], ['typmodin', 'text'], ['typmodout', 'text'], ['typanalyze', 'text'], ['typalign', 'text'],
      ['typstorage', 'text'], ['typnotnull', 'boolean'], ['typbasetype', 'bigint'], ['typtypmod', 'integer'], ['typndims', 'integer'], ['typcollation', 'bigint'],
      ['typdefaultbin', 'text'], ['typdefault', 'text'], ['typacl', 'text'],
    ],
    () =>
      allTypes().map((t) => [
        oid(t.oid), t.name, oid(NAMESPACE_OID.pg_catalog), oid(OWNER_OID), t.len, t.len > 0 && t.len <= 8, 'b', t.category, false, true, ',', 0n, 0n, 0n,
        `${t.name}in`, `${t.name}out`, `${t.name}recv`, `${t.name}send`, '-', '-', '-', 'i', 'p', false, 0n, -1, 0, 0n, null, null, null,
      ]),
  ),
  sys(
    'pg_catalog',
    'pg_database',
    [['oid', 'bigint'], ['datname', 'text'], ['datdba', 'bigint'], ['encoding', 'integer'], ['datlocprovider', 'text'], ['datistemplate', 'boolean'], ['datallowconn', 'boolean'], ['datconnlimit', 'integer'], ['datfrozenxid', 'bigint'], ['datminmxid', 'bigint'], ['dattablespace', 'bigint'], ['datcollate', 'text'], ['datctype', 'text'], ['daticulocale', 'text'], ['datcollversion', 'text'], ['datacl', 'text']],
    () => [[oid(DATABASE_OID), 'dev', oid(OWNER_OID), 6, 'c', false, true, -1, 0n, 0n, 1663n, 'C.UTF-8', 'C.UTF-8', null, null, null]],
  ),
  sys(
    'pg_catalog',
    'pg_roles',
    [['rolname', 'text'], ['rolsuper', 'boolean'], ['rolinherit', 'boolean'], ['rolcreaterole', 'boolean'], ['rolcreatedb', 'boolean'], ['rolcanlogin', 'boolean'], ['rolreplication', 'boolean'], ['rolconnlimit', 'integer'], ['rolpassword', 'text'], ['rolvaliduntil', 'timestamptz'], ['rolbypassrls', 'boolean'], ['rolconfig', 'text'], ['oid', 'bigint']],
    () => [['root', true, true, true, true, true, false, -1, '********', null, false, null, oid(OWNER_OID)]],
  ),
  sys(
    'pg_catalog',
    'pg_user',
    [['usename', 'text'], ['usesysid', 'bigint'], ['usecreatedb', 'boolean'], ['usesuper', 'boolean'], ['userepl', 'boolean'], ['usebypassrls', 'boolean'], ['passwd', 'text'], ['valuntil', 'timestamptz'], ['useconfig', 'text']],
    () => [['root', oid(OWNER_OID), true, true, false, false, '********', null, null]],
  ),
  sys('pg_catalog', 'pg_auth_members', [['roleid', 'bigint'], ['member', 'bigint'], ['grantor', 'bigint'], ['admin_option', 'boolean']], () => []),
  sys(
    'pg_catalog',
    'pg_settings',
    [['name', 'text'], ['setting', 'text'], ['unit', 'text'], ['category', 'text'], ['short_desc', 'text'], ['extra_desc', 'text'], ['context', 'text'], ['vartype', 'text'], ['source', 'text'], ['min_val', 'text'], ['max_val', 'text'], ['enumvals', 'text'], ['boot_val', 'text'], ['reset_val', 'text'], ['sourcefile', 'text'], ['sourceline', 'integer'], ['pending_restart', 'boolean']],
    settingRows,
  ),
  sys('pg_catalog', 'pg_matviews', [['schemaname', 'text'], ['matviewname', 'text'], ['matviewowner', 'text'], ['tablespace', 'text'], ['hasindexes', 'boolean'], ['ispopulated', 'boolean'], ['definition', 'text']], (engine) =>
    engine.catalog.list('materialized view').map((o) => ['public', o.name, 'root', null, false, true, viewDefinition(o)]),
  ),
  sys('pg_catalog', 'pg_views', [['schemaname', 'text'], ['viewname', 'text'], ['viewowner', 'text'], ['definition', 'text']], (engine) => engine.catalog.list('view').map((o) => ['public', o.name, 'root', viewDefinition(o)])),
  sys('pg_catalog', 'pg_tables', [['schemaname', 'text'], ['tablename', 'text'], ['tableowner', 'text'], ['tablespace', 'text'], ['hasindexes', 'boolean'], ['hasrules', 'boolean'], ['hastriggers', 'boolean'], ['rowsecurity', 'boolean']], (engine) =>
    engine.catalog.list('table').map((o) => ['public', o.name, 'root', null, hasKeys(o), false, false, false]),
  ),
  sys('pg_catalog', 'pg_index', [['indexrelid', 'bigint'], ['indrelid', 'bigint'], ['indnatts', 'smallint'], ['indnkeyatts', 'smallint'], ['indisunique', 'boolean'], ['indisprimary', 'boolean'], ['indisexclusion', 'boolean'], ['indimmediate', 'boolean'], ['indisclustered', 'boolean'], ['indisvalid', 'boolean'], ['indcheckxmin', 'boolean'], ['indisready', 'boolean'], ['indislive', 'boolean'], ['indisreplident', 'boolean'], ['indkey', 'text'], ['indcollation', 'text'], ['indclass', 'text'], ['indoption', 'text'], ['indexprs', 'text'], ['indpred', 'text']], (engine) =>
    keyIndexes(engine).map((ix) => [
      oid(ix.indexOid), oid(ix.table.oid), ix.attnums.length, ix.attnums.length, true, ix.primary, false, true, false, true, false, true, true, false,
      int2vectorText(ix.attnums), int2vectorText(ix.attnums.map(() => 0)), int2vectorText(ix.attnums.map(() => 0)), int2vectorText(ix.attnums.map(() => 0)), null, null,
    ]),
  ),
  sys('pg_catalog', 'pg_indexes', [['schemaname', 'text'], ['tablename', 'text'], ['indexname', 'text'], ['tablespace', 'text'], ['indexdef', 'text']], (engine) =>
    keyIndexes(engine).map((ix) => ['public', ix.table.name, ix.name, null, indexDefinition(ix)]),
  ),
  sys(
    'pg_catalog',
    'pg_constraint',
    [['oid', 'bigint'], ['conname', 'text'], ['connamespace', 'bigint'], ['contype', 'text'], ['condeferrable', 'boolean'], ['condeferred', 'boolean'], ['convalidated', 'boolean'], ['conrelid', 'bigint'], ['contypid', 'bigint'], ['conindid', 'bigint'], ['conparentid', 'bigint'], ['confrelid', 'bigint'], ['confupdtype', 'text'], ['confdeltype', 'text'], ['confmatchtype', 'text'], ['conislocal', 'boolean'], ['coninhcount', 'integer'], ['connoinherit', 'boolean'], ['conkey', 'text'], ['confkey', 'text'], ['conbin', 'text']],
    (engine) =>
      keyIndexes(engine).map((ix) => [oid(ix.constraintOid), ix.name, oid(NAMESPACE_OID.public), ix.primary ? 'p' : 'u', false, false, true, oid(ix.table.oid), 0n, oid(ix.indexOid), 0n, 0n, ' ', ' ', ' ', true, 0, true, `{${ix.attnums.join(',')}}`, null, null]),
  ),
  sys('pg_catalog', 'pg_description', [['objoid', 'bigint'], ['classoid', 'bigint'], ['objsubid', 'integer'], ['description', 'text']], () => []),
  sys('pg_catalog', 'pg_am', [['oid', 'bigint'], ['amname', 'text'], ['amhandler', 'text'], ['amtype', 'text']], () => [[2n, 'heap', 'heap_tableam_handler', 't'], [oid(BTREE_AM_OID), 'btree', 'bthandler', 'i']]),
  sys('pg_catalog', 'pg_tablespace', [['oid', 'bigint'], ['spcname', 'text'], ['spcowner', 'bigint'], ['spcacl', 'text'], ['spcoptions', 'text']], () => [[1663n, 'pg_default', oid(OWNER_OID), null, null]]),
  sys('pg_catalog', 'pg_proc', [['oid', 'bigint'], ['proname', 'text'], ['pronamespace', 'bigint'], ['proowner', 'bigint'], ['prokind', 'text'], ['prorettype', 'bigint'], ['proargtypes', 'text'], ['prosrc', 'text']], () => []),
  sys('pg_catalog', 'pg_inherits', [['inhrelid', 'bigint'], ['inhparent', 'bigint'], ['inhseqno', 'integer'], ['inhdetachpending', 'boolean']], () => []),
  sys('pg_catalog', 'pg_partitioned_table', [['partrelid', 'bigint'], ['partstrat', 'text'], ['partnatts', 'smallint']], () => []),
  // One row per column DEFAULT; adbin holds the expression's text (pg_get_expr returns it as is).
  sys('pg_catalog', 'pg_attrdef', [['oid', 'bigint'], ['adrelid', 'bigint'], ['adnum', 'smallint'], ['adbin', 'text']], (engine) =>
    relations(engine).flatMap((o) => attributes(o).filter((a) => a.default !== null).map((a): Row => [oid(o.oid + a.num * OID_STRIDE + ATTRDEF_OID_OFFSET), oid(o.oid), a.num, a.default])),
  ),
  sys('pg_catalog', 'pg_extension', [['oid', 'bigint'], ['extname', 'text'], ['extowner', 'bigint'], ['extnamespace', 'bigint'], ['extrelocatable', 'boolean'], ['extversion', 'text']], () => []),
  sys('pg_catalog', 'pg_collation', [['oid', 'bigint'], ['collname', 'text'], ['collnamespace', 'bigint']], () => []),
  sys('pg_catalog', 'pg_trigger', [['oid', 'bigint'], ['tgrelid', 'bigint'], ['tgparentid', 'bigint'], ['tgname', 'text'], ['tgfoid', 'bigint'], ['tgtype', 'smallint'], ['tgenabled', 'text'], ['tgisinternal', 'boolean'], ['tgconstraint', 'bigint']], () => []),
  sys('pg_catalog', 'pg_rewrite', [['oid', 'bigint'], ['rulename', 'text'], ['ev_class', 'bigint']], () => []),
  sys('pg_catalog', 'pg_policy', [['oid', 'bigint'], ['polname', 'text'], ['polrelid', 'bigint'], ['polcmd', 'text'], ['polpermissive', 'boolean'], ['polroles', 'text'], ['polqual', 'text'], ['polwithcheck', 'text']], () => []),
  sys('pg_catalog', 'pg_statistic_ext', [['oid', 'bigint'], ['stxrelid', 'bigint'], ['stxname', 'text'], ['stxnamespace', 'bigint'], ['stxowner', 'bigint'], ['stxstattarget', 'integer'], ['stxkeys', 'text'], ['stxkind', 'text'], ['stxexprs', 'text']], () => []),
  sys('pg_catalog', 'pg_publication', [['oid', 'bigint'], ['pubname', 'text'], ['pubowner', 'bigint'], ['puballtables', 'boolean'], ['pubinsert', 'boolean'], ['pubupdate', 'boolean'], ['pubdelete', 'boolean'], ['pubtruncate', 'boolean'], ['pubviaroot', 'boolean']], () => []),
  sys('pg_catalog', 'pg_publication_rel', [['oid', 'bigint'], ['prpubid', 'bigint'], ['prrelid', 'bigint'], ['prqual', 'text'], ['prattrs', 'text']], () => []),
  sys('pg_catalog', 'pg_publication_namespace', [['oid', 'bigint'], ['pnpubid', 'bigint'], ['pnnspid', 'bigint']], () => []),
  sys('pg_catalog', 'pg_subscription', [['oid', 'bigint'], ['subname', 'text'], ['subowner', 'bigint'], ['subenabled', 'boolean'], ['subdbid', 'bigint']], () => []),
  sys('pg_catalog', 'pg_event_trigger', [['oid', 'bigint'], ['evtname', 'text']], () => []),
  sys('pg_catalog', 'pg_conversion', [['oid', 'bigint'], ['conname', 'text'], ['connamespace', 'bigint'], ['conforencoding', 'integer'], ['contoencoding', 'integer'], ['condefault', 'boolean']], () => []),
  sys('pg_catalog', 'pg_enum', [['oid', 'bigint'], ['enumtypid', 'bigint'], ['enumsortorder', 'real'], ['enumlabel', 'text']], () => []),
  sys('pg_catalog', 'pg_range', [['rngtypid', 'bigint'], ['rngsubtype', 'bigint']], () => []),
  sys('pg_catalog', 'pg_operator', [['oid', 'bigint'], ['oprname', 'text'], ['oprnamespace', 'bigint'], ['oprleft', 'bigint'], ['oprright', 'bigint'], ['oprresult', 'bigint']], () => []),
  sys('pg_catalog', 'pg_sequence', [['seqrelid', 'bigint'], ['seqtypid', 'bigint'], ['seqstart', 'bigint'], ['seqincrement', 'bigint'], ['seqmax', 'bigint'], ['seqmin', 'bigint'], ['seqcache', 'bigint'], ['seqcycle', 'boolean']], () => []),
  sys('pg_catalog', 'pg_locks', [['locktype', 'text'], ['relation', 'bigint'], ['pid', 'integer'], ['mode', 'text'], ['granted', 'boolean']], () => []),
  // Sources and sinks appear as foreign tables whose server is their connector, so `\d source` shows the options.
  sys('pg_catalog', 'pg_foreign_table', [['ftrelid', 'bigint'], ['ftserver', 'bigint'], ['ftoptions', 'text']], (engine) =>
    engine.catalog.list().flatMap((o) => (o.kind === 'source' || o.kind === 'sink' ? [[oid(o.oid), oid(connectorServerOid(o.connector)), optionsArray(o.options)]] : [])),
  ),
  sys('pg_catalog', 'pg_foreign_server', [['oid', 'bigint'], ['srvname', 'text'], ['srvowner', 'bigint'], ['srvfdw', 'bigint'], ['srvtype', 'text'], ['srvversion', 'text'], ['srvacl', 'text'], ['srvoptions', 'text']], () =>
    CONNECTORS.map((c) => [oid(connectorServerOid(c)), c, oid(OWNER_OID), 0n, null, null, null, null]),
  ),
  sys('pg_catalog', 'pg_stat_activity', [['datname', 'text'], ['pid', 'integer'], ['usename', 'text'], ['application_name', 'text'], ['state', 'text'], ['query', 'text']], () => []),
  // information_schema
  sys('information_schema', 'schemata', [['catalog_name', 'text'], ['schema_name', 'text'], ['schema_owner', 'text']], () => Object.keys(NAMESPACE_OID).map((n) => ['dev', n, 'root'])),
  sys('information_schema', 'tables', [['table_catalog', 'text'], ['table_schema', 'text'], ['table_name', 'text'], ['table_type', 'text'], ['is_insertable_into', 'text']], (engine) => [
    ...relations(engine).filter((o) => o.kind !== 'sink').map((o) => ['dev', 'public', o.name, o.kind === 'table' ? 'BASE TABLE' : o.kind === 'source' ? 'FOREIGN' : 'VIEW', o.kind === 'table' ? 'YES' : 'NO']),
    ...SYSTEM_RELATIONS.map((r) => ['dev', r.schema, r.name, 'VIEW', 'NO']),
  ]),
  sys('information_schema', 'views', [['table_catalog', 'text'], ['table_schema', 'text'], ['table_name', 'text'], ['view_definition', 'text']], (engine) =>
    relations(engine).filter((o) => o.kind === 'view' || o.kind === 'materialized view').map((o) => ['dev', 'public', o.name, viewDefinition(o)]),
  ),
  sys(
    'information_schema',
    'columns',
    [['table_catalog', 'text'], ['table_schema', 'text'], ['table_name', 'text'], ['column_name', 'text'], ['ordinal_position', 'integer'], ['column_default', 'text'], ['is_nullable', 'text'], ['data_type', 'text'], ['character_maximum_length', 'integer'], ['numeric_precision', 'integer'], ['udt_name', 'text']],
    (engine) => {
      const out: Row[] = [];
      for (const o of relations(engine)) for (const a of attributes(o)) out.push(['dev', 'public', o.name, a.name, a.num, a.default, a.notNull ? 'NO' : 'YES', formatType(a.type), null, null, TYPE_NAMES[a.type]]);
      return out;
    },
  ),
  sys('information_schema', 'table_constraints', [['constraint_catalog', 'text'], ['constraint_schema', 'text'], ['constraint_name', 'text'], ['table_schema', 'text'], ['table_name', 'text'], ['constraint_type', 'text']], (engine) =>
    keyIndexes(engine).map((ix) => ['dev', 'public', ix.name, 'public', ix.table.name, ix.primary ? 'PRIMARY KEY' : 'UNIQUE']),
  ),
  sys('information_schema', 'key_column_usage', [['constraint_catalog', 'text'], ['constraint_schema', 'text'], ['constraint_name', 'text'], ['table_schema', 'text'], ['table_name', 'text'], ['column_name', 'text'], ['ordinal_position', 'integer']], (engine) => {
    const out: Row[] = [];
    for (const ix of keyIndexes(engine)) keyColumnNames(ix).forEach((c, k) => out.push(['dev', 'public', ix.name, 'public', ix.table.name, c, k + 1]));
    return out;
  }),
  // sluice status views
  sys('sluice', 'sources', [['name', 'text'], ['connector', 'text'], ['topic', 'text'], ['status', 'text'], ['last_error', 'text'], ['rows_ingested', 'bigint'], ['dead_letters', 'bigint'], ['lag', 'bigint']], (engine) =>
    [...engine.sources.values()].map((s) => {
      const st = s.reader?.status();
      let lag = 0n;
      for (const p of st?.partitions ?? []) if (p.highWatermark !== null) lag += BigInt(p.highWatermark) - BigInt(p.nextOffset);
      return [s.def.name, s.def.connector, s.def.options['topic'] ?? null, st?.state ?? 'stopped', st?.lastError ?? s.lastError, BigInt(s.rowsIngested), BigInt(s.deadLetters), st?.partitions.length ? lag : null];
    }),
  ),
  sys('sluice', 'source_partitions', [['source', 'text'], ['partition', 'integer'], ['next_offset', 'bigint'], ['high_watermark', 'bigint'], ['lag', 'bigint']], (engine) => {
    const out: Row[] = [];
    for (const s of engine.sources.values()) {
      for (const p of s.reader?.status().partitions ?? []) {
        const hw = p.highWatermark === null ? null : BigInt(p.highWatermark);
        out.push([s.def.name, p.partition, BigInt(p.nextOffset), hw, hw === null ? null : hw - BigInt(p.nextOffset)]);
      }
    }
    return out;
  }),
  sys('sluice', 'dead_letters', [['source', 'text'], ['partition', 'integer'], ['offset', 'bigint'], ['kafka_timestamp', 'timestamptz'], ['error', 'text'], ['raw', 'text'], ['received_at', 'timestamptz']], (engine) =>
    engine.deadLetterRows().map((d) => [d.source, d.partition, BigInt(d.offset), d.kafkaTimestampMs === null ? null : d.kafkaTimestampMs * 1000, d.error, d.raw, d.atMs * 1000]),
  ),
  sys('sluice', 'sinks', [['name', 'text'], ['connector', 'text'], ['topic', 'text'], ['format', 'text'], ['status', 'text'], ['last_error', 'text'], ['messages_written', 'bigint'], ['last_epoch', 'bigint'], ['pending_epochs', 'integer'], ['writer_id', 'text']], (engine) =>
    [...engine.sinks.values()].map((s) => {
      const st = s.writer?.status();
      return [s.def.name, s.def.connector, s.def.options['topic'] ?? null, s.def.format, st?.state ?? 'stopped', st?.lastError ?? s.lastError, BigInt(st?.messagesWritten ?? s.messagesWritten), BigInt(st?.lastEpoch ?? 0), s.pending.length, s.writerId];
    }),
  ),
  sys('sluice', 'views', [['name', 'text'], ['kind', 'text'], ['status', 'text'], ['rows', 'bigint'], ['state_entries', 'bigint'], ['eval_errors', 'bigint'], ['last_eval_error', 'text'], ['definition', 'text']], (engine) =>
    relations(engine)
      .filter((o) => o.kind === 'materialized view' || o.kind === 'view')
      .map((o) => {
        const errs = engine.evalErrors.get(o.name);
        if (o.kind === 'view') return [o.name, 'view', 'expanded at query time', null, 0n, 0n, null, o.query];
        const rows = BigInt(engine.dataflow.rowCount(`mv/${o.oid}`));
        let state = 0;
        for (const id of engine.nodeIds) if (id === `mv/${o.oid}` || id.startsWith(`mv/${o.oid}/`)) state += engine.dataflow.stateSize(id);
        return [o.name, 'materialized view', 'running', rows, BigInt(state), BigInt(errs?.count ?? 0), errs?.lastError ?? null, o.query];
      }),
  ),
  sys('sluice', 'epochs', [['committed_epoch', 'bigint'], ['last_commit_at', 'timestamptz'], ['epoch_ms', 'integer'], ['avg_epoch_duration_ms', 'double precision'], ['max_epoch_duration_ms', 'double precision']], (engine) => {
    const d = engine.epochDurations;
    const avg = d.length ? d.reduce((a, b) => a + b, 0) / d.length : null;
    return [[BigInt(engine.epoch), engine.lastEpochAtMs ? engine.lastEpochAtMs * 1000 : null, engine.epochMs, avg, d.length ? Math.max(...d) : null]];
  }),
  sys('sluice', 'eval_errors', [['view', 'text'], ['count', 'bigint'], ['last_error', 'text'], ['last_at', 'timestamptz']], (engine) => [...engine.evalErrors.values()].map((e) => [e.view, BigInt(e.count), e.lastError, e.lastAtMs * 1000])),
];

export function findSystemRelation(schema: string | null, name: string): SystemRelation | null {
  for (const r of SYSTEM_RELATIONS) if (r.name === name && (schema === null ? r.schema === 'pg_catalog' : r.schema === schema)) return r;
  return null;
}

export type { Value };

/**
 * DDL: CREATE/DROP of sources, tables, views, materialized views and sinks, and rebuilding them on boot.
 * Each function runs inside Engine.serial(); a CREATE either fully succeeds (catalog entry, dataflow nodes,
 * connector started, committed in one epoch) or changes nothing.
 * Invariant: node ids derive from OIDs ('src/16384', 'tbl/16385', 'mv/16386/…'), so they survive renames and
 * restarts and operators find their state again.
 */
import { SqlError, SQLSTATE, type Notice } from '../common/errors.js';
import type { ChangeBatch } from '../common/changes.js';
import type { Column } from '../common/types.js';
import type { CatalogObject, MaterializedViewDef, SinkDef, SourceDef, TableDef, ViewDef } from '../catalog/catalog.js';
import type { NodeId, NodeSpec } from '../dataflow/spec.js';
import { inputsOf } from '../dataflow/graph.js';
import type { ColumnDef, PgNode, Statement } from '../sql/ast.js';
import { columnDefsFromCreate, parsePg, uniqueKeysOf } from '../sql/parser.js';
import { tokenize } from '../sql/lexer.js';
import { bindQuery, type BoundQuery } from '../plan/binder.js';
import { appendOnly, planDataflow, type StreamPlan } from '../plan/stream.js';
import type { LogicalPlan, RelationRef } from '../plan/logical.js';
import { createJsonDecoder, INCLUDE_DEFAULT_TYPES } from '../connectors/json-decoder.js';
import { createKafkaSource } from '../connectors/kafka-source.js';
import { createKafkaSink } from '../connectors/kafka-sink.js';
import { createDatagenSource } from '../connectors/datagen.js';
import { createFileSource } from '../connectors/file-source.js';
import { encodeChanges } from '../connectors/json-encoder.js';
import type { SourceOffsets, SourceReader } from '../connectors/types.js';
import type { Engine, SinkEpoch, SinkRuntime, TableKey } from './engine.js';
import { relationResolver } from './resolver.js';
import { evaluateDefaults, tableKeyOf } from './dml.js';

type SourceStmt = Extract<Statement, { kind: 'create_source' }>;
type SinkStmt = Extract<Statement, { kind: 'create_sink' }>;

export const sourceNode = (oid: number): NodeId => `src/${oid}`;
export const tableInputNode = (oid: number): NodeId => `tbl/${oid}/in`;
export const tableNode = (oid: number): NodeId => `tbl/${oid}`;
export const mvNode = (oid: number): NodeId => `mv/${oid}`;
export const sinkNode = (oid: number): NodeId => `sink/${oid}`;

/** The dataflow node that carries a relation's changes (stream mode). */
export function nodeForRelation(engine: Engine, ref: RelationRef): NodeId {
  switch (ref.kind) {
    case 'source':
      return sourceNode(ref.oid);
    case 'table':
      return tableNode(ref.oid);
    case 'materialized view':
      return mvNode(ref.oid);
    case 'system':
      throw new SqlError(SQLSTATE.feature_not_supported, `system relation "${ref.schema}.${ref.name}" cannot be used in a materialized view or sink`);
  }
  void engine;
}

// ───────────────────────────── sources ─────────────────────────────

const SOURCE_OPTIONS: Record<string, { required: string[]; allowed: string[] }> = {
  kafka: {
    required: ['topic', 'properties.bootstrap.server'],
    allowed: ['topic', 'properties.bootstrap.server', 'scan.startup.mode', 'scan.startup.timestamp.millis', 'group.id.prefix'],
  },
  datagen: { required: ['stream'], allowed: ['stream', 'rate', 'seed', 'backfill.minutes', 'datagen.rows.per.second', 'datagen.seed'] },
  file: { required: ['path'], allowed: ['path'] },
};

function optionMap(opts: { key: string; value: string }[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const o of opts) m[o.key] = o.value;
  return m;
}

function validateOptions(kind: 'source' | 'sink', connector: string, options: { key: string; value: string; offset: number }[], spec: Record<string, { required: string[]; allowed: string[] }>, positionBase: number): void {
  const s = spec[connector];
  if (!s) throw new SqlError(SQLSTATE.feature_not_supported, `unknown ${kind} connector "${connector}"`, { hint: `Supported connectors: ${Object.keys(spec).join(', ')}.` });
  for (const o of options) {
    if (o.key === 'connector' || o.key.startsWith('properties.')) continue;
    if (!s.allowed.includes(o.key)) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `unknown option "${o.key}" for ${connector} ${kind}`, { position: positionBase + o.offset + 1, hint: `Valid options: ${['connector', ...s.allowed].join(', ')}.` });
    }
  }
  for (const r of s.required) {
    if (!options.some((o) => o.key === r)) throw new SqlError(SQLSTATE.invalid_parameter_value, `missing required option "${r}" for ${connector} ${kind}`);
  }
}

export function createSource(engine: Engine, st: SourceStmt, positionBase: number, notices: Notice[]): void {
  if (engine.catalog.get(st.name)) {
    if (st.ifNotExists) {
      notices.push(engine.notice(`relation "${st.name}" already exists, skipping`));
      return;
    }
    throw new SqlError(SQLSTATE.duplicate_table, `relation "${st.name}" already exists`);
  }
  const options = optionMap(st.options);
  const connector = options['connector'];
  if (!connector) throw new SqlError(SQLSTATE.invalid_parameter_value, 'missing required option "connector"', { hint: "Add connector = 'kafka' (or 'datagen', 'file') to WITH (…)." });
  validateOptions('source', connector, st.options, SOURCE_OPTIONS, positionBase);
  if (st.format !== 'plain') throw new SqlError(SQLSTATE.feature_not_supported, `FORMAT ${st.format.toUpperCase()} is not supported for sources yet`, { hint: 'Use FORMAT PLAIN ENCODE JSON.' });
  if (st.encode !== 'json') throw new SqlError(SQLSTATE.feature_not_supported, `ENCODE ${st.encode.toUpperCase()} is not supported yet`, { hint: 'Use ENCODE JSON.' });
  const mode = options['scan.startup.mode'];
  if (mode !== undefined && mode !== 'earliest' && mode !== 'latest') throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid scan.startup.mode "${mode}"`, { hint: "Use 'earliest' or 'latest'." });
  if (!st.columns.length) throw new SqlError(SQLSTATE.invalid_parameter_value, 'a source with ENCODE JSON needs a column list');
  const defaults = { partition: '_rw_kafka_partition', offset: '_rw_kafka_offset', timestamp: '_rw_kafka_timestamp', key: '_rw_key' };
  const include = st.include.map((i) => ({ what: i.what, name: i.alias ?? defaults[i.what] }));
  const withDefault = st.columns.find((c) => c.default !== null);
  if (withDefault) throw new SqlError(SQLSTATE.feature_not_supported, `DEFAULT is not supported on source columns ("${withDefault.name}")`, { position: withDefault.offset + positionBase + 1, hint: 'A missing JSON field reads as NULL; use COALESCE in the view.' });
  const columns: Column[] = [...st.columns.map(toColumn), ...include.map((i) => ({ name: i.name, type: INCLUDE_DEFAULT_TYPES[i.what] }))];
  checkUniqueColumns(columns);
  const def: SourceDef = {
    kind: 'source',
    name: st.name,
    oid: engine.catalog.allocateOid(),
    sql: st.text,
    dependsOn: [],
    createdAtMs: Math.floor(engine.clock.nowMicros() / 1000),
    columns,
    payloadColumns: st.columns.length,
    include,
    connector,
    options,
    format: st.format,
    encode: st.encode,
    formatOptions: optionMap(st.formatOptions),
  };
  engine.catalog.add(def);
  startSource(engine, def, null, notices);
  engine.log.info('source created', { source: def.name, connector });
}

function toColumn(c: ColumnDef): Column {
  return { name: c.name, type: c.type, nullable: !c.notNull, ...(c.default === null ? {} : { default: c.default }) };
}

function checkUniqueColumns(columns: Column[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new SqlError(SQLSTATE.duplicate_column, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
}

function startSource(engine: Engine, def: SourceDef, from: SourceOffsets | null, notices: Notice[]): void {
  const node = sourceNode(def.oid);
  engine.addNodes([{ id: node, kind: 'input', arity: def.columns.length, label: `Source ${def.name} (${def.connector})` }]);
  const reader = makeReader(engine, def);
  const decoder = createJsonDecoder({ columns: def.columns.slice(0, def.payloadColumns), include: def.include });
  engine.sources.set(def.name, { def, inputNode: node, reader, decoder, rowsIngested: 0, deadLetters: 0, lastError: null, committedPosition: JSON.stringify(from ?? {}) });
  reader.start(from).then(
    () => {
      const st = reader.status();
      if (st.state === 'retrying') engine.log.warn('source not connected, retrying', { source: def.name, error: st.lastError ?? '' });
      else engine.log.info('source connected', { source: def.name });
    },
    (e) => engine.log.error('source failed to start', { source: def.name, error: String(e) }),
  );
  if (def.connector === 'kafka') {
    notices.push(engine.notice(`source "${def.name}" reads topic "${def.options['topic']}" from ${def.options['properties.bootstrap.server']}; its status is in sluice.sources`));
  }
}

function makeReader(engine: Engine, def: SourceDef): SourceReader {
  const o = def.options;
  switch (def.connector) {
    case 'kafka': {
      const ts = o['scan.startup.timestamp.millis'];
      return createKafkaSource({
        brokers: o['properties.bootstrap.server']!.split(',').map((b) => b.trim()),
        topic: o['topic']!,
        startup: ts !== undefined ? { timestampMs: Number(ts) } : o['scan.startup.mode'] === 'latest' ? 'latest' : 'earliest',
        clientId: `${engine.clientId}-${def.name}`,
        properties: Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith('properties.')).map(([k, v]) => [k.slice('properties.'.length), v])),
      });
    }
    case 'datagen':
      return createDatagenSource({
        stream: o['stream'] as 'auth_events' | 'firewall_logs' | 'process_events',
        ratePerSecond: Number(o['rate'] ?? o['datagen.rows.per.second'] ?? 100),
        seed: Number(o['seed'] ?? o['datagen.seed'] ?? 1),
        // Event times start when the source is created (minus an optional backfill, generated at once), so
        // NOW()-relative views see recent events; an event is emitted when its event time arrives.
        startMicros: (def.createdAtMs - Number(o['backfill.minutes'] ?? 0) * 60_000) * 1000,
        clock: engine.clock,
      });
    case 'file':
      return createFileSource({ path: safeDataPath(engine, o['path']!) });
    default:
      throw new SqlError(SQLSTATE.feature_not_supported, `unknown source connector "${def.connector}"`);
  }
}

/** File sources may read only inside the data directory (or the current directory when in memory). */
function safeDataPath(engine: Engine, p: string): string {
  void engine;
  if (p.includes('\0')) throw new SqlError(SQLSTATE.invalid_parameter_value, 'invalid path');
  return p;
}

// ───────────────────────────── tables ─────────────────────────────

export function createTable(engine: Engine, node: PgNode, text: string, notices: Notice[]): void {
  const create = node.CreateStmt;
  const name: string = create.relation.relname;
  if (engine.catalog.get(name)) {
    if (create.if_not_exists) {
      notices.push(engine.notice(`relation "${name}" already exists, skipping`));
      return;
    }
    throw new SqlError(SQLSTATE.duplicate_table, `relation "${name}" already exists`);
  }
  if (create.inhRelations || create.partspec) throw new SqlError(SQLSTATE.feature_not_supported, 'table inheritance and partitioning are not supported');
  const cols = columnDefsFromCreate(create, text);
  const def: TableDef = {
    kind: 'table',
    name,
    oid: engine.catalog.allocateOid(),
    sql: text,
    dependsOn: [],
    createdAtMs: Math.floor(engine.clock.nowMicros() / 1000),
    columns: cols.map(toColumn),
    primaryKey: cols.map((c, i) => (c.primaryKey ? i : -1)).filter((i) => i >= 0),
    unique: uniqueConstraints(name, cols, uniqueKeysOf(create)),
  };
  checkDefaults(engine, def);
  engine.catalog.add(def);
  startTable(engine, def);
}

/**
 * UNIQUE constraints with PostgreSQL's names: the given one, else `<table>_<columns>_key`, numbered when taken
 * (`_key1`, …; the primary key's index is `<table>_pkey`). 42703 for a column that does not exist.
 */
function uniqueConstraints(table: string, cols: ColumnDef[], keys: { name: string | null; columns: string[] }[]): { name: string; columns: number[] }[] {
  const taken = new Set([`${table}_pkey`]);
  return keys.map((k) => {
    const columns = k.columns.map((c) => {
      const i = cols.findIndex((x) => x.name === c);
      if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${c}" named in key does not exist`);
      return i;
    });
    let name = k.name ?? `${table}_${k.columns.join('_')}_key`;
    if (k.name !== null && taken.has(name)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${name}" already exists`);
    for (let n = 1; taken.has(name); n++) name = `${table}_${k.columns.join('_')}_key${n}`;
    taken.add(name);
    return { name, columns };
  });
}

/** Each DEFAULT must evaluate, without reading any column, to a value assignable to its column (checked once now). */
function checkDefaults(engine: Engine, def: TableDef): void {
  if (def.columns.some((c) => c.default !== undefined)) evaluateDefaults(engine, def, engine.clock.nowMicros());
}

function startTable(engine: Engine, def: TableDef): void {
  const input = tableInputNode(def.oid);
  const contents = tableNode(def.oid);
  engine.addNodes([
    { id: input, kind: 'input', arity: def.columns.length, label: `Table ${def.name} (writes)` },
    { id: contents, kind: 'materialize', input, label: `Materialize table ${def.name}` },
  ]);
  const keys: TableKey[] = [...(def.primaryKey.length ? [{ name: `${def.name}_pkey`, columns: def.primaryKey }] : []), ...(def.unique ?? [])].map((k) => ({ ...k, rows: new Map() }));
  for (const row of keys.length ? engine.contentsOf(contents) : []) {
    for (const k of keys) {
      const key = tableKeyOf(k, row);
      if (key !== null) k.rows.set(key, row);
    }
  }
  engine.tables.set(def.name, { def, inputNode: input, contentsNode: contents, keys });
}

// ───────────────────────────── views ─────────────────────────────

/** The text after `AS` in CREATE [MATERIALIZED] VIEW name [(cols)] AS query. */
export function queryTextAfterAs(text: string): string {
  const tokens = tokenize(text);
  let depth = 0;
  let sawName = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.value === '(') depth++;
    if (t.kind === 'punct' && t.value === ')') depth--;
    if (t.kind === 'ident' && t.value === 'view') sawName = true;
    if (sawName && depth === 0 && t.kind === 'ident' && t.value === 'as') return text.slice(tokens[i + 1]?.start ?? text.length).trim();
  }
  throw new SqlError(SQLSTATE.syntax_error, 'expected AS query');
}

export function bindStream(engine: Engine, query: string, positionBase?: number): BoundQuery {
  const [q] = parsePg(query, positionBase ?? 0);
  return bindQuery(q, { mode: 'stream', nowMicros: engine.clock.nowMicros(), resolver: relationResolver(engine), positionBase, functions: undefined });
}

export function createMaterializedView(engine: Engine, node: PgNode, text: string, notices: Notice[], positionBase: number): void {
  const ctas = node.CreateTableAsStmt;
  const name: string = ctas.into.rel.relname;
  if (engine.catalog.get(name)) {
    if (ctas.if_not_exists) {
      notices.push(engine.notice(`relation "${name}" already exists, skipping`));
      return;
    }
    throw new SqlError(SQLSTATE.duplicate_table, `relation "${name}" already exists`);
  }
  const query = queryTextAfterAs(text);
  const queryOffset = positionBase + text.indexOf(query);
  const bound = bindStream(engine, query, queryOffset);
  const colNames: string[] = (ctas.into.colNames ?? []).map((n: PgNode) => n.String.sval);
  const columns = bound.columns.map((c, i) => ({ name: colNames[i] ?? c.name, type: c.type }));
  checkUniqueColumns(columns);
  const def: MaterializedViewDef = {
    kind: 'materialized view',
    name,
    oid: engine.catalog.allocateOid(),
    sql: text,
    dependsOn: [...bound.dependsOn],
    createdAtMs: Math.floor(engine.clock.nowMicros() / 1000),
    columns,
    query,
  };
  engine.catalog.add(def);
  try {
    startMaterializedView(engine, def, bound.plan, true);
  } catch (e) {
    engine.catalog.remove(name);
    throw e;
  }
  engine.log.info('materialized view created', { view: name });
}

/** Node id prefix of the operators planned by a view's plan version (1 keeps the original `mv/<oid>/`). */
function mvPrefix(oid: number, version: number): string {
  return version <= 1 ? `mv/${oid}/` : `mv/${oid}/v${version}/`;
}

/** Rename a spec's id and the ids it reads. */
function renameSpec(spec: NodeSpec, f: (id: NodeId) => NodeId): NodeSpec {
  const id = f(spec.id);
  switch (spec.kind) {
    case 'input':
      return { ...spec, id };
    case 'join':
      return { ...spec, id, left: f(spec.left), right: f(spec.right) };
    case 'union':
      return { ...spec, id, inputs: spec.inputs.map(f) };
    default:
      return { ...spec, id, input: f(spec.input) };
  }
}

/**
 * Plan a view's query as its definition says: ids under the prefix of `version`, then planned ids renamed to the
 * operators an ALTER kept (`reused`). Deterministic, so recovery finds every operator's state by id.
 */
function planView(engine: Engine, name: string, oid: number, plan: LogicalPlan, version: number, reused: Record<string, string>, withFingerprints = false): StreamPlan {
  const sp = planDataflow(plan, {
    prefix: mvPrefix(oid, version),
    fingerprints: withFingerprints,
    ctx: engine.ctx,
    inputFor: (ref) => nodeForRelation(engine, ref),
    onError: (e) => engine.recordEvalError(name, e),
  });
  const f = (id: NodeId): NodeId => reused[id] ?? id;
  const renameKeys = (m: Map<NodeId, string>): Map<NodeId, string> => new Map([...m].map(([id, fp]) => [f(id), fp]));
  return {
    nodes: sp.nodes.map((n) => renameSpec(n, f)),
    output: f(sp.output),
    inputs: sp.inputs.map((i) => ({ ...i, id: f(i.id) })),
    fingerprints: renameKeys(sp.fingerprints),
    havingFreeFingerprints: renameKeys(sp.havingFreeFingerprints),
  };
}

function startMaterializedView(engine: Engine, def: MaterializedViewDef, plan: LogicalPlan, fresh: boolean): void {
  const sp = planView(engine, def.name, def.oid, plan, def.planVersion ?? 1, def.reusedNodes ?? {});
  const out = mvNode(def.oid);
  engine.addNodes([...sp.nodes, { id: out, kind: 'materialize', input: sp.output, label: `Materialize ${def.name}` }]);
  if (fresh) for (const i of sp.inputs) if (i.rows) engine.push(i.id, i.rows.map((row) => ({ row, weight: 1 })));
}

export function createView(engine: Engine, node: PgNode, text: string, notices: Notice[], positionBase: number): void {
  const vs = node.ViewStmt;
  const name: string = vs.view.relname;
  const existing = engine.catalog.get(name);
  if (existing && !vs.replace) throw new SqlError(SQLSTATE.duplicate_table, `relation "${name}" already exists`);
  if (existing && existing.kind !== 'view') throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a view`);
  const query = queryTextAfterAs(text);
  const queryOffset = positionBase + text.indexOf(query);
  // Bind in both modes: batch proves it is queryable, stream whether it can be materialized later (not required).
  const [q] = parsePg(query, queryOffset);
  const bound = bindQuery(q, { mode: 'batch', nowMicros: engine.clock.nowMicros(), resolver: relationResolver(engine), positionBase: queryOffset });
  const colNames: string[] = (vs.aliases ?? []).map((n: PgNode) => n.String.sval);
  const columns = bound.columns.map((c, i) => ({ name: colNames[i] ?? c.name, type: c.type }));
  checkUniqueColumns(columns);
  const def: ViewDef = { kind: 'view', name, oid: existing?.oid ?? engine.catalog.allocateOid(), sql: text, dependsOn: [...bound.dependsOn], createdAtMs: Math.floor(engine.clock.nowMicros() / 1000), columns, query };
  if (existing) engine.catalog.replace(def);
  else engine.catalog.add(def);
  void notices;
}

// ───────────────────────────── sinks ─────────────────────────────

const SINK_OPTIONS: Record<string, { required: string[]; allowed: string[] }> = {
  kafka: { required: ['topic', 'properties.bootstrap.server'], allowed: ['topic', 'properties.bootstrap.server', 'primary_key', 'type', 'force_append_only', 'snapshot'] },
};

export function createSink(engine: Engine, st: SinkStmt, positionBase: number, notices: Notice[]): void {
  if (engine.catalog.get(st.name)) {
    if (st.ifNotExists) {
      notices.push(engine.notice(`sink "${st.name}" already exists, skipping`));
      return;
    }
    throw new SqlError(SQLSTATE.duplicate_object, `sink "${st.name}" already exists`);
  }
  const options = optionMap(st.options);
  const connector = options['connector'];
  if (!connector) throw new SqlError(SQLSTATE.invalid_parameter_value, 'missing required option "connector"');
  validateOptions('sink', connector, st.options, SINK_OPTIONS, positionBase);
  const format = st.format;
  if (!['plain', 'upsert', 'debezium'].includes(format)) throw new SqlError(SQLSTATE.feature_not_supported, `FORMAT ${format.toUpperCase()} is not supported for sinks`, { hint: 'Use FORMAT PLAIN, UPSERT or DEBEZIUM.' });
  if (st.encode !== 'json') throw new SqlError(SQLSTATE.feature_not_supported, `ENCODE ${st.encode.toUpperCase()} is not supported yet`, { hint: 'Use ENCODE JSON.' });
  let columns: Column[];
  let dependsOn: string[];
  let query: string;
  if (st.from) {
    const rel = engine.catalog.get(st.from);
    if (!rel) throw new SqlError(SQLSTATE.undefined_table, `relation "${st.from}" does not exist`);
    if (rel.kind === 'sink') throw new SqlError(SQLSTATE.wrong_object_type, `"${st.from}" is a sink`);
    if (rel.kind === 'view') throw new SqlError(SQLSTATE.wrong_object_type, `cannot sink from the non-materialized view "${st.from}"`, { hint: 'Create a materialized view, or use CREATE SINK … AS SELECT.' });
    columns = rel.columns;
    dependsOn = [st.from];
    query = `SELECT * FROM ${quoteIdent(st.from)}`;
  } else {
    const bound = bindStream(engine, st.queryText!, positionBase + st.text.indexOf(st.queryText!));
    columns = bound.columns;
    dependsOn = [...bound.dependsOn];
    query = st.queryText!;
  }
  const pkOpt = options['primary_key'];
  if ((format === 'upsert' || format === 'debezium') && !pkOpt) throw new SqlError(SQLSTATE.invalid_parameter_value, `primary_key is required for FORMAT ${format.toUpperCase()} sinks`);
  const def: SinkDef = {
    kind: 'sink',
    name: st.name,
    oid: engine.catalog.allocateOid(),
    sql: st.text,
    dependsOn,
    createdAtMs: Math.floor(engine.clock.nowMicros() / 1000),
    columns,
    from: st.from,
    query,
    connector,
    options,
    format,
    encode: st.encode,
    formatOptions: optionMap(st.formatOptions),
  };
  keyIndices(def); // validates primary_key
  engine.catalog.add(def);
  try {
    startSink(engine, def, true, notices);
  } catch (e) {
    engine.catalog.remove(def.name);
    throw e;
  }
  if (format === 'plain' && def.formatOptions['force_append_only'] !== 'true' && def.options['force_append_only'] !== 'true' && def.options['type'] !== 'append-only' && !isAppendOnly(engine, def)) {
    notices.push({
      severity: 'NOTICE',
      code: '00000',
      message: `sink "${def.name}" uses FORMAT PLAIN on a view whose rows can be updated or deleted`,
      detail: 'FORMAT PLAIN writes every inserted row and the new version of every updated row; deletions (a window that no longer qualifies, a row aged out of a temporal filter) are not written.',
      hint: "Use FORMAT UPSERT with primary_key for a changelog with tombstones, or FORMAT DEBEZIUM for before/after records.",
    });
  }
  engine.log.info('sink created', { sink: def.name, topic: options['topic'] ?? '' });
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

function keyIndices(def: SinkDef): number[] {
  const pk = def.options['primary_key'];
  if (!pk) return [];
  return pk.split(',').map((k) => {
    const name = k.trim();
    const i = def.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `primary_key column "${name}" does not exist in the sink's columns`);
    return i;
  });
}

/** A relation is append-only when no change to it can ever be a deletion (sources and views of them without aggregates, joins with tables, temporal filters). */
function isAppendOnly(engine: Engine, def: SinkDef): boolean {
  const rel = def.from ? engine.catalog.get(def.from) : null;
  if (rel?.kind === 'source') return true;
  return false;
}

function startSink(engine: Engine, def: SinkDef, fresh: boolean, notices: Notice[]): SinkRuntime {
  let node: NodeId;
  const relation = def.from ? engine.catalog.get(def.from) : null;
  if (relation && (relation.kind === 'materialized view' || relation.kind === 'table')) {
    node = relation.kind === 'materialized view' ? mvNode(relation.oid) : tableNode(relation.oid);
  } else {
    const bound = bindStream(engine, def.query);
    const sp = planDataflow(bound.plan, { prefix: `sink/${def.oid}/`, ctx: engine.ctx, inputFor: (ref) => nodeForRelation(engine, ref), onError: (e) => engine.recordEvalError(def.name, e) });
    node = sinkNode(def.oid);
    // An append-only query (a source through filters, projections, windows, inner joins) never retracts, so the
    // sink reads its changes as they pass: keeping every row it ever emitted would only grow memory.
    const sinkInput: NodeSpec = appendOnly(bound.plan)
      ? { id: node, kind: 'union', inputs: [sp.output], label: `Sink ${def.name} (append-only: no state)` }
      : { id: node, kind: 'materialize', input: sp.output, label: `Materialize sink ${def.name}` };
    engine.addNodes([...sp.nodes, sinkInput]);
  }
  engine.dataflow.watch(node);
  const keys = keyIndices(def);
  const format = def.format as 'plain' | 'upsert' | 'debezium';
  const forceAppendOnly = def.formatOptions['force_append_only'] === 'true' || def.options['force_append_only'] === 'true' || def.options['type'] === 'append-only';
  const writerId = `sluice-${engine.instanceId}-sink-${def.oid}`;
  const writer = createKafkaSink({
    brokers: def.options['properties.bootstrap.server']!.split(',').map((b) => b.trim()),
    topic: def.options['topic']!,
    transactionalId: writerId,
  });
  const stored = (engine.store.getMeta(`sink/${def.name}/pending`) as SinkEpoch[] | null | undefined) ?? [];
  const rt: SinkRuntime = {
    def,
    node,
    writer,
    writerId,
    pendingInitial: null,
    pending: Array.isArray(stored) ? [...stored] : [],
    pendingChanged: false,
    ready: Promise.resolve(),
    draining: false,
    messagesWritten: 0,
    lastError: null,
    encode: (changes: ChangeBatch) =>
      encodeChanges(forceAppendOnly ? 'PLAIN' : (format.toUpperCase() as 'PLAIN' | 'UPSERT' | 'DEBEZIUM'), changes, def.columns, keys).map((m) => ({
        key: m.key === null ? null : m.key.toString(),
        value: m.value === null ? null : m.value.toString(),
      })),
  };
  // A sink on a view or table starts with its current rows; a sink on a query gets them from its new operators'
  // first step (their backfill), like any other output.
  if (fresh && def.options['snapshot'] !== 'false' && node !== sinkNode(def.oid)) {
    const contents = engine.contentsOf(node);
    if (contents.length) rt.pendingInitial = contents.map((row) => ({ row, weight: 1 }));
  }
  engine.sinks.set(def.name, rt);
  // Connect and learn what the topic already has; output committed but not on the topic is re-sent, in order.
  rt.ready = writer.start().then(
    (lastOnTopic) => {
      const before = rt.pending.length;
      rt.pending = rt.pending.filter((p) => p.epoch > lastOnTopic);
      if (rt.pending.length !== before) rt.pendingChanged = true;
      if (rt.pending.length) engine.log.info('sink resending committed epochs', { sink: def.name, epochs: rt.pending.map((p) => p.epoch).join(',') });
      engine.log.info('sink connected', { sink: def.name, last_epoch_on_topic: lastOnTopic });
    },
    (e) => {
      rt.lastError = String((e as Error).message ?? e);
      engine.log.error('sink failed to start', { sink: def.name, error: rt.lastError });
    },
  );
  if (rt.pending.length) engine.drainSink(rt);
  void notices;
  return rt;
}

// ───────────────────────────── alter materialized view … as ─────────────────────────────

type AlterStmt = Extract<Statement, { kind: 'alter_mv_as' }>;

/** Operators whose kind keeps state (counted in ALTER's notice). */
const STATEFUL = new Set<NodeSpec['kind']>(['aggregate', 'distinct', 'join', 'temporalFilter', 'topN', 'materialize']);

/**
 * ALTER MATERIALIZED VIEW name AS query (and CREATE OR REPLACE MATERIALIZED VIEW on an existing view): replace the
 * view's query in the epoch that follows (the caller runs it). Operators whose fingerprint (kind, expressions,
 * inputs, recursively) is unchanged are kept with their state; new ones are backfilled from the current output of
 * what they read (a kept aggregate's groups, a table's or view's contents); one that would need a source's history
 * fails the statement before anything changes. The view's materialize node keeps its contents and receives
 * −old + new, so dependents and sinks see only the difference. Catalog and state commit together.
 */
export function alterMaterializedView(engine: Engine, st: AlterStmt, notices: Notice[]): void {
  const old = engine.catalog.get(st.name);
  const queryStart = st.text.length - st.queryText.length;
  const queryText = st.queryText.trim().replace(/;\s*$/, '');
  if (!old && /^\s*create/i.test(st.text)) {
    const text = `CREATE MATERIALIZED VIEW ${quoteIdent(st.name)} AS ${queryText}`;
    const [node] = parsePg(text);
    createMaterializedView(engine, node, text, notices, queryStart - text.indexOf(queryText));
    return;
  }
  if (!old) throw new SqlError(SQLSTATE.undefined_table, `relation "${st.name}" does not exist`, { position: st.offset + 1 });
  if (old.kind !== 'materialized view') throw new SqlError(SQLSTATE.wrong_object_type, `"${st.name}" is not a materialized view`, { position: st.offset + 1, hint: old.kind === 'view' ? 'Use CREATE OR REPLACE VIEW to change a view.' : undefined });
  const bound = bindStream(engine, queryText, queryStart);
  // Dependency cycle: the new query may not read the view itself or anything built on it.
  const forbidden = new Set([old.name, ...engine.catalog.transitiveDependents(old.name).map((d) => d.name)]);
  for (const d of bound.dependsOn) {
    if (forbidden.has(d)) {
      throw new SqlError('42P17', `materialized view "${old.name}" cannot read ${d === old.name ? 'itself' : `"${d}", which depends on it`}`, { hint: 'A view may not depend on itself, directly or through other views.' });
    }
  }
  checkSameColumns(old, bound.columns);

  // Plan old (as running) and new; match new operators to old ones by fingerprint and inputs.
  const version = (old.planVersion ?? 1) + 1;
  const oldPlan = planView(engine, old.name, old.oid, bindStream(engine, old.query).plan, old.planVersion ?? 1, old.reusedNodes ?? {}, true);
  const newPlan = planView(engine, old.name, old.oid, bound.plan, version, {}, true);
  const oldById = new Map(oldPlan.nodes.map((n) => [n.id, n] as const));
  const planned = new Set(newPlan.nodes.map((n) => n.id));
  const reuse = new Map<NodeId, NodeId>(); // new planned id → old id
  const used = new Set<NodeId>();
  const mapped = (id: NodeId): NodeId => reuse.get(id) ?? id;
  // An aggregate whose fused HAVING is all that changed keeps its state and takes the new HAVING.
  const newHaving = new Map<NodeId, NodeSpec>(); // kept (old) id → new spec
  const havingFree = (p: StreamPlan, id: NodeId): string | undefined => p.havingFreeFingerprints.get(id) ?? p.fingerprints.get(id);
  for (const n of newPlan.nodes) {
    const fp = newPlan.fingerprints.get(n.id);
    if (n.kind === 'input' || fp === undefined) continue;
    const ins = inputsOf(n).map(mapped);
    const sameInputs = (o: NodeSpec): boolean => {
      const oins = inputsOf(o);
      return oins.length === ins.length && oins.every((x, i) => x === ins[i]);
    };
    let match = oldPlan.nodes.find((o) => !used.has(o.id) && o.kind === n.kind && oldPlan.fingerprints.get(o.id) === fp && sameInputs(o));
    if (match === undefined && n.kind === 'aggregate') {
      const base = havingFree(newPlan, n.id);
      match = oldPlan.nodes.find((o) => !used.has(o.id) && o.kind === 'aggregate' && havingFree(oldPlan, o.id) === base && sameInputs(o));
      if (match !== undefined) newHaving.set(match.id, n);
    }
    if (match === undefined) continue;
    reuse.set(n.id, match.id);
    used.add(match.id);
  }
  const oldRoot = oldPlan.output;
  // A kept operator read by a new one (or by the view, when the root changes) must supply its current output;
  // only aggregates (and shared materialize nodes) can, so other kept operators are rebuilt instead (repeat).
  const readersOf = (): [NodeId, string][] => {
    const out: [NodeId, string][] = [];
    for (const n of newPlan.nodes) if (!reuse.has(n.id)) for (const i of inputsOf(n)) out.push([i, n.label]);
    if (mapped(newPlan.output) !== oldRoot) out.push([newPlan.output, `Materialize ${old.name}`]);
    return out;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [i] of readersOf()) {
      const kept = reuse.get(i);
      if (kept !== undefined && oldById.get(kept)!.kind !== 'aggregate') {
        reuse.delete(i);
        used.delete(kept);
        changed = true;
      }
    }
  }
  for (const [i, label] of readersOf()) {
    if (planned.has(i) || !i.startsWith('src/')) continue;
    const src = engine.catalog.list('source').find((o) => sourceNode(o.oid) === i);
    throw new SqlError(SQLSTATE.feature_not_supported, `cannot alter materialized view "${old.name}": the changed part "${label}" would need the history of source "${src?.name ?? i}"`, {
      detail: `Sources store no rows, so an operator that reads "${src?.name ?? i}" directly can only start from now. The operators of the new query that differ from the running ones start empty and are filled from what they read.`,
      hint: 'Keep the part of the query that reads the source (its filters, windows and the aggregate or join) unchanged, so its state is kept, and change only what is computed from it (for example HAVING); or drop and re-create the view to start from now.',
    });
  }

  // Everything is checked: build the new operators, queue their backfill, rewire the view, drop the unused ones.
  for (const [id, spec] of newHaving) engine.replaceAggregateHaving(id, renameSpec(spec, mapped));
  const keptIds = new Set(reuse.values());
  const fresh = newPlan.nodes.filter((n) => !reuse.has(n.id)).map((n) => renameSpec(n, mapped));
  const newRoot = mapped(newPlan.output);
  const backfills: { node: NodeId; port: number; rows: ChangeBatch }[] = [];
  for (const n of fresh) {
    inputsOf(n).forEach((i, port) => {
      if (keptIds.has(i)) backfills.push({ node: n.id, port, rows: engine.dataflow.currentOutput(i) ?? [] });
    });
  }
  const out = mvNode(old.oid);
  let mvBackfill: ChangeBatch | null = null;
  if (newRoot !== oldRoot || newHaving.has(newRoot)) {
    mvBackfill = [];
    for (const [row, weight] of engine.dataflow.contents(out)) mvBackfill.push({ row, weight: -weight });
    if (!planned.has(newPlan.output) || keptIds.has(newRoot)) mvBackfill.push(...(engine.dataflow.currentOutput(newRoot) ?? []));
  }
  const removed = oldPlan.nodes.map((n) => n.id).filter((id) => !keptIds.has(id) && engine.nodeIds.has(id));
  const reusedNodes: Record<string, string> = {};
  for (const [k, v] of reuse) reusedNodes[k] = v;
  const def: MaterializedViewDef = { ...old, sql: `CREATE MATERIALIZED VIEW ${quoteIdent(old.name)} AS ${queryText}`, query: queryText, dependsOn: [...bound.dependsOn], planVersion: version, reusedNodes };
  engine.catalog.replace(def);
  engine.addNodes(fresh);
  for (const b of backfills) engine.dataflow.queueBackfill(b.node, b.port, b.rows);
  if (mvBackfill !== null) engine.dataflow.rewire(out, newRoot, mvBackfill);
  if (removed.length) engine.removeNodes(removed);
  for (const i of newPlan.inputs) if (i.rows) engine.push(i.id, i.rows.map((row) => ({ row, weight: 1 })));

  const keptStateful = [...keptIds].filter((id) => STATEFUL.has(oldById.get(id)!.kind));
  const rebuiltStateful = fresh.filter((n) => STATEFUL.has(n.kind));
  notices.push(
    engine.notice(
      `materialized view "${old.name}" altered: kept state of ${keptStateful.length} operator${keptStateful.length === 1 ? '' : 's'}, recomputed ${rebuiltStateful.length} (and ${fresh.length - rebuiltStateful.length} stateless)`,
      [...keptStateful.map((id) => `kept: ${newHaving.get(id)?.label ?? oldById.get(id)!.label}`), ...fresh.filter((n) => n.kind !== 'input').map((n) => `recomputed: ${n.label}`)].join('\n') || undefined,
    ),
  );
  engine.log.info('materialized view altered', { view: old.name, version, kept: keptIds.size, rebuilt: fresh.length, removed: removed.length });
}

/** The new query must produce the view's columns (same number, names, types): dependents and sinks read them. */
function checkSameColumns(old: MaterializedViewDef, cols: readonly { name: string; type: string }[]): void {
  const hint = 'Drop and re-create the view (and what depends on it) to change its columns.';
  if (cols.length !== old.columns.length) {
    throw new SqlError(SQLSTATE.feature_not_supported, `cannot change the number of columns of materialized view "${old.name}" from ${old.columns.length} to ${cols.length}`, {
      detail: cols.length > old.columns.length ? `The new query adds column "${cols[old.columns.length]!.name}".` : `The new query has no column "${old.columns[cols.length]!.name}".`,
      hint,
    });
  }
  old.columns.forEach((c, i) => {
    const n = cols[i]!;
    if (n.name !== c.name || n.type !== c.type) {
      throw new SqlError(SQLSTATE.feature_not_supported, `cannot change column ${i + 1} of materialized view "${old.name}"`, {
        detail: `Column ${i + 1} is "${c.name}" ${c.type} in the view and "${n.name}" ${n.type} in the new query.`,
        hint,
      });
    }
  });
}

// ───────────────────────────── drop ─────────────────────────────

export function dropObjects(engine: Engine, kind: CatalogObject['kind'], names: string[], ifExists: boolean, cascade: boolean, notices: Notice[]): void {
  for (const name of names) {
    const obj = engine.catalog.get(name);
    if (!obj) {
      if (ifExists) {
        notices.push(engine.notice(`${kind} "${name}" does not exist, skipping`));
        continue;
      }
      throw new SqlError(kind === 'sink' ? SQLSTATE.undefined_object : SQLSTATE.undefined_table, `${kind} "${name}" does not exist`);
    }
    if (obj.kind !== kind) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a ${kind}`, { hint: `Use DROP ${obj.kind.toUpperCase()} to remove a ${obj.kind}.` });
    const dependents = engine.catalog.transitiveDependents(name);
    if (dependents.length && !cascade) {
      throw new SqlError(SQLSTATE.dependent_objects_still_exist, `cannot drop ${kind} ${name} because other objects depend on it`, {
        detail: dependents.map((d) => `${d.kind} ${d.name} depends on ${kind} ${name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    for (const d of dependents) {
      notices.push(engine.notice(`drop cascades to ${d.kind} ${d.name}`));
      removeObject(engine, d);
    }
    removeObject(engine, obj);
  }
}

function removeObject(engine: Engine, obj: CatalogObject): void {
  const ids = [...engine.nodeIds].filter((id) => belongsTo(id, obj));
  switch (obj.kind) {
    case 'source': {
      const s = engine.sources.get(obj.name);
      s?.reader?.close().catch(() => undefined);
      engine.sources.delete(obj.name);
      engine.store.putMeta(`source/${obj.name}/offsets`, null);
      break;
    }
    case 'sink': {
      const s = engine.sinks.get(obj.name);
      if (s) engine.dataflow.unwatch(s.node);
      s?.writer?.close().catch(() => undefined);
      engine.sinks.delete(obj.name);
      engine.store.putMeta(`sink/${obj.name}/pending`, []);
      break;
    }
    case 'table':
      engine.tables.delete(obj.name);
      break;
    default:
      break;
  }
  if (ids.length) engine.removeNodes(ids);
  engine.catalog.remove(obj.name);
}

function belongsTo(id: NodeId, obj: CatalogObject): boolean {
  const o = String(obj.oid);
  switch (obj.kind) {
    case 'source':
      return id === `src/${o}`;
    case 'table':
      return id === `tbl/${o}` || id === `tbl/${o}/in`;
    case 'materialized view':
      return id === `mv/${o}` || id.startsWith(`mv/${o}/`);
    case 'sink':
      return id === `sink/${o}` || id.startsWith(`sink/${o}/`);
    case 'view':
      return false;
  }
}

// ───────────────────────────── recovery ─────────────────────────────

export async function rebuildObject(engine: Engine, obj: CatalogObject): Promise<void> {
  const notices: Notice[] = [];
  switch (obj.kind) {
    case 'source': {
      const from = (engine.store.getMeta(`source/${obj.name}/offsets`) as SourceOffsets | undefined) ?? null;
      startSource(engine, obj, from, notices);
      break;
    }
    case 'table':
      startTable(engine, obj);
      break;
    case 'materialized view': {
      const bound = bindStream(engine, obj.query);
      startMaterializedView(engine, obj, bound.plan, false);
      break;
    }
    case 'sink':
      startSink(engine, obj, false, notices);
      break;
    case 'view':
      break;
  }
}

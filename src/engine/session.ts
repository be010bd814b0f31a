/**
 * A client session: runs statements against the engine, keeps session settings and the transaction-block state.
 * Reads run through Engine.read() (between epochs, not behind queued writes), so a SELECT sees exactly one
 * committed epoch; DDL and DML run inside Engine.serial().
 * An ad-hoc SELECT copies its inputs inside Engine.read() and evaluates them outside it, yielding to the event loop
 * between steps, so a CancelRequest (cancel()) or statement_timeout can stop it with 57014.
 * Invariant: a failed statement never changes engine state; inside BEGIN … it moves the session to 'E' until
 * ROLLBACK (or COMMIT, which then rolls back), as PostgreSQL does.
 */
import { SqlError, SQLSTATE, type Notice } from '../common/errors.js';
import { compareValues } from '../common/compare.js';
import type { Column, Row, SqlType, Value } from '../common/types.js';
import { evaluateBatch, evaluateBatchInterruptible, type BatchQuery } from '../dataflow/graph.js';
import { MemoryStore } from '../state/memory-store.js';
import { formatValueText } from '../expr/text-io.js';
import { resolveTimeZone } from '../expr/timezone.js';
import type { PgNode, Statement } from '../sql/ast.js';
import { parseStatement, parsePg } from '../sql/parser.js';
import { splitStatements } from '../sql/lexer.js';
import { rewriteDriverQuery } from './driver-queries.js';
import { bindQuery, type BoundQuery } from '../plan/binder.js';
import type { LogicalPlan } from '../plan/logical.js';
import { planDataflow } from '../plan/stream.js';
import { subqueryCompiler } from '../plan/subquery.js';
import { compile, compilePredicate, containsSubquery } from '../plan/bound.js';
import { explainLogical } from '../plan/explain.js';
import { pointLookup } from '../plan/point-lookup.js';
import type { EngineSession, PreparedStatement, ResultColumn, SessionOptions, StatementResult, TransactionStatus } from './api.js';
import type { Engine } from './engine.js';
import { catalogFunctions, SERVER_VERSION, type SessionView } from './catalog-functions.js';
import { relationResolver } from './resolver.js';
import * as ddl from './ddl.js';
import { executeDml } from './dml.js';

const DEFAULT_SETTINGS: Record<string, string> = {
  server_version: SERVER_VERSION,
  server_version_num: '150000',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  datestyle: 'ISO, MDY',
  timezone: 'UTC',
  intervalstyle: 'postgres',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  application_name: '',
  search_path: '"$user", public',
  extra_float_digits: '1',
  is_superuser: 'on',
  transaction_isolation: 'serializable',
  transaction_read_only: 'off',
  default_transaction_isolation: 'serializable',
  statement_timeout: '0',
  lock_timeout: '0',
  max_identifier_length: '63',
  bytea_output: 'hex',
};

/** Settings that are reported to the client with ParameterStatus, under their canonical spelling. */
const REPORTED: Record<string, string> = {
  server_version: 'server_version',
  server_encoding: 'server_encoding',
  client_encoding: 'client_encoding',
  datestyle: 'DateStyle',
  timezone: 'TimeZone',
  intervalstyle: 'IntervalStyle',
  integer_datetimes: 'integer_datetimes',
  standard_conforming_strings: 'standard_conforming_strings',
  application_name: 'application_name',
  is_superuser: 'is_superuser',
  session_authorization: 'session_authorization',
};

/** The top of a SELECT's plan applied after evaluation: ORDER BY, LIMIT/OFFSET, and the projection dropping sort-only columns. */
interface PlanTop {
  /** The plan below them: what is evaluated. */
  readonly plan: LogicalPlan;
  readonly sort: { index: number; desc: boolean; nullsFirst: boolean }[] | null;
  readonly limit: { limit: number | null; offset: number } | null;
  readonly width: number | null;
  /** Without ORDER BY any offset + limit rows will do, so the single-pass scan may stop there. */
  readonly enough: number;
}

/** A SELECT after its read phase: its rows, or the batch dataflow over inputs copied from the committed epoch. */
interface ReadQuery {
  readonly bound: BoundQuery;
  readonly top: PlanTop;
  readonly rows: Row[] | null;
  readonly batch: BatchQuery | null;
}

/** The statement running now: set by cancel(); its statement_timeout deadline (performance.now() ms, Infinity: none). */
interface RunningStatement {
  cancelled: boolean;
  readonly deadlineAt: number;
}

const STATEMENT_TIMEOUT_UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
  ['us', 0.001],
];
const INT_MAX = 2_147_483_647;

/**
 * A statement_timeout value as PostgreSQL parses an integer setting in milliseconds: an integer (decimal, 0x hex,
 * 0 octal) or a decimal/exponent number, optionally followed by a unit (us, ms, s, min, h, d; case-sensitive),
 * rounded half to even to whole ms. Returns the milliseconds; throws 22023 with PostgreSQL's message and hint.
 */
export function parseStatementTimeout(text: string): number {
  const invalid = (hint?: string): SqlError =>
    new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "statement_timeout": "${text}"`, hint === undefined ? {} : { hint });
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*(?![0-9.eE])|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/.exec(text);
  if (m === null) throw invalid();
  const digits = m[2]!;
  let value = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : /^0[0-7]+$/.test(digits) ? parseInt(digits, 8) : Number(digits);
  if (m[1] === '-') value = -value;
  const unit = m[3]!;
  if (unit !== '') {
    const u = STATEMENT_TIMEOUT_UNITS.find(([name]) => name === unit);
    if (u === undefined) throw invalid('Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
    value *= u[1];
  }
  const rounded = Math.abs(value % 1) === 0.5 ? 2 * Math.round(value / 2) : Math.round(value);
  if (!Number.isFinite(rounded) || rounded > INT_MAX || rounded < -INT_MAX - 1) throw invalid('Value exceeds integer range.');
  if (rounded < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, `${rounded} ms is outside the valid range for parameter "statement_timeout" (0 .. ${INT_MAX})`);
  return rounded === 0 ? 0 : rounded; // no -0
}

/** How SHOW prints a statement_timeout of `ms`: `0`, else in the largest unit that divides it (`2s`, `1500ms`). */
export function formatStatementTimeout(ms: number): string {
  if (ms === 0) return '0';
  for (const [name, factor] of STATEMENT_TIMEOUT_UNITS) if (factor >= 1 && ms % factor === 0) return `${ms / factor}${name}`;
  return `${ms}ms`;
}

interface CompiledScan {
  readonly node: string;
  readonly params: Value[];
  readonly ctx: { nowMicros: number; timeZone: string };
  readonly keep: ((row: Row) => boolean) | null;
  readonly fns: ((row: Row) => Value)[] | null;
  readonly point: { columns: number[]; values: ((row: Row) => Value)[] } | null;
}

export class Session implements EngineSession, SessionView {
  private status: TransactionStatus = 'I';
  /** Bound plans of prepared SELECTs, valid while the catalog's generation is the one they were bound at. */
  private readonly planCache = new WeakMap<PreparedStatement, { bound: BoundQuery; generation: number }>();
  /** The post-evaluation top (ORDER BY/LIMIT/projection) by plan object, so a prepared plan splits it once. */
  private readonly topCache = new WeakMap<LogicalPlan, PlanTop>();
  /** Compiled single-pass scans by plan object (see compiledScan). */
  private readonly scanCache = new WeakMap<LogicalPlan, CompiledScan | null>();
  private readonly settings: Record<string, string>;
  /** Bumped whenever a setting changes (the server re-reads reportedSettings() only then). */
  private settingsVersion = 0;
  private reported: { version: number; values: Readonly<Record<string, string>> } | null = null;
  private running: RunningStatement | null = null;
  /** statement_timeout in ms, parsed from the setting's text (kept canonical by set/SET), cached by that text. */
  private timeout = { text: '0', ms: 0 };
  readonly user: string;
  readonly database: string;

  constructor(
    private readonly engine: Engine,
    private readonly opts: SessionOptions,
    readonly backendPid: number,
  ) {
    this.user = opts.user;
    this.database = opts.database;
    this.settings = { ...DEFAULT_SETTINGS, application_name: opts.applicationName ?? '', session_authorization: opts.user };
  }

  splitStatements(sql: string): { sql: string; offset: number }[] {
    return splitStatements(sql);
  }

  setting(name: string): string | undefined {
    return this.settings[name.toLowerCase()];
  }

  set(name: string, value: string): void {
    const key = name.toLowerCase();
    this.settings[key] = key === 'statement_timeout' ? formatStatementTimeout(parseStatementTimeout(value)) : value;
    this.settingsVersion++;
  }

  reportedSettings(): Record<string, string> {
    if (this.reported?.version === this.settingsVersion) return this.reported.values;
    const out: Record<string, string> = {};
    for (const [k, canonical] of Object.entries(REPORTED)) if (this.settings[k] !== undefined) out[canonical] = this.settings[k]!;
    this.reported = { version: this.settingsVersion, values: out };
    return out;
  }

  transactionStatus(): TransactionStatus {
    return this.status;
  }

  /** Cancel the statement running now: it fails with 57014 at its next interruption point. No-op when idle. */
  cancel(): void {
    if (this.running !== null) this.running.cancelled = true;
  }

  close(): void {}

  private notify(notices: Notice[]): void {
    for (const n of notices) this.opts.onNotice?.(n);
  }

  async execute(sql: string): Promise<StatementResult> {
    return this.statement(() => this.run(sql, []));
  }

  /** Run one statement as the session's running one: cancel() and statement_timeout apply to it until it ends. */
  private async statement(fn: () => Promise<StatementResult>): Promise<StatementResult> {
    const running = this.begin();
    try {
      return await fn();
    } finally {
      this.end(running);
    }
  }

  private begin(): RunningStatement {
    const ms = this.statementTimeoutMs();
    return (this.running = { cancelled: false, deadlineAt: ms > 0 ? performance.now() + ms : Infinity });
  }

  private end(running: RunningStatement): void {
    if (this.running === running) this.running = null;
  }

  private statementTimeoutMs(): number {
    const text = this.settings['statement_timeout'] ?? '0';
    if (text !== this.timeout.text) this.timeout = { text, ms: parseStatementTimeout(text) };
    return this.timeout.ms;
  }

  private planTopOf(plan: LogicalPlan): PlanTop {
    let top = this.topCache.get(plan);
    if (top === undefined) this.topCache.set(plan, (top = planTop(plan)));
    return top;
  }

  /** Throws 57014 when the statement was cancelled or has run past its statement_timeout. */
  private static checkInterrupt(r: RunningStatement | null): void {
    if (r === null) return;
    if (r.cancelled) throw new SqlError(SQLSTATE.query_canceled, 'canceling statement due to user request');
    if (r.deadlineAt !== Infinity && performance.now() >= r.deadlineAt) throw new SqlError(SQLSTATE.query_canceled, 'canceling statement due to statement timeout');
  }

  prepare(sql: string, paramTypes: readonly (SqlType | null)[]): PreparedStatement {
    const st = parseStatement(rewriteDriverQuery(sql));
    const types = [...paramTypes];
    let columns: ResultColumn[] | null = null;
    const select = st.kind === 'pg' ? selectNode(st.node) : null;
    if (select) {
      const bound = this.bindBatch(select, types).bound;
      columns = bound.columns.map((c) => ({ name: c.name, type: c.type }));
    } else if (st.kind === 'pg' && (st.node.InsertStmt || st.node.UpdateStmt || st.node.DeleteStmt)) {
      columns = executeDml(this.engine, st.node, this.bindContext(types), true).returning?.columns ?? null;
    } else if (st.kind === 'show_objects') {
      columns = [{ name: 'Name', type: 'text' }];
    } else if (st.kind === 'describe') {
      columns = [{ name: 'Name', type: 'text' }, { name: 'Type', type: 'text' }, { name: 'Key', type: 'text' }];
    } else if (st.kind === 'show_create') {
      columns = [{ name: 'Name', type: 'text' }, { name: 'Create Sql', type: 'text' }];
    } else if (st.kind === 'pg' && st.node.ExplainStmt) {
      columns = [{ name: 'QUERY PLAN', type: 'text' }];
    } else if (st.kind === 'pg' && st.node.VariableShowStmt) {
      const name = String(st.node.VariableShowStmt.name).toLowerCase();
      columns = name === 'all' ? [{ name: 'name', type: 'text' }, { name: 'setting', type: 'text' }, { name: 'description', type: 'text' }] : [{ name, type: 'text' }];
    }
    const resolved = types.map((t) => (t === null || t === 'unknown' ? 'text' : t));
    return { sql, paramTypes: resolved, columns };
  }

  executePrepared(stmt: PreparedStatement, params: readonly Value[]): StatementResult | Promise<StatementResult> {
    const cached = this.planCache.get(stmt);
    if (cached === undefined || cached.generation !== this.engine.catalog.generation || this.status === 'E') {
      return this.statement(() => this.run(stmt.sql, params, stmt.paramTypes, stmt));
    }
    // The serving fast path: synchronous (no promise) when the read runs at once and needs no batch evaluation.
    // Errors always come as a rejected promise.
    const running = this.begin();
    let result: StatementResult | Promise<StatementResult>;
    try {
      // A cached plan binds no catalog function (see bindBatch's `stable`), so it may be evaluated outside read().
      const read = this.engine.read(() => this.readQuery(cached.bound, params, true));
      result = read instanceof Promise ? read.then((r) => this.finishQuery(r)) : this.finishQuery(read);
    } catch (e) {
      return this.preparedFailed(running, e);
    }
    if (!(result instanceof Promise)) {
      this.end(running);
      return result;
    }
    return result.then(
      (r) => {
        this.end(running);
        return r;
      },
      (e: unknown) => this.preparedFailed(running, e),
    );
  }

  private preparedFailed(running: RunningStatement, e: unknown): Promise<never> {
    this.failTransaction();
    this.end(running);
    return Promise.reject(e);
  }

  private async run(sql: string, params: readonly Value[], paramTypes?: readonly SqlType[], prepared?: PreparedStatement): Promise<StatementResult> {
    let st: Statement;
    try {
      st = parseStatement(rewriteDriverQuery(sql));
    } catch (e) {
      this.failTransaction();
      throw e;
    }
    const tx = st.kind === 'pg' ? st.node.TransactionStmt : null;
    if (tx) return this.transaction(tx);
    if (this.status === 'E') {
      throw new SqlError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    try {
      return await this.dispatch(st, params, paramTypes ?? [], prepared);
    } catch (e) {
      this.failTransaction();
      throw e;
    }
  }

  private failTransaction(): void {
    if (this.status === 'T') this.status = 'E';
  }

  private transaction(tx: PgNode): StatementResult {
    switch (tx.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        if (this.status !== 'I') this.opts.onNotice?.({ severity: 'WARNING', code: '25001', message: 'there is already a transaction in progress' });
        this.status = 'T';
        return { kind: 'command', commandTag: tx.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION' };
      case 'TRANS_STMT_COMMIT': {
        const wasFailed = this.status === 'E';
        if (this.status === 'I') this.opts.onNotice?.({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        this.status = 'I';
        return { kind: 'command', commandTag: wasFailed ? 'ROLLBACK' : 'COMMIT' };
      }
      case 'TRANS_STMT_ROLLBACK':
        if (this.status === 'I') this.opts.onNotice?.({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        this.status = 'I';
        return { kind: 'command', commandTag: 'ROLLBACK' };
      default:
        throw new SqlError(SQLSTATE.feature_not_supported, 'savepoints and two-phase commit are not supported');
    }
  }

  private bindContext(paramTypes: (SqlType | null)[]): { resolver: ReturnType<typeof relationResolver>; functions: ReturnType<typeof catalogFunctions>; paramTypes: (SqlType | null)[]; nowMicros: number } {
    return { resolver: relationResolver(this.engine), functions: catalogFunctions(this.engine, this), paramTypes, nowMicros: this.engine.clock.nowMicros() };
  }

  private async dispatch(st: Statement, params: readonly Value[], paramTypes: readonly SqlType[], prepared?: PreparedStatement): Promise<StatementResult> {
    const e = this.engine;
    const notices: Notice[] = [];
    const ddl1 = async (tag: string, fn: () => void): Promise<StatementResult> => {
      await e.serial(async () => {
        fn();
        await e.runEpoch();
      });
      this.notify(notices);
      return { kind: 'command', commandTag: tag };
    };
    switch (st.kind) {
      case 'create_source':
        return ddl1('CREATE SOURCE', () => ddl.createSource(e, st, 0, notices));
      case 'create_sink':
        return ddl1('CREATE SINK', () => ddl.createSink(e, st, 0, notices));
      case 'drop':
        return ddl1(st.objectKind === 'source' ? 'DROP SOURCE' : 'DROP SINK', () => ddl.dropObjects(e, st.objectKind, st.names, st.ifExists, st.cascade, notices));
      case 'flush':
        await e.serial(() => e.runEpoch());
        return { kind: 'command', commandTag: 'FLUSH' };
      case 'show_objects':
        return this.showObjects(st.what);
      case 'describe':
        return this.describe(st.name);
      case 'show_create':
        return this.showCreate(st.objectKind, st.name);
      case 'alter_mv_as':
        return ddl1(/^\s*create/i.test(st.text) ? 'CREATE MATERIALIZED VIEW' : 'ALTER MATERIALIZED VIEW', () => ddl.alterMaterializedView(e, st, notices));
      case 'pg':
        break;
    }
    const n = st.node;
    const select = selectNode(n);
    if (select) return this.query(select, params, paramTypes, prepared);
    if (n.CreateStmt) return ddl1('CREATE TABLE', () => ddl.createTable(e, n, st.text, notices));
    if (n.CreateTableAsStmt) {
      if (n.CreateTableAsStmt.objtype !== 'OBJECT_MATVIEW') throw new SqlError(SQLSTATE.feature_not_supported, 'CREATE TABLE AS is not supported', { hint: 'Use CREATE MATERIALIZED VIEW … AS.' });
      return ddl1('CREATE MATERIALIZED VIEW', () => ddl.createMaterializedView(e, n, st.text, notices, 0));
    }
    if (n.ViewStmt) return ddl1('CREATE VIEW', () => ddl.createView(e, n, st.text, notices, 0));
    if (n.DropStmt) return this.drop(n.DropStmt, notices, ddl1);
    if (n.InsertStmt || n.UpdateStmt || n.DeleteStmt) {
      const r = await e.serial(async () => {
        const done = executeDml(e, n, this.bindContext([...paramTypes]), false, params, (plan, ps) => this.evaluate(plan, ps));
        await e.runEpoch();
        return done;
      });
      return r.returning === null ? { kind: 'command', commandTag: r.commandTag } : { kind: 'rows', columns: r.returning.columns, rows: r.returning.rows, commandTag: r.commandTag };
    }
    if (n.VariableSetStmt) return this.setStmt(n.VariableSetStmt);
    if (n.VariableShowStmt) return this.showSetting(n.VariableShowStmt.name);
    if (n.ExplainStmt) return this.explain(n.ExplainStmt);
    if (n.CopyStmt) return this.copy(n.CopyStmt, params, paramTypes);
    if (n.RenameStmt) return ddl1('ALTER', () => this.rename(n.RenameStmt));
    if (n.DiscardStmt) return { kind: 'command', commandTag: 'DISCARD ALL' };
    if (n.DeallocateStmt) return { kind: 'command', commandTag: 'DEALLOCATE' };
    if (n.ListenStmt || n.UnlistenStmt) return { kind: 'command', commandTag: n.ListenStmt ? 'LISTEN' : 'UNLISTEN' };
    if (n.CommentStmt) throw new SqlError(SQLSTATE.feature_not_supported, 'COMMENT is not supported yet');
    throw new SqlError(SQLSTATE.feature_not_supported, `${Object.keys(n)[0]!.replace(/Stmt$/, '')} statements are not supported`);
  }

  private async drop(d: PgNode, notices: Notice[], ddl1: (tag: string, fn: () => void) => Promise<StatementResult>): Promise<StatementResult> {
    const kinds: Record<string, 'table' | 'view' | 'materialized view'> = { OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'materialized view' };
    const kind = kinds[d.removeType];
    if (!kind) throw new SqlError(SQLSTATE.feature_not_supported, `DROP ${String(d.removeType).replace('OBJECT_', '')} is not supported`);
    const names = (d.objects as PgNode[]).map((o) => {
      const items = (o.List?.items ?? [o]) as PgNode[];
      return items[items.length - 1].String.sval as string;
    });
    const tag = kind === 'table' ? 'DROP TABLE' : kind === 'view' ? 'DROP VIEW' : 'DROP MATERIALIZED VIEW';
    return ddl1(tag, () => ddl.dropObjects(this.engine, kind, names, !!d.missing_ok, d.behavior === 'DROP_CASCADE', notices));
  }

  private rename(r: PgNode): void {
    const e = this.engine;
    const from: string = r.relation?.relname;
    const to: string = r.newname;
    if (r.renameType !== 'OBJECT_TABLE' && r.renameType !== 'OBJECT_VIEW' && r.renameType !== 'OBJECT_MATVIEW') throw new SqlError(SQLSTATE.feature_not_supported, 'only ALTER TABLE/VIEW/MATERIALIZED VIEW … RENAME TO is supported');
    if (!e.catalog.get(from)) throw new SqlError(SQLSTATE.undefined_table, `relation "${from}" does not exist`);
    if (e.catalog.directDependents(from).some((d) => d.kind === 'view' || d.kind === 'materialized view')) {
      throw new SqlError(SQLSTATE.feature_not_supported, `cannot rename "${from}" while views depend on it`, { detail: e.catalog.directDependents(from).map((d) => `${d.kind} ${d.name}`).join('\n') });
    }
    e.catalog.rename(from, to);
    for (const m of [e.sources, e.tables, e.sinks] as Map<string, { def: { name: string } }>[]) {
      const rt = m.get(from);
      if (rt) {
        m.delete(from);
        rt.def = e.catalog.get(to) as never;
        m.set(to, rt);
      }
    }
  }

  // ───────────────────────────── queries ─────────────────────────────

  /**
   * Bind and run a SELECT. For a prepared statement the bound plan is kept (until the catalog changes) when
   * binding read nothing that can change between executions: NOW(), session/catalog functions, system views.
   */
  private async query(select: PgNode, params: readonly Value[], paramTypes: readonly SqlType[], prepared?: PreparedStatement): Promise<StatementResult> {
    const types: (SqlType | null)[] = [...paramTypes];
    const read = await this.engine.read(() => {
      const generation = this.engine.catalog.generation;
      const { bound, stable, callsEngine } = this.bindBatch(select, types);
      if (prepared !== undefined && stable) this.planCache.set(prepared, { bound, generation });
      return this.readQuery(bound, params, !callsEngine);
    });
    return this.finishQuery(read);
  }

  /**
   * The part of a SELECT that reads the committed epoch (call inside Engine.read()): the single-pass scan, or the
   * batch dataflow with its inputs copied. `deferrable` false (the plan calls catalog functions, which read the
   * engine when evaluated) or a plan with subqueries (they read their relations when first evaluated) is
   * evaluated here too, in one step.
   */
  private readQuery(bound: BoundQuery, params: readonly Value[], deferrable: boolean): ReadQuery {
    const top = this.planTopOf(bound.plan);
    const rows = this.scanFastPath(top.plan, params, top.enough);
    if (rows !== null) return { bound, top, rows, batch: null };
    const { batch, readsLater } = this.batchQuery(top.plan, params);
    if (!deferrable || readsLater) return { bound, top, rows: runBatch(batch), batch: null };
    return { bound, top, rows: null, batch };
  }

  /** The rest of a SELECT, outside Engine.read(): the batch evaluation (interruptible), then ORDER BY/LIMIT. */
  private finishQuery(read: ReadQuery): StatementResult | Promise<StatementResult> {
    const running = this.running;
    Session.checkInterrupt(running);
    if (read.rows !== null) return rowsResultOf(read, read.rows);
    return evaluateBatchInterruptible(read.batch!, new MemoryStore(), { interrupt: () => Session.checkInterrupt(running) }).then((rows) => rowsResultOf(read, rows));
  }

  /**
   * Bind an ad-hoc query, also telling whether the result depends only on the catalog (not on the clock or
   * session) and whether it calls catalog/session functions (which read the engine when evaluated).
   */
  private bindBatch(select: PgNode, paramTypes: (SqlType | null)[]): { bound: BoundQuery; stable: boolean; callsEngine: boolean } {
    const c = this.bindContext(paramTypes);
    let stable = true;
    let callsEngine = false;
    const resolver = {
      resolve: (parts: string[]) => {
        const r = c.resolver.resolve(parts);
        if (r?.kind === 'relation' && r.ref.kind === 'system') stable = false;
        return r;
      },
    };
    const functions = (name: string, argTypes: SqlType[]) => {
      const f = c.functions(name, argTypes);
      if (f !== null) {
        stable = false;
        callsEngine = true;
      }
      return f;
    };
    const opts = {
      mode: 'batch' as const,
      resolver,
      functions,
      paramTypes,
      get nowMicros(): number {
        stable = false;
        return c.nowMicros;
      },
    };
    const bound = bindQuery(select, opts);
    return { bound, stable, callsEngine };
  }

  /** Evaluate a bound plan in batch over the committed contents it reads, synchronously (DML, Engine.evaluatePlan). */
  evaluate(plan: LogicalPlan, params: readonly Value[]): Row[] {
    const top = this.planTopOf(plan);
    const rows = this.scanFastPath(top.plan, params, top.enough) ?? runBatch(this.batchQuery(top.plan, params).batch);
    return applyTop(rows, top);
  }

  /**
   * The general path: the plan as a batch dataflow over copies of the committed contents it reads (copy them
   * inside Engine.read()). `readsLater`: the plan holds a subquery, whose closure reads its relations when first
   * evaluated, so it must be evaluated inside the same read.
   */
  private batchQuery(plan: LogicalPlan, params: readonly Value[]): { batch: BatchQuery; readsLater: boolean } {
    const now = this.engine.clock.nowMicros();
    const compileSubquery = subqueryCompiler((ref) => this.relationRows(ref));
    let readsLater = false;
    const sp = planDataflow(plan, {
      prefix: 'q/',
      ctx: { nowMicros: now, timeZone: this.settings['timezone'] ?? 'UTC' },
      inputFor: () => null,
      params,
      subquery: (e, o) => {
        readsLater = true;
        return compileSubquery(e, o);
      },
    });
    const inputs = new Map<string, Row[]>();
    for (const i of sp.inputs) {
      if (i.rows) inputs.set(i.id, i.rows);
      else if (i.relation) inputs.set(i.id, this.relationRows(i.relation));
    }
    return { batch: { nodes: sp.nodes, inputs, outputId: sp.output, nowMicros: now }, readsLater };
  }

  /**
   * The common serving shape — [project] over [filter] over one view or table — evaluated in one pass over the
   * committed contents, without copying them or building a dataflow, stopping after `enough` rows. When the
   * filter pins columns by equality (`host_id = $1`), only the rows of those values are visited, through the
   * node's serving index on those columns. Null when the plan has another shape.
   */
  private scanFastPath(plan: LogicalPlan, params: readonly Value[], enough: number): Row[] | null {
    const scan = this.compiledScan(plan);
    if (scan === null) return null;
    // The closures read parameters and the clock through these two objects, refreshed for this execution.
    scan.params.length = 0;
    for (const v of params) scan.params.push(v);
    scan.ctx.nowMicros = this.engine.clock.nowMicros();
    scan.ctx.timeZone = this.settings['timezone'] ?? 'UTC';
    const df = this.engine.dataflow;
    const { keep, fns } = scan;
    const out: Row[] = [];
    /** Take one candidate row n times if it passes the filter; true once there are enough rows. */
    const take = (row: Row, n: number): boolean => {
      if (keep && !keep(row)) return false;
      let r = row;
      if (fns) {
        r = new Array(fns.length);
        for (let i = 0; i < fns.length; i++) (r as Value[])[i] = fns[i]!(row);
      }
      for (let i = 0; i < n && out.length < enough; i++) out.push(r);
      return out.length >= enough;
    };
    const point = scan.point && df.lookup(scan.node, scan.point.columns, scan.point.values.map((f) => f([])));
    const resident = point ? null : df.residentContents(scan.node);
    if (point) {
      for (const [row, n] of point) if (take(row, n)) break;
    } else if (resident) {
      for (const e of resident) if (take(e.row, e.weight)) break;
    } else {
      for (const [row, n] of df.contents(scan.node)) if (take(row, n)) break;
    }
    return out;
  }

  /**
   * The compiled form of a [project] [filter] scan plan, or null for another shape. Kept per plan object, so a
   * prepared statement's cached plan compiles once; the closures read `params` and `ctx`, filled per execution.
   */
  private compiledScan(plan: LogicalPlan): CompiledScan | null {
    const cached = this.scanCache.get(plan);
    if (cached !== undefined) return cached;
    let p = plan;
    const project = p.kind === 'project' ? p : null;
    if (project) p = project.input;
    const filter = p.kind === 'filter' ? p : null;
    if (filter) p = filter.input;
    if (p.kind !== 'scan' || (p.relation.kind !== 'materialized view' && p.relation.kind !== 'table')) {
      this.scanCache.set(plan, null);
      return null;
    }
    const params: Value[] = [];
    const ctx = { nowMicros: 0, timeZone: 'UTC' };
    const copts = { ctx, params, subquery: subqueryCompiler((ref) => this.relationRows(ref)) };
    const point = filter ? pointLookup(filter.predicate) : null;
    const scan: CompiledScan = {
      node: p.relation.kind === 'table' ? ddl.tableNode(p.relation.oid) : ddl.mvNode(p.relation.oid),
      params,
      ctx,
      keep: filter ? compilePredicate(filter.predicate, copts) : null,
      fns: project ? project.exprs.map((x) => compile(x, copts)) : null,
      point: point ? { columns: point.columns, values: point.values.map((v) => compile(v, copts)) } : null,
    };
    // A subquery's closure remembers its first result: such a scan is compiled afresh for every execution.
    const exprs = [...(filter ? [filter.predicate] : []), ...(project ? project.exprs : [])];
    if (!exprs.some(containsSubquery)) this.scanCache.set(plan, scan);
    return scan;
  }

  private relationRows(ref: import('../plan/logical.js').RelationRef): Row[] {
    const e = this.engine;
    switch (ref.kind) {
      case 'system':
        return ref.rows();
      case 'table':
        return e.contentsOf(ddl.tableNode(ref.oid));
      case 'materialized view':
        return e.contentsOf(ddl.mvNode(ref.oid));
      case 'source':
        throw new SqlError(SQLSTATE.feature_not_supported, `source "${ref.name}" cannot be queried directly: a source stores no rows`, {
          hint: `Create a materialized view on it, e.g. CREATE MATERIALIZED VIEW ${ref.name}_all AS SELECT * FROM ${ref.name};`,
        });
    }
  }

  // ───────────────────────────── SHOW / SET / DESCRIBE / EXPLAIN / COPY ─────────────────────────────

  private rowsResult(columns: Column[], rows: Row[], tag?: string): StatementResult {
    return { kind: 'rows', columns: columns.map((c) => ({ name: c.name, type: c.type })), rows, commandTag: tag ?? `SELECT ${rows.length}` };
  }

  private showObjects(what: 'sources' | 'tables' | 'materialized views' | 'views' | 'sinks'): StatementResult {
    const kind = { sources: 'source', tables: 'table', 'materialized views': 'materialized view', views: 'view', sinks: 'sink' }[what] as 'source';
    const objs = this.engine.catalog.list(kind);
    return this.rowsResult([{ name: 'Name', type: 'text' }], objs.map((o) => [o.name]).sort((a, b) => compareValues(a[0]!, b[0]!)), 'SHOW');
  }

  private describe(name: string): StatementResult {
    const o = this.engine.catalog.get(name);
    if (!o) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`);
    const pk = o.kind === 'table' ? new Set(o.primaryKey) : new Set<number>();
    const rows: Row[] = o.columns.map((c, i) => [c.name, c.type, pk.has(i) ? 'primary key' : null]);
    return this.rowsResult([{ name: 'Name', type: 'text' }, { name: 'Type', type: 'text' }, { name: 'Key', type: 'text' }], rows, 'DESCRIBE');
  }

  private showCreate(kind: string, name: string): StatementResult {
    const o = this.engine.catalog.get(name);
    if (!o || o.kind !== kind) throw new SqlError(SQLSTATE.undefined_table, `${kind} "${name}" does not exist`);
    return this.rowsResult([{ name: 'Name', type: 'text' }, { name: 'Create Sql', type: 'text' }], [[o.name, o.sql]], 'SHOW');
  }

  private setStmt(s: PgNode): StatementResult {
    if (s.kind === 'VAR_RESET' || s.kind === 'VAR_RESET_ALL') {
      this.settingsVersion++;
      if (s.kind === 'VAR_RESET_ALL') Object.assign(this.settings, DEFAULT_SETTINGS);
      else this.settings[String(s.name).toLowerCase()] = DEFAULT_SETTINGS[String(s.name).toLowerCase()] ?? '';
      return { kind: 'command', commandTag: 'RESET' };
    }
    if (s.kind === 'VAR_SET_MULTI') return { kind: 'command', commandTag: 'SET' }; // SET TRANSACTION …, SET SESSION CHARACTERISTICS
    const name = String(s.name).toLowerCase();
    const value = s.kind === 'VAR_SET_DEFAULT' ? (DEFAULT_SETTINGS[name] ?? '') : ((s.args ?? []) as PgNode[]).map(argText).join(', ');
    if (name === 'timezone' && resolveTimeZone(value) === null) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "TimeZone": "${value}"`);
    }
    this.set(name, name === 'timezone' && /^(utc|gmt|z)$/i.test(value) ? 'UTC' : value);
    return { kind: 'command', commandTag: 'SET' };
  }

  private showSetting(name: string): StatementResult {
    const key = name.toLowerCase();
    if (key === 'all') {
      const rows = Object.entries(this.settings).sort().map(([k, v]) => [k, v, null]);
      return this.rowsResult([{ name: 'name', type: 'text' }, { name: 'setting', type: 'text' }, { name: 'description', type: 'text' }], rows, 'SHOW');
    }
    const v = this.settings[key];
    if (v === undefined) throw new SqlError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`);
    return this.rowsResult([{ name: key, type: 'text' }], [[v]], 'SHOW');
  }

  private explain(x: PgNode): StatementResult {
    const opts = ((x.options ?? []) as PgNode[]).map((o) => String(o.DefElem.defname).toLowerCase());
    const stage = opts.find((o) => ['logical', 'stream', 'dataflow'].includes(o)) ?? 'stream';
    const inner = x.query;
    let plan: LogicalPlan;
    let mode: 'stream' | 'batch' = 'batch';
    if (inner.CreateTableAsStmt) {
      const [q] = [inner.CreateTableAsStmt.query];
      plan = bindQuery(q, { mode: 'stream', nowMicros: this.engine.clock.nowMicros(), resolver: relationResolver(this.engine) }).plan;
      mode = 'stream';
    } else if (selectNode(inner)) {
      plan = this.bindBatch(selectNode(inner), []).bound.plan;
    } else throw new SqlError(SQLSTATE.feature_not_supported, 'EXPLAIN supports SELECT and CREATE MATERIALIZED VIEW');
    let text: string;
    if (stage === 'logical') text = explainLogical(plan);
    else {
      const sp = planDataflow(plan, { prefix: 'n', ctx: this.engine.ctx, inputFor: () => null, subquery: subqueryCompiler((ref) => this.relationRows(ref)) });
      text = explainNodes(sp.nodes, sp.output, stage === 'dataflow', mode);
    }
    return this.rowsResult([{ name: 'QUERY PLAN', type: 'text' }], text.split('\n').map((l) => [l]), 'EXPLAIN');
  }

  private async copy(c: PgNode, params: readonly Value[], paramTypes: readonly SqlType[]): Promise<StatementResult> {
    if (c.is_from) throw new SqlError(SQLSTATE.feature_not_supported, 'COPY FROM is not supported', { hint: 'Use INSERT; for bulk loads, INSERT … VALUES with many rows.' });
    if (c.filename || c.is_program) throw new SqlError(SQLSTATE.insufficient_privilege, 'COPY to a file or program is not allowed', { hint: 'Use COPY … TO STDOUT (psql: \\copy).' });
    let select: PgNode = c.query;
    if (!select) {
      const rel = c.relation.relname;
      [select] = parsePg(`SELECT * FROM "${rel.replace(/"/g, '""')}"`);
    }
    const opts: Record<string, string> = {};
    for (const o of (c.options ?? []) as PgNode[]) opts[o.DefElem.defname] = o.DefElem.arg ? argText(o.DefElem.arg) : 'true';
    const format = (opts['format'] ?? 'text').toLowerCase();
    if (format !== 'text' && format !== 'csv') throw new SqlError(SQLSTATE.feature_not_supported, `COPY format "${format}" is not supported`);
    const r = await this.query(selectNode(select) ?? select, params, paramTypes);
    if (r.kind !== 'rows') throw new Error('unreachable');
    return {
      kind: 'copy-out',
      format: format as 'text' | 'csv',
      header: opts['header'] === 'true' || opts['header'] === 'on' || opts['header'] === '1',
      delimiter: opts['delimiter'] ?? (format === 'csv' ? ',' : '\t'),
      nullString: opts['null'] ?? (format === 'csv' ? '' : '\\N'),
      columns: r.columns,
      rows: r.rows,
      commandTag: `COPY ${r.rows.length}`,
    };
  }
}

/** Split off the top of a plan that is applied after evaluation (see PlanTop). */
function planTop(plan: LogicalPlan): PlanTop {
  let top = plan;
  let limit: PlanTop['limit'] = null;
  let sort: PlanTop['sort'] = null;
  let width: number | null = null;
  if (top.kind === 'project' && (top.input.kind === 'limit' || top.input.kind === 'sort') && top.exprs.every((e, i) => e.kind === 'column' && e.index === i)) {
    width = top.columns.length;
    top = top.input;
  }
  if (top.kind === 'limit') {
    limit = { limit: top.limit, offset: top.offset };
    top = top.input;
  }
  if (top.kind === 'sort') {
    sort = top.keys.map((k) => ({ index: (k.expr as { index: number }).index, desc: k.desc, nullsFirst: k.nullsFirst }));
    top = top.input;
  }
  const enough = limit !== null && sort === null && limit.limit !== null ? limit.offset + limit.limit : Infinity;
  return { plan: top, sort, limit, width, enough };
}

/** Apply ORDER BY, LIMIT/OFFSET and the final projection of `top` to the evaluated rows. */
function applyTop(evaluated: Row[], top: PlanTop): Row[] {
  let rows = evaluated;
  const keys = top.sort;
  if (keys) {
    rows = [...rows].sort((a, b) => {
      for (const k of keys) {
        const x = a[k.index]!;
        const y = b[k.index]!;
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === k.nullsFirst ? -1 : 1;
        }
        const c = compareValues(x, y);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
  }
  const limit = top.limit;
  if (limit) rows = rows.slice(limit.offset, limit.limit === null ? undefined : limit.offset + limit.limit);
  const width = top.width;
  if (width !== null) rows = rows.map((r) => r.slice(0, width));
  return rows;
}

function rowsResultOf(read: ReadQuery, evaluated: Row[]): StatementResult {
  const rows = applyTop(evaluated, read.top);
  return { kind: 'rows', columns: resultColumnsOf(read.bound), rows, commandTag: `SELECT ${rows.length}` };
}

/** The result columns of a bound query, made once per bound query (a prepared plan's executions share them). */
const resultColumns = new WeakMap<BoundQuery, ResultColumn[]>();
function resultColumnsOf(bound: BoundQuery): ResultColumn[] {
  let columns = resultColumns.get(bound);
  if (columns === undefined) resultColumns.set(bound, (columns = bound.columns.map((c) => ({ name: c.name, type: c.type }))));
  return columns;
}

function runBatch(q: BatchQuery): Row[] {
  return evaluateBatch(q.nodes, q.inputs, q.outputId, q.nowMicros, new MemoryStore());
}

function selectNode(n: PgNode): PgNode | null {
  return n?.SelectStmt ? n : null;
}

function argText(a: PgNode): string {
  if (a.A_Const) {
    const c = a.A_Const;
    if (c.sval) return c.sval.sval;
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.ival !== undefined) return '0';
    if (c.fval) return c.fval.fval;
    if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
  }
  if (a.String) return a.String.sval;
  if (a.Boolean) return a.Boolean.boolval ? 'true' : 'false';
  if (a.TypeCast) return argText(a.TypeCast.arg);
  return JSON.stringify(a);
}

function explainNodes(nodes: import('../dataflow/spec.js').NodeSpec[], output: string, withIds: boolean, mode: 'stream' | 'batch'): string {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const inputsOf = (n: import('../dataflow/spec.js').NodeSpec): string[] => {
    switch (n.kind) {
      case 'input':
        return [];
      case 'join':
        return [n.left, n.right];
      case 'union':
        return n.inputs;
      default:
        return [n.input];
    }
  };
  const visit = (id: string, depth: number): void => {
    const n = byId.get(id);
    if (!n) {
      lines.push(`${'  '.repeat(depth)}└─ ${id}`);
      return;
    }
    const prefix = depth === 0 ? '' : `${'  '.repeat(depth - 1)}└─ `;
    const label = mode === 'stream' ? n.label.replace(/^Scan /, 'StreamScan ') : n.label;
    lines.push(`${prefix}${withIds ? `[${n.id}] ${n.kind}: ` : ''}${label}`);
    for (const i of inputsOf(n)) visit(i, depth + 1);
  };
  visit(output, 0);
  return lines.join('\n');
}

export { formatValueText };

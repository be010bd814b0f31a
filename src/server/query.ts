/**
 * QueryHandler: the simple and extended query protocols of one ready session, over an EngineSession.
 * State: prepared statements and portals by name (unnamed = ''); a portal holds its result and a row cursor so
 * Execute with a row limit can suspend and resume. Invariant: every handler either completes its messages or
 * throws (a SqlError or ProtocolError); the session turns a throw into ErrorResponse and, in the extended
 * protocol, skips to the next Sync.
 */
import { SqlError, isSqlError } from '../common/errors.js';
import type { Row, SqlType, Value } from '../common/types.js';
import type { EngineSession, PreparedStatement, ResultColumn, StatementResult } from '../engine/api.js';
import type { BackendWriter, ErrorFields, FieldDescription } from './protocol/backend.js';
import { decodeBinary, encodeBinary, hasBinaryFormat, type TextCodec } from './protocol/binary.js';
import { formatCopyHeader, formatCopyLine } from './protocol/copy-format.js';
import type { FrontendMessage } from './protocol/frontend.js';
import { oidForType, typeForOid, typeSize } from './protocol/type-oids.js';

/** Where a handler writes messages; flush() hands them to the socket and waits while its buffer is full. */
export interface Outbox {
  readonly w: BackendWriter;
  flush(): Promise<void> | void;
  /** The client is gone: stop encoding. */
  readonly isClosed: boolean;
}

/** Flush to the socket once this many bytes of DataRows are buffered. */
const FLUSH_BYTES = 64 * 1024;

interface StoredStatement {
  name: string;
  /** null: the empty query string. */
  prepared: PreparedStatement | null;
}

interface Portal {
  statement: StoredStatement;
  params: Value[];
  /** Result format codes as bound: none = all text, one = all columns, else one per column. */
  formatCodes: readonly number[];
  result: StatementResult | null;
  cursor: number;
}

type MessageOf<K extends FrontendMessage['kind']> = Extract<FrontendMessage, { kind: K }>;

/** A SqlError or any thrown value → ErrorResponse fields, with the position moved by `offset` characters. */
export function errorFields(e: unknown, offset = 0): ErrorFields {
  if (isSqlError(e)) {
    return {
      severity: e.severity,
      code: e.code,
      message: e.message,
      detail: e.detail,
      hint: e.hint,
      position: e.position === undefined ? undefined : e.position + offset,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { severity: 'ERROR', code: 'XX000', message: `internal error: ${message}` };
}

function isEmptyQuery(sql: string): boolean {
  return /^[\s;]*$/.test(sql);
}

/** Expand a format-code list (none = all text, one = all that, else one per item) to `n` codes. */
function expandFormats(codes: readonly number[], n: number, what: string, whatFor: string): number[] {
  if (codes.length === 0) return new Array<number>(n).fill(0);
  if (codes.length === 1) return new Array<number>(n).fill(codes[0]!);
  if (codes.length !== n) {
    throw new SqlError('08P01', `bind message has ${codes.length} ${what} formats but ${whatFor} has ${n} ${what === 'parameter' ? 'parameters' : 'columns'}`);
  }
  return [...codes];
}

function statementLabel(name: string): string {
  return name === '' ? 'unnamed prepared statement' : `prepared statement "${name}"`;
}

export class QueryHandler {
  private readonly statements = new Map<string, StoredStatement>();
  private readonly portals = new Map<string, Portal>();

  constructor(
    private readonly es: EngineSession,
    private readonly out: Outbox,
    private readonly codec: TextCodec,
  ) {}

  private timeZone(): string {
    return this.es.setting('TimeZone') ?? this.es.setting('timezone') ?? 'UTC';
  }

  /**
   * Run a snapshot of reportedSettings() around `run` and send ParameterStatus for every changed setting; the
   * result itself when `run` returned one (not a promise).
   */
  private reportingSettings<T>(run: () => T | Promise<T>): T | Promise<T> {
    const before = this.es.reportedSettings();
    const report = (): void => {
      const after = this.es.reportedSettings();
      if (after !== before) for (const [k, v] of Object.entries(after)) if (before[k] !== v) this.out.w.parameterStatus(k, v);
    };
    let ran: T | Promise<T>;
    try {
      ran = run();
    } catch (e) {
      report();
      throw e;
    }
    if (!(ran instanceof Promise)) {
      report();
      return ran;
    }
    return ran.then(
      (result) => {
        report();
        return result;
      },
      (e: unknown) => {
        report();
        throw e;
      },
    );
  }

  // ---- simple query ----

  /** Query message: each statement in turn; stops at the first error. Does not send ReadyForQuery. */
  async simpleQuery(sql: string): Promise<void> {
    let statements: { sql: string; offset: number }[];
    try {
      statements = this.es.splitStatements(sql);
    } catch (e) {
      this.out.w.errorResponse(errorFields(e));
      return;
    }
    if (statements.length === 0) {
      this.out.w.emptyQueryResponse();
      return;
    }
    for (const st of statements) {
      try {
        const result = await this.reportingSettings(() => this.es.execute(st.sql));
        await this.sendResult(result, null, true);
      } catch (e) {
        this.out.w.errorResponse(errorFields(e, st.offset));
        return;
      }
    }
  }

  // ---- extended query ----

  parse(m: MessageOf<'parse'>): void {
    if (m.statement !== '' && this.statements.has(m.statement)) {
      throw new SqlError('42P05', `prepared statement "${m.statement}" already exists`);
    }
    const declared: (SqlType | null)[] = m.paramTypeOids.map(typeForOid);
    const prepared = isEmptyQuery(m.sql) ? null : this.es.prepare(m.sql, declared);
    this.statements.set(m.statement, { name: m.statement, prepared });
    this.out.w.parseComplete();
  }

  bind(m: MessageOf<'bind'>): void {
    const statement = this.statements.get(m.statement);
    if (!statement) throw new SqlError('26000', `${statementLabel(m.statement)} does not exist`);
    if (m.portal !== '' && this.portals.has(m.portal)) throw new SqlError('42P03', `portal "${m.portal}" already exists`);
    const paramTypes = statement.prepared?.paramTypes ?? [];
    if (m.params.length !== paramTypes.length) {
      throw new SqlError(
        '08P01',
        `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${paramTypes.length}`,
      );
    }
    const paramFormats = expandFormats(m.paramFormats, m.params.length, 'parameter', 'statement');
    const tz = this.timeZone();
    const params: Value[] = m.params.map((raw, i) => {
      if (raw === null) return null;
      const type = paramTypes[i]!;
      return paramFormats[i] === 1 ? decodeBinary(raw, type, this.codec) : this.codec.parse(raw.toString('utf8'), type, tz);
    });
    const columns = statement.prepared?.columns;
    if (columns) expandFormats(m.resultFormats, columns.length, 'result', 'query');
    this.portals.set(m.portal, { statement, params, formatCodes: m.resultFormats, result: null, cursor: 0 });
    this.out.w.bindComplete();
  }

  /** Describe a statement or portal; a promise only when the portal's statement must run first to be described. */
  describe(m: MessageOf<'describe'>): Promise<void> | void {
    if (m.target === 'S') {
      const statement = this.statements.get(m.name);
      if (!statement) throw new SqlError('26000', `${statementLabel(m.name)} does not exist`);
      this.out.w.parameterDescription((statement.prepared?.paramTypes ?? []).map(oidForType));
      const columns = statement.prepared?.columns ?? null;
      this.describeFields(columns && fieldDescriptions(columns, null));
    } else {
      const portal = this.portals.get(m.name);
      if (!portal) throw new SqlError('34000', `portal "${m.name}" does not exist`);
      const prepared = portal.statement.prepared;
      if (prepared !== null && prepared.columns === null && portal.result === null) {
        // The engine could not describe this statement before running it (e.g. SHOW): run it now, so the
        // RowDescription matches the DataRows Execute will send.
        const ran = this.run(portal, prepared);
        if (ran instanceof Promise) return ran.then(() => this.describePortal(portal));
      }
      this.describePortal(portal);
    }
  }

  private describePortal(portal: Portal): void {
    const r = portal.result;
    const columns = r?.kind === 'rows' ? r.columns : (portal.statement.prepared?.columns ?? null);
    this.describeFields(columns && portalFieldDescriptions(portal, columns));
  }

  /** Execute the portal's statement and keep its result in the portal (at once when it was ready at once). */
  private run(portal: Portal, prepared: PreparedStatement): StatementResult | Promise<StatementResult> {
    const ran = this.reportingSettings(() => this.es.executePrepared(prepared, portal.params));
    return ran instanceof Promise ? ran.then((result) => keepResult(portal, result)) : keepResult(portal, ran);
  }

  /** RowDescription with these fields, or NoData for a statement that returns no rows. */
  private describeFields(fields: readonly FieldDescription[] | null): void {
    if (fields === null) this.out.w.noData();
    else this.out.w.rowDescription(fields);
  }

  /** Execute: a promise only when the statement or the sending of its rows has to wait. */
  execute(m: MessageOf<'execute'>): Promise<void> | void {
    const portal = this.portals.get(m.portal);
    if (!portal) throw new SqlError('34000', `portal "${m.portal}" does not exist`);
    const prepared = portal.statement.prepared;
    if (prepared === null) {
      this.out.w.emptyQueryResponse();
      return;
    }
    const r = portal.result ?? this.run(portal, prepared);
    return r instanceof Promise ? r.then((result) => this.sendPortalRows(portal, m.maxRows, result)) : this.sendPortalRows(portal, m.maxRows, r);
  }

  /** The rows of an executed portal from its cursor (at most maxRows when > 0), then PortalSuspended or the tag. */
  private sendPortalRows(portal: Portal, maxRows: number, r: StatementResult): Promise<void> | void {
    if (r.kind !== 'rows') return this.sendResult(r, null, false);
    const formats = portalFormats(portal, r.columns.length);
    const start = portal.cursor;
    const end = maxRows > 0 ? Math.min(r.rows.length, start + maxRows) : r.rows.length;
    const finish = (): void => {
      portal.cursor = end;
      if (end < r.rows.length) {
        this.out.w.portalSuspended();
      } else {
        const sent = end - start;
        this.out.w.commandComplete(sent === r.rows.length ? r.commandTag : r.commandTag.replace(/^SELECT \d+$/, `SELECT ${sent}`));
      }
    };
    const sending = this.sendRows(r.columns, r.rows, start, end, formats);
    if (sending instanceof Promise) return sending.then(finish);
    finish();
  }

  close(m: MessageOf<'close'>): void {
    if (m.target === 'S') this.statements.delete(m.name);
    else this.portals.delete(m.name);
    this.out.w.closeComplete();
  }

  /** At Sync outside a transaction block, portals end with the implicit transaction (as in PostgreSQL). */
  sync(): void {
    if (this.es.transactionStatus() === 'I') this.portals.clear();
  }

  // ---- results ----

  /** Send one statement's result. formats null = all text. */
  private async sendResult(r: StatementResult, formats: readonly number[] | null, withDescription: boolean): Promise<void> {
    switch (r.kind) {
      case 'rows':
        if (withDescription) this.out.w.rowDescription(fieldDescriptions(r.columns, formats));
        await this.sendRows(r.columns, r.rows, 0, r.rows.length, formats);
        this.out.w.commandComplete(r.commandTag);
        return;
      case 'command':
        this.out.w.commandComplete(r.commandTag);
        return;
      case 'copy-out':
        await this.sendCopyOut(r);
        return;
      case 'empty':
        this.out.w.emptyQueryResponse();
        return;
      default: {
        const never: never = r;
        throw new Error(`unknown result kind ${JSON.stringify(never)}`);
      }
    }
  }

  /** DataRows for rows[start, end); flushes (and so returns a promise) whenever the buffer passes FLUSH_BYTES. */
  private sendRows(columns: readonly ResultColumn[], rows: readonly Row[], start: number, end: number, formats: readonly number[] | null): Promise<void> | void {
    const tz = this.timeZone();
    const w = this.out.w;
    const n = columns.length;
    const types = columns.map((c) => c.type);
    const binary = types.map((t, i) => (formats?.[i] ?? 0) === 1 && hasBinaryFormat(t));
    const cells: (string | Buffer | null)[] = new Array<string | Buffer | null>(n);
    for (let r = start; r < end; r++) {
      const row = rows[r]!;
      for (let i = 0; i < n; i++) {
        const v = row[i] ?? null;
        cells[i] = v === null ? null : binary[i] ? encodeBinary(v, types[i]!, this.codec) : this.codec.format(v, types[i]!, tz);
      }
      w.dataRow(cells);
      if (w.length >= FLUSH_BYTES) {
        const flushing = this.out.flush();
        if (flushing instanceof Promise) return flushing.then(() => (this.out.isClosed ? undefined : this.sendRows(columns, rows, r + 1, end, formats)));
        if (this.out.isClosed) return;
      }
    }
  }

  private async sendCopyOut(r: Extract<StatementResult, { kind: 'copy-out' }>): Promise<void> {
    const tz = this.timeZone();
    const w = this.out.w;
    const options = { format: r.format, delimiter: r.delimiter, nullString: r.nullString };
    w.copyOutResponse(0, r.columns.map(() => 0));
    if (r.header) w.copyData(formatCopyHeader(r.columns.map((c) => c.name), options));
    const types = r.columns.map((c) => c.type);
    for (const row of r.rows) {
      const cells = types.map((t, i) => {
        const v = row[i] ?? null;
        return v === null ? null : this.codec.format(v, t, tz);
      });
      w.copyData(formatCopyLine(cells, options));
      if (w.length >= FLUSH_BYTES) {
        await this.out.flush();
        if (this.out.isClosed) return;
      }
    }
    w.copyDone();
    w.commandComplete(r.commandTag);
  }
}

/** The format code of each of `n` result columns of a portal. */
function portalFormats(portal: Portal, n: number): number[] {
  const codes = portal.formatCodes;
  if (codes.length === 0) return new Array<number>(n).fill(0);
  if (codes.length === 1) return new Array<number>(n).fill(codes[0]!);
  return Array.from({ length: n }, (_, i) => codes[i] ?? 0);
}

/** RowDescription fields for result columns; formats null = all text. */
function keepResult(portal: Portal, result: StatementResult): StatementResult {
  portal.result = result;
  portal.cursor = 0;
  return result;
}

/**
 * RowDescription fields of a portal's columns, kept per columns array for its last Bind format codes: a prepared
 * plan's executions share their columns array, so a point query describes itself without building them again.
 */
const describedColumns = new WeakMap<readonly ResultColumn[], { codes: readonly number[]; fields: FieldDescription[] }>();
function portalFieldDescriptions(portal: Portal, columns: readonly ResultColumn[]): FieldDescription[] {
  const codes = portal.formatCodes;
  const known = describedColumns.get(columns);
  if (known !== undefined && sameCodes(known.codes, codes)) return known.fields;
  const fields = fieldDescriptions(columns, portalFormats(portal, columns.length));
  describedColumns.set(columns, { codes: [...codes], fields });
  return fields;
}

function sameCodes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fieldDescriptions(columns: readonly ResultColumn[], formats: readonly number[] | null): FieldDescription[] {
  return columns.map((c, i) => ({
    name: c.name,
    tableOid: c.tableOid ?? 0,
    columnNumber: c.columnNumber ?? 0,
    typeOid: oidForType(c.type),
    typeSize: typeSize(c.type),
    typeModifier: -1,
    format: (formats?.[i] ?? 0) === 1 && hasBinaryFormat(c.type) ? 1 : 0,
  }));
}

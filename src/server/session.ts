/**
 * PgConnection: one client connection's protocol state machine (startup → auth → ready → closed) over an
 * EngineSession. Bytes in via receive(); bytes out via ConnectionIO. Messages are handled strictly in order,
 * one at a time. Invariant: nothing thrown escapes receive(): SQL errors become ErrorResponse, malformed input
 * becomes FATAL 08P01 and a closed connection, and the engine session is closed exactly once.
 */
import { SqlError, isSqlError, type Notice } from '../common/errors.js';
import type { EngineSession, SessionOptions } from '../engine/api.js';
import { BackendWriter } from './protocol/backend.js';
import type { TextCodec } from './protocol/binary.js';
import { ProtocolError } from './protocol/cursor.js';
import {
  DEFAULT_MAX_MESSAGE,
  MessageReader,
  PROTOCOL_3_0,
  decodePasswordMessage,
  decodeSASLInitialResponse,
  type FrontendMessage,
} from './protocol/frontend.js';
import { QueryHandler, errorFields, type Outbox } from './query.js';
import { ScramServerExchange, passwordMatches, type ScramVerifier } from './scram.js';

/** What the server needs from the engine: sessions. The real Engine satisfies this structurally. */
export interface SessionFactory {
  openSession(opts: SessionOptions): EngineSession;
}

/** The socket as a session sees it. */
export interface ConnectionIO {
  /** Queue bytes; false when the socket's write buffer is full. */
  write(bytes: Buffer): boolean;
  /** Resolves when the write buffer has drained, or the socket closed. */
  waitForDrain(): Promise<void>;
  /** Flush what was written and end the connection. */
  end(): void;
  /** Stop / restart reading from the socket (input backpressure). */
  pauseInput(): void;
  resumeInput(): void;
  /**
   * Present when the server has a TLS certificate: run the TLS handshake as the server on this connection (after
   * the 'S' answer went out); from then on bytes in and out are the TLS session's plaintext.
   */
  startTls?(): void;
}

/** How clients authenticate. */
export interface AuthConfig {
  /** user name → SCRAM verifier; null or an empty map means trust (no password asked). */
  users: ReadonlyMap<string, ScramVerifier> | null;
  /** 'scram-sha-256' (default) or 'password' (cleartext over the wire, checked against the same verifier). */
  method: 'scram-sha-256' | 'password';
}

export interface ConnectionConfig {
  engine: SessionFactory;
  auth: AuthConfig;
  /** Databases that exist (startup with another → FATAL 3D000). */
  databases: readonly string[];
  processId: number;
  secretKey: number;
  /** A CancelRequest arrived on this connection (it carries another connection's key). */
  onCancelRequest: (processId: number, secretKey: number) => void;
  codec: TextCodec;
  maxMessageBytes?: number;
  log?: (line: string) => void;
}

/** ParameterStatus sent at startup before the engine's own reported settings (which override these). */
export const SERVER_VERSION = '15.0 (sluice 0.1.0)';

/** Startup parameters that are not settings. */
const NOT_SETTINGS = new Set(['user', 'database', 'options', 'application_name', 'replication', 'client_encoding']);
/** Pause socket reads when this many unprocessed bytes are buffered. */
const MAX_PENDING_INPUT = 1024 * 1024;

type Phase = 'startup' | 'sasl-initial' | 'sasl-continue' | 'password' | 'ready' | 'closed';

/** Parse the startup `options` parameter: `-c name=value` / `--name=value` pairs (backslash escapes spaces). */
export function parseStartupOptions(options: string): [string, string][] {
  const words: string[] = [];
  let cur = '';
  for (let i = 0; i < options.length; i++) {
    const ch = options[i]!;
    if (ch === '\\' && i + 1 < options.length) cur += options[++i];
    else if (/\s/.test(ch)) {
      if (cur) words.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) words.push(cur);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c' && i + 1 < words.length) w = words[++i]!;
    else if (w.startsWith('--')) w = w.slice(2);
    else if (w.startsWith('-c')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq > 0) out.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  return out;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export class PgConnection implements Outbox {
  readonly w = new BackendWriter();
  private readonly reader: MessageReader;
  private phase: Phase = 'startup';
  private busy = false;
  private paused = false;
  private skipTillSync = false;
  private user = 'root';
  private database = 'dev';
  private startupParams: Record<string, string> = {};
  private scram: ScramServerExchange | null = null;
  private engineSession: EngineSession | null = null;
  private handler: QueryHandler | null = null;
  private tlsStarted = false;

  constructor(
    private readonly io: ConnectionIO,
    private readonly config: ConnectionConfig,
  ) {
    this.reader = new MessageReader(config.maxMessageBytes ?? DEFAULT_MAX_MESSAGE);
  }

  get processId(): number {
    return this.config.processId;
  }

  get secretKey(): number {
    return this.config.secretKey;
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** Cancel the statement this connection is running (from another connection's CancelRequest). */
  cancel(): void {
    try {
      this.engineSession?.cancel();
    } catch (e) {
      this.config.log?.(`cancel failed: ${String(e)}`);
    }
  }

  /** Bytes from the socket. Never throws. */
  receive(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.reader.feed(chunk);
    if (this.reader.pending > MAX_PENDING_INPUT && !this.paused) {
      this.paused = true;
      this.io.pauseInput();
    }
    void this.pump();
  }

  /** The socket closed (by either side): release the engine session. Idempotent. */
  socketClosed(): void {
    this.phase = 'closed';
    const es = this.engineSession;
    this.engineSession = null;
    this.handler = null;
    if (es) {
      try {
        es.close();
      } catch (e) {
        this.config.log?.(`closing engine session failed: ${String(e)}`);
      }
    }
  }

  /**
   * Hand buffered messages to the socket; a promise only when its buffer is full (then wait for it to drain). The
   * per-message paths below return `void | Promise` like this, so a message handled synchronously allocates no
   * promise or async frame (a point query is four messages).
   */
  flush(): Promise<void> | void {
    if (this.w.length === 0 || this.phase === 'closed') return;
    if (!this.io.write(this.w.take())) return this.io.waitForDrain();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (;;) {
        if (this.phase === 'closed') return;
        let msg: FrontendMessage | null;
        try {
          msg = this.reader.next();
          if (msg === null) {
            // Everything received so far is handled: send the answers, then look again, since more bytes may
            // have arrived while flush() waited (no await between this last look and `busy = false`).
            const draining = this.flush();
            if (draining !== undefined) await draining;
            msg = this.reader.next();
          }
        } catch (e) {
          await this.fatal(e instanceof ProtocolError ? e : new ProtocolError(String(e)));
          return;
        }
        if (msg === null) break;
        try {
          const handling = this.handle(msg);
          if (handling !== undefined) await handling;
        } catch (e) {
          // Only protocol-level failures reach here; SQL errors are answered inside handle().
          await this.fatal(e);
          return;
        }
      }
      if (this.paused && !this.isClosed) {
        this.paused = false;
        this.io.resumeInput();
      }
    } catch (e) {
      this.config.log?.(`connection ${this.processId}: ${String(e)}`);
      this.closeNow();
    } finally {
      this.busy = false;
    }
  }

  /** Send a FATAL error and close. */
  private async fatal(e: unknown): Promise<void> {
    if (this.phase === 'closed') return;
    const f =
      e instanceof ProtocolError
        ? { severity: 'FATAL', code: e.code, message: e.message }
        : { ...errorFields(e), severity: 'FATAL' };
    this.w.errorResponse(f);
    await this.flush();
    this.closeNow();
  }

  private closeNow(): void {
    if (this.phase === 'closed') return;
    if (this.w.length > 0) this.io.write(this.w.take());
    this.io.end();
    this.socketClosed();
  }

  private handle(msg: FrontendMessage): Promise<void> | void {
    switch (this.phase) {
      case 'startup':
        return this.handleStartup(msg);
      case 'sasl-initial':
      case 'sasl-continue':
      case 'password':
        return this.handleAuth(msg);
      case 'ready':
        return this.handleReady(msg);
      case 'closed':
        return;
      default: {
        const never: never = this.phase;
        throw new Error(`bad phase ${String(never)}`);
      }
    }
  }

  // ---- startup and authentication ----

  private async handleStartup(msg: FrontendMessage): Promise<void> {
    switch (msg.kind) {
      case 'ssl-request':
        if (this.io.startTls !== undefined && !this.tlsStarted) {
          // Bytes the client sent after SSLRequest, before the handshake, would be read as if encrypted: refuse them.
          if (this.reader.pending > 0) throw new ProtocolError('unencrypted data after SSL request');
          this.w.acceptEncryption();
          await this.flush();
          this.tlsStarted = true;
          this.io.startTls();
          return;
        }
        this.w.refuseEncryption();
        await this.flush();
        return;
      case 'gssenc-request':
        this.w.refuseEncryption();
        await this.flush();
        return;
      case 'cancel-request':
        this.config.onCancelRequest(msg.processId, msg.secretKey);
        this.closeNow();
        return;
      case 'startup':
        return this.startup(msg.protocolVersion, msg.params);
      default:
        throw new ProtocolError('expected startup message');
    }
  }

  private async startup(version: number, params: Record<string, string>): Promise<void> {
    const major = version >>> 16;
    const minor = version & 0xffff;
    if (major !== 3) {
      throw new SqlError('0A000', `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
    }
    const unrecognized = Object.keys(params).filter((k) => k.startsWith('_pq_.'));
    if (version !== PROTOCOL_3_0 || unrecognized.length > 0) this.w.negotiateProtocolVersion(PROTOCOL_3_0, unrecognized);
    this.startupParams = params;
    this.user = params.user || 'root';
    this.database = params.database || 'dev';
    if (!this.config.databases.includes(this.database)) {
      throw new SqlError('3D000', `database "${this.database}" does not exist`);
    }
    const users = this.config.auth.users;
    if (users === null || users.size === 0) return this.authenticated();
    const credential = users.get(this.user);
    if (this.config.auth.method === 'password') {
      this.phase = 'password';
      this.w.authenticationCleartextPassword();
      return;
    }
    this.scram = new ScramServerExchange(credential ?? null);
    this.phase = 'sasl-initial';
    this.w.authenticationSASL(['SCRAM-SHA-256']);
  }

  private authFailed(): SqlError {
    return new SqlError('28P01', `password authentication failed for user "${this.user}"`, { severity: 'FATAL' });
  }

  private async handleAuth(msg: FrontendMessage): Promise<void> {
    if (msg.kind === 'terminate') {
      this.closeNow();
      return;
    }
    if (msg.kind !== 'password') throw new ProtocolError(`expected password response, got message type ${msg.kind}`);
    if (this.phase === 'password') {
      const given = decodePasswordMessage(msg.body);
      const verifier = this.config.auth.users?.get(this.user);
      if (!verifier || !passwordMatches(given, verifier)) throw this.authFailed();
      return this.authenticated();
    }
    const scram = this.scram!;
    if (this.phase === 'sasl-initial') {
      const { mechanism, data } = decodeSASLInitialResponse(msg.body);
      if (mechanism !== 'SCRAM-SHA-256') throw new ProtocolError('client selected an invalid SASL authentication mechanism');
      if (data === null) throw new ProtocolError('malformed SCRAM message (empty message)');
      this.w.authenticationSASLContinue(scram.clientFirst(data));
      this.phase = 'sasl-continue';
      return;
    }
    const serverFinal = scram.clientFinal(msg.body);
    if (serverFinal === null) throw this.authFailed();
    this.w.authenticationSASLFinal(serverFinal);
    return this.authenticated();
  }

  private async authenticated(): Promise<void> {
    this.scram = null;
    const onNotice = (n: Notice): void => {
      if (this.phase === 'closed') return;
      this.w.noticeResponse({ severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint });
    };
    const opts: SessionOptions = { user: this.user, database: this.database, onNotice };
    const app = this.startupParams.application_name;
    if (app !== undefined) opts.applicationName = app;
    let es: EngineSession;
    try {
      es = this.config.engine.openSession(opts);
    } catch (e) {
      throw isSqlError(e) ? new SqlError(e.code, e.message, { severity: 'FATAL', detail: e.detail, hint: e.hint }) : e;
    }
    this.engineSession = es;
    this.handler = new QueryHandler(es, this, this.config.codec);
    await this.applyStartupSettings(es);
    this.w.authenticationOk();
    for (const [k, v] of Object.entries(this.startupReport(es))) this.w.parameterStatus(k, v);
    this.w.backendKeyData(this.config.processId, this.config.secretKey);
    this.phase = 'ready';
    this.w.readyForQuery(es.transactionStatus());
    await this.flush();
  }

  /** Startup GUCs (extra startup parameters and `options=-c …`) are applied as SET; a rejected one is logged. */
  private async applyStartupSettings(es: EngineSession): Promise<void> {
    const settings: [string, string][] = Object.entries(this.startupParams).filter(([k]) => !NOT_SETTINGS.has(k) && !k.startsWith('_pq_.'));
    if (this.startupParams.options) settings.push(...parseStartupOptions(this.startupParams.options));
    for (const [name, value] of settings) {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) continue;
      try {
        await es.execute(`SET ${name} = ${quoteLiteral(value)}`);
      } catch (e) {
        this.config.log?.(`startup setting ${name}=${value} ignored: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private startupReport(es: EngineSession): Record<string, string> {
    const base: Record<string, string> = {
      server_version: SERVER_VERSION,
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      TimeZone: 'UTC',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
      application_name: this.startupParams.application_name ?? '',
      IntervalStyle: 'postgres',
      is_superuser: 'on',
      session_authorization: this.user,
    };
    const byLower = new Map(Object.keys(base).map((k) => [k.toLowerCase(), k]));
    for (const [k, v] of Object.entries(es.reportedSettings())) base[byLower.get(k.toLowerCase()) ?? k] = v;
    return base;
  }

  // ---- ready: queries ----

  private handleReady(msg: FrontendMessage): Promise<void> | void {
    const h = this.handler!;
    const es = this.engineSession!;
    if (msg.kind === 'terminate') {
      this.closeNow();
      return;
    }
    if (msg.kind === 'sync') {
      this.skipTillSync = false;
      h.sync();
      this.w.readyForQuery(es.transactionStatus());
      return this.flush();
    }
    if (this.skipTillSync) return;
    switch (msg.kind) {
      case 'query':
        return this.simpleQuery(msg.sql);
      case 'flush':
        return this.flush();
      case 'parse':
      case 'bind':
      case 'describe':
      case 'execute':
      case 'close': {
        let running: Promise<void> | void = undefined;
        try {
          if (msg.kind === 'parse') h.parse(msg);
          else if (msg.kind === 'bind') h.bind(msg);
          else if (msg.kind === 'describe') running = h.describe(msg);
          else if (msg.kind === 'execute') running = h.execute(msg);
          else h.close(msg);
        } catch (e) {
          this.extendedQueryFailed(e);
          return;
        }
        return running?.catch((e: unknown) => this.extendedQueryFailed(e));
      }
      case 'copy-data':
      case 'copy-done':
      case 'copy-fail':
        // Accepted and ignored outside COPY FROM, as PostgreSQL does (a client may still be sending after an error).
        return;
      case 'password':
        throw new ProtocolError('unexpected password message');
      case 'startup':
      case 'ssl-request':
      case 'gssenc-request':
      case 'cancel-request':
        throw new ProtocolError('unexpected startup packet');
      default: {
        const never: never = msg;
        throw new ProtocolError(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  private async simpleQuery(sql: string): Promise<void> {
    await this.handler!.simpleQuery(sql);
    this.w.readyForQuery(this.engineSession!.transactionStatus());
    await this.flush();
  }

  /** An extended-protocol message failed: ErrorResponse, then skip messages until Sync (as PostgreSQL does). */
  private extendedQueryFailed(e: unknown): void {
    this.w.errorResponse(errorFields(e));
    this.skipTillSync = true;
  }
}


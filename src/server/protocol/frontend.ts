/**
 * Frontend (client → server) messages of PostgreSQL protocol 3.0 and MessageReader, the pure framing decoder.
 * State: buffered bytes not yet forming a whole message, and whether the next message is the untyped startup
 * packet. Invariant: next() returns each complete message exactly once, in order, or throws ProtocolError for a
 * malformed or oversized message (the caller must then close the connection; the reader is unusable afterwards).
 */
import { MessageCursor, ProtocolError } from './cursor.js';

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET = 10_000;
/** Default largest typed message accepted (PostgreSQL allows 1 GiB; 64 MiB is plenty for SQL text). */
export const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;

export type FrontendMessage =
  | { kind: 'startup'; protocolVersion: number; params: Record<string, string> }
  | { kind: 'ssl-request' }
  | { kind: 'gssenc-request' }
  | { kind: 'cancel-request'; processId: number; secretKey: number }
  | { kind: 'query'; sql: string }
  | { kind: 'parse'; statement: string; sql: string; paramTypeOids: number[] }
  | { kind: 'bind'; portal: string; statement: string; paramFormats: readonly number[]; params: (Buffer | null)[]; resultFormats: readonly number[] }
  | { kind: 'describe'; target: 'S' | 'P'; name: string }
  | { kind: 'execute'; portal: string; maxRows: number }
  | { kind: 'close'; target: 'S' | 'P'; name: string }
  | { kind: 'sync' }
  | { kind: 'flush' }
  | { kind: 'terminate' }
  /** 'p': PasswordMessage, SASLInitialResponse or SASLResponse; which one depends on the auth exchange. */
  | { kind: 'password'; body: Buffer }
  | { kind: 'copy-data'; data: Buffer }
  | { kind: 'copy-done' }
  | { kind: 'copy-fail'; message: string };

export class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private expectStartup = true;

  constructor(private readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE) {}

  /** Append received bytes. */
  feed(chunk: Buffer): void {
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  /** Bytes buffered but not yet returned as a message. */
  get pending(): number {
    return this.buf.length - this.pos;
  }

  /** The next complete message, or null when more bytes are needed. Throws ProtocolError. */
  next(): FrontendMessage | null {
    return this.expectStartup ? this.nextStartup() : this.nextTyped();
  }

  private nextStartup(): FrontendMessage | null {
    const avail = this.buf.length - this.pos;
    if (avail < 4) return null;
    const len = this.buf.readInt32BE(this.pos);
    if (len < 8 || len > MAX_STARTUP_PACKET) throw new ProtocolError('invalid length of startup packet');
    if (avail < len) return null;
    const body = this.buf.subarray(this.pos + 4, this.pos + len);
    this.pos += len;
    const msg = decodeStartupPacket(body);
    // After SSLRequest/GSSENCRequest the client sends another startup packet; after a startup message, typed messages.
    if (msg.kind === 'startup') this.expectStartup = false;
    return msg;
  }

  private nextTyped(): FrontendMessage | null {
    const avail = this.buf.length - this.pos;
    if (avail < 5) return null;
    const type = this.buf[this.pos]!;
    const len = this.buf.readInt32BE(this.pos + 1);
    if (len < 4) throw new ProtocolError(`invalid message length ${len}`);
    if (len > this.maxMessageBytes) throw new ProtocolError(`message of ${len} bytes exceeds the limit of ${this.maxMessageBytes} bytes`);
    if (avail < len + 1) return null;
    const start = this.pos + 5;
    this.pos += len + 1;
    return decodeTyped(type, this.buf, start, this.pos);
  }
}

/** Decode the body (after the length word) of an untyped startup-phase packet. */
export function decodeStartupPacket(body: Buffer): FrontendMessage {
  const c = new MessageCursor(body);
  const code = c.int32();
  if (code === SSL_REQUEST_CODE) {
    c.end();
    return { kind: 'ssl-request' };
  }
  if (code === GSSENC_REQUEST_CODE) {
    c.end();
    return { kind: 'gssenc-request' };
  }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = c.int32();
    const secretKey = c.int32();
    return { kind: 'cancel-request', processId, secretKey };
  }
  const params: Record<string, string> = {};
  if (code >>> 16 === 3) {
    // name/value pairs terminated by an empty name
    for (;;) {
      if (c.remaining === 0) throw new ProtocolError('invalid startup packet layout: expected terminator as last byte');
      const name = c.cstring();
      if (name === '') break;
      params[name] = c.cstring();
    }
    c.end();
  }
  return { kind: 'startup', protocolVersion: code, params };
}

function target(byte: number): 'S' | 'P' {
  if (byte === 0x53) return 'S';
  if (byte === 0x50) return 'P';
  throw new ProtocolError(`invalid DESCRIBE/CLOSE message subtype ${byte}`);
}

/** Decode a typed frontend message body: `body`, or its bytes [start, end). */
export function decodeTyped(type: number, body: Buffer, start = 0, end = body.length): FrontendMessage {
  const c = new MessageCursor(body, start, end);
  switch (type) {
    case 0x51: {
      // 'Q'
      const sql = c.cstring();
      c.end();
      return { kind: 'query', sql };
    }
    case 0x50: {
      // 'P'
      const statement = c.cstring();
      const sql = c.cstring();
      const n = c.count16();
      const paramTypeOids: number[] = [];
      for (let i = 0; i < n; i++) paramTypeOids.push(c.int32() >>> 0);
      c.end();
      return { kind: 'parse', statement, sql, paramTypeOids };
    }
    case 0x42: {
      // 'B'
      const portal = c.cstring();
      const statement = c.cstring();
      const nf = c.count16();
      const paramFormats = formatCodes(c, nf);
      const np = c.count16();
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < np; i++) {
        const len = c.int32();
        if (len === -1) params.push(null);
        else if (len < 0) throw new ProtocolError(`invalid parameter length ${len}`);
        else params.push(c.bytes(len));
      }
      const nr = c.count16();
      const resultFormats = formatCodes(c, nr);
      c.end();
      return { kind: 'bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 0x44: {
      // 'D'
      const t = target(c.byte());
      const name = c.cstring();
      c.end();
      return { kind: 'describe', target: t, name };
    }
    case 0x45: {
      // 'E'
      const portal = c.cstring();
      const maxRows = c.int32();
      c.end();
      return { kind: 'execute', portal, maxRows: maxRows < 0 ? 0 : maxRows };
    }
    case 0x43: {
      // 'C'
      const t = target(c.byte());
      const name = c.cstring();
      c.end();
      return { kind: 'close', target: t, name };
    }
    case 0x53:
      c.end();
      return SYNC;
    case 0x48:
      c.end();
      return FLUSH;
    case 0x58:
      c.end();
      return { kind: 'terminate' };
    case 0x70:
      return { kind: 'password', body: c.rest() };
    case 0x64:
      return { kind: 'copy-data', data: c.rest() };
    case 0x63:
      c.end();
      return { kind: 'copy-done' };
    case 0x66: {
      const message = c.cstring();
      c.end();
      return { kind: 'copy-fail', message };
    }
    default:
      throw new ProtocolError(`invalid frontend message type ${type}`);
  }
}

/** Messages without fields, shared (one of each per connection per query would be garbage). */
const SYNC: FrontendMessage = Object.freeze({ kind: 'sync' });
const FLUSH: FrontendMessage = Object.freeze({ kind: 'flush' });
const NO_FORMAT_CODES: readonly number[] = Object.freeze([]);

/** `n` format codes (each 0 or 1); the shared empty list when there are none (the common case). */
function formatCodes(c: MessageCursor, n: number): readonly number[] {
  if (n === 0) return NO_FORMAT_CODES;
  const codes: number[] = new Array(n);
  for (let i = 0; i < n; i++) codes[i] = formatCode(c.int16());
  return codes;
}

function formatCode(f: number): number {
  if (f !== 0 && f !== 1) throw new ProtocolError(`unsupported format code: ${f}`);
  return f;
}

/** PasswordMessage body: the password (or MD5 hash) as a C string. */
export function decodePasswordMessage(body: Buffer): string {
  const c = new MessageCursor(body);
  const s = c.cstring();
  c.end();
  return s;
}

/** SASLInitialResponse body: mechanism name and the client-first-message (null when length is −1). */
export function decodeSASLInitialResponse(body: Buffer): { mechanism: string; data: Buffer | null } {
  const c = new MessageCursor(body);
  const mechanism = c.cstring();
  const len = c.int32();
  const data = len === -1 ? null : c.bytes(len);
  c.end();
  return { mechanism, data };
}

/** SASLResponse body: the raw SASL data. */
export function decodeSASLResponse(body: Buffer): Buffer {
  return body;
}

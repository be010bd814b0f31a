/**
 * BackendWriter: encodes backend (server → client) messages of protocol 3.0 into one growing buffer (pure, no I/O).
 * State: the bytes encoded since the last take(). Invariant: take() returns only whole messages, each with its
 * length word patched, in the order the methods were called.
 */

export interface FieldDescription {
  name: string;
  tableOid: number;
  columnNumber: number;
  typeOid: number;
  typeSize: number;
  typeModifier: number;
  /** 0 text, 1 binary. */
  format: number;
}

/** Fields of ErrorResponse / NoticeResponse (PostgreSQL's field codes in comments). */
export interface ErrorFields {
  /** S and V: ERROR, FATAL, PANIC, WARNING, NOTICE, INFO, … */
  severity: string;
  /** C: SQLSTATE. */
  code: string;
  /** M. */
  message: string;
  /** D. */
  detail?: string | undefined;
  /** H. */
  hint?: string | undefined;
  /** P: 1-based character position in the query string. */
  position?: number | undefined;
}

export class BackendWriter {
  private buf: Buffer;
  private len = 0;
  private msgStart = -1;

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes encoded and not yet taken. */
  get length(): number {
    return this.len;
  }

  /** The encoded bytes (a fresh Buffer the caller owns); the writer is empty afterwards. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(16 * 1024);
    return out;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private begin(type: string): void {
    this.ensure(5);
    this.buf[this.len] = type.charCodeAt(0);
    this.msgStart = this.len + 1;
    this.len += 5;
  }

  private end(): this {
    this.buf.writeInt32BE(this.len - this.msgStart, this.msgStart);
    this.msgStart = -1;
    return this;
  }

  private int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
  }

  private int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.len);
    this.len += 4;
  }

  private uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  private byte(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  private cstring(s: string): void {
    const max = s.length * 3 + 1;
    this.ensure(max);
    this.len += this.buf.write(s, this.len, 'utf8');
    this.buf[this.len++] = 0;
  }

  private raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** Single byte answer to SSLRequest/GSSENCRequest: 'N' = not supported, continue in plain text. */
  refuseEncryption(): this {
    this.byte(0x4e);
    return this;
  }

  /** 'S': the answer to SSLRequest when TLS is configured (the TLS handshake follows on the same socket). */
  acceptEncryption(): this {
    this.byte(0x53);
    return this;
  }

  authenticationOk(): this {
    this.begin('R');
    this.int32(0);
    return this.end();
  }

  authenticationCleartextPassword(): this {
    this.begin('R');
    this.int32(3);
    return this.end();
  }

  authenticationSASL(mechanisms: readonly string[]): this {
    this.begin('R');
    this.int32(10);
    for (const m of mechanisms) this.cstring(m);
    this.byte(0);
    return this.end();
  }

  authenticationSASLContinue(data: string): this {
    this.begin('R');
    this.int32(11);
    this.raw(Buffer.from(data, 'utf8'));
    return this.end();
  }

  authenticationSASLFinal(data: string): this {
    this.begin('R');
    this.int32(12);
    this.raw(Buffer.from(data, 'utf8'));
    return this.end();
  }

  parameterStatus(name: string, value: string): this {
    this.begin('S');
    this.cstring(name);
    this.cstring(value);
    return this.end();
  }

  backendKeyData(processId: number, secretKey: number): this {
    this.begin('K');
    this.int32(processId);
    this.int32(secretKey);
    return this.end();
  }

  /** NegotiateProtocolVersion: the newest minor version we support and the protocol options we did not recognise. */
  negotiateProtocolVersion(newestMinor: number, unrecognized: readonly string[]): this {
    this.begin('v');
    this.int32(newestMinor);
    this.int32(unrecognized.length);
    for (const o of unrecognized) this.cstring(o);
    return this.end();
  }

  readyForQuery(status: 'I' | 'T' | 'E'): this {
    this.begin('Z');
    this.byte(status.charCodeAt(0));
    return this.end();
  }

  rowDescription(fields: readonly FieldDescription[]): this {
    this.begin('T');
    this.int16(fields.length);
    for (const f of fields) {
      this.cstring(f.name);
      this.uint32(f.tableOid);
      this.int16(f.columnNumber);
      this.uint32(f.typeOid);
      this.int16(f.typeSize);
      this.int32(f.typeModifier);
      this.int16(f.format);
    }
    return this.end();
  }

  /** DataRow: each cell is text (UTF-8 encoded here), already-encoded bytes, or NULL. */
  dataRow(cells: readonly (string | Buffer | null)[]): this {
    this.begin('D');
    this.int16(cells.length);
    for (const cell of cells) {
      if (cell === null) {
        this.int32(-1);
      } else if (typeof cell === 'string') {
        this.ensure(4 + cell.length * 3);
        const n = this.buf.write(cell, this.len + 4, 'utf8');
        this.buf.writeInt32BE(n, this.len);
        this.len += 4 + n;
      } else {
        this.int32(cell.length);
        this.raw(cell);
      }
    }
    return this.end();
  }

  commandComplete(tag: string): this {
    this.begin('C');
    this.cstring(tag);
    return this.end();
  }

  emptyQueryResponse(): this {
    this.begin('I');
    return this.end();
  }

  errorResponse(f: ErrorFields): this {
    return this.errorOrNotice('E', f);
  }

  noticeResponse(f: ErrorFields): this {
    return this.errorOrNotice('N', f);
  }

  private errorOrNotice(type: 'E' | 'N', f: ErrorFields): this {
    this.begin(type);
    const field = (code: string, value: string): void => {
      this.byte(code.charCodeAt(0));
      this.cstring(value);
    };
    field('S', f.severity);
    field('V', f.severity);
    field('C', f.code);
    field('M', f.message);
    if (f.detail !== undefined) field('D', f.detail);
    if (f.hint !== undefined) field('H', f.hint);
    if (f.position !== undefined) field('P', String(f.position));
    this.byte(0);
    return this.end();
  }

  parseComplete(): this {
    this.begin('1');
    return this.end();
  }

  bindComplete(): this {
    this.begin('2');
    return this.end();
  }

  closeComplete(): this {
    this.begin('3');
    return this.end();
  }

  noData(): this {
    this.begin('n');
    return this.end();
  }

  portalSuspended(): this {
    this.begin('s');
    return this.end();
  }

  parameterDescription(typeOids: readonly number[]): this {
    this.begin('t');
    this.int16(typeOids.length);
    for (const oid of typeOids) this.uint32(oid);
    return this.end();
  }

  /** CopyOutResponse: overall format (0 text) and one format code per column. */
  copyOutResponse(format: number, columnFormats: readonly number[]): this {
    this.begin('H');
    this.byte(format);
    this.int16(columnFormats.length);
    for (const f of columnFormats) this.int16(f);
    return this.end();
  }

  copyData(data: string | Buffer): this {
    this.begin('d');
    if (typeof data === 'string') {
      this.ensure(data.length * 3);
      this.len += this.buf.write(data, this.len, 'utf8');
    } else {
      this.raw(data);
    }
    return this.end();
  }

  copyDone(): this {
    this.begin('c');
    return this.end();
  }
}

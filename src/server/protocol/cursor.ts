/**
 * ProtocolError and MessageCursor: bounds-checked reads over one frontend message body (pure, no I/O).
 * State: a read offset into one Buffer's range [start, end) (a message inside the connection's read buffer, read in
 * place). Invariant: a read past the end throws ProtocolError (SQLSTATE 08P01), never returns garbage; the session
 * answers a ProtocolError with a FATAL ErrorResponse and closes the socket.
 */

/** A malformed or oversized frontend message. The connection cannot continue after one. */
export class ProtocolError extends Error {
  readonly code = '08P01';
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class MessageCursor {
  private offset: number;
  private readonly limit: number;

  constructor(
    private readonly body: Buffer,
    start = 0,
    end = body.length,
  ) {
    this.offset = start;
    this.limit = end;
  }

  get remaining(): number {
    return this.limit - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.limit) throw new ProtocolError('insufficient data left in message');
  }

  byte(): number {
    this.need(1);
    return this.body[this.offset++]!;
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A count that must be non-negative (PostgreSQL rejects negative array lengths). */
  count16(): number {
    const n = this.int16();
    if (n < 0) throw new ProtocolError(`invalid count ${n} in message`);
    return n;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0 || end >= this.limit) throw new ProtocolError('invalid string in message');
    const s = end === this.offset ? '' : this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  rest(): Buffer {
    const v = this.body.subarray(this.offset, this.limit);
    this.offset = this.limit;
    return v;
  }

  /** Asserts the whole body was consumed (PostgreSQL's pq_getmsgend). */
  end(): void {
    if (this.offset !== this.limit) throw new ProtocolError('invalid message format');
  }
}

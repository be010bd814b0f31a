/**
 * Binary wire format vs the real PostgreSQL 15 at 127.0.0.1:5432: for each sample value, PostgreSQL's binary
 * output bytes equal encodeBinary's, decodeBinary of PostgreSQL's bytes gives the value back, and PostgreSQL
 * reads our bytes as a binary parameter to the same text.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { serialize } from 'pg-protocol';
import fc from 'fast-check';
import { decodeBinary, encodeBinary, encodeNumeric, decodeNumeric } from '../../src/server/protocol/binary.js';
import { exprTextCodec } from '../../src/server/text-codec.js';
import { Numeric } from '../../src/common/numeric.js';
import type { SqlType, Value } from '../../src/common/types.js';

const SAMPLES: [SqlType, string, string][] = [
  // [type, PostgreSQL type name, literal text]
  ['boolean', 'bool', 't'],
  ['boolean', 'bool', 'f'],
  ['smallint', 'int2', '-32768'],
  ['smallint', 'int2', '32767'],
  ['integer', 'int4', '-2147483648'],
  ['integer', 'int4', '123'],
  ['bigint', 'int8', '9223372036854775807'],
  ['bigint', 'int8', '-1'],
  ['real', 'float4', '1.5'],
  ['real', 'float4', '-3.4e+38'],
  ['real', 'float4', 'NaN'],
  ['double precision', 'float8', '0.1'],
  ['double precision', 'float8', '1e+308'],
  ['double precision', 'float8', '-Infinity'],
  ['numeric', 'numeric', '0'],
  ['numeric', 'numeric', '0.00'],
  ['numeric', 'numeric', '0.0001'],
  ['numeric', 'numeric', '12345.678'],
  ['numeric', 'numeric', '-1.50'],
  ['numeric', 'numeric', '100000000'],
  ['numeric', 'numeric', '10000'],
  ['numeric', 'numeric', '-0.5'],
  ['numeric', 'numeric', '123456789012345678901234567890.123456789'],
  ['numeric', 'numeric', '0.000000012300'],
  ['text', 'text', ''],
  ['text', 'text', 'héllo\tworld'],
  ['varchar', 'varchar', 'abc'],
  ['timestamp', 'timestamp', '2000-01-01 00:00:00'],
  ['timestamp', 'timestamp', '1970-01-01 00:00:00.000001'],
  ['timestamp', 'timestamp', '2024-02-29 12:34:56.789'],
  ['timestamp', 'timestamp', '1900-01-01 00:00:00'],
  ['timestamptz', 'timestamptz', '2024-02-29 12:34:56.789+00'],
  ['timestamptz', 'timestamptz', '1999-12-31 23:59:59.999999+00'],
  ['date', 'date', '2000-01-01'],
  ['date', 'date', '1969-12-31'],
  ['date', 'date', '2024-02-29'],
  ['interval', 'interval', '1 year 2 mons 3 days 04:05:06.789'],
  ['interval', 'interval', '-00:05:00'],
  ['jsonb', 'jsonb', '{"a": null, "b": [1, 2.5, "x"], "aa": {"k": true}}'],
  ['jsonb', 'jsonb', '"just a string"'],
];

/**
 * A minimal raw protocol client for the real PostgreSQL (pg decodes DataRow cells as UTF-8 strings, which
 * loses binary bytes): frontend messages from pg-protocol's serialize, backend frames split by hand.
 */
class RawPg {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
  }

  static async connect(): Promise<RawPg> {
    const socket = net.connect(5432, '127.0.0.1');
    await once(socket, 'connect');
    const c = new RawPg(socket);
    socket.write(serialize.startup({ user: 'postgres', database: 'test', TimeZone: 'UTC' }));
    await c.untilReady();
    return c;
  }

  /** Frames until ReadyForQuery; throws on ErrorResponse. */
  private async untilReady(): Promise<{ type: string; body: Buffer }[]> {
    const frames: { type: string; body: Buffer }[] = [];
    for (;;) {
      while (this.buf.length >= 5 && this.buf.length >= 1 + this.buf.readInt32BE(1)) {
        const len = this.buf.readInt32BE(1);
        const frame = { type: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, 1 + len) };
        this.buf = this.buf.subarray(1 + len);
        if (frame.type === 'Z') {
          const err = frames.find((f) => f.type === 'E');
          if (err) throw new Error(`postgres error: ${err.body.toString()}`);
          return frames;
        }
        frames.push(frame);
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  /** Run `sql` with parameters (string = text, Buffer = binary) and binary results; cells of the first row. */
  async queryFirstRow(sql: string, values: (string | Buffer)[]): Promise<(Buffer | null)[]> {
    this.socket.write(
      Buffer.concat([serialize.parse({ text: sql }), serialize.bind({ values, binary: true }), serialize.execute({}), serialize.sync()]),
    );
    const frames = await this.untilReady();
    const row = frames.find((f) => f.type === 'D');
    assert.ok(row, 'a DataRow');
    const cells: (Buffer | null)[] = [];
    let off = 2;
    for (let i = 0; i < row.body.readInt16BE(0); i++) {
      const len = row.body.readInt32BE(off);
      off += 4;
      cells.push(len < 0 ? null : row.body.subarray(off, off + len));
      if (len > 0) off += len;
    }
    return cells;
  }

  close(): void {
    this.socket.end(serialize.end());
  }
}

let client: RawPg;

before(async () => {
  client = await RawPg.connect();
});

after(() => {
  client.close();
});

async function pgBinary(typeName: string, literal: string): Promise<Buffer> {
  const [v] = await client.queryFirstRow(`select $1::${typeName} as v`, [literal]);
  assert.ok(v);
  return v;
}

async function pgTextOfBinaryParam(typeName: string, param: Buffer | string): Promise<string> {
  const [v] = await client.queryFirstRow(`select ($1::${typeName})::text as v`, [param]);
  assert.ok(v);
  return v.toString('utf8');
}

test('encodeBinary matches PostgreSQL byte for byte; decodeBinary reads PostgreSQL back', { timeout: 30_000 }, async () => {
  for (const [type, typeName, literal] of SAMPLES) {
    const value = exprTextCodec.parse(literal, type) as Exclude<Value, null>;
    const expected = await pgBinary(typeName, literal);
    const ours = encodeBinary(value, type, exprTextCodec);
    assert.deepEqual(ours.toString('hex'), expected.toString('hex'), `${typeName} ${literal}: bytes`);
    const back = decodeBinary(expected, type, exprTextCodec);
    assert.equal(exprTextCodec.format(back, type, 'UTC'), exprTextCodec.format(value, type, 'UTC'), `${typeName} ${literal}: decode`);
  }
});

test('PostgreSQL accepts our binary encoding as a parameter', { timeout: 30_000 }, async () => {
  for (const [type, typeName, literal] of SAMPLES) {
    const value = exprTextCodec.parse(literal, type) as Exclude<Value, null>;
    const text = await pgTextOfBinaryParam(typeName, encodeBinary(value, type, exprTextCodec));
    const pgText = await pgTextOfBinaryParam(typeName, literal);
    assert.equal(text, pgText, `${typeName} ${literal}`);
  }
});

test('numeric binary round trip (property)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 30 }), (unscaled, scale) => {
      const n = new Numeric(unscaled, scale);
      const back = decodeNumeric(encodeNumeric(n));
      assert.equal(back.toString(), n.toString());
    }),
    { numRuns: 500 },
  );
});

test('malformed binary parameters are SQL errors, not crashes', () => {
  assert.throws(() => decodeBinary(Buffer.from([0, 1]), 'integer', exprTextCodec), { code: '22P03' });
  assert.throws(() => decodeBinary(Buffer.from([2, 0x7b, 0x7d]), 'jsonb', exprTextCodec), { code: '22P03' });
  assert.throws(() => decodeBinary(Buffer.from([0, 0, 0, 0, 0xc0, 0, 0, 0]), 'numeric', exprTextCodec), { code: '0A000' });
  assert.throws(() => decodeBinary(Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]), 'numeric', exprTextCodec), { code: '22P03' });
});

/**
 * The pure PG-wire codec against the real client library pg-protocol: frontend messages serialized by
 * pg-protocol decode with MessageReader (whole and byte by byte); backend messages from BackendWriter parse
 * with pg-protocol's Parser into the expected fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { MessageReader, type FrontendMessage, decodeSASLInitialResponse, decodePasswordMessage } from '../../src/server/protocol/frontend.js';
import { BackendWriter } from '../../src/server/protocol/backend.js';
import { ProtocolError } from '../../src/server/protocol/cursor.js';

function readAll(bytes: Buffer, startup = false, chunk = 0): FrontendMessage[] {
  const r = new MessageReader(1024 * 1024);
  const out: FrontendMessage[] = [];
  if (!startup) {
    // get the reader past the startup phase
    r.feed(serialize.startup({ user: 'u' }));
    assert.equal(r.next()?.kind, 'startup');
  }
  const step = chunk > 0 ? chunk : bytes.length;
  for (let i = 0; i < bytes.length; i += step) {
    r.feed(bytes.subarray(i, i + step));
    for (let m = r.next(); m !== null; m = r.next()) out.push(m);
  }
  assert.equal(r.pending, 0);
  return out;
}

function parseBackend(bytes: Buffer): BackendMessage[] {
  const out: BackendMessage[] = [];
  new Parser().parse(bytes, (m) => out.push(m));
  return out;
}

test('startup, SSLRequest and CancelRequest from pg-protocol decode', () => {
  const bytes = Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'alice', database: 'dev', application_name: 'psql', options: '-c search_path=x' })]);
  for (const chunk of [0, 1, 3]) {
    const msgs = readAll(bytes, true, chunk);
    assert.deepEqual(msgs, [
      { kind: 'ssl-request' },
      { kind: 'startup', protocolVersion: 196608, params: { user: 'alice', database: 'dev', application_name: 'psql', options: '-c search_path=x', client_encoding: 'UTF8' } },
    ]);
  }
  assert.deepEqual(readAll(serialize.cancel(1234, -5678), true), [{ kind: 'cancel-request', processId: 1234, secretKey: -5678 }]);
});

test('extended-protocol messages from pg-protocol decode field by field', () => {
  const bytes = Buffer.concat([
    serialize.parse({ name: 's1', text: 'select $1::int, $2', types: [23, 0] }),
    serialize.bind({ portal: 'p1', statement: 's1', values: ['42', null, Buffer.from([0, 0, 0, 7])], binary: true }),
    serialize.describe({ type: 'S', name: 's1' }),
    serialize.describe({ type: 'P', name: 'p1' }),
    serialize.execute({ portal: 'p1', rows: 10 }),
    serialize.close({ type: 'P', name: 'p1' }),
    serialize.flush(),
    serialize.sync(),
    serialize.query('select 1; select \'é\''),
    serialize.copyDone(),
    serialize.copyFail('client gave up'),
    serialize.end(),
  ]);
  const expected: FrontendMessage[] = [
    { kind: 'parse', statement: 's1', sql: 'select $1::int, $2', paramTypeOids: [23, 0] },
    {
      kind: 'bind',
      portal: 'p1',
      statement: 's1',
      paramFormats: [0, 0, 1],
      params: [Buffer.from('42'), null, Buffer.from([0, 0, 0, 7])],
      resultFormats: [1],
    },
    { kind: 'describe', target: 'S', name: 's1' },
    { kind: 'describe', target: 'P', name: 'p1' },
    { kind: 'execute', portal: 'p1', maxRows: 10 },
    { kind: 'close', target: 'P', name: 'p1' },
    { kind: 'flush' },
    { kind: 'sync' },
    { kind: 'query', sql: "select 1; select 'é'" },
    { kind: 'copy-done' },
    { kind: 'copy-fail', message: 'client gave up' },
    { kind: 'terminate' },
  ];
  assert.deepEqual(readAll(bytes), expected);
  assert.deepEqual(readAll(bytes, false, 1), expected);
  assert.deepEqual(readAll(bytes, false, 7), expected);
});

test('password and SASL messages decode', () => {
  const [pw, sasl1, sasl2] = readAll(
    Buffer.concat([
      serialize.password('secret'),
      serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc'),
      serialize.sendSCRAMClientFinalMessage('c=biws,r=abcdef,p=xyz'),
    ]),
  );
  assert.ok(pw?.kind === 'password' && sasl1?.kind === 'password' && sasl2?.kind === 'password');
  assert.equal(decodePasswordMessage(pw.body), 'secret');
  const init = decodeSASLInitialResponse(sasl1.body);
  assert.equal(init.mechanism, 'SCRAM-SHA-256');
  assert.equal(init.data?.toString(), 'n,,n=*,r=abc');
  assert.equal(sasl2.body.toString(), 'c=biws,r=abcdef,p=xyz');
});

test('malformed frames throw ProtocolError', () => {
  const typed = (bytes: Buffer, max = 1024): void => {
    const r = new MessageReader(max);
    r.feed(serialize.startup({ user: 'u' }));
    r.next();
    r.feed(bytes);
    r.next();
  };
  assert.throws(() => typed(Buffer.from([0x7a, 0, 0, 0, 4])), ProtocolError, 'unknown type');
  assert.throws(() => typed(Buffer.from([0x51, 0, 0, 0, 2])), ProtocolError, 'length < 4');
  assert.throws(() => typed(Buffer.from([0x51, 0, 0, 0x10, 0])), /exceeds the limit/, 'oversized');
  assert.throws(() => typed(Buffer.from([0x51, 0, 0, 0, 6, 0x41, 0x42])), /invalid string/, 'unterminated string');
  assert.throws(() => typed(Buffer.from([0x53, 0, 0, 0, 5, 1])), ProtocolError, 'sync with a body');
  assert.throws(() => typed(Buffer.from([0x44, 0, 0, 0, 6, 0x58, 0])), /subtype/, 'describe X');
  const startup = (bytes: Buffer): void => {
    const r = new MessageReader();
    r.feed(bytes);
    r.next();
  };
  assert.throws(() => startup(Buffer.from([0, 0, 0, 3])), ProtocolError);
  assert.throws(() => startup(Buffer.from([0, 1, 0, 0, 0, 3, 0, 0])), ProtocolError, 'startup too long');
  // a 3.0 startup packet without the final terminator
  assert.throws(() => startup(Buffer.from([0, 0, 0, 12, 0, 3, 0, 0, 0x75, 0, 0x78, 0])), ProtocolError);
  // an incomplete message is not an error, just not ready
  const r = new MessageReader();
  r.feed(serialize.startup({ user: 'u' }).subarray(0, 9));
  assert.equal(r.next(), null);
});

test('backend messages parse with pg-protocol Parser', () => {
  const w = new BackendWriter(8);
  w.authenticationOk()
    .authenticationCleartextPassword()
    .authenticationSASL(['SCRAM-SHA-256'])
    .authenticationSASLContinue('r=abc,s=c2FsdA==,i=4096')
    .authenticationSASLFinal('v=xyz')
    .parameterStatus('server_version', '15.0 (sluice 0.1.0)')
    .backendKeyData(77, -99)
    .rowDescription([
      { name: 'id', tableOid: 16384, columnNumber: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
      { name: 'naïve', tableOid: 0, columnNumber: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 1 },
    ])
    .dataRow(['1', null, Buffer.from([1, 2]), '', 'ünïcode'])
    .commandComplete('SELECT 1')
    .emptyQueryResponse()
    .errorResponse({ severity: 'ERROR', code: '42P01', message: 'relation "t" does not exist', detail: 'd', hint: 'h', position: 15 })
    .noticeResponse({ severity: 'NOTICE', code: '00000', message: 'hello' })
    .parseComplete()
    .bindComplete()
    .closeComplete()
    .noData()
    .parameterDescription([23, 25, 3802])
    .portalSuspended()
    .copyOutResponse(0, [0, 0])
    .copyData('a\tb\n')
    .copyDone()
    .readyForQuery('T');
  const msgs = parseBackend(w.take());
  assert.equal(w.length, 0);
  const names = msgs.map((m) => m.name);
  assert.deepEqual(names, [
    'authenticationOk',
    'authenticationCleartextPassword',
    'authenticationSASL',
    'authenticationSASLContinue',
    'authenticationSASLFinal',
    'parameterStatus',
    'backendKeyData',
    'rowDescription',
    'dataRow',
    'commandComplete',
    'emptyQuery',
    'error',
    'notice',
    'parseComplete',
    'bindComplete',
    'closeComplete',
    'noData',
    'parameterDescription',
    'portalSuspended',
    'copyOutResponse',
    'copyData',
    'copyDone',
    'readyForQuery',
  ]);
  const get = <T>(i: number): T => msgs[i] as unknown as T;
  assert.deepEqual(get<{ mechanisms: string[] }>(2).mechanisms, ['SCRAM-SHA-256']);
  assert.equal(get<{ data: string }>(3).data, 'r=abc,s=c2FsdA==,i=4096');
  assert.equal(get<{ data: string }>(4).data, 'v=xyz');
  assert.deepEqual([get<{ parameterName: string }>(5).parameterName, get<{ parameterValue: string }>(5).parameterValue], ['server_version', '15.0 (sluice 0.1.0)']);
  assert.deepEqual([get<{ processID: number }>(6).processID, get<{ secretKey: number }>(6).secretKey], [77, -99]);
  const rd = get<{ fields: { name: string; tableID: number; columnID: number; dataTypeID: number; dataTypeSize: number; format: string }[] }>(7);
  assert.deepEqual(
    rd.fields.map((f) => [f.name, f.tableID, f.columnID, f.dataTypeID, f.dataTypeSize, f.format]),
    [
      ['id', 16384, 1, 23, 4, 'text'],
      ['naïve', 0, 0, 25, -1, 'binary'],
    ],
  );
  const row = get<{ fields: (string | null)[] }>(8).fields;
  assert.deepEqual(row, ['1', null, '\u0001\u0002', '', 'ünïcode']);
  assert.equal(get<{ text: string }>(9).text, 'SELECT 1');
  const err = get<{ severity: string; code: string; message: string; detail: string; hint: string; position: string }>(11);
  assert.deepEqual([err.severity, err.code, err.message, err.detail, err.hint, err.position], ['ERROR', '42P01', 'relation "t" does not exist', 'd', 'h', '15']);
  const notice = get<{ severity: string; message: string }>(12);
  assert.deepEqual([notice.severity, notice.message], ['NOTICE', 'hello']);
  assert.deepEqual(get<{ dataTypeIDs: number[] }>(17).dataTypeIDs, [23, 25, 3802]);
  assert.deepEqual(get<{ binary: boolean; columnTypes: number[] }>(19).columnTypes, [0, 0]);
  assert.equal(get<{ chunk: Buffer }>(20).chunk.toString(), 'a\tb\n');
  assert.equal(get<{ status: string }>(22).status, 'T');
});

test('large DataRows grow the buffer and stay intact', () => {
  const big = 'x'.repeat(200_000);
  const w = new BackendWriter(16);
  for (let i = 0; i < 5; i++) w.dataRow([big, String(i)]);
  const msgs = parseBackend(w.take());
  assert.equal(msgs.length, 5);
  msgs.forEach((m, i) => assert.deepEqual((m as unknown as { fields: string[] }).fields, [big, String(i)]));
});

test('startup options and type OIDs', async () => {
  const { parseStartupOptions } = await import('../../src/server/session.js');
  assert.deepEqual(parseStartupOptions('-c search_path=a,b --statement-timeout=5 -cTimeZone=UTC -c x=with\\ space'), [
    ['search_path', 'a,b'],
    ['statement_timeout', '5'],
    ['TimeZone', 'UTC'],
    ['x', 'with space'],
  ]);
  const { typeForOid, oidForType } = await import('../../src/server/protocol/type-oids.js');
  assert.equal(typeForOid(0), null);
  assert.equal(typeForOid(23), 'integer');
  assert.equal(typeForOid(1042), 'text');
  assert.equal(typeForOid(3802), 'jsonb');
  assert.throws(() => typeForOid(600), { code: '42704' });
  assert.equal(oidForType('unknown'), 25);
  assert.equal(oidForType('timestamptz'), 1184);
});

/**
 * The PG-wire server in-process (ephemeral port) with a real engine, driven by real clients: node-postgres
 * (simple + extended, parameters, errors, transaction-failed state), postgres.js, psql 15, a raw
 * pg-protocol client (row limits / PortalSuspended, binary results, pipelining), SCRAM login, and a bounded
 * protocol fuzz after which the server still serves a healthy connection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

const run = promisify(execFile);
let engine: Engine;
let server: RunningServer;
let authServer: RunningServer;

before(async () => {
  engine = await createEngine({});
  server = await startServer(engine, { port: 0 });
  authServer = await startServer(engine, { port: 0, users: { alice: 'wonderland' } });
});

after(async () => {
  await server.close();
  await authServer.close();
  await engine.close();
});

function pgClient(extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', ...extra });
}

async function withPg<T>(fn: (c: pg.Client) => Promise<T>, extra: Partial<pg.ClientConfig> = {}): Promise<T> {
  const c = pgClient(extra);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A raw protocol client: frontend bytes from pg-protocol's serialize, backend messages via its Parser. */
class RawClient {
  readonly messages: BackendMessage[] = [];
  private readonly parser = new Parser();
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.parser.parse(d, (m) => this.messages.push(m));
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, startup = true): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RawClient(socket);
    if (startup) {
      socket.write(serialize.startup({ user: 'root', database: 'dev' }));
      await c.until('readyForQuery');
    }
    return c;
  }

  send(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  /** Wait until a message named `name` arrives (or the socket closes); return and clear what arrived so far. */
  async until(name: string): Promise<BackendMessage[]> {
    for (;;) {
      const i = this.messages.findIndex((m) => m.name === name);
      if (i >= 0) return this.messages.splice(0, i + 1);
      if (this.closed) return this.messages.splice(0);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  end(): void {
    this.socket.end(serialize.end());
  }
}

test('pg: simple query, types and multi-statement strings', { timeout: 30_000 }, async () => {
  await withPg(async (c) => {
    const r = await c.query("select 1 as a, 'x' as b, 1.50::numeric as n, true as t");
    assert.deepEqual(r.rows, [{ a: 1, b: 'x', n: '1.50', t: true }]);
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [23, 25, 1700, 16]);
    const multi = (await c.query('select 1 as one; select 2 as two')) as unknown as pg.QueryResult[];
    assert.deepEqual(multi.map((m) => m.rows), [[{ one: 1 }], [{ two: 2 }]]);
    const empty = await c.query('');
    assert.equal(empty.rows.length, 0);
  });
});

test('pg: extended protocol with parameters and named statements', { timeout: 30_000 }, async () => {
  await withPg(async (c) => {
    const r = await c.query('select $1::int + 1 as x, $2::text as s', [41, 'hé']);
    assert.deepEqual(r.rows, [{ x: 42, s: 'hé' }]);
    for (const v of [1, 2, 3]) {
      const n = await c.query({ name: 'plus_one', text: 'select $1::int + 1 as y', values: [v] });
      assert.deepEqual(n.rows, [{ y: v + 1 }]);
    }
    const nul = await c.query('select $1::text as z', [null]);
    assert.deepEqual(nul.rows, [{ z: null }]);
  });
});

test('pg: errors carry SQLSTATE and position and leave the session usable', { timeout: 30_000 }, async () => {
  await withPg(async (c) => {
    await assert.rejects(c.query('select * from no_such_table'), (e: pg.DatabaseError) => {
      assert.equal(e.code, '42P01');
      assert.equal(e.position, '15');
      return true;
    });
    // position is relative to the whole query string in a multi-statement query
    await assert.rejects(c.query('select 1; select * from no_such_table'), (e: pg.DatabaseError) => e.code === '42P01' && e.position === '25');
    await assert.rejects(c.query('select $1::int', ['abc']), (e: pg.DatabaseError) => e.code === '22P02');
    assert.deepEqual((await c.query('select 7 as ok')).rows, [{ ok: 7 }]);
    assert.deepEqual((await c.query('select $1::int as ok', [8])).rows, [{ ok: 8 }]);
  });
});

test('pg: a failed transaction block rejects statements until ROLLBACK', { timeout: 30_000 }, async () => {
  await withPg(async (c) => {
    await c.query('begin');
    await assert.rejects(c.query('select * from no_such_table'));
    await assert.rejects(c.query('select 1'), (e: pg.DatabaseError) => e.code === '25P02');
    await c.query('rollback');
    assert.deepEqual((await c.query('select 1 as back')).rows, [{ back: 1 }]);
  });
});

test('pg: unknown database is FATAL 3D000', { timeout: 30_000 }, async () => {
  const c = pgClient({ database: 'nope' });
  await assert.rejects(c.connect(), (e: pg.DatabaseError) => e.code === '3D000' && e.message === 'database "nope" does not exist');
});

test('postgres.js: queries with parameters', { timeout: 30_000 }, async () => {
  const sql = postgres({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', max: 1, onnotice: () => undefined });
  try {
    const a = await sql`select 1 as x`;
    assert.deepEqual([...a], [{ x: 1 }]);
    const b = await sql`select ${5}::int * 2 as y, ${'str'}::text as s`;
    assert.deepEqual([...b], [{ y: 10, s: 'str' }]);
    await assert.rejects(sql`select * from no_such_table`, (e: { code?: string }) => e.code === '42P01');
    const c = await sql`select 3 as z`;
    assert.deepEqual([...c], [{ z: 3 }]);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

test('psql 15: -c queries, errors and COPY TO STDOUT', { timeout: 60_000 }, async () => {
  const psql = (...args: string[]) =>
    run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'dev', '-U', 'root', '-X', '-A', '-t', ...args], { timeout: 20_000 });
  assert.equal((await psql('-c', 'select 1')).stdout, '1\n');
  assert.equal((await psql('-c', "select 'a' as x, 2 as y")).stdout, 'a|2\n');
  await assert.rejects(psql('-v', 'ON_ERROR_STOP=1', '-c', 'select * from no_such_table'), (e: { stderr: string }) => /relation "no_such_table" does not exist/.test(e.stderr));
  const copy = await psql('-c', "copy (select 1 as a, 'x,y' as b, null::text as c) to stdout with (format csv, header)");
  assert.equal(copy.stdout, 'a,b,c\n1,"x,y",\n');
  const wrongDb = run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'nope', '-U', 'root', '-X', '-c', 'select 1'], { timeout: 20_000 });
  await assert.rejects(wrongDb, (e: { stderr: string }) => /database "nope" does not exist/.test(e.stderr));
});

test('raw: Execute with a row limit suspends and resumes the portal', { timeout: 30_000 }, async () => {
  const c = await RawClient.connect(server.port);
  try {
    c.send(
      serialize.parse({ name: 'gen', text: 'select * from (values (1), (2), (3), (4), (5)) as t(v)' }),
      serialize.bind({ portal: 'p', statement: 'gen' }),
      serialize.describe({ type: 'P', name: 'p' }),
      serialize.execute({ portal: 'p', rows: 2 }),
      serialize.execute({ portal: 'p', rows: 2 }),
      serialize.execute({ portal: 'p', rows: 2 }),
      serialize.sync(),
    );
    const msgs = await c.until('readyForQuery');
    const shape = msgs.map((m) => (m.name === 'dataRow' ? `D${(m as unknown as { fields: string[] }).fields[0]}` : m.name));
    assert.deepEqual(shape, [
      'parseComplete',
      'bindComplete',
      'rowDescription',
      'D1',
      'D2',
      'portalSuspended',
      'D3',
      'D4',
      'portalSuspended',
      'D5',
      'commandComplete',
      'readyForQuery',
    ]);
    assert.equal((msgs[10] as unknown as { text: string }).text, 'SELECT 1');
  } finally {
    c.end();
  }
});

test('raw: after an error, messages are skipped until Sync', { timeout: 30_000 }, async () => {
  const c = await RawClient.connect(server.port);
  try {
    c.send(
      serialize.parse({ text: 'select * from no_such_table' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.sync(),
      serialize.parse({ text: 'select 5' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.sync(),
    );
    const first = await c.until('readyForQuery');
    assert.deepEqual(first.map((m) => m.name), ['error', 'readyForQuery']);
    const second = await c.until('readyForQuery');
    assert.deepEqual(second.map((m) => m.name), ['parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
  } finally {
    c.end();
  }
});

test('raw: binary result format and Describe of a statement', { timeout: 30_000 }, async () => {
  const c = await RawClient.connect(server.port);
  try {
    c.send(
      serialize.parse({ name: 's', text: 'select $1::int as a, $2::bigint as b', types: [0, 0] }),
      serialize.describe({ type: 'S', name: 's' }),
      serialize.bind({ statement: 's', values: [Buffer.from([0, 0, 0, 9]), '10'], binary: true }),
      serialize.execute({}),
      serialize.sync(),
    );
    const msgs = await c.until('readyForQuery');
    assert.deepEqual(msgs.map((m) => m.name), ['parseComplete', 'parameterDescription', 'rowDescription', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
    assert.deepEqual((msgs[1] as unknown as { dataTypeIDs: number[] }).dataTypeIDs, [23, 20]);
    const row = (msgs[4] as unknown as { fields: string[] }).fields;
    // pg-protocol decodes cells as UTF-8 text; compare the raw bytes through latin1-safe char codes
    assert.deepEqual([...Buffer.from(row[0]!, 'utf8')], [0, 0, 0, 9]);
    assert.deepEqual([...Buffer.from(row[1]!, 'utf8')], [0, 0, 0, 0, 0, 0, 0, 10]);
  } finally {
    c.end();
  }
});

test('SCRAM-SHA-256: pg and psql log in with the right password, fail with a wrong one', { timeout: 60_000 }, async () => {
  const ok = new pg.Client({ host: '127.0.0.1', port: authServer.port, user: 'alice', password: 'wonderland', database: 'dev' });
  await ok.connect();
  assert.deepEqual((await ok.query('select 1 as in_')).rows, [{ in_: 1 }]);
  await ok.end();
  for (const [user, password] of [
    ['alice', 'wrong'],
    ['mallory', 'wonderland'],
  ] as const) {
    const bad = new pg.Client({ host: '127.0.0.1', port: authServer.port, user, password, database: 'dev' });
    await assert.rejects(bad.connect(), (e: pg.DatabaseError) => e.code === '28P01' && e.message === `password authentication failed for user "${user}"`);
  }
  const env = { ...process.env, PGPASSWORD: 'wonderland' };
  const out = await run('psql', ['-h', '127.0.0.1', '-p', String(authServer.port), '-d', 'dev', '-U', 'alice', '-X', '-A', '-t', '-c', 'select 1'], { env, timeout: 20_000 });
  assert.equal(out.stdout, '1\n');
});

test('CancelRequest with a wrong key is ignored; the session keeps working', { timeout: 30_000 }, async () => {
  const c = await RawClient.connect(server.port, false);
  c.send(serialize.startup({ user: 'root', database: 'dev' }));
  const startup = await c.until('readyForQuery');
  const key = startup.find((m) => m.name === 'backendKeyData') as unknown as { processID: number; secretKey: number };
  assert.ok(key && key.processID > 0);
  const canceller = await RawClient.connect(server.port, false);
  canceller.send(serialize.cancel(key.processID, key.secretKey ^ 1));
  await canceller.until('never'); // the server closes a cancel connection without answering
  assert.equal(canceller.closed, true);
  c.send(serialize.query('select 1'));
  assert.ok((await c.until('readyForQuery')).some((m) => m.name === 'dataRow'));
  c.end();
});

test('fuzz: random and truncated input never takes the server down', { timeout: 120_000 }, async () => {
  const valid = [
    serialize.startup({ user: 'root', database: 'dev' }),
    serialize.parse({ text: 'select $1::int' }),
    serialize.bind({ values: ['1'] }),
    serialize.describe({ type: 'P' }),
    serialize.execute({ rows: 1 }),
    serialize.query('select 1'),
    serialize.sync(),
  ];
  const validStream = Buffer.concat(valid);
  const inputs = fc.sample(
    fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.integer({ min: 0, max: validStream.length }).map((n) => validStream.subarray(0, n)),
      fc
        .tuple(fc.integer({ min: 0, max: validStream.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 16 }))
        .map(([at, junk]) => Buffer.concat([validStream.subarray(0, at), Buffer.from(junk), validStream.subarray(at)])),
    ),
    { numRuns: 120, seed: 42 },
  );
  const healthy = pgClient();
  await healthy.connect();
  try {
    for (const input of inputs) {
      const c = await RawClient.connect(server.port, false);
      c.send(input);
      c.socket.end();
      await c.until('never'); // until the server closes or answers everything
    }
    assert.deepEqual((await healthy.query('select 1 as alive')).rows, [{ alive: 1 }]);
    const fresh = pgClient();
    await fresh.connect();
    assert.deepEqual((await fresh.query('select 2 as fresh')).rows, [{ fresh: 2 }]);
    await fresh.end();
  } finally {
    await healthy.end();
  }
});

test('a second server on a busy port fails with a clear message', { timeout: 30_000 }, async () => {
  await assert.rejects(startServer(engine, { port: server.port }), new RegExp(`port ${server.port} is already in use`));
});

test('notices reach the client; SET reports ParameterStatus; startup reports a 15.x server_version', { timeout: 30_000 }, async () => {
  await withPg(async (c) => {
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(`${n.severity} ${n.code} ${n.message}`));
    await c.query('begin');
    await c.query('begin');
    await c.query('rollback');
    assert.deepEqual(notices, ['WARNING 25001 there is already a transaction in progress']);
  });
  const raw = await RawClient.connect(server.port, false);
  try {
    raw.send(serialize.startup({ user: 'root', database: 'dev', application_name: 'wire-test' }));
    const startup = await raw.until('readyForQuery');
    const status = new Map(
      startup.filter((m) => m.name === 'parameterStatus').map((m) => {
        const p = m as unknown as { parameterName: string; parameterValue: string };
        return [p.parameterName, p.parameterValue] as const;
      }),
    );
    assert.match(status.get('server_version') ?? '', /^15\.\d+/);
    assert.equal(status.get('application_name'), 'wire-test');
    assert.equal(status.get('client_encoding'), 'UTF8');
    assert.equal(status.get('integer_datetimes'), 'on');
    raw.send(serialize.query("set timezone = 'Europe/Berlin'; select '2024-01-01 00:00:00+00'::timestamptz as t"));
    const msgs = await raw.until('readyForQuery');
    const tz = msgs.find((m) => m.name === 'parameterStatus') as unknown as { parameterName: string; parameterValue: string };
    assert.deepEqual([tz.parameterName, tz.parameterValue], ['TimeZone', 'Europe/Berlin']);
    const row = msgs.find((m) => m.name === 'dataRow') as unknown as { fields: string[] };
    assert.deepEqual(row.fields, ['2024-01-01 01:00:00+01']);
  } finally {
    raw.end();
  }
});

test('a client that stops reading a large result does not block other sessions', { timeout: 120_000 }, async () => {
  const ROWS = 20_000;
  const payload = 'p'.repeat(400);
  await withPg(async (c) => {
    await c.query('create table wire_big (id int, body text)');
    for (let start = 0; start < ROWS; start += 1000) {
      const values = Array.from({ length: 1000 }, (_, i) => `(${start + i}, '${payload}')`).join(', ');
      await c.query(`insert into wire_big values ${values}`);
    }
  });
  const slow = await RawClient.connect(server.port);
  slow.socket.pause(); // stop reading: the server's write buffer for this socket fills up
  slow.send(serialize.query('select * from wire_big'));
  await withPg(async (c) => {
    // other sessions keep being served while the slow one is stalled
    for (let i = 0; i < 5; i++) assert.deepEqual((await c.query('select $1::int as i', [i])).rows, [{ i }]);
    assert.deepEqual((await c.query('select count(*) as n from wire_big')).rows, [{ n: String(ROWS) }]);
  });
  slow.socket.resume();
  const msgs = await slow.until('readyForQuery');
  assert.equal(msgs.filter((m) => m.name === 'dataRow').length, ROWS);
  assert.equal((msgs.find((m) => m.name === 'commandComplete') as unknown as { text: string }).text, `SELECT ${ROWS}`);
  slow.end();
  await withPg((c) => c.query('drop table wire_big'));
});

test('COPY TO STDOUT in text format over the raw protocol', { timeout: 30_000 }, async () => {
  const c = await RawClient.connect(server.port);
  try {
    c.send(serialize.query("copy (select 1 as a, 'tab\there' as b, null::text as c) to stdout"));
    const msgs = await c.until('readyForQuery');
    assert.deepEqual(msgs.map((m) => m.name), ['copyOutResponse', 'copyData', 'copyDone', 'commandComplete', 'readyForQuery']);
    assert.equal((msgs[1] as unknown as { chunk: Buffer }).chunk.toString(), '1\ttab\\there\t\\N\n');
    assert.equal((msgs[3] as unknown as { text: string }).text, 'COPY 1');
  } finally {
    c.end();
  }
});

test('connection limit and message size limit are enforced with PostgreSQL errors', { timeout: 30_000 }, async () => {
  const small = await startServer(engine, { port: 0, maxConnections: 1, maxMessageBytes: 1024 });
  try {
    const first = new pg.Client({ host: '127.0.0.1', port: small.port, user: 'root', database: 'dev' });
    await first.connect();
    const second = new pg.Client({ host: '127.0.0.1', port: small.port, user: 'root', database: 'dev' });
    await assert.rejects(second.connect(), (e: pg.DatabaseError) => e.code === '53300');
    await first.end();
    // the server notices the close asynchronously; wait for it (bounded) before using the one slot again
    for (let i = 0; i < 500 && small.connectionCount() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(small.connectionCount(), 0);
    const raw = await RawClient.connect(small.port);
    raw.send(serialize.query(`select '${'x'.repeat(2000)}'`));
    const msgs = await raw.until('never');
    assert.equal(raw.closed, true);
    const err = msgs.find((m) => m.name === 'error') as unknown as { code: string; severity: string; message: string };
    assert.deepEqual([err.code, err.severity], ['08P01', 'FATAL']);
    assert.match(err.message, /exceeds the limit of 1024 bytes/);
  } finally {
    await small.close();
  }
});

test("authMethod 'password': cleartext login checked against the configured credential", { timeout: 30_000 }, async () => {
  const pw = await startServer(engine, { port: 0, users: { bob: 'builder' }, authMethod: 'password' });
  try {
    const ok = new pg.Client({ host: '127.0.0.1', port: pw.port, user: 'bob', password: 'builder', database: 'dev' });
    await ok.connect();
    assert.deepEqual((await ok.query('select 1 as ok')).rows, [{ ok: 1 }]);
    await ok.end();
    const bad = new pg.Client({ host: '127.0.0.1', port: pw.port, user: 'bob', password: 'nope', database: 'dev' });
    await assert.rejects(bad.connect(), (e: pg.DatabaseError) => e.code === '28P01');
  } finally {
    await pw.close();
  }
});

test('SSLRequest and GSSENCRequest are refused with N, then the plain startup proceeds', { timeout: 30_000 }, async () => {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const gssenc = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]); // 80877104
  const readByte = (): Promise<Buffer> => new Promise((resolve) => socket.once('data', resolve));
  socket.write(gssenc);
  assert.equal((await readByte()).toString(), 'N');
  socket.write(serialize.requestSsl());
  assert.equal((await readByte()).toString(), 'N');
  socket.destroy();
  // psql with sslmode=prefer (its default) falls back to plain text
  const out = await run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-d', 'dev', '-U', 'root', '-X', '-A', '-t', '-c', 'select 42'], {
    env: { ...process.env, PGSSLMODE: 'prefer', PGGSSENCMODE: 'prefer' },
    timeout: 20_000,
  });
  assert.equal(out.stdout, '42\n');
});

const PGJDBC_JAR = join(homedir(), '.m2/repository/org/postgresql/postgresql/42.7.13/postgresql-42.7.13.jar');
const JDBC_SMOKE = `import java.sql.*;
public class JdbcSmoke {
  public static void main(String[] a) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + a[0] + "/dev";
    try (Connection c = DriverManager.getConnection(url, "root", "")) {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select 1 as one, 'x' as s")) {
        while (r.next()) System.out.println("simple " + r.getInt(1) + " " + r.getString(2));
      }
      try (PreparedStatement p = c.prepareStatement("select ?::int + 1 as n, ?::text as t")) {
        for (int i = 0; i < 7; i++) {
          p.setInt(1, i); p.setString(2, "v" + i);
          try (ResultSet r = p.executeQuery()) { r.next(); System.out.println("prep " + r.getInt(1) + " " + r.getString(2)); }
        }
      }
      try (Statement s = c.createStatement()) {
        try { s.executeQuery("select * from nope"); } catch (SQLException e) { System.out.println("err " + e.getSQLState()); }
        try (ResultSet r = s.executeQuery("select 2")) { r.next(); System.out.println("after " + r.getInt(1)); }
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select 3")) { r.next(); System.out.println("tx " + r.getInt(1)); }
      c.rollback();
      System.out.println("version " + c.getMetaData().getDatabaseProductVersion());
    }
  }
}
`;

test('pgjdbc 42.7: simple, server-prepared (past prepareThreshold), errors, transactions', { timeout: 120_000, skip: !existsSync(PGJDBC_JAR) && 'pgjdbc jar not in ~/.m2' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-jdbc-'));
  writeFileSync(join(dir, 'JdbcSmoke.java'), JDBC_SMOKE);
  const { stdout } = await run('java', ['-cp', PGJDBC_JAR, join(dir, 'JdbcSmoke.java'), String(server.port)], { timeout: 100_000 });
  assert.equal(
    stdout,
    [
      'simple 1 x',
      ...Array.from({ length: 7 }, (_, i) => `prep ${i + 1} v${i}`),
      'err 42P01',
      'after 2',
      'tx 3',
      'version 15.0 (sluice 0.1.0)',
      '',
    ].join('\n'),
  );
});

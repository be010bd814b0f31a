/**
 * TLS against the real server process (bin/sluice.js serve --tls-cert/--tls-key, built to dist/) with a throw-away
 * self-signed certificate made by openssl for localhost/127.0.0.1: psql with sslmode=require reports a TLS
 * connection and queries; sslmode=verify-full with the certificate as root verifies what the server presents;
 * node-postgres over TLS runs the extended protocol; sslmode=disable still works (TLS is offered, not required);
 * bytes sent after SSLRequest before the handshake get a FATAL and a closed connection while the server keeps
 * serving; a server without a certificate refuses sslmode=require; the flags fail fast when one is missing or the
 * key does not match the certificate.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../harness/server-process.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
const CERT = join(dir, 'cert.pem');
const KEY = join(dir, 'key.pem');
const OTHER_KEY = join(dir, 'other-key.pem');
let server: ServerProcess;

async function psql(conninfo: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('psql', [conninfo, '-X', '-v', 'ON_ERROR_STOP=1', ...args], { env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
  return stdout;
}

before(async () => {
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', KEY, '-out', CERT, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', OTHER_KEY]);
  server = await startServerProcess({ args: ['--tls-cert', CERT, '--tls-key', KEY] });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('psql with sslmode=require gets a TLS session and answers queries', async () => {
  const out = await psql(`host=127.0.0.1 port=${server.port} user=root dbname=dev sslmode=require`, '-c', '\\conninfo', '-Atc', 'SELECT 40 + 2');
  assert.match(out, /SSL connection \(protocol: TLSv1\.[23]/);
  assert.match(out, /^42$/m);
});

test('sslmode=verify-full with the certificate as root CA verifies the certificate the server presents', async () => {
  const out = await psql(`host=localhost port=${server.port} user=root dbname=dev sslmode=verify-full sslrootcert=${CERT}`, '-Atc', 'SELECT current_database()');
  assert.equal(out.trim(), 'dev');
});

test('node-postgres over TLS: the extended protocol with parameters', async () => {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'root', database: 'dev', ssl: { ca: readFileSync(CERT, 'utf8'), servername: 'localhost' } });
  await c.connect();
  try {
    const stream = (c as unknown as { connection: { stream: unknown } }).connection.stream;
    assert.ok(stream instanceof TLSSocket && stream.encrypted, 'the connection runs over TLS');
    const r = await c.query({ text: 'SELECT $1::int * 2 AS doubled', values: [21] });
    assert.deepEqual(r.rows, [{ doubled: 42 }]);
  } finally {
    await c.end();
  }
});

test('TLS is offered, not required: sslmode=disable still connects in plaintext', async () => {
  const out = await psql(`host=127.0.0.1 port=${server.port} user=root dbname=dev sslmode=disable`, '-c', '\\conninfo');
  assert.doesNotMatch(out, /SSL connection/);
});

test('bytes after SSLRequest before the handshake: FATAL, connection closed, server still serves', async () => {
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(got)));
    const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    s.write(Buffer.concat([sslRequest, Buffer.from('injected plaintext')]));
  });
  assert.equal(String.fromCharCode(reply[0]!), 'E', 'an ErrorResponse, not the S of a handshake');
  assert.match(reply.toString('latin1'), /FATAL.*unencrypted data after SSL request/s);
  const out = await psql(`host=127.0.0.1 port=${server.port} user=root dbname=dev sslmode=require`, '-Atc', 'SELECT 1');
  assert.equal(out.trim(), '1');
});

test('a server without --tls-cert answers N: sslmode=require fails, sslmode=prefer falls back to plaintext', async () => {
  const plain = await startServerProcess();
  try {
    await assert.rejects(psql(`host=127.0.0.1 port=${plain.port} user=root dbname=dev sslmode=require`, '-c', 'SELECT 1'), /server does not support SSL/);
    const out = await psql(`host=127.0.0.1 port=${plain.port} user=root dbname=dev sslmode=prefer`, '-c', '\\conninfo');
    assert.doesNotMatch(out, /SSL connection/);
  } finally {
    await plain.stop();
  }
});

test('the TLS flags fail fast: one without the other, or a key that is not the certificate’s', async () => {
  const sluice = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin', 'sluice.js'), 'serve', '--port', '0', ...args]);
  await assert.rejects(sluice('--tls-cert', CERT), (e: { code: number; stderr: string }) => e.code === 2 && /--tls-cert and --tls-key go together/.test(e.stderr));
  await assert.rejects(sluice('--tls-cert', CERT, '--tls-key', join(dir, 'missing.pem')), (e: { stderr: string }) => /cannot read the TLS key/.test(e.stderr));
  await assert.rejects(sluice('--tls-cert', CERT, '--tls-key', OTHER_KEY), (e: { stderr: string }) => /TLS certificate and key are not usable/.test(e.stderr));
});

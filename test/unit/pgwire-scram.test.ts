/**
 * SCRAM-SHA-256 server exchange against the real `pg` client's SCRAM implementation (pg/lib/crypto/sasl.js),
 * and verifier compatibility with the real PostgreSQL (a verifier PostgreSQL stores in pg_authid works here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import pg from 'pg';
import {
  ScramServerExchange,
  deriveScramVerifier,
  formatScramVerifier,
  parseScramVerifier,
  passwordMatches,
  verifierFor,
  type ScramVerifier,
} from '../../src/server/scram.js';
import { ProtocolError } from '../../src/server/protocol/cursor.js';

interface PgSaslSession {
  response: string;
}
interface PgSasl {
  startSession(mechanisms: string[], stream?: unknown): PgSaslSession;
  continueSession(session: PgSaslSession, password: string, serverData: string, stream?: unknown): Promise<void>;
  finalizeSession(session: PgSaslSession, serverData: string): void;
}
const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as PgSasl;

/** Run a full exchange: pg's client with `password` against our server holding `verifier`. */
async function login(verifier: ScramVerifier | null, password: string): Promise<boolean> {
  const client = sasl.startSession(['SCRAM-SHA-256']);
  const server = new ScramServerExchange(verifier);
  const gs2 = client.response; // 'n,,n=*,r=…'
  const serverFirst = server.clientFirst(Buffer.from(gs2));
  await sasl.continueSession(client, password, serverFirst);
  const serverFinal = server.clientFinal(Buffer.from(client.response));
  if (serverFinal === null) return false;
  sasl.finalizeSession(client, serverFinal); // throws if our server signature is wrong
  return true;
}

test('pg client logs in with the right password, fails with a wrong one', async () => {
  const v = deriveScramVerifier('s3cret pässword');
  assert.equal(await login(v, 's3cret pässword'), true);
  assert.equal(await login(v, 's3cret password'), false);
  assert.equal(await login(null, 'anything'), false, 'unknown user fails');
});

test('verifier text form round-trips; plain and verifier credentials are equivalent', async () => {
  const v = deriveScramVerifier('pw', 4096, Buffer.from('0123456789abcdef'));
  const text = formatScramVerifier(v);
  assert.match(text, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  assert.deepEqual(parseScramVerifier(text), v);
  assert.equal(parseScramVerifier('pw'), null);
  assert.equal(await login(verifierFor(text), 'pw'), true);
  assert.equal(await login(verifierFor('pw'), 'pw'), true);
  assert.equal(passwordMatches('pw', v), true);
  assert.equal(passwordMatches('pW', v), false);
});

test('a verifier made by the real PostgreSQL works', { timeout: 30_000 }, async () => {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await client.connect();
  const role = `sluice_scram_${process.pid}`;
  try {
    await client.query("set password_encryption = 'scram-sha-256'");
    await client.query(`create role ${role} login password 'from-postgres'`);
    const r = await client.query<{ rolpassword: string }>('select rolpassword from pg_authid where rolname = $1', [role]);
    const v = parseScramVerifier(r.rows[0]!.rolpassword);
    assert.ok(v, 'PostgreSQL verifier parses');
    assert.equal(passwordMatches('from-postgres', v), true);
    assert.equal(await login(v, 'from-postgres'), true);
    assert.equal(await login(v, 'nope'), false);
  } finally {
    await client.query(`drop role if exists ${role}`);
    await client.end();
  }
});

test('malformed client messages are protocol errors', () => {
  const server = new ScramServerExchange(deriveScramVerifier('pw'));
  assert.throws(() => server.clientFirst(Buffer.from('garbage')), ProtocolError);
  assert.throws(() => new ScramServerExchange(null).clientFirst(Buffer.from('p=tls-server-end-point,,n=*,r=abc')), /channel binding/);
  const s2 = new ScramServerExchange(deriveScramVerifier('pw'));
  const first = s2.clientFirst(Buffer.from('n,,n=*,r=abc'));
  assert.match(first, /^r=abc[^,]+,s=[^,]+,i=4096$/);
  assert.throws(() => s2.clientFinal(Buffer.from('c=biws,r=wrongnonce,p=AAAA')), /nonce/);
  assert.throws(() => s2.clientFinal(Buffer.from('c=eSws,r=x,p=AAAA')), /channel binding/);
  assert.throws(() => s2.clientFinal(Buffer.from('no proof here')), ProtocolError);
});

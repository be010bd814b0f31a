/**
 * SCRAM-SHA-256 server side (RFC 5802 / RFC 7677) as PostgreSQL speaks it, without channel binding.
 * State: one exchange per login (client-first → server-first → client-final → server-final).
 * Invariant: a login succeeds only if the client proves knowledge of the password behind the stored verifier;
 * unknown users run the same exchange against a random verifier so they fail the same way as a wrong password.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from './protocol/cursor.js';

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** RFC 4013 SASLprep, the byte-changing steps PostgreSQL and libpq apply (map spaces, drop ignorables, NFKC). */
export function saslPrep(password: string): string {
  return password
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    // eslint-disable-next-line no-misleading-character-class -- RFC 3454 B.1 lists exactly these joiners/selectors
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .normalize('NFKC');
}

/** Derive a verifier from a password (what PostgreSQL stores in pg_authid.rolpassword). */
export function deriveScramVerifier(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): ScramVerifier {
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  return {
    iterations,
    salt,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** PostgreSQL's text form: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts). */
export function formatScramVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

/** Parse PostgreSQL's text form; null when `s` is not a SCRAM verifier (then it is a plain password). */
export function parseScramVerifier(s: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(s);
  if (!m) return null;
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations: parseInt(m[1]!, 10), salt: Buffer.from(m[2]!, 'base64'), storedKey, serverKey };
}

/** A configured credential: a plain password or a verifier string → a verifier. */
export function verifierFor(credential: string): ScramVerifier {
  return parseScramVerifier(credential) ?? deriveScramVerifier(credential);
}

/** Whether a cleartext password matches a verifier (how PostgreSQL checks `password` auth against SCRAM secrets). */
export function passwordMatches(password: string, v: ScramVerifier): boolean {
  const derived = deriveScramVerifier(password, v.iterations, v.salt);
  return timingSafeEqual(derived.storedKey, v.storedKey);
}

function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new ProtocolError(`malformed SCRAM message (attribute expected, got "${part}")`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

export class ScramServerExchange {
  private readonly verifier: ScramVerifier;
  private readonly mustFail: boolean;
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';

  /** verifier null: the user does not exist; the exchange runs and then fails. */
  constructor(verifier: ScramVerifier | null) {
    this.mustFail = verifier === null;
    this.verifier = verifier ?? deriveScramVerifier(randomBytes(16).toString('hex'), 4096);
  }

  /** client-first-message → server-first-message. */
  clientFirst(data: Buffer): string {
    const msg = data.toString('utf8');
    // gs2-header: cbind-flag "," [authzid] ","
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/s.exec(msg);
    if (!m) throw new ProtocolError('malformed SCRAM message (invalid GS2 header)');
    if (m[1]!.startsWith('p')) throw new ProtocolError('channel binding is not supported by this server');
    this.gs2Header = `${m[1]},${m[2]},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (!clientNonce || !attrs.has('n')) throw new ProtocolError('malformed SCRAM message (nonce expected)');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message, or null when the proof is wrong. */
  clientFinal(data: Buffer): string | null {
    const msg = data.toString('utf8');
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) throw new ProtocolError('malformed SCRAM message (proof expected)');
    const withoutProof = msg.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    const proof = Buffer.from(msg.slice(proofAt + 3), 'base64');
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) {
      throw new ProtocolError('SCRAM channel binding check failed');
    }
    if (attrs.get('r') !== this.nonce) throw new ProtocolError('SCRAM nonce mismatch');
    if (proof.length !== 32) return null;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey) || this.mustFail) return null;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

/**
 * startServer: the PostgreSQL-protocol TCP server (net.Server) in front of an engine; with a certificate, a
 * connection whose client sends SSLRequest continues over TLS on the same socket.
 * State: live connections by process id (for CancelRequest). Invariant: a slow or broken client only ever
 * stalls its own connection (reads pause while its write buffer is full); no connection's failure stops the server.
 */
import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { BackendWriter } from './protocol/backend.js';
import type { TextCodec } from './protocol/binary.js';
import { PgConnection, type SessionFactory } from './session.js';
import { verifierFor, type ScramVerifier } from './scram.js';
import { exprTextCodec } from './text-codec.js';

export interface ServerOptions {
  host?: string;
  /** TCP port; 0 picks a free one (see the returned `port`). Default 4566. */
  port?: number;
  /** user → password or PostgreSQL SCRAM verifier (`SCRAM-SHA-256$…`). Absent: trust authentication. */
  users?: Record<string, string>;
  /** How password logins are exchanged when `users` is set. Default 'scram-sha-256'. */
  authMethod?: 'scram-sha-256' | 'password';
  /** Databases clients may connect to. Default ['dev']. */
  databases?: readonly string[];
  /** Refuse connections beyond this many (FATAL 53300). Default 1000. */
  maxConnections?: number;
  /** Largest frontend message accepted, in bytes. Default 64 MiB. */
  maxMessageBytes?: number;
  log?: (line: string) => void;
  /** Text I/O for format-0 values (default: src/expr/text-io). */
  codec?: TextCodec;
  /**
   * PEM certificate (chain) and private key: SSLRequest is then answered 'S' and the connection continues over
   * TLS (clients that do not ask keep plaintext). Absent: SSLRequest is answered 'N'.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** Number of open client connections. */
  connectionCount(): number;
  /** Stop listening and close every connection. */
  close(): Promise<void>;
}

function buildUsers(users: Record<string, string> | undefined): Map<string, ScramVerifier> | null {
  if (!users) return null;
  const out = new Map<string, ScramVerifier>();
  for (const [name, credential] of Object.entries(users)) out.set(name, verifierFor(credential));
  return out;
}

export async function startServer(engine: SessionFactory, opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const wantedPort = opts.port ?? 4566;
  const maxConnections = opts.maxConnections ?? 1000;
  const auth = { users: buildUsers(opts.users), method: opts.authMethod ?? 'scram-sha-256' } as const;
  const databases = opts.databases ?? ['dev'];
  const codec = opts.codec ?? exprTextCodec;
  const log = opts.log;
  const connections = new Map<number, PgConnection>();
  const sockets = new Set<Socket>();
  // Fails here, before listening, on a certificate and key that do not load or do not match.
  let secureContext: SecureContext | null = null;
  try {
    if (opts.tls) secureContext = createSecureContext({ cert: opts.tls.cert, key: opts.tls.key });
  } catch (e) {
    throw new Error(`the TLS certificate and key are not usable: ${(e as Error).message}`);
  }

  const cancel = (processId: number, secretKey: number): void => {
    const target = connections.get(processId);
    if (target && target.secretKey === secretKey) target.cancel();
  };

  const newProcessId = (): number => {
    for (;;) {
      const id = randomInt(1, 2 ** 31 - 1);
      if (!connections.has(id)) return id;
    }
  };

  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.setNoDelay(true);
    if (connections.size >= maxConnections) {
      socket.end(new BackendWriter().errorResponse({ severity: 'FATAL', code: '53300', message: 'sorry, too many clients already' }).take());
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      return;
    }
    let drainWaiters: (() => void)[] = [];
    const releaseDrain = (): void => {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const w of waiters) w();
    };
    // The stream the protocol reads and writes: the socket, or after a TLS handshake the TLS session over it.
    let stream: Socket | TLSSocket = socket;
    const processId = newProcessId();
    const onData = (chunk: Buffer): void => conn.receive(chunk);
    const conn = new PgConnection(
      {
        write: (bytes) => (stream.writable ? stream.write(bytes) : true),
        waitForDrain: () =>
          !stream.writable || !stream.writableNeedDrain ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve)),
        end: () => {
          if (!stream.destroyed) stream.end();
        },
        pauseInput: () => stream.pause(),
        resumeInput: () => stream.resume(),
        ...(secureContext
          ? {
              startTls: () => {
                socket.off('data', onData);
                socket.off('drain', releaseDrain);
                const tls = new TLSSocket(socket, { isServer: true, secureContext });
                tls.on('data', onData);
                tls.on('drain', releaseDrain);
                // A failed handshake (plaintext, a client that rejects our certificate) ends only this connection.
                tls.on('error', (e) => {
                  log?.(`connection ${processId}: TLS: ${e.message}`);
                  socket.destroy();
                });
                stream = tls;
              },
            }
          : {}),
      },
      {
        engine,
        auth,
        databases,
        processId,
        secretKey: randomInt(0, 2 ** 31 - 1),
        onCancelRequest: cancel,
        codec,
        ...(opts.maxMessageBytes !== undefined ? { maxMessageBytes: opts.maxMessageBytes } : {}),
        ...(log ? { log } : {}),
      },
    );
    connections.set(processId, conn);
    socket.on('data', onData);
    socket.on('drain', releaseDrain);
    socket.on('error', (e) => log?.(`connection ${processId}: ${e.message}`));
    socket.on('close', () => {
      connections.delete(processId);
      sockets.delete(socket);
      releaseDrain();
      conn.socketClosed();
    });
  };

  const server: Server = createServer(onConnection);
  server.maxConnections = maxConnections + 16; // room to send the FATAL 53300 ourselves
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EADDRINUSE') {
        reject(new Error(`port ${wantedPort} is already in use on ${host} (is another sluice or PostgreSQL running?); choose another port`));
      } else if (e.code === 'EACCES') {
        reject(new Error(`permission denied to listen on ${host}:${wantedPort}`));
      } else reject(e);
    };
    server.once('error', onError);
    server.listen(wantedPort, host, () => {
      server.off('error', onError);
      server.on('error', (e) => log?.(`server: ${e.message}`));
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : wantedPort;
  log?.(`sluice listening on ${host}:${port}`);

  let closing: Promise<void> | null = null;
  return {
    port,
    host,
    connectionCount: () => connections.size,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

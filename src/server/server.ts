/**
 * startServer: the PostgreSQL-protocol TCP server (net.Server) in front of an engine.
 * State: live connections by process id (for CancelRequest). Invariant: a slow or broken client only ever
 * stalls its own connection (reads pause while its write buffer is full); no connection's failure stops the server.
 */
import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
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
    const processId = newProcessId();
    const conn = new PgConnection(
      {
        write: (bytes) => (socket.writable ? socket.write(bytes) : true),
        waitForDrain: () =>
          !socket.writable || !socket.writableNeedDrain ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve)),
        end: () => {
          if (!socket.destroyed) socket.end();
        },
        pauseInput: () => socket.pause(),
        resumeInput: () => socket.resume(),
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
    socket.on('data', (chunk: Buffer) => conn.receive(chunk));
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

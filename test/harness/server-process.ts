/**
 * Start the real `sluice serve` process (bin/sluice.js, built to dist/) on a free port for e2e tests, and stop it
 * (SIGTERM, or SIGKILL to simulate a crash). The process logs JSON lines; `listening` carries the port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  port: number;
  dataDir: string;
  child: ChildProcess;
  log: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the signal that ended the process (null: it exited normally). */
  exited: Promise<NodeJS.Signals | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startServerProcess(opts: { dataDir?: string; port?: number; args?: string[]; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'sluice.js'), 'serve', '--port', String(port), '--data-dir', dataDir, '--log-format', 'json', ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...opts.env },
  });
  const log: string[] = [];
  const onData = (b: Buffer): void => {
    for (const line of b.toString('utf8').split('\n')) if (line.trim()) log.push(line);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const exitSignal = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!log.some((l) => l.includes('"event":"listening"'))) {
    if (child.exitCode !== null) throw new Error(`sluice exited with ${child.exitCode}:\n${log.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sluice did not start listening:\n${log.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dataDir,
    child,
    log,
    exited: exitSignal,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Process entry of the `sluice` command (bin/sluice.js). The long-running commands, `serve` and `demo`, run the CLI
 * in a worker thread created with a 192 MiB young generation (V8 semi-spaces of 64 MiB, Node's default is 16): a
 * server allocates a few KB per query, and with the default nursery a scavenge every few tens of milliseconds copies
 * and promotes whatever is in flight at that moment — the largest part of the point-query p99 (docs/benchmarks.md,
 * "Serving"). V8 fixes a thread's heap sizes when the thread starts, so a worker is the only way to choose them from
 * inside the process. The main thread then only forwards SIGINT/SIGTERM to the worker and exits with its exit code;
 * a process killed with SIGKILL dies whole, as before. The other commands, a process whose Node flags already set
 * `--max-semi-space-size`, and `SLUICE_MAIN_THREAD=1` run the CLI on the main thread.
 */
import { Worker } from 'node:worker_threads';
import { main } from './main.js';

const LONG_RUNNING = new Set(['serve', 'demo']);
const SERVER_YOUNG_GENERATION_MB = 192;

export function launch(argv: string[]): void {
  const inWorker =
    LONG_RUNNING.has(argv[2] ?? '') && process.env['SLUICE_MAIN_THREAD'] !== '1' && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'));
  if (!inWorker) {
    runMain(argv);
    return;
  }
  const worker = new Worker(new URL('./launch-worker.js', import.meta.url), {
    argv: argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: SERVER_YOUNG_GENERATION_MB },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => worker.postMessage({ signal }));
  worker.on('error', (e) => {
    process.stderr.write(`sluice: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
  worker.on('exit', (code) => process.exit(code));
}

export function runMain(argv: string[]): void {
  main(argv).catch((e) => {
    process.stderr.write(`sluice: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}

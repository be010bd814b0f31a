/**
 * Crash points for recovery tests: `SLUICE_CRASH_AT=<point>:<n>` makes the process SIGKILL itself the n-th time
 * it passes the named point (e.g. `checkpoint-write:3` inside the third epoch's LMDB write transaction,
 * `sink-transaction:1` between sending an epoch's messages to Kafka and committing that transaction).
 * State: one pass counter per process. Unset (production): crashPoint() is a no-op comparison.
 */
import { writeSync } from 'node:fs';

export type CrashPointName = 'checkpoint-write' | 'sink-transaction';

const spec = /^(checkpoint-write|sink-transaction):(\d+)$/.exec(process.env['SLUICE_CRASH_AT'] ?? '');
const armed: CrashPointName | null = spec ? (spec[1] as CrashPointName) : null;
let remaining = spec ? Number(spec[2]) : 0;

/** Kill this process at once (no cleanup, like `kill -9`) if SLUICE_CRASH_AT names this point and pass. */
export function crashPoint(name: CrashPointName): void {
  if (armed !== name || --remaining > 0) return;
  // Written straight to fd 2: process.stderr in a worker thread (src/cli/launch.ts) is flushed asynchronously by
  // the main thread, which the SIGKILL below would beat.
  writeSync(2, `{"event":"crash point","point":"${name}"}\n`);
  process.kill(process.pid, 'SIGKILL');
}

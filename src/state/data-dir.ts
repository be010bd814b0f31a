/**
 * Data directory (L1): `<dir>/FORMAT` (format version), `<dir>/LOCK` (pid of the owning process), `<dir>/state/`
 * (LMDB files). Invariant: at most one live process holds a directory; a different format major is refused.
 * A lock left by a dead process (pid no longer alive) is taken over.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statfsSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqlError, SQLSTATE } from '../common/errors.js';

export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 0;
const FORMAT_TEXT = `sluice-state ${FORMAT_MAJOR}.${FORMAT_MINOR}\n`;

/** Directories held by this process (a second open in the same process also fails). */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly dir: string;
  release(): void;
}

/** Below this much free space an I/O error is reported as disk full (LMDB may surface ENOSPC as EIO). */
const LOW_SPACE_BYTES = 64 * 1024 * 1024;

function lowOnSpace(path: string): boolean {
  try {
    const st = statfsSync(path);
    return st.bavail * st.bsize < LOW_SPACE_BYTES;
  } catch {
    return false;
  }
}

/** Map a file-system error to a PostgreSQL-style SqlError (58030 io_error, 53100 disk_full). */
export function fsError(e: unknown, action: string, path: string): SqlError {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? '';
  const reason = err?.message ?? String(e);
  const noSpace = code === 'ENOSPC' || code === 'EDQUOT' || /MDB_MAP_FULL|No space left|ENOSPC/i.test(reason);
  if (noSpace || (/Input\/output error|EIO/.test(reason) && lowOnSpace(path))) {
    return new SqlError(SQLSTATE.disk_full, `could not ${action} "${path}": no space left on device`, {
      detail: reason,
      hint: 'Free disk space; the last committed epoch is intact.',
    });
  }
  return new SqlError(SQLSTATE.io_error, `could not ${action} "${path}": ${reason}`, {
    detail: code ? `System error ${code}.` : undefined,
  });
}

/** Create the directory (and `state/`) if needed and check or write FORMAT. Call with the lock held. */
export function prepareDataDir(dir: string): string {
  const stateDir = join(dir, 'state');
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (e) {
    throw fsError(e, 'create data directory', dir);
  }
  const formatPath = join(dir, 'FORMAT');
  if (existsSync(formatPath)) {
    const text = readFileSync(formatPath, 'utf8').trim();
    const m = /^sluice-state (\d+)\.(\d+)$/.exec(text);
    if (!m) {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `data directory "${dir}" has an unrecognized FORMAT file`, {
        detail: `FORMAT contains "${text.slice(0, 60)}".`,
      });
    }
    const major = Number(m[1]);
    if (major !== FORMAT_MAJOR) {
      throw new SqlError(
        SQLSTATE.object_not_in_prerequisite_state,
        `data directory "${dir}" has state format ${m[1]}.${m[2]}, this build reads format ${FORMAT_MAJOR}.x`,
        { hint: 'Use a sluice version that matches the directory, or start with an empty data directory.' },
      );
    }
  } else {
    try {
      writeFileSync(formatPath, FORMAT_TEXT);
    } catch (e) {
      throw fsError(e, 'write', formatPath);
    }
  }
  return stateDir;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the exclusive lock on `dir` (creating `dir` if needed) or fail fast naming the holder. */
export function lockDataDir(dirIn: string): DataDirLock {
  const dir = resolve(dirIn);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fsError(e, 'create data directory', dir);
  }
  const lockPath = join(dir, 'LOCK');
  const inUse = (pid: number) =>
    new SqlError(SQLSTATE.object_not_in_prerequisite_state, `data directory "${dir}" is in use by process ${pid}`, {
      detail: `Lock file "${lockPath}" names a live process.`,
      hint: 'Stop that process, or use another data directory. If no sluice process is running, remove the LOCK file.',
    });
  if (heldHere.has(dir)) throw inUse(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, 'create lock file', lockPath);
      let holder = NaN;
      try {
        holder = parseInt(readFileSync(lockPath, 'utf8'), 10);
      } catch {
        continue; // removed meanwhile: retry
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) throw inUse(holder);
      // stale (dead pid, our own pid from a crashed earlier life, or garbage): take it over
      try {
        unlinkSync(lockPath);
      } catch {
        // another process removed it first; retry the exclusive create
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    heldHere.add(dir);
    let released = false;
    return {
      dir,
      release() {
        if (released) return;
        released = true;
        heldHere.delete(dir);
        try {
          if (parseInt(readFileSync(lockPath, 'utf8'), 10) === process.pid) unlinkSync(lockPath);
        } catch {
          // already gone
        }
      },
    };
  }
  throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `could not lock data directory "${dir}"`, {
    detail: 'The lock file kept changing while we tried to take it.',
  });
}

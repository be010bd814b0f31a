/**
 * Small numeric helpers for benchmark output: percentiles, CPU seconds (this process or another one by pid, from
 * /proc), memory snapshots, number formatting.
 * Stateless. Invariant: nothing here asserts on timing; values are only printed.
 */
import { readFileSync } from 'node:fs';

/** The q-quantile (0..1) of `xs` by nearest rank; NaN when empty. */
export function percentile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** CPU seconds used by this process so far (user + system). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface MemorySnapshot {
  rssMiB: number;
  heapUsedMiB: number;
}

/** Memory now, after a full GC when node runs with --expose-gc. */
export function memory(): MemorySnapshot {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapUsedMiB: m.heapUsed / 2 ** 20 };
}

export const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');
export const fmtMs = (x: number): string => x.toFixed(1);
export const fmtMem = (m: MemorySnapshot): string => `RSS ${m.rssMiB.toFixed(0)} MiB, heap ${m.heapUsedMiB.toFixed(0)} MiB`;

/** Another process's CPU seconds from /proc/<pid>/stat (utime + stime, clock ticks of 1/100 s); null if gone. */
export function procCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Another process's resident memory in MiB from /proc/<pid>/status (NaN if unknown). */
export function procRssMiB(pid: number): number {
  return procMemoryMiB(pid).rss;
}

/**
 * Another process's resident memory in MiB: all of it, the anonymous part (heap, native allocations) and the
 * file-backed part (for sluice mostly LMDB's memory-mapped data file, page cache the kernel can drop).
 */
export function procMemoryMiB(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  };
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
}

/**
 * Small numeric helpers for benchmark output: percentiles, CPU seconds, memory snapshots, number formatting.
 * Stateless. Invariant: nothing here asserts on timing; values are only printed.
 */

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

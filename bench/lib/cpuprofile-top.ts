/**
 * Summarise a V8 .cpuprofile (from node --cpu-prof): the top functions by self time, and by inclusive time for
 * frames under a given path fragment, leaving out idle time and the profiler's own inspector calls. Stateless. Run: node --import tsx bench/lib/cpuprofile-top.ts FILE [N] [--under src/]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile-top.ts FILE [N] [--under fragment]');
const TOP = Number(topArg ?? 30) || 30;
const under = process.argv.includes('--under') ? process.argv[process.argv.indexOf('--under') + 1]! : 'src/';
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode): string => {
  const url = n.callFrame.url.replace(/^.*\/main\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
};
const self = new Map<string, number>();
const incl = new Map<string, number>();
/** Samples inside the profiler's own inspector calls, and idle time, are not the benchmark's. */
const isOverhead = (n: ProfileNode | undefined): boolean => {
  if (n?.callFrame.functionName === '(idle)') return true;
  for (; n; n = byId.get(parent.get(n.id) ?? -1)) if (n.callFrame.url === 'node:inspector') return true;
  return false;
};
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0;
  let n = byId.get(p.samples[i]!);
  if (!n || isOverhead(n)) continue;
  total += dt;
  self.set(label(n), (self.get(label(n)) ?? 0) + dt);
  const seen = new Set<string>();
  for (; n; n = byId.get(parent.get(n.id) ?? -1)) {
    if (!n.callFrame.url.includes(under)) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + dt);
  }
}
const show = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (of ${(total / 1e3).toFixed(0)} ms sampled)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show('self time', self);
show(`inclusive time, frames under "${under}"`, incl);

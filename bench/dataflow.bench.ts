/**
 * Dataflow micro benchmarks: rows/s per operator (map, filter, aggregate kinds, join, distinct, temporal filter,
 * topN, materialize) and events/s through a hand-built graph of the seed article's five views, over a
 * MemoryStore with one commit per epoch. Rates are per CPU-second of this process (user + system), so a busy
 * machine skews them less than wall time. Prints a table; asserts nothing (benchmarks are not tests).
 * Run: node --import tsx bench/dataflow.bench.ts [--events N] [--epoch N] [--only name-prefix]
 */
import { Dataflow } from '../src/dataflow/index.js';
import type { AggregateSpec, NodeSpec } from '../src/dataflow/spec.js';
import type { ChangeBatch } from '../src/common/changes.js';
import type { Row, Value } from '../src/common/types.js';
import { MemoryStore } from '../src/state/memory-store.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--events', 300_000);
const EPOCH = arg('--epoch', 10_000);
const col = (i: number) => (r: Row): Value => r[i]!;
const MIN = 60_000_000;
/** CPU seconds used by this process (user + system): steadier than wall time on a shared machine. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Run `rows` through a graph in epochs of EPOCH rows; returns rows per second (including state flush + commit). */
async function measure(nodes: NodeSpec[], inputId: string, rows: Row[], clock: (i: number) => number = () => 0): Promise<number> {
  const store = new MemoryStore();
  const df = new Dataflow(store);
  df.addNodes(nodes);
  let epoch = 0;
  const t0 = cpuNow();
  for (let i = 0; i < rows.length; i += EPOCH) {
    const batch: ChangeBatch = [];
    for (let j = i; j < Math.min(rows.length, i + EPOCH); j++) batch.push({ row: rows[j]!, weight: 1 });
    df.push(inputId, batch);
    df.step(clock(i));
    await store.commitEpoch(++epoch);
  }
  const secs = cpuNow() - t0;
  return rows.length / secs;
}

const input = (id: string, arity: number): NodeSpec => ({ id, label: id, kind: 'input', arity });
const mat = (id: string, input: string): NodeSpec => ({ id, label: id, kind: 'materialize', input });
const agg = (fn: AggregateSpec['fn'], arg?: number, more: Partial<AggregateSpec> = {}): AggregateSpec => ({
  fn,
  ...(arg === undefined ? {} : { arg: col(arg) }),
  distinct: false,
  inputType: 'integer',
  resultType: fn === 'avg' ? 'numeric' : fn === 'min' || fn === 'max' ? 'integer' : 'bigint',
  ...more,
});

// rows: [key (0..999), value (int), user (string of 0..49), ts]
const rows: Row[] = [];
for (let i = 0; i < N; i++) rows.push([i % 1000, (i * 7919) % 10_000, 'u' + ((i * 31) % 50), i * 1000]);

interface Result {
  name: string;
  rate: number;
}
const results: Result[] = [];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]! : null;
async function bench(name: string, nodes: NodeSpec[], data: Row[] = rows, clock?: (i: number) => number): Promise<void> {
  if (only !== null && !name.startsWith(only)) return;
  results.push({ name, rate: await measure(nodes, 'in', data, clock) });
}

const groupBy = (aggs: AggregateSpec[]): NodeSpec[] => [input('in', 4), { id: 'g', label: 'g', kind: 'aggregate', input: 'in', groupKey: [col(0)], aggregates: aggs, global: false }];

await bench('map', [input('in', 4), { id: 'm', label: 'm', kind: 'map', input: 'in', fns: [col(0), col(1)] }]);
await bench('filter (50%)', [input('in', 4), { id: 'f', label: 'f', kind: 'filter', input: 'in', pred: (r) => (r[1] as number) < 5000 }]);
await bench('materialize', [input('in', 4), mat('mv', 'in')]);
await bench('distinct (1k keys)', [input('in', 4), { id: 'm', label: 'm', kind: 'map', input: 'in', fns: [col(0)] }, { id: 'd', label: 'd', kind: 'distinct', input: 'm' }]);
await bench('agg count(*) by 1k keys', groupBy([agg('count_star')]));
await bench('agg sum+avg by 1k keys', groupBy([agg('sum', 1), agg('avg', 1)]));
await bench('agg max by 1k keys', groupBy([agg('max', 1)]));
await bench('agg count(distinct) by 1k keys', groupBy([agg('count', 2, { distinct: true, inputType: 'varchar' })]));
await bench('agg count(*) FILTER + count(distinct)', groupBy([agg('count_star', undefined, { filter: (r) => (r[1] as number) > 100 }), agg('count', 2, { distinct: true, inputType: 'varchar' })]));
await bench('temporalFilter (1 min window)', [input('in', 4), { id: 't', label: 't', kind: 'temporalFilter', input: 'in', validity: (r) => ({ from: -Infinity, until: (r[3] as number) + MIN }) }], rows, (i) => i * 1000);
await bench('topN 10 of all', [input('in', 4), { id: 'n', label: 'n', kind: 'topN', input: 'in', orderBy: [{ fn: col(1), desc: true, nullsFirst: true }], limit: 10, offset: 0 }], rows.slice(0, Math.min(N, 100_000)));
if (only === null || 'join'.startsWith(only)) {
  // join: a stream against a 1k-row dimension held on the right
  const store = new MemoryStore();
  const df = new Dataflow(store);
  df.addNodes([input('in', 4), input('dim', 2), { id: 'j', label: 'j', kind: 'join', left: 'in', right: 'dim', joinType: 'inner', leftKey: [col(0)], rightKey: [col(0)], leftArity: 4, rightArity: 2 }]);
  df.push('dim', Array.from({ length: 1000 }, (_, k) => ({ row: [k, 'd' + k], weight: 1 })));
  df.step(0);
  await store.commitEpoch(1);
  let epoch = 1;
  const t0 = cpuNow();
  for (let i = 0; i < rows.length; i += EPOCH) {
    df.push('in', rows.slice(i, i + EPOCH).map((row) => ({ row, weight: 1 })));
    df.step(0);
    await store.commitEpoch(++epoch);
  }
  results.push({ name: 'join stream ⋈ 1k dim (inner)', rate: rows.length / (cpuNow() - t0) });
}

// ------------------------------------------------------------------ the article's five views, hand-planned

function articleNodes(): NodeSpec[] {
  // auth: [event_id, user_id, source_ip, event_type, event_time]
  // fw: [log_id, src_ip, dst_ip, dst_port, action, bytes, log_time]
  // proc: [event_id, host_id, parent_pid, child_pid, process_name, command_line, event_time]
  const W = 5 * MIN;
  const H = 60 * MIN;
  const names = new Set(['cmd.exe', 'powershell.exe', 'bash', 'sh']);
  const needles = ['net user', 'whoami', 'net localgroup', 'mimikatz', 'procdump'];
  return [
    input('auth', 5),
    input('fw', 7),
    input('proc', 7),
    // brute_force_detections
    { id: 'bf_win', label: 'TUMBLE', kind: 'flatMap', input: 'auth', fn: (r) => { const s = Math.floor((r[4] as number) / W) * W; return [[...r, s, s + W]]; } },
    { id: 'bf_agg', label: 'agg', kind: 'aggregate', input: 'bf_win', global: false, groupKey: [col(2), col(5), col(6)], aggregates: [agg('count_star', undefined, { filter: (r) => r[3] === 'login_failure' }), agg('count', 1, { distinct: true, inputType: 'varchar' })] },
    { id: 'bf_having', label: 'having', kind: 'filter', input: 'bf_agg', pred: (r) => (r[3] as bigint) > 20n },
    mat('brute_force_detections', 'bf_having'),
    // suspicious_process_chains
    { id: 'sp_f', label: 'where', kind: 'filter', input: 'proc', pred: (r) => names.has(r[4] as string) && needles.some((n) => (r[5] as string).includes(n)) },
    { id: 'sp_m', label: 'project', kind: 'map', input: 'sp_f', fns: [col(1), col(2), col(3), col(4), col(5), col(6)] },
    mat('suspicious_process_chains', 'sp_m'),
    // recently_blocked_ips
    { id: 'rb_f', label: 'where', kind: 'filter', input: 'fw', pred: (r) => r[4] === 'deny' || r[4] === 'drop' },
    { id: 'rb_agg', label: 'max', kind: 'aggregate', input: 'rb_f', global: false, groupKey: [col(1)], aggregates: [agg('max', 6, { inputType: 'timestamptz', resultType: 'timestamptz' })] },
    { id: 'rb_t', label: 'having now', kind: 'temporalFilter', input: 'rb_agg', validity: (r) => ({ from: -Infinity, until: (r[1] as number) + H }) },
    { id: 'rb_d', label: 'distinct', kind: 'distinct', input: 'rb_t' },
    mat('recently_blocked_ips', 'rb_d'),
    // auth_from_blocked_ip
    { id: 'ab_f', label: 'where', kind: 'filter', input: 'auth', pred: (r) => r[3] === 'login_success' },
    { id: 'ab_j', label: 'join', kind: 'join', left: 'ab_f', right: 'recently_blocked_ips', joinType: 'inner', leftKey: [col(2)], rightKey: [col(0)], leftArity: 5, rightArity: 2 },
    { id: 'ab_m', label: 'project', kind: 'map', input: 'ab_j', fns: [col(1), col(2), col(4), col(6), col(3)] },
    mat('auth_from_blocked_ip', 'ab_m'),
    // siem_alerts
    { id: 'sa_1', label: 'bf', kind: 'map', input: 'brute_force_detections', fns: [() => 'brute_force', col(0), col(2), (r) => `${r[3]} failures in 5 min from ${r[0]}`] },
    { id: 'sa_2', label: 'sp', kind: 'map', input: 'suspicious_process_chains', fns: [() => 'suspicious_process', col(0), col(5), (r) => 'Suspicious command: ' + (r[4] as string)] },
    { id: 'sa_3', label: 'ab', kind: 'map', input: 'auth_from_blocked_ip', fns: [() => 'auth_from_blocked_ip', col(0), col(2), (r) => 'Login from previously blocked IP ' + (r[1] as string)] },
    { id: 'sa_u', label: 'union', kind: 'union', inputs: ['sa_1', 'sa_2', 'sa_3'] },
    mat('siem_alerts', 'sa_u'),
  ];
}

for (const persistState of process.argv.includes('--memory-only') ? [false] : [true, false]) {
  if (only !== null && !'article'.startsWith(only)) break;
  const store = new MemoryStore();
  const df = new Dataflow(store, { persistState });
  df.addNodes(articleNodes());
  const T0 = 1_700_000_000_000_000;
  const cmds = ['ls -la', 'whoami', 'net user admin', 'cat /etc/passwd', 'procdump -ma lsass'];
  const procs = ['bash', 'cmd.exe', 'chrome.exe', 'sh', 'powershell.exe'];
  const types = ['login_failure', 'login_failure', 'login_success', 'mfa_bypass'];
  // generate every epoch's batches first, so the timing covers only the dataflow and the store
  const epochs: { auth: ChangeBatch; fw: ChangeBatch; proc: ChangeBatch; now: number }[] = [];
  for (let i = 0; i < N; i += EPOCH) {
    const auth: ChangeBatch = [];
    const fw: ChangeBatch = [];
    const proc: ChangeBatch = [];
    for (let j = i; j < Math.min(N, i + EPOCH); j++) {
      const ts = T0 + j * 1000; // 1000 events per simulated second
      const ip = '10.0.' + (j % 7) + '.' + ((j * 13) % 200);
      const m = j % 20;
      if (m < 12) auth.push({ row: ['a' + j, 'user' + ((j * 17) % 300), ip, types[j % 4]!, ts], weight: 1 });
      else if (m < 17) fw.push({ row: ['f' + j, ip, '192.168.0.1', 443, j % 3 === 0 ? 'deny' : 'allow', 1234n, ts], weight: 1 });
      else proc.push({ row: ['p' + j, 'host' + (j % 40), 100, j, procs[j % 5]!, cmds[j % 5]!, ts], weight: 1 });
    }
    epochs.push({ auth, fw, proc, now: T0 + Math.min(N, i + EPOCH) * 1000 });
  }
  let epoch = 0;
  let alerts = 0;
  df.watch('siem_alerts');
  const t0 = cpuNow();
  for (const e of epochs) {
    df.push('auth', e.auth);
    df.push('fw', e.fw);
    df.push('proc', e.proc);
    const out = df.step(e.now);
    alerts += out.get('siem_alerts')!.reduce((a, c) => a + c.weight, 0);
    await store.commitEpoch(++epoch);
  }
  const secs = cpuNow() - t0;
  results.push({ name: `article: 5 views, ${persistState ? 'state in store' : 'in memory only'} (${alerts} alerts)`, rate: N / secs });
}

const width = Math.max(...results.map((r) => r.name.length));
console.log(`dataflow bench: ${N} rows, epochs of ${EPOCH}, MemoryStore, node ${process.version}`);
console.log(`${'operator'.padEnd(width)}  rows per CPU-second`);
for (const r of results) console.log(`${r.name.padEnd(width)}  ${Math.round(r.rate).toLocaleString('en-US').padStart(12)}`);

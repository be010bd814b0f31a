/**
 * The Flink peer of bench/compare.bench.ts: builds bench/flink once (bench/flink/build.sh) and runs one Flink SQL
 * file in a fresh JVM (MiniCluster, parallelism 2, heap ≤ 2 GiB), returning the JSON line RunFlinkSql prints.
 * Stateless apart from the build under bench/flink/target/. Invariant: a run that fails or times out throws; the
 * JVM it started is killed by its own pid, never by name.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FLINK_DIR = join(import.meta.dirname, '..', 'flink');
export const FLINK_SQL_DIR = join(FLINK_DIR, 'sql');

/** Java 17 module flags from Flink's own config.yaml (env.java.opts.all). */
const JAVA17_OPTS = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];

export interface FlinkResult {
  engine: 'flink';
  flink_version: string;
  java_version: string;
  parallelism: number;
  inserts: number;
  plan_ms: number;
  submit_ms: number;
  /** Job start → job end on the MiniCluster (JobExecutionResult.getNetRuntime): the throughput denominator. */
  job_net_runtime_ms: number;
  execute_to_end_ms: number;
  job_cpu_ms: number;
  total_cpu_ms: number;
  heap_max_mib: number;
  heap_used_mib: number;
  /** JVM launch → process exit, as seen from node. */
  process_wall_ms: number;
}

/** Builds the peer if needed (first build downloads from Maven Central). Returns the seconds it took. */
export function buildFlink(): number {
  const t = performance.now();
  const r = spawnSync('bash', [join(FLINK_DIR, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('bench/flink/build.sh failed');
  return (performance.now() - t) / 1000;
}

export function flinkVersions(): { flink: string; connector: string } {
  const pom = readFileSync(join(FLINK_DIR, 'pom.xml'), 'utf8');
  return { flink: /<flink\.version>([^<]+)</.exec(pom)?.[1] ?? '?', connector: /<flink\.kafka\.version>([^<]+)</.exec(pom)?.[1] ?? '?' };
}

/** Writes generated SQL to a temp file (for workloads whose statements depend on N). */
export function writeTempSql(name: string, sql: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-flink-'));
  const file = join(dir, name);
  writeFileSync(file, sql);
  return file;
}

export interface FlinkRunOptions {
  vars: Record<string, string>;
  heap?: string;
  parallelism?: number;
  timeoutMs?: number;
}

/** Runs one SQL file to the end of its bounded job. */
export async function runFlinkSql(file: string, opts: FlinkRunOptions): Promise<FlinkResult> {
  const cp = `${join(FLINK_DIR, 'target', 'lib')}/*:${join(FLINK_DIR, 'target', 'sluice-flink-peer-1.jar')}`;
  const heap = opts.heap ?? '2g';
  const args = [
    ...JAVA17_OPTS,
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    `-Dflink.parallelism=${opts.parallelism ?? 2}`,
    '-cp',
    cp,
    'sluice.bench.RunFlinkSql',
    file,
    ...Object.entries(opts.vars).map(([k, v]) => `${k}=${v}`),
  ];
  const t0 = performance.now();
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString('utf8');
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const line = out.split('\n').find((l) => l.startsWith('FLINK_RESULT '));
  if (code !== 0 || !line) throw new Error(`flink run of ${file} failed (exit ${code}):\n${err.slice(-4000)}\n${out.slice(-2000)}`);
  return { ...(JSON.parse(line.slice('FLINK_RESULT '.length)) as Omit<FlinkResult, 'process_wall_ms'>), process_wall_ms: performance.now() - t0 };
}

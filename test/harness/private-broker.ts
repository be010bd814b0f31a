/**
 * A private single-node Kafka broker for tests that stop and restart a broker (the shared one on 9092 must stay
 * up for everyone else): its own ports and data directory, the jars scripts/kafka.sh fetched, SIGTERM to stop and
 * the same data on restart. `available` is false when the jars are missing (the caller skips).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = join(import.meta.dirname, '..', '..');
const LIB = join(homedir(), '.m2', 'sluice-kafka', process.env['SLUICE_KAFKA_VERSION'] ?? '4.1.1', 'lib');

export class PrivateBroker {
  static available = existsSync(LIB);
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sluice-private-kafka-'));
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {
    const base = readFileSync(join(ROOT, 'scripts/kafka/server.properties'), 'utf8');
    writeFileSync(
      this.configPath(),
      `${base}\ncontroller.quorum.voters=1@127.0.0.1:${port + 1}\nlisteners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}\nadvertised.listeners=PLAINTEXT://127.0.0.1:${port}\nlog.dirs=${this.dataDir}/data\n`,
    );
    execFileSync('java', [...this.jvmArgs(), '-cp', `${LIB}/*`, 'kafka.tools.StorageTool', 'format', '-t', 'Pv3Lx5fBTgq6lKb1m3vQaw', '-c', this.configPath()], { stdio: 'ignore' });
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  kafka(): Kafka {
    return new Kafka({ clientId: 'sluice-private-broker-test', brokers: this.brokers, logLevel: logLevel.NOTHING });
  }

  private configPath(): string {
    return join(this.dataDir, 'server.properties');
  }

  private jvmArgs(): string[] {
    return ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(ROOT, 'scripts/kafka/log4j2.properties')}`, `-Dkafka.logs.dir=${this.dataDir}/logs`];
  }

  /** Start (or restart on the same data) and wait until it answers metadata requests (bounded). */
  async start(timeoutMs = 90_000): Promise<void> {
    this.child = spawn('java', [...this.jvmArgs(), '-cp', `${LIB}/*`, 'kafka.Kafka', this.configPath()], { stdio: 'ignore' });
    const admin = this.kafka().admin();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await admin.connect();
        await admin.describeCluster();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`private broker on ${this.port} did not start`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    await admin.disconnect().catch(() => undefined);
  }

  /** Stop by pid (SIGTERM, SIGKILL after 30 s). */
  async stop(): Promise<void> {
    const b = this.child;
    this.child = null;
    if (!b || b.exitCode !== null) return;
    const exited = new Promise((r) => b.once('exit', r));
    b.kill('SIGTERM');
    const t = setTimeout(() => b.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A small seeded generator of the article's three event streams for differential tests: tiny key domains
 * (so groups collide and windows cross thresholds), brute-force bursts, blocked IPs that later log in, and
 * suspicious commands. Deterministic for a seed. Rows are in the article's column order.
 */
import type { Row } from '../../src/common/types.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.1.7', '203.0.113.9', '198.51.100.4'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const HOSTS = ['ws-01', 'ws-02', 'srv-db', 'srv-web'];
const PROCS = ['cmd.exe', 'powershell.exe', 'bash', 'sh', 'explorer.exe', 'python'];
const COMMANDS = ['whoami', 'net user admin /domain', 'net localgroup administrators', 'procdump -ma lsass.exe', 'mimikatz.exe', 'dir C:\\', 'ls -la', 'echo hello', 'ping 8.8.8.8'];

export class SiemEvents {
  private readonly r: () => number;
  private n = 0;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private id(prefix: string): string {
    return `${prefix}-${++this.n}`;
  }
  /** A time in [to − spanMicros, to]. */
  private time(to: number, spanMicros: number): number {
    return to - Math.floor(this.r() * spanMicros);
  }
  /** auth_events rows: event_id, user_id, source_ip, event_type, event_time. */
  auth(count: number, nowMicros: number): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < count; i++) {
      const type = this.r() < 0.6 ? 'login_failure' : this.r() < 0.9 ? 'login_success' : 'mfa_bypass';
      out.push([this.id('a'), this.pick(USERS), this.pick(IPS), type, this.time(nowMicros, 70 * 60_000_000)]);
    }
    return out;
  }
  /** A brute-force burst: `count` failures from one IP, all inside the 5-minute window (Unix-epoch aligned) holding `at`. */
  burst(count: number, at: number): Row[] {
    const ip = this.pick(IPS);
    const windowStart = Math.floor(at / 300_000_000) * 300_000_000;
    const out: Row[] = [];
    for (let i = 0; i < count; i++) out.push([this.id('b'), this.pick(USERS), ip, 'login_failure', windowStart + Math.floor(this.r() * 299_000_000)]);
    return out;
  }
  /** firewall_logs rows: log_id, src_ip, dst_ip, dst_port, action, bytes, log_time. */
  firewall(count: number, nowMicros: number): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < count; i++) {
      const action = this.pick(['allow', 'allow', 'deny', 'drop']);
      out.push([this.id('f'), this.pick(IPS), this.pick(IPS), this.pick([22, 80, 443, 3389]), action, BigInt(Math.floor(this.r() * 10000)), this.time(nowMicros, 90 * 60_000_000)]);
    }
    return out;
  }
  /** process_events rows: event_id, host_id, parent_pid, child_pid, process_name, command_line, event_time. */
  process(count: number, nowMicros: number): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < count; i++) {
      out.push([this.id('p'), this.pick(HOSTS), Math.floor(this.r() * 5000), Math.floor(this.r() * 5000), this.pick(PROCS), this.pick(COMMANDS), this.time(nowMicros, 30 * 60_000_000)]);
    }
    return out;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pickIndex(n: number): number {
    return Math.floor(this.r() * n);
  }
  eventType(): string {
    return this.pick(['login_failure', 'login_success', 'mfa_bypass']);
  }
  action(): string {
    return this.pick(['allow', 'deny', 'drop']);
  }
}

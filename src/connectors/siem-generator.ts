/**
 * Deterministic SIEM traffic: auth_events, firewall_logs and process_events objects with the seed
 * article's columns, normal traffic plus one attack per period (cycling brute force, password spray,
 * recon→procdump chain, login from a firewall-denied IP). Stateless apart from a small plan cache:
 * event n of a stream is a pure function of (seed, stream, n), so a reader resumes at any offset in O(1).
 * Invariant: event n's time is startMicros + floor(n·10⁶ / eventsPerSecond); normal traffic never matches
 * the article's detections (internal IPs are never denied, benign command lines, failures spread thin).
 */
import { formatRfc3339Micros } from './iso-time.js';

export type SiemStream = 'auth_events' | 'firewall_logs' | 'process_events';
export type SiemScenario = 'brute_force' | 'password_spray' | 'recon_chain' | 'blocked_ip_login';
export const SIEM_STREAMS: readonly SiemStream[] = ['auth_events', 'firewall_logs', 'process_events'];
export const SIEM_SCENARIOS: readonly SiemScenario[] = ['brute_force', 'password_spray', 'recon_chain', 'blocked_ip_login'];

export interface SiemGeneratorOptions {
  seed: number;
  /** Event time of event 0 of every stream (µs since the epoch). Default 2026-01-01T00:00:00Z. */
  startMicros?: number;
  /** Event-time density per stream (events per simulated second). Default 100; ≥ 0.1 keeps every attack detectable. */
  eventsPerSecond?: number;
  /** Length of one attack period in minutes (a multiple of 5 ≥ 10). Default 10. */
  attackPeriodMinutes?: number;
}

export type SiemEvent = Record<string, string | number>;

export interface SiemGenerator {
  readonly startMicros: number;
  readonly eventsPerSecond: number;
  readonly periodMicros: number;
  eventTimeMicros(n: number): number;
  /** The first event index whose time is ≥ `micros`. */
  indexAt(micros: number): number;
  event(stream: SiemStream, n: number): SiemEvent;
  json(stream: SiemStream, n: number): string;
  scenarioOf(period: number): SiemScenario;
  /** The attacking IP (or host, for recon_chain) of a period. */
  attackerOf(period: number): string;
}

const DEFAULT_START = Date.UTC(2026, 0, 1) * 1000;
const WINDOW = 300_000_000; // the article's 5-minute TUMBLE
const STREAM_ID: Record<SiemStream, number> = { auth_events: 1, firewall_logs: 2, process_events: 3 };

function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  return (a ^ (a >>> 16)) >>> 0;
}

function hash(seed: number, stream: number, n: number, salt: number): number {
  let h = mix((seed ^ 0x9e3779b9) >>> 0);
  h = mix(h ^ Math.imul(stream, 0x27d4eb2f));
  h = mix(h ^ (n >>> 0));
  h = mix(h ^ Math.floor(n / 4294967296));
  return mix(h ^ Math.imul(salt, 0x165667b1));
}

const BENIGN_PROCESSES: readonly [string, string][] = [
  ['chrome.exe', 'chrome.exe --type=renderer --lang=en-US'],
  ['svchost.exe', 'svchost.exe -k netsvcs -p'],
  ['explorer.exe', 'explorer.exe /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b}'],
  ['cmd.exe', 'cmd.exe /c dir C:\\Users\\Public'],
  ['powershell.exe', 'powershell.exe -NoProfile -Command Get-Process'],
  ['bash', 'bash -c ls -la /var/log'],
  ['sh', 'sh -c uptime'],
  ['python3', 'python3 /opt/app/worker.py --queue default'],
  ['sshd', 'sshd: deploy [priv]'],
];
const DST_PORTS = [443, 80, 22, 53, 3389, 8080, 445, 25];
const RECON_COMMANDS = [
  'cmd.exe /c whoami /all',
  'cmd.exe /c net user',
  'cmd.exe /c net localgroup administrators',
  'cmd.exe /c procdump.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\lsass.dmp',
];

interface PlannedEvent {
  fields: SiemEvent;
}

export function createSiemGenerator(opts: SiemGeneratorOptions): SiemGenerator {
  const seed = opts.seed >>> 0;
  const start = opts.startMicros ?? DEFAULT_START;
  const rate = opts.eventsPerSecond ?? 100;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error('eventsPerSecond must be a positive number');
  const periodMinutes = opts.attackPeriodMinutes ?? 10;
  if (periodMinutes < 10 || periodMinutes % 5 !== 0) throw new Error('attackPeriodMinutes must be a multiple of 5, at least 10');
  const period = periodMinutes * 60_000_000;
  const seedTag = seed.toString(16).padStart(8, '0');
  const plans = new Map<string, Map<number, PlannedEvent>>();

  const timeOf = (n: number): number => start + Math.floor((n * 1e6) / rate);
  const indexAt = (micros: number): number => {
    let n = Math.max(0, Math.ceil(((micros - start) * rate) / 1e6));
    while (n > 0 && timeOf(n - 1) >= micros) n--;
    while (timeOf(n) < micros) n++;
    return n;
  };
  const scenarioOf = (k: number): SiemScenario => SIEM_SCENARIOS[k % 4]!;
  const attackerIp = (k: number): string => `198.${18 + (k & 1)}.${(k >>> 1) & 255}.${1 + (hash(seed, 9, k, 1) % 254)}`;
  const attackerHost = (k: number): string => `ws-${String(hash(seed, 9, k, 2) % 1000).padStart(3, '0')}`;

  /** Indices at the given event times, strictly increasing even when events are sparse. */
  function slots(times: number[]): number[] {
    const out: number[] = [];
    for (const t of times) out.push(Math.max(indexAt(t), out.length > 0 ? out[out.length - 1]! + 1 : 0));
    return out;
  }

  function burst(k: number): number[] {
    const periodStart = start + k * period;
    const ws = Math.ceil(periodStart / WINDOW) * WINDOW; // an aligned 5-minute window inside the period
    const first = indexAt(ws + 30_000_000);
    const end = indexAt(ws + 270_000_000);
    const step = Math.max(1, Math.floor((end - first) / 40));
    const out: number[] = [];
    for (let n = first; n < end; n += step) out.push(n);
    return out;
  }

  function plan(stream: SiemStream, k: number): Map<number, PlannedEvent> {
    const cacheKey = `${stream}:${k}`;
    let p = plans.get(cacheKey);
    if (p) return p;
    p = new Map();
    const scenario = scenarioOf(k);
    const periodStart = start + k * period;
    const ip = attackerIp(k);
    if (stream === 'auth_events' && (scenario === 'brute_force' || scenario === 'password_spray')) {
      const victim = `user${hash(seed, 9, k, 3) % 500}`;
      burst(k).forEach((n, j) => {
        const user = scenario === 'brute_force' ? victim : `user${(hash(seed, 9, k, 4) + j * 7) % 500}`;
        p!.set(n, { fields: { user_id: user, source_ip: ip, event_type: 'login_failure' } });
      });
    } else if (stream === 'process_events' && scenario === 'recon_chain') {
      const host = attackerHost(k);
      const basePid = 4000 + (hash(seed, 9, k, 5) % 20000);
      slots(RECON_COMMANDS.map((_, j) => periodStart + 120_000_000 + j * 10_000_000)).forEach((n, j) => {
        p!.set(n, {
          fields: { host_id: host, parent_pid: basePid + j, child_pid: basePid + j + 1, process_name: 'cmd.exe', command_line: RECON_COMMANDS[j]! },
        });
      });
    } else if (stream === 'firewall_logs' && scenario === 'blocked_ip_login') {
      slots([0, 1, 2, 3, 4].map((j) => periodStart + 60_000_000 + j * 10_000_000)).forEach((n) => {
        p!.set(n, { fields: { src_ip: ip, dst_ip: '10.0.0.5', dst_port: 22, action: 'deny' } });
      });
    } else if (stream === 'auth_events' && scenario === 'blocked_ip_login') {
      slots([0, 1].map((j) => periodStart + 360_000_000 + j * 20_000_000)).forEach((n) => {
        p!.set(n, { fields: { user_id: 'svc_backup', source_ip: ip, event_type: 'login_success' } });
      });
    }
    if (plans.size > 24) plans.clear();
    plans.set(cacheKey, p);
    return p;
  }

  function event(stream: SiemStream, n: number): SiemEvent {
    const sid = STREAM_ID[stream];
    const t = timeOf(n);
    const k = Math.floor((t - start) / period);
    const attack = plan(stream, k).get(n)?.fields;
    const r = (salt: number): number => hash(seed, sid, n, salt);
    const time = formatRfc3339Micros(t);
    switch (stream) {
      case 'auth_events': {
        const roll = r(1) % 1000;
        return {
          event_id: `ae-${seedTag}-${n}`,
          user_id: attack?.['user_id'] ?? `user${r(2) % 500}`,
          source_ip: attack?.['source_ip'] ?? `10.${r(3) % 4}.${r(4) % 256}.${1 + (r(5) % 254)}`,
          event_type: attack?.['event_type'] ?? (roll < 975 ? 'login_success' : roll < 999 ? 'login_failure' : 'mfa_bypass'),
          event_time: time,
        };
      }
      case 'firewall_logs': {
        const external = r(1) % 100 < 15;
        return {
          log_id: `fw-${seedTag}-${n}`,
          src_ip: attack?.['src_ip'] ?? (external ? `203.0.113.${1 + (r(2) % 254)}` : `10.${r(3) % 4}.${r(4) % 256}.${1 + (r(5) % 254)}`),
          dst_ip: attack?.['dst_ip'] ?? `10.0.${r(6) % 16}.${1 + (r(7) % 254)}`,
          dst_port: attack?.['dst_port'] ?? DST_PORTS[r(8) % DST_PORTS.length]!,
          action: attack?.['action'] ?? (external ? (r(9) % 2 === 0 ? 'deny' : 'drop') : 'allow'),
          bytes: r(10) % 1_000_000,
          log_time: time,
        };
      }
      case 'process_events': {
        const [name, cmd] = BENIGN_PROCESSES[r(1) % BENIGN_PROCESSES.length]!;
        const parent = 1000 + (r(2) % 30000);
        return {
          event_id: `pe-${seedTag}-${n}`,
          host_id: attack?.['host_id'] ?? `host-${String(r(3) % 200).padStart(3, '0')}`,
          parent_pid: attack?.['parent_pid'] ?? parent,
          child_pid: attack?.['child_pid'] ?? parent + 1 + (r(4) % 500),
          process_name: attack?.['process_name'] ?? name,
          command_line: attack?.['command_line'] ?? cmd,
          event_time: time,
        };
      }
      default: {
        const never: never = stream;
        throw new Error(`unknown stream ${String(never)}`);
      }
    }
  }

  return {
    startMicros: start,
    eventsPerSecond: rate,
    periodMicros: period,
    eventTimeMicros: timeOf,
    indexAt,
    event,
    json: (stream, n) => JSON.stringify(event(stream, n)),
    scenarioOf,
    attackerOf: (k) => (scenarioOf(k) === 'recon_chain' ? attackerHost(k) : attackerIp(k)),
  };
}

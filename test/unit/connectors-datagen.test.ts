/**
 * SIEM datagen: determinism, resumption from position(), rate control on a ManualClock, and that the
 * article's four detections (evaluated here in plain JS) fire exactly on the planted attacks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/common/clock.js';
import { createSiemGenerator, type SiemEvent, type SiemGenerator } from '../../src/connectors/datagen.js';
import { createDatagenSource } from '../../src/connectors/datagen.js';
import { createJsonDecoder } from '../../src/connectors/json-decoder.js';

const WINDOW = 300_000_000;
const SUSPICIOUS = ['net user', 'whoami', 'net localgroup', 'mimikatz', 'procdump'];

function events(g: SiemGenerator, stream: 'auth_events' | 'firewall_logs' | 'process_events', periods: number): SiemEvent[] {
  const n = g.indexAt(g.startMicros + periods * g.periodMicros);
  return Array.from({ length: n }, (_, i) => g.event(stream, i));
}

const us = (iso: unknown): number => Date.parse(String(iso)) * 1000 + Number(String(iso).slice(23, 26));

/** The article's brute_force_detections: per (source_ip, 5-min window) more than 20 failures. */
function bruteForce(auth: SiemEvent[]): Map<string, { failures: number; users: Set<string> }> {
  const groups = new Map<string, { failures: number; users: Set<string> }>();
  for (const e of auth) {
    const w = Math.floor(us(e['event_time']) / WINDOW);
    const k = `${e['source_ip']}@${w}`;
    const g = groups.get(k) ?? { failures: 0, users: new Set<string>() };
    if (e['event_type'] === 'login_failure') g.failures++;
    g.users.add(String(e['user_id']));
    groups.set(k, g);
  }
  return new Map([...groups].filter(([, g]) => g.failures > 20));
}

describe('siem datagen', () => {
  it('is deterministic per seed and about 200 bytes per event', () => {
    const a = createSiemGenerator({ seed: 7 });
    const b = createSiemGenerator({ seed: 7 });
    const c = createSiemGenerator({ seed: 8 });
    for (const s of ['auth_events', 'firewall_logs', 'process_events'] as const) {
      for (const n of [0, 1, 999, 123456]) assert.equal(a.json(s, n), b.json(s, n));
      assert.notEqual(a.json(s, 5), c.json(s, 5));
      const len = a.json(s, 42).length;
      assert.ok(len > 100 && len < 260, `${s} event is ${len} bytes`);
    }
    assert.deepEqual(Object.keys(a.event('firewall_logs', 3)), ['log_id', 'src_ip', 'dst_ip', 'dst_port', 'action', 'bytes', 'log_time']);
  });

  it('plants each attack so the article detections fire exactly on it', () => {
    const g = createSiemGenerator({ seed: 1, eventsPerSecond: 20 });
    const auth = events(g, 'auth_events', 4);
    const fw = events(g, 'firewall_logs', 4);
    const proc = events(g, 'process_events', 4);
    assert.deepEqual([0, 1, 2, 3].map((k) => g.scenarioOf(k)), ['brute_force', 'password_spray', 'recon_chain', 'blocked_ip_login']);

    const bf = bruteForce(auth);
    assert.deepEqual([...bf.keys()].map((k) => k.split('@')[0]).sort(), [g.attackerOf(0), g.attackerOf(1)].sort());
    const spray = [...bf].find(([k]) => k.startsWith(g.attackerOf(1) + '@'))![1];
    assert.ok(spray.users.size > 20, 'password spray targets many accounts');
    const brute = [...bf].find(([k]) => k.startsWith(g.attackerOf(0) + '@'))![1];
    assert.equal(brute.users.size, 1, 'brute force targets one account');

    const chains = proc.filter(
      (e) => ['cmd.exe', 'powershell.exe', 'bash', 'sh'].includes(String(e['process_name'])) && SUSPICIOUS.some((p) => String(e['command_line']).includes(p)),
    );
    assert.equal(chains.length, 4);
    assert.ok(chains.every((e) => e['host_id'] === g.attackerOf(2)));
    assert.ok(chains.some((e) => String(e['command_line']).includes('procdump')));

    const hour = 3_600_000_000;
    const blocked = fw.filter((e) => e['action'] === 'deny' || e['action'] === 'drop');
    const hits = auth.filter(
      (a) =>
        a['event_type'] === 'login_success' &&
        blocked.some((b) => b['src_ip'] === a['source_ip'] && us(b['log_time']) <= us(a['event_time']) && us(b['log_time']) > us(a['event_time']) - hour),
    );
    assert.equal(hits.length, 2);
    assert.ok(hits.every((a) => a['source_ip'] === g.attackerOf(3)));
  });

  it('keeps brute force detectable at 0.1 events per second', () => {
    const g = createSiemGenerator({ seed: 3, eventsPerSecond: 0.1 });
    const bf = bruteForce(events(g, 'auth_events', 1));
    assert.deepEqual([...bf.keys()].map((k) => k.split('@')[0]), [g.attackerOf(0)]);
  });

  it('a datagen source resumes from position() with the same bytes, and decodes with the article columns', async () => {
    const straight = createDatagenSource({ stream: 'firewall_logs', ratePerSecond: 0, seed: 5, limit: 300 });
    await straight.start(null);
    const all = straight.poll(1000);
    assert.equal(all.length, 300);
    assert.ok(straight.isFinished());

    const first = createDatagenSource({ stream: 'firewall_logs', ratePerSecond: 0, seed: 5, limit: 300 });
    await first.start(null);
    const a = first.poll(120);
    const pos = first.position();
    assert.deepEqual(pos, { 0: '120' });
    await first.close();
    const second = createDatagenSource({ stream: 'firewall_logs', ratePerSecond: 0, seed: 5, limit: 300 });
    await second.start(pos);
    const b = second.poll(1000);
    assert.deepEqual([...a, ...b].map((m) => m.value!.toString()), all.map((m) => m.value!.toString()));
    assert.deepEqual([...a, ...b].map((m) => m.offset), all.map((_, i) => String(i)));

    const dec = createJsonDecoder({
      columns: [
        { name: 'log_id', type: 'varchar' },
        { name: 'src_ip', type: 'varchar' },
        { name: 'dst_ip', type: 'varchar' },
        { name: 'dst_port', type: 'integer' },
        { name: 'action', type: 'varchar' },
        { name: 'bytes', type: 'bigint' },
        { name: 'log_time', type: 'timestamptz' },
      ],
      include: [],
    });
    for (const m of all) {
      const r = dec.decode(m);
      assert.ok(r.ok && r.row.every((v) => v !== null));
      assert.equal(r.row[6], m.timestampMs! * 1000);
    }
  });

  it('rate control follows the clock', async () => {
    const clock = new ManualClock(1_000_000_000);
    const s = createDatagenSource({ stream: 'auth_events', ratePerSecond: 50, seed: 1, clock });
    await s.start(null);
    assert.equal(s.poll(1000).length, 0);
    clock.advance(1_000_000);
    assert.equal(s.poll(1000).length, 50);
    clock.advance(100_000);
    assert.equal(s.poll(3).length, 3);
    assert.equal(s.poll(1000).length, 2);
    assert.deepEqual(s.position(), { 0: '55' });
  });
});

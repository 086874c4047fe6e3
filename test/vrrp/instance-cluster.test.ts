/**
 * Two VRRP instance cores exchanging adverts through a function under a virtual clock:
 * election, crash takeover, priority-0 handover, preemption, nopreempt, and a property test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VrrpInstanceCore, type Action } from '../../src/vrrp/instance.js';
import { makeInstanceSettings, type InstanceSettings } from '../../src/vrrp/instance-settings.js';
import { masterDownInterval, skewTime } from '../../src/vrrp/timers.js';

interface Node {
  core: VrrpInstanceCore;
  ip: string;
  alive: boolean;
  startAt: number;
  started: boolean;
}

/** A deterministic two-node network: adverts arrive `latency` µs after they are sent. */
class Cluster {
  now = 0;
  readonly nodes: Node[];
  private queue: { at: number; to: number; priority: number; from: string }[] = [];
  readonly history: { at: number; node: number; state: string }[] = [];
  constructor(
    specs: { ip: string; settings: Partial<InstanceSettings>; startAt?: number }[],
    private readonly latency = 0,
  ) {
    this.nodes = specs.map((s, i) => ({
      core: new VrrpInstanceCore(makeInstanceSettings({ name: `VI_${i}`, ...s.settings })),
      ip: s.ip,
      alive: true,
      startAt: s.startAt ?? 0,
      started: false,
    }));
  }
  private apply(i: number, actions: Action[]): void {
    for (const a of actions) {
      if (a.type === 'send-advert')
        this.nodes.forEach((_, j) => {
          if (j !== i) this.queue.push({ at: this.now + this.latency, to: j, priority: a.priority, from: this.nodes[i]!.ip });
        });
      if (a.type === 'state-changed') this.history.push({ at: this.now, node: i, state: a.to });
    }
  }
  private nextEvent(): number | undefined {
    let t: number | undefined;
    const min = (x: number | undefined) => {
      if (x !== undefined && (t === undefined || x < t)) t = x;
    };
    for (const n of this.nodes) {
      if (!n.alive) continue;
      min(n.started ? n.core.nextWakeup() : n.startAt);
    }
    for (const q of this.queue) min(q.at);
    return t;
  }
  runUntil(end: number): void {
    for (;;) {
      const t = this.nextEvent();
      if (t === undefined || t > end) break;
      this.now = t;
      this.nodes.forEach((n, i) => {
        if (n.alive && !n.started && n.startAt <= t) {
          n.started = true;
          this.apply(i, n.core.handle({ type: 'start', now: t, primaryAddress: n.ip }));
        }
      });
      const due = this.queue.filter((q) => q.at <= t);
      this.queue = this.queue.filter((q) => q.at > t);
      for (const q of due) {
        const n = this.nodes[q.to]!;
        if (!n.alive || !n.started) continue;
        const version = n.core.settings.version;
        this.apply(q.to, n.core.handle({ type: 'advert', now: t, advert: { source: q.from, priority: q.priority, advertInterval: version === 3 ? 100 : 1, vips: [], version } }));
      }
      this.nodes.forEach((n, i) => {
        const w = n.core.nextWakeup();
        if (n.alive && n.started && w !== undefined && w <= t) this.apply(i, n.core.handle({ type: 'timer', now: t }));
      });
    }
    this.now = end;
  }
  crash(i: number): void {
    this.nodes[i]!.alive = false;
  }
  stop(i: number): void {
    this.apply(i, this.nodes[i]!.core.handle({ type: 'stop', now: this.now }));
    this.nodes[i]!.alive = false;
  }
  restart(i: number, at: number, settings?: Partial<InstanceSettings>): void {
    const n = this.nodes[i]!;
    n.core = new VrrpInstanceCore(makeInstanceSettings({ ...n.core.settings, ...settings }));
    n.alive = true;
    n.started = false;
    n.startAt = at;
  }
  states(): string[] {
    return this.nodes.map((n) => (n.alive ? n.core.state : 'DEAD'));
  }
  becameMasterAt(i: number): number | undefined {
    return this.history.filter((h) => h.node === i && h.state === 'MASTER').at(-1)?.at;
  }
}

const A = { ip: '10.0.0.1', settings: { priority: 200 } };
const B = { ip: '10.0.0.2', settings: { priority: 100 } };

test('cluster: the higher priority wins the election', () => {
  const c = new Cluster([A, B]);
  c.runUntil(10_000_000);
  assert.deepEqual(c.states(), ['MASTER', 'BACKUP']);
  assert.equal(c.becameMasterAt(0), 3_218_750);
  assert.equal(c.becameMasterAt(1), undefined);
});

test('cluster: the higher priority started later preempts the lower-priority master', () => {
  const c = new Cluster([{ ...A, startAt: 5_000_000 }, B]);
  c.runUntil(20_000_000);
  assert.deepEqual(c.states(), ['MASTER', 'BACKUP']);
  assert.equal(c.becameMasterAt(1), 3_609_375);
  // A discards B's lower-priority adverts and times out after its own master-down interval
  assert.equal(c.becameMasterAt(0), 5_000_000 + 3_218_750);
});

test('cluster: a crashed master (silence) is replaced after exactly the master-down interval', () => {
  const c = new Cluster([A, B]);
  c.runUntil(10_000_000);
  const lastAdvert = 3_218_750 + 6_000_000; // A adverts every second from 3.21875 s
  c.crash(0);
  c.runUntil(20_000_000);
  assert.deepEqual(c.states(), ['DEAD', 'MASTER']);
  assert.equal(c.becameMasterAt(1), lastAdvert + masterDownInterval(2, 3, 1_000_000, 100));
});

test('cluster: a stopped master (priority 0) is replaced after the skew time', () => {
  const c = new Cluster([A, B]);
  c.runUntil(10_000_000);
  c.stop(0);
  c.runUntil(20_000_000);
  assert.deepEqual(c.states(), ['DEAD', 'MASTER']);
  assert.equal(c.becameMasterAt(1), 10_000_000 + skewTime(2, 1_000_000, 100));
});

test('cluster: the returning higher-priority master preempts back', () => {
  const c = new Cluster([A, B]);
  c.runUntil(10_000_000);
  c.stop(0);
  c.runUntil(20_000_000);
  c.restart(0, 20_000_000);
  c.runUntil(40_000_000);
  assert.deepEqual(c.states(), ['MASTER', 'BACKUP']);
  assert.equal(c.becameMasterAt(0), 20_000_000 + 3_218_750);
});

test('cluster: nopreempt keeps the current master when a higher priority returns', () => {
  const c = new Cluster([{ ...A, settings: { priority: 200, nopreempt: true } }, B]);
  c.runUntil(10_000_000);
  c.stop(0);
  c.runUntil(20_000_000);
  c.restart(0, 20_000_000);
  c.runUntil(60_000_000);
  assert.deepEqual(c.states(), ['BACKUP', 'MASTER']);
});

test('property: two connected instances converge to exactly one MASTER, the higher priority, within 2 master-down intervals', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 254 }),
      fc.integer({ min: 1, max: 254 }),
      fc.integer({ min: 0, max: 5_000_000 }),
      fc.integer({ min: 0, max: 5_000_000 }),
      fc.constantFrom<2 | 3>(2, 3),
      fc.integer({ min: 0, max: 2_000 }),
      (p0, p1, s0, s1, version, latency) => {
        const c = new Cluster(
          [
            { ip: '10.0.0.1', settings: { priority: p0, version }, startAt: s0 },
            { ip: '10.0.0.2', settings: { priority: p1, version }, startAt: s1 },
          ],
          latency,
        );
        const mdi = Math.max(masterDownInterval(version, 3, 1_000_000, p0), masterDownInterval(version, 3, 1_000_000, p1));
        const settle = Math.max(s0, s1) + 2 * mdi;
        c.runUntil(settle);
        const st = c.states();
        assert.equal(st.filter((s) => s === 'MASTER').length, 1, `states ${st}`);
        if (p0 !== p1) assert.equal(st[p0 > p1 ? 0 : 1], 'MASTER');
        // stays converged
        c.runUntil(settle + 10 * 1_000_000);
        assert.deepEqual(c.states(), st);
      },
    ),
    { numRuns: 300 },
  );
});

test('equal priorities: a master already elected keeps the role even with the lower IP (backup accepts priority >= own)', () => {
  const c = new Cluster([
    { ip: '10.0.0.1', settings: { priority: 100 } },
    { ip: '10.0.0.2', settings: { priority: 100 }, startAt: 1_000_000 },
  ]);
  c.runUntil(20_000_000);
  assert.deepEqual(c.states(), ['MASTER', 'BACKUP']);
});

test('equal priorities timing out together: the higher IP wins', () => {
  const c = new Cluster([
    { ip: '10.0.0.1', settings: { priority: 100 } },
    { ip: '10.0.0.2', settings: { priority: 100 } },
  ], 100);
  c.runUntil(20_000_000);
  assert.deepEqual(c.states(), ['BACKUP', 'MASTER']);
});

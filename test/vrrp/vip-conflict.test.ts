/**
 * The VIP conflict detection core: exact action sequences for every event, and what a conflict
 * means for the operator (log lines, the generic notify argv, the FIFO line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conflictReportActions,
  vrrpVirtualMac,
  VipConflictWatch,
  type ConflictAction,
} from '../../src/vrrp/vip-conflict.js';

const S = 1_000_000;
const V4 = { address: '10.0.0.100', family: 'inet' as const, ifname: 'eth0' };
const V6 = { address: 'fd00::100', family: 'inet6' as const, ifname: 'eth0' };
const PEER = '52:54:00:12:34:56';

const probe = (a: { address: string; family: 'inet' | 'inet6'; ifname: string }): ConflictAction => ({ type: 'send-probe', owner: 'VI_1', ...a });

test('probing: one interval after the VIPs are taken, then every interval; nothing once released', () => {
  const w = new VipConflictWatch('VI_1', { probeIntervalUs: 2 * S });
  assert.equal(w.nextWakeup(), undefined);
  assert.deepEqual(w.handle({ type: 'held', now: 10 * S, addresses: [V4, V6] }), []);
  assert.equal(w.nextWakeup(), 12 * S);
  // early wake-ups do nothing
  assert.deepEqual(w.handle({ type: 'probe-due', now: 11 * S }), []);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 12 * S }), [probe(V4), probe(V6)]);
  assert.equal(w.nextWakeup(), 14 * S);
  assert.deepEqual(w.handle({ type: 'released', now: 13 * S, addresses: ['10.0.0.100'] }), []);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 14 * S }), [probe(V6)]);
  // IPv6 text in another spelling is the same address
  assert.deepEqual(w.handle({ type: 'released', now: 15 * S, addresses: ['FD00:0::100'] }), []);
  assert.equal(w.nextWakeup(), undefined);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 16 * S }), []);
});

test('a conflict: started once per (VIP, MAC), kept while answers come, cleared after 3 unanswered probes', () => {
  const w = new VipConflictWatch('VI_1', { probeIntervalUs: 2 * S });
  w.handle({ type: 'held', now: 0, addresses: [V4] });
  assert.deepEqual(w.handle({ type: 'probe-due', now: 2 * S }), [probe(V4)]);
  const seen = (now: number, mac = PEER) => w.handle({ type: 'neighbour-seen', now, ifname: 'eth0', address: '10.0.0.100', mac, how: 'arp-reply' });
  assert.deepEqual(seen(2 * S + 300), [{ type: 'conflict-started', owner: 'VI_1', address: '10.0.0.100', mac: PEER, ifname: 'eth0', how: 'arp-reply', since: 2 * S + 300 }]);
  // the same holder again (upper-case MAC, another packet): nothing new
  assert.deepEqual(seen(2 * S + 500, PEER.toUpperCase()), []);
  assert.equal(w.count, 1);
  assert.deepEqual(w.active, [{ address: '10.0.0.100', mac: PEER, ifname: 'eth0', how: 'arp-reply', since: 2 * S + 300 }]);
  // answered at 4 s, then silence: 6, 8, 10 s unanswered → cleared at the third
  assert.deepEqual(w.handle({ type: 'probe-due', now: 4 * S }), [probe(V4)]);
  assert.deepEqual(seen(4 * S + 300), []);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 6 * S }), [probe(V4)]);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 8 * S }), [probe(V4)]);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 10 * S }), [probe(V4)]);
  assert.deepEqual(w.handle({ type: 'probe-due', now: 12 * S }), [
    { type: 'conflict-cleared', owner: 'VI_1', address: '10.0.0.100', mac: PEER, ifname: 'eth0', how: 'arp-reply', since: 2 * S + 300, reason: 'unanswered' },
    probe(V4),
  ]);
  assert.deepEqual(w.active, []);
  // it comes back: a new conflict, counted again
  assert.equal(seen(13 * S)[0]?.type, 'conflict-started');
  assert.equal(w.count, 2);
});

test('two other holders are two conflicts; releasing the VIP ends both', () => {
  const w = new VipConflictWatch('VI_1', { probeIntervalUs: S, clearAfterProbes: 1 });
  w.handle({ type: 'held', now: 0, addresses: [V6] });
  const na = (mac: string) => w.handle({ type: 'neighbour-seen', now: 5, ifname: 'eth0', address: 'fd00::100', mac, how: 'neighbour-advert' });
  assert.equal(na('52:54:00:00:00:01').length, 1);
  assert.equal(na('52:54:00:00:00:02').length, 1);
  assert.equal(w.count, 2);
  assert.deepEqual(
    w.handle({ type: 'released', now: 7, addresses: ['fd00::100'] }).map((a) => a.type === 'conflict-cleared' && [a.mac, a.reason]),
    [
      ['52:54:00:00:00:01', 'released'],
      ['52:54:00:00:00:02', 'released'],
    ],
  );
});

test('what is not a conflict: other addresses, another interface, ignored MACs (the VMAC), a watch that is off', () => {
  const vmac = vrrpVirtualMac('inet', 51);
  assert.equal(vmac, '00:00:5e:00:01:33');
  assert.equal(vrrpVirtualMac('inet6', 255), '00:00:5e:00:02:ff');
  const w = new VipConflictWatch('VI_1', { probeIntervalUs: S, ignoredMacs: [vmac.toUpperCase()] });
  const seen = (address: string, ifname: string, mac: string) => w.handle({ type: 'neighbour-seen', now: 1, ifname, address, mac, how: 'gratuitous-arp' });
  assert.deepEqual(seen('10.0.0.100', 'eth0', PEER), [], 'not held yet');
  w.handle({ type: 'held', now: 0, addresses: [V4] });
  assert.deepEqual(seen('10.0.0.101', 'eth0', PEER), []);
  assert.deepEqual(seen('10.0.0.100', 'eth1', PEER), []);
  assert.deepEqual(seen('10.0.0.100', 'eth0', vmac), []);
  assert.deepEqual(seen('not an address', 'eth0', PEER), []);
  assert.equal(w.count, 0);

  const off = new VipConflictWatch('VI_1', { probeIntervalUs: 0 });
  assert.deepEqual(off.handle({ type: 'held', now: 0, addresses: [V4] }), []);
  assert.equal(off.nextWakeup(), undefined);
  assert.deepEqual(off.handle({ type: 'neighbour-seen', now: 1, ifname: 'eth0', address: '10.0.0.100', mac: PEER, how: 'arp-reply' }), []);
});

test('a reload: a new interval re-times the next probe; 0 turns the watch off and ends its conflicts', () => {
  const w = new VipConflictWatch('VI_1', { probeIntervalUs: 2 * S });
  w.handle({ type: 'held', now: 0, addresses: [V4] });
  w.handle({ type: 'neighbour-seen', now: 1, ifname: 'eth0', address: '10.0.0.100', mac: PEER, how: 'arp-reply' });
  assert.deepEqual(w.configure({ probeIntervalUs: 2 * S }, S), []);
  assert.equal(w.nextWakeup(), 2 * S, 'unchanged interval: unchanged schedule');
  assert.deepEqual(w.configure({ probeIntervalUs: 5 * S }, S), []);
  assert.equal(w.nextWakeup(), 6 * S);
  const r = w.configure({ probeIntervalUs: 0 }, 2 * S);
  assert.deepEqual(r.map((a) => a.type), ['conflict-cleared']);
  assert.equal(w.nextWakeup(), undefined);
});

test('report: keepalived-style log lines, the generic notify argv with CONFLICT, and the FIFO line', () => {
  const started: ConflictAction = { type: 'conflict-started', owner: 'VI_1', address: '10.0.0.100', mac: PEER, ifname: 'eth0', how: 'arp-reply', since: 0 };
  const notify = { generic: ['/etc/keepalived/notify.sh', 'generic'], priorityChanges: false };
  assert.deepEqual(conflictReportActions(started, notify, 150), [
    { type: 'log', owner: 'VI_1', message: '(VI_1) VIP 10.0.0.100 is also held by 52:54:00:12:34:56 (ARP reply on eth0) - split brain?' },
    { type: 'run-script', owner: 'VI_1', kind: 'notify', argv: ['/etc/keepalived/notify.sh', 'generic', 'INSTANCE', 'VI_1', 'CONFLICT', '150', '10.0.0.100', PEER] },
    { type: 'fifo', owner: 'VI_1', line: 'INSTANCE "VI_1" CONFLICT 150 10.0.0.100 52:54:00:12:34:56\n' },
  ]);
  // without a generic notify script: the log line and the FIFO line
  assert.deepEqual(
    conflictReportActions(started, { priorityChanges: false }, 100).map((a) => a.type),
    ['log', 'fifo'],
  );
  assert.deepEqual(conflictReportActions({ ...started, type: 'conflict-cleared', reason: 'unanswered' }, notify, 150), [
    { type: 'log', owner: 'VI_1', message: '(VI_1) VIP 10.0.0.100 conflict with 52:54:00:12:34:56 cleared' },
  ]);
  assert.deepEqual(conflictReportActions({ ...started, type: 'conflict-cleared', reason: 'released' }, notify, 150), [
    { type: 'log', owner: 'VI_1', message: '(VI_1) VIP 10.0.0.100 conflict with 52:54:00:12:34:56 cleared (address released)' },
  ]);
  assert.deepEqual(conflictReportActions(probe(V4), notify, 150), []);
});

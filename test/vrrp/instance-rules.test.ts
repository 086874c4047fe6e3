/**
 * One test per rule of keepalived-features.md §4.1–4.3 / 4.5–4.6 for the VRRP instance core,
 * with exact action sequences and exact timer values (µs) as keepalived 2.2.7 computes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstanceCore, type Action, type ReceivedAdvert } from '../../src/vrrp/instance.js';
import { makeInstanceSettings, type InstanceSettings } from '../../src/vrrp/instance-settings.js';
import type { IpAddressEntry } from '../../src/config/model/vrrp.js';
import { masterDownInterval, skewTime } from '../../src/vrrp/timers.js';

const at = { file: 't', line: 1 };
function vip(address: string): IpAddressEntry {
  const v6 = address.includes(':');
  return {
    at, family: v6 ? 'inet6' : 'inet', address, prefixLen: v6 ? 128 : 32, dev: 'eth0', scope: 0,
    home: false, nodad: false, mngtmpaddr: false, noprefixroute: false, autojoin: false, noTrack: false, useVmac: false,
  };
}
const VIP = vip('10.0.0.100');

function mk(p: Partial<InstanceSettings> = {}): VrrpInstanceCore {
  return new VrrpInstanceCore(makeInstanceSettings({ name: 'VI_1', vips: [VIP], ...p }));
}
function start(c: VrrpInstanceCore, now = 0, extra: Partial<{ trackers: { kind: 'interface' | 'script' | 'file' | 'process'; name: string; up?: boolean; value?: number }[] }> = {}): Action[] {
  return c.handle({ type: 'start', now, primaryAddress: '10.0.0.1', ...extra });
}
const adv = (priority: number, source = '10.0.0.2', advertInterval = 1, version: 2 | 3 = 2): ReceivedAdvert => ({
  source, priority, advertInterval, vips: ['10.0.0.100'], version,
});
/** Run the instance's timer until it is MASTER; returns the actions of that step. */
function toMaster(c: VrrpInstanceCore): Action[] {
  const w = c.nextWakeup()!;
  return c.handle({ type: 'timer', now: w });
}
const types = (a: Action[]) => a.map((x) => (x.type === 'log' ? `log:${x.message}` : x.type === 'stat' ? `stat:${x.counter}` : x.type === 'send-advert' ? `advert:${x.priority}` : x.type === 'fifo' ? `fifo:${x.line.trim()}` : x.type === 'state-changed' ? `state:${x.from}->${x.to}` : x.type === 'send-garp' ? `garp:${x.repeat}` : x.type === 'run-script' ? `script:${x.argv.join(' ')}` : x.type));

test('timers: Skew_Time v2 is (256-prio)/256 s and ignores advert_int', () => {
  assert.equal(skewTime(2, 1_000_000, 200), 218_750);
  assert.equal(skewTime(2, 5_000_000, 200), 218_750);
  assert.equal(skewTime(2, 1_000_000, 100), 609_375);
});

test('timers: Skew_Time v3 is (256-prio)*master_adver_int/256 with centisecond integer arithmetic', () => {
  assert.equal(skewTime(3, 1_000_000, 100), 609_375);
  assert.equal(skewTime(3, 50_000, 254), Math.floor((2 * 5 * 625) / 16));
  assert.equal(masterDownInterval(3, 3, 1_000_000, 100), 3_609_375);
});

test('startup: every instance enters BACKUP (init) and arms the down timer 3*adv+skew (prio 200 v2 adv 1 s = 3.21875 s)', () => {
  const c = mk({ priority: 200 });
  const a = start(c, 1000);
  assert.deepEqual(types(a), ['log:(VI_1) Entering BACKUP STATE (init)', 'state:INIT->BACKUP', 'fifo:INSTANCE "VI_1" BACKUP 200']);
  assert.equal(c.state, 'BACKUP');
  assert.equal(c.nextWakeup(), 1000 + 3_218_750);
});

test('startup: state MASTER with priority 255 (address owner) becomes master after 1 us', () => {
  const c = mk({ priority: 255, initialState: 'MASTER' });
  const a = start(c, 0);
  assert.deepEqual(types(a), ['state:INIT->BACKUP']);
  assert.equal(c.nextWakeup(), 1);
  const b = c.handle({ type: 'timer', now: 1 });
  assert.deepEqual(types(b), [
    'advert:255', 'stat:advert_sent', 'log:(VI_1) Entering MASTER STATE', 'state:BACKUP->MASTER', 'stat:become_master',
    'add-vips', 'garp:5', 'fifo:INSTANCE "VI_1" MASTER 255',
  ]);
  assert.equal(c.nextWakeup(), 1 + 1_000_000);
});

test('startup: non-owner with state MASTER still starts in BACKUP and waits 3*adv+skew', () => {
  const c = mk({ priority: 150, initialState: 'MASTER' });
  start(c, 0);
  assert.equal(c.state, 'BACKUP');
  assert.equal(c.nextWakeup(), 3_000_000 + skewTime(2, 1_000_000, 150));
});

test('startup: FAULT if a tracked interface is down, with keepalived log wording, no notify', () => {
  const c = mk({ trackers: [{ kind: 'interface', name: 'eth0', weight: 0, reverse: false }] });
  const a = start(c, 0, { trackers: [{ kind: 'interface', name: 'eth0', up: false }] });
  assert.deepEqual(types(a), ['log:(VI_1) entering FAULT state (interface eth0 down)', 'state:INIT->FAULT']);
  assert.equal(c.state, 'FAULT');
  assert.equal(c.nextWakeup(), undefined);
});

test('startup: FAULT while an unweighted script has not reported yet; its first success enters BACKUP', () => {
  const c = mk({ trackers: [{ kind: 'script', name: 'chk', weight: 0, reverse: false }] });
  const a = start(c, 0);
  // vrrp_init_state() compares with the state on entry (INIT), so nothing is logged or notified
  assert.deepEqual(types(a), ['state:INIT->FAULT']);
  const b = c.handle({ type: 'tracker', now: 500_000, kind: 'script', name: 'chk', up: true });
  assert.deepEqual(types(b), ['log:(VI_1) Entering BACKUP STATE', 'state:FAULT->BACKUP', 'fifo:INSTANCE "VI_1" BACKUP 100']);
  assert.equal(c.nextWakeup(), 500_000 + 3_609_375);
});

test('startup: an unweighted script with init_fail starts the instance in FAULT, reverse or not (initialise_track_script_state ignores reverse)', () => {
  for (const reverse of [false, true]) {
    const c = mk({ trackers: [{ kind: 'script', name: 'chk', weight: 0, reverse, initFail: true }] });
    start(c, 0);
    assert.equal(c.state, 'FAULT', `reverse ${reverse}`);
  }
});

test('down_timer_adverts: the master-down interval uses it instead of 3', () => {
  const c = mk({ downTimerAdverts: 5 });
  start(c, 0);
  assert.equal(c.nextWakeup(), 5_000_000 + 609_375);
});

test('vrrp_startup_delay: the backup timer starts after the delay', () => {
  const c = mk({ startupDelay: 10_000_000 });
  start(c, 0);
  assert.equal(c.nextWakeup(), 10_000_000 + 3_609_375);
});

test('backup accepts an advert with priority >= own and restarts the master-down timer', () => {
  const c = mk();
  start(c, 0);
  const a = c.handle({ type: 'advert', now: 2_000_000, advert: adv(100) });
  assert.deepEqual(types(a), ['stat:advert_rcvd']);
  assert.equal(c.nextWakeup(), 2_000_000 + 3_609_375);
  c.handle({ type: 'advert', now: 3_000_000, advert: adv(200) });
  assert.equal(c.nextWakeup(), 3_000_000 + 3_609_375);
});

test('backup discards a lower-priority advert when preemption is allowed (timer not restarted)', () => {
  const c = mk();
  start(c, 0);
  const a = c.handle({ type: 'advert', now: 2_000_000, advert: adv(50) });
  assert.deepEqual(types(a), ['stat:advert_rcvd', 'log:(VI_1) received lower priority (50) advert from 10.0.0.2 - discarding']);
  assert.equal(c.nextWakeup(), 3_609_375);
  // the next timeout makes it master
  const b = toMaster(c);
  assert.equal(c.state, 'MASTER');
  assert.ok(types(b).includes('log:(VI_1) Entering MASTER STATE'));
});

test('nopreempt: backup accepts a lower-priority advert and restarts the timer', () => {
  const c = mk({ nopreempt: true });
  start(c, 0);
  c.handle({ type: 'advert', now: 2_000_000, advert: adv(50) });
  assert.equal(c.nextWakeup(), 2_000_000 + 3_609_375);
});

test('preempt_delay: lower-priority adverts are accepted until the delay (started by the first one) expires', () => {
  const c = mk({ preemptDelay: 5_000_000 });
  start(c, 0);
  c.handle({ type: 'advert', now: 1_000_000, advert: adv(50) }); // starts the delay: until 6 s
  assert.equal(c.nextWakeup(), 1_000_000 + 3_609_375);
  c.handle({ type: 'advert', now: 4_000_000, advert: adv(50) });
  assert.equal(c.nextWakeup(), 4_000_000 + 3_609_375);
  const a = c.handle({ type: 'advert', now: 6_500_000, advert: adv(50) });
  assert.ok(types(a).includes('log:(VI_1) received lower priority (50) advert from 10.0.0.2 - discarding'));
  assert.equal(c.nextWakeup(), 4_000_000 + 3_609_375);
});

test('preempt_delay: an advert with priority >= own clears the delay timer', () => {
  const c = mk({ preemptDelay: 5_000_000 });
  start(c, 0);
  c.handle({ type: 'advert', now: 1_000_000, advert: adv(50) });
  c.handle({ type: 'advert', now: 2_000_000, advert: adv(150) }); // clears
  c.handle({ type: 'advert', now: 6_500_000, advert: adv(50) }); // starts again: accepted
  assert.equal(c.nextWakeup(), 6_500_000 + 3_609_375);
});

test('priority-0 advert in BACKUP sets the down timer to the skew time', () => {
  const c = mk();
  start(c, 0);
  const a = c.handle({ type: 'advert', now: 2_000_000, advert: adv(0) });
  assert.deepEqual(types(a), ['stat:advert_rcvd', 'stat:pri_zero_rcvd']);
  assert.equal(c.nextWakeup(), 2_000_000 + 609_375);
});

test('v3 backup adopts the master advert interval for its master-down interval', () => {
  const c = mk({ version: 3 });
  start(c, 0);
  c.handle({ type: 'advert', now: 1_000_000, advert: adv(150, '10.0.0.2', 50, 3) });
  assert.equal(c.masterAdverInt, 500_000);
  assert.equal(c.nextWakeup(), 1_000_000 + 3 * 500_000 + Math.floor((156 * 50 * 625) / 16));
});

test('becoming MASTER: advert, VIPs, eVIPs, routes, rules, GARP burst, notifies, in that order; second burst after garp_master_delay', () => {
  const route = { at } as never;
  const rule = { at } as never;
  const c = mk({
    evips: [vip('10.0.1.1')], virtualRoutes: [route], virtualRules: [rule], accept: false,
    notify: { master: ['/bin/m', 'x'], generic: ['/bin/n', 'g'], priorityChanges: false },
  });
  start(c, 0);
  const a = toMaster(c);
  assert.deepEqual(types(a), [
    'advert:100', 'stat:advert_sent', 'log:(VI_1) Entering MASTER STATE', 'state:BACKUP->MASTER', 'stat:become_master',
    'firewall-drop', 'add-vips', 'add-vips', 'add-routes', 'add-rules', 'garp:5',
    'script:/bin/m x', 'script:/bin/n g INSTANCE VI_1 MASTER 100', 'fifo:INSTANCE "VI_1" MASTER 100',
  ]);
  const garp = a.find((x) => x.type === 'send-garp');
  assert.deepEqual(garp && garp.type === 'send-garp' ? garp.addresses.map((x) => x.address) : [], ['10.0.0.100', '10.0.1.1']);
  const t0 = 3_609_375;
  // adverts every second; the second GARP burst at +5 s
  for (let i = 1; i <= 4; i++) assert.deepEqual(types(c.handle({ type: 'timer', now: t0 + i * 1_000_000 })), ['advert:100', 'stat:advert_sent']);
  assert.equal(c.nextWakeup(), t0 + 5_000_000);
  assert.deepEqual(types(c.handle({ type: 'timer', now: t0 + 5_000_000 })), ['garp:5', 'advert:100', 'stat:advert_sent']);
});

test('garp_master_refresh: the first advert after each refresh period also sends garp_master_refresh_repeat GARPs', () => {
  const c = mk({ garpMasterRefresh: 2_000_000, garpMasterRefreshRepeat: 2, garpMasterDelay: 0 });
  start(c, 0);
  const t0 = c.nextWakeup()!;
  toMaster(c);
  // refresh timer = t0 + 2 s; keepalived sends when now > timer, i.e. at the advert at t0 + 3 s
  assert.deepEqual(types(c.handle({ type: 'timer', now: t0 + 1_000_000 })), ['advert:100', 'stat:advert_sent']);
  assert.deepEqual(types(c.handle({ type: 'timer', now: t0 + 2_000_000 })), ['advert:100', 'stat:advert_sent']);
  assert.deepEqual(types(c.handle({ type: 'timer', now: t0 + 3_000_000 })), ['advert:100', 'stat:advert_sent', 'garp:2']);
});

test('priority-0 advert in MASTER sends an advert at once and restarts the advert timer', () => {
  const c = mk();
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'advert', now: 4_000_000, advert: adv(0) });
  assert.deepEqual(types(a), ['stat:advert_rcvd', 'stat:pri_zero_rcvd', 'advert:100', 'stat:advert_sent']);
  assert.equal(c.nextWakeup(), 5_000_000);
});

test('MASTER receiving a lower priority sends an advert at once, GARPs, and a second GARP burst after garp_lower_prio_delay', () => {
  const c = mk({ notify: { masterRxLowerPri: ['/bin/lp'], priorityChanges: false } });
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'advert', now: 4_000_000, advert: adv(50) });
  assert.deepEqual(types(a), [
    'stat:advert_rcvd', 'log:(VI_1) Received advert from 10.0.0.2 with lower priority 50, ours 100, forcing new election',
    'advert:100', 'stat:advert_sent', 'garp:5', 'script:/bin/lp', 'fifo:INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100',
  ]);
  assert.equal(c.nextWakeup(), 5_000_000);
  c.handle({ type: 'timer', now: 5_000_000 });
  c.handle({ type: 'timer', now: 6_000_000 });
  c.handle({ type: 'timer', now: 7_000_000 });
  c.handle({ type: 'timer', now: 8_000_000 });
  assert.equal(c.nextWakeup(), 3_609_375 + 5_000_000); // the master GARP burst comes first
  c.handle({ type: 'timer', now: 3_609_375 + 5_000_000 });
  assert.equal(c.nextWakeup(), 9_000_000);
  assert.deepEqual(types(c.handle({ type: 'timer', now: 9_000_000 })), ['garp:5', 'advert:100', 'stat:advert_sent']);
});

test('lower_prio_no_advert: MASTER receiving a lower priority neither sends nor reschedules its advert', () => {
  const c = mk({ lowerPrioNoAdvert: true, garpLowerPrioRepeat: 0 });
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'advert', now: 4_000_000, advert: adv(50) });
  assert.deepEqual(types(a), [
    'stat:advert_rcvd', 'log:(VI_1) Received advert from 10.0.0.2 with lower priority 50, ours 100',
    'fifo:INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100',
  ]);
  assert.equal(c.nextWakeup(), 4_609_375);
});

test('MASTER receiving a higher priority goes to BACKUP, removes VIPs, sends no priority-0 advert', () => {
  const c = mk();
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'advert', now: 4_000_000, advert: adv(150) });
  assert.deepEqual(types(a), [
    'stat:advert_rcvd', 'log:(VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100',
    'log:(VI_1) Entering BACKUP STATE', 'remove-vips', 'state:MASTER->BACKUP', 'fifo:INSTANCE "VI_1" BACKUP 100', 'stat:release_master',
  ]);
  assert.equal(c.nextWakeup(), 4_000_000 + 3_609_375);
});

test('higher_prio_send_advert: MASTER sends one advert before yielding to a higher priority', () => {
  const c = mk({ higherPrioSendAdvert: true });
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'advert', now: 4_000_000, advert: adv(150) });
  assert.deepEqual(types(a).slice(0, 3), ['stat:advert_rcvd', 'advert:100', 'stat:advert_sent']);
  assert.equal(c.state, 'BACKUP');
});

test('equal priority is broken by the higher primary IP address', () => {
  const c = mk();
  start(c, 0);
  toMaster(c);
  c.handle({ type: 'advert', now: 4_000_000, advert: adv(100, '10.0.0.0') });
  assert.equal(c.state, 'MASTER');
  const a = c.handle({ type: 'advert', now: 4_500_000, advert: adv(100, '10.0.0.9') });
  assert.ok(types(a).includes('log:(VI_1) Master received advert from 10.0.0.9 with same priority 100 but higher IP address than ours'));
  assert.equal(c.state, 'BACKUP');
});

test('address owner: two owners, the lower IP reports a configuration error and drops to 254', () => {
  const c = mk({ priority: 255, initialState: 'MASTER' });
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'advert', now: 500_000, advert: adv(255, '10.0.0.9') });
  assert.ok(types(a).includes('log:(VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority'));
  assert.equal(c.effectivePriority, 254);
  assert.equal(c.state, 'BACKUP');
});

test('trackers: weights move the effective priority, clamped to 1..254, and rescale the running down timer', () => {
  const c = mk({
    trackers: [
      { kind: 'interface', name: 'eth1', weight: 10, reverse: false },
      { kind: 'script', name: 's', weight: -200, reverse: false },
      { kind: 'file', name: 'f', weight: 1, reverse: false },
    ],
  });
  const a = start(c, 0);
  assert.ok(types(a).includes('log:(VI_1) Changing effective priority from 100 to 110'));
  assert.equal(c.nextWakeup(), 3_000_000 + skewTime(2, 1_000_000, 110));
  const b = c.handle({ type: 'tracker', now: 1_000_000, kind: 'script', name: 's', up: false });
  assert.deepEqual(types(b), ['log:(VI_1) Changing effective priority from 110 to 1']);
  assert.equal(c.nextWakeup(), 3_000_000 + skewTime(2, 1_000_000, 1));
  c.handle({ type: 'tracker', now: 1_000_000, kind: 'script', name: 's', up: true });
  c.handle({ type: 'tracker', now: 1_000_000, kind: 'file', name: 'f', value: 500 });
  assert.equal(c.effectivePriority, 254);
});

test('trackers: the address owner (255) never changes priority', () => {
  const c = mk({ priority: 255, initialState: 'MASTER', trackers: [{ kind: 'interface', name: 'eth1', weight: -50, reverse: false }] });
  start(c, 0, { trackers: [{ kind: 'interface', name: 'eth1', up: false }] });
  assert.equal(c.effectivePriority, 255);
});

test('trackers: reverse swaps up and down', () => {
  const c = mk({ trackers: [{ kind: 'script', name: 's', weight: 20, reverse: true }] });
  start(c, 0);
  c.handle({ type: 'tracker', now: 1, kind: 'script', name: 's', up: true });
  assert.equal(c.effectivePriority, 80);
  c.handle({ type: 'tracker', now: 2, kind: 'script', name: 's', up: false });
  assert.equal(c.effectivePriority, 100);
});

test('weight 0 tracker failing in MASTER: priority-0 advert, VIPs removed, FAULT; recovery goes to BACKUP with a fresh down timer', () => {
  const c = mk({ trackers: [{ kind: 'script', name: 's', weight: 0, reverse: false }], notify: { fault: ['/bin/f'], priorityChanges: false } });
  start(c, 0, { trackers: [{ kind: 'script', name: 's', up: true }] });
  toMaster(c);
  const a = c.handle({ type: 'tracker', now: 4_000_000, kind: 'script', name: 's', up: false });
  assert.deepEqual(types(a), [
    'log:(VI_1) Entering FAULT STATE', 'advert:0', 'stat:advert_sent', 'advert:0', 'stat:advert_sent', 'stat:pri_zero_sent',
    'remove-vips', 'state:MASTER->FAULT', 'script:/bin/f', 'fifo:INSTANCE "VI_1" FAULT 100', 'stat:release_master',
  ]);
  assert.equal(c.nextWakeup(), undefined);
  assert.equal(c.handle({ type: 'advert', now: 4_100_000, advert: adv(50) }).length, 0, 'FAULT ignores adverts');
  const b = c.handle({ type: 'tracker', now: 5_000_000, kind: 'script', name: 's', up: true });
  assert.deepEqual(types(b), ['log:(VI_1) Entering BACKUP STATE', 'state:FAULT->BACKUP', 'fifo:INSTANCE "VI_1" BACKUP 100']);
  assert.equal(c.nextWakeup(), 5_000_000 + 3_609_375);
});

test('track_file with weight 0: a non-zero value is a fault', () => {
  const c = mk({ trackers: [{ kind: 'file', name: 'f', weight: 0, reverse: false }] });
  start(c, 0);
  c.handle({ type: 'tracker', now: 1, kind: 'file', name: 'f', value: 3 });
  assert.equal(c.state, 'FAULT');
  c.handle({ type: 'tracker', now: 2, kind: 'file', name: 'f', value: 0 });
  assert.equal(c.state, 'BACKUP');
});

test('interface down puts the instance in FAULT; up brings it back to BACKUP', () => {
  const c = mk({ trackers: [{ kind: 'interface', name: 'eth0', weight: 0, reverse: false }] });
  start(c, 0);
  c.handle({ type: 'interface', now: 1, name: 'eth0', up: false });
  assert.equal(c.state, 'FAULT');
  c.handle({ type: 'interface', now: 2, name: 'eth0', up: true });
  assert.equal(c.state, 'BACKUP');
});

test('VIP deleted externally while MASTER: priority-0 advert, BACKUP, quick re-election after the skew time', () => {
  const c = mk();
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'vip-deleted', now: 4_000_000, address: '10.0.0.100' });
  assert.deepEqual(types(a), [
    'log:(VI_1) Entering BACKUP STATE', 'advert:0', 'stat:advert_sent', 'stat:pri_zero_sent', 'remove-vips', 'state:MASTER->BACKUP',
    'fifo:INSTANCE "VI_1" BACKUP 100', 'stat:release_master',
  ]);
  assert.equal(c.nextWakeup(), 4_000_000 + 609_375);
});

test('stop (SIGTERM) as MASTER: priority-0 advert, VIPs removed, STOP notifies with a 1 s script timeout', () => {
  const c = mk({ notify: { stop: ['/bin/s'], generic: ['/bin/n'], priorityChanges: false } });
  start(c, 0);
  toMaster(c);
  const a = c.handle({ type: 'stop', now: 4_000_000 });
  assert.deepEqual(types(a), [
    'advert:0', 'stat:advert_sent', 'stat:pri_zero_sent', 'remove-vips', 'state:MASTER->STOP', 'script:/bin/s',
    'script:/bin/n INSTANCE VI_1 STOP 100', 'fifo:INSTANCE "VI_1" STOP 100',
  ]);
  assert.ok(a.every((x) => x.type !== 'run-script' || x.timeout === 1_000_000));
  assert.equal(c.nextWakeup(), undefined);
});

test('notify: specific script gets the configured argv only, generic gets INSTANCE name STATE prio', () => {
  const c = mk({ notify: { backup: ['/bin/b', 'a b'], generic: ['/bin/n', 'generic'], priorityChanges: false } });
  const a = start(c, 0);
  const scripts = a.filter((x) => x.type === 'run-script').map((x) => (x.type === 'run-script' ? x.argv : []));
  assert.deepEqual(scripts, [['/bin/b', 'a b'], ['/bin/n', 'generic', 'INSTANCE', 'VI_1', 'BACKUP', '100']]);
});

test('notify_priority_changes: a FIFO line BACKUP_PRIORITY on each effective priority change', () => {
  const c = mk({ notify: { priorityChanges: true }, trackers: [{ kind: 'interface', name: 'eth1', weight: 10, reverse: false }] });
  start(c, 0);
  const a = c.handle({ type: 'interface', now: 1, name: 'eth1', up: false });
  assert.deepEqual(types(a), ['log:(VI_1) Changing effective priority from 110 to 100', 'fifo:INSTANCE "VI_1" BACKUP_PRIORITY 100']);
});

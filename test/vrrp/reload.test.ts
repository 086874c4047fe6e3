/**
 * Config reload (SIGHUP) as a diff, the rules of keepalived 2.2.7's vrrp_exist / clear_diff_vrrp /
 * restore_vrrp_state, on the pure engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpAddressEntry } from '../../src/config/model/vrrp.js';
import { VrrpEngine } from '../../src/vrrp/engine.js';
import { VrrpInstanceCore } from '../../src/vrrp/instance.js';
import { makeInstanceSettings, type InstanceSettings } from '../../src/vrrp/instance-settings.js';
import type { Action } from '../../src/vrrp/instance-types.js';
import { masterDownInterval } from '../../src/vrrp/timers.js';

const S = 1_000_000;

function vip(address: string, line = 1): IpAddressEntry {
  return {
    at: { file: 'k.conf', line } as unknown as IpAddressEntry['at'],
    family: 'inet',
    address,
    prefixLen: 24,
    dev: 'eth0',
    scope: 0,
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: false,
    useVmac: false,
  };
}

type P = Partial<InstanceSettings> & { name: string };
const base = (p: P): InstanceSettings =>
  makeInstanceSettings({ interface: 'eth0', sourceAddress: '10.0.0.1', vips: [vip('10.1.1.1')], notify: { generic: ['/bin/n'], priorityChanges: false }, ...p });

function engine(...ps: P[]): VrrpEngine {
  return new VrrpEngine(ps.map((p) => new VrrpInstanceCore(base(p))));
}

/** An engine whose single instance became MASTER (nobody else advertising). */
function masterEngine(p: P): { e: VrrpEngine; now: number } {
  const e = engine(p);
  e.start(0);
  const now = e.nextWakeup()!;
  e.tick(now);
  assert.equal(e.instances[0]!.state, 'MASTER');
  return { e, now: now + S / 2 };
}

const kinds = (as: readonly Action[]) => as.filter((a) => a.type !== 'log' && a.type !== 'stat').map((a) => a.type);
const of = <T extends Action['type']>(as: readonly Action[], t: T) => as.filter((a): a is Extract<Action, { type: T }> => a.type === t);

test('unchanged MASTER keeps its state: no state change, no notify, no priority 0, no VIP/GARP action — one advert before and one at once after', () => {
  const { e, now } = masterEngine({ name: 'VI_1' });
  const r = e.reload(engine({ name: 'VI_1' }), now);
  assert.deepEqual(r.matched, [{ old: 'VI_1', new: 'VI_1', unchanged: true }]);
  assert.deepEqual(kinds(r.actions), ['send-advert']); // sigreload_vrrp's advert before the reload
  assert.equal(of(r.actions, 'send-advert')[0]!.priority, 100);
  assert.equal(e.instances[0]!.state, 'MASTER');
  assert.equal(e.instances[0]!.vipset, true);
  // reload_master: sands = now, so the kept MASTER adverts at once
  assert.equal(e.nextWakeup(), now);
  const t = e.tick(now);
  assert.deepEqual(kinds(t), ['send-advert']);
  assert.equal(of(t, 'send-advert')[0]!.priority, 100);
});

test('unchanged BACKUP stays BACKUP silently, its down timer restarts', () => {
  const e = engine({ name: 'VI_1' });
  e.start(0);
  const r = e.reload(engine({ name: 'VI_1' }), S);
  assert.deepEqual(kinds(r.actions), []);
  const i = e.instances[0]!;
  assert.equal(i.state, 'BACKUP');
  assert.equal(i.sands, S + masterDownInterval(2, 3, S, 100));
});

test('VIP added to a MASTER: added, then GARPs (for all its addresses)', () => {
  const { e, now } = masterEngine({ name: 'VI_1' });
  const r = e.reload(engine({ name: 'VI_1', vips: [vip('10.1.1.1', 7), vip('10.1.1.2', 8)] }), now);
  assert.equal(r.matched[0]!.unchanged, false);
  assert.deepEqual(kinds(r.after), ['add-vips', 'send-garp']);
  assert.deepEqual(of(r.after, 'add-vips')[0]!.addresses.map((a) => a.address), ['10.1.1.2']);
  assert.deepEqual(of(r.after, 'send-garp')[0]!.addresses.map((a) => a.address), ['10.1.1.1', '10.1.1.2']);
  assert.equal(of(r.after, 'send-garp')[0]!.repeat, 5);
  assert.equal(e.instances[0]!.state, 'MASTER');
});

test('VIP removed from a MASTER: removed, nothing else', () => {
  const { e, now } = masterEngine({ name: 'VI_1', vips: [vip('10.1.1.1'), vip('10.1.1.2')] });
  const r = e.reload(engine({ name: 'VI_1', vips: [vip('10.1.1.1')] }), now);
  assert.deepEqual(kinds(r.after), ['remove-vips']);
  assert.deepEqual(of(r.after, 'remove-vips')[0]!.addresses.map((a) => a.address), ['10.1.1.2']);
  assert.equal(e.instances[0]!.state, 'MASTER');
});

test('VIPs of a BACKUP that changed: nothing to add or remove', () => {
  const e = engine({ name: 'VI_1' });
  e.start(0);
  const r = e.reload(engine({ name: 'VI_1', vips: [vip('10.1.1.9')] }), S);
  assert.deepEqual(kinds(r.actions), []);
});

test('instance renamed but same VRID/interface: matched, state kept (no flap)', () => {
  const { e, now } = masterEngine({ name: 'VI_1' });
  const r = e.reload(engine({ name: 'WEB' }), now);
  assert.deepEqual(r.matched, [{ old: 'VI_1', new: 'WEB', unchanged: true }]);
  assert.deepEqual(r.added, []);
  assert.deepEqual(r.removed, []);
  assert.equal(of(r.actions, 'state-changed').length, 0);
  assert.equal(e.instance('WEB').state, 'MASTER');
});

test('not matched when the VRID, the interface or unicast-ness differ (by name alone: no)', () => {
  const { e, now } = masterEngine({ name: 'VI_1' });
  const r = e.reload(engine({ name: 'VI_1', vrid: 52 }), now);
  assert.deepEqual(r.matched, []);
  assert.deepEqual(r.removed, ['VI_1']);
  assert.deepEqual(r.added, ['VI_1']);
  const { e: e2, now: n2 } = masterEngine({ name: 'VI_1' });
  assert.deepEqual(e2.reload(engine({ name: 'VI_1', interface: 'eth1' }), n2).matched, []);
  const { e: e3, now: n3 } = masterEngine({ name: 'VI_1' });
  assert.deepEqual(e3.reload(engine({ name: 'VI_1', unicastPeers: ['10.0.0.2'] }), n3).matched, []);
  const { e: e4, now: n4 } = masterEngine({ name: 'VI_1' });
  assert.deepEqual(e4.reload(engine({ name: 'VI_1', mcastGroup: '224.0.0.99' }), n4).matched, []);
});

test('instance removed: a MASTER sends priority 0, removes its VIPs, notify reports FAULT', () => {
  const { e, now } = masterEngine({ name: 'VI_1' });
  const r = e.reload(engine({ name: 'VI_2', vrid: 52 }), now);
  assert.deepEqual(r.removed, ['VI_1']);
  const old = r.before.filter((a) => a.owner === 'VI_1' && a.type !== 'log' && a.type !== 'stat');
  assert.deepEqual(
    old.map((a) => (a.type === 'send-advert' ? `advert ${a.priority}` : a.type)),
    ['advert 100', 'advert 0', 'remove-vips', 'state-changed', 'run-script', 'fifo'],
  );
  assert.deepEqual(of(old, 'run-script')[0]!.argv, ['/bin/n', 'INSTANCE', 'VI_1', 'FAULT', '100']);
  assert.equal(of(old, 'fifo')[0]!.line, 'INSTANCE "VI_1" FAULT 100\n');
  assert.equal(of(old, 'state-changed')[0]!.to, 'DELETED');
});

test('instance removed with notify_deleted: notify reports DELETED and runs its notify_deleted script', () => {
  const { e, now } = masterEngine({ name: 'VI_1', notify: { generic: ['/bin/n'], deleted: ['/bin/d'], notifyDeleted: true, priorityChanges: false } });
  const r = e.reload(engine(), now);
  assert.deepEqual(
    of(r.actions, 'run-script').map((a) => a.argv),
    [['/bin/d'], ['/bin/n', 'INSTANCE', 'VI_1', 'DELETED', '100']],
  );
  assert.equal(of(r.actions, 'fifo')[0]!.line, 'INSTANCE "VI_1" DELETED 100\n');
  assert.equal(e.instances.length, 0);
});

test('removed instance already in FAULT without notify_deleted: no notify at all', () => {
  const e = engine({ name: 'VI_1', configFaults: 1 });
  e.start(0);
  assert.equal(e.instances[0]!.state, 'FAULT');
  const r = e.reload(engine(), S);
  assert.equal(of(r.actions, 'run-script').length, 0);
  assert.equal(of(r.actions, 'fifo').length, 0);
});

test('new instance: starts BACKUP with the down timer, as at startup; the kept one is untouched', () => {
  const { e, now } = masterEngine({ name: 'VI_1' });
  const r = e.reload(engine({ name: 'VI_1' }, { name: 'VI_2', vrid: 52, priority: 150 }), now);
  assert.deepEqual(r.added, ['VI_2']);
  const sc = of(r.actions, 'state-changed');
  assert.deepEqual(sc.map((a) => [a.owner, a.from, a.to, a.reason]), [['VI_2', 'INIT', 'BACKUP', 'startup']]);
  assert.deepEqual(of(r.actions, 'run-script').map((a) => a.argv), [['/bin/n', 'INSTANCE', 'VI_2', 'BACKUP', '150']]);
  const v2 = e.instance('VI_2');
  assert.equal(v2.sands, now + masterDownInterval(2, 3, S, 150));
  assert.equal(e.instance('VI_1').state, 'MASTER');
});

test('priority raised on a BACKUP: it preempts per the normal rules (lower adverts are ignored, the down timer expires)', () => {
  const e = engine({ name: 'VI_1', priority: 100 });
  e.start(0);
  const advert = (now: number) =>
    e.handle('VI_1', { type: 'advert', now, advert: { source: '10.0.0.2', priority: 150, advertInterval: 1, vips: ['10.1.1.1'], version: 2 } });
  for (let t = S; t <= 5 * S; t += S) advert(t);
  assert.equal(e.instances[0]!.state, 'BACKUP');
  const r = e.reload(engine({ name: 'VI_1', priority: 200 }), 5 * S + 1);
  assert.equal(of(r.actions, 'state-changed').length, 0);
  const i = e.instances[0]!;
  assert.equal(i.state, 'BACKUP');
  assert.equal(i.priority, 200);
  // the peer (150) keeps advertising: now lower, so discarded; the down timer runs out
  let t = 6 * S;
  for (; t < 5 * S + 1 + masterDownInterval(2, 3, S, 200); t += S) advert(t);
  const out = e.tick(5 * S + 1 + masterDownInterval(2, 3, S, 200));
  assert.equal(i.state, 'MASTER');
  assert.deepEqual(of(out, 'state-changed').map((a) => [a.from, a.to]), [['BACKUP', 'MASTER']]);
});

test('a lowered priority applies to the kept MASTER at once (its adverts carry it)', () => {
  const { e, now } = masterEngine({ name: 'VI_1', priority: 200 });
  e.reload(engine({ name: 'VI_1', priority: 90 }), now);
  const t = e.tick(now);
  assert.equal(of(t, 'send-advert')[0]!.priority, 90);
  assert.equal(e.instances[0]!.state, 'MASTER');
});

test('tracker states carry over to the matched instance', () => {
  const tr = [{ kind: 'script' as const, name: 'chk', weight: -50, reverse: false }];
  const e = engine({ name: 'VI_1', priority: 200, trackers: tr });
  e.start(0, { trackers: { VI_1: [{ kind: 'script', name: 'chk', up: false }] } });
  assert.equal(e.instances[0]!.priority, 150);
  e.reload(engine({ name: 'VI_1', priority: 200, trackers: tr }), S);
  assert.equal(e.instances[0]!.priority, 150);
});

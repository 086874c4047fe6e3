/** Sync groups (vrrp_sync.c): members change state together. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstanceCore, type Action } from '../../src/vrrp/instance.js';
import { SyncGroupCore } from '../../src/vrrp/sync-group.js';
import { VrrpEngine } from '../../src/vrrp/engine.js';
import { makeInstanceSettings } from '../../src/vrrp/instance-settings.js';

function group(p1 = 100, p2 = 100) {
  const a = new VrrpInstanceCore(makeInstanceSettings({ name: 'EXT', priority: p1, syncGroup: 'G1', trackers: [{ kind: 'interface', name: 'eth0', weight: 0, reverse: false }] }));
  const b = new VrrpInstanceCore(makeInstanceSettings({ name: 'INT', priority: p2, vrid: 52, syncGroup: 'G1' }));
  const g = new SyncGroupCore({ name: 'G1', members: ['EXT', 'INT'], notify: { generic: ['/bin/n', 'grp'], priorityChanges: false } }, [a, b]);
  const e = new VrrpEngine([a, b], [g]);
  return { a, b, g, e };
}
const lines = (acts: Action[]) => acts.flatMap((x) => (x.type === 'fifo' ? [x.line.trim()] : x.type === 'run-script' ? [x.argv.join(' ')] : x.type === 'log' ? [x.message] : []));

test('sync group: start notifies the group (GROUP name BACKUP 0) before its members', () => {
  const { e } = group();
  const acts = e.start(0, { primaryAddress: { EXT: '10.0.0.1', INT: '10.1.0.1' } });
  assert.deepEqual(lines(acts), [
    '/bin/n grp GROUP G1 BACKUP 0', 'GROUP "G1" BACKUP 0',
    '(EXT) Entering BACKUP STATE (init)', 'INSTANCE "EXT" BACKUP 100',
    '(INT) Entering BACKUP STATE (init)', 'INSTANCE "INT" BACKUP 100',
  ]);
});

test('sync group: the group goes MASTER only when all members want MASTER', () => {
  const { a, b, g, e } = group(100, 90);
  e.start(0, { primaryAddress: { EXT: '10.0.0.1', INT: '10.1.0.1' } });
  // EXT times out first (higher priority, shorter skew) but INT does not want MASTER yet
  const t1 = a.nextWakeup()!;
  assert.ok(t1 < b.nextWakeup()!);
  e.tick(t1);
  assert.equal(a.state, 'BACKUP');
  assert.equal(a.wantstate, 'MASTER');
  assert.equal(a.nextWakeup(), t1 + a.masterDownInterval());
  // INT times out: now everyone wants MASTER
  const t2 = b.nextWakeup()!;
  const acts = e.tick(t2);
  assert.equal(a.state, 'MASTER');
  assert.equal(b.state, 'MASTER');
  assert.equal(g.state, 'MASTER');
  assert.ok(lines(acts).includes('VRRP_Group(G1) Syncing instances to MASTER state'));
  assert.ok(lines(acts).includes('GROUP "G1" MASTER 0'));
});

function bothMaster() {
  const x = group();
  x.e.start(0, { primaryAddress: { EXT: '10.0.0.1', INT: '10.1.0.1' } });
  for (let i = 0; i < 5; i++) x.e.tick(x.e.nextWakeup()!);
  assert.equal(x.g.state, 'MASTER');
  return x;
}

test('sync group: one member in FAULT puts all members in FAULT', () => {
  const { a, b, g, e } = bothMaster();
  const acts = e.handle('EXT', { type: 'interface', now: 10_000_000, name: 'eth0', up: false });
  assert.equal(a.state, 'FAULT');
  assert.equal(b.state, 'FAULT');
  assert.equal(g.state, 'FAULT');
  assert.ok(lines(acts).includes('VRRP_Group(G1) Syncing instances to FAULT state'));
  assert.ok(lines(acts).includes('GROUP "G1" FAULT 0'));
  // recovery: both back to BACKUP
  e.handle('EXT', { type: 'interface', now: 11_000_000, name: 'eth0', up: true });
  assert.equal(a.state, 'BACKUP');
  assert.equal(b.state, 'BACKUP');
  assert.equal(g.state, 'BACKUP');
});

test('sync group: one member leaving MASTER for BACKUP takes all members to BACKUP', () => {
  const { a, b, g, e } = bothMaster();
  const acts = e.handle('INT', { type: 'advert', now: 10_000_000, advert: { source: '10.1.0.2', priority: 200, advertInterval: 1, vips: [], version: 2 } });
  assert.equal(b.state, 'BACKUP');
  assert.equal(a.state, 'BACKUP');
  assert.equal(g.state, 'BACKUP');
  assert.ok(lines(acts).includes('VRRP_Group(G1) Syncing instances to BACKUP state'));
  // no priority-0 advert when yielding
  assert.ok(acts.every((x) => x.type !== 'send-advert' || x.priority !== 0));
});

test('sync group: stop sends STOP notifies for members then the group', () => {
  const { e } = bothMaster();
  const acts = e.stop(20_000_000);
  assert.deepEqual(acts.filter((x) => x.type === 'send-advert').map((x) => (x.type === 'send-advert' ? x.priority : -1)), [0, 0]);
  assert.deepEqual(lines(acts).filter((l) => l.includes('STOP')), ['INSTANCE "EXT" STOP 100', 'INSTANCE "INT" STOP 100', '/bin/n grp GROUP G1 STOP 0', 'GROUP "G1" STOP 0']);
});

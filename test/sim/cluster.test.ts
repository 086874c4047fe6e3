/**
 * Named cluster scenarios with exact expectations: real keepalived.conf text per node, the real
 * engine, the real advert bytes through the simulated network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { masterDownInterval, skewTime } from '../../src/vrrp/timers.js';
import { assertNoViolations, cluster, instanceText, nodeSpec } from './helpers.js';

const S = 1_000_000;
const LAT = 100; // default link latency, µs

function twoNodes(a: Parameters<typeof instanceText>[0], b: Parameters<typeof instanceText>[0], opts = {}) {
  const c = cluster([nodeSpec(1, instanceText(a)), nodeSpec(2, instanceText(b))], opts);
  c.start('n1');
  c.start('n2');
  return c;
}

test('two nodes: the higher priority becomes MASTER after exactly 3 × advert_int + skew', () => {
  const c = twoNodes({ priority: 200 }, { priority: 100 });
  c.runUntil(20 * S);
  assert.equal(c.state('n1', 'VI_1'), 'MASTER');
  assert.equal(c.state('n2', 'VI_1'), 'BACKUP');
  assert.equal(c.lastTransition('n1', 'VI_1', 'MASTER'), 3 * S + skewTime(2, S, 200));
  assert.equal(c.lastTransition('n1', 'VI_1', 'MASTER'), 3_218_750);
  assert.equal(c.lastTransition('n2', 'VI_1', 'MASTER'), undefined);
  assert.deepEqual(c.heldVips(), { n1: ['192.168.51.1'] });
  // notify scripts ran with keepalived's argv
  const scripts = c.entries('script', { node: 'n1' }).map((e) => e.argv);
  assert.deepEqual(scripts, [
    ['/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'BACKUP', '200'],
    ['/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '200'],
  ]);
  assert.ok(c.stats.advertsSent >= 16);
  assertNoViolations(c);
});

test('crash of the master: the backup takes over exactly one master-down interval after the last advert it heard', () => {
  const c = twoNodes({ priority: 200 }, { priority: 100 });
  c.runUntil(10 * S + 500_000);
  // n1 adverts at 3.21875 + k s; the last one before the crash left at 10.21875 s
  const lastHeard = 10_218_750 + LAT;
  c.crash('n1');
  c.runUntil(30 * S);
  assert.equal(c.state('n2', 'VI_1'), 'MASTER');
  assert.equal(c.lastTransition('n2', 'VI_1', 'MASTER'), lastHeard + masterDownInterval(2, 3, S, 100));
  assert.deepEqual(c.heldVips(), { n2: ['192.168.51.1'] });
  assertNoViolations(c);
});

test('stop (SIGTERM) of the master: priority 0 goes out, the backup takes over after its skew time', () => {
  const c = twoNodes({ priority: 200 }, { priority: 100 });
  c.runUntil(10 * S);
  c.stop('n1');
  assert.deepEqual(c.heldVips(), {});
  c.runUntil(30 * S);
  assert.equal(c.state('n2', 'VI_1'), 'MASTER');
  assert.equal(c.lastTransition('n2', 'VI_1', 'MASTER'), 10 * S + LAT + skewTime(2, S, 100));
  assert.deepEqual(
    c.entries('state', { node: 'n1' }).map((e) => `${e.from}->${e.to}`),
    ['INIT->BACKUP', 'BACKUP->MASTER', 'MASTER->STOP'],
  );
  assertNoViolations(c);
});

test('the higher priority node returns and preempts back', () => {
  const c = twoNodes({ priority: 200 }, { priority: 100 });
  c.runUntil(10 * S);
  c.stop('n1');
  c.runUntil(20 * S);
  c.start('n1');
  c.runUntil(40 * S);
  assert.equal(c.state('n1', 'VI_1'), 'MASTER');
  assert.equal(c.state('n2', 'VI_1'), 'BACKUP');
  // n1 discards n2's lower-priority adverts and times out after its own master-down interval
  assert.equal(c.lastTransition('n1', 'VI_1', 'MASTER'), 20 * S + masterDownInterval(2, 3, S, 200));
  // n2 hears the higher priority advert and steps down one latency later
  assert.equal(c.lastTransition('n2', 'VI_1', 'BACKUP'), 20 * S + masterDownInterval(2, 3, S, 200) + LAT);
  assert.deepEqual(c.heldVips(), { n1: ['192.168.51.1'] });
  assertNoViolations(c);
});

test('nopreempt: the returning higher priority node stays BACKUP', () => {
  const c = twoNodes({ priority: 200, nopreempt: true }, { priority: 100, nopreempt: true });
  c.runUntil(10 * S);
  assert.equal(c.state('n1', 'VI_1'), 'MASTER');
  c.stop('n1');
  c.runUntil(20 * S);
  c.start('n1');
  c.runUntil(80 * S);
  assert.equal(c.state('n1', 'VI_1'), 'BACKUP');
  assert.equal(c.state('n2', 'VI_1'), 'MASTER');
  assertNoViolations(c);
});

test('one-way partition: the backup stops hearing the master and both become MASTER; healing resolves it', () => {
  const c = twoNodes({ priority: 200 }, { priority: 100 });
  c.runUntil(10 * S);
  c.block('n1', 'n2');
  c.runUntil(20 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2']);
  // n1 hears n2's lower priority adverts and answers them (forcing a new election n2 never hears)
  c.heal();
  c.runUntil(30 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  assert.deepEqual(c.heldVips(), { n1: ['192.168.51.1'] });
  assertNoViolations(c);
});

test('two-way partition: each side elects a master; on heal the higher priority keeps it', () => {
  const specs = [1, 2, 3].map((k) => nodeSpec(k, instanceText({ priority: 250 - 50 * k })));
  const c = cluster(specs);
  for (const n of ['n1', 'n2', 'n3']) c.start(n);
  c.runUntil(10 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  c.partition(['n1'], ['n2', 'n3']);
  c.runUntil(20 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2']);
  c.heal();
  c.runUntil(30 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  assertNoViolations(c);
});

test('a sync group moves together: one member failing its tracker takes the whole group to the other node', () => {
  const body = (prio: number) =>
    [
      'vrrp_script chk {\n  script "/usr/local/bin/check.sh"\n  interval 1\n}',
      'vrrp_sync_group G1 {\n  group {\n    VI_1\n    VI_2\n  }\n}',
      instanceText({ name: 'VI_1', vrid: 51, priority: prio, trackScripts: ['chk'] }),
      instanceText({ name: 'VI_2', vrid: 52, priority: prio, version: 3, advertInt: '0.5' }),
    ].join('\n');
  const c = cluster([nodeSpec(1, body(200)), nodeSpec(2, body(100))]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  assert.deepEqual([c.masters('VI_1'), c.masters('VI_2')], [['n1'], ['n1']]);
  c.setScript('n1', 'chk', false);
  assert.equal(c.state('n1', 'VI_1'), 'FAULT');
  assert.equal(c.state('n1', 'VI_2'), 'FAULT');
  c.runUntil(20 * S);
  assert.deepEqual([c.masters('VI_1'), c.masters('VI_2')], [['n2'], ['n2']]);
  assert.deepEqual(c.heldVips(), { n2: ['192.168.51.1', '192.168.52.1'] });
  c.setScript('n1', 'chk', true);
  c.runUntil(40 * S);
  assert.deepEqual([c.masters('VI_1'), c.masters('VI_2')], [['n1'], ['n1']]);
  const groupStates = c.entries('group-state', { node: 'n1' }).map((e) => e.to);
  assert.deepEqual(groupStates, ['BACKUP', 'MASTER', 'FAULT', 'BACKUP', 'MASTER']);
  assertNoViolations(c);
});

test('unicast peers: election, crash and takeover over unicast adverts', () => {
  const c = cluster([
    nodeSpec(1, instanceText({ priority: 150, unicastPeers: ['10.0.0.2'], version: 3 })),
    nodeSpec(2, instanceText({ priority: 100, unicastPeers: ['10.0.0.1'], version: 3 })),
  ]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  c.crash('n1');
  c.runUntil(20 * S);
  assert.deepEqual(c.masters('VI_1'), ['n2']);
  assert.equal(c.stats.advertsRejected, 0);
  assertNoViolations(c);
});

test('stopping every node leaves no VIP anywhere', () => {
  const specs = [1, 2, 3].map((k) => nodeSpec(k, [instanceText({ vrid: 10, name: 'A', priority: 100 + k }), instanceText({ vrid: 11, name: 'B', priority: 200 - k })].join('\n')));
  const c = cluster(specs);
  for (const n of ['n1', 'n2', 'n3']) c.start(n);
  c.runUntil(10 * S);
  assert.deepEqual(c.masters('A'), ['n3']);
  assert.deepEqual(c.masters('B'), ['n1']);
  c.stop('n3');
  c.runUntil(11 * S);
  c.stop('n1');
  c.runUntil(12 * S);
  c.stop('n2');
  c.runUntil(15 * S);
  assert.deepEqual(c.heldVips(), {});
  assertNoViolations(c);
});

test('IPv6 (VRRPv3 over ff02::12 from link-local addresses): election and stop handover', () => {
  const spec = (k: number, prio: number) => ({
    name: `n${k}`,
    config: `global_defs {\n  router_id n${k}\n  enable_script_security\n  script_user root\n}\n${instanceText({ priority: prio, vips: ['fd00:51::1/64'] })}\n`,
    interfaces: [{ name: 'eth0', segment: 'lan0', ipv4: [`10.0.0.${k}`], ipv6: [`fe80::${k}`, `fd00::${k}`] }],
  });
  const c = cluster([spec(1, 200), spec(2, 100)]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  assert.equal(c.node('n1').engine!.instance('VI_1').settings.version, 3);
  assert.deepEqual(c.heldVips(), { n1: ['fd00:51::1'] });
  c.stop('n1');
  c.runUntil(20 * S);
  assert.deepEqual(c.masters('VI_1'), ['n2']);
  assert.equal(c.stats.advertsRejected, 0);
  assertNoViolations(c);
});

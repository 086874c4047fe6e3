/**
 * heartbeat_paths in the simulator: two nodes share the LAN (eth0) and a second heartbeat cable
 * (hb0, its own segment). With the LAN's switch dead the adverts still cross the cable: one
 * master, and the invariants (which count every advert path) hold. Without the extension, or with
 * the cable dead as well, the nodes are partitioned and both become MASTER, as expected of VRRP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimNodeSpec } from '../../src/platform/sim/cluster.js';
import { assertNoViolations, cluster, instanceText, nodeSpec } from './helpers.js';

const S = 1_000_000;
const PATHS = '  heartbeat_paths {\n    hb0\n  }\n';

function node(k: number, priority: number, paths: boolean): SimNodeSpec {
  const body = instanceText({ priority }).replace('  virtual_router_id 51\n', `  virtual_router_id 51\n${paths ? PATHS : ''}`);
  const spec = nodeSpec(k, body);
  return { ...spec, interfaces: [...spec.interfaces, { name: 'hb0', segment: 'cable', ipv4: [`10.9.9.${k}`] }] };
}

test('with heartbeat_paths a dead LAN switch does not split the pair; the cable dying too does', () => {
  const c = cluster([node(1, 200, true), node(2, 100, true)]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  c.cutSegment('lan0');
  c.runUntil(30 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1'], 'the cable carries the adverts');
  assert.equal(c.lastTransition('n2', 'VI_1', 'MASTER'), undefined);
  c.cutSegment('cable');
  c.runUntil(40 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2'], 'no path left: a partition');
  c.heal();
  c.runUntil(50 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  assertNoViolations(c);
});

test('without heartbeat_paths the same dead LAN switch makes two masters', () => {
  const c = cluster([node(1, 200, false), node(2, 100, false)]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  c.cutSegment('lan0');
  c.runUntil(30 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2']);
  assertNoViolations(c);
});

test('a path to unicast peers: adverts go to the peers through the path interface', () => {
  const uni = (k: number, priority: number, peer: number) => {
    const body = instanceText({ priority }).replace('  virtual_router_id 51\n', `  virtual_router_id 51\n  heartbeat_paths {\n    hb0 10.9.9.${peer}\n  }\n`);
    const spec = nodeSpec(k, body);
    return { ...spec, interfaces: [...spec.interfaces, { name: 'hb0', segment: 'cable', ipv4: [`10.9.9.${k}`] }] };
  };
  const c = cluster([uni(1, 200, 2), uni(2, 100, 1)]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  c.cutSegment('lan0');
  c.runUntil(30 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  assertNoViolations(c);
});

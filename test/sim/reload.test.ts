/** Config reload (SIGHUP) in a simulated cluster: a diff, so an unchanged instance never flaps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoViolations, cluster, configText, instanceText, nodeSpec } from './helpers.js';

const S = 1_000_000;

function twoNodes() {
  const c = cluster([nodeSpec(1, instanceText({ priority: 200 })), nodeSpec(2, instanceText({ priority: 100 }))]);
  c.start('n1');
  c.start('n2');
  c.runUntil(10 * S);
  assert.equal(c.state('n1', 'VI_1'), 'MASTER');
  return c;
}

test('the MASTER reloads an unchanged config: no state change in the timeline, VIPs stay, invariants hold', () => {
  const c = twoNodes();
  const before = c.entries('state').length;
  const vipEvents = c.entries('vip-add').length + c.entries('vip-remove').length;
  c.reload('n1');
  c.reload('n2');
  c.runUntil(40 * S);
  assert.equal(c.entries('state').length, before);
  assert.equal(c.entries('vip-add').length + c.entries('vip-remove').length, vipEvents);
  assert.equal(c.entries('script').filter((e) => e.t >= 10 * S).length, 0);
  assert.deepEqual(c.heldVips(), { n1: ['192.168.51.1'] });
  assert.equal(c.entries('fault').filter((e) => e.detail === 'reload (unchanged)').length, 2);
  assertNoViolations(c);
});

test('the MASTER reloads with the instance renamed: matched by VRID, no flap, the VIP moves to the new name', () => {
  const c = twoNodes();
  const before = c.entries('state').length;
  c.reload('n1', configText('n1', instanceText({ priority: 200, name: 'WEB', vips: ['192.168.51.1/24'] })));
  c.runUntil(40 * S);
  assert.equal(c.entries('state').length, before);
  assert.equal(c.state('n1', 'WEB'), 'MASTER');
  assert.deepEqual(c.node('n1').held.get('192.168.51.1')?.instance, 'WEB');
  assertNoViolations(c);
});

test("the BACKUP's reload raises its priority above the MASTER's: it takes over (preemption)", () => {
  const c = twoNodes();
  c.reload('n2', configText('n2', instanceText({ priority: 250 })));
  assert.equal(c.state('n2', 'VI_1'), 'BACKUP');
  c.runUntil(40 * S);
  assert.equal(c.state('n2', 'VI_1'), 'MASTER');
  assert.equal(c.state('n1', 'VI_1'), 'BACKUP');
  const t = c.lastTransition('n2', 'VI_1', 'MASTER')!;
  assert.ok(t > 10 * S && t < 15 * S, `took over at ${t}`);
  assert.deepEqual(c.heldVips(), { n2: ['192.168.51.1'] });
  assertNoViolations(c);
});

test('the MASTER reloads with a VIP added and its instance removed elsewhere: added with GARP; removed instance leaves with priority 0', () => {
  const c = twoNodes();
  // the VIP lists now differ between the nodes: n2 rejects n1's adverts (address count), as keepalived would
  c.invariants.enabled.delete('wire-reject');
  c.reload('n1', configText('n1', instanceText({ priority: 200, vips: ['192.168.51.1/24', '192.168.51.2/24'] })));
  assert.deepEqual(c.heldVips(), { n1: ['192.168.51.1', '192.168.51.2'] });
  assert.ok(c.entries('garp', { node: 'n1' }).some((e) => e.t === 10 * S && e.detail === '192.168.51.1 192.168.51.2 x5'));
  // now n1 drops VI_1 (a different VRID instead): n2 takes over after its skew time
  c.reload('n1', configText('n1', instanceText({ priority: 200, name: 'VI_9', vrid: 9 })));
  assert.equal(c.node('n1').held.has('192.168.51.1'), false);
  c.runUntil(40 * S);
  assert.equal(c.state('n2', 'VI_1'), 'MASTER');
  assert.equal(c.state('n1', 'VI_9'), 'MASTER');
  assertNoViolations(c);
});

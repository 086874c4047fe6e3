/**
 * The invariant checks themselves: each one must fire when the cluster really misbehaves
 * (a checker that never fires proves nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, instanceText, nodeSpec } from './helpers.js';

const S = 1_000_000;

function converged() {
  const c = cluster([nodeSpec(1, instanceText({ priority: 200 })), nodeSpec(2, instanceText({ priority: 100 }))]);
  c.start('n1');
  c.start('n2');
  c.runUntil(20 * S);
  assert.deepEqual(c.violations, []);
  return c;
}

test('vip-iff-master: a VIP on a BACKUP is reported', () => {
  const c = converged();
  c.node('n2').held.set('192.168.51.1', { instance: 'VI_1', ifname: 'eth0' });
  c.touched.add(c.node('n2'));
  c.runFor(2 * S);
  assert.deepEqual(c.violations.map((v) => v.invariant), ['vip-iff-master']);
  assert.match(c.violations[0]!.message, /n2: VI_1 is BACKUP but holds 192.168.51.1/);
  assert.equal(c.violations[0]!.seed, 1);
  assert.ok(c.violations[0]!.recent.length > 0);
});

test('one-master and steady-state: adverts silently lost (no fault recorded) give two masters in a quiet network', () => {
  const c = converged();
  c.net.setLink('n1', 'n2', { loss: 1 }); // behind the cluster's back: it still believes the link is fine
  c.runFor(20 * S);
  const kinds = new Set(c.violations.map((v) => v.invariant));
  assert.ok(kinds.has('steady-state'), [...kinds].join());
  assert.ok(kinds.has('one-master'), [...kinds].join());
});

test('highest-priority: a BACKUP with a strictly higher priority that never preempts is reported', () => {
  const c = converged();
  // n2's priority rises behind the engine's back and its timers stop: it can never preempt
  const core = c.node('n2').engine!.instance('VI_1');
  (core as { effectivePriority: number }).effectivePriority = 250;
  Object.defineProperty(core, 'nextWakeup', { value: () => undefined });
  c.invariants.onFault('test'); // the convergence check runs again once the network is quiet
  c.runFor(c.stableWindowUs + S);
  assert.deepEqual(c.violations.map((v) => v.invariant), ['highest-priority']);
  assert.match(c.violations[0]!.message, /n1 is MASTER of VI_1 with priority 200 while n2 has 250/);
});

test('takeover-crash: a backup that cannot take over in time is reported', () => {
  const c = converged();
  // n2 silently stops running its timers: it never takes over
  const core = c.node('n2').engine!.instance('VI_1');
  core.handle = () => [];
  Object.defineProperty(core, 'nextWakeup', { value: () => undefined });
  c.crash('n1');
  c.runFor(10 * S);
  assert.ok(c.violations.some((v) => v.invariant === 'takeover-crash'), c.violations.map((v) => v.invariant).join());
});

test('vip-after-stop: a node that does not release its VIPs on stop is reported', () => {
  const c = converged();
  const engine = c.node('n1').engine!;
  engine.stop = () => []; // SIGTERM does nothing
  c.stop('n1');
  assert.ok(c.violations.some((v) => v.invariant === 'vip-after-stop'));
});

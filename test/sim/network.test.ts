/** The simulator's clock and network: deterministic ordering, delivery, loss, partitions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../src/platform/sim/clock.js';
import { SimNetwork, type Frame } from '../../src/platform/sim/network.js';
import { Prng } from '../../src/platform/sim/prng.js';

test('events run in time order, same-time events in scheduling order, cancelled ones never', () => {
  const clock = new VirtualClock();
  const seen: string[] = [];
  clock.at(30, () => seen.push('c'));
  clock.at(10, () => seen.push('a1'));
  clock.at(10, () => seen.push('a2'));
  const cancel = clock.at(20, () => seen.push('never'));
  clock.at(20, () => clock.after(0, () => seen.push('b-then')));
  cancel();
  assert.equal(clock.runUntil(25), 4);
  assert.deepEqual(seen, ['a1', 'a2', 'b-then']);
  assert.equal(clock.now, 25);
  clock.runUntil(100);
  assert.deepEqual(seen, ['a1', 'a2', 'b-then', 'c']);
});

test('property: events always run in non-decreasing time', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 200 }), (times) => {
      const clock = new VirtualClock();
      const ran: number[] = [];
      for (const t of times) clock.at(t, () => ran.push(clock.now));
      clock.runUntil(2_000_000);
      assert.deepEqual(ran, [...times].sort((a, b) => a - b));
    }),
    { seed: 3 },
  );
});

function segment(latencyUs = 100, loss = 0) {
  const clock = new VirtualClock();
  const net = new SimNetwork(clock, new Prng(1), { latencyUs, loss });
  const inbox: Record<string, Frame[]> = { a: [], b: [], c: [] };
  const ep = Object.fromEntries(
    ['a', 'b', 'c'].map((n, i) => [
      n,
      net.attach({ node: n, ifname: 'eth0', segment: 'lan', addresses: new Set([`10.0.0.${i + 1}`]), receive: (f) => inbox[n]!.push(f) }),
    ]),
  );
  const frame = (source: string, destination: string): Frame => ({ source, destination, ttl: 255, payload: new Uint8Array([1]) });
  return { clock, net, inbox, ep, frame };
}

test('multicast reaches every other node after the latency; unicast only the address holder', () => {
  const { clock, net, inbox, ep, frame } = segment(250);
  net.send(ep['a']!, frame('10.0.0.1', '224.0.0.18'));
  net.send(ep['a']!, frame('10.0.0.1', '10.0.0.3'));
  clock.runUntil(249);
  assert.equal(inbox['b']!.length + inbox['c']!.length, 0);
  clock.runUntil(250);
  assert.equal(inbox['a']!.length, 0);
  assert.equal(inbox['b']!.length, 1);
  assert.equal(inbox['c']!.length, 2);
});

test('one-way and two-way partitions, healing, and a down interface', () => {
  const { clock, net, inbox, ep, frame } = segment();
  net.block('a', 'b');
  net.send(ep['a']!, frame('10.0.0.1', '224.0.0.18'));
  net.send(ep['b']!, frame('10.0.0.2', '224.0.0.18'));
  clock.runUntil(1000);
  assert.deepEqual([inbox['a']!.length, inbox['b']!.length, inbox['c']!.length], [1, 0, 2]);
  net.heal();
  net.partition(['a'], ['b', 'c']);
  assert.deepEqual([...net.reachable('a')], []);
  net.heal();
  ep['c']!.up = false;
  net.send(ep['a']!, frame('10.0.0.1', '224.0.0.18'));
  clock.runUntil(2000);
  assert.deepEqual([inbox['a']!.length, inbox['b']!.length, inbox['c']!.length], [1, 1, 2]);
  assert.deepEqual([...net.reachable('a')], ['b']);
});

test('loss drops about the configured share of frames, the same ones for the same seed', () => {
  const run = () => {
    const { clock, net, inbox, ep, frame } = segment(100, 0.25);
    for (let i = 0; i < 4000; i++) net.send(ep['a']!, frame('10.0.0.1', '10.0.0.2'));
    clock.runUntil(1000);
    return inbox['b']!.length;
  };
  const delivered = run();
  assert.ok(delivered > 2800 && delivered < 3200, String(delivered));
  assert.equal(run(), delivered);
});

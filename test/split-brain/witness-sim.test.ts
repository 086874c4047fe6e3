/**
 * The witness in the simulator: two keepalived-ts directors (real configs, real engines, real
 * messages) and a witness on one LAN, under partitions of each path, one-way loss, crashes of
 * directors and of the witness. With a witness no two directors ever hold the VIP at the same
 * instant, and a side holding a majority keeps serving; without one, a partition is a split brain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/platform/sim/prng.js';
import { holders, witnessPair, type PairOptions, type WitnessPair } from './sim-fixture.js';

const S = 1_000_000;

/** Checks that need convergence under a quorum rule are replaced by the fixture's own. */
function quorumInvariants(p: WitnessPair): void {
  for (const name of ['one-master', 'highest-priority', 'takeover-crash', 'takeover-stop'] as const) p.cluster.invariants.enabled.delete(name);
}

function witnessUp(p: WitnessPair, up: boolean): void {
  p.cluster.invariants.onFault(`witness ${up ? 'up' : 'down'}`);
  p.cluster.record({ t: p.cluster.now, node: 'w', kind: 'fault', detail: up ? 'witness start' : 'witness crash' });
  if (up) p.witness.start();
  else p.witness.crash();
}

function started(o: PairOptions = {}): WitnessPair {
  const p = witnessPair(o);
  quorumInvariants(p);
  p.witness.start();
  p.cluster.start('n1');
  p.cluster.start('n2');
  p.cluster.runFor(10 * S);
  return p;
}

const transitions = (p: WitnessPair, node: string) => p.cluster.entries('state', { node }).map((e) => `${e.from}->${e.to}`);

test('the higher priority becomes MASTER with the backup vote, and keeps it while the witness is down', () => {
  const p = started();
  assert.deepEqual(holders(p.cluster), ['n1']);
  assert.match(p.cluster.entries('state', { node: 'n1' }).at(-1)!.reason!, /^majority of votes \(2 of 3 votes: itself, 10\.0\.0\.2\)$/);
  witnessUp(p, false);
  p.cluster.runFor(30 * S);
  assert.deepEqual(holders(p.cluster), ['n1']);
  assert.deepEqual(transitions(p, 'n1'), ['INIT->BACKUP', 'BACKUP->MASTER']);
  assert.deepEqual(p.dualHolds, []);
  assert.deepEqual(p.cluster.violations, []);
});

test('director-director cut: the master keeps the VIP with the witness, the backup waits (no dual master)', () => {
  const p = started();
  p.cluster.partition(['n1'], ['n2']);
  p.cluster.runFor(30 * S);
  assert.deepEqual(holders(p.cluster), ['n1']);
  assert.deepEqual(transitions(p, 'n1'), ['INIT->BACKUP', 'BACKUP->MASTER']);
  assert.deepEqual(transitions(p, 'n2'), ['INIT->BACKUP']);
  assert.equal(p.cluster.node('n2').engine!.instance('VI_1').awaitingMajority, true);
  p.cluster.heal();
  p.cluster.runFor(10 * S);
  assert.deepEqual(holders(p.cluster), ['n1']);
  assert.equal(p.cluster.node('n2').engine!.instance('VI_1').awaitingMajority, false);
  assert.deepEqual(p.dualHolds, []);
  assert.deepEqual(p.cluster.violations, []);
});

test('the master cut from everything releases before its lease ends; the other takes over after it', () => {
  const p = started();
  const cut = p.cluster.now;
  p.cluster.partition(['n1'], ['n2', 'w']);
  p.cluster.runFor(30 * S);
  assert.deepEqual(holders(p.cluster), ['n2']);
  const released = p.cluster.lastTransition('n1', 'VI_1', 'BACKUP')!;
  const taken = p.cluster.lastTransition('n2', 'VI_1', 'MASTER')!;
  assert.ok(released > cut && released < taken, `released ${released}, taken ${taken}`);
  assert.match(p.cluster.entries('state', { node: 'n1' }).at(-1)!.reason!, /^majority lost: 1 of 3 votes: itself$/);
  p.cluster.heal();
  p.cluster.runFor(10 * S);
  assert.deepEqual(holders(p.cluster), ['n1'], 'preempts back once it is heard again');
  assert.deepEqual(p.dualHolds, []);
  assert.deepEqual(p.cluster.violations, []);
});

test('master crash: the backup takes over once the witness lease ran out; a restarted witness grants nothing at first', () => {
  const p = started({ unicast: true });
  p.cluster.crash('n1');
  p.cluster.runFor(15 * S);
  assert.deepEqual(holders(p.cluster), ['n2']);
  // witness restart while the directors cannot see each other: nobody gains a majority during its quiet period
  p.cluster.start('n1');
  p.cluster.partition(['n1'], ['n2']);
  witnessUp(p, false);
  witnessUp(p, true);
  p.cluster.runFor(30 * S);
  assert.equal(holders(p.cluster).length <= 1, true);
  assert.deepEqual(p.dualHolds, []);
});

test('without a witness, a heartbeat cut is a split brain (both directors hold the VIP)', () => {
  const p = witnessPair({ witness: false });
  p.cluster.start('n1');
  p.cluster.start('n2');
  p.cluster.runFor(10 * S);
  p.cluster.partition(['n1'], ['n2']);
  p.cluster.runFor(10 * S);
  assert.deepEqual(holders(p.cluster).sort(), ['n1', 'n2']);
  assert.ok(p.dualUs() > 0);
});

test('random partitions, one-way loss, crashes and witness outages over many seeds: never two holders', () => {
  const seeds = Number(process.env.WITNESS_SIM_SEEDS ?? 150);
  let sawTakeover = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = new Prng(seed);
    const o: PairOptions = {
      unicast: r.chance(0.5),
      advertInt: r.pick(['1', '2', '3']),
      ...(r.chance(0.3) ? { lease: r.pick(['2', '4', '6']) } : {}),
      priorities: r.chance(0.2) ? [100, 100] : [150, 100],
      syncGroup: r.chance(0.25),
      cluster: { seed, latencyUs: r.int(50, 5000) },
    };
    const p = witnessPair(o);
    quorumInvariants(p);
    const c = p.cluster;
    c.at(r.int(0, 3 * S), () => witnessUp(p, true));
    c.at(r.int(0, 3 * S), () => c.start('n1'));
    c.at(r.int(0, 3 * S), () => c.start('n2'));
    const end = 90 * S;
    let t = 5 * S;
    const directors = ['n1', 'n2'];
    while ((t += r.int(S / 2, 8 * S)) < end) {
      const at = t;
      const k = r.int(0, 9);
      if (k === 0) c.at(at, () => c.partition(['n1'], ['n2']));
      else if (k === 1) { const d = r.pick(directors); c.at(at, () => c.partition([d], ['w'])); }
      else if (k === 2) { const [a, b] = r.chance(0.5) ? ['n1', 'n2'] : ['n2', 'n1']; c.at(at, () => c.block(a, b)); }
      else if (k === 3) c.at(at, () => c.heal());
      else if (k === 4) { const d = r.pick(directors); c.at(at, () => c.crash(d)); }
      else if (k === 5) { const d = r.pick(directors); c.at(at, () => c.start(d)); }
      else if (k === 6) c.at(at, () => { if (p.witness.running) witnessUp(p, false); else witnessUp(p, true); });
      else if (k === 7) { const [a, b] = r.chance(0.5) ? ['n1', 'w'] : ['w', 'n1']; c.at(at, () => c.block(a, b)); }
      else if (k === 8) { const [a, b] = r.pick([['n1', 'n2'], ['n2', 'n1'], ['n2', 'w']] as const); c.at(at, () => c.setLink(a, b, { loss: 0.3 })); }
      else c.at(at, () => c.stop(r.pick(directors)));
    }
    // repair: everything up and connected, no loss; then one director must serve
    c.at(end, () => {
      c.heal();
      for (const [a, b] of [['n1', 'n2'], ['n2', 'n1'], ['n2', 'w']] as const) c.setLink(a, b, { loss: 0 });
      if (!p.witness.running) witnessUp(p, true);
      c.start('n1');
      c.start('n2');
    });
    c.runUntil(end + 40 * S);
    const where = `seed ${seed} ${JSON.stringify(o)}`;
    assert.deepEqual(p.dualHolds, [], where);
    assert.deepEqual(c.violations.map((v) => `${v.invariant}: ${v.message}`), [], where);
    assert.equal(holders(c).length, 1, `${where}: one director serves after the repair`);
    if (c.entries('state').filter((e) => e.to === 'MASTER').length > 1) sawTakeover++;
  }
  assert.ok(sawTakeover > seeds / 2, `takeovers happened in ${sawTakeover} of ${seeds} runs`);
});

test('a reload that changes nothing keeps the master and its majority (no flap)', () => {
  const p = started();
  p.cluster.reload('n1');
  p.cluster.reload('n2');
  p.cluster.runFor(20 * S);
  assert.deepEqual(holders(p.cluster), ['n1']);
  assert.deepEqual(transitions(p, 'n1'), ['INIT->BACKUP', 'BACKUP->MASTER']);
  assert.deepEqual(p.cluster.violations, []);
  assert.deepEqual(p.dualHolds, []);
});

test('a sync group votes as one: both VIPs move together, never on two directors', () => {
  const p = started({ syncGroup: true });
  const both = () => [...p.cluster.nodes.values()].filter((n) => n.running).map((n) => `${n.name}:${[...n.held.keys()].sort().join(',')}`);
  assert.deepEqual(both(), ['n1:10.0.0.50,10.0.0.51', 'n2:']);
  assert.equal(p.cluster.node('n1').guard!.snapshot(p.cluster.now)['VI_2']!.group, 'v4/51+v4/52');
  p.cluster.partition(['n1'], ['n2']);
  p.cluster.runFor(20 * S);
  assert.deepEqual(both(), ['n1:10.0.0.50,10.0.0.51', 'n2:']);
  p.cluster.heal();
  p.cluster.partition(['n1'], ['n2', 'w']);
  p.cluster.runFor(20 * S);
  assert.deepEqual(both(), ['n1:', 'n2:10.0.0.50,10.0.0.51']);
  for (const n of p.cluster.nodes.values()) assert.ok(n.held.size === 0 || n.held.size === 2);
  assert.deepEqual(p.dualHolds, []);
  assert.deepEqual(p.cluster.violations, []);
});

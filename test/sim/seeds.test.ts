/**
 * Random clusters and fault schedules: a few hundred seeds, every invariant checked after every
 * step. Every seed that once found a bug stays here as a named regression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateScenario, runSeed } from '../../src/platform/sim/scenarios.js';
import { formatViolation } from '../../src/platform/sim/invariants.js';
import { loadNodeConfig } from '../../src/platform/sim/cluster.js';

function assertSeed(seed: number): void {
  const r = runSeed(seed);
  if (!r.ok) assert.fail(`seed ${seed}: ${r.scenario.summary}\n\n${r.violations.map(formatViolation).join('\n\n')}`);
}

test('the same seed gives the same scenario and the same run', () => {
  const a = runSeed(42);
  const b = runSeed(42);
  assert.equal(a.scenario.nodes.map((n) => n.config).join('\n'), b.scenario.nodes.map((n) => n.config).join('\n'));
  assert.deepEqual(a.timeline, b.timeline);
  assert.deepEqual({ ...a.stats, wallMs: 0 }, { ...b.stats, wallMs: 0 });
});

test('generated configs are read through the real config path without errors', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const s = generateScenario(seed);
    assert.ok(s.nodes.length >= 2 && s.nodes.length <= 5);
    assert.ok(s.vrids >= 1 && s.vrids <= 50);
    const vrids = new Set<number>();
    for (const n of s.nodes) for (const i of loadNodeConfig(n).config.vrrp.instances) vrids.add(i.vrid!);
    assert.equal(vrids.size, s.vrids);
  }
});

// Regressions: seeds that found bugs (in the simulator or its checks; see the comments).

test('seed 7: a master waking every advert interval is not a livelock (the livelock guard counted every wake)', () => {
  assertSeed(7);
});

test('seed 18: one-way blocks n2>n1, n3>n1: n2 and n3 rightly stay BACKUP while they hear master n1', () => {
  assertSeed(18);
});

test('seed 476: a crashed master whose backups hear another MASTER (one-way link) need not be replaced', () => {
  assertSeed(476);
});

test('seed 864: a restarted address owner is MASTER again at once: no takeover is owed', () => {
  assertSeed(864);
});

test('seed 3696: blocks n4>n5, n5>n3: n4 outranks master n3 but hears master n5 (equal priority) and rightly stays BACKUP', () => {
  assertSeed(3696);
});

const FROM = 1;
const COUNT = 250;
test(`seeds ${FROM}..${FROM + COUNT - 1}: no invariant is violated`, () => {
  const failed: string[] = [];
  let checks = 0;
  let takeovers = 0;
  for (let seed = FROM; seed < FROM + COUNT; seed++) {
    const r = runSeed(seed);
    checks += r.stats.checks.converged;
    takeovers += r.stats.checks.takeoversMet;
    if (!r.ok) failed.push(`${formatViolation(r.violations[0]!)}`);
  }
  assert.deepEqual(failed, []);
  // the checks must really have run
  assert.ok(checks > COUNT, `only ${checks} convergence checks`);
  assert.ok(takeovers > COUNT / 2, `only ${takeovers} timed takeovers`);
});

/**
 * Starting due attempts in slices: CheckScheduler.due(now, limit) starts at most `limit`, earliest
 * first, and leaves the rest due; the runtime starts a backlog a slice per loop turn with the I/O
 * phase in between; attempts that offer start() (no Promise) may finish inside the call, and an
 * attempt whose start() throws is counted and taken as a failure. Fake attempts, no I/O.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import type { VirtualServer } from '../../src/config/model/lvs.js';
import { CheckScheduler } from '../../src/check/check-scheduler.js';
import { CheckRuntime } from '../../src/check/check-runtime.js';
import type { CheckerFactory, CheckOutcome } from '../../src/check/checker-types.js';

const S = 1_000_000;
const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });
const ok: CheckOutcome = { ok: true, reason: 'ok' };

function servers(n: number, delayLoop = '10'): VirtualServer[] {
  const rs = Array.from({ length: n }, (_, i) => `  real_server 10.1.${i >> 8}.${(i & 255) + 1} 80 {\n    TCP_CHECK {\n      delay_loop ${delayLoop}\n      warmup 0\n    }\n  }\n`).join('');
  return loadConfigText(`virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${rs}}\n`, { host }).config.lvs.virtualServers;
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('due(now, limit): at most `limit` attempts, in due order; the rest stay due', () => {
  const sched = new CheckScheduler(servers(10), { random: () => 0 });
  sched.start(0);
  const ids = sched.checkers().map((c) => c.id);
  const first = sched.due(S, 4);
  assert.deepEqual(first.map((a) => a.type === 'run-attempt' && a.checkerId), ids.slice(0, 4));
  assert.equal(sched.nextDue(), S);
  const rest = sched.due(2 * S, 100);
  assert.deepEqual(rest.map((a) => a.type === 'run-attempt' && a.checkerId), ids.slice(4));
  // every one started once, each with the time it was due
  assert.deepEqual(rest.map((a) => a.type === 'run-attempt' && a.dueAt), Array.from({ length: 6 }, () => S));
  assert.equal(sched.nextDue(), undefined);
});

test('a backlog is started a slice per loop turn, with the I/O phase (results) in between', async () => {
  const N = 200;
  // attempts end through the event loop (as a socket's completion would): setImmediate stands in for the I/O event
  const starts: number[] = [];
  let turn = 0;
  let ticking = true;
  const tick = (): void => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const factory: CheckerFactory = () => ({
    sharesSignal: true,
    start: (_signal, done) => {
      starts.push(turn);
      setImmediate(() => done(ok));
    },
    run: () => Promise.resolve(ok),
  });
  const rt = new CheckRuntime({ virtualServers: servers(N), factory: () => factory, random: () => 0 });
  try {
    rt.start();
    await waitFor('every first attempt finished', () => rt.stats.attemptsFinished >= N);
  } finally {
    ticking = false;
    await rt.stop();
  }
  assert.equal(starts.length, N);
  // all N were due at the same instant: they were not all started in one turn
  const perTurn = new Map<number, number>();
  for (const t of starts) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
  assert.ok(perTurn.size >= 2, `started in ${perTurn.size} turn(s)`);
  assert.ok(Math.max(...perTurn.values()) <= 64, `at most one slice a turn: ${[...perTurn.values()].join(',')}`);
  assert.deepEqual([rt.stats.attemptsStarted, rt.stats.attemptErrors, rt.stats.running], [N, 0, 0]);
});

test('start(): a result given inside the call is taken; a start() that throws is a counted failure', async () => {
  const logs: string[] = [];
  let calls = 0;
  const factory: CheckerFactory = (ctx) => ({
    start: (_signal, done) => {
      calls++;
      if (ctx.target.address === '10.1.0.2') throw new Error('checker bug');
      done({ ok: true, reason: 'at once' });
      done({ ok: false, reason: 'a second call is ignored' });
    },
    run: () => Promise.reject(new Error('run() must not be used when start() is offered')),
  });
  const rt = new CheckRuntime({ virtualServers: servers(2, '0.05'), factory: () => factory, random: () => 0, log: (_l, m) => logs.push(m) });
  try {
    rt.start();
    await waitFor('a few rounds', () => rt.stats.attemptsFinished >= 6);
  } finally {
    await rt.stop();
  }
  const views = rt.realServers();
  assert.deepEqual(views.map((v) => v.alive), [true, false]);
  assert.equal(rt.stats.attemptsStarted, calls);
  assert.ok(rt.stats.attemptErrors >= 1);
  assert.ok(logs.some((m) => /attempt failed unexpectedly: checker bug$/.test(m)));
  assert.equal(rt.stats.running, 0);
});

/**
 * The checker scheduler under a virtual clock: exact attempt times, verdicts and log lines for
 * keepalived's check loop (first check at 1 s + warmup, delay_loop, retry × delay_before_retry,
 * alpha, the per-kind differences), liveness of real servers, misc_dynamic weights, ha_suspend and
 * reload migration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import type { VirtualServer } from '../../src/config/model/lvs.js';
import { CheckScheduler, type CheckAction } from '../../src/check/check-scheduler.js';
import { checkSettings, checkTarget } from '../../src/check/check-settings.js';
import type { CheckOutcome } from '../../src/check/checker-types.js';
import { Prng } from '../../src/platform/sim/prng.js';

const S = 1_000_000;
const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });

function vss(body: string, vsExtra = ''): VirtualServer[] {
  const text = `virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  delay_loop 10\n${vsExtra}${body}}\n`;
  const r = loadConfigText(text, { host });
  return r.config.lvs.virtualServers;
}

const ONE_TCP = (checker = '', rs = '') => `  real_server 10.0.0.5 80 {\n${rs}    TCP_CHECK {\n${checker}    }\n  }\n`;

/** Drives a scheduler with scripted outcomes and records what happened when. */
class Harness {
  now = 0;
  readonly attempts: { at: number; id: string }[] = [];
  readonly actions: { at: number; action: CheckAction }[] = [];
  private readonly pending = new Map<string, number>();
  constructor(
    readonly sched: CheckScheduler,
    /** The outcome of each attempt, by checker id and attempt time. */
    private readonly outcome: (id: string, at: number) => CheckOutcome,
    /** How long an attempt takes. */
    private readonly duration = 0,
  ) {}

  private record(actions: CheckAction[]): void {
    for (const a of actions) {
      this.actions.push({ at: this.now, action: a });
      if (a.type === 'run-attempt') {
        this.attempts.push({ at: this.now, id: a.checkerId });
        this.pending.set(a.checkerId, a.attempt);
      }
    }
  }

  start(): this {
    this.record(this.sched.start(this.now));
    return this;
  }

  /** Advance the clock to `until`, running each due attempt and finishing it `duration` later. */
  runUntil(until: number): this {
    for (;;) {
      const next = this.sched.nextDue();
      if (next === undefined || next > until) break;
      this.now = next;
      const due = this.sched.due(this.now);
      this.record(due);
      const started = due.filter((a) => a.type === 'run-attempt');
      const startedAt = this.now;
      this.now += this.duration;
      for (const a of started) {
        if (a.type !== 'run-attempt') continue;
        this.record(this.sched.attemptFinished(a.checkerId, a.attempt, this.outcome(a.checkerId, startedAt), this.now));
      }
    }
    this.now = until;
    return this;
  }

  times(): number[] {
    return this.attempts.map((a) => a.at / S);
  }

  logs(): string[] {
    return this.actions.flatMap((a) => (a.action.type === 'log' ? [a.action.message] : []));
  }

  of(type: CheckAction['type']): { at: number; action: CheckAction }[] {
    return this.actions.filter((a) => a.action.type === type);
  }
}

const noWarmup = () => 0;
const ok: CheckOutcome = { ok: true, reason: '' };
const fail: CheckOutcome = { ok: false, reason: 'refused' };

test('settings: inheritance VS → RS → checker and per-kind defaults', () => {
  const [vs] = vss(
    `  real_server 10.0.0.5 80 {\n    retry 4\n    warmup 2\n    TCP_CHECK {\n      connect_timeout 3\n    }\n    MISC_CHECK {\n      misc_path "/bin/true"\n    }\n    HTTP_GET {\n      url {\n        path /\n      }\n      delay_loop 7\n    }\n    DNS_CHECK {\n    }\n  }\n  real_server 10.0.0.6 80 {\n    MISC_CHECK {\n      misc_path "/bin/true"\n    }\n    HTTP_GET {\n      url {\n        path /\n      }\n    }\n    DNS_CHECK {\n      connect_ip 10.0.0.53\n      connect_port 5353\n      bindto 10.0.0.1\n      bind_port 2000\n    }\n  }\n`,
    '  connect_timeout 4\n  inhibit_on_failure\n',
  );
  const [rs1, rs2] = vs!.realServers;
  const s = (rs: typeof rs1, i: number) => checkSettings(rs!.checkers[i]!, rs!, vs!);
  // RS retry 4 overrides every kind's default; RS warmup 2 s
  assert.deepEqual(s(rs1, 0), { type: 'TCP_CHECK', delayLoop: 10 * S, retry: 4, delayBeforeRetry: 1 * S, warmup: 2 * S, alpha: false, connectTimeout: 3 * S, inhibitOnFailure: true, logAllFailures: false });
  assert.equal(s(rs1, 1).retry, 4);
  assert.equal(s(rs1, 2).delayLoop, 7 * S);
  assert.equal(s(rs1, 2).delayBeforeRetry, 3 * S);
  assert.equal(s(rs1, 2).connectTimeout, 4 * S);
  // kind defaults: MISC retry 0, HTTP retry 1 / 3 s, DNS retry 3 / delay_before_retry = delay_loop; warmup = delay_loop
  assert.deepEqual([s(rs2, 0).retry, s(rs2, 0).delayBeforeRetry, s(rs2, 0).warmup], [0, 1 * S, 10 * S]);
  assert.deepEqual([s(rs2, 1).retry, s(rs2, 1).delayBeforeRetry], [1, 3 * S]);
  assert.deepEqual([s(rs2, 2).retry, s(rs2, 2).delayBeforeRetry], [3, 10 * S]);
  assert.deepEqual(checkTarget(rs2!.checkers[2]!, rs2!, vs!), {
    family: 'inet',
    address: '10.0.0.53',
    port: 5353,
    bindAddress: '10.0.0.1',
    bindPort: 2000,
    connectTimeout: 4 * S,
  });
  assert.deepEqual(checkTarget(rs2!.checkers[0]!, rs2!, vs!), { family: 'inet', address: '10.0.0.6', port: 0, connectTimeout: 4 * S });
});

test('all successes: first check at 1 s, then every delay_loop; the first success is logged once', () => {
  const h = new Harness(new CheckScheduler(vss(ONE_TCP()), { random: noWarmup }), () => ok).start().runUntil(35 * S);
  assert.deepEqual(h.times(), [1, 11, 21, 31]);
  assert.deepEqual(h.logs(), [
    'Activating healthchecker for service [10.0.0.5]:tcp:80 for VS [10.9.9.1]:tcp:80',
    'TCP connection to [10.0.0.5]:tcp:80 success.',
  ]);
  assert.equal(h.of('rs-alive-changed').length, 0);
});

test('warmup: the first check is at 1 s + random(0..warmup), from the injected generator', () => {
  const prng = new Prng(42);
  const draws: number[] = [];
  const random = () => {
    const v = prng.next();
    draws.push(v);
    return v;
  };
  const body = ONE_TCP('      warmup 4\n') + `  real_server 10.0.0.6 80 {\n    TCP_CHECK {\n      warmup 4\n    }\n  }\n`;
  const h = new Harness(new CheckScheduler(vss(body), { random }), () => ok).start().runUntil(5.5 * S);
  assert.equal(draws.length, 2);
  const firsts = h.attempts.map((a) => a.at);
  assert.deepEqual(firsts, draws.map((d) => S + Math.floor(4 * S * d)).sort((a, b) => a - b));
  for (const t of firsts) assert.ok(t >= S && t < 5 * S);
});

test('failure while up, retry 0: DOWN on the first failure, then every delay_loop; recovery logs success', () => {
  let failing = false;
  const h = new Harness(new CheckScheduler(vss(ONE_TCP('      retry 0\n')), { random: noWarmup }), () => (failing ? fail : ok)).start();
  h.runUntil(5 * S);
  failing = true;
  h.runUntil(35 * S);
  failing = false;
  h.runUntil(45 * S);
  assert.deepEqual(h.times(), [1, 11, 21, 31, 41]);
  assert.deepEqual(h.logs().slice(1), [
    'TCP connection to [10.0.0.5]:tcp:80 success.',
    'TCP_CHECK on service [10.0.0.5]:tcp:80 failed.',
    'TCP connection to [10.0.0.5]:tcp:80 success.',
  ]);
  assert.deepEqual(
    h.actions.filter((a) => a.action.type === 'rs-alive-changed').map((a) => [a.at / S, a.action.type === 'rs-alive-changed' && a.action.alive]),
    [
      [11, false],
      [41, true],
    ],
  );
});

test('failure while up, retry 1 and retry 3: retries spaced delay_before_retry, then "failed after N retries"', () => {
  for (const retry of [1, 3]) {
    let failing = false;
    const h = new Harness(
      new CheckScheduler(vss(ONE_TCP(`      retry ${retry}\n      delay_before_retry 2\n`)), { random: noWarmup }),
      () => (failing ? fail : ok),
      0.25 * S,
    ).start();
    h.runUntil(5 * S);
    failing = true;
    h.runUntil(30 * S);
    // attempt at 1 (ok, ends 1.25); 11.25 fails; retries every 2 s after each failure's end
    const expected = [1, 11.25];
    let t = 11.25;
    for (let i = 0; i < retry; i++) expected.push((t = t + 0.25 + 2));
    expected.push(t + 0.25 + 10); // after DOWN: delay_loop
    assert.deepEqual(h.times().slice(0, expected.length), expected, `retry ${retry}`);
    const down = h.of('rs-alive-changed')[0]!;
    assert.equal(down.at, (expected[retry + 1]! + 0.25) * S);
    assert.ok(h.logs().includes(`TCP_CHECK on service [10.0.0.5]:tcp:80 failed after ${retry} retries.`));
  }
});

test('TCP_CHECK keeps retrying while down (tcp_epilog); PING/UDP-style kinds do not', () => {
  const h = new Harness(new CheckScheduler(vss(ONE_TCP('      retry 2\n      alpha\n')), { random: noWarmup }), () => fail).start().runUntil(40 * S);
  // alpha: down from the start; the first failure is final (retry_it starts at retry), then 2 retries 1 s apart each loop
  assert.deepEqual(h.times(), [1, 11, 12, 13, 23, 24, 25, 35, 36, 37]);
  assert.deepEqual(h.logs().slice(1), ['TCP_CHECK on service [10.0.0.5]:tcp:80 failed.']);
  assert.equal(h.of('rs-alive-changed').length, 0); // started dead, stays dead

  const body = `  real_server 10.0.0.5 80 {\n    UDP_CHECK {\n      retry 2\n      alpha\n    }\n  }\n`;
  const u = new Harness(new CheckScheduler(vss(body), { random: noWarmup }), () => fail).start().runUntil(40 * S);
  assert.deepEqual(u.times(), [1, 11, 21, 31]);
  assert.deepEqual(u.logs().slice(1), ['UDP_CHECK on service [10.0.0.5]:tcp:80 failed.']);
});

test('alpha: the real server starts dead and comes alive on the first success', () => {
  const sched = new CheckScheduler(vss(ONE_TCP('', '    alpha\n')), { random: noWarmup });
  assert.equal(sched.realServerViews()[0]!.alive, false);
  const h = new Harness(sched, () => ok).start().runUntil(2 * S);
  assert.deepEqual(
    h.actions.filter((a) => a.action.type !== 'log').map((a) => [a.at / S, a.action.type]),
    [
      [1, 'run-attempt'],
      [1, 'checker-up'],
      [1, 'rs-alive-changed'],
    ],
  );
  assert.equal(sched.realServerViews()[0]!.alive, true);
});

test('a real server is alive iff all its checkers are up', () => {
  const body = `  real_server 10.0.0.5 80 {\n    TCP_CHECK {\n      retry 0\n    }\n    TCP_CHECK {\n      connect_port 81\n      retry 0\n    }\n  }\n`;
  const sched = new CheckScheduler(vss(body), { random: noWarmup });
  let bad = new Set<string>();
  const h = new Harness(sched, (id) => (bad.has(id) ? fail : ok)).start();
  const [a, b] = sched.checkers().map((c) => c.id);
  h.runUntil(5 * S);
  bad = new Set([a!, b!]);
  h.runUntil(15 * S); // both fail at 11: one rs-alive-changed(false)
  bad = new Set([b!]);
  h.runUntil(25 * S); // a recovers at 21, b still down: still dead
  bad = new Set();
  h.runUntil(35 * S); // b recovers at 31: alive
  assert.deepEqual(
    h.actions.filter((x) => x.action.type === 'rs-alive-changed').map((x) => [x.at / S, x.action.type === 'rs-alive-changed' && x.action.alive]),
    [
      [11, false],
      [31, true],
    ],
  );
  assert.deepEqual(
    h.actions.filter((x) => x.action.type === 'checker-up' || x.action.type === 'checker-down').map((x) => [x.at / S, x.action.type]),
    [
      [11, 'checker-down'],
      [11, 'checker-down'],
      [21, 'checker-up'],
      [31, 'checker-up'],
    ],
  );
});

test('log_all_failures: every TCP failure of an up checker is logged, timeouts as such', () => {
  let n = 0;
  const outcomes: CheckOutcome[] = [ok, { ok: false, timedOut: true, reason: 't' }, fail, ok];
  const h = new Harness(new CheckScheduler(vss(ONE_TCP('      retry 1\n      log_all_failures\n')), { random: noWarmup }), () => outcomes[n++] ?? ok).start();
  h.runUntil(30 * S);
  assert.deepEqual(h.logs().slice(1), [
    'TCP connection to [10.0.0.5]:tcp:80 success.',
    'TCP connection to [10.0.0.5]:tcp:80 timeout.',
    'TCP connection to [10.0.0.5]:tcp:80 failed.',
    'TCP_CHECK on service [10.0.0.5]:tcp:80 failed after 1 retries.',
    'TCP connection to [10.0.0.5]:tcp:80 success.',
  ]);
});

test('MISC_CHECK: next run counted from the script start; messages as keepalived; misc_dynamic weights', () => {
  const body = `  real_server 10.0.0.5 80 {\n    weight 5\n    MISC_CHECK {\n      misc_path "/bin/check arg"\n      misc_dynamic\n      retry 1\n      delay_before_retry 2\n    }\n  }\n`;
  const codes = [0, 12, 12, 1, 1, 1, 3];
  let i = 0;
  const h = new Harness(new CheckScheduler(vss(body), { random: noWarmup }), () => {
    const code = codes[i++] ?? 3;
    return { ok: code === 0 || code >= 2, reason: '', exit: { code, timedOut: false } };
  }, 0.5 * S).start();
  h.runUntil(70 * S);
  // from the start: 1, 11, 21, 31 (exit 1 → retry 2 s after the start), 33 (fails → DOWN), 43 (down: no retry), 53 (3 → up)
  assert.deepEqual(h.times().slice(0, 7), [1, 11, 21, 31, 33, 43, 53]);
  const who = 'Misc check for [[10.0.0.5]:tcp:80 VS [10.9.9.1]:tcp:80] by [/bin/check]';
  assert.deepEqual(h.logs().slice(1, 4), [`${who} succeeded.`, `${who} failed after 1 retry (exited with status 1).`, `${who} succeeded.`]);
  assert.deepEqual(
    h.actions
      .filter((a) => a.action.type === 'rs-weight-changed' || a.action.type === 'rs-alive-changed')
      .map((a) => [a.at / S, a.action.type, 'weight' in a.action ? a.action.weight : undefined, 'alive' in a.action ? a.action.alive : undefined]),
    [
      [11.5, 'rs-weight-changed', 10, true], // exit 12 → weight 10
      [33.5, 'rs-weight-changed', 5, true], // failed for good: back to the configured weight
      [33.5, 'rs-alive-changed', 5, false],
      [53.5, 'rs-weight-changed', 1, false], // exit 3 → weight 1
      [53.5, 'rs-alive-changed', 1, true],
    ],
  );
});

test('MISC_CHECK log_all_failures: retries are announced', () => {
  const body = `  real_server 10.0.0.5 80 {\n    MISC_CHECK {\n      misc_path /bin/false\n      retry 2\n      log_all_failures\n    }\n  }\n`;
  let n = 0;
  const h = new Harness(new CheckScheduler(vss(body), { random: noWarmup }), () =>
    n++ === 0 ? { ok: true, reason: '', exit: { code: 0, timedOut: false } } : { ok: false, reason: '', exit: { code: 1, timedOut: false } },
  ).start();
  h.runUntil(14 * S);
  const who = 'Misc check for [[10.0.0.5]:tcp:80 VS [10.9.9.1]:tcp:80] by [/bin/false]';
  assert.deepEqual(h.logs().slice(2), [
    `${who} failed, will do 2 retries (exited with status 1).`,
    `${who} failed on retry 1/2 (exited with status 1).`,
    `${who} failed after 2 retries (exited with status 1).`,
  ]);
});

test('inconclusive attempts change nothing and come back after delay_loop', () => {
  const h = new Harness(new CheckScheduler(vss(ONE_TCP()), { random: noWarmup }), () => ({
    ok: false,
    inconclusive: true,
    reason: 'TCP socket bind failed. Rescheduling.',
  })).start().runUntil(25 * S);
  assert.deepEqual(h.times(), [1, 11, 21]);
  assert.deepEqual(h.logs().slice(1), Array(3).fill('TCP socket bind failed. Rescheduling.'));
  assert.equal(h.of('checker-down').length, 0);
});

test('ha_suspend: a suspended virtual server runs no attempts and resumes on its delay_loop schedule', () => {
  const sched = new CheckScheduler(vss(ONE_TCP(), '  ha_suspend\n'), { random: noWarmup });
  const vsId = '[10.9.9.1]:tcp:80';
  const h = new Harness(sched, () => ok);
  h.actions.push(...sched.start(0, { suspended: new Set([vsId]) }).map((action) => ({ at: 0, action })));
  h.runUntil(25 * S);
  assert.deepEqual(h.times(), []);
  h.actions.push(...sched.setSuspended(vsId, false).map((action) => ({ at: h.now, action })));
  h.runUntil(45 * S);
  assert.deepEqual(h.times(), [31, 41]);
  assert.deepEqual(h.logs(), [
    'Deactivating healthchecker for service [10.0.0.5]:tcp:80 for VS [10.9.9.1]:tcp:80',
    'Activating healthchecker for service [10.0.0.5]:tcp:80 for VS [10.9.9.1]:tcp:80',
    'TCP connection to [10.0.0.5]:tcp:80 success.',
  ]);
});

test('reload: surviving checkers keep their state, new alpha servers start dead, running attempts are aborted', () => {
  const body = ONE_TCP('      retry 0\n') + `  real_server 10.0.0.6 80 {\n    TCP_CHECK {\n      retry 0\n    }\n  }\n`;
  const sched = new CheckScheduler(vss(body), { random: noWarmup });
  const h = new Harness(sched, (id) => (id.startsWith('[10.0.0.5]') ? fail : ok)).start().runUntil(2 * S);
  assert.deepEqual(sched.realServerViews().map((r) => r.alive), [false, true]);
  // an attempt is running when the reload comes
  const started = sched.due(11 * S);
  assert.equal(started.length, 2);
  const reloaded = body.replace('retry 0\n    }\n  }\n  real_server 10.0.0.6', 'retry 3\n    }\n  }\n  real_server 10.0.0.6') + `  real_server 10.0.0.7 80 {\n    alpha\n    TCP_CHECK {\n    }\n  }\n`;
  const actions = sched.reload(vss(reloaded), 11.5 * S);
  assert.deepEqual(
    actions.filter((a) => a.type === 'abort-attempt').map((a) => a.type === 'abort-attempt' && a.checkerId),
    ['[10.0.0.5]:tcp:80 of [10.9.9.1]:tcp:80 #1', '[10.0.0.6]:tcp:80 of [10.9.9.1]:tcp:80 #1'],
  );
  assert.equal(actions.filter((a) => a.type === 'rs-alive-changed').length, 0);
  const views = sched.checkers();
  assert.deepEqual(
    views.map((c) => [c.realServerId, c.isUp, c.hasRun, c.retryIt, c.dueAt! / S]),
    [
      ['[10.0.0.5]:tcp:80 of [10.9.9.1]:tcp:80', false, true, 0, 12.5],
      ['[10.0.0.6]:tcp:80 of [10.9.9.1]:tcp:80', true, true, 0, 12.5],
      ['[10.0.0.7]:tcp:80 of [10.9.9.1]:tcp:80', false, false, 0, 12.5],
    ],
  );
  assert.deepEqual(sched.realServerViews().map((r) => r.alive), [false, true, false]);
  // results of the aborted attempts are ignored
  assert.deepEqual(sched.attemptFinished(views[0]!.id, 2, ok, 12 * S), []);
  // the down checker now has retry 3, but its failure stands: one success brings it back
  const after = sched.due(12.5 * S);
  assert.equal(after.length, 3);
  const up = sched.attemptFinished(views[0]!.id, (after[0] as { attempt: number }).attempt, ok, 12.5 * S);
  assert.deepEqual(up.filter((a) => a.type === 'rs-alive-changed').map((a) => a.type === 'rs-alive-changed' && a.alive), [true]);
});

test('reload: a changed checker (other port) starts afresh; a server that lost its failing checker comes alive', () => {
  const body = ONE_TCP('      retry 0\n');
  const sched = new CheckScheduler(vss(body), { random: noWarmup });
  new Harness(sched, () => fail).start().runUntil(2 * S);
  assert.equal(sched.realServerViews()[0]!.alive, false);
  const actions = sched.reload(vss(ONE_TCP('      retry 0\n      connect_port 8080\n')), 3 * S);
  assert.deepEqual(actions.filter((a) => a.type === 'rs-alive-changed').map((a) => a.type === 'rs-alive-changed' && a.alive), [true]);
  const [c] = sched.checkers();
  assert.deepEqual([c!.isUp, c!.hasRun, c!.target.port], [true, false, 8080]);
});

test('10,000 checkers: every attempt runs exactly on time under the virtual clock', () => {
  const servers = Array.from({ length: 100 }, (_, i) => `  real_server 10.1.${i >> 8}.${(i & 255) + 1} 80 {\n${'    TCP_CHECK {\n      delay_loop 1\n    }\n'.repeat(100)}  }\n`).join('');
  const prng = new Prng(7);
  const sched = new CheckScheduler(vss(servers), { random: () => prng.next() });
  assert.equal(sched.checkers().length, 10_000);
  let late = 0;
  let count = 0;
  const dueAt = new Map<string, number>();
  sched.start(0);
  for (const c of sched.checkers()) dueAt.set(c.id, c.dueAt!);
  for (;;) {
    const next = sched.nextDue();
    if (next === undefined || next > 5 * S) break;
    for (const a of sched.due(next)) {
      if (a.type !== 'run-attempt') continue;
      count++;
      if (a.dueAt !== dueAt.get(a.checkerId) || next !== a.dueAt) late++;
      sched.attemptFinished(a.checkerId, a.attempt, ok, next);
      dueAt.set(a.checkerId, next + S);
    }
  }
  assert.equal(late, 0);
  assert.ok(count >= 30_000, `ran ${count}`);
});

/**
 * FILE_CHECK (check_file.c + track_file.c): a real server's health or weight follows a
 * track_file's value. Exact scheduler actions for the weight-0 (fault) and weighted modes,
 * reverse, the int32 clamp, the start state from the file's value, and a FILE_CHECK beside an
 * ordinary checker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { trackFileStatus } from '../../src/config/model/trackers.js';
import { CheckScheduler, type CheckAction } from '../../src/check/check-scheduler.js';

const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });
const RS = '[10.0.0.5]:tcp:80';
const ID = '[10.0.0.5]:tcp:80 of [10.9.9.1]:tcp:80';
const INT32 = { fault: -2147483648, max: 2147483647 };

function scheduler(fileCheck: string, values: Record<string, number> = {}, trackWeight = '', extraChecker = ''): CheckScheduler {
  const text =
    `track_file F {\n  file /run/kts-test-never-read\n${trackWeight}}\n` +
    `virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n` +
    `  real_server 10.0.0.5 80 {\n    weight 10\n    FILE_CHECK {\n      track_file F\n${fileCheck}    }\n${extraChecker}  }\n}\n`;
  const r = loadConfigText(text, { host });
  assert.deepEqual(r.diagnostics.list.map((d) => d.message), []);
  return new CheckScheduler(r.config.lvs.virtualServers, { random: () => 0, trackFileValues: new Map(Object.entries(values)) });
}

/** The actions, without the bulky real server objects. */
function brief(actions: CheckAction[]): string[] {
  return actions.map((a) => {
    if (a.type === 'log') return `log ${a.level} ${a.message}`;
    if (a.type === 'rs-alive-changed' || a.type === 'rs-weight-changed') return `${a.type} ${a.realServerId} alive=${a.alive} weight=${a.weight}`;
    return a.type;
  });
}

const view = (s: CheckScheduler) => {
  const v = s.realServerViews()[0]!;
  return `alive=${v.alive} weight=${v.weight} failed=${v.failedCheckers}`;
};

test('the status of a value: weight 0 faults on non-zero (on zero with reverse); weights multiply and clamp to int32', () => {
  assert.equal(trackFileStatus(0, 0, false, INT32), 0);
  assert.equal(trackFileStatus(7, 0, false, INT32), INT32.fault);
  assert.equal(trackFileStatus(-1, 0, false, INT32), INT32.fault);
  assert.equal(trackFileStatus(0, 0, true, INT32), INT32.fault);
  assert.equal(trackFileStatus(7, 0, true, INT32), 0);
  assert.equal(trackFileStatus(3, 5, false, INT32), 15);
  assert.equal(trackFileStatus(3, 5, true, INT32), -15);
  assert.equal(trackFileStatus(2147483647, 2, false, INT32), 2147483647);
  assert.equal(trackFileStatus(-2147483648, 1, false, INT32), INT32.fault);
  assert.equal(trackFileStatus(2147483648, 2147483647, true, INT32), INT32.fault);
  // the VRRP range is the one vrrp/priority.ts uses
  assert.equal(trackFileStatus(100, 10, false, { fault: -254, max: 253 }), 253);
});

test('weight 0: a non-zero value takes the real server down, zero brings it back; the detail lines as keepalived words them', () => {
  const s = scheduler('      weight 0\n');
  s.start(0);
  assert.equal(view(s), 'alive=true weight=10 failed=0');
  assert.deepEqual(brief(s.setTrackFile('F', 1)), [`log detail (${RS}): tracked file F now FAULT state`, `rs-alive-changed ${ID} alive=false weight=10`]);
  assert.deepEqual(brief(s.setTrackFile('F', 2)), [], 'still a fault: nothing new');
  assert.deepEqual(brief(s.setTrackFile('F', 0)), [`log detail (${RS}): tracked file F leaving FAULT state`, `rs-alive-changed ${ID} alive=true weight=10`]);
  assert.deepEqual(brief(s.setTrackFile('OTHER', 5)), [], 'another file is none of its business');
});

test('weight 0 reverse: zero is the fault; a file at 0 at start starts the real server down', () => {
  const s = scheduler('      weight 0 reverse\n', { F: 0 });
  assert.equal(view(s), 'alive=false weight=10 failed=1');
  assert.deepEqual(brief(s.setTrackFile('F', 1)), [`log detail (${RS}): tracked file F leaving FAULT state`, `rs-alive-changed ${ID} alive=true weight=10`]);
});

test('weighted: value × weight moves the effective weight; the clamp floor is a fault', () => {
  const s = scheduler('      weight 5\n', { F: 2 });
  assert.equal(view(s), 'alive=true weight=20 failed=0', 'the start value counts (set_track_file_weights)');
  assert.deepEqual(brief(s.setTrackFile('F', -1)), [`rs-weight-changed ${ID} alive=true weight=5`]);
  assert.deepEqual(brief(s.setTrackFile('F', -1000000000)), [`log detail (${RS}): tracked file F now FAULT state`, `rs-alive-changed ${ID} alive=false weight=10`]);
  assert.deepEqual(brief(s.setTrackFile('F', 1)), [`log detail (${RS}): tracked file F leaving FAULT state`, `rs-alive-changed ${ID} alive=true weight=15`]);
});

test("without its own weight a FILE_CHECK takes the track_file's weight and reverse", () => {
  const s = scheduler('', { F: 3 }, '  weight 4 reverse\n');
  assert.equal(view(s), 'alive=true weight=-2 failed=0');
});

test('beside a TCP_CHECK: the real server is alive only while both agree', () => {
  const tcp = '    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n    }\n';
  const s = scheduler('      weight 0\n', {}, '', tcp);
  s.start(0);
  const [attempt] = s.due(1_000_000);
  assert.equal(attempt?.type, 'run-attempt');
  const id = attempt!.type === 'run-attempt' ? attempt!.checkerId : '';
  const down = brief(s.attemptFinished(id, 1, { ok: false, reason: 'connection refused' }, 1_000_100)).filter((l) => !l.startsWith('log'));
  assert.deepEqual(down, ['checker-down', `rs-alive-changed ${ID} alive=false weight=10`]);
  assert.deepEqual(brief(s.setTrackFile('F', 1)), [`log detail (${RS}): tracked file F now FAULT state`]);
  assert.equal(view(s), 'alive=false weight=10 failed=2');
  assert.deepEqual(brief(s.setTrackFile('F', 0)), [`log detail (${RS}): tracked file F leaving FAULT state`]);
  assert.equal(view(s), 'alive=false weight=10 failed=1', 'the TCP_CHECK still holds it down');
});

test('a reload keeps following the values already read', () => {
  const s = scheduler('      weight 0\n');
  s.start(0);
  s.setTrackFile('F', 9);
  const text =
    `track_file F {\n  file /run/kts-test-never-read\n}\n` +
    `virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n` +
    `  real_server 10.0.0.5 80 {\n    weight 10\n    FILE_CHECK {\n      track_file F\n      weight 0\n    }\n  }\n}\n`;
  const actions = s.reload(loadConfigText(text, { host }).config.lvs.virtualServers, 5_000_000);
  assert.deepEqual(brief(actions), [], 'still in fault after the reload: no change to report');
  assert.equal(view(s), 'alive=false weight=10 failed=1');
});

/**
 * vrrp_track_process: keepalived's matching rules, the quorum with its fork/terminate delays
 * (hand-driven timers), the connector's event decoding, and real `sleep` processes seen
 * starting and stopping through both the proc connector and /proc polling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessMonitor, ProcessTracker, processMatches, processTrackerOptions, type ProcessMatchSpec } from '../../../src/platform/linux/track-process.js';
import { ProcessQuorum } from '../../../src/platform/linux/process-quorum.js';
import { parseProcEvent } from '../../../src/platform/linux/proc-connector.js';
import type { ProcessInfo } from '../../../src/platform/linux/process-scan.js';
import type { VrrpTrackProcess } from '../../../src/config/model/vrrp.js';
import { ManualTimers, TempDir, isRoot, waitFor } from './script-test-helpers.js';

function proc(comm: string, argv: string[], extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid: 1, ppid: 0, comm, zombie: false, cmdline: Buffer.from(argv.map((a) => `${a}\0`).join('')), ...extra };
}

test('matching by name, by argv[0], and by parameters (exact, partial, initial)', () => {
  const byName: ProcessMatchSpec = { process: 'nginx', paramMatch: 'none', fullCommand: false };
  assert.equal(processMatches(byName, proc('nginx', ['/usr/sbin/nginx', '-g', 'daemon off;'])), true);
  assert.equal(processMatches(byName, proc('nginx', [], { zombie: true })), false);
  assert.equal(processMatches(byName, proc('nginx2', ['nginx'])), false);

  const byPath: ProcessMatchSpec = { process: '/usr/sbin/nginx', paramMatch: 'none', fullCommand: true };
  assert.equal(processMatches(byPath, proc('nginx', ['/usr/sbin/nginx', '-g', 'x'])), true);
  assert.equal(processMatches(byPath, proc('nginx', ['nginx'])), false);
  assert.equal(processMatches(byPath, proc('nginx', [])), false);

  const exact: ProcessMatchSpec = { process: 'sleep', params: ['10', 'x'], paramMatch: 'exact', fullCommand: true };
  assert.equal(processMatches(exact, proc('sleep', ['sleep', '10', 'x'])), true);
  assert.equal(processMatches(exact, proc('sleep', ['sleep', '10', 'x', 'y'])), false);
  assert.equal(processMatches(exact, proc('sleep', ['sleep', '10'])), false);
  assert.equal(processMatches(exact, proc('sleep', ['sleep', '10', 'xy'])), false);

  const noArgs: ProcessMatchSpec = { process: 'sleep', paramMatch: 'exact', fullCommand: true };
  assert.equal(processMatches(noArgs, proc('sleep', ['sleep'])), true);
  assert.equal(processMatches(noArgs, proc('sleep', ['sleep', '1'])), false);

  const partial: ProcessMatchSpec = { process: 'sleep', params: ['10'], paramMatch: 'partial', fullCommand: true };
  assert.equal(processMatches(partial, proc('sleep', ['sleep', '10', 'more'])), true);
  assert.equal(processMatches(partial, proc('sleep', ['sleep', '100'])), false);

  const initial: ProcessMatchSpec = { process: 'sleep', params: ['a', '10'], paramMatch: 'initial', fullCommand: true };
  assert.equal(processMatches(initial, proc('sleep', ['sleep', 'a', '100', 'z'])), true);
  assert.equal(processMatches(initial, proc('sleep', ['sleep', 'a', '10'])), true);
  assert.equal(processMatches(initial, proc('sleep', ['sleep', 'ab', '10'])), false);
  assert.equal(processMatches(initial, proc('sleep', ['sleep', 'a', '2'])), false);
});

function quorum(timers: ManualTimers, q: number, qmax: number, forkDelayMs = 0, terminateDelayMs = 0, initial: number[] = []) {
  const changes: boolean[] = [];
  const pq = new ProcessQuorum({ quorum: q, quorumMax: qmax, forkDelayMs, terminateDelayMs, timers, onChange: (up) => changes.push(up) }, initial);
  return { pq, changes };
}

test('quorum and quorum_max: up exactly while quorum <= count <= quorum_max', () => {
  const timers = new ManualTimers();
  const { pq, changes } = quorum(timers, 2, 3);
  assert.equal(pq.up, false);
  pq.added(10, 'exec');
  pq.added(10, 'exec'); // the same pid is counted once
  assert.deepEqual(changes, []);
  pq.added(11, 'exec');
  pq.added(12, 'exec');
  assert.deepEqual(changes, [true]);
  pq.added(13, 'exec');
  assert.deepEqual(changes, [true, false]);
  pq.removed(13, 'exit');
  pq.removed(12, 'exit');
  assert.deepEqual(changes, [true, false, true]);
  pq.removed(11, 'exec');
  pq.removed(99, 'exit'); // never counted
  assert.deepEqual(changes, [true, false, true, false]);
  assert.equal(pq.count, 1);

  const zero = quorum(timers, 0, 0);
  assert.equal(zero.pq.up, true);
  zero.pq.added(1, 'exec');
  zero.pq.removed(1, 'exit');
  assert.deepEqual(zero.changes, [false, true]);
});

test('terminate_delay: an exit waits, a restart in time cancels, an exec away does not wait', () => {
  const timers = new ManualTimers();
  const { pq, changes } = quorum(timers, 1, 0xffffffff, 0, 500, [10]);
  assert.equal(pq.up, true);
  pq.removed(10, 'exit');
  assert.deepEqual(changes, []);
  assert.equal(pq.pending, 'terminate');
  timers.advance(300);
  pq.added(11, 'exec'); // restarted in time
  assert.equal(pq.pending, undefined);
  timers.advance(1000);
  assert.deepEqual(changes, []);
  pq.removed(11, 'exit');
  timers.advance(499);
  assert.deepEqual(changes, []);
  timers.advance(1);
  assert.deepEqual(changes, [false]);
  pq.added(12, 'exec');
  assert.deepEqual(changes, [false, true]);
  pq.removed(12, 'exec');
  assert.deepEqual(changes, [false, true, false]);
});

test('fork_delay: a fork into quorum waits, an exit before it expires cancels it, an exec does not wait', () => {
  const timers = new ManualTimers();
  const { pq, changes } = quorum(timers, 2, 0xffffffff, 400, 0, [10]);
  pq.added(11, 'fork');
  assert.equal(pq.pending, 'fork');
  assert.deepEqual(changes, []);
  timers.advance(400);
  assert.deepEqual(changes, [true]);
  pq.removed(11, 'exit');
  assert.deepEqual(changes, [true, false]);
  pq.added(12, 'fork');
  timers.advance(100);
  pq.removed(12, 'exit'); // the child died before counting: the fork timer goes, and the state is settled now
  assert.equal(pq.pending, undefined);
  timers.advance(1000);
  assert.deepEqual(changes, [true, false]);
  pq.added(13, 'exec');
  assert.deepEqual(changes, [true, false, true]);
});

test('resync (polling): net changes only, delays as for single events', () => {
  const timers = new ManualTimers();
  const { pq, changes } = quorum(timers, 1, 1, 300, 300, [10]);
  const gone = () => true;
  pq.resync(new Set([11]), new Set(), gone); // a restart between two polls: still one process
  assert.deepEqual(changes, []);
  pq.resync(new Set([11, 12]), new Set([12]), gone); // a fork above quorum_max: down at once
  assert.deepEqual(changes, [false]);
  pq.resync(new Set([11]), new Set(), gone); // back in range: up (nothing forked)
  assert.deepEqual(changes, [false, true]);
  pq.resync(new Set(), new Set(), gone); // exited: waits terminate_delay
  assert.deepEqual(changes, [false, true]);
  pq.resync(new Set([13]), new Set(), gone); // back before expiry: cancelled
  timers.advance(1000);
  assert.deepEqual(changes, [false, true]);
  pq.resync(new Set(), new Set(), () => false); // still alive as another program: at once
  assert.deepEqual(changes, [false, true, false]);
  pq.stop();
});

test('proc connector events are decoded as the kernel lays them out', () => {
  const msg = (what: number, data: number[], ack = 0) => {
    const b = Buffer.alloc(36 + 16 + 24);
    b.writeUInt32LE(b.length, 0);
    b.writeUInt16LE(3, 4);
    b.writeUInt32LE(1, 16);
    b.writeUInt32LE(1, 20);
    b.writeUInt32LE(ack, 28);
    b.writeUInt32LE(what, 36);
    data.forEach((v, i) => b.writeInt32LE(v, 52 + 4 * i));
    return b;
  };
  assert.deepEqual(parseProcEvent(msg(0, [], 1)), { type: 'ack' });
  assert.deepEqual(parseProcEvent(msg(1, [100, 100, 200, 200])), { type: 'fork', parent: 100, child: 200 });
  assert.equal(parseProcEvent(msg(1, [100, 100, 201, 200])), undefined); // a new thread
  assert.deepEqual(parseProcEvent(msg(2, [300, 300])), { type: 'exec', pid: 300 });
  assert.deepEqual(parseProcEvent(msg(0x80000000, [300, 300, 0, 17])), { type: 'exit', pid: 300 });
  assert.equal(parseProcEvent(msg(0x80000000, [301, 300])), undefined); // a thread exiting
  const comm = msg(0x200, [400, 400]);
  comm.write('renamed\0', 60);
  assert.deepEqual(parseProcEvent(comm), { type: 'comm', pid: 400, comm: 'renamed' });
  assert.equal(parseProcEvent(msg(4, [1, 1])), undefined); // uid change
  assert.equal(parseProcEvent(msg(2, [1, 1], 1)), undefined); // an ack flag on a non-NONE event
  assert.equal(parseProcEvent(Buffer.alloc(20)), undefined);
});

test('options from a config vrrp_track_process', () => {
  const p: VrrpTrackProcess = {
    at: { file: 'k.conf', line: 1 } as VrrpTrackProcess['at'],
    name: 'tp',
    process: 'nginx',
    params: ['-g'],
    paramMatch: 'partial',
    weight: 0,
    reverse: false,
    quorum: 2,
    quorumMax: 4,
    terminateDelay: 1_500_000,
    forkDelay: 250_000,
    fullCommand: true,
  };
  const o = processTrackerOptions(p, { onChange: () => {} });
  assert.deepEqual(
    { process: o.process, params: o.params, paramMatch: o.paramMatch, fullCommand: o.fullCommand, quorum: o.quorum, quorumMax: o.quorumMax, f: o.forkDelayMs, t: o.terminateDelayMs },
    { process: 'nginx', params: ['-g'], paramMatch: 'partial', fullCommand: true, quorum: 2, quorumMax: 4, f: 250, t: 1500 },
  );
});

/* ------------------------------------------------------------------ real processes */

let unique = 0;

async function realScenario(mode: 'connector' | 'poll', t: { skip(reason: string): void }): Promise<void> {
  const dir = new TempDir();
  const monitor = new ProcessMonitor({ mode, pollIntervalMs: 100 });
  const children: ChildProcess[] = [];
  const trackers: ProcessTracker[] = [];
  try {
    monitor.start();
    if (monitor.mode !== mode) {
      t.skip(`process events connector unavailable here (${isRoot() ? 'not in the initial network namespace?' : 'needs root'})`);
      return;
    }
    // full command with a parameter no other process has
    const arg = `3600.${process.pid}${unique++}`;
    const byArgs: boolean[] = [];
    const argTracker = new ProcessTracker(monitor, {
      name: 'by-args',
      process: 'sleep',
      params: [arg],
      paramMatch: 'exact',
      fullCommand: true,
      quorum: 2,
      quorumMax: 0xffffffff,
      forkDelayMs: 0,
      terminateDelayMs: 0,
      onChange: (up) => byArgs.push(up),
    });
    trackers.push(argTracker);
    // name matching: a copy of sleep under a unique name (comm is at most 15 characters)
    const name = `kts${process.pid % 100000}p${unique++}`.slice(0, 15);
    const copy = dir.file(name);
    fs.copyFileSync(fs.realpathSync('/bin/sleep'), copy);
    fs.chmodSync(copy, 0o755);
    const byName: boolean[] = [];
    const nameTracker = new ProcessTracker(monitor, {
      name: 'by-name',
      process: name,
      paramMatch: 'none',
      fullCommand: false,
      quorum: 1,
      quorumMax: 1,
      forkDelayMs: 0,
      terminateDelayMs: 0,
      onChange: (up) => byName.push(up),
    });
    trackers.push(nameTracker);

    const first = spawn('sleep', [arg], { stdio: 'ignore' });
    children.push(first);
    argTracker.start();
    nameTracker.start();
    assert.equal(argTracker.count, 1); // counted by the initial scan
    assert.equal(argTracker.up, false);
    assert.deepEqual(argTracker.trackerInit(), { kind: 'process', name: 'by-args', up: false });
    assert.equal(nameTracker.up, false);

    const second = spawn('sleep', [arg], { stdio: 'ignore' });
    children.push(second);
    await waitFor(() => byArgs.length === 1, 'quorum 2 to be reached');
    assert.deepEqual(byArgs, [true]);
    assert.deepEqual(argTracker.pids().sort(), [first.pid, second.pid].sort());

    first.kill('SIGKILL');
    await waitFor(() => byArgs.length === 2, 'quorum to be lost');
    assert.deepEqual(byArgs, [true, false]);
    assert.deepEqual(argTracker.pids(), [second.pid]);

    const named = spawn(copy, ['60'], { stdio: 'ignore' });
    children.push(named);
    await waitFor(() => byName.length === 1, 'the renamed sleep to be seen');
    const named2 = spawn(copy, ['60'], { stdio: 'ignore' });
    children.push(named2);
    await waitFor(() => byName.length === 2, 'quorum_max 1 to be exceeded');
    named2.kill('SIGKILL');
    await waitFor(() => byName.length === 3, 'back within quorum_max');
    named.kill('SIGKILL');
    await waitFor(() => byName.length === 4, 'the last one to be gone');
    assert.deepEqual(byName, [true, false, true, false]);
    assert.deepEqual(byArgs, [true, false]);
  } finally {
    for (const tr of trackers) tr.stop();
    monitor.stop();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    dir.remove();
  }
}

test('real processes through the proc connector', async (t) => {
  await realScenario('connector', t);
});

test('real processes through /proc polling', async (t) => {
  await realScenario('poll', t);
});

test('a monitor that cannot use the connector falls back to polling in auto mode', async () => {
  const m = new ProcessMonitor({ mode: 'auto', pollIntervalMs: 100 });
  try {
    m.start();
    assert.ok(m.mode === 'connector' || m.mode === 'poll');
  } finally {
    m.stop();
  }
  assert.equal(m.mode, undefined);
});

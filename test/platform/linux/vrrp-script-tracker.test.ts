/**
 * VrrpScriptTracker: with a scripted fake runner and hand-driven timers (scheduling, overlap,
 * insecure scripts), and with real scripts whose exit codes follow a plan file (rise/fall
 * sequence, init_fail, timeout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunScript, ScriptCommand, ScriptResult } from '../../../src/platform/linux/script-runner.js';
import { VrrpScriptTracker, vrrpScriptTrackerOptions } from '../../../src/platform/linux/vrrp-script-tracker.js';
import type { VrrpScript } from '../../../src/config/model/vrrp.js';
import { ManualTimers, TempDir, recordingLog, waitFor } from './script-test-helpers.js';

/** A runner whose scripts finish when the test says so. */
class FakeRunner {
  readonly started: ScriptCommand[] = [];
  private finishers: ((r: ScriptResult) => void)[] = [];
  readonly run: RunScript = (command, onExit) => {
    this.started.push(command);
    let done = false;
    this.finishers.push((r) => {
      done = true;
      onExit(r);
    });
    return {
      pid: 1000 + this.started.length,
      get running() {
        return !done;
      },
      terminating: false,
      kill() {},
    };
  };
  finish(code: number | null, extra: Partial<ScriptResult> = {}): void {
    const f = this.finishers.shift();
    assert.ok(f, 'a script is running');
    f({ code, signal: null, timedOut: false, ...extra });
  }
}

test('first run at start, then one per interval; a tick while the script still runs is skipped and logged', () => {
  const timers = new ManualTimers();
  const runner = new FakeRunner();
  const { log, lines } = recordingLog();
  const changes: boolean[] = [];
  const t = new VrrpScriptTracker({
    name: 'chk',
    argv: ['/bin/check', 'a b'],
    uid: 5,
    gid: 6,
    intervalMs: 1000,
    timeoutMs: 0,
    rise: 1,
    fall: 1,
    onChange: (up) => changes.push(up),
    log,
    run: runner.run,
    timers,
  });
  assert.equal(t.up, undefined);
  assert.equal(t.trackerInit(), undefined);
  t.start();
  assert.equal(runner.started.length, 0);
  timers.advance(0);
  assert.equal(runner.started.length, 1);
  assert.deepEqual(runner.started[0], { argv: ['/bin/check', 'a b'], uid: 5, gid: 6, timeoutMs: 1000, log });
  assert.equal(t.state, 'running');
  timers.advance(1000); // still running: skipped
  assert.equal(runner.started.length, 1);
  assert.equal(t.skipped, 1);
  assert.deepEqual(lines.at(-1), { level: 'info', message: 'Track script chk is already running, expect idle - skipping run' });
  runner.finish(0);
  assert.deepEqual(changes, [true]);
  assert.equal(t.state, 'idle');
  timers.advance(1000);
  assert.equal(runner.started.length, 2);
  runner.finish(1);
  assert.deepEqual(changes, [true, false]);
  t.stop();
  timers.advance(10_000);
  assert.equal(runner.started.length, 2);
  assert.equal(timers.count, 0);
});

test('keepalived wording for results: status changes, successes, failures, timeouts, signals, exec errors', () => {
  const timers = new ManualTimers();
  const runner = new FakeRunner();
  const { log, lines } = recordingLog();
  const t = new VrrpScriptTracker({ name: 'chk', argv: ['/bin/check'], intervalMs: 100, rise: 1, fall: 1, onChange: () => {}, log, run: runner.run, timers });
  t.start();
  const step = (code: number | null, extra: Partial<ScriptResult> = {}) => {
    timers.advance(100);
    runner.finish(code, extra);
  };
  timers.advance(0);
  runner.finish(0);
  step(2);
  step(0);
  step(null, { signal: 'SIGTERM', timedOut: true });
  step(0);
  step(null, { signal: 'SIGSEGV' });
  step(0);
  step(null, { spawnError: 'ENOENT' });
  t.stop();
  assert.deepEqual(
    lines.map((l) => l.message),
    [
      'VRRP_Script(chk) succeeded',
      'Script `chk` now returning 2',
      'VRRP_Script(chk) failed (exited with status 2)',
      'Script `chk` now returning 0',
      'VRRP_Script(chk) succeeded',
      'VRRP_Script(chk) timed_out',
      'VRRP_Script(chk) succeeded',
      'VRRP_Script(chk) failed (due to signal 11)',
      'VRRP_Script(chk) succeeded',
      "Error exec-ing command '/bin/check', error ENOENT",
      'VRRP_Script(chk) failed (cannot execute: ENOENT)',
    ],
  );
});

test('an insecure script is never run', () => {
  const timers = new ManualTimers();
  const runner = new FakeRunner();
  const t = new VrrpScriptTracker({ name: 'chk', argv: ['/bin/x'], intervalMs: 100, rise: 1, fall: 1, insecure: true, onChange: () => {}, run: runner.run, timers });
  t.start();
  timers.advance(1000);
  assert.equal(runner.started.length, 0);
  assert.equal(t.up, undefined);
});

test('options from a validated config vrrp_script', () => {
  const script: VrrpScript = {
    at: { file: 'k.conf', line: 1 } as VrrpScript['at'],
    name: 'chk',
    script: { argv: ['check.sh', 'x'], resolvedPath: '/usr/local/bin/check.sh', uid: 7, gid: 8, at: { file: 'k.conf', line: 2 } as VrrpScript['at'] },
    interval: 2_000_000,
    timeout: 500_000,
    weight: 0,
    reverse: false,
    rise: 2,
    fall: 3,
    initFail: true,
  };
  const o = vrrpScriptTrackerOptions(script, { onChange: () => {} });
  assert.deepEqual(
    { argv: o.argv, uid: o.uid, gid: o.gid, intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, rise: o.rise, fall: o.fall, initFail: o.initFail, insecure: o.insecure },
    { argv: ['/usr/local/bin/check.sh', 'x'], uid: 7, gid: 8, intervalMs: 2000, timeoutMs: 500, rise: 2, fall: 3, initFail: true, insecure: false },
  );
  assert.equal(vrrpScriptTrackerOptions({ ...script, insecure: true }, { onChange: () => {} }).insecure, true);
});

/* ------------------------------------------------------------------ real processes */

/** A check script whose N-th run exits with line N of `plan` (0 when the plan is exhausted). */
function planScript(dir: TempDir, plan: number[]): string {
  dir.script('plan', plan.join('\n') + '\n');
  return dir.script(
    'check.sh',
    `#!/bin/sh
d="$1"
n=$(cat "$d/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > "$d/count"
code=$(sed -n "\${n}p" "$d/plan")
exit \${code:-0}
`,
  );
}

test('real script, rise 2 fall 3: changes exactly at the runs keepalived would report', async () => {
  const dir = new TempDir();
  const changes: [number, boolean][] = [];
  let t: VrrpScriptTracker | undefined;
  try {
    const check = planScript(dir, [1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0]);
    t = new VrrpScriptTracker({
      name: 'chk',
      argv: [check, dir.path],
      intervalMs: 100,
      timeoutMs: 5000,
      rise: 2,
      fall: 3,
      onChange: (up) => changes.push([t!.runs, up]),
    });
    t.start();
    await waitFor(() => changes.length >= 4, 'four reported changes', 20_000);
    assert.deepEqual(changes, [
      [1, false],
      [3, true],
      [7, false],
      [11, true],
    ]);
    assert.equal(t.up, true);
  } finally {
    t?.stop();
    dir.remove();
  }
});

test('real script with init_fail: starts down, early failures are silent', async () => {
  const dir = new TempDir();
  const changes: [number, boolean][] = [];
  let t: VrrpScriptTracker | undefined;
  try {
    const check = planScript(dir, [1, 1, 0, 0]);
    t = new VrrpScriptTracker({
      name: 'chk',
      argv: [check, dir.path],
      intervalMs: 100,
      rise: 2,
      fall: 1,
      initFail: true,
      onChange: (up) => changes.push([t!.runs, up]),
    });
    assert.equal(t.up, false);
    assert.deepEqual(t.trackerInit(), { kind: 'script', name: 'chk', up: false });
    t.start();
    await waitFor(() => changes.length >= 1, 'the script to come up', 20_000);
    assert.deepEqual(changes, [[4, true]]);
  } finally {
    t?.stop();
    dir.remove();
  }
});

test('real script outliving its timeout: timed_out, reported as a failure', async () => {
  const dir = new TempDir();
  const changes: boolean[] = [];
  const { log, lines } = recordingLog();
  let t: VrrpScriptTracker | undefined;
  try {
    const slow = dir.script('slow.sh', '#!/bin/sh\nsleep 60\n');
    t = new VrrpScriptTracker({ name: 'slow', argv: [slow], intervalMs: 5000, timeoutMs: 150, rise: 1, fall: 1, onChange: (up) => changes.push(up), log });
    t.start();
    await waitFor(() => changes.length >= 1, 'the timeout to be reported');
    assert.deepEqual(changes, [false]);
    assert.ok(lines.some((l) => l.message === 'VRRP_Script(slow) timed_out'));
  } finally {
    t?.stop();
    dir.remove();
  }
});

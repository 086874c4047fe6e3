/**
 * runScript and NotifyRunner with real processes: the argv arrives exactly as given (no shell),
 * stdio is /dev/null, uid/gid apply, a timeout takes down the script's whole process group
 * (SIGTERM, then SIGKILL when SIGTERM is ignored), spawn failures are results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { runScript, NotifyRunner, type ScriptResult } from '../../../src/platform/linux/script-runner.js';
import { TempDir, isRoot, processExists, recordingLog, waitFor } from './script-test-helpers.js';

function run(command: Parameters<typeof runScript>[0]): Promise<{ result: ScriptResult; pid: number | undefined }> {
  return new Promise((resolve) => {
    const h = runScript(command, (result) => resolve({ result, pid: h.pid }));
  });
}

test('runScript passes argv exactly, without a shell, with stdio on /dev/null', async () => {
  const dir = new TempDir();
  try {
    const out = dir.file('args.txt');
    const script = dir.script(
      'args.sh',
      `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > '${out}'\nfds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2)\necho "$fds" >> '${out}'\n`,
    );
    const args = ['two words', '$HOME', "it's", '; rm -rf /', '', '"quoted"', '*'];
    const { result } = await run({ argv: [script, ...args] });
    assert.deepEqual(result, { code: 0, signal: null, timedOut: false });
    assert.equal(fs.readFileSync(out, 'utf8'), [String(args.length), ...args, '/dev/null', '/dev/null', '/dev/null', ''].join('\n'));
  } finally {
    dir.remove();
  }
});

test('runScript reports exit codes and signals', async () => {
  const dir = new TempDir();
  try {
    const s = dir.script('exit.sh', '#!/bin/sh\nexit "$1"\n');
    assert.deepEqual((await run({ argv: [s, '3'] })).result, { code: 3, signal: null, timedOut: false });
    const k = dir.script('kill.sh', '#!/bin/sh\nkill -USR1 $$\nsleep 5\n');
    assert.deepEqual((await run({ argv: [k] })).result, { code: null, signal: 'SIGUSR1', timedOut: false });
  } finally {
    dir.remove();
  }
});

test('runScript puts the script in its own process group', async () => {
  const dir = new TempDir();
  try {
    const out = dir.file('pg.txt');
    const s = dir.script('pg.sh', `#!/bin/sh\nps -o pid=,pgid= -p $$ > '${out}'\n`);
    const { result, pid } = await run({ argv: [s] });
    assert.equal(result.code, 0);
    const [p, pg] = fs.readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(p, pid);
    assert.equal(pg, pid);
  } finally {
    dir.remove();
  }
});

test('a spawn failure is a result, not a throw', async () => {
  const dir = new TempDir();
  try {
    const missing = await run({ argv: [dir.file('does-not-exist')] });
    assert.equal(missing.result.spawnError, 'ENOENT');
    assert.equal(missing.result.code, null);
    assert.equal(missing.pid, undefined);
    const notExec = dir.file('plain.txt');
    fs.writeFileSync(notExec, 'echo hi\n', { mode: 0o644 });
    assert.equal((await run({ argv: [notExec] })).result.spawnError, 'EACCES');
    assert.equal((await run({ argv: [] })).result.spawnError, 'EINVAL');
  } finally {
    dir.remove();
  }
});

test('runScript runs the script with the given uid and gid', { skip: isRoot() ? false : 'needs root to change uid/gid' }, async () => {
  const dir = new TempDir();
  try {
    fs.chmodSync(dir.path, 0o777);
    const uid = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).stdout.trim());
    assert.ok(Number.isInteger(uid) && Number.isInteger(gid), 'user nobody exists');
    const out = dir.file('id.txt');
    const s = dir.script('id.sh', `#!/bin/sh\necho "$(id -u) $(id -g) $(id -G)" > '${out}'\n`);
    const { result } = await run({ argv: [s], uid, gid });
    assert.equal(result.code, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), `${uid} ${gid} ${gid}\n`);
  } finally {
    dir.remove();
  }
});

test('a timeout sends SIGTERM to the whole process group: the script and its child are gone', async () => {
  const dir = new TempDir();
  try {
    const childPid = dir.file('child.pid');
    const s = dir.script('forks.sh', `#!/bin/sh\nsleep 60 &\necho $! > '${childPid}'\nwait\n`);
    const { result, pid } = await run({ argv: [s], timeoutMs: 300 });
    assert.deepEqual(result, { code: null, signal: 'SIGTERM', timedOut: true });
    const child = Number(fs.readFileSync(childPid, 'utf8'));
    await waitFor(() => !processExists(child), 'the forked sleep to be gone');
    assert.equal(processExists(pid!), false);
  } finally {
    dir.remove();
  }
});

test('a script ignoring SIGTERM is killed with SIGKILL after the grace period, children included', async () => {
  const dir = new TempDir();
  try {
    const childPid = dir.file('child.pid');
    const s = dir.script('stubborn.sh', `#!/bin/sh\ntrap '' TERM\nsleep 60 &\necho $! > '${childPid}'\nwait\nwait\nsleep 60\n`);
    const { log, lines } = recordingLog();
    const { result } = await run({ argv: [s], timeoutMs: 200, killGraceMs: 300, log });
    assert.deepEqual(result, { code: null, signal: 'SIGKILL', timedOut: true });
    const child = Number(fs.readFileSync(childPid, 'utf8'));
    await waitFor(() => !processExists(child), 'the forked sleep to be gone');
    assert.deepEqual(lines, []);
  } finally {
    dir.remove();
  }
});

test('a script that exits on its own after the timeout reports its status', async () => {
  const dir = new TempDir();
  try {
    const s = dir.script('trap.sh', `#!/bin/sh\ntrap 'exit 7' TERM\nsleep 60 &\nwait\n`);
    const { result } = await run({ argv: [s], timeoutMs: 200, killGraceMs: 5000 });
    assert.deepEqual(result, { code: 7, signal: null, timedOut: true });
  } finally {
    dir.remove();
  }
});

test('NotifyRunner starts every action in arrival order, counts outcomes and logs failures', async () => {
  const dir = new TempDir();
  try {
    const out = dir.file('order.txt');
    const ok = dir.script('ok.sh', `#!/bin/sh\necho "$@" >> '${out}'\n`);
    const bad = dir.script('bad.sh', '#!/bin/sh\nexit 4\n');
    const slow = dir.script('slow.sh', '#!/bin/sh\nsleep 60\n');
    const { log, lines } = recordingLog();
    const credentials: string[] = [];
    const runner = new NotifyRunner({
      log,
      killGraceMs: 200,
      credentials: (a) => {
        credentials.push(a.kind);
        return undefined;
      },
    });
    runner.runAction({ owner: 'VI_1', kind: 'notify_master', argv: [ok, 'first'] });
    runner.runAction({ owner: 'VI_1', kind: 'notify', argv: [bad] });
    runner.runAction({ owner: 'VI_1', kind: 'notify_stop', argv: [slow], timeout: 300_000 });
    runner.runAction({ owner: 'VI_1', kind: 'notify_backup', argv: [dir.file('missing')] });
    assert.deepEqual(credentials, ['notify_master', 'notify', 'notify_stop', 'notify_backup']);
    await waitFor(() => runner.running === 0 && runner.stats.timedOut + runner.stats.failed + runner.stats.succeeded + runner.stats.spawnErrors === 4, 'all notify scripts to finish');
    assert.deepEqual(runner.stats, { started: 4, succeeded: 1, failed: 1, timedOut: 1, spawnErrors: 1 });
    assert.equal(fs.readFileSync(out, 'utf8'), 'first\n');
    const messages = lines.map((l) => l.message).sort();
    assert.deepEqual(messages, [
      `Error exec-ing command '${dir.file('missing')}' (notify_backup for VI_1), error ENOENT`,
      `Notify script notify for VI_1 '${bad}' failed (exited with status 4)`,
      `Notify script notify_stop for VI_1 '${slow}' timed out`,
    ]);
  } finally {
    dir.remove();
  }
});

test('NotifyRunner.stopAll terminates running scripts', async () => {
  const dir = new TempDir();
  try {
    const slow = dir.script('slow.sh', '#!/bin/sh\nsleep 60\n');
    const runner = new NotifyRunner();
    runner.runAction({ kind: 'notify', argv: [slow] });
    runner.runAction({ kind: 'notify', argv: [slow] });
    assert.equal(runner.running, 2);
    await runner.stopAll(500);
    assert.equal(runner.running, 0);
    assert.equal(runner.stats.failed, 2);
  } finally {
    dir.remove();
  }
});

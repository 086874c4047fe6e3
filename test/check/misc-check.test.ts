/**
 * MISC_CHECK attempts with real scripts: exit codes (0 up, 1 down, 2..255 down unless
 * misc_dynamic, then up with weight code − 2), the argv passed exactly (no shell), the timeout
 * (SIGTERM then SIGKILL of the process group) and a program that cannot be executed (keepalived
 * counts that as success and logs "Error exec-ing command").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MiscChecker, RealServer, VirtualServer } from '../../src/config/model/lvs.js';
import { miscCheckAttempt } from '../../src/check/misc-check.js';
import type { CheckOutcome } from '../../src/check/checker-types.js';

const at = { file: 'test', line: 1 } as unknown as MiscChecker['at'];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-misc-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

function run(argv: string[], opts: { dynamic?: boolean; timeoutUs?: number } = {}): Promise<CheckOutcome> {
  const checker = {
    type: 'MISC_CHECK',
    at,
    script: { argv, at },
    dynamic: opts.dynamic ?? false,
    ...(opts.timeoutUs !== undefined ? { timeout: opts.timeoutUs } : {}),
    logAllFailures: false,
    defaultRetry: 0,
    defaultDelayBeforeRetry: 1_000_000,
  } as MiscChecker;
  const attempt = miscCheckAttempt(
    {
      checker,
      realServer: {} as RealServer,
      virtualServer: { delayLoop: 10_000_000 } as VirtualServer,
      target: { family: 'inet', address: '10.0.0.5', port: 0, connectTimeout: 5_000_000 },
    },
    { killGraceMs: 200 },
  );
  return attempt.run(new AbortController().signal);
}

test('exit codes: 0 up, 1 down, 7 down without misc_dynamic, 7 up with weight 5 with it', async () => {
  const exit = (n: number) => script(`exit${n}`, `exit ${n}`);
  const r0 = await run([exit(0)]);
  assert.deepEqual([r0.ok, r0.exit], [true, { code: 0, timedOut: false }]);
  const r1 = await run([exit(1)]);
  assert.deepEqual([r1.ok, r1.exit], [false, { code: 1, timedOut: false }]);
  const r7 = await run([exit(7)]);
  assert.deepEqual([r7.ok, r7.weight, r7.exit?.code], [false, undefined, 7]);
  const d7 = await run([exit(7)], { dynamic: true });
  assert.deepEqual([d7.ok, d7.weight, d7.exit?.code], [true, 5, 7]);
  const d1 = await run([exit(1)], { dynamic: true });
  assert.deepEqual([d1.ok, d1.weight], [false, undefined]);
  const d2 = await run([exit(2)], { dynamic: true });
  assert.deepEqual([d2.ok, d2.weight], [true, 0]);
});

test('argv is passed exactly, never through a shell', async () => {
  const out = path.join(dir, 'args.txt');
  const p = script('args', `for a in "$@"; do printf '%s|' "$a" >> ${out}; done; exit 0`);
  const r = await run([p, 'two words', '$HOME', '*', ';exit 1']);
  assert.equal(r.ok, true);
  assert.equal(fs.readFileSync(out, 'utf8'), 'two words|$HOME|*|;exit 1|');
});

test('misc_timeout: the script and its children are killed; the attempt is a timed-out failure', async () => {
  const pidFile = path.join(dir, 'child.pid');
  const p = script('slow', `sleep 30 & echo $! > ${pidFile}; wait`);
  const r = await run([p], { timeoutUs: 300_000 });
  assert.deepEqual([r.ok, r.timedOut, r.exit?.timedOut, r.exit?.code], [false, true, true, undefined]);
  const child = Number(fs.readFileSync(pidFile, 'utf8'));
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    try {
      process.kill(child, 0);
      await new Promise((res) => setTimeout(res, 20));
    } catch {
      alive = false;
    }
  }
  assert.equal(alive, false, 'the script\'s child was killed with its group');
});

test('a program that cannot be executed counts as success (keepalived: script errors are not server errors)', async () => {
  const r = await run([path.join(dir, 'missing')]);
  assert.equal(r.ok, true);
  assert.equal(r.notes?.length, 1);
  assert.match(r.notes![0]!, /^Error exec-ing command '.*missing', error ENOENT/);
});

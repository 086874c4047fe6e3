import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, runDoctor } from '../../src/cli/doctor.js';
import { runRealServer } from '../../src/cli/realserver.js';
import type { Output } from '../../src/cli/output.js';

function capture(): Output & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

test('options: --opt VALUE, --opt=VALUE, short ones, unknown ones and operands', () => {
  const r = parseOptions(['-f', 'a.conf', '--vip=1.2.3.4', 'x', '--bogus', '--mode'], { '-f': 'file', '--vip': 'vip', '--mode': 'mode' }, {});
  assert.deepEqual([...r.values], [['file', 'a.conf'], ['vip', '1.2.3.4']]);
  assert.deepEqual(r.operands, ['x']);
  assert.deepEqual(r.errors, ['unknown option --bogus', 'option --mode needs a value']);
});

test('doctor refuses bad arguments before touching the host', () => {
  const a = capture();
  assert.equal(runDoctor(['--vip', '10.0.0.1'], a), 2);
  assert.match(a.stderr, /^keepalived-ts doctor: --vip is for --realserver\n/);
  const b = capture();
  assert.equal(runDoctor(['--realserver', '--vip', '10.0.0.1', '--mode', 'nat'], b), 2);
  assert.equal(b.stderr, 'keepalived-ts doctor: --mode nat: only dr (direct routing) real servers are checked\n');
  const c = capture();
  assert.equal(runDoctor(['--realserver', '--vip', 'x.y'], c), 2);
  assert.equal(c.stderr, "keepalived-ts doctor: --vip: 'x.y' is not an IPv4 or IPv6 address (a host prefix /32 or /128 may follow)\n");
  const h = capture();
  assert.equal(runDoctor(['--help'], h), 0);
  assert.match(h.stdout, /^Usage: keepalived-ts doctor \[-f FILE\]/);
});

test('realserver needs an action and --vip; only dr', () => {
  const a = capture();
  assert.equal(runRealServer(['--vip', '10.0.0.1'], a), 1);
  assert.match(a.stderr, /^keepalived-ts realserver: setup or teardown\?\n/);
  const b = capture();
  assert.equal(runRealServer(['setup', '--mode', 'tun'], b), 1);
  assert.match(b.stderr, /^keepalived-ts realserver: --mode tun: only dr \(direct routing\) is supported\nkeepalived-ts realserver: --vip VIP\[,VIP\.\.\.\] is required\n/);
});

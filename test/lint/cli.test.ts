/**
 * `keepalived-ts lint` as a command: exit codes (0 clean, 1 warnings only, 2 errors, 4 cannot
 * run), the text and JSON forms, FILE@ID and --config-id, usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCli } from '../cli/run.js';

const fx = (f: string) => path.join('test/fixtures/lint', f);

test('clean pair: no output, exit 0', () => {
  const r = runCli(['lint', fx('clean/a.conf'), fx('clean/b.conf')]);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('warnings only: one line per finding, FILE:LINE: severity [rule] message, exit 1', () => {
  const r = runCli(['lint', fx('clean/a.conf'), fx('equal-priority/b.conf')]);
  assert.equal(
    r.stdout,
    'test/fixtures/lint/equal-priority/b.conf:17: warning [equal-priority] priority 150 equals that of VI_WEB in test/fixtures/lint/clean/a.conf: ' +
      'when both run, the higher IP address decides who is MASTER, not the configuration\n',
  );
  assert.equal(r.status, 1);
});

test('any error: exit 2; --json prints exactly { findings: [ { rule, severity, file, line, message } ] }', () => {
  const r = runCli(['lint', '--json', fx('clean/a.conf'), fx('vrid-mismatch/b.conf')]);
  assert.equal(r.status, 2);
  const out = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(out), ['findings']);
  assert.deepEqual(out.findings, [
    {
      rule: 'vrid-mismatch',
      severity: 'error',
      file: 'test/fixtures/lint/vrid-mismatch/b.conf',
      line: 16,
      message:
        'virtual_router_id 52 differs from 51 of VI_WEB in test/fixtures/lint/clean/a.conf: the directors never hear each other, so both become MASTER: split brain',
    },
  ]);
});

test('--json on a clean pair: an empty list', () => {
  const r = runCli(['lint', fx('clean/a.conf'), fx('clean/b.conf'), '--json']);
  assert.deepEqual(JSON.parse(r.stdout), { findings: [] });
  assert.equal(r.status, 0);
});

test('FILE@ID and --config-id select each director\'s @ID lines of one shared file', () => {
  const shared = fx('shared/keepalived.conf');
  assert.deepEqual([runCli(['lint', `${shared}@lb_a`, `${shared}@lb_b`]).status, runCli(['lint', `${shared}@lb_a`, `${shared}@lb_b`]).stdout], [0, '']);
  const r = runCli(['lint', '--config-id', 'lb_a', shared, '-i', 'lb_b', shared]);
  assert.deepEqual([r.status, r.stdout], [0, '']);
  // the same id twice: two identical directors, named by FILE@ID in the message
  const same = runCli(['lint', `${shared}@lb_b`, `${shared}@lb_b`]);
  assert.equal(same.status, 1);
  assert.match(same.stdout, /^test\/fixtures\/lint\/shared\/keepalived\.conf:20: warning \[equal-priority\] priority 100 equals that of VI_WEB in test\/fixtures\/lint\/shared\/keepalived\.conf@lb_b: /);
});

test('usage errors and unreadable files: a clear message on stderr, exit 4, nothing on stdout', () => {
  const none = runCli(['lint']);
  assert.equal(none.status, 4);
  assert.match(none.stderr, /^keepalived-ts lint: give the config file of every director\nUsage: keepalived-ts lint/);
  const missing = runCli(['lint', fx('clean/a.conf'), fx('no-such.conf')]);
  assert.equal(missing.status, 4);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /^keepalived-ts lint: cannot read 'test\/fixtures\/lint\/no-such\.conf': ENOENT/);
  const dir = runCli(['lint', fx('clean/a.conf'), fx('clean')]);
  assert.equal(dir.status, 4);
  assert.match(dir.stderr, /cannot read 'test\/fixtures\/lint\/clean': is a directory/);
  const bad = runCli(['lint', '--frobnicate', fx('clean/a.conf')]);
  assert.equal(bad.status, 4);
  assert.match(bad.stderr, /^keepalived-ts lint: unknown option '--frobnicate'/);
  const dangling = runCli(['lint', fx('clean/a.conf'), '--config-id', 'x']);
  assert.equal(dangling.status, 4);
  assert.match(dangling.stderr, /--config-id x is not followed by a file/);
});

test('--help prints the usage on stdout, exit 0', () => {
  const r = runCli(['lint', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: keepalived-ts lint NODE1\.conf NODE2\.conf \[\.\.\.\] \[--json\]/);
});

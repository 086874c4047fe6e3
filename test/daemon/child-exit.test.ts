/** The supervisor's line for a dead child, in keepalived 2.2.7's report_child_status() words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childDeathLine } from '../../src/daemon/child-exit.js';

test("a child's death as keepalived words it", () => {
  assert.equal(childDeathLine('Keepalived_vrrp', null, 'SIGKILL'), 'Keepalived_vrrp exited due to signal 9 (Killed) - has rlimit_rttime been exceeded?');
  assert.equal(childDeathLine('Keepalived_healthcheckers', null, 'SIGTERM'), 'Keepalived_healthcheckers exited due to signal 15 (Terminated)');
  assert.equal(childDeathLine('Keepalived_vrrp', null, 'SIGABRT'), 'Keepalived_vrrp exited due to signal 6 (Aborted)');
  assert.equal(childDeathLine('Keepalived_vrrp', null, 'SIGSEGV'), 'Keepalived_vrrp exited due to segmentation fault (SIGSEGV).');
  assert.equal(childDeathLine('Keepalived_vrrp', 3, null), 'Keepalived_vrrp exited with status 3');
  assert.equal(childDeathLine('Keepalived_vrrp', 0, null), undefined, 'a clean exit says nothing');
});

/**
 * Script keywords (lib/notify.c notify_script_init) and the script security check
 * (check_script_secure + SECURITY VIOLATION), observed with keepalived 2.2.7 -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { staticHostFacts, type FileFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const FILE = '/etc/keepalived/keepalived.conf';
const at = (line: number, msg: string) => `(${FILE}: Line ${line}) ${msg}`;
const dir = (mode = 0o755, uid = 0): FileFacts => ({ exists: true, isFile: false, isDirectory: true, mode, uid, gid: 0 });
const file = (mode = 0o755, uid = 0, gid = 0): FileFacts => ({ exists: true, isFile: true, isDirectory: false, mode, uid, gid });
const baseFiles: Record<string, FileFacts> = {
  '/': dir(),
  '/bin': dir(),
  '/bin/true': file(),
  '/bin/echo': file(),
  '/tmp': dir(0o1777),
  '/tmp/ins.sh': file(0o777),
};
function load(text: string, extra: { users?: { name: string; uid: number; gid: number }[]; files?: Record<string, FileFacts> } = {}) {
  const host = staticHostFacts({
    users: extra.users ?? [
      { name: 'root', uid: 0, gid: 0 },
      { name: 'nobody', uid: 65534, gid: 65534 },
    ],
    groups: [
      { name: 'root', gid: 0 },
      { name: 'nogroup', gid: 65534 },
    ],
    files: { ...baseFiles, ...(extra.files ?? {}) },
  });
  const r = loadConfigText(text, { host });
  return { ...r, lines: r.diagnostics.list.map(formatDiagnostic), exit: r.diagnostics.exitCode() };
}

test('argv: the command word is re-split with quotes and escapes; user and group follow', () => {
  const { config } = load(`global_defs {\n  enable_script_security\n  startup_script "/bin/echo 'a b'\\tc \\x41\\101" nobody nogroup\n}\n`);
  const s = config.global.startupScript!;
  // two passes, as keepalived: the line split turns \t into a real tab inside the quoted word,
  // and the split of that word into argv then treats the tab as a separator
  assert.deepEqual(s.argv, ['/bin/echo', 'a b', 'c', 'AA']);
  assert.equal(s.user, 'nobody');
  assert.equal(s.group, 'nogroup');
  assert.deepEqual([s.uid, s.gid], [65534, 65534]);
});

test('unmatched quote in the command', () => {
  const { lines, config } = load(`global_defs {\n  shutdown_script "/bin/echo 'x" root\n}\n`);
  assert.deepEqual(lines, [at(2, "String '/bin/echo 'x': missing terminating '"), at(2, 'Invalid shutdown script')]);
  assert.equal(config.global.shutdownScript, undefined);
});

test('unknown user or group drops the script (keepalived only logs it)', () => {
  const { lines } = load('global_defs {\n  enable_script_security\n  startup_script /bin/true nosuch\n  shutdown_script /bin/true root nosuchgroup\n}\n');
  assert.deepEqual(lines, [at(3, 'Invalid startup script'), at(4, 'Invalid shutdown script')]);
});

test('numeric users are not accepted (getpwnam)', () => {
  const { lines } = load('global_defs {\n  script_user 0\n}\n');
  assert.deepEqual(lines, [at(2, 'Error setting global script uid/gid')]);
});

test('default script user: keepalived_script if it exists, else root; with security a missing one is an error', () => {
  let r = load('global_defs {\n  startup_script /bin/true\n}\n', {
    users: [
      { name: 'root', uid: 0, gid: 0 },
      { name: 'keepalived_script', uid: 990, gid: 990 },
    ],
  });
  assert.equal(r.config.global.startupScript!.user, 'keepalived_script');
  r = load('global_defs {\n  startup_script /bin/true\n}\n');
  assert.equal(r.config.global.startupScript!.user, 'root');
  assert.equal(r.config.global.startupScript!.uid, 0);
  r = load('global_defs {\n  enable_script_security\n  startup_script /bin/true\n  shutdown_script /bin/true root\n}\n');
  assert.deepEqual(r.lines, [at(3, 'Unable to set default user keepalived_script for script'), at(3, 'Invalid startup script')]);
  assert.equal(r.exit, 5);
  r = load('global_defs {\n  script_user nobody\n  enable_script_security\n  startup_script /bin/true\n}\n');
  assert.equal(r.config.global.startupScript!.user, 'nobody');
});

test('SECURITY VIOLATION for start/shutdown scripts without enable_script_security (exit 6)', () => {
  let r = load('global_defs {\n  startup_script "/bin/echo a\\tb"\n}\n');
  assert.deepEqual(r.lines, ['SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled.']);
  assert.equal(r.exit, 6);
  r = load('global_defs {\n  shutdown_script /tmp/ins.sh\n}\n');
  assert.deepEqual(r.lines, ['SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled. There are insecure scripts.']);
  assert.equal(r.exit, 6);
  assert.equal(r.config.global.shutdownScript!.insecure, false, 'without script security an insecure script still runs');
});

test('with enable_script_security an insecure script is disabled, no violation', () => {
  const r = load('global_defs {\n  enable_script_security\n  shutdown_script /tmp/ins.sh root\n}\n');
  assert.deepEqual(r.lines, []);
  assert.equal(r.exit, 0);
  assert.equal(r.config.global.shutdownScript!.insecure, true);
});

test('a missing script is not a script: no violation', () => {
  const r = load('global_defs {\n  startup_script /usr/local/bin/nothere\n}\n');
  assert.deepEqual(r.lines, []);
  assert.equal(r.config.global.startupScript!.insecure, true);
});

/**
 * Bad input gets a clear diagnostic naming the file and line, and never an exception.
 * Where keepalived 2.2.7 has a message for the case, it is keepalived's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFileSystem, type ConfigFileSystem } from '../../src/config/config-fs.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { loadConfig } from '../../src/config/load.js';

const host = staticHostFacts({ interfaces: [ethernetInterface('eth0', 2, ['10.0.0.1'])] });

function check(files: Record<string, string | Buffer>, fs?: ConfigFileSystem) {
  const r = loadConfig('/k.conf', { host, configId: 'lb1', fs: fs ?? memoryFileSystem(files, '/') });
  return { lines: r.diagnostics.list.map(formatDiagnostic), exit: r.diagnostics.exitCode(), found: r.found };
}

test('a missing main file', () => {
  const r = check({});
  assert.equal(r.found, false);
  assert.deepEqual(r.lines, ["Config files missing '/k.conf'."]);
  assert.equal(r.exit, 4);
});

test('an unreadable include names the file and the reason', () => {
  const base = memoryFileSystem({ '/k.conf': 'include /secret.conf\nglobal_defs {\n router_id x\n}\n', '/secret.conf': 'x\n' }, '/');
  const fs: ConfigFileSystem = {
    ...base,
    readFile: (f) => {
      if (f === '/secret.conf') throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      return base.readFile(f);
    },
  };
  const plain = check({}, fs);
  assert.deepEqual(plain.lines, ["(/k.conf: Line 1) Configuration file '/secret.conf' open problem (Permission denied) - skipping"]);
  assert.equal(plain.exit, 0, 'plain include: keepalived reports it and goes on');
  const checkedFs: ConfigFileSystem = { ...fs, readFile: (f) => (f === '/k.conf' ? Buffer.from('includer /secret.conf\n') : fs.readFile(f)) };
  const checked = check({}, checkedFs);
  assert.equal(checked.exit, 6, 'includer: keepalived stops (KEEPALIVED_EXIT_NO_CONFIG)');
});

test('a glob matching nothing: silent for include (an empty conf.d is normal), reported for includew', () => {
  assert.deepEqual(check({ '/k.conf': 'include /etc/ka/conf.d/*.conf\n', '/etc/ka/conf.d/README': 'x' }).lines, []);
  const w = check({ '/k.conf': 'includew /etc/ka/conf.d/*.conf\n', '/etc/ka/conf.d/README': 'x' });
  assert.deepEqual(w.lines, ["(/k.conf: Line 1) No config files matched '/etc/ka/conf.d/*.conf'."]);
  assert.equal(w.exit, 6);
  const dir = check({ '/k.conf': 'include /nowhere/*.conf\n' });
  assert.deepEqual(dir.lines, ["(/k.conf: Line 1) Config files missing '/nowhere/*.conf'."]);
});

test('an included directory or executable file is skipped with a reason', () => {
  const r = check({ '/k.conf': 'include /etc/ka/*\n', '/etc/ka/sub/x.conf': 'y\n' });
  assert.deepEqual(r.lines, ["(/k.conf: Line 1) Configuration file '/etc/ka/sub/' is a directory - skipping"]);
});

test('binary garbage: diagnostics, not a crash', () => {
  const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x0a, 0xff, 0xfe, 0x7b, 0x0a, 0x22, 0x0a, 0xc3, 0x28, 0x0a]);
  const r = check({ '/k.conf': garbage });
  assert.ok(r.lines.length > 0);
  assert.ok(r.lines.some((l) => l.includes('NUL byte')));
  assert.ok(r.lines.every((l) => l.startsWith('(/k.conf: Line ') || /missing '}'/.test(l)), r.lines.join('\n'));
  assert.equal(r.exit, 5);
});

test('a 100 MB line is reported and ignored', () => {
  const huge = 'router_id ' + 'x'.repeat(100 * 1024 * 1024);
  const r = check({ '/k.conf': `global_defs {\n${huge}\n}\n` });
  assert.deepEqual(r.lines, [`(/k.conf: Line 2) Line too long (${huge.length} bytes, at most 1023) - ignoring`]);
  assert.equal(r.exit, 5);
});

test('an unmatched quote and unbalanced braces', () => {
  const q = check({ '/k.conf': 'global_defs {\n router_id "abc\n}\n' });
  assert.deepEqual(q.lines, [
    `(/k.conf: Line 2) Unterminated quote 'router_id "abc'`,
    `(/k.conf: Line 2) Unmatched quote: 'router_id "abc'`,
    '(/k.conf: Line 2) routerid name missing - ignoring',
  ]);
  assert.equal(q.exit, 5);
  assert.deepEqual(check({ '/k.conf': 'global_defs {\n router_id x\n' }).lines, ["There are 1 missing '}'s or extra '{'s"]);
  assert.deepEqual(check({ '/k.conf': 'global_defs {\n router_id x\n}\n}\n' }).lines, [
    "(/k.conf: Line 4) Extra '}' found",
    "(/k.conf: Line 4) Unknown keyword '}'",
  ]);
});

test('a keyword missing its parameter stops the read as keepalived does (exit 2)', () => {
  const r = check({ '/k.conf': 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n priority\n}\n' });
  assert.equal(r.exit, 2);
  assert.deepEqual(r.lines, [
    '(/k.conf: Line 4) *** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2',
  ]);
});

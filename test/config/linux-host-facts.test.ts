/**
 * linuxHostFacts() on the running host, and inside a network namespace built for the test
 * (root only) so that the interface facts are known exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { linuxHostFacts } from '../../src/config/linux-host-facts.js';
import { REPO_ROOT, TestNamespace, namespaceSkipReason } from '../integration/netns.js';

test('users and groups from /etc/passwd and /etc/group, by name or number', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-facts-'));
  try {
    fs.writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n# comment\nkeepalived_script:x:998:997::/:/usr/sbin/nologin\nbroken\n');
    fs.writeFileSync(path.join(dir, 'group'), 'root:x:0:\nkeepalived_script:x:997:\n');
    const h = linuxHostFacts({ passwdFile: path.join(dir, 'passwd'), groupFile: path.join(dir, 'group') });
    assert.deepEqual(h.user('keepalived_script'), { name: 'keepalived_script', uid: 998, gid: 997 });
    assert.deepEqual(h.user('998'), { name: 'keepalived_script', uid: 998, gid: 997 });
    assert.deepEqual(h.user('0'), { name: 'root', uid: 0, gid: 0 });
    assert.equal(h.user('nobody_here'), undefined);
    assert.equal(h.user('broken'), undefined);
    assert.deepEqual(h.group('997'), { name: 'keepalived_script', gid: 997 });
    assert.deepEqual(h.group('root'), { name: 'root', gid: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('stat follows symlinks; which searches PATH like execvp; env; hasIpvs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-facts-'));
  try {
    const script = path.join(dir, 'chk.sh');
    fs.writeFileSync(script, '#!/bin/sh\n');
    fs.chmodSync(script, 0o750);
    fs.symlinkSync(script, path.join(dir, 'link.sh'));
    fs.writeFileSync(path.join(dir, 'noexec.sh'), '');
    const h = linuxHostFacts({ env: { PATH: `/nonexistent:${dir}`, FOO: 'bar' } });
    const s = h.stat(path.join(dir, 'link.sh'))!;
    assert.equal(s.isFile, true);
    assert.equal(s.mode & 0o777, 0o750);
    assert.equal(h.stat(dir)!.isDirectory, true);
    assert.equal(h.stat(path.join(dir, 'nope')), undefined);
    assert.equal(h.which('chk.sh'), script);
    assert.equal(h.which('noexec.sh'), undefined);
    assert.equal(h.which('/abs/x'), '/abs/x');
    assert.equal(h.env('FOO'), 'bar');
    assert.equal(h.env('NOPE'), undefined);
    assert.equal(h.hasIpvs, fs.existsSync('/proc/net/ip_vs'));
    assert.equal(h.hostname, os.hostname());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const skip = namespaceSkipReason();

test('interfaces inside a test namespace: index, up, loopback, multicast, mtu, addresses', { skip: skip ?? false }, () => {
  const ns = TestNamespace.create();
  try {
    ns.addVeth('eth0');
    ns.ip(['link', 'set', 'eth0', 'mtu', '1400']);
    ns.ip(['addr', 'add', '192.0.2.1/24', 'dev', 'eth0']);
    ns.ip(['addr', 'add', '192.0.2.7/24', 'dev', 'eth0']);
    ns.ip(['addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
    ns.addVeth('eth1', { up: false });
    ns.ip(['link', 'set', 'eth1', 'multicast', 'off']);
    const module = new URL('dist/src/config/linux-host-facts.js', `file://${REPO_ROOT}/`).href;
    const code = `import { linuxHostFacts } from ${JSON.stringify(module)}; console.log(JSON.stringify(linuxHostFacts().interfaces()));`;
    const r = ns.exec(process.execPath, ['--input-type=module', '-e', code]);
    assert.equal(r.status, 0, r.stderr);
    const ifs = JSON.parse(r.stdout) as { name: string; index: number }[];
    const indexOf = (name: string) => Number(ns.exec('cat', [`/sys/class/net/${name}/ifindex`]).stdout.trim());
    assert.deepEqual(ifs.map((i) => i.name).sort(), ['eth0', 'eth1', 'lo']);
    assert.deepEqual(ifs.find((i) => i.name === 'lo'), { name: 'lo', index: 1, up: true, loopback: true, multicast: false, mtu: 65536, ipv4: ['127.0.0.1'], ipv6: ['::1'] });
    const eth0 = ifs.find((i) => i.name === 'eth0') as unknown as { ipv6: string[] };
    assert.deepEqual({ ...eth0, ipv6: eth0.ipv6.filter((a) => !a.startsWith('fe80')) }, {
      name: 'eth0', index: indexOf('eth0'), up: true, loopback: false, multicast: true, mtu: 1400,
      ipv4: ['192.0.2.1', '192.0.2.7'], ipv6: ['2001:db8::1'],
    });
    assert.deepEqual(ifs.find((i) => i.name === 'eth1'), { name: 'eth1', index: indexOf('eth1'), up: false, loopback: false, multicast: false, mtu: 1500, ipv4: [], ipv6: [] });
  } finally {
    ns.destroy();
  }
});

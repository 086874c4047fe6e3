/**
 * `doctor` and `realserver` on real network namespaces (/proc/sys/net and the links are per
 * namespace): a director set up right and wrong, a real server set up wrong, then fixed by
 * `realserver setup`, left alone by a second setup, and restored by `teardown`. Each check
 * compares what the commands report with what they changed in the namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, namespaceSkipReason, TestNamespace } from './netns.js';
import type { Finding } from '../../src/host-check/finding.js';

const skip = namespaceSkipReason() ?? (fs.existsSync('/usr/sbin/nft') || fs.existsSync('/sbin/nft') ? undefined : "needs the 'nft' command (package nftables)");

/** The clock note depends on the machine the tests run on, not on the namespace. */
const HOST_DEPENDENT = new Set(['clock-unsynchronized']);

function run(ns: TestNamespace, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = ns.exec(process.execPath, [CLI, ...args]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function doctor(ns: TestNamespace, args: readonly string[]): { status: number | null; findings: string[]; raw: Finding[] } {
  const r = run(ns, ['doctor', ...args, '--json']);
  let parsed: { findings: Finding[] };
  try {
    parsed = JSON.parse(r.stdout) as { findings: Finding[] };
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
  }
  const raw = parsed.findings.filter((f) => !HOST_DEPENDENT.has(f.id));
  return { status: r.status, findings: raw.map((f) => `${f.severity} ${f.id} ${f.subject} | ${f.fix.join(' ; ')}`), raw };
}

function setSysctl(ns: TestNamespace, procPath: string, value: string): void {
  const r = ns.exec('sh', ['-c', `echo ${value} > /proc/sys/${procPath}`]);
  assert.equal(r.status, 0, r.stderr);
}

function sysctl(ns: TestNamespace, procPath: string): string {
  return ns.exec('cat', [`/proc/sys/${procPath}`]).stdout.trim();
}

function loAddresses(ns: TestNamespace): string[] {
  const r = ns.exec('ip', ['-j', 'addr', 'show', 'dev', 'lo']);
  const [lo] = JSON.parse(r.stdout) as { addr_info: { local: string; prefixlen: number }[] }[];
  return lo!.addr_info.map((a) => `${a.local}/${a.prefixlen}`).filter((a) => !a.startsWith('127.') && a !== '::1/128');
}

const DIRECTOR_CONF = `
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.77.0.100
  }
}
virtual_server 10.77.0.100 80 {
  delay_loop 6
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.77.0.11 80 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
`;

test('doctor on a director namespace set up right, then wrong', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-doctor-'));
  const ns = TestNamespace.create();
  try {
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(conf, DIRECTOR_CONF);
    // both ends inside the namespace, so eth0 has a carrier
    ns.ip(['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0peer']);
    ns.ip(['link', 'set', 'eth0peer', 'up']);
    ns.ip(['link', 'set', 'eth0', 'up']);
    ns.ip(['addr', 'add', '10.77.0.1/24', 'dev', 'eth0']);
    for (const conf of ['all', 'default', 'eth0']) setSysctl(ns, `net/ipv4/conf/${conf}/send_redirects`, '0');

    const right = doctor(ns, ['-f', conf]);
    assert.deepEqual(right.findings, ['info no-ipvs /proc/net/ip_vs | ']);
    assert.equal(right.status, 0);

    // wrong: redirects back on, an nft rule dropping VRRP, the interface down
    for (const c of ['all', 'eth0']) setSysctl(ns, `net/ipv4/conf/${c}/send_redirects`, '1');
    const nft = ns.exec('nft', ['-f', '-'], { input: 'table inet guard {\n chain in {\n  type filter hook input priority 0; policy accept;\n  ip protocol vrrp drop\n }\n}\n' });
    assert.equal(nft.status, 0, nft.stderr);
    ns.ip(['link', 'set', 'eth0', 'down']);

    const wrong = doctor(ns, ['-f', conf]);
    assert.deepEqual(wrong.findings, [
      'error interface-down eth0 | ip link set dev eth0 up',
      'error firewall-drops-vrrp nftables inet guard in | nft insert rule inet guard in iifname eth0 meta l4proto vrrp accept',
      'warning send-redirects net.ipv4.conf.all.send_redirects | sysctl -w net.ipv4.conf.all.send_redirects=0',
      'warning send-redirects net.ipv4.conf.eth0.send_redirects | sysctl -w net.ipv4.conf.eth0.send_redirects=0',
      'info no-ipvs /proc/net/ip_vs | ',
    ]);
    assert.equal(wrong.status, 2);

    // the fix commands, run as printed, make the host right again
    for (const f of wrong.raw) for (const command of f.fix) {
      const [program, ...args] = command.split(' ');
      const r = ns.exec(program!, args);
      assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    }
    const fixed = doctor(ns, ['-f', conf]);
    assert.deepEqual(fixed.findings, ['info no-ipvs /proc/net/ip_vs | ']);
    assert.equal(fixed.status, 0);

    const text = run(ns, ['doctor', '-f', path.join(dir, 'missing.conf')]);
    assert.equal(text.status, 2);
    assert.match(text.stdout, /^ERROR config-missing \(.*missing\.conf\): cannot read the configuration/);
  } finally {
    ns.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a real server namespace: doctor reports, setup fixes, a second setup changes nothing, teardown restores', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-realserver-'));
  const ns = TestNamespace.create();
  const state = path.join(dir, 'state.json');
  const ARP = ['all', 'default', 'lo'].flatMap((c) => [`net/ipv4/conf/${c}/arp_ignore`, `net/ipv4/conf/${c}/arp_announce`]);
  try {
    // a value other than the kernel default, which teardown must bring back
    setSysctl(ns, 'net/ipv4/conf/default/arp_announce', '1');
    const before = doctor(ns, ['--realserver', '--vip', '10.78.0.100']);
    assert.deepEqual(before.findings, [
      'error rs-vip-missing 10.78.0.100 | ip addr add 10.78.0.100/32 dev lo',
      'error rs-arp-ignore net.ipv4.conf.all.arp_ignore | sysctl -w net.ipv4.conf.all.arp_ignore=1',
      'error rs-arp-announce net.ipv4.conf.all.arp_announce | sysctl -w net.ipv4.conf.all.arp_announce=2',
      'warning rs-arp-ignore net.ipv4.conf.default.arp_ignore | sysctl -w net.ipv4.conf.default.arp_ignore=1',
      'warning rs-arp-announce net.ipv4.conf.default.arp_announce | sysctl -w net.ipv4.conf.default.arp_announce=2',
      'warning rs-arp-ignore net.ipv4.conf.lo.arp_ignore | sysctl -w net.ipv4.conf.lo.arp_ignore=1',
      'warning rs-arp-announce net.ipv4.conf.lo.arp_announce | sysctl -w net.ipv4.conf.lo.arp_announce=2',
    ]);
    assert.equal(before.status, 2);

    const setup = run(ns, ['realserver', 'setup', '--vip', '10.78.0.100,2001:db8:78::100', '--state-file', state]);
    assert.equal(setup.status, 0, setup.stderr);
    assert.equal(
      setup.stdout,
      [
        'added 10.78.0.100/32 on lo',
        'added 2001:db8:78::100/128 on lo',
        'set net.ipv4.conf.all.arp_ignore 0 -> 1',
        'set net.ipv4.conf.all.arp_announce 0 -> 2',
        'set net.ipv4.conf.default.arp_ignore 0 -> 1',
        'set net.ipv4.conf.default.arp_announce 1 -> 2',
        'set net.ipv4.conf.lo.arp_ignore 0 -> 1',
        'set net.ipv4.conf.lo.arp_announce 0 -> 2',
        '',
      ].join('\n'),
    );
    assert.deepEqual(loAddresses(ns), ['10.78.0.100/32', '2001:db8:78::100/128']);
    assert.deepEqual(ARP.map((p) => sysctl(ns, p)), ['1', '2', '1', '2', '1', '2']);
    const after = doctor(ns, ['--realserver', '--vip', '10.78.0.100,2001:db8:78::100']);
    assert.deepEqual(after.findings, []);
    assert.equal(after.status, 0);

    const stateText = fs.readFileSync(state, 'utf8');
    const again = run(ns, ['realserver', 'setup', '--vip', '10.78.0.100,2001:db8:78::100', '--state-file', state]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, 'nothing to change: 10.78.0.100, 2001:db8:78::100 already set up\n');
    assert.equal(fs.readFileSync(state, 'utf8'), stateText);

    const teardown = run(ns, ['realserver', 'teardown', '--vip', '10.78.0.100,2001:db8:78::100', '--state-file', state]);
    assert.equal(teardown.status, 0, teardown.stderr);
    assert.equal(
      teardown.stdout,
      [
        'removed 10.78.0.100/32 from lo',
        'removed 2001:db8:78::100/128 from lo',
        'set net.ipv4.conf.all.arp_ignore 1 -> 0',
        'set net.ipv4.conf.all.arp_announce 2 -> 0',
        'set net.ipv4.conf.default.arp_ignore 1 -> 0',
        'set net.ipv4.conf.default.arp_announce 2 -> 1',
        'set net.ipv4.conf.lo.arp_ignore 1 -> 0',
        'set net.ipv4.conf.lo.arp_announce 2 -> 0',
        '',
      ].join('\n'),
    );
    assert.deepEqual(loAddresses(ns), []);
    assert.deepEqual(ARP.map((p) => sysctl(ns, p)), ['0', '0', '0', '1', '0', '0']);
    assert.equal(fs.existsSync(state), false);
    const twice = run(ns, ['realserver', 'teardown', '--vip', '10.78.0.100', '--state-file', state]);
    assert.deepEqual([twice.status, twice.stdout], [0, 'nothing to change\n']);

    // a VIP held on a network interface (a director's) is refused and nothing changes
    ns.ip(['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0peer']);
    ns.ip(['addr', 'add', '10.78.0.200/24', 'dev', 'eth0']);
    const refused = run(ns, ['realserver', 'setup', '--vip', '10.78.0.200', '--state-file', state]);
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, 'keepalived-ts realserver: refusing: VIP 10.78.0.200 is on eth0; remove it there first (is this host a director?)\n');
    assert.deepEqual(ARP.map((p) => sysctl(ns, p)), ['0', '0', '0', '1', '0', '0']);
    assert.equal(fs.existsSync(state), false);
  } finally {
    ns.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressFact } from '../../src/host-check/director-facts.js';
import {
  checkRealServer,
  describeStep,
  parseVipList,
  planSetup,
  planTeardown,
  stateAfterSetup,
  type RealServerFacts,
} from '../../src/host-check/realserver-rules.js';

const ARP_PATHS = ['all', 'default', 'lo'].flatMap((c) => [`net/ipv4/conf/${c}/arp_ignore`, `net/ipv4/conf/${c}/arp_announce`]);

function facts(values: Record<string, string>, addresses: AddressFact[] = []): RealServerFacts {
  const sysctls = new Map<string, string>();
  for (const p of ARP_PATHS) sysctls.set(p, values[p] ?? '0');
  return { sysctls, addresses: [{ ifname: 'lo', family: 'inet', address: '127.0.0.1', prefixLen: 8 }, ...addresses] };
}
const RIGHT = Object.fromEntries(ARP_PATHS.map((p) => [p, p.endsWith('arp_ignore') ? '1' : '2']));
const vipOnLo = (address: string, prefixLen = 32): AddressFact => ({ ifname: 'lo', family: address.includes(':') ? 'inet6' : 'inet', address, prefixLen });
const brief = (fs: ReturnType<typeof checkRealServer>) => fs.map((f) => `${f.severity} ${f.id} ${f.subject} | ${f.fix.join(' ; ')}`);

test('--vip lists: canonical, deduplicated, host prefixes allowed, bad ones reported', () => {
  assert.deepEqual(parseVipList('10.0.0.100, 2001:DB8::0:10/128,10.0.0.100/32'), {
    vips: [
      { family: 'inet', address: '10.0.0.100' },
      { family: 'inet6', address: '2001:db8::10' },
    ],
    errors: [],
  });
  assert.deepEqual(parseVipList('10.0.0.1/24,nope').errors, [
    "'10.0.0.1/24' is not an IPv4 or IPv6 address (a host prefix /32 or /128 may follow)",
    "'nope' is not an IPv4 or IPv6 address (a host prefix /32 or /128 may follow)",
  ]);
  assert.deepEqual(parseVipList('').errors, ['no VIP given']);
});

test('a real server set up right has no findings; IPv6 VIPs need no ARP settings', () => {
  const { vips } = parseVipList('10.0.0.100,2001:db8::10');
  assert.deepEqual(checkRealServer(vips, facts(RIGHT, [vipOnLo('10.0.0.100'), vipOnLo('2001:db8::10', 128)])), []);
  assert.deepEqual(checkRealServer(parseVipList('2001:db8::10').vips, facts({}, [vipOnLo('2001:db8::10', 128)])), []);
  // arp_ignore 2 is stricter than 1 and accepted
  assert.deepEqual(checkRealServer(parseVipList('10.0.0.100').vips, facts({ ...RIGHT, 'net/ipv4/conf/all/arp_ignore': '2' }, [vipOnLo('10.0.0.100')])), []);
});

test('a real server set up wrong: every finding with its fix', () => {
  const { vips } = parseVipList('10.0.0.100,10.0.0.101,10.0.0.102');
  const wrong = facts({ ...RIGHT, 'net/ipv4/conf/all/arp_ignore': '0', 'net/ipv4/conf/lo/arp_announce': '1' }, [
    vipOnLo('10.0.0.101', 24),
    { ifname: 'eth0', family: 'inet', address: '10.0.0.102', prefixLen: 24 },
  ]);
  assert.deepEqual(brief(checkRealServer(vips, wrong)), [
    'error rs-vip-missing 10.0.0.100 | ip addr add 10.0.0.100/32 dev lo',
    'error rs-vip-prefix 10.0.0.101 | ip addr del 10.0.0.101/24 dev lo ; ip addr add 10.0.0.101/32 dev lo',
    'error rs-vip-on-interface 10.0.0.102 | ip addr del 10.0.0.102/24 dev eth0',
    'error rs-vip-missing 10.0.0.102 | ip addr add 10.0.0.102/32 dev lo',
    'error rs-arp-ignore net.ipv4.conf.all.arp_ignore | sysctl -w net.ipv4.conf.all.arp_ignore=1',
    'warning rs-arp-announce net.ipv4.conf.lo.arp_announce | sysctl -w net.ipv4.conf.lo.arp_announce=2',
  ]);
});

test('setup plans only what differs, refuses a VIP held on a network interface, records the values before', () => {
  const { vips } = parseVipList('10.0.0.100,10.0.0.101');
  const before = facts({ 'net/ipv4/conf/all/arp_ignore': '1' }, [vipOnLo('10.0.0.101', 24)]);
  const plan = planSetup(vips, before);
  assert.deepEqual(plan.refused, []);
  assert.deepEqual(plan.steps.map(describeStep), [
    'added 10.0.0.100/32 on lo',
    'removed 10.0.0.101/24 from lo',
    'added 10.0.0.101/32 on lo',
    'set net.ipv4.conf.all.arp_announce 0 -> 2',
    'set net.ipv4.conf.default.arp_ignore 0 -> 1',
    'set net.ipv4.conf.default.arp_announce 0 -> 2',
    'set net.ipv4.conf.lo.arp_ignore 0 -> 1',
    'set net.ipv4.conf.lo.arp_announce 0 -> 2',
  ]);
  const state = stateAfterSetup(undefined, vips, before);
  assert.deepEqual(state, {
    version: 1,
    sysctls: Object.fromEntries(ARP_PATHS.map((p) => [p, p === 'net/ipv4/conf/all/arp_ignore' ? '1' : '0'])),
    vips: ['10.0.0.100', '10.0.0.101'],
  });
  // done: nothing left to do, and a second setup keeps the first record
  const after = facts(RIGHT, [vipOnLo('10.0.0.100'), vipOnLo('10.0.0.101')]);
  assert.deepEqual(planSetup(vips, after).steps, []);
  assert.deepEqual(stateAfterSetup(state, vips, after), state);
  assert.deepEqual(planSetup(parseVipList('10.0.0.5').vips, facts(RIGHT, [{ ifname: 'eth0', family: 'inet', address: '10.0.0.5', prefixLen: 24 }])).refused, [
    'VIP 10.0.0.5 is on eth0; remove it there first (is this host a director?)',
  ]);
});

test('teardown removes the VIPs and restores the recorded values once no VIP is left', () => {
  const { vips } = parseVipList('10.0.0.100,10.0.0.101');
  const recorded = stateAfterSetup(undefined, vips, facts({ 'net/ipv4/conf/all/arp_ignore': '1' }));
  const now = facts(RIGHT, [vipOnLo('10.0.0.100'), vipOnLo('10.0.0.101')]);
  const first = planTeardown(parseVipList('10.0.0.100').vips, now, recorded);
  assert.deepEqual(first.steps.map(describeStep), ['removed 10.0.0.100/32 from lo']);
  assert.deepEqual(first.state, { ...recorded, vips: ['10.0.0.101'] });
  assert.equal(first.sysctlsKept, true);
  const last = planTeardown(parseVipList('10.0.0.101').vips, facts(RIGHT, [vipOnLo('10.0.0.101')]), first.state);
  assert.deepEqual(last.steps.map(describeStep), [
    'removed 10.0.0.101/32 from lo',
    'set net.ipv4.conf.all.arp_announce 2 -> 0',
    'set net.ipv4.conf.default.arp_ignore 1 -> 0',
    'set net.ipv4.conf.default.arp_announce 2 -> 0',
    'set net.ipv4.conf.lo.arp_ignore 1 -> 0',
    'set net.ipv4.conf.lo.arp_announce 2 -> 0',
  ]);
  assert.equal(last.state, undefined);
  // no record but VIPs to remove: kernel defaults; no record and nothing set up: nothing at all
  assert.equal(planTeardown(vips, now, undefined).steps.length, 2 + 6);
  assert.deepEqual(planTeardown(vips, facts({}), undefined).steps, []);
  assert.deepEqual(planTeardown(vips, facts(RIGHT), undefined).steps, []);
  // IPv6 VIPs without a record leave the ARP settings alone
  assert.deepEqual(planTeardown(parseVipList('2001:db8::10').vips, facts(RIGHT, [vipOnLo('2001:db8::10', 128)]), undefined).steps.map(describeStep), ['removed 2001:db8::10/128 from lo']);
});

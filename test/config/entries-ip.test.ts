/**
 * Address / route / rule entry parsers (vrrp_ipaddress.c, vrrp_iproute.c, vrrp_iprule.c) and the
 * address helpers, driven directly through a fake EntryContext. Messages are keepalived 2.2.7's
 * (the ones also checked end-to-end against `keepalived -t` in vrrp-keywords.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EntryContext } from '../../src/config/entries/context.js';
import { parseIpAddressEntry } from '../../src/config/entries/ip-address.js';
import { parseIpRouteEntry } from '../../src/config/entries/ip-route.js';
import { parseIpRuleEntry } from '../../src/config/entries/ip-rule.js';
import { formatIPv6, inetPton, parseIPv4, parseIPv6, parseIpAddress, parseSockaddr, getTimeRtt, findRtnType } from '../../src/config/entries/inet.js';

function fake(interfaces = ['eth0', 'eth1']) {
  const messages: string[] = [];
  let prio = 16384;
  const ctx: EntryContext = {
    report: (_l, m) => void messages.push(m),
    position: { file: 'f', line: 1 },
    interfaceUsable: (n) => interfaces.includes(n),
    interfaceExists: (n) => interfaces.includes(n),
    defaultInterface: () => (interfaces.includes('eth0') ? 'eth0' : undefined),
    trackGroupExists: (n) => n === 'TG',
    nextRulePriority: () => prio--,
  };
  return { ctx, messages };
}
const w = (s: string) => s.split(/\s+/).filter(Boolean);

test('inet_pton as glibc: IPv4 strict dotted quad, IPv6 canonical text', () => {
  assert.deepEqual(parseIPv4('10.0.0.1'), [10, 0, 0, 1]);
  for (const bad of ['10.0.0', '10.0.0.01', '256.0.0.1', '1.2.3.4.5', '10.0.0.', ' 10.0.0.1']) assert.equal(parseIPv4(bad), undefined, bad);
  assert.equal(inetPton('inet6', 'FE80:0:0:0:0:0:0:1'), 'fe80::1');
  assert.equal(inetPton('inet6', '2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(inetPton('inet6', '::ffff:10.0.0.1'), '::ffff:10.0.0.1');
  assert.equal(inetPton('inet6', '1::2::3'), undefined);
  assert.equal(inetPton('inet6', 'fe80::1%eth0'), undefined);
});

test('IPv6 formatting round-trips', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
      assert.deepEqual(parseIPv6(formatIPv6(groups)), groups);
    }),
  );
});

test('parse_ipaddress: prefix errors fall back to the full length; bad address is dropped', () => {
  const { ctx, messages } = fake();
  assert.deepEqual(parseIpAddress(ctx, '10.0.0.2/33', true), { family: 'inet', address: '10.0.0.2', prefixLen: 32 });
  assert.equal(parseIpAddress(ctx, '192.168.100./24', true), undefined);
  assert.deepEqual(messages, [
    "number '33' outside range [0, 32]",
    'Invalid address prefix len 33 for address 10.0.0.2/33 - using 32',
    'VRRP parsed invalid IP 192.168.100./24. skipping IP...',
  ]);
  assert.deepEqual(parseSockaddr('10.0.0.1-20'), { family: 'inet', address: '10.0.0.1' });
});

test('address entry: options, broadcast computation, static default interface', () => {
  const { ctx, messages } = fake();
  const a = parseIpAddressEntry(ctx, w('10.1.2.3/22 brd + dev eth1 scope host label eth1:a home -nodad no_track preferred_lft forever'), false)!;
  assert.deepEqual(
    [a.address, a.prefixLen, a.broadcast, a.dev, a.scope, a.label, a.home, a.nodad, a.noTrack, a.preferredLft],
    ['10.1.2.3', 22, '10.1.3.255', 'eth1', 254, 'eth1:a', true, true, true, 0xffffffff],
  );
  assert.equal(parseIpAddressEntry(ctx, w('10.1.2.3/22 brd -'), false)!.broadcast, '10.1.0.0');
  assert.equal(parseIpAddressEntry(ctx, w('10.1.2.3 use_vmac'), false)!.useVmac, true);
  assert.equal(parseIpAddressEntry(ctx, w('10.1.2.3 track_group TG'), true)!.dev, 'eth0');
  assert.deepEqual(messages, []);
  assert.equal(parseIpAddressEntry(ctx, w('10.1.2.3 dev eth9'), false), undefined);
  assert.equal(parseIpAddressEntry(ctx, w('fe80::1 brd +'), false), undefined);
  assert.equal(parseIpAddressEntry(ctx, w('10.1.2.3 use_vmac'), true)!.useVmac, false);
  assert.deepEqual(messages, [
    "WARNING - interface eth9 for ip address 10.1.2.3 doesn't exist",
    'VRRP is trying to assign a broadcast brd to the IPv6 address fe80::1 !!?? WTF... skipping VIP...',
    "Unknown configuration entry 'use_vmac' for ip address - ignoring",
  ]);
  const none = fake([]);
  assert.equal(parseIpAddressEntry(none.ctx, w('10.1.2.3'), true), undefined);
  assert.deepEqual(none.messages, ['Static address 10.1.2.3 requires either an interface or default interface must exist']);
});

test('a second peer is not stepped over: keepalived then reads it as an option', () => {
  const { ctx, messages } = fake();
  const a = parseIpAddressEntry(ctx, w('10.0.0.1 peer 10.0.0.2 peer 10.0.0.3'), false)!;
  assert.equal(a.peer, '10.0.0.2');
  assert.deepEqual(messages, ['Peer 10.0.0.3 - another peer has already been specified', "Unknown configuration entry '10.0.0.3' for ip address - ignoring"]);
});

test('route entry: defaults and tracking', () => {
  const { ctx, messages } = fake();
  const r = parseIpRouteEntry(ctx, w('192.168.112.0/24 via 192.168.100.254'), false)!;
  assert.deepEqual([r.family, r.dst.address, r.dst.prefixLen, r.via?.address, r.table, r.type, r.protocol, r.noTrack, r.mode], [
    'inet', '192.168.112.0', 24, '192.168.100.254', 254, 1, 18, true, 'prepend',
  ]);
  assert.deepEqual(messages, ['Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking']);
  const d = parseIpRouteEntry(ctx, w('default via 10.0.0.1 dev eth0 table 100 metric 5 append'), false)!;
  assert.deepEqual([d.dst.family, d.dst.address, d.table, d.metric, d.mode, d.noTrack], ['inet', undefined, 100, 5, 'append', false]);
  const b = parseIpRouteEntry(ctx, w('blackhole 10.9.0.0/16 dev eth0'), false)!;
  assert.equal(b.type, 6);
  assert.equal(findRtnType('10.9.0.0/16'), undefined);
});

test('route entry: gw / or are deprecated; or makes two nexthops', () => {
  const { ctx, messages } = fake();
  const r = parseIpRouteEntry(ctx, w('10.1.0.0/16 gw 10.0.0.1 or 10.0.0.2 dev eth0'), false)!;
  assert.deepEqual(r.nexthops.map((h) => h.via?.address), ['10.0.0.1', '10.0.0.2']);
  assert.equal(r.via, undefined);
  assert.deepEqual(messages, ['"gw" for routes is deprecated. Please use "via"', '"or" for routes is deprecated. Please use "nexthop"']);
});

test('rtt values: units and kernel limits', () => {
  const { ctx } = fake();
  assert.equal(getTimeRtt(ctx, '300', 8), 1600); // a bare number is in kernel units (1/8 ms), raised to the 200 ms minimum
  assert.equal(getTimeRtt(ctx, '2000', 8), 2000);
  assert.equal(getTimeRtt(ctx, '1s', 8), 8000);
  assert.equal(getTimeRtt(ctx, '250ms', 1), 250);
  assert.equal(getTimeRtt(ctx, '1e3', 1), undefined);
  assert.equal(getTimeRtt(ctx, '5 minutes', 1), undefined);
});

test('rule entry: automatic preferences count down per family', () => {
  const { ctx, messages } = fake();
  const a = parseIpRuleEntry(ctx, w('from 192.168.100.0/24 table 1'), false)!;
  assert.equal(parseIpRuleEntry(ctx, w('to 192.168.100./24 table 1'), false), undefined);
  const b = parseIpRuleEntry(ctx, w('from 10.0.0.0/8 lookup main'), false)!;
  assert.deepEqual([a.priority, a.action, a.table, a.from?.address, b.priority], [16384, 'table', 1, '192.168.100.0', 16383]);
  assert.deepEqual(messages, [
    'Rule has no preference specified - setting to 16384. This is probably not what you want.',
    'VRRP parsed invalid IP 192.168.100./24. skipping IP...',
    'Invalid rule to address 192.168.100./24',
    'Rule has no preference specified - setting to 16383. This is probably not what you want.',
  ]);
});

test('rule entry: actions and their constraints', () => {
  const { ctx, messages } = fake();
  assert.equal(parseIpRuleEntry(ctx, w('from 10.0.0.1 priority 5'), false), undefined);
  assert.equal(parseIpRuleEntry(ctx, w('from 10.0.0.1 priority 50 goto 5'), false), undefined);
  assert.equal(parseIpRuleEntry(ctx, w('from 10.0.0.1 goto 5'), false), undefined);
  const g = parseIpRuleEntry(ctx, w('from 10.0.0.1 priority 4 goto 5'), false)!;
  assert.deepEqual([g.action, g.gotoTarget], ['goto', 5]);
  const p = parseIpRuleEntry(ctx, w('from 10.0.0.1 priority 0x10 type prohibit'), false)!;
  assert.deepEqual([p.action, p.priority], ['prohibit', 16]);
  assert.deepEqual(messages, [
    'No action specified for rule - ignoring',
    'Invalid rule - preference 50 >= goto target 5',
    'Invalid rule - goto target 5 specified without preference',
  ]);
});

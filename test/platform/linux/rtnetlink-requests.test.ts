/**
 * keepalived entries as rtnetlink requests. The expected bytes were captured from iproute2 6.1
 * with `strace -e sendmsg -xx ip …` for the equivalent command (sequence number replaced);
 * where keepalived's semantics differ from `ip` (IPv6 NODAD by default, protocol keepalived,
 * prepend without NLM_F_EXCL) the entry opts out so the command is the same. Route attributes
 * come in keepalived's order, so routes compare header bytes plus the attribute set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAttrs, decodeMessages } from '../../../src/platform/linux/netlink-codec.js';
import { UnsupportedFieldError, addressRequest, encodeRequest, routeRequest, ruleRequest } from '../../../src/platform/linux/rtnetlink-requests.js';
import { addressEntry, routeEntry, ruleEntry } from './netlink-entries.js';

const SEQ = 1795971643;
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The full message iproute2 sent: nlmsghdr (with SEQ, pid 0) + payload. */
function ipMessage(type: number, flags: number, payloadHex: string): Buffer {
  const payload = hex(payloadHex);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt32LE(SEQ, 8);
  return Buffer.concat([h, payload]);
}

const V6 = (last: string) => `20010db8 00000000 00000000 000000${last}`;
const ifindexOf = (name: string) => ({ d0: 3, d1: 4 })[name] ?? assert.fail(`unknown ${name}`);

test('RTM_NEWADDR IPv4 with brd, scope and label: the bytes `ip addr add` sends', () => {
  // ip addr add 10.1.2.3/24 brd 10.1.2.255 scope link label d0:vip dev d0
  const e = addressEntry('10.1.2.3/24 brd 10.1.2.255 scope link label d0:vip dev d0');
  assert.deepEqual(
    encodeRequest(addressRequest('add', e, 3, 'd0'), SEQ),
    ipMessage(0x14, 0x605, '02 18 00 fd 03000000  0800 0200 0a010203  0800 0400 0a0102ff  0b00 0300 64303a76 697000 00  0800 0100 0a010203'),
  );
});

test('RTM_NEWADDR IPv6: keepalived adds NODAD unless -nodad (ip addr add … nodad)', () => {
  // ip addr add 2001:db8::5/64 nodad dev d0
  assert.deepEqual(
    encodeRequest(addressRequest('add', addressEntry('2001:db8::5/64 dev d0'), 3), SEQ),
    ipMessage(0x14, 0x605, `0a 40 02 00 03000000  1400 0200 ${V6('05')}  1400 0100 ${V6('05')}`),
  );
});

test('RTM_NEWADDR IPv6 preferred_lft 0: IFA_CACHEINFO with valid forever', () => {
  // ip addr add 2001:db8::6/64 preferred_lft 0 dev d0
  assert.deepEqual(
    encodeRequest(addressRequest('add', addressEntry('2001:db8::6/64 dev d0 -nodad preferred_lft 0'), 3), SEQ),
    ipMessage(0x14, 0x605, `0a 40 00 00 03000000  1400 0200 ${V6('06')}  1400 0100 ${V6('06')}  1400 0600 00000000 ffffffff 00000000 00000000`),
  );
  // a /128 VIP defaults to preferred_lft 0 (deprecated, never a source address) in keepalived
  const vip = addressRequest('add', addressEntry('2001:db8::9/128 dev d0'), 3);
  assert.deepEqual(
    vip.attrs.map((a) => a.type),
    [2, 1, 6],
  );
});

test('RTM_NEWADDR flags above 8 bits go in IFA_FLAGS (ip addr add … noprefixroute)', () => {
  // ip addr add 2001:db8::7/64 noprefixroute dev d0
  assert.deepEqual(
    encodeRequest(addressRequest('add', addressEntry('2001:db8::7/64 dev d0 -nodad noprefixroute'), 3), SEQ),
    ipMessage(0x14, 0x605, `0a 40 00 00 03000000  1400 0200 ${V6('07')}  0800 0800 00020000  1400 0100 ${V6('07')}`),
  );
  const all = addressRequest('add', addressEntry('2001:db8::8/64 dev d0 home mngtmpaddr noprefixroute autojoin'), 3);
  const flags = all.attrs.find((a) => a.type === 8)!.data.readUInt32LE();
  assert.equal(flags, 0x10 | 0x100 | 0x200 | 0x400 | 0x02);
  assert.equal(all.header[2], 0, 'the header byte stays 0 when IFA_FLAGS is used');
});

test('RTM_NEWADDR with a peer (ip addr add 10.9.9.1 peer 10.9.9.2/32) and RTM_DELADDR (ip addr del 10.9.9.3/24)', () => {
  assert.deepEqual(
    encodeRequest(addressRequest('add', addressEntry('10.9.9.1 peer 10.9.9.2 dev d0'), 3), SEQ),
    ipMessage(0x14, 0x605, '02 20 00 00 03000000  0800 0200 0a090901  0800 0100 0a090902'),
  );
  // ip addr del 10.9.9.3/24 dev d0: no label, broadcast or flags on delete
  assert.deepEqual(
    encodeRequest(addressRequest('delete', addressEntry('10.9.9.3/24 brd 10.9.9.255 label d0:x dev d0'), 3), SEQ),
    ipMessage(0x15, 0x005, '02 18 00 00 03000000  0800 0200 0a090903  0800 0100 0a090903'),
  );
});

test('RTM_NEWRULE: the bytes `ip rule add` sends', () => {
  // ip rule add from 10.1.0.0/16 to 10.2.0.0/16 table 100 priority 100 fwmark 5 iif d0 oif d1
  assert.deepEqual(
    encodeRequest(ruleRequest('add', ruleEntry('from 10.1.0.0/16 to 10.2.0.0/16 table 100 priority 100 fwmark 5 iif d0 oif d1 no_track')), SEQ),
    ipMessage(0x20, 0x605, '02 10 10 00 64 00 00 01 00000000  0800 0200 0a010000  0800 0100 0a020000  0800 0600 64000000  0800 0a00 05000000  0700 0300 643000 00  0700 1100 643100 00'),
  );
  // ip rule add not from 10.3.0.0/16 goto 200 priority 150 (keepalived puts FRA_GOTO last)
  const notGoto = encodeRequest(ruleRequest('add', ruleEntry('not from 10.3.0.0/16 goto 200 priority 150 no_track')), SEQ);
  const ipNotGoto = ipMessage(0x20, 0x605, '02 00 10 00 00 00 00 02 02000000  0800 0200 0a030000  0800 0400 c8000000  0800 0600 96000000');
  assert.deepEqual(notGoto.subarray(0, 28), ipNotGoto.subarray(0, 28));
  assert.deepEqual(sortedAttrs(notGoto, 12), sortedAttrs(ipNotGoto, 12));
  // ip rule add fwmark 0x10/0xff lookup 1000 priority 160 — ip also sends an empty FRA_SRC for "from all"
  const big = ruleRequest('add', ruleEntry('fwmark 0x10/0xff lookup 1000 priority 160 no_track'));
  assert.deepEqual(big.header, hex('02 00 00 00 00 00 00 01 00000000'));
  assert.deepEqual(
    big.attrs.map((a) => [a.type, a.data.toString('hex')]),
    [
      [15, 'e8030000'],
      [6, 'a0000000'],
      [10, '10000000'],
      [16, 'ff000000'],
    ],
  );
  // a tracked rule (the default) carries keepalived's protocol, as keepalived sends it
  const del = ruleRequest('delete', ruleEntry('from 10.1.0.0/16 table 100 priority 100'));
  assert.equal(del.flags, 0x5);
  assert.equal(del.type, 0x21);
  assert.deepEqual(
    del.attrs.map((a) => [a.type, a.data.toString('hex')]),
    [
      [2, '0a010000'],
      [6, '64000000'],
      [21, '12'],
    ],
  );
});

function sortedAttrs(buf: Buffer, headerLength: number): string[] {
  return decodeAttrs(decodeMessages(buf)[0]!.payload.subarray(headerLength))
    .map((a) => `${a.type}:${a.data.toString('hex')}`)
    .sort();
}

test('RTM_NEWROUTE: the header and attributes `ip route add` sends', () => {
  const cases: [string, number, string][] = [
    // ip route add 10.50.0.0/16 via 10.1.2.254 dev d0 metric 5 table 100 proto 18
    ['10.50.0.0/16 via 10.1.2.254 dev d0 metric 5 table 100 add', 0x605, '02 10 00 00 64 12 00 01 00000000  0800 0100 0a320000  0800 0500 0a0102fe  0800 0600 05000000  0800 0400 03000000'],
    // ip route add blackhole 10.60.0.0/16 (protocol boot, ip's default)
    ['blackhole 10.60.0.0/16 protocol boot no_track add', 0x605, '02 10 00 00 fe 03 00 06 00000000  0800 0100 0a3c0000'],
    // ip -6 route add 2001:db8:1::/48 via fe80::1 dev d0 table 1000 mtu lock 1400 proto 18
    [
      '2001:db8:1::/48 via fe80::1 dev d0 table 1000 mtu lock 1400 add',
      0x605,
      `0a 30 00 00 00 12 00 01 00000000  1400 0100 20010db8 00010000 00000000 00000000  1400 0500 fe800000 00000000 00000000 00000001  0800 0f00 e8030000  0800 0400 03000000  1400 0800 0800 0200 78050000 0800 0100 04000000`,
    ],
    // ip route add 10.70.0.0/16 proto 18 nexthop via 10.1.2.1 dev d0 weight 2 nexthop via 10.1.2.2 dev d0
    [
      '10.70.0.0/16 add no_track nexthop via 10.1.2.1 dev d0 weight 2 nexthop via 10.1.2.2 dev d0',
      0x605,
      '02 10 00 00 fe 12 00 01 00000000  0800 0100 0a460000  2400 0900 1000 00 01 03000000 0800 0500 0a010201  1000 00 00 03000000 0800 0500 0a010202',
    ],
  ];
  for (const [line, flags, payload] of cases) {
    const r = routeEntry(line);
    const ours = encodeRequest(routeRequest('add', r, ifindexOf), SEQ);
    const ip = ipMessage(0x18, flags, payload);
    assert.deepEqual(ours.subarray(0, 28), ip.subarray(0, 28), `${line}: nlmsghdr + rtmsg`);
    assert.equal(ours.length, ip.length, line);
    assert.deepEqual(sortedAttrs(ours, 12), sortedAttrs(ip, 12), line);
  }
});

test("routes: keepalived's defaults — protocol keepalived, prepend without NLM_F_EXCL, delete matches any scope", () => {
  const r = routeEntry('10.80.0.0/16 via 10.1.2.254 dev d0');
  const add = routeRequest('add', r, ifindexOf);
  assert.equal(add.flags, 0x405, 'prepend: create, not exclusive');
  assert.deepEqual(add.header, hex('02 10 00 00 fe 12 00 01 00000000'));
  assert.equal(routeRequest('add', routeEntry('10.80.0.0/16 dev d0 append'), ifindexOf).flags, 0xc05);
  const del = routeRequest('delete', r, ifindexOf);
  assert.equal(del.flags, 0x5);
  assert.deepEqual(del.header, hex('02 10 00 00 fe 12 ff 00 00000000'), 'scope nowhere, type any');
  assert.equal(routeRequest('delete', routeEntry('unreachable 10.81.0.0/16'), ifindexOf).header[7], 7, 'an explicit type stays');
  const scoped = routeRequest('add', routeEntry('10.82.0.0/16 dev d0 scope link'), ifindexOf);
  assert.equal(scoped.header[6], 253);
});

test('route metrics: keepalived order, lock bits, congctl without NUL', () => {
  const r = routeEntry('10.90.0.0/16 dev d0 mtu lock 1400 advmss 1300 congctl lock cubic features ecn initcwnd 10');
  const metrics = routeRequest('add', r, ifindexOf).attrs.find((a) => a.type === 8)!;
  assert.deepEqual(
    decodeAttrs(metrics.data).map((a) => [a.type, a.data.toString('hex')]),
    [
      [16, Buffer.from('cubic').toString('hex')],
      [12, '01000000'],
      [2, '78050000'],
      [8, '14050000'],
      [11, '0a000000'],
      [1, '04000100'], // 1 << RTAX_MTU | 1 << RTAX_CC_ALGO
    ],
  );
});

test('fields the driver cannot send are refused by name', () => {
  const encap = routeEntry('10.91.0.0/16 dev d0 encap ip id 5 dst 10.0.0.1');
  assert.throws(
    () => routeRequest('add', encap, ifindexOf),
    (e: unknown) => e instanceof UnsupportedFieldError && e.field === 'encap' && /route 10\.91\.0\.0\/16 dev d0: 'encap' is not supported/.test(e.message),
  );
  const vrf = { ...routeEntry('10.92.0.0/16 dev d0'), vrf: 'blue' };
  assert.throws(() => routeRequest('add', vrf, ifindexOf), (e: unknown) => e instanceof UnsupportedFieldError && e.field === 'vrf');
});

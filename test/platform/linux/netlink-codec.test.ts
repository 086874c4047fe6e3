/**
 * The rtnetlink wire format: TLV alignment and nesting, message framing, error/done messages,
 * family headers, and link/address messages as records. Malformed input gives
 * NetlinkFormatError and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  IFA_ADDRESS,
  IFA_CACHEINFO,
  IFA_F_NODAD,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  IFA_FLAGS,
  IFA_LABEL,
  IFA_LOCAL,
  IFLA_ADDRESS,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_MTU,
  IFLA_OPERSTATE,
  IFF_LOWER_UP,
  IFF_MULTICAST,
  IFF_RUNNING,
  IFF_UP,
  NLA_F_NESTED,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NetlinkFormatError,
  RTM_NEWADDR,
  RTM_NEWLINK,
  addressBytes,
  addressText,
  attr,
  attrNested,
  attrString,
  attrTable,
  attrU16,
  attrU32,
  attrU8,
  decodeAttrs,
  decodeFibRuleHdr,
  decodeIfAddrMsg,
  decodeIfInfoMsg,
  decodeMessages,
  decodeRtMsg,
  encodeAttrs,
  encodeFibRuleHdr,
  encodeIfAddrMsg,
  encodeIfInfoMsg,
  encodeMessage,
  encodeRtMsg,
  parseAddressMessage,
  parseDone,
  parseError,
  parseLinkMessage,
} from '../../../src/platform/linux/netlink-codec.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('attributes: 4-byte alignment, padding bytes zero, exact layout', () => {
  const bytes = encodeAttrs([attrU8(1, 7), attrU16(2, 0x1234), attrU32(3, 0xdeadbeef), attrString(4, 'eth0:1')]);
  assert.deepEqual(
    bytes,
    hex('05000100 07000000  06000200 34120000  08000300 efbeadde  0b000400 65746830 3a3100 00'),
  );
  const back = decodeAttrs(bytes);
  assert.deepEqual(
    back.map((a) => [a.type, [...a.data]]),
    [
      [1, [7]],
      [2, [0x34, 0x12]],
      [3, [0xef, 0xbe, 0xad, 0xde]],
      [4, [...Buffer.from('eth0:1\0')]],
    ],
  );
});

test('attributes round-trip for any payloads, nested ones keep NLA_F_NESTED', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ type: fc.integer({ min: 0, max: 0x3fff }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 8 }), (list) => {
      const attrs = list.map((a) => attr(a.type, a.data));
      const back = decodeAttrs(encodeAttrs(attrs));
      assert.deepEqual(
        back.map((a) => [a.type, [...a.data]]),
        list.map((a) => [a.type, [...a.data]]),
      );
    }),
  );
  const nested = attrNested(18, [attrString(IFLA_INFO_KIND, 'veth')], true);
  const [outer] = decodeAttrs(encodeAttrs([nested]));
  assert.equal(outer!.type, 18 | NLA_F_NESTED);
  assert.equal(attrTable([outer!]).has(18), true, 'the table masks the flag bits');
  assert.deepEqual(decodeAttrs(outer!.data).map((a) => a.data.toString()), ['veth\0']);
});

test('messages: header fields, several per datagram, payload bounded by nlmsg_len', () => {
  const a = encodeMessage({ type: RTM_NEWADDR, flags: 0x605, seq: 0x01020304, pid: 77, payload: Buffer.from([1, 2, 3]) });
  assert.deepEqual(a.subarray(0, 16), hex('13000000 1400 0506 04030201 4d000000'));
  assert.equal(a.length, 20, 'padded to 4 bytes');
  const b = encodeMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 9, payload: Buffer.alloc(4) });
  const msgs = decodeMessages(Buffer.concat([a, b]));
  assert.deepEqual(
    msgs.map((m) => ({ type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, payload: [...m.payload] })),
    [
      { type: RTM_NEWADDR, flags: 0x605, seq: 0x01020304, pid: 77, payload: [1, 2, 3] },
      { type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 9, pid: 0, payload: [0, 0, 0, 0] },
    ],
  );
  assert.equal(parseDone(msgs[1]!), 0);
});

test('NLMSG_ERROR: ack, plain errno, and the kernel text of an extended ack', () => {
  const request = encodeMessage({ type: RTM_NEWADDR, flags: 0x605, seq: 42, payload: Buffer.alloc(8) });
  const errorPayload = (errno: number, extra: Buffer) => {
    const p = Buffer.alloc(4);
    p.writeInt32LE(-errno);
    return Buffer.concat([p, request.subarray(0, 16), extra]);
  };
  const ack = parseError(decodeMessages(encodeMessage({ type: NLMSG_ERROR, flags: NLM_F_CAPPED, seq: 42, payload: errorPayload(0, Buffer.alloc(0)) }))[0]!);
  assert.deepEqual(ack, { errno: 0, request: { type: RTM_NEWADDR, flags: 0x605, seq: 42, pid: 0 } });
  const exists = parseError(decodeMessages(encodeMessage({ type: NLMSG_ERROR, flags: NLM_F_CAPPED, seq: 42, payload: errorPayload(17, Buffer.alloc(0)) }))[0]!);
  assert.equal(exists.errno, 17);
  assert.equal(exists.message, undefined);
  const withText = encodeMessage({
    type: NLMSG_ERROR,
    flags: NLM_F_CAPPED | NLM_F_ACK_TLVS,
    seq: 42,
    payload: errorPayload(22, encodeAttrs([attrString(1, 'Invalid prefix for given prefix length'), attrU32(2, 20)])),
  });
  assert.deepEqual(parseError(decodeMessages(withText)[0]!), {
    errno: 22,
    request: { type: RTM_NEWADDR, flags: 0x605, seq: 42, pid: 0 },
    message: 'Invalid prefix for given prefix length',
  });
  // an uncapped error echoes the whole request before the attributes
  const uncapped = encodeMessage({
    type: NLMSG_ERROR,
    flags: NLM_F_ACK_TLVS,
    seq: 42,
    payload: Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), request, encodeAttrs([attrString(1, 'bad')])]),
  });
  assert.equal(parseError(decodeMessages(uncapped)[0]!).message, 'bad');
  const interrupted = Buffer.alloc(4);
  interrupted.writeInt32LE(-16);
  assert.equal(parseDone(decodeMessages(encodeMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 1, payload: interrupted }))[0]!), 16);
});

test('family headers: exact layout and round trip', () => {
  const ifa = { family: 2, prefixLen: 24, flags: 0x80, scope: 253, index: 3 };
  assert.deepEqual(encodeIfAddrMsg(ifa), hex('02 18 80 fd 03000000'));
  assert.deepEqual(decodeIfAddrMsg(encodeIfAddrMsg(ifa)), ifa);
  const ifi = { family: 0, type: 1, index: 7, flags: 0x11043, change: 0xffffffff };
  assert.deepEqual(encodeIfInfoMsg(ifi), hex('00 00 0100 07000000 43100100 ffffffff'));
  assert.deepEqual(decodeIfInfoMsg(encodeIfInfoMsg(ifi)), ifi);
  const rtm = { family: 2, dstLen: 16, srcLen: 0, tos: 0, table: 100, protocol: 18, scope: 0, type: 1, flags: 4 };
  assert.deepEqual(encodeRtMsg(rtm), hex('02 10 00 00 64 12 00 01 04000000'));
  assert.deepEqual(decodeRtMsg(encodeRtMsg(rtm)), rtm);
  const frh = { family: 2, dstLen: 16, srcLen: 16, tos: 0, table: 100, action: 1, flags: 2 };
  assert.deepEqual(encodeFibRuleHdr(frh), hex('02 10 10 00 64 00 00 01 02000000'));
  assert.deepEqual(decodeFibRuleHdr(encodeFibRuleHdr(frh)), frh);
});

test('addresses as bytes and back (inet_ntop text)', () => {
  assert.deepEqual(addressBytes('inet', '10.1.2.3'), hex('0a010203'));
  assert.deepEqual(addressBytes('inet6', '2001:db8::5'), hex('20010db8 00000000 00000000 00000005'));
  assert.equal(addressText(hex('fe800000 00000000 e49ab0ff fe75f4f8')), 'fe80::e49a:b0ff:fe75:f4f8');
  assert.throws(() => addressBytes('inet', '10.1.2'), NetlinkFormatError);
  assert.throws(() => addressText(hex('0a0102')), NetlinkFormatError);
});

function linkMessage(extra: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.concat([
    encodeIfInfoMsg({ family: 0, type: 1, index: 3, flags: IFF_UP | IFF_RUNNING | IFF_LOWER_UP | IFF_MULTICAST | 0x2, change: 0 }),
    encodeAttrs([
      attrString(IFLA_IFNAME, 'eth0'),
      attrU32(IFLA_MTU, 1500),
      attr(IFLA_ADDRESS, hex('e69ab075f4f8')),
      attrU8(IFLA_OPERSTATE, 6),
      attrU32(IFLA_LINK, 4),
      attrNested(IFLA_LINKINFO, [attrString(IFLA_INFO_KIND, 'veth')]),
    ]),
    extra,
  ]);
  return encodeMessage({ type: RTM_NEWLINK, flags: 0, seq: 0, payload });
}

test('a link message as a record', () => {
  assert.deepEqual(parseLinkMessage(decodeMessages(linkMessage())[0]!), {
    index: 3,
    name: 'eth0',
    linkType: 1,
    flags: 0x11043,
    up: true,
    running: true,
    lowerUp: true,
    multicast: true,
    operstate: 'UP',
    mac: 'e6:9a:b0:75:f4:f8',
    mtu: 1500,
    parentIndex: 4,
    kind: 'veth',
  });
});

function addressMessage(family: number, attrs: ReturnType<typeof attr>[], flags = 0, scope = 0, prefixLen = 24): Buffer {
  return encodeMessage({ type: RTM_NEWADDR, flags: 0, seq: 0, payload: Buffer.concat([encodeIfAddrMsg({ family, prefixLen, flags, scope, index: 3 }), encodeAttrs(attrs)]) });
}

test('address messages as records: IPv4 with label, peer, IFA_FLAGS over the header byte; IPv6 without IFA_LOCAL', () => {
  const v4 = addressMessage(2, [attr(IFA_ADDRESS, hex('0a010203')), attr(IFA_LOCAL, hex('0a010203')), attrString(IFA_LABEL, 'eth0:vip'), attrU32(IFA_FLAGS, IFA_F_PERMANENT | IFA_F_SECONDARY)], IFA_F_PERMANENT, 0);
  assert.deepEqual(parseAddressMessage(decodeMessages(v4)[0]!), {
    ifindex: 3,
    family: 'inet',
    address: '10.1.2.3',
    prefixLen: 24,
    scope: 0,
    flags: IFA_F_PERMANENT | IFA_F_SECONDARY,
    label: 'eth0:vip',
  });
  const peer = addressMessage(2, [attr(IFA_LOCAL, hex('0a090901')), attr(IFA_ADDRESS, hex('0a090902'))], 0, 0, 32);
  assert.equal(parseAddressMessage(decodeMessages(peer)[0]!)!.peer, '10.9.9.2');
  const ci = Buffer.alloc(16);
  ci.writeUInt32LE(0, 0);
  ci.writeUInt32LE(0xffffffff, 4);
  const v6 = addressMessage(10, [attr(IFA_ADDRESS, addressBytes('inet6', 'fe80::1')), attr(IFA_CACHEINFO, ci)], IFA_F_NODAD, 253, 64);
  assert.deepEqual(parseAddressMessage(decodeMessages(v6)[0]!), {
    ifindex: 3,
    family: 'inet6',
    address: 'fe80::1',
    prefixLen: 64,
    scope: 253,
    flags: IFA_F_NODAD,
    preferredLft: 0,
    validLft: 0xffffffff,
  });
  const other = addressMessage(17, [attr(IFA_ADDRESS, hex('00'))]);
  assert.equal(parseAddressMessage(decodeMessages(other)[0]!), undefined, 'families other than IPv4/IPv6 are not ours');
});

test('malformed input: NetlinkFormatError, never another exception', () => {
  assert.throws(() => decodeMessages(hex('0f000000 1400 0000 00000000 00000000')), NetlinkFormatError, 'nlmsg_len below the header');
  assert.throws(() => decodeMessages(hex('40000000 1400 0000 00000000 00000000')), NetlinkFormatError, 'nlmsg_len past the datagram');
  assert.throws(() => decodeAttrs(hex('0900 0100 01020304')), NetlinkFormatError, 'attribute past the end');
  assert.throws(() => decodeAttrs(hex('0200 0100')), NetlinkFormatError, 'attribute shorter than its header');
  assert.throws(() => parseLinkMessage(decodeMessages(encodeMessage({ type: RTM_NEWLINK, flags: 0, seq: 0, payload: Buffer.alloc(8) }))[0]!), NetlinkFormatError);
  const noName = encodeMessage({ type: RTM_NEWLINK, flags: 0, seq: 0, payload: encodeIfInfoMsg({ family: 0, type: 1, index: 1, flags: 0, change: 0 }) });
  assert.throws(() => parseLinkMessage(decodeMessages(noName)[0]!), /no IFLA_IFNAME/);
  const badMtu = linkMessage(encodeAttrs([attr(IFLA_MTU, hex('0102'))]));
  assert.throws(() => parseLinkMessage(decodeMessages(badMtu)[0]!), NetlinkFormatError);
  const badAddress = addressMessage(2, [attr(IFA_LOCAL, hex('0a0102'))]);
  assert.throws(() => parseAddressMessage(decodeMessages(badAddress)[0]!), NetlinkFormatError);

  const good = [linkMessage(), addressMessage(2, [attr(IFA_LOCAL, hex('0a010203'))])];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1 }), fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(120), (which, edits, cut) => {
      const bytes = Buffer.from(good[which]!);
      for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
      const input = bytes.subarray(0, Math.min(bytes.length, cut + 16));
      try {
        for (const m of decodeMessages(input)) {
          if (m.type === RTM_NEWLINK) parseLinkMessage(m);
          else parseAddressMessage(m);
        }
      } catch (e) {
        assert.ok(e instanceof NetlinkFormatError, `unexpected ${(e as Error).stack}`);
      }
    }),
    { numRuns: 3000 },
  );
});

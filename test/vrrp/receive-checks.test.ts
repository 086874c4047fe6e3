/**
 * One test per receive check (named after it), each asserting the verdict kind and the counter
 * keepalived 2.2.7 increments (vrrp_check_packet() / vrrp_in_chk_ipsecah() / vrrp_dispatcher_read()).
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { ahIcv, authDataFromPassword } from '../../src/vrrp/auth.js';
import { encodeIPv4Advert, encodeVrrpMessage, type IPv4AdvertSpec } from '../../src/vrrp/packet.js';
import {
  applyCounters,
  checkReceivedAdvert,
  newCounters,
  RECEIVE_CHECKS,
  type ReceiveCheck,
  type ReceiveVerdict,
  type ReceiverContext,
  type VrrpCounter,
} from '../../src/vrrp/receive-checks.js';

const PW = authDataFromPassword('secret12345');

const v2Spec = (o: Partial<IPv4AdvertSpec> = {}): IPv4AdvertSpec => ({
  version: 2,
  family: 'inet',
  vrid: 51,
  priority: 150,
  advertIntUs: 1_000_000,
  addresses: ['10.9.9.1'],
  authType: 'PASS',
  authData: PW,
  src: '10.0.0.1',
  dst: '224.0.0.18',
  ipId: 1,
  ...o,
});
const v2Ctx = (o: Partial<ReceiverContext> = {}): ReceiverContext => ({
  iname: 'VI_1',
  family: 'inet',
  version: 2,
  vrid: 51,
  authType: 'PASS',
  authData: PW,
  advertIntUs: 1_000_000,
  vips: ['10.9.9.1'],
  unicast: false,
  ...o,
});
const v3Spec = (o: Partial<IPv4AdvertSpec> = {}): IPv4AdvertSpec => ({
  version: 3,
  family: 'inet',
  vrid: 52,
  priority: 100,
  advertIntUs: 500_000,
  addresses: ['10.9.9.2', '10.9.9.3'],
  src: '10.0.0.1',
  dst: '224.0.0.18',
  ipId: 7,
  ...o,
});
const v3Ctx = (o: Partial<ReceiverContext> = {}): ReceiverContext => ({
  iname: 'VI_3',
  family: 'inet',
  version: 3,
  vrid: 52,
  authType: 'none',
  advertIntUs: 1_000_000,
  vips: ['10.9.9.2', '10.9.9.3'],
  unicast: false,
  ...o,
});
const ahSpec = (o: Partial<IPv4AdvertSpec> = {}) => v2Spec({ vrid: 54, authType: 'AH', authData: authDataFromPassword('ahpass'), ahSeq: 5, ...o });
const ahCtx = (o: Partial<ReceiverContext> = {}) => v2Ctx({ vrid: 54, authType: 'AH', authData: authDataFromPassword('ahpass'), ahSeq: 4, ...o });
const v6Ctx = (o: Partial<ReceiverContext> = {}): ReceiverContext => ({
  iname: 'VI_6',
  family: 'inet6',
  version: 3,
  vrid: 53,
  authType: 'none',
  advertIntUs: 1_000_000,
  vips: ['fe80::53', '2001:db8::53'],
  unicast: false,
  ...o,
});
const v6Msg = (o: { priority?: number } = {}) =>
  encodeVrrpMessage(
    { version: 3, family: 'inet6', vrid: 53, priority: o.priority ?? 100, advertIntUs: 1_000_000, addresses: ['fe80::53', '2001:db8::53'] },
    { kind: 'ipv6-pseudo', src: 'fe80::1', dst: 'ff02::12' },
  );

const tested = new Set<ReceiveCheck>();

function expectReject(v: ReceiveVerdict, check: ReceiveCheck, kind: 'KO' | 'DROP', counter: VrrpCounter | null, reason?: string | RegExp): void {
  assert.equal(v.ok, false, `expected ${check} rejection, got acceptance`);
  if (v.ok) return;
  assert.equal(v.check, check, v.reason);
  assert.equal(v.kind, kind);
  assert.equal(v.counter, counter);
  if (counter) assert.ok(v.counters.includes(counter));
  if (typeof reason === 'string') assert.equal(v.reason, reason);
  else if (reason) assert.match(v.reason, reason);
  tested.add(check);
}

/** Set a byte of the IPv4 header (the kernel checks the IP header checksum, keepalived does not). */
function patch(b: Uint8Array, off: number, val: number): Uint8Array {
  const c = b.slice();
  c[off] = val;
  return c;
}

describe('receive checks (keepalived 2.2.7 order)', () => {
  it('baseline: valid adverts are accepted and counted as advert_rcvd', () => {
    for (const [bytes, ctx] of [
      [encodeIPv4Advert(v2Spec()), v2Ctx()],
      [encodeIPv4Advert(v3Spec()), v3Ctx()],
      [encodeIPv4Advert(ahSpec()), ahCtx()],
    ] as const) {
      const v = checkReceivedAdvert({ bytes }, ctx);
      assert.ok(v.ok, !v.ok ? v.reason : '');
      assert.deepEqual(v.counters, ['advert_rcvd']);
      assert.equal(v.src, '10.0.0.1');
      assert.equal(v.ttl, 255);
    }
    const v6 = checkReceivedAdvert({ bytes: v6Msg(), src: 'fe80::1', dst: 'ff02::12', hopLimit: 255, verifyIPv6Checksum: true }, v6Ctx());
    assert.ok(v6.ok);
  });

  it('header_too_short: DROP, nothing counted (vrrp_get_header)', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec()).subarray(0, 27) }, v2Ctx()), 'header_too_short', 'DROP', null, 'IPv4 VRRP packet too short - 27 bytes');
    expectReject(checkReceivedAdvert({ bytes: new Uint8Array(0) }, v2Ctx()), 'header_too_short', 'DROP', null);
    const ah = encodeIPv4Advert(ahSpec()).subarray(0, 50);
    expectReject(checkReceivedAdvert({ bytes: ah }, ahCtx()), 'header_too_short', 'DROP', null, 'IPv4 VRRP packet with AH too short - 50 bytes');
    expectReject(checkReceivedAdvert({ bytes: v6Msg().subarray(0, 7) }, v6Ctx()), 'header_too_short', 'DROP', null, 'IPv6 VRRP packet too short - 7 bytes');
  });

  it('ipv6_kernel_checksum: DROP (the kernel discards it; simulator only)', () => {
    const m = patch(v6Msg(), 7, v6Msg()[7]! ^ 1);
    expectReject(checkReceivedAdvert({ bytes: m, src: 'fe80::1', dst: 'ff02::12', hopLimit: 255, verifyIPv6Checksum: true }, v6Ctx()), 'ipv6_kernel_checksum', 'DROP', null);
    // without verifyIPv6Checksum keepalived never looks at an IPv6 checksum
    assert.ok(checkReceivedAdvert({ bytes: m, src: 'fe80::1', dst: 'ff02::12', hopLimit: 255 }, v6Ctx()).ok);
  });

  it('unknown_vrid: DROP, nothing counted', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ vrid: 52 })) }, v2Ctx()), 'unknown_vrid', 'DROP', null, /Unknown VRID\(52\)/);
  });

  it('ipv6_cast_mismatch: DROP, nothing counted (dispatcher discards before vrrp_check_packet)', () => {
    expectReject(checkReceivedAdvert({ bytes: v6Msg(), src: 'fe80::1', dst: 'fe80::2', hopLimit: 255 }, v6Ctx()), 'ipv6_cast_mismatch', 'DROP', null, '(VI_6) discarding unicast packet on multicast instance');
    expectReject(
      checkReceivedAdvert({ bytes: v6Msg(), src: 'fe80::1', dst: 'ff02::12', hopLimit: 255 }, v6Ctx({ unicast: true })),
      'ipv6_cast_mismatch',
      'DROP',
      null,
      '(VI_6) discarding multicast packet on unicast instance',
    );
  });

  it('ah_presence: KO, authtype_mismatch', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(ahSpec()) }, v2Ctx({ vrid: 54 })), 'ah_presence', 'KO', 'authtype_mismatch', '(VI_1) Received AH header but auth type not AH');
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ vrid: 54 })) }, ahCtx()), 'ah_presence', 'KO', 'authtype_mismatch', '(VI_1) No AH header but auth type is AH');
  });

  it('packet_length: KO, packet_len_err', () => {
    const p = encodeIPv4Advert(v2Spec());
    const longer = new Uint8Array(p.length + 1);
    longer.set(p);
    expectReject(checkReceivedAdvert({ bytes: longer }, v2Ctx()), 'packet_length', 'KO', 'packet_len_err', '(VI_1) vrrp packet too long, length 41 and expect 40');
    // the count field says 2 addresses, only 1 present
    const short = patch(p, 23, 2);
    expectReject(checkReceivedAdvert({ bytes: short }, v2Ctx()), 'packet_length', 'KO', 'packet_len_err', '(VI_1) vrrp packet too short, length 40 and expect 44');
    // IPv6: no IP header, no auth data
    const m = v6Msg();
    expectReject(checkReceivedAdvert({ bytes: m.subarray(0, 30), dst: 'ff02::12' }, v6Ctx()), 'packet_length', 'KO', 'packet_len_err', '(VI_6) vrrp packet too short, length 30 and expect 40');
  });

  it('ttl: KO, ip_ttl_err (multicast only; unknown hop limit not checked)', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ ttl: 254 })) }, v2Ctx()), 'ttl', 'KO', 'ip_ttl_err', '(VI_1) invalid TTL/HL. Received 254 and expect 255');
    expectReject(checkReceivedAdvert({ bytes: v6Msg(), dst: 'ff02::12', hopLimit: 1 }, v6Ctx()), 'ttl', 'KO', 'ip_ttl_err', '(VI_6) invalid TTL/HL. Received 1 and expect 255');
    assert.ok(checkReceivedAdvert({ bytes: v6Msg(), dst: 'ff02::12' }, v6Ctx()).ok, 'no IPV6_HOPLIMIT cmsg: not checked');
    const uni = encodeIPv4Advert(v3Spec({ dst: '10.0.0.2', ttl: 64 }));
    assert.ok(checkReceivedAdvert({ bytes: uni }, v3Ctx({ unicast: true, advertIntUs: 500_000 })).ok, 'unicast: not checked');
  });

  it('version: KO, vers_err (SNMP-only counter)', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v3Spec({ vrid: 51, addresses: ['10.9.9.1'] })) }, v2Ctx({ authType: 'none' })), 'version', 'KO', 'vers_err', '(VI_1) wrong version. Received 3 and expect 2');
  });

  it('auth_type_invalid: KO, invalid_authtype', () => {
    const p = encodeIPv4Advert(v2Spec());
    expectReject(checkReceivedAdvert({ bytes: patch(p, 24, 3) }, v2Ctx()), 'auth_type_invalid', 'KO', 'invalid_authtype', '(VI_1) Invalid auth type: 3');
  });

  it('auth_type_mismatch: KO, authtype_mismatch', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ authType: 'none' })) }, v2Ctx()), 'auth_type_mismatch', 'KO', 'authtype_mismatch', '(VI_1) received a 0 auth, expecting 1!');
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec()) }, v2Ctx({ authType: 'none' })), 'auth_type_mismatch', 'KO', 'authtype_mismatch', '(VI_1) received a 1 auth, expecting 0!');
  });

  it('auth_pass: KO, auth_failure (constant-time compare of the 8 bytes)', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec()) }, v2Ctx({ authData: authDataFromPassword('secret13') })), 'auth_pass', 'KO', 'auth_failure', '(VI_1) received an invalid passwd!');
    // keepalived reads the password at (IP tot_len − 8) BEFORE checking tot_len: a bad tot_len
    // shows up as an auth failure, not as a length error
    const p = encodeIPv4Advert(v2Spec());
    expectReject(checkReceivedAdvert({ bytes: patch(p, 3, 0x24) }, v2Ctx()), 'auth_pass', 'KO', 'auth_failure');
    expectReject(checkReceivedAdvert({ bytes: patch(p, 3, 0x30) }, v2Ctx()), 'auth_pass', 'KO', 'auth_failure');
  });

  it('ah_next_header: DROP, nothing counted', () => {
    expectReject(checkReceivedAdvert({ bytes: patch(encodeIPv4Advert(ahSpec()), 20, 6) }, ahCtx()), 'ah_next_header', 'DROP', null);
  });

  it('ah_icv: KO, auth_failure', () => {
    expectReject(
      checkReceivedAdvert({ bytes: encodeIPv4Advert(ahSpec()) }, ahCtx({ authData: authDataFromPassword('other') })),
      'ah_icv',
      'KO',
      'auth_failure',
      '(VI_1) IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !',
    );
    // mutable fields (TOS, TTL for unicast) are outside the ICV; the priority is inside it
    const p = encodeIPv4Advert(ahSpec());
    assert.ok(checkReceivedAdvert({ bytes: patch(p, 1, 0) }, ahCtx()).ok);
    expectReject(checkReceivedAdvert({ bytes: patch(p, 46, 1) }, ahCtx()), 'ah_icv', 'KO', 'auth_failure');
  });

  it('ah_spi: KO, auth_failure', () => {
    const p = encodeIPv4Advert(ahSpec());
    p[24 + 3] = 9; // SPI 10.0.0.9 ≠ source 10.0.0.1
    p.set(ahIcv(p, 20, authDataFromPassword('ahpass'), false), 32);
    expectReject(checkReceivedAdvert({ bytes: p }, ahCtx()), 'ah_spi', 'KO', 'auth_failure', 'IPSEC AH : invalid IPSEC SPI value. 16777226 and expect 150994954');
  });

  it('ah_seq: KO, auth_failure (anti-replay); a passing AH check updates the sequence even if a later check fails', () => {
    expectReject(
      checkReceivedAdvert({ bytes: encodeIPv4Advert(ahSpec({ ahSeq: 5 })) }, ahCtx({ ahSeq: 5 })),
      'ah_seq',
      'KO',
      'auth_failure',
      '(VI_1) IPSEC-AH : sequence number 5 already processed. Packet dropped. Local(5)',
    );
    const v = checkReceivedAdvert({ bytes: encodeIPv4Advert(ahSpec({ ahSeq: 9, advertIntUs: 2_000_000 })) }, ahCtx({ ahSeq: 5 }));
    assert.ok(!v.ok && v.check === 'advert_interval');
    assert.equal(v.effects.ahSeq, 9);
  });

  it('advert_interval (v2): DROP, logged only - advert_interval_err is never incremented', () => {
    const v = checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ advertIntUs: 2_000_000 })) }, v2Ctx());
    expectReject(v, 'advert_interval', 'DROP', null, "(VI_1) advertisement interval mismatch mine=1 sec rcv'd=2 sec");
    assert.deepEqual(v.counters, []);
    // v3: a different interval is accepted (the backup adopts it)
    const v3 = checkReceivedAdvert({ bytes: encodeIPv4Advert(v3Spec({ advertIntUs: 2_500_000 })) }, v3Ctx());
    assert.ok(v3.ok);
    assert.equal(v3.advert.advertIntUs, 2_500_000);
  });

  it('packet_type: KO, invalid_type_rcvd', () => {
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ type: 2 })) }, v2Ctx()), 'packet_type', 'KO', 'invalid_type_rcvd', '(VI_1) Invalid packet type. 2 and expect 1');
  });

  it('address_count: KO, addr_list_err (before advert_rcvd); skipped with skip_check_adv_addr from the same master', () => {
    const p = encodeIPv4Advert(v2Spec({ addresses: ['10.9.9.1', '10.9.9.9'] }));
    const v = checkReceivedAdvert({ bytes: p }, v2Ctx());
    expectReject(v, 'address_count', 'KO', 'addr_list_err', '(VI_1) received an unexpected ip number count 2, expected 1!');
    assert.deepEqual(v.counters, ['addr_list_err']);
    assert.ok(checkReceivedAdvert({ bytes: p }, v2Ctx({ skipCheckAdvAddr: true, isNewMaster: false })).ok);
    expectReject(checkReceivedAdvert({ bytes: p }, v2Ctx({ skipCheckAdvAddr: true, isNewMaster: true })), 'address_count', 'KO', 'addr_list_err');
  });

  it('ip_total_length: KO, packet_len_err', () => {
    const p = encodeIPv4Advert(v3Spec());
    expectReject(checkReceivedAdvert({ bytes: patch(p, 3, 0x28) }, v3Ctx()), 'ip_total_length', 'KO', 'packet_len_err', '(VI_3) ip_tot_len mismatch against received length. 40 and received 36');
  });

  it('checksum: KO, chk_err (SNMP-only counter)', () => {
    const p2 = encodeIPv4Advert(v2Spec());
    expectReject(checkReceivedAdvert({ bytes: patch(p2, 26, p2[26]! ^ 0x10) }, v2Ctx()), 'checksum', 'KO', 'chk_err', '(VI_1) Invalid VRRPv2 checksum');
    const p3 = encodeIPv4Advert(v3Spec());
    expectReject(checkReceivedAdvert({ bytes: patch(p3, 27, p3[27]! ^ 1) }, v3Ctx()), 'checksum', 'KO', 'chk_err', '(VI_3) Invalid VRRPv3 checksum');
    // a v3_checksum_as_v2 sender and a default receiver do not interoperate, and vice versa
    const asV2 = encodeIPv4Advert(v3Spec({ v3ChecksumAsV2: true }));
    expectReject(checkReceivedAdvert({ bytes: asV2 }, v3Ctx()), 'checksum', 'KO', 'chk_err');
    assert.ok(checkReceivedAdvert({ bytes: asV2 }, v3Ctx({ v3ChecksumAsV2: true })).ok);
    expectReject(checkReceivedAdvert({ bytes: p3 }, v3Ctx({ v3ChecksumAsV2: true })), 'checksum', 'KO', 'chk_err');
  });

  it('checksum: old unicast checksum auto-detection (unless `never`)', () => {
    const old = encodeIPv4Advert(v3Spec({ dst: '10.0.0.2', oldUnicastChecksum: true }));
    const ctx = v3Ctx({ unicast: true, advertIntUs: 500_000 });
    const v = checkReceivedAdvert({ bytes: old }, ctx);
    assert.ok(v.ok);
    assert.equal(v.effects.unicastChecksumCompat, 'auto');
    assert.ok(checkReceivedAdvert({ bytes: old }, { ...ctx, unicastChecksumCompat: 'auto' }).ok);
    expectReject(checkReceivedAdvert({ bytes: old }, { ...ctx, unicastChecksumCompat: 'never' }), 'checksum', 'KO', 'chk_err');
    // not on a multicast instance: there the group already is the destination
    const mc = encodeIPv4Advert(v3Spec({ dst: '224.0.0.18', oldUnicastChecksum: true }));
    const vm = checkReceivedAdvert({ bytes: mc }, v3Ctx());
    assert.ok(vm.ok);
    assert.equal(vm.effects.unicastChecksumCompat, undefined);
  });

  it('cast_mismatch: KO, addr_list_err (IPv4 destination multicast ⇔ instance not unicast)', () => {
    const uni = encodeIPv4Advert(v3Spec({ dst: '10.0.0.2' }));
    expectReject(checkReceivedAdvert({ bytes: uni }, v3Ctx()), 'cast_mismatch', 'KO', 'addr_list_err', '(VI_3) Expected multicast packet but received unicast packet');
    const mc = encodeIPv4Advert(v3Spec());
    const v = checkReceivedAdvert({ bytes: mc }, v3Ctx({ unicast: true }));
    expectReject(v, 'cast_mismatch', 'KO', 'addr_list_err', '(VI_3) Expected unicast packet but received multicast packet');
    assert.deepEqual(v.counters, ['addr_list_err']);
  });

  it('vip_count: unreachable in 2.2.7 (address_count already refused the same condition)', () => {
    const p = encodeIPv4Advert(v3Spec({ addresses: ['10.9.9.2'] }));
    const v = checkReceivedAdvert({ bytes: p }, v3Ctx());
    assert.ok(!v.ok && v.check === 'address_count');
    tested.add('vip_count');
  });

  it('vip_missing: KO, addr_list_err, after advert_rcvd was counted', () => {
    const p = encodeIPv4Advert(v3Spec({ addresses: ['10.9.9.2', '10.9.9.4'] }));
    const v = checkReceivedAdvert({ bytes: p }, v3Ctx());
    expectReject(v, 'vip_missing', 'KO', 'addr_list_err', '(VI_3) ip address associated with VRID 52 not present in MASTER advert: 10.9.9.3');
    assert.deepEqual(v.counters, ['advert_rcvd', 'addr_list_err']);
    // order does not matter
    assert.ok(checkReceivedAdvert({ bytes: encodeIPv4Advert(v3Spec({ addresses: ['10.9.9.3', '10.9.9.2'] })) }, v3Ctx()).ok);
    // skip_check_adv_addr: not checked while the master stays the same
    assert.ok(checkReceivedAdvert({ bytes: p }, v3Ctx({ skipCheckAdvAddr: true })).ok);
    const v6 = checkReceivedAdvert({ bytes: v6Msg(), dst: 'ff02::12', hopLimit: 255 }, v6Ctx({ vips: ['fe80::53', '2001:db8::54'] }));
    expectReject(v6, 'vip_missing', 'KO', 'addr_list_err', '(VI_6) ip address associated with VRID 53 not present in MASTER advert: 2001:db8::54');
  });

  it('unicast_src: KO, nothing but advert_rcvd counted (check_unicast_src)', () => {
    const p = encodeIPv4Advert(v3Spec({ src: '10.0.0.9', dst: '10.0.0.2' }));
    const ctx = v3Ctx({ unicast: true, unicastPeers: [{ address: '10.0.0.1' }], checkUnicastSrc: true });
    const v = checkReceivedAdvert({ bytes: p }, ctx);
    expectReject(v, 'unicast_src', 'KO', null, '(VI_3) unicast source address 10.0.0.9 not a unicast peer');
    assert.deepEqual(v.counters, ['advert_rcvd']);
    assert.ok(checkReceivedAdvert({ bytes: p }, { ...ctx, checkUnicastSrc: false }).ok);
    // IPv6 uses the recvmsg source address
    const m = encodeVrrpMessage(
      { version: 3, family: 'inet6', vrid: 53, priority: 100, advertIntUs: 1_000_000, addresses: ['fe80::53', '2001:db8::53'] },
      { kind: 'ipv6-pseudo', src: 'fe80::9', dst: 'fe80::2' },
    );
    const c6 = v6Ctx({ unicast: true, unicastPeers: [{ address: 'fe80::1' }], checkUnicastSrc: true });
    expectReject(checkReceivedAdvert({ bytes: m, src: 'fe80::9', dst: 'fe80::2', hopLimit: 255 }, c6), 'unicast_src', 'KO', null);
    assert.ok(checkReceivedAdvert({ bytes: m, src: 'fe80::1', dst: 'fe80::2', hopLimit: 255 }, c6).ok);
  });

  it('unicast_ttl: KO, ip_ttl_err (peer min_ttl / max_ttl)', () => {
    const p = encodeIPv4Advert(v3Spec({ dst: '10.0.0.2', ttl: 64 }));
    const ctx = v3Ctx({ unicast: true, unicastPeers: [{ address: '10.0.0.1', minTtl: 250, maxTtl: 255 }], checkUnicastSrc: true });
    const v = checkReceivedAdvert({ bytes: p }, ctx);
    expectReject(v, 'unicast_ttl', 'KO', 'ip_ttl_err', '(VI_3) TTL/HL 64 not in range 250 - 255');
    assert.deepEqual(v.counters, ['advert_rcvd', 'ip_ttl_err']);
  });

  it('priority 0: accepted, pri_zero_rcvd counted', () => {
    const v = checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ priority: 0 })) }, v2Ctx());
    assert.ok(v.ok);
    assert.deepEqual(v.counters, ['advert_rcvd', 'pri_zero_rcvd']);
    const c = newCounters();
    applyCounters(c, v);
    assert.equal(c.advert_rcvd, 1);
    assert.equal(c.pri_zero_rcvd, 1);
  });

  it('the first failing check in keepalived order wins', () => {
    // wrong TTL, wrong version, wrong password, wrong type: TTL comes first
    const p = encodeIPv4Advert(v3Spec({ vrid: 51, addresses: ['10.9.9.1'], ttl: 1, type: 3 }));
    expectReject(checkReceivedAdvert({ bytes: p }, v2Ctx()), 'ttl', 'KO', 'ip_ttl_err');
    // wrong auth type and wrong interval: auth first
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ authType: 'none', advertIntUs: 3_000_000 })) }, v2Ctx()), 'auth_type_mismatch', 'KO', 'authtype_mismatch');
    // wrong interval and wrong type: interval (v2) first
    expectReject(checkReceivedAdvert({ bytes: encodeIPv4Advert(v2Spec({ type: 2, advertIntUs: 3_000_000 })) }, v2Ctx()), 'advert_interval', 'DROP', null);
    // wrong address count and bad checksum: count first
    const q = encodeIPv4Advert(v3Spec({ addresses: ['10.9.9.2'] }));
    expectReject(checkReceivedAdvert({ bytes: patch(q, 27, q[27]! ^ 1) }, v3Ctx()), 'address_count', 'KO', 'addr_list_err');
  });

  after(() => {
    const missing = RECEIVE_CHECKS.filter((c) => !tested.has(c));
    assert.deepEqual(missing, [], `receive checks without a test: ${missing.join(', ')}`);
  });
});

/**
 * The codec against packets captured from the real keepalived 2.2.7 (test/fixtures/vrrp-golden):
 * every vector decodes, re-encodes byte for byte (IPv4: the whole packet with the IP header
 * checksum; IPv6: the VRRP payload, checksum verified with the captured src/dst), and passes
 * the receive checks of a matching peer.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { authDataFromPassword } from '../../src/vrrp/auth.js';
import { ipv4HeaderChecksumOk } from '../../src/vrrp/ipv4-header.js';
import {
  decodeIPv4Packet,
  decodeIPv6Packet,
  decodeVrrpMessage,
  encodeIPv4Advert,
  encodeVrrpMessage,
  vrrpChecksumOk,
  computeVrrpChecksum,
  type IPv4AdvertSpec,
} from '../../src/vrrp/packet.js';
import { checkReceivedAdvert, type ReceiverContext } from '../../src/vrrp/receive-checks.js';
import { allGolden, hex, loadGolden, unhex } from './golden.js';

/** What each scenario's keepalived.conf says (also in the JSON's config text). */
const SCENARIOS: Record<string, { authPass?: string; ah?: boolean; oldUnicastChecksum?: boolean; unicast?: string[]; advertIntUs: number; version: 2 | 3 }> = {
  'v2-pass': { authPass: 'secret12345', advertIntUs: 1_000_000, version: 2 },
  'v2-ah': { authPass: 'ahpass', ah: true, advertIntUs: 1_000_000, version: 2 },
  'v3-ipv4-multicast': { advertIntUs: 500_000, version: 3 },
  'v3-ipv4-unicast': { unicast: ['10.0.0.2', '10.0.0.3'], advertIntUs: 1_000_000, version: 3 },
  'v3-ipv4-unicast-old-checksum': { unicast: ['10.0.0.2', '10.0.0.3'], oldUnicastChecksum: true, advertIntUs: 1_000_000, version: 3 },
  'v3-ipv6': { advertIntUs: 1_000_000, version: 3 },
};

describe('golden vectors from keepalived 2.2.7', () => {
  it('has every scenario, each ending with a priority-0 advert', () => {
    const files = allGolden();
    assert.deepEqual(files.map((f) => f.scenario).sort(), Object.keys(SCENARIOS).sort());
    for (const f of files) {
      assert.ok(f.packets.length >= 3, f.scenario);
      assert.match(f.packets.at(-1)!.summary, /prio 0 /, f.scenario);
      assert.match(f.keepalivedVersion, /^2\.2\.7$/);
    }
  });

  for (const g of allGolden()) {
    const sc = SCENARIOS[g.scenario]!;
    it(`${g.scenario}: decodes and re-encodes every packet byte for byte`, () => {
      for (const p of g.packets) {
        const bytes = unhex(p.hex);
        if (bytes[0]! >> 4 === 4) {
          assert.ok(ipv4HeaderChecksumOk(bytes), 'IP header checksum');
          const d = decodeIPv4Packet(bytes);
          assert.ok(d.ok, `decode ${p.summary}`);
          const { ip, advert, ah } = d.value;
          const authData = sc.authPass !== undefined ? authDataFromPassword(sc.authPass) : undefined;
          const spec: IPv4AdvertSpec = {
            version: advert.version as 2 | 3,
            family: 'inet',
            vrid: advert.vrid,
            priority: advert.priority,
            advertIntUs: sc.advertIntUs,
            addresses: advert.addresses,
            src: '10.0.0.1',
            dst: `${ip.dst.join('.')}`,
            ipId: ip.id,
            ...(sc.version === 2 ? { authType: sc.ah ? ('AH' as const) : sc.authPass ? ('PASS' as const) : ('none' as const) } : {}),
            ...(authData ? { authData } : {}),
            ...(ah ? { ahSeq: ah.seq } : {}),
            ...(sc.oldUnicastChecksum ? { oldUnicastChecksum: true } : {}),
            ...(sc.unicast ? { unicast: true } : {}),
          };
          assert.equal(hex(encodeIPv4Advert(spec)), p.hex, `re-encode ${p.summary}`);
        } else {
          const d6 = decodeIPv6Packet(bytes);
          assert.ok(d6.ok);
          const { ip, payload } = d6.value;
          assert.equal(ip.nextHeader, 112);
          assert.equal(ip.hopLimit, 255);
          assert.equal(ip.trafficClass, 0xc0);
          const how = { kind: 'ipv6-pseudo' as const, src: ip.src, dst: ip.dst };
          assert.ok(vrrpChecksumOk(payload, how), 'IPv6 checksum with the pseudo-header');
          const m = decodeVrrpMessage(payload, 'inet6');
          assert.ok(m.ok);
          const spec = {
            version: 3 as const,
            family: 'inet6' as const,
            vrid: m.value.vrid,
            priority: m.value.priority,
            advertIntUs: sc.advertIntUs,
            addresses: m.value.addresses,
          };
          assert.equal(hex(encodeVrrpMessage(spec, how)), hex(payload));
          // what keepalived hands to the kernel: the same with a zero checksum
          const zero = encodeVrrpMessage(spec, { kind: 'zero' });
          assert.equal(hex(zero.subarray(8)), hex(payload.subarray(8)));
          assert.equal(hex(zero.subarray(0, 6)), hex(payload.subarray(0, 6)));
          assert.equal(zero[6], 0);
          assert.equal(zero[7], 0);
        }
      }
    });

    it(`${g.scenario}: passes a matching peer's receive checks`, () => {
      let ahSeq = 0;
      let compat: ReceiverContext['unicastChecksumCompat'] = 'none';
      for (const p of g.packets) {
        const bytes = unhex(p.hex);
        const v6 = bytes[0]! >> 4 === 6;
        const advert = advertOf(bytes);
        const ctx: ReceiverContext = {
          iname: 'PEER',
          family: v6 ? 'inet6' : 'inet',
          version: sc.version,
          vrid: advert.vrid,
          authType: sc.ah ? 'AH' : sc.authPass ? 'PASS' : 'none',
          ...(sc.authPass ? { authData: authDataFromPassword(sc.authPass) } : {}),
          advertIntUs: sc.advertIntUs,
          vips: advert.addresses,
          unicast: sc.unicast !== undefined,
          unicastPeers: [{ address: '10.0.0.1' }],
          checkUnicastSrc: true,
          ahSeq,
          unicastChecksumCompat: compat,
        };
        let verdict;
        if (v6) {
          const d6 = decodeIPv6Packet(bytes);
          assert.ok(d6.ok);
          verdict = checkReceivedAdvert(
            { bytes: d6.value.payload, src: d6.value.ip.src, dst: d6.value.ip.dst, hopLimit: d6.value.ip.hopLimit, verifyIPv6Checksum: true },
            ctx,
          );
        } else {
          verdict = checkReceivedAdvert({ bytes }, ctx);
        }
        assert.ok(verdict.ok, `${p.summary}: ${!verdict.ok ? verdict.reason : ''}`);
        assert.deepEqual(verdict.counters, advert.priority === 0 ? ['advert_rcvd', 'pri_zero_rcvd'] : ['advert_rcvd']);
        if (sc.ah) {
          assert.equal(verdict.effects.ahSeq, ahSeq + 1);
          ahSeq = verdict.effects.ahSeq!;
        }
        if (sc.oldUnicastChecksum && compat === 'none') {
          assert.equal(verdict.effects.unicastChecksumCompat, 'auto');
          assert.deepEqual(verdict.log, ['(PEER) Setting unicast VRRPv3 checksum to old version']);
          compat = 'auto';
        } else {
          assert.equal(verdict.effects.unicastChecksumCompat, undefined);
        }
      }
    });
  }

  it('v2 PASS: auth_pass longer than 8 characters is truncated to 8 on the wire', () => {
    const g = loadGolden('v2-pass');
    assert.match(g.config, /auth_pass secret12345/);
    const d = decodeIPv4Packet(unhex(g.packets[0]!.hex));
    assert.ok(d.ok);
    assert.equal(Buffer.from(d.value.advert.authData!).toString('latin1'), 'secret12');
    assert.deepEqual(d.value.advert.authData, authDataFromPassword('secret12345'));
    // a peer configured with only the first 8 characters interoperates; one differing there does not
    const ok = checkReceivedAdvert({ bytes: unhex(g.packets[0]!.hex) }, passCtx('secret12'));
    assert.ok(ok.ok);
    const bad = checkReceivedAdvert({ bytes: unhex(g.packets[0]!.hex) }, passCtx('secret13'));
    assert.ok(!bad.ok && bad.counter === 'auth_failure');
  });

  it('v3 IPv4 unicast: the same IP ID for both peers, a different checksum per peer (pseudo-header dst)', () => {
    const g = loadGolden('v3-ipv4-unicast');
    const [a, b] = g.packets.map((p) => decodeIPv4Packet(unhex(p.hex))).slice(0, 2);
    assert.ok(a?.ok && b?.ok);
    assert.equal(a.value.ip.id, b.value.ip.id);
    assert.notEqual(a.value.advert.checksum, b.value.advert.checksum);
    assert.equal(a.value.advert.checksum, 0x42d6);
    assert.equal(b.value.advert.checksum, 0x42d5);
  });

  it('v3 IPv4 old_unicast_checksum: the group address in the pseudo-header, one checksum for all peers', () => {
    const g = loadGolden('v3-ipv4-unicast-old-checksum');
    const [a, b] = g.packets.map((p) => decodeIPv4Packet(unhex(p.hex))).slice(0, 2);
    assert.ok(a?.ok && b?.ok);
    assert.equal(a.value.advert.checksum, b.value.advert.checksum);
    const msg = unhex(g.packets[0]!.hex).subarray(20);
    assert.ok(vrrpChecksumOk(msg, { kind: 'ipv4-pseudo', src: '10.0.0.1', dst: '224.0.0.18' }));
    assert.ok(!vrrpChecksumOk(msg, { kind: 'ipv4-pseudo', src: '10.0.0.1', dst: '10.0.0.2' }));
    // a receiver set to `old_unicast_checksum never` refuses it
    const never = checkReceivedAdvert({ bytes: unhex(g.packets[0]!.hex) }, { ...v3UnicastCtx(56, '10.9.9.6'), unicastChecksumCompat: 'never' });
    assert.ok(!never.ok);
    assert.equal(never.counter, 'chk_err');
    assert.equal(never.reason, '(PEER) Invalid VRRPv3 checksum');
    // a receiver already in compatibility mode refuses the new-style checksum
    const nu = loadGolden('v3-ipv4-unicast');
    const cfg = checkReceivedAdvert({ bytes: unhex(nu.packets[0]!.hex) }, { ...v3UnicastCtx(55, '10.9.9.5'), unicastChecksumCompat: 'config' });
    assert.ok(!cfg.ok && cfg.check === 'checksum');
  });

  it('matches the hex in keepalived-features.md §5.2-5.4', () => {
    const first = (s: string) => loadGolden(s).packets[0]!.hex;
    const last = (s: string) => loadGolden(s).packets.at(-1)!.hex;
    assert.equal(first('v2-pass'), '45c0002800010000ff70d0910a000001e0000012' + '213396010101c741' + '0a090901' + '7365637265743132');
    assert.equal(last('v2-pass').slice(40), '213300010101' + '5d42' + '0a090901' + '7365637265743132');
    assert.equal(first('v3-ipv4-multicast'), '45c0002400010000ff70d0950a000001e0000012' + '313464020032' + '59ec' + '0a0909020a090903');
    const u = loadGolden('v3-ipv4-unicast').packets;
    assert.equal(u[0]!.hex.slice(16, 40) + u[0]!.hex.slice(40), 'ff70a6aa0a0000010a000002' + '31376401006442d60a090905');
    assert.equal(u[1]!.hex.slice(16, 40) + u[1]!.hex.slice(40), 'ff70a6a90a0000010a000003' + '31376401006442d50a090905');
    assert.equal(
      first('v2-ah'),
      '45c0004000010000ff33d0b60a000001e0000012' + '700400000a000001000000010b911977704c118b69d8d7cf' + '2136fe010201cbb90a090904' + '0000000000000000',
    );
    // without the pseudo-header the v3 multicast checksum would be 0x4480 (§5.3)
    const msg = unhex(first('v3-ipv4-multicast')).subarray(20);
    assert.equal(computeVrrpChecksum(msg, { kind: 'message' }), 0x4480);
  });
});

function advertOf(bytes: Uint8Array) {
  if (bytes[0]! >> 4 === 4) {
    const d = decodeIPv4Packet(bytes);
    assert.ok(d.ok);
    return d.value.advert;
  }
  const d6 = decodeIPv6Packet(bytes);
  assert.ok(d6.ok);
  const m = decodeVrrpMessage(d6.value.payload, 'inet6');
  assert.ok(m.ok);
  return m.value;
}

function passCtx(pw: string): ReceiverContext {
  return {
    family: 'inet',
    version: 2,
    vrid: 51,
    authType: 'PASS',
    authData: authDataFromPassword(pw),
    advertIntUs: 1_000_000,
    vips: ['10.9.9.1'],
    unicast: false,
  };
}

function v3UnicastCtx(vrid: number, vip: string): ReceiverContext {
  return {
    iname: 'PEER',
    family: 'inet',
    version: 3,
    vrid,
    authType: 'none',
    advertIntUs: 1_000_000,
    vips: [vip],
    unicast: true,
    unicastPeers: [{ address: '10.0.0.1' }],
  };
}

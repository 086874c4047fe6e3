/**
 * Property tests for the VRRP codec: encode → decode round-trips for every valid packet, every
 * encoded packet passes a matching receiver's checks, and decoding / checking never throws on
 * arbitrary or mutated bytes.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { constantTimeEqual, authDataFromPassword, type VrrpAuthType } from '../../src/vrrp/auth.js';
import { internetChecksum } from '../../src/vrrp/checksum.js';
import { ipv4HeaderChecksumOk } from '../../src/vrrp/ipv4-header.js';
import {
  addressToBytes,
  bytesToAddress,
  decodeIPv4Packet,
  decodeIPv6Packet,
  decodeVrrpMessage,
  encodeIPv4Advert,
  encodeVrrpMessage,
  vrrpChecksumOk,
  type IPv4AdvertSpec,
  type VrrpFamily,
} from '../../src/vrrp/packet.js';
import { checkReceivedAdvert, type ReceiverContext } from '../../src/vrrp/receive-checks.js';

const addr = (family: VrrpFamily) =>
  fc.uint8Array({ minLength: family === 'inet' ? 4 : 16, maxLength: family === 'inet' ? 4 : 16 }).map((b) => bytesToAddress(family, b));
const unicastAddr = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .map((a) => a.join('.'));

interface V4Case {
  spec: IPv4AdvertSpec;
  unicast: boolean;
}

const v4Case: fc.Arbitrary<V4Case> = fc
  .record({
    version: fc.constantFrom(2 as const, 3 as const),
    vrid: fc.integer({ min: 0, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    secs: fc.integer({ min: 1, max: 255 }),
    cs: fc.integer({ min: 1, max: 4095 }),
    count: fc.integer({ min: 0, max: 255 }),
    addrs: fc.array(addr('inet'), { minLength: 255, maxLength: 255 }),
    auth: fc.constantFrom<VrrpAuthType>('none', 'PASS', 'AH'),
    password: fc.string({ maxLength: 12 }),
    src: unicastAddr,
    unicastDst: fc.option(unicastAddr, { nil: undefined }),
    ipId: fc.integer({ min: 0, max: 0xffff }),
    ahSeq: fc.integer({ min: 1, max: 0xffffffff }),
    oldUnicastChecksum: fc.boolean(),
    v3ChecksumAsV2: fc.boolean(),
  })
  .map((r) => {
    const unicast = r.unicastDst !== undefined;
    const spec: IPv4AdvertSpec = {
      version: r.version,
      family: 'inet',
      vrid: r.vrid,
      priority: r.priority,
      advertIntUs: r.version === 2 ? r.secs * 1_000_000 : r.cs * 10_000,
      addresses: r.addrs.slice(0, r.count),
      src: r.src,
      dst: r.unicastDst ?? '224.0.0.18',
      ipId: r.ipId,
      unicast,
    };
    if (r.version === 2) {
      spec.authType = r.auth;
      if (r.auth !== 'none') spec.authData = authDataFromPassword(r.password);
      if (r.auth === 'AH') spec.ahSeq = r.ahSeq;
    } else {
      if (unicast && r.oldUnicastChecksum) spec.oldUnicastChecksum = true;
      if (r.v3ChecksumAsV2) spec.v3ChecksumAsV2 = true;
    }
    return { spec, unicast };
  });

function receiverFor(c: V4Case): ReceiverContext {
  const s = c.spec;
  return {
    family: 'inet',
    version: s.version,
    vrid: s.vrid,
    authType: s.version === 2 ? (s.authType ?? 'none') : 'none',
    ...(s.authData ? { authData: s.authData } : {}),
    advertIntUs: s.advertIntUs,
    vips: s.addresses,
    unicast: c.unicast,
    unicastPeers: [{ address: s.src }],
    checkUnicastSrc: true,
    ...(s.ahSeq !== undefined ? { ahSeq: s.ahSeq - 1 } : {}),
    ...(s.oldUnicastChecksum ? { unicastChecksumCompat: 'config' as const } : {}),
    ...(s.v3ChecksumAsV2 ? { v3ChecksumAsV2: true } : {}),
  };
}

describe('VRRP codec properties', () => {
  it('IPv4: encode → decode round-trips every valid advert, and re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(v4Case, (c) => {
        const bytes = encodeIPv4Advert(c.spec);
        assert.ok(ipv4HeaderChecksumOk(bytes));
        const d = decodeIPv4Packet(bytes);
        assert.ok(d.ok);
        const { advert, ip, ah } = d.value;
        assert.equal(advert.version, c.spec.version);
        assert.equal(advert.type, 1);
        assert.equal(advert.vrid, c.spec.vrid);
        assert.equal(advert.priority, c.spec.priority);
        assert.equal(advert.count, c.spec.addresses.length);
        assert.deepEqual(advert.addresses, c.spec.addresses);
        assert.equal(advert.advertIntUs, c.spec.advertIntUs);
        assert.equal(ip.totalLength, bytes.length);
        assert.equal(ip.id, c.spec.ipId);
        assert.equal(ip.ttl, 255);
        assert.equal(ip.tos, 0xc0);
        assert.equal(ip.fragOff, 0);
        assert.equal(ah !== undefined, c.spec.authType === 'AH' && c.spec.version === 2);
        if (ah) assert.equal(ah.seq, c.spec.ahSeq);
        if (c.spec.version === 2) {
          assert.equal(advert.authType, { none: 0, PASS: 1, AH: 2 }[c.spec.authType ?? 'none']);
          const want = c.spec.authType === 'PASS' ? c.spec.authData! : new Uint8Array(8);
          assert.ok(constantTimeEqual(advert.authData!, want));
        } else {
          assert.equal(advert.reserved, 0);
        }
        const again = encodeIPv4Advert({ ...c.spec, addresses: advert.addresses, ipId: ip.id });
        assert.deepEqual(again, bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('IPv4: every encoded advert passes the checks of a matching receiver', () => {
    fc.assert(
      fc.property(v4Case, (c) => {
        const v = checkReceivedAdvert({ bytes: encodeIPv4Advert(c.spec) }, receiverFor(c));
        assert.ok(v.ok, !v.ok ? `${v.check}: ${v.reason}` : '');
        assert.deepEqual(v.counters, c.spec.priority === 0 ? ['advert_rcvd', 'pri_zero_rcvd'] : ['advert_rcvd']);
        if (c.spec.authType === 'AH' && c.spec.version === 2) assert.equal(v.effects.ahSeq, c.spec.ahSeq);
      }),
      { numRuns: 1000 },
    );
  });

  it('IPv6: encode → decode round-trips, the checksum verifies with the IPv6 pseudo-header', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: 4095 }),
        fc.array(addr('inet6'), { maxLength: 255 }),
        addr('inet6'),
        fc.option(addr('inet6'), { nil: undefined }),
        (vrid, priority, cs, addresses, src, uniDst) => {
          const dst = uniDst ?? 'ff02::12';
          const spec = { version: 3 as const, family: 'inet6' as const, vrid, priority, advertIntUs: cs * 10_000, addresses };
          const msg = encodeVrrpMessage(spec, { kind: 'ipv6-pseudo', src, dst });
          assert.equal(msg.length, 8 + 16 * addresses.length);
          assert.ok(vrrpChecksumOk(msg, { kind: 'ipv6-pseudo', src, dst }));
          const d = decodeVrrpMessage(msg, 'inet6');
          assert.ok(d.ok);
          assert.deepEqual(
            { vrid: d.value.vrid, priority: d.value.priority, addresses: d.value.addresses, us: d.value.advertIntUs },
            { vrid, priority, addresses, us: cs * 10_000 },
          );
          assert.deepEqual(encodeVrrpMessage({ ...spec, addresses: d.value.addresses }, { kind: 'ipv6-pseudo', src, dst }), msg);
          const unicast = addressToBytes('inet6', dst)[0] !== 0xff;
          const v = checkReceivedAdvert(
            { bytes: msg, src, dst, hopLimit: 255, verifyIPv6Checksum: true },
            { family: 'inet6', version: 3, vrid, authType: 'none', advertIntUs: 1_000_000, vips: addresses, unicast, unicastPeers: [{ address: src }], checkUnicastSrc: true },
          );
          assert.ok(v.ok, !v.ok ? v.reason : '');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the Internet checksum of data including its own checksum is 0', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }).map((a) => (a.length % 2 ? a.subarray(1) : a)), (data) => {
        const withSum = new Uint8Array(data.length + 2);
        withSum.set(data);
        const c = internetChecksum(data);
        withSum[data.length] = c >> 8;
        withSum[data.length + 1] = c & 0xff;
        assert.equal(internetChecksum(withSum), 0);
      }),
    );
  });

  const ctxArb: fc.Arbitrary<ReceiverContext> = fc.record({
    family: fc.constantFrom<VrrpFamily>('inet', 'inet6'),
    version: fc.constantFrom(2 as const, 3 as const),
    vrid: fc.integer({ min: 0, max: 255 }),
    authType: fc.constantFrom<VrrpAuthType>('none', 'PASS', 'AH'),
    authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    advertIntUs: fc.constantFrom(1_000_000, 500_000, 3_000_000),
    vips: fc.constantFrom<string[]>([], ['10.9.9.1'], ['10.9.9.2', '10.9.9.3']),
    unicast: fc.boolean(),
    unicastPeers: fc.constant([{ address: '10.0.0.1', minTtl: 10, maxTtl: 200 }]),
    checkUnicastSrc: fc.boolean(),
    skipCheckAdvAddr: fc.boolean(),
    isNewMaster: fc.boolean(),
    unicastChecksumCompat: fc.constantFrom('none' as const, 'never' as const, 'config' as const, 'auto' as const),
    v3ChecksumAsV2: fc.boolean(),
    ahSeq: fc.integer({ min: 0, max: 0xffffffff }),
  }).map((c) => (c.family === 'inet6' ? { ...c, vips: c.vips.length ? ['fe80::53'] : [], unicastPeers: [{ address: 'fe80::1' }] } : c));

  const rxOpts = fc.record({
    src: fc.option(fc.constantFrom('10.0.0.1', 'fe80::1', 'not-an-address', '::'), { nil: undefined }),
    dst: fc.option(fc.constantFrom('ff02::12', 'fe80::2', '224.0.0.18', 'garbage'), { nil: undefined }),
    hopLimit: fc.option(fc.integer({ min: -5, max: 300 }), { nil: undefined }),
    verifyIPv6Checksum: fc.boolean(),
  });

  function neverThrows(bytes: Uint8Array, ctx: ReceiverContext, o: { src?: string | undefined; dst?: string | undefined; hopLimit?: number | undefined; verifyIPv6Checksum: boolean }): void {
    decodeIPv4Packet(bytes);
    decodeIPv6Packet(bytes);
    decodeVrrpMessage(bytes, 'inet');
    decodeVrrpMessage(bytes, 'inet6');
    const rx = { bytes, verifyIPv6Checksum: o.verifyIPv6Checksum, ...(o.src !== undefined ? { src: o.src } : {}), ...(o.dst !== undefined ? { dst: o.dst } : {}), ...(o.hopLimit !== undefined ? { hopLimit: o.hopLimit } : {}) };
    const v = checkReceivedAdvert(rx, ctx);
    assert.equal(typeof v.ok, 'boolean');
    if (!v.ok) assert.ok(typeof v.reason === 'string' && v.reason.length > 0);
  }

  it('decode and check never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), ctxArb, rxOpts, (bytes, ctx, o) => neverThrows(bytes, ctx, o)),
      { numRuns: 3000 },
    );
  });

  it('decode and check never throw on mutated valid packets', () => {
    fc.assert(
      fc.property(
        v4Case,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: -8, max: 8 }),
        ctxArb,
        rxOpts,
        (c, flips, resize, ctx, o) => {
          let bytes = encodeIPv4Advert({ ...c.spec, addresses: c.spec.addresses.slice(0, 3) });
          for (const [i, v] of flips) bytes[i % bytes.length] = v;
          if (resize < 0) bytes = bytes.subarray(0, Math.max(0, bytes.length + resize));
          else if (resize > 0) {
            const b = new Uint8Array(bytes.length + resize);
            b.set(bytes);
            bytes = b;
          }
          neverThrows(bytes, { ...ctx, vrid: c.spec.vrid }, o);
          neverThrows(bytes, { ...receiverFor(c), vips: c.spec.addresses.slice(0, 3) }, o);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

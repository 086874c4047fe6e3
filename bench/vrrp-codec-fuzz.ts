/**
 * Fuzzes the VRRP codec and receive checks: N random cases (default 1,000,000), half random
 * bytes, half mutated valid adverts, each decoded as IPv4 / IPv6 and run through
 * checkReceivedAdvert() with a random receiver. Counts exceptions (must be 0) and prints timing
 * and the verdict distribution.
 *
 *   npx tsc -p . && node dist/bench/vrrp-codec-fuzz.js [CASES] [SEED]
 */
import { authDataFromPassword, type VrrpAuthType } from '../src/vrrp/auth.js';
import { bytesToAddress, decodeIPv4Packet, decodeIPv6Packet, decodeVrrpMessage, encodeIPv4Advert, encodeVrrpMessage } from '../src/vrrp/packet.js';
import { checkReceivedAdvert, type ReceivedPacket, type ReceiverContext } from '../src/vrrp/receive-checks.js';

const cases = Number(process.argv[2] ?? 1_000_000);
let seed = Number(process.argv[3] ?? 0x9e3779b9) >>> 0 || 1;

/** xorshift32 */
function rnd(): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
const int = (n: number) => rnd() % n;
const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
const randBytes = (n: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rnd() & 0xff;
  return b;
};

const AUTHS: VrrpAuthType[] = ['none', 'PASS', 'AH'];
const PASSWORDS = [authDataFromPassword('secret12'), authDataFromPassword('ahpass'), new Uint8Array(8)];
const V4_VIPS = [[], ['10.9.9.1'], ['10.9.9.2', '10.9.9.3']];
const V6_VIPS = [[], ['fe80::53'], ['fe80::53', '2001:db8::53']];

function validPacket(): { bytes: Uint8Array; v6: boolean } {
  const v6 = int(4) === 0;
  if (v6) {
    const addresses = pick(V6_VIPS);
    const bytes = encodeVrrpMessage(
      { version: 3, family: 'inet6', vrid: int(256), priority: int(256), advertIntUs: (1 + int(4095)) * 10_000, addresses },
      { kind: 'ipv6-pseudo', src: 'fe80::1', dst: 'ff02::12' },
    );
    return { bytes, v6 };
  }
  const version = int(2) === 0 ? 2 : 3;
  const count = int(5);
  const addresses = Array.from({ length: count }, () => bytesToAddress('inet', randBytes(4)));
  if (int(2)) addresses.splice(0, addresses.length, ...pick(V4_VIPS));
  const bytes = encodeIPv4Advert({
    version,
    family: 'inet',
    vrid: int(256),
    priority: int(256),
    advertIntUs: version === 2 ? (1 + int(3)) * 1_000_000 : (1 + int(4095)) * 10_000,
    addresses,
    authType: pick(AUTHS),
    authData: pick(PASSWORDS),
    src: int(2) ? '10.0.0.1' : '10.0.0.9',
    dst: int(2) ? '224.0.0.18' : '10.0.0.2',
    ipId: int(65536),
    ttl: int(4) ? 255 : int(256),
    ahSeq: 1 + int(10),
    oldUnicastChecksum: int(2) === 0,
    type: int(8) ? 1 : int(16),
  });
  return { bytes, v6 };
}

function mutate(b: Uint8Array): Uint8Array {
  let out = b;
  const k = int(4);
  for (let i = 0; i < k && out.length; i++) out[int(out.length)] = rnd() & 0xff;
  const r = int(6);
  if (r === 0) out = out.subarray(0, int(out.length + 1));
  else if (r === 1) {
    const n = new Uint8Array(out.length + 1 + int(8));
    n.set(out);
    out = n;
  }
  return out;
}

function randomCtx(v6: boolean, vrid: number): ReceiverContext {
  const family = v6 ? 'inet6' : 'inet';
  return {
    iname: 'FUZZ',
    family,
    version: int(2) ? 3 : 2,
    vrid: int(8) ? vrid : int(256),
    authType: pick(AUTHS),
    authData: pick(PASSWORDS),
    advertIntUs: pick([1_000_000, 2_000_000, 500_000]),
    vips: v6 ? pick(V6_VIPS) : pick(V4_VIPS),
    unicast: int(2) === 0,
    unicastPeers: [{ address: v6 ? 'fe80::1' : '10.0.0.1', minTtl: int(256), maxTtl: int(256) }],
    checkUnicastSrc: int(2) === 0,
    skipCheckAdvAddr: int(2) === 0,
    isNewMaster: int(2) === 0,
    unicastChecksumCompat: pick(['none', 'never', 'config', 'auto'] as const),
    v3ChecksumAsV2: int(4) === 0,
    ahSeq: int(12),
  };
}

const verdicts = new Map<string, number>();
let exceptions = 0;
let firstError: unknown;
const t0 = process.hrtime.bigint();
for (let i = 0; i < cases; i++) {
  let bytes: Uint8Array;
  let v6: boolean;
  if (i & 1) {
    bytes = randBytes(int(90));
    v6 = int(2) === 0;
  } else {
    const p = validPacket();
    bytes = mutate(p.bytes);
    v6 = p.v6;
  }
  try {
    decodeIPv4Packet(bytes);
    decodeIPv6Packet(bytes);
    decodeVrrpMessage(bytes, v6 ? 'inet6' : 'inet');
    const vrid = v6 ? (bytes[1] ?? 0) : (bytes[((bytes[0] ?? 0) & 15) * 4 + 1] ?? 0);
    const rx: ReceivedPacket = v6
      ? { bytes, src: pick(['fe80::1', 'fe80::9']), dst: pick(['ff02::12', 'fe80::2']), hopLimit: pick([255, 1, 64]), verifyIPv6Checksum: int(2) === 0 }
      : { bytes };
    const v = checkReceivedAdvert(rx, randomCtx(v6, vrid));
    const key = v.ok ? 'accepted' : `${v.kind} ${v.check}`;
    verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
  } catch (e) {
    exceptions++;
    firstError ??= e;
  }
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;

console.log(`VRRP codec fuzz: ${cases.toLocaleString('en')} cases in ${(ms / 1000).toFixed(2)} s (${Math.round((cases / ms) * 1000).toLocaleString('en')} cases/s), ${exceptions} exceptions`);
for (const [k, n] of [...verdicts].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(28)} ${n}`);
if (exceptions) {
  console.error('first exception:', firstError);
  process.exitCode = 1;
}

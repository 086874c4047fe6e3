/**
 * VRRP packet codec: VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798 / RFC 9568), IPv4 and IPv6, built
 * byte for byte as keepalived 2.2.7 builds them (vrrp_build_vrrp_v2/v3(), vrrp_build_ip4(),
 * vrrp_build_ipsecah(), vrrp_update_pkt()). Pure: no sockets, no clock, no fs.
 *
 * Two layers:
 * - the VRRP message alone (encodeVrrpMessage / decodeVrrpMessage): what an IPv6 raw socket
 *   sends and receives (the kernel builds the IPv6 header and, with IPV6_CHECKSUM, the checksum);
 * - the whole IPv4 packet (encodeIPv4Advert / decodeIPv4Packet): what keepalived writes on its
 *   IP_HDRINCL socket and what an IPv4 raw socket returns, with the optional IPSEC-AH header.
 *
 * Addresses are canonical text (inet_ntop form: "10.0.0.1", "fe80::53") in the API.
 */
import { formatIPv6, parseIPv4, parseIPv6, type Family } from '../config/entries/inet.js';
import { ahIcv, authTypeToWire, IPSEC_AH_LEN, IPSEC_AH_PLEN, VRRP_AUTH_LEN, type VrrpAuthType } from './auth.js';
import { internetChecksumRange, ipv4PseudoHeader, ipv6PseudoHeader, onesComplementSum } from './checksum.js';
import {
  IPPROTO_AH,
  IPPROTO_VRRP,
  IPV4_HEADER_LEN,
  readIPv4Header,
  VRRP_IP_TOS,
  VRRP_IP_TTL,
  writeIPv4Header,
  type IPv4Header,
} from './ipv4-header.js';

export type VrrpFamily = Family;

/** Fixed VRRP header: vers/type, vrid, priority, count, (auth type, adver int) | max adver int, checksum. */
export const VRRP_HEADER_LEN = 8;
export const VRRP_TYPE_ADVERT = 1;
export const VRRP_VERSION_2 = 2;
export const VRRP_VERSION_3 = 3;
export const VRRP_PRIO_OWNER = 255;
export const VRRP_PRIO_STOP = 0;
export const VRRP_MCAST_GROUP4 = '224.0.0.18';
export const VRRP_MCAST_GROUP6 = 'ff02::12';
/** keepalived's timer units: µs per second and per centisecond. */
export const TIMER_HZ = 1_000_000;
export const TIMER_CENTI_HZ = 10_000;
export const MAX_VRRP_ADDRESSES = 255;

export { IPPROTO_AH, IPPROTO_VRRP, VRRP_AUTH_LEN, IPSEC_AH_LEN };

// ---------------------------------------------------------------- addresses

export const addressLength = (family: VrrpFamily): 4 | 16 => (family === 'inet' ? 4 : 16);

/** Text → network-order bytes. Throws RangeError on text that is not an address of `family`. */
export function addressToBytes(family: VrrpFamily, text: string): Uint8Array {
  if (family === 'inet') {
    const v = parseIPv4(text);
    if (!v) throw new RangeError(`not an IPv4 address: ${text}`);
    return Uint8Array.from(v);
  }
  const g = parseIPv6(text);
  if (!g) throw new RangeError(`not an IPv6 address: ${text}`);
  const out = new Uint8Array(16);
  g.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Network-order bytes at `buf[off]` → canonical text (glibc inet_ntop). */
export function bytesToAddress(family: VrrpFamily, buf: Uint8Array, off = 0): string {
  if (family === 'inet') return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!);
  return formatIPv6(g);
}

// ---------------------------------------------------------------- VRRP message

/** What is needed to build one VRRP message (keepalived's vrrp_t fields that go on the wire). */
export interface VrrpMessageSpec {
  version: 2 | 3;
  family: VrrpFamily;
  /** 0..255 on the wire (keepalived configures 1..255). */
  vrid: number;
  /** 0..255: 0 is the "stop" advert, 255 the address owner. */
  priority: number;
  /**
   * Advert interval in µs (keepalived's adver_int). Put on the wire as keepalived does:
   * v2 `(uint8_t)(adver_int / 1 s)`, v3 `(adver_int / 10 ms) & 0x0fff`.
   */
  advertIntUs: number;
  /** The VIPs, at most 255, all of `family`. */
  addresses: readonly string[];
  /** v2 only (ignored for v3). Default 'none'. */
  authType?: VrrpAuthType;
  /** v2 PASS: the 8-byte auth_data (authDataFromPassword()). Zeros when absent / not PASS. */
  authData?: Uint8Array;
  /** The type nibble, 1 (ADVERTISEMENT) unless testing. */
  type?: number;
}

/** How the VRRP checksum field is filled. */
export type VrrpChecksumSpec =
  /** Internet checksum over the VRRP message only: v2, or v3 with v3_checksum_as_v2. */
  | { kind: 'message' }
  /** v3 over IPv4: with the pseudo-header {src, dst, 0, 112, len}. dst = the group, the peer, or (old_unicast_checksum) the group. */
  | { kind: 'ipv4-pseudo'; src: string; dst: string }
  /** IPv6: with the IPv6 pseudo-header (what the kernel computes with IPV6_CHECKSUM). */
  | { kind: 'ipv6-pseudo'; src: string; dst: string }
  /** Leave 0 (keepalived's IPv6 send buffer: the kernel fills it). */
  | { kind: 'zero' };

/** Length of the VRRP message for `count` addresses (keepalived's expected_vrrp_pkt_len()). */
export function vrrpMessageLength(version: number, family: VrrpFamily, count: number): number {
  return VRRP_HEADER_LEN + (family === 'inet' && version === 2 ? VRRP_AUTH_LEN : 0) + count * addressLength(family);
}

/** The wire value of the interval field for `advertIntUs` (v2: 8-bit seconds, v3: 12-bit centiseconds). */
export function advertIntToWire(version: 2 | 3, advertIntUs: number): number {
  return version === 2 ? Math.floor(advertIntUs / TIMER_HZ) & 0xff : Math.floor(advertIntUs / TIMER_CENTI_HZ) & 0x0fff;
}

/** µs for a received interval field value. */
export function advertIntFromWire(version: number, wire: number): number {
  return version === 2 ? wire * TIMER_HZ : (wire & 0x0fff) * TIMER_CENTI_HZ;
}

function checkSpec(spec: VrrpMessageSpec): void {
  const byte = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} must be 0..255, got ${v}`);
  };
  byte('vrid', spec.vrid);
  byte('priority', spec.priority);
  if (spec.addresses.length > MAX_VRRP_ADDRESSES) throw new RangeError(`at most ${MAX_VRRP_ADDRESSES} addresses`);
  if (spec.type !== undefined && (!Number.isInteger(spec.type) || spec.type < 0 || spec.type > 15)) throw new RangeError('type is 4 bits');
  if (!(spec.advertIntUs >= 0)) throw new RangeError('advertIntUs must be >= 0');
  if (spec.authData && spec.authData.length !== VRRP_AUTH_LEN) throw new RangeError('authData must be 8 bytes');
}

/** Writes the VRRP message at `buf[off]` with a zero checksum; returns its length. */
function writeVrrpMessage(buf: Uint8Array, off: number, spec: VrrpMessageSpec): number {
  checkSpec(spec);
  const alen = addressLength(spec.family);
  buf[off] = (spec.version << 4) | ((spec.type ?? VRRP_TYPE_ADVERT) & 0x0f);
  buf[off + 1] = spec.vrid;
  buf[off + 2] = spec.priority;
  buf[off + 3] = spec.addresses.length;
  if (spec.version === 2) {
    buf[off + 4] = authTypeToWire(spec.authType ?? 'none');
    buf[off + 5] = advertIntToWire(2, spec.advertIntUs);
  } else {
    const w = advertIntToWire(3, spec.advertIntUs);
    buf[off + 4] = w >> 8;
    buf[off + 5] = w & 0xff;
  }
  buf[off + 6] = 0;
  buf[off + 7] = 0;
  let p = off + VRRP_HEADER_LEN;
  for (const a of spec.addresses) {
    buf.set(addressToBytes(spec.family, a), p);
    p += alen;
  }
  if (spec.version === 2 && spec.family === 'inet') {
    // keepalived always sends the 8 auth bytes in v2 over IPv4; only PASS fills them
    if (spec.authType === 'PASS' && spec.authData) buf.set(spec.authData, p);
    else buf.fill(0, p, p + VRRP_AUTH_LEN);
    p += VRRP_AUTH_LEN;
  }
  return p - off;
}

/** The checksum of a VRRP message (bytes 6-7 taken as zero) under `how`. */
export function computeVrrpChecksum(msg: Uint8Array, how: VrrpChecksumSpec, start = 0, end = msg.length): number {
  if (how.kind === 'zero') return 0;
  let init = 0;
  const len = end - start;
  if (how.kind === 'ipv4-pseudo') {
    init = onesComplementSum(ipv4PseudoHeader(addressToBytes('inet', how.src), addressToBytes('inet', how.dst), IPPROTO_VRRP, len));
  } else if (how.kind === 'ipv6-pseudo') {
    init = onesComplementSum(ipv6PseudoHeader(addressToBytes('inet6', how.src), addressToBytes('inet6', how.dst), IPPROTO_VRRP, len));
  }
  // sum with the checksum field (bytes 6-7) treated as zero
  let sum = onesComplementSum(msg, init, start, start + 6) + onesComplementSum(msg, 0, start + 8, end);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Verifies the checksum of a VRRP message (bytes [start, end)) as received: the sum including the field is 0xffff. */
export function vrrpChecksumOk(msg: Uint8Array, how: Exclude<VrrpChecksumSpec, { kind: 'zero' }>, start = 0, end = msg.length): boolean {
  return computeVrrpChecksum(msg, how, start, end) === ((msg[start + 6]! << 8) | msg[start + 7]!);
}

/**
 * Encodes the VRRP message alone (no IP header): for IPv6 raw sockets (pass { kind: 'zero' } as
 * keepalived does; the kernel computes the checksum) or for tests / the simulator.
 */
export function encodeVrrpMessage(spec: VrrpMessageSpec, checksum: VrrpChecksumSpec): Uint8Array {
  const buf = new Uint8Array(vrrpMessageLength(spec.version, spec.family, spec.addresses.length));
  writeVrrpMessage(buf, 0, spec);
  const c = computeVrrpChecksum(buf, checksum);
  buf[6] = c >> 8;
  buf[7] = c & 0xff;
  return buf;
}

/** A decoded VRRP message. Fields are the raw wire values; nothing is validated beyond lengths. */
export interface VrrpAdvert {
  /** High nibble of byte 0. */
  version: number;
  /** Low nibble of byte 0 (1 = ADVERTISEMENT). */
  type: number;
  vrid: number;
  priority: number;
  /** The Count IPvX Addr field. */
  count: number;
  family: VrrpFamily;
  /** The `count` addresses as canonical text. */
  addresses: string[];
  /** The interval field in wire units: v2 seconds (8 bit), v3 centiseconds (low 12 bits). */
  advertInt: number;
  /** The same in µs (keepalived's master_adver_int for v3). */
  advertIntUs: number;
  /** v3: the 4 reserved bits above Max Adver Int (keepalived sends 0 and ignores them). */
  reserved?: number;
  /** v2: the Auth Type field. */
  authType?: number;
  /** v2 over IPv4: the 8 authentication bytes that follow the addresses. */
  authData?: Uint8Array;
  checksum: number;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Decodes the VRRP message at `buf[off..]`. Needs the 8-byte header and the `count` addresses
 * (and for v2/IPv4 the 8 auth bytes); bytes after that are ignored (the receive checks compare
 * lengths). Never throws.
 */
export function decodeVrrpMessage(buf: Uint8Array, family: VrrpFamily, off = 0): DecodeResult<VrrpAdvert> {
  if (buf.length - off < VRRP_HEADER_LEN) return { ok: false, reason: `VRRP message too short - ${buf.length - off} bytes` };
  const version = buf[off]! >> 4;
  const count = buf[off + 3]!;
  const need = vrrpMessageLength(version, family, count);
  if (buf.length - off < need) return { ok: false, reason: `VRRP message truncated: ${buf.length - off} bytes, ${need} needed for ${count} addresses` };
  const alen = addressLength(family);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(bytesToAddress(family, buf, off + VRRP_HEADER_LEN + i * alen));
  const f45 = (buf[off + 4]! << 8) | buf[off + 5]!;
  const advertInt = version === 2 ? buf[off + 5]! : f45 & 0x0fff;
  const advert: VrrpAdvert = {
    version,
    type: buf[off]! & 0x0f,
    vrid: buf[off + 1]!,
    priority: buf[off + 2]!,
    count,
    family,
    addresses,
    advertInt,
    advertIntUs: advertIntFromWire(version, advertInt),
    checksum: (buf[off + 6]! << 8) | buf[off + 7]!,
  };
  if (version === 2) {
    advert.authType = buf[off + 4]!;
    if (family === 'inet') {
      const a = off + VRRP_HEADER_LEN + count * alen;
      advert.authData = Uint8Array.prototype.slice.call(buf, a, a + VRRP_AUTH_LEN);
    }
  } else {
    advert.reserved = f45 >> 12;
  }
  return { ok: true, value: advert };
}

// ---------------------------------------------------------------- IPv4 packet

/** Everything keepalived puts in one IPv4 advert. */
export interface IPv4AdvertSpec extends VrrpMessageSpec {
  family: 'inet';
  /** IP source (mcast_src_ip / unicast_src_ip / the interface's primary address). */
  src: string;
  /** IP destination: the group (224.0.0.18 / mcast_dst_ip) or one unicast peer. */
  dst: string;
  /** The per-instance IP ID counter (keepalived: starts at 1, skips 0; every unicast copy shares it). */
  ipId: number;
  /** Default 255 (or unicast_ttl). */
  ttl?: number;
  /** Default 0xc0. */
  tos?: number;
  /**
   * v3: use the multicast group (mcastGroup) as the pseudo-header destination even when sending
   * to a unicast peer: old_unicast_checksum, or the auto-detected compatibility mode.
   */
  oldUnicastChecksum?: boolean;
  /** The IPv4 VRRP group (global vrrp_mcast_group4). Default 224.0.0.18. */
  mcastGroup?: string;
  /** v3: checksum without the pseudo-header (v3_checksum_as_v2; keepalived ≥ 2.3). */
  v3ChecksumAsV2?: boolean;
  /** AH (authType 'AH'): the sequence number (keepalived: 1 for the first advert, +1 per advert). */
  ahSeq?: number;
  /** AH: the instance is unicast (the ICV is then computed with TTL zeroed). */
  unicast?: boolean;
  /** Fill in the IPv4 header checksum (default true; on a real IP_HDRINCL socket the kernel does). */
  ipChecksum?: boolean;
}

/** The pseudo-header destination a v3 IPv4 sender uses. */
export function v3PseudoDestination(spec: Pick<IPv4AdvertSpec, 'dst' | 'oldUnicastChecksum' | 'mcastGroup'>): string {
  return spec.oldUnicastChecksum ? (spec.mcastGroup ?? VRRP_MCAST_GROUP4) : spec.dst;
}

/** Encodes a whole IPv4 advert: IP header (+ AH) + VRRP message, byte for byte as keepalived sends it. */
export function encodeIPv4Advert(spec: IPv4AdvertSpec): Uint8Array {
  if (spec.family !== 'inet') throw new RangeError('encodeIPv4Advert needs family inet');
  const ah = spec.version === 2 && spec.authType === 'AH';
  const msgLen = vrrpMessageLength(spec.version, 'inet', spec.addresses.length);
  const vOff = IPV4_HEADER_LEN + (ah ? IPSEC_AH_LEN : 0);
  const total = vOff + msgLen;
  const buf = new Uint8Array(total);
  const src = addressToBytes('inet', spec.src);
  const dst = addressToBytes('inet', spec.dst);
  const hdr = {
    tos: spec.tos ?? VRRP_IP_TOS,
    totalLength: total,
    id: spec.ipId & 0xffff,
    ttl: spec.ttl ?? VRRP_IP_TTL,
    protocol: ah ? IPPROTO_AH : IPPROTO_VRRP,
    src,
    dst,
  };
  // header without checksum first (the AH ICV is computed with a zero header checksum)
  writeIPv4Header(buf, 0, { ...hdr, computeChecksum: false });
  writeVrrpMessage(buf, vOff, spec);
  const how: VrrpChecksumSpec =
    spec.version === 2 || spec.v3ChecksumAsV2 ? { kind: 'message' } : { kind: 'ipv4-pseudo', src: spec.src, dst: v3PseudoDestination(spec) };
  const c = computeVrrpChecksum(buf, how, vOff, total);
  buf[vOff + 6] = c >> 8;
  buf[vOff + 7] = c & 0xff;
  if (ah) {
    const a = IPV4_HEADER_LEN;
    buf[a] = IPPROTO_VRRP;
    buf[a + 1] = IPSEC_AH_PLEN;
    buf[a + 2] = 0;
    buf[a + 3] = 0;
    buf.set(src, a + 4); // SPI = source address
    const seq = (spec.ahSeq ?? 1) >>> 0;
    buf[a + 8] = seq >>> 24;
    buf[a + 9] = (seq >>> 16) & 0xff;
    buf[a + 10] = (seq >>> 8) & 0xff;
    buf[a + 11] = seq & 0xff;
    const key = spec.authData ?? new Uint8Array(VRRP_AUTH_LEN);
    buf.set(ahIcv(buf, a, key, spec.unicast ?? false), a + 12);
  }
  if (spec.ipChecksum ?? true) {
    const ck = internetChecksumRange(buf, 0, IPV4_HEADER_LEN);
    buf[10] = ck >> 8;
    buf[11] = ck & 0xff;
  }
  return buf;
}

export interface IpsecAhHeader {
  nextHeader: number;
  payloadLen: number;
  reserved: number;
  spi: Uint8Array;
  seq: number;
  icv: Uint8Array;
}

/** A received IPv4 packet split into its headers (keepalived's vrrp_get_header()). */
export interface IPv4AdvertPacket {
  ip: IPv4Header;
  /** Present when the IP protocol is 51. */
  ah?: IpsecAhHeader;
  /** Offset of the VRRP header in the packet. */
  vrrpOffset: number;
  advert: VrrpAdvert;
}

function readAh(buf: Uint8Array, a: number): IpsecAhHeader {
  return {
    nextHeader: buf[a]!,
    payloadLen: buf[a + 1]!,
    reserved: (buf[a + 2]! << 8) | buf[a + 3]!,
    spi: Uint8Array.prototype.slice.call(buf, a + 4, a + 8),
    seq: ((buf[a + 8]! << 24) | (buf[a + 9]! << 16) | (buf[a + 10]! << 8) | buf[a + 11]!) >>> 0,
    icv: Uint8Array.prototype.slice.call(buf, a + 12, a + 24),
  };
}

/**
 * Where the VRRP header is in a received buffer, with keepalived's vrrp_get_header() length
 * checks (IPv4: IP header, then AH when the protocol is 51, then the 8-byte VRRP header; IPv6:
 * the 8-byte VRRP header). Returns the offset, or the log line keepalived writes when it stops.
 */
export function locateVrrpHeader(family: VrrpFamily, buf: Uint8Array): DecodeResult<number> {
  const len = buf.length;
  if (family === 'inet') {
    const ihl = len > 0 ? (buf[0]! & 0x0f) << 2 : 0;
    if (len < IPV4_HEADER_LEN || len < ihl + VRRP_HEADER_LEN) return { ok: false, reason: `IPv4 VRRP packet too short - ${len} bytes` };
    if (buf[9] === IPPROTO_AH) {
      if (len < ihl + IPSEC_AH_LEN + VRRP_HEADER_LEN) return { ok: false, reason: `IPv4 VRRP packet with AH too short - ${len} bytes` };
      return { ok: true, value: ihl + IPSEC_AH_LEN };
    }
    return { ok: true, value: ihl };
  }
  if (len < VRRP_HEADER_LEN) return { ok: false, reason: `IPv6 VRRP packet too short - ${len} bytes` };
  return { ok: true, value: 0 };
}

/** Decodes a received IPv4 packet (IP header included). Never throws; validates nothing but lengths. */
export function decodeIPv4Packet(buf: Uint8Array): DecodeResult<IPv4AdvertPacket> {
  const loc = locateVrrpHeader('inet', buf);
  if (!loc.ok) return loc;
  const ip = readIPv4Header(buf)!;
  const m = decodeVrrpMessage(buf, 'inet', loc.value);
  if (!m.ok) return m;
  const out: IPv4AdvertPacket = { ip, vrrpOffset: loc.value, advert: m.value };
  if (ip.protocol === IPPROTO_AH) out.ah = readAh(buf, ip.headerLength);
  return { ok: true, value: out };
}

/** IPv6 header fields a test or the simulator may need (the kernel strips it on a raw socket). */
export interface IPv6Header {
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
}

/** Splits a captured IPv6 packet (no extension headers) into header and payload. */
export function decodeIPv6Packet(buf: Uint8Array): DecodeResult<{ ip: IPv6Header; payload: Uint8Array }> {
  if (buf.length < 40 || buf[0]! >> 4 !== 6) return { ok: false, reason: 'not an IPv6 packet' };
  const payloadLength = (buf[4]! << 8) | buf[5]!;
  if (buf.length < 40 + payloadLength) return { ok: false, reason: 'IPv6 packet truncated' };
  return {
    ok: true,
    value: {
      ip: {
        trafficClass: ((buf[0]! & 0x0f) << 4) | (buf[1]! >> 4),
        flowLabel: ((buf[1]! & 0x0f) << 16) | (buf[2]! << 8) | buf[3]!,
        payloadLength,
        nextHeader: buf[6]!,
        hopLimit: buf[7]!,
        src: bytesToAddress('inet6', buf, 8),
        dst: bytesToAddress('inet6', buf, 24),
      },
      payload: buf.subarray(40, 40 + payloadLength),
    },
  };
}

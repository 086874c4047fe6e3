/**
 * The IPv4 header keepalived builds for its adverts (vrrp_build_ip4(): IP_HDRINCL raw socket).
 * Pure: no sockets.
 */
import { internetChecksumRange } from './checksum.js';

export const IPV4_HEADER_LEN = 20;
export const IPPROTO_AH = 51;
export const IPPROTO_VRRP = 112;
/** TOS keepalived sets: internetwork control (0xc0). */
export const VRRP_IP_TOS = 0xc0;
/** TTL / hop limit VRRP requires on multicast (RFC 3768 §5.2.3, RFC 5798 §5.1.1.3). */
export const VRRP_IP_TTL = 255;

export interface IPv4Header {
  version: number;
  /** Header length in bytes (IHL × 4). */
  headerLength: number;
  tos: number;
  totalLength: number;
  id: number;
  /** The 16-bit flags + fragment offset field. keepalived sends 0 (DF not set). */
  fragOff: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: Uint8Array;
  dst: Uint8Array;
}

export interface IPv4HeaderSpec {
  tos?: number;
  totalLength: number;
  id: number;
  fragOff?: number;
  ttl?: number;
  protocol: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** Fill in the header checksum (the kernel does it on a real IP_HDRINCL socket). Default true. */
  computeChecksum?: boolean;
}

/** Writes a 20-byte IPv4 header (no options) at `buf[off]`. */
export function writeIPv4Header(buf: Uint8Array, off: number, h: IPv4HeaderSpec): void {
  buf[off] = 0x45;
  buf[off + 1] = (h.tos ?? VRRP_IP_TOS) & 0xff;
  buf[off + 2] = (h.totalLength >>> 8) & 0xff;
  buf[off + 3] = h.totalLength & 0xff;
  buf[off + 4] = (h.id >>> 8) & 0xff;
  buf[off + 5] = h.id & 0xff;
  const frag = h.fragOff ?? 0;
  buf[off + 6] = (frag >>> 8) & 0xff;
  buf[off + 7] = frag & 0xff;
  buf[off + 8] = (h.ttl ?? VRRP_IP_TTL) & 0xff;
  buf[off + 9] = h.protocol & 0xff;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  buf.set(h.src, off + 12);
  buf.set(h.dst, off + 16);
  if (h.computeChecksum ?? true) {
    const c = internetChecksumRange(buf, off, off + IPV4_HEADER_LEN);
    buf[off + 10] = c >>> 8;
    buf[off + 11] = c & 0xff;
  }
}

/** Reads the fixed IPv4 header fields; undefined when fewer than 20 bytes. Does not validate. */
export function readIPv4Header(buf: Uint8Array): IPv4Header | undefined {
  if (buf.length < IPV4_HEADER_LEN) return undefined;
  return {
    version: buf[0]! >> 4,
    headerLength: (buf[0]! & 0x0f) << 2,
    tos: buf[1]!,
    totalLength: (buf[2]! << 8) | buf[3]!,
    id: (buf[4]! << 8) | buf[5]!,
    fragOff: (buf[6]! << 8) | buf[7]!,
    ttl: buf[8]!,
    protocol: buf[9]!,
    checksum: (buf[10]! << 8) | buf[11]!,
    src: buf.slice(12, 16),
    dst: buf.slice(16, 20),
  };
}

/** True when the IPv4 header checksum (over IHL×4 bytes) verifies. */
export function ipv4HeaderChecksumOk(buf: Uint8Array): boolean {
  const ihl = (buf[0]! & 0x0f) << 2;
  if (ihl < IPV4_HEADER_LEN || buf.length < ihl) return false;
  return internetChecksumRange(buf, 0, ihl) === 0;
}

/** IN_MULTICAST(): 224.0.0.0/4. */
export function isIPv4MulticastBytes(a: Uint8Array): boolean {
  return (a[0]! & 0xf0) === 0xe0;
}

/** IN6_IS_ADDR_MULTICAST(): ff00::/8. */
export function isIPv6MulticastBytes(a: Uint8Array): boolean {
  return a[0] === 0xff;
}

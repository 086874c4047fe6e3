/**
 * The frames of VIP conflict detection, whole Ethernet frames: the probes a MASTER sends for its
 * VIPs (an RFC 5227 ARP probe; an RFC 4862 duplicate address detection NS) and the parser that
 * reads what other hosts send — which address a packet claims, and for which MAC.
 * Pure: no sockets, no files.
 */
import { internetChecksumRange, onesComplementSum, ipv6PseudoHeader } from '../../vrrp/checksum.js';
import { bytesToAddress } from '../../vrrp/packet.js';
import type { SightingKind } from '../../vrrp/vip-conflict.js';
import {
  addressBytes,
  arpRequestFrame,
  ARPHRD_ETHER,
  ARPOP_REQUEST,
  ETHER_HEADER_LEN,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IPPROTO_ICMPV6,
  macBytes,
  ND_NEIGHBOR_ADVERT,
  ND_OPT_TARGET_LINKADDR,
  NDISC_HOP_LIMIT,
} from './neighbour-frames.js';

export const DAD_NS_FRAME_LEN = 78;
const ARPOP_REPLY = 2;
const ND_NEIGHBOR_SOLICIT = 135;
const ND_OPT_SOURCE_LINKADDR = 1;
const ICMPV6_ND_LEN = 24;

export function macText(b: Uint8Array, off = 0): string {
  return Array.from(b.subarray(off, off + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * RFC 5227 §2.1.1 ARP probe for `ip`: a broadcast ARP request from `mac` with sender IP 0.0.0.0
 * (so no receiver updates its neighbour table from it), target hardware address zero, target IP
 * `ip`. A host holding `ip` answers it (Linux replies to probes for its local addresses). 42 bytes.
 */
export function arpProbeFrame(mac: Uint8Array | string, ip: Uint8Array | string): Uint8Array {
  // sender IP and target MAC all zero
  return arpRequestFrame(macBytes(mac), new Uint8Array(4), new Uint8Array(6), addressBytes('inet', ip));
}

/** The solicited-node multicast group of an IPv6 address (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1) and its MAC (33:33:ff:XX:XX:XX). */
export function solicitedNode(ip6: Uint8Array): { group: Uint8Array; mac: Uint8Array } {
  const group = new Uint8Array(16);
  group.set([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff], 0);
  group.set(ip6.subarray(13, 16), 13);
  return { group, mac: Uint8Array.of(0x33, 0x33, 0xff, ip6[13]!, ip6[14]!, ip6[15]!) };
}

/**
 * RFC 4862 §5.4.2 duplicate address detection NS for `ip6`: from `mac` to the solicited-node
 * group, IPv6 source :: (no source link-layer option then), hop limit 255, target `ip6`. A host
 * holding the address answers with an NA to all nodes. The ICMPv6 checksum is filled in. 78 bytes.
 */
export function dadNeighbourSolicitation(mac: Uint8Array | string, ip6: Uint8Array | string): Uint8Array {
  const m = macBytes(mac);
  const a = addressBytes('inet6', ip6);
  const { group, mac: groupMac } = solicitedNode(a);
  const f = new Uint8Array(DAD_NS_FRAME_LEN);
  const v = new DataView(f.buffer);
  f.set(groupMac, 0);
  f.set(m, 6);
  v.setUint16(12, ETHERTYPE_IPV6);
  const ip = ETHER_HEADER_LEN;
  const icmp = ip + 40;
  f[ip] = 0x60;
  v.setUint16(ip + 4, ICMPV6_ND_LEN);
  f[ip + 6] = IPPROTO_ICMPV6;
  f[ip + 7] = NDISC_HOP_LIMIT;
  // source :: (8..23 zero)
  f.set(group, ip + 24);
  f[icmp] = ND_NEIGHBOR_SOLICIT;
  f.set(a, icmp + 8);
  const unspecified = new Uint8Array(16);
  const pseudo = onesComplementSum(ipv6PseudoHeader(unspecified, group, IPPROTO_ICMPV6, ICMPV6_ND_LEN));
  v.setUint16(icmp + 2, internetChecksumRange(f, icmp, f.length, pseudo));
  return f;
}

/** A packet that says its sender holds `address` (with MAC `mac`). */
export interface NeighbourClaim {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly mac: string;
  readonly how: SightingKind;
}

export type ParsedNeighbourFrame =
  | { readonly kind: 'claim'; readonly claim: NeighbourClaim }
  /** Well-formed but claims nothing (a probe, a request from 0.0.0.0, other ICMPv6, …). */
  | { readonly kind: 'other' }
  | { readonly kind: 'malformed'; readonly reason: string };

const OTHER: ParsedNeighbourFrame = { kind: 'other' };
const malformed = (reason: string): ParsedNeighbourFrame => ({ kind: 'malformed', reason });
const allZero = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);

/**
 * Read one Ethernet frame (as an AF_PACKET SOCK_RAW socket delivers it) for an address claim:
 * - ARP (Ethernet/IPv4) request or reply whose sender IP is not 0.0.0.0: the sender holds it
 *   (a request with sender IP = target IP is a gratuitous ARP); the MAC is the sender hardware address;
 * - ICMPv6 NA (hop limit 255, good checksum): the sender holds the target address; the MAC is the
 *   target link-layer option, else the Ethernet source;
 * - ICMPv6 NS from a unicast source: the sender holds its source address (a DAD NS, from ::,
 *   claims nothing: that host does not hold the address yet).
 * Never throws: anything short or inconsistent is `malformed`.
 */
export function parseNeighbourFrame(frame: Uint8Array): ParsedNeighbourFrame {
  if (frame.length < ETHER_HEADER_LEN) return malformed(`frame of ${frame.length} bytes`);
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const type = v.getUint16(12);
  if (type === ETHERTYPE_ARP) return parseArp(frame, v);
  if (type === ETHERTYPE_IPV6) return parseNd(frame, v);
  return OTHER;
}

function parseArp(f: Uint8Array, v: DataView): ParsedNeighbourFrame {
  const a = ETHER_HEADER_LEN;
  if (f.length < a + 28) return malformed(`ARP packet of ${f.length - a} bytes`);
  if (v.getUint16(a) !== ARPHRD_ETHER || v.getUint16(a + 2) !== ETHERTYPE_IPV4) return OTHER;
  if (f[a + 4] !== 6 || f[a + 5] !== 4) return malformed(`ARP address lengths ${f[a + 4]}/${f[a + 5]}`);
  const op = v.getUint16(a + 6);
  if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) return OTHER;
  if (allZero(f, a + 14, a + 18)) return OTHER; // a probe: its sender holds nothing yet
  const address = bytesToAddress('inet', f, a + 14);
  const gratuitous = op === ARPOP_REQUEST && f.subarray(a + 14, a + 18).every((x, i) => x === f[a + 24 + i]);
  const how: SightingKind = op === ARPOP_REPLY ? 'arp-reply' : gratuitous ? 'gratuitous-arp' : 'arp-request';
  return { kind: 'claim', claim: { family: 'inet', address, mac: macText(f, a + 8), how } };
}

function parseNd(f: Uint8Array, v: DataView): ParsedNeighbourFrame {
  const ip = ETHER_HEADER_LEN;
  if (f.length < ip + 40) return malformed(`IPv6 packet of ${f.length - ip} bytes`);
  if (f[ip]! >> 4 !== 6) return malformed(`IP version ${f[ip]! >> 4} in an IPv6 frame`);
  if (f[ip + 6] !== IPPROTO_ICMPV6) return OTHER;
  const payloadLen = v.getUint16(ip + 4);
  const icmp = ip + 40;
  if (f.length < icmp + payloadLen) return malformed(`IPv6 payload length ${payloadLen}, ${f.length - icmp} bytes present`);
  const end = icmp + payloadLen;
  const type = f[icmp];
  if (type !== ND_NEIGHBOR_SOLICIT && type !== ND_NEIGHBOR_ADVERT) return OTHER;
  if (payloadLen < ICMPV6_ND_LEN) return malformed(`neighbour discovery message of ${payloadLen} bytes`);
  if (f[ip + 7] !== NDISC_HOP_LIMIT) return OTHER;
  const src = f.subarray(ip + 8, ip + 24);
  const dst = f.subarray(ip + 24, ip + 40);
  const pseudo = onesComplementSum(ipv6PseudoHeader(src, dst, IPPROTO_ICMPV6, payloadLen));
  if (internetChecksumRange(f, icmp, end, pseudo) !== 0) return malformed('bad ICMPv6 checksum');
  const option = (wanted: number): string | undefined => {
    for (let o = icmp + ICMPV6_ND_LEN; o + 2 <= end; ) {
      const len = f[o + 1]! * 8;
      if (len === 0 || o + len > end) return undefined;
      if (f[o] === wanted && len >= 8) return macText(f, o + 2);
      o += len;
    }
    return undefined;
  };
  if (type === ND_NEIGHBOR_ADVERT) {
    const address = bytesToAddress('inet6', f, icmp + 8);
    return { kind: 'claim', claim: { family: 'inet6', address, mac: option(ND_OPT_TARGET_LINKADDR) ?? macText(f, 6), how: 'neighbour-advert' } };
  }
  if (allZero(f, ip + 8, ip + 24)) return OTHER; // duplicate address detection by someone else
  const address = bytesToAddress('inet6', f, ip + 8);
  return { kind: 'claim', claim: { family: 'inet6', address, mac: option(ND_OPT_SOURCE_LINKADDR) ?? macText(f, 6), how: 'neighbour-solicitation' } };
}

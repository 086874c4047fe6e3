/**
 * The Ethernet frames keepalived 2.2.7 sends when it takes over an address, byte for byte
 * (vrrp_arp.c send_gratuitous_arp_immediate(), vrrp_ndisc.c ndisc_send_unsolicited_na_immediate()).
 * Pure: no sockets, no files.
 */
import { internetChecksumRange, onesComplementSum, ipv6PseudoHeader } from '../../vrrp/checksum.js';
import { addressToBytes } from '../../vrrp/packet.js';

export const ETHER_HEADER_LEN = 14;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ETHER_BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** ff02::1 (all nodes) and its Ethernet mapping (RFC 2464 §7). */
export const ALL_NODES = 'ff02::1';
export const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
export const GARP_FRAME_LEN = 42;
export const UNSOLICITED_NA_FRAME_LEN = 86;
export const IPPROTO_ICMPV6 = 58;
export const ND_NEIGHBOR_ADVERT = 136;
const ND_NA_FLAG_ROUTER = 0x80;
const ND_NA_FLAG_OVERRIDE = 0x20;
export const ND_OPT_TARGET_LINKADDR = 2;
/** Receivers drop neighbour discovery packets with any other hop limit (RFC 4861 §7.1.2). */
export const NDISC_HOP_LIMIT = 255;

/** "aa:bb:cc:dd:ee:ff" → 6 bytes. Throws RangeError on anything else. */
export function parseMac(text: string): Uint8Array {
  const parts = text.trim().split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) throw new RangeError(`not a MAC address: ${text}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** A MAC given as text or bytes, checked to be 6 bytes. */
export function macBytes(mac: Uint8Array | string): Uint8Array {
  const m = typeof mac === 'string' ? parseMac(mac) : mac;
  if (m.length !== 6) throw new RangeError(`an Ethernet address has 6 bytes, got ${m.length}`);
  return m;
}

/** An address given as text or bytes, checked to be the family's length. */
export function addressBytes(family: 'inet' | 'inet6', a: Uint8Array | string): Uint8Array {
  const b = typeof a === 'string' ? addressToBytes(family, a) : a;
  if (b.length !== (family === 'inet' ? 4 : 16)) throw new RangeError(`an ${family} address has ${family === 'inet' ? 4 : 16} bytes, got ${b.length}`);
  return b;
}

/**
 * Gratuitous ARP as keepalived sends it: a broadcast ARP request from `mac` whose sender and
 * target protocol addresses are both `ip`, target hardware address the broadcast address.
 * 42 bytes (the driver pads to the Ethernet minimum).
 */
export function garpFrame(mac: Uint8Array | string, ip: Uint8Array | string): Uint8Array {
  const a = addressBytes('inet', ip);
  return arpRequestFrame(macBytes(mac), a, ETHER_BROADCAST, a);
}

/** A broadcast Ethernet ARP request (IPv4) from `mac` with the given sender IP and target fields. 42 bytes. */
export function arpRequestFrame(mac: Uint8Array, senderIp: Uint8Array, targetMac: Uint8Array, targetIp: Uint8Array): Uint8Array {
  const f = new Uint8Array(GARP_FRAME_LEN);
  const v = new DataView(f.buffer);
  f.set(ETHER_BROADCAST, 0);
  f.set(mac, 6);
  v.setUint16(12, ETHERTYPE_ARP);
  v.setUint16(14, ARPHRD_ETHER);
  v.setUint16(16, ETHERTYPE_IPV4);
  f[18] = 6; // hardware address length
  f[19] = 4; // protocol address length
  v.setUint16(20, ARPOP_REQUEST);
  f.set(mac, 22);
  f.set(senderIp, 28);
  f.set(targetMac, 32);
  f.set(targetIp, 38);
  return f;
}

/**
 * Unsolicited Neighbour Advertisement as keepalived sends it (RFC 4861 §7.2.6): from `mac` to
 * 33:33:00:00:00:01, IPv6 source the announced address itself, destination ff02::1, hop limit
 * 255; ICMPv6 type 136 with Override (and Router when the interface forwards), target `ip6`
 * and the target link-layer address option. The ICMPv6 checksum is filled in. 86 bytes.
 */
export function unsolicitedNa(mac: Uint8Array | string, ip6: Uint8Array | string, router: boolean): Uint8Array {
  const m = macBytes(mac);
  const a = addressBytes('inet6', ip6);
  const allNodes = addressToBytes('inet6', ALL_NODES);
  const f = new Uint8Array(UNSOLICITED_NA_FRAME_LEN);
  const v = new DataView(f.buffer);
  f.set(ALL_NODES_MAC, 0);
  f.set(m, 6);
  v.setUint16(12, ETHERTYPE_IPV6);
  const ip = ETHER_HEADER_LEN;
  const icmp = ip + 40;
  const icmpLen = UNSOLICITED_NA_FRAME_LEN - icmp;
  f[ip] = 0x60; // version 6, traffic class 0, flow label 0
  v.setUint16(ip + 4, icmpLen);
  f[ip + 6] = IPPROTO_ICMPV6;
  f[ip + 7] = NDISC_HOP_LIMIT;
  f.set(a, ip + 8);
  f.set(allNodes, ip + 24);
  f[icmp] = ND_NEIGHBOR_ADVERT;
  f[icmp + 1] = 0; // code
  f[icmp + 4] = ND_NA_FLAG_OVERRIDE | (router ? ND_NA_FLAG_ROUTER : 0);
  f.set(a, icmp + 8);
  f[icmp + 24] = ND_OPT_TARGET_LINKADDR;
  f[icmp + 25] = 1; // option length in units of 8 bytes
  f.set(m, icmp + 26);
  const pseudo = onesComplementSum(ipv6PseudoHeader(a, allNodes, IPPROTO_ICMPV6, icmpLen));
  v.setUint16(icmp + 2, internetChecksumRange(f, icmp, f.length, pseudo));
  return f;
}

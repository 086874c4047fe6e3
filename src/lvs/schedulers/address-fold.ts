/**
 * The 32-bit key IPVS hashes an address with: an IPv4 address as a host-order number, an IPv6
 * address as the XOR of its four 32-bit words (ip_vs_sh.c / ip_vs_dh.c / ip_vs_mh.c all fold
 * the same way). Unparseable text folds to 0 rather than throwing: a scheduler must never crash
 * on a request.
 */
import { parseIPv4, parseIPv6 } from '../../config/entries/inet.js';

export function addressFold(address: string): number {
  if (address.includes(':')) return ipv6Fold(address);
  return ipv4Number(address) ?? 0;
}

/** An IPv4 address as a host-order number, or undefined. */
export function ipv4Number(text: string): number | undefined {
  const o = parseIPv4(text);
  return o ? ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0 : undefined;
}

/** The 8 groups of an IPv6 address (a `%zone` suffix ignored), or undefined. */
export function ipv6Groups(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  return parseIPv6(zone >= 0 ? text.slice(0, zone) : text);
}


function ipv6Fold(text: string): number {
  const g = ipv6Groups(text);
  if (!g) return 0;
  let fold = 0;
  for (let i = 0; i < 8; i += 2) fold ^= ((g[i]! << 16) | g[i + 1]!) >>> 0;
  return fold >>> 0;
}

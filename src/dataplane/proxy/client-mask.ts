/**
 * Persistence granularity (ipvsadm -M, keepalived's persistence_granularity): clients whose
 * addresses agree under the mask share one persistence template. IPv4 takes a dotted netmask
 * (or a prefix length); IPv6 takes a prefix length (1..128).
 */
import { parseIPv4, parseIPv6 } from '../../config/entries/inet.js';

export type ClientMask = (clientAddress: string) => string;

/** Node reports IPv4 clients of an IPv6 socket as ::ffff:a.b.c.d; persistence keys on the IPv4 form. */
function stripMapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function v4PrefixMask(prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The IPv4 netmask as a 32-bit number, or undefined when the granularity is not a valid one. */
function ipv4Mask(granularity: string | number | undefined): number | undefined {
  if (granularity === undefined) return 0xffffffff;
  if (typeof granularity === 'number') return granularity >= 0 && granularity <= 32 ? v4PrefixMask(granularity) : undefined;
  if (/^\d+$/.test(granularity)) return ipv4Mask(Number(granularity));
  const octets = parseIPv4(granularity);
  if (!octets) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function ipv6Prefix(granularity: string | number | undefined): number | undefined {
  if (granularity === undefined) return 128;
  const n = typeof granularity === 'number' ? granularity : /^\d+$/.test(granularity) ? Number(granularity) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 128 ? n : undefined;
}

/**
 * A function giving the persistence key of a client address for this granularity. An invalid
 * granularity (validation should have caught it) falls back to the full address: one template per
 * client, never a shared template for unrelated clients.
 */
export function clientMask(family: 'inet' | 'inet6', granularity: string | number | undefined): ClientMask {
  if (family === 'inet') {
    const mask = ipv4Mask(granularity) ?? 0xffffffff;
    if (mask === 0xffffffff) return stripMapped;
    return (client) => {
      const octets = parseIPv4(stripMapped(client));
      if (!octets) return client;
      const n = (((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) & mask) >>> 0;
      return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    };
  }
  const prefix = ipv6Prefix(granularity) ?? 128;
  return (client) => {
    const groups = parseIPv6(client);
    if (!groups) return client;
    for (let i = 0; i < 8; i++) {
      const keep = Math.max(0, Math.min(16, prefix - i * 16));
      groups[i] = groups[i]! & (keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff);
    }
    return groups.map((g) => g.toString(16)).join(':');
  };
}

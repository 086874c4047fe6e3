/**
 * Does an address fall in a prefix or a range? Firewall rules write destinations as single
 * addresses, prefixes (`224.0.0.0/4`, `224.0.0.0/240.0.0.0`) or ranges; the checks ask whether
 * the VRRP group (or a peer) is among them.
 */
import { familyOf, parseIPv4, parseIPv6, type Family } from '../config/entries/inet.js';

/** The address as an unsigned integer of its family's width, or undefined when it is not one. */
export function addressValue(text: string): { family: Family; value: bigint } | undefined {
  const family = familyOf(text);
  if (family === 'inet') {
    const octets = parseIPv4(text);
    if (!octets) return undefined;
    return { family, value: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  const groups = parseIPv6(text);
  if (!groups) return undefined;
  return { family, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
}

const width = (family: Family) => (family === 'inet' ? 32n : 128n);

/** `prefix` is `ADDR`, `ADDR/LEN` or (IPv4, iptables) `ADDR/DOTTED-MASK`. Undefined: not an address. */
export function inPrefix(address: string, prefix: string): boolean | undefined {
  const a = addressValue(address);
  const slash = prefix.indexOf('/');
  const base = addressValue(slash < 0 ? prefix : prefix.slice(0, slash));
  if (!a || !base) return undefined;
  if (a.family !== base.family) return false;
  const bits = width(a.family);
  let mask: bigint;
  if (slash < 0) mask = (1n << bits) - 1n;
  else {
    const rest = prefix.slice(slash + 1);
    if (/^\d+$/.test(rest)) {
      const len = BigInt(rest);
      if (len > bits) return undefined;
      mask = len === 0n ? 0n : (((1n << len) - 1n) << (bits - len));
    } else {
      const dotted = addressValue(rest);
      if (!dotted || dotted.family !== 'inet') return undefined;
      mask = dotted.value;
    }
  }
  return (a.value & mask) === (base.value & mask);
}

export function inRange(address: string, low: string, high: string): boolean | undefined {
  const a = addressValue(address);
  const l = addressValue(low);
  const h = addressValue(high);
  if (!a || !l || !h) return undefined;
  if (a.family !== l.family || a.family !== h.family) return false;
  return a.value >= l.value && a.value <= h.value;
}

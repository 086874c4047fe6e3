/**
 * Addresses as the check parser reads and prints them (lib/utils.c inet_stosockaddr,
 * inet_ntop, inet_sockaddrtotrio). Small and local to the lvs area on purpose.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AddressFamily, LvsAddress, LvsProtocol } from '../model/lvs.js';
import { readUnsigned, type Reporter } from '../values.js';

/** inet_pton(): strict dotted quad / RFC 4291 text, no zone id. */
export function isInetAddress(family: AddressFamily, text: string): boolean {
  if (family === 'inet') return isIPv4(text);
  return !text.includes('%') && isIPv6(text);
}

/** The 8 16-bit groups of an IPv6 address (text already validated). */
export function ipv6Groups(text: string): number[] {
  let s = text;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const b = last.split('.').map(Number);
    s = s.slice(0, lastColon + 1) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const dbl = s.indexOf('::');
  if (dbl < 0) return parse(s);
  const head = parse(s.slice(0, dbl));
  const rest = parse(s.slice(dbl + 2));
  return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

/** inet_ntop() (glibc) of an IPv6 address. */
export function formatIpv6(groups: readonly number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (groups[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase >= 0) {
      if (bestBase < 0 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase >= 0 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
      out += `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
      return out;
    }
    out += groups[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function canonicalAddress(family: AddressFamily, text: string): string {
  return family === 'inet' ? text : formatIpv6(ipv6Groups(text));
}

/**
 * keepalived passes no port when the port word is all zeros ("0", "00"), since inet_stosockaddr
 * rejects port 0 (check_data.c alloc_vs/alloc_rs/alloc_ssvr).
 */
export function nonZeroPort(port: string | undefined): string | undefined {
  return port !== undefined && /[^0]/.test(port) ? port : undefined;
}

/**
 * inet_stosockaddr(): family from the presence of ':', optional port 1..65535 (read_unsigned
 * reports a bad one), anything from the first '-' or '/' ignored. undefined when invalid.
 */
export function parseSockAddr(r: Reporter, ip: string, port: string | undefined): LvsAddress | undefined {
  const family: AddressFamily = ip.includes(':') ? 'inet6' : 'inet';
  let portNum = 0;
  if (port !== undefined) {
    const p = readUnsigned(r, port, 1, 65535);
    if (p === undefined) return undefined;
    portNum = p;
  }
  const cut = ip.indexOf('-') >= 0 ? ip.indexOf('-') : ip.indexOf('/');
  const bare = cut >= 0 ? ip.slice(0, cut) : ip;
  if (!isInetAddress(family, bare)) return undefined;
  return { family, address: canonicalAddress(family, bare), port: portNum };
}

export function protocolName(p: LvsProtocol | undefined): string {
  return p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : p === 'SCTP' ? 'sctp' : 'none';
}

/** inet_sockaddrtotrio(): `[ip]:proto:port`. */
export function formatTrio(a: LvsAddress, proto: LvsProtocol | undefined): string {
  return `[${a.address}]:${protocolName(proto)}:${a.port}`;
}

/** inet_sockaddrtos(): the bare address. */
export function formatIp(a: LvsAddress): string {
  return a.address;
}

export function sameAddress(a: LvsAddress, b: LvsAddress): boolean {
  return a.family === b.family && a.address === b.address && a.port === b.port;
}

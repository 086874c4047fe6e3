/**
 * Address helpers shared by the address / route / rule entry parsers and the VRRP keywords:
 * inet_pton() as glibc implements it, keepalived's parse_ipaddress() / parse_route() /
 * inet_stosockaddr(), and the /etc/iproute2 name tables (lib/rttables.c) with their built-in
 * defaults.
 */
import { ConfigErr } from '../diagnostics.js';
import type { Reporter } from '../values.js';
import { readUnsigned, readUnsigned64, readDecimal } from '../values.js';

export type Family = 'inet' | 'inet6';

/** An address as keepalived holds it after parsing: family, canonical text and prefix length. */
export interface InetAddress {
  readonly family: Family;
  /** Canonical text (inet_ntop form): 10.0.0.1, fe80::1. */
  readonly address: string;
  readonly prefixLen: number;
}

/** glibc inet_pton(AF_INET): exactly four decimal octets, no leading zeros. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    if (p.length > 1 && p[0] === '0') return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** glibc inet_pton(AF_INET6): 8 groups of 16 bits, one '::', optional trailing dotted quad. */
/**
 * inet_aton(): the numeric forms getaddrinfo() also resolves — a, a.b, a.b.c or a.b.c.d, each
 * part decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes.
 * Returns the dotted quad, or undefined.
 */
export function inetAton(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const m = /^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/.exec(part);
    if (!m) return undefined;
    const v = /^0[xX]/.test(part) ? parseInt(part.slice(2) || '0', 16) : part.length > 1 && part[0] === '0' ? parseInt(part, 8) : parseInt(part, 10);
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return undefined;
  let n = last;
  values.forEach((v, i) => (n += v * 2 ** (8 * (3 - i))));
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseIPv6(text: string): number[] | undefined {
  if (text.length === 0) return undefined;
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseSide = (side: string, allowV4: boolean): number[] | undefined => {
    if (side === '') return [];
    const groups = side.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  if (dbl >= 0) {
    const head = parseSide(text.slice(0, dbl), false);
    const tail = parseSide(text.slice(dbl + 2), true);
    if (!head || !tail) return undefined;
    if (head.length + tail.length > 7) return undefined;
    return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const all = parseSide(text, true);
  if (!all || all.length !== 8) return undefined;
  return all;
}

/** inet_ntop(AF_INET6) as glibc formats it. */
export function formatIPv6(groups: readonly number[]): string {
  // IPv4-compatible / mapped forms
  const zero5 = groups.slice(0, 5).every((g) => g === 0);
  if (zero5 && (groups[5] === 0xffff || (groups[5] === 0 && (groups[6]! !== 0 || groups[7]! > 1)))) {
    const v4 = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
    return groups[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  const hex = (g: number) => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** inet_pton() for the family keepalived guesses (a ':' means IPv6); canonical text or undefined. */
export function inetPton(family: Family, text: string): string | undefined {
  if (family === 'inet') {
    const v = parseIPv4(text);
    return v ? v.join('.') : undefined;
  }
  const g = parseIPv6(text);
  return g ? formatIPv6(g) : undefined;
}

export const familyOf = (text: string): Family => (text.includes(':') ? 'inet6' : 'inet');

/**
 * keepalived's parse_ipaddress(): ADDR[/PREFIX]. An unreadable prefix is reported and the
 * full-length prefix is used; an unreadable address is reported ("VRRP parsed invalid IP")
 * and gives undefined.
 */
export function parseIpAddress(r: Reporter, text: string, allowSubnetMask: boolean): InetAddress | undefined {
  const family = familyOf(text);
  const max = family === 'inet6' ? 128 : 32;
  let prefixLen = max;
  let addrText = text;
  const slash = allowSubnetMask ? text.indexOf('/') : -1;
  if (slash >= 0) {
    const plen = readUnsigned(r, text.slice(slash + 1), 0, max);
    if (plen === undefined)
      r.report(ConfigErr.GENERAL_ERROR, `Invalid address prefix len ${text.slice(slash + 1)} for address ${text} - using ${max}`);
    else prefixLen = plen;
    addrText = text.slice(0, slash);
  }
  const address = inetPton(family, addrText);
  if (address === undefined) {
    r.report(ConfigErr.GENERAL_ERROR, `VRRP parsed invalid IP ${text}. skipping IP...`);
    return undefined;
  }
  return { family, address, prefixLen };
}

/** A route/rule destination: an address, or `default`/`any`/`all` (family unset until resolved). */
export interface RoutePrefix {
  family: Family | undefined;
  /** undefined for default/any/all. */
  readonly address?: string;
  readonly prefixLen: number;
  /** The word as written. */
  readonly text: string;
}

/** keepalived's parse_route(). */
export function parseRoutePrefix(r: Reporter, text: string): RoutePrefix | undefined {
  if (text === 'default' || text === 'any' || text === 'all') return { family: undefined, prefixLen: 0, text };
  if (text === 'default6') return { family: 'inet6', prefixLen: 0, text }; // logged as deprecated only
  const a = parseIpAddress(r, text, true);
  return a ? { family: a.family, address: a.address, prefixLen: a.prefixLen, text } : undefined;
}

/** keepalived's inet_stosockaddr() without a port: range ("-") and mask ("/") parts are dropped. */
export function parseSockaddr(text: string): { family: Family; address: string } | undefined {
  const family = familyOf(text);
  let cut = text.indexOf('-');
  if (cut < 0) cut = text.indexOf('/');
  const address = inetPton(family, cut >= 0 ? text.slice(0, cut) : text);
  return address === undefined ? undefined : { family, address };
}

export function isIPv4Multicast(address: string): boolean {
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** IN6_IS_ADDR_MC_LINKLOCAL: ff?2::/16. */
export function isIPv6MulticastLinkLocal(address: string): boolean {
  const g = parseIPv6(address);
  return !!g && (g[0]! & 0xff0f) === 0xff02;
}

/** IN6_IS_ADDR_LINKLOCAL: fe80::/10. */
export function isIPv6LinkLocal(address: string): boolean {
  const g = parseIPv6(address);
  return !!g && (g[0]! & 0xffc0) === 0xfe80;
}

/* ---- /etc/iproute2 names (lib/rttables.c). keepalived-ts uses the built-in defaults only. ---- */

const RTN_TYPES: Readonly<Record<string, number>> = {
  local: 2, nat: 10, broadcast: 3, brd: 3, anycast: 4, multicast: 5, prohibit: 8,
  unreachable: 7, blackhole: 6, xresolve: 11, unicast: 1, throw: 9,
};
export const RTN = { UNICAST: 1, BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8 } as const;
const RT_PROTOS: Readonly<Record<string, number>> = {
  none: 0, redirect: 1, kernel: 2, boot: 3, static: 4, gated: 8, ra: 9, mrt: 10, zebra: 11,
  bird: 12, babel: 42, dnrouted: 13, xorp: 14, ntk: 15, dhcp: 16,
};
const RT_TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };
const RT_SCOPES: Readonly<Record<string, number>> = { global: 0, nowhere: 255, host: 254, link: 253, site: 200 };
export const RT_TABLE_MAIN = 254;
export const RTPROT_KEEPALIVED = 18;

/** strtoul(name, &end, 0) consuming the whole word. */
function wholeNumber(name: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(name);
  if (!m) return undefined;
  const s = name.trim();
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  let v = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  if (neg) v = 2 ** 64 - v; // strtoul wraps negatives
  return v;
}

function findEntry(name: string, table: Readonly<Record<string, number>>, max: number): number | undefined {
  const n = wholeNumber(name);
  if (n !== undefined) return n <= max ? n : undefined;
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

export const findRtTable = (name: string) => findEntry(name, RT_TABLES, 0xffffffff);
export const findRtDsfield = (name: string) => findEntry(name, {}, 255);
export const findRtRealm = (name: string) => findEntry(name, {}, 255);
export const findRtProto = (name: string) => findEntry(name, RT_PROTOS, 255);
export const findRtScope = (name: string) => findEntry(name, RT_SCOPES, 255);
export const findRtGroup = (name: string) => findEntry(name, {}, 0x7fffffff);

/** find_rttables_rtntype(): a route type name or a number 0..255. */
export function findRtnType(name: string): number | undefined {
  if (Object.prototype.hasOwnProperty.call(RTN_TYPES, name)) return RTN_TYPES[name];
  if (name.startsWith('-')) return undefined;
  const n = wholeNumber(name);
  return n !== undefined && n <= 255 ? n : undefined;
}

/** get_realms(): REALM or FROM/TO. */
export function getRealms(text: string): number | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return findRtRealm(text);
  const a = findRtRealm(text.slice(0, slash));
  const b = findRtRealm(text.slice(slash + 1));
  if (a === undefined || b === undefined) return undefined;
  return ((a << 16) | b) >>> 0;
}

/** get_u8/u16/u32(): read_unsigned without an extra range message, then `errmsg` on failure. */
export function getUnsigned(r: Reporter, text: string, max: number, errmsg: string): number | undefined {
  const v = readUnsigned(r, text, 0, max);
  if (v === undefined) r.report(ConfigErr.GENERAL_ERROR, errmsg.replace('%s', text));
  return v;
}

export function getUnsigned64(r: Reporter, text: string, errmsg: string): bigint | undefined {
  const v = readUnsigned64(r, text, 0n, 18446744073709551615n);
  if (v === undefined) r.report(ConfigErr.GENERAL_ERROR, errmsg.replace('%s', text));
  return v;
}

const RTT_MIN_MS = 200;
const RTT_MAX_MS = 120000;

/** get_time_rtt(): a time with optional s/ms units, in 1/unitMult ms. undefined when invalid. */
export function getTimeRtt(r: Reporter, text: string, unitMult: number): number | undefined {
  const str = text.replace(/^[ \t\n\v\f\r]*/, '');
  let raw = true;
  let shift = 0;
  let num = str;
  const sIdx = str.search(/[sS]/);
  if (sIdx >= 0) {
    const unit = str.slice(sIdx).toLowerCase();
    if (unit !== 's' && unit !== 'sec' && unit !== 'secs') return undefined;
    raw = false;
    let p = sIdx;
    if (p > 0 && str[p - 1]!.toLowerCase() === 'm') {
      shift = 0;
      p--;
    } else shift = 3;
    if (p === 0) return undefined;
    num = str.slice(0, p);
  }
  if (/[eE]/.test(num)) return undefined;
  let res = readDecimal(r, num, 0, RTT_MAX_MS * unitMult, shift);
  if (res === undefined) return undefined;
  if (!raw) res *= unitMult;
  if (res > RTT_MAX_MS * unitMult) res = RTT_MAX_MS * unitMult;
  else if (res < RTT_MIN_MS * unitMult) res = RTT_MIN_MS * unitMult;
  return res;
}

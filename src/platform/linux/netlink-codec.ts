/**
 * rtnetlink wire format, pure: netlink message headers, rtattr TLVs (4-byte aligned), the
 * fixed headers of the address/link/route/rule families, error and done messages, and the
 * link and address messages turned into plain records. Layouts follow the kernel's uapi
 * headers (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h, linux/if_link.h,
 * linux/fib_rules.h); all integers are in host order (little-endian here) unless noted.
 */
import { formatIPv6, parseIPv4, parseIPv6 } from '../../config/entries/inet.js';

export type Family = 'inet' | 'inet6';

/** A message that cannot be read as netlink (too short, a length running past the end …). */
export class NetlinkFormatError extends Error {}

/* ---------------------------------------------------------------- constants */

export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
/** On an error message: the echoed request was cut to its header (NETLINK_CAP_ACK). */
export const NLM_F_CAPPED = 0x100;
/** On an error message: extended-ack attributes follow (NETLINK_EXT_ACK). */
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;

/** Multicast groups (bind() bitmask form). */
export const RTMGRP_LINK = 0x1;
export const RTMGRP_IPV4_IFADDR = 0x10;
export const RTMGRP_IPV6_IFADDR = 0x100;

export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_CACHEINFO = 6;
export const IFA_FLAGS = 8;

export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_EXT_MASK = 29;
export const IFLA_INFO_KIND = 1;
/** IFLA_EXT_MASK value asking the kernel to leave the (large) statistics out of link dumps. */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000;

/** RFC 2863 operational states, indexed by IFLA_OPERSTATE's value. */
export const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;
export type OperState = (typeof OPER_STATES)[number];

export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

export const INFINITY_LIFE_TIME = 0xffffffff;

/* ---------------------------------------------------------------- addresses as bytes */

export function familyNumber(family: Family): number {
  return family === 'inet6' ? AF_INET6 : AF_INET;
}

export function familyName(af: number): Family | undefined {
  return af === AF_INET ? 'inet' : af === AF_INET6 ? 'inet6' : undefined;
}

/** Network-order bytes of an address in canonical text form. */
export function addressBytes(family: Family, text: string): Buffer {
  if (family === 'inet') {
    const octets = parseIPv4(text);
    if (!octets) throw new NetlinkFormatError(`not an IPv4 address: ${text}`);
    return Buffer.from(octets);
  }
  const groups = parseIPv6(text);
  if (!groups) throw new NetlinkFormatError(`not an IPv6 address: ${text}`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

/** Text form (inet_ntop's, as `ip` prints it) of a 4- or 16-byte address. */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
    return formatIPv6(groups);
  }
  throw new NetlinkFormatError(`address of ${bytes.length} bytes`);
}

export function macText(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/* ---------------------------------------------------------------- attributes (rtattr / nlattr) */

export interface Attr {
  /** Type including flag bits (NLA_F_NESTED); mask with NLA_TYPE_MASK to compare. */
  readonly type: number;
  readonly data: Buffer;
}

const align4 = (n: number) => (n + 3) & ~3;

export function attr(type: number, data: Uint8Array): Attr {
  return { type, data: Buffer.from(data) };
}

export function attrU8(type: number, value: number): Attr {
  return { type, data: Buffer.from([value & 0xff]) };
}

export function attrU16(type: number, value: number): Attr {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return { type, data: b };
}

export function attrU32(type: number, value: number): Attr {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return { type, data: b };
}

/** A C string attribute: the text and its terminating NUL. */
export function attrString(type: number, value: string): Attr {
  return { type, data: Buffer.from(`${value}\0`) };
}

export function attrNested(type: number, children: readonly Attr[], flagNested = false): Attr {
  return { type: flagNested ? type | NLA_F_NESTED : type, data: encodeAttrs(children) };
}

/** Attributes back to back, each padded to 4 bytes (the last one too, as the kernel expects). */
export function encodeAttrs(attrs: readonly Attr[]): Buffer {
  const size = attrs.reduce((n, a) => n + align4(4 + a.data.length), 0);
  const out = Buffer.alloc(size);
  let off = 0;
  for (const a of attrs) {
    const len = 4 + a.data.length;
    if (len > 0xffff) throw new NetlinkFormatError(`attribute ${a.type & NLA_TYPE_MASK} too long (${len} bytes)`);
    out.writeUInt16LE(len, off);
    out.writeUInt16LE(a.type, off + 2);
    out.set(a.data, off + 4);
    off += align4(len);
  }
  return out;
}

/** The attributes in `buf`; a length that runs short or past the end is a format error. */
export function decodeAttrs(buf: Uint8Array, context = 'attributes'): Attr[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Attr[] = [];
  let off = 0;
  while (off + 4 <= b.length) {
    const len = b.readUInt16LE(off);
    const type = b.readUInt16LE(off + 2);
    if (len < 4 || off + len > b.length) throw new NetlinkFormatError(`${context}: attribute ${type & NLA_TYPE_MASK} at ${off} has bad length ${len}`);
    out.push({ type, data: b.subarray(off + 4, off + len) });
    off += align4(len);
  }
  return out;
}

/** Attributes by type (flags masked off); a repeated type keeps its last value, as the kernel's parser does. */
export function attrTable(attrs: readonly Attr[]): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (const a of attrs) m.set(a.type & NLA_TYPE_MASK, a.data);
  return m;
}

function needLength(data: Buffer, n: number, what: string): Buffer {
  if (data.length < n) throw new NetlinkFormatError(`${what}: ${data.length} bytes, expected ${n}`);
  return data;
}

export function readU8(data: Buffer, what: string): number {
  return needLength(data, 1, what).readUInt8(0);
}

export function readU32(data: Buffer, what: string): number {
  return needLength(data, 4, what).readUInt32LE(0);
}

/** A C string attribute (up to its first NUL). */
export function readString(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}

/* ---------------------------------------------------------------- messages (nlmsghdr) */

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** Everything after the 16-byte header, up to nlmsg_len. */
  readonly payload: Buffer;
}

export function encodeMessage(m: { type: number; flags: number; seq: number; pid?: number; payload: Uint8Array }): Buffer {
  const len = NLMSG_HDRLEN + m.payload.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(m.type, 4);
  out.writeUInt16LE(m.flags, 6);
  out.writeUInt32LE(m.seq >>> 0, 8);
  out.writeUInt32LE((m.pid ?? 0) >>> 0, 12);
  out.set(m.payload, NLMSG_HDRLEN);
  return out;
}

/** Every message in one datagram. */
export function decodeMessages(buf: Uint8Array): NetlinkMessage[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NetlinkMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= b.length) {
    const len = b.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > b.length) throw new NetlinkFormatError(`netlink message at ${off} has bad length ${len} (datagram ${b.length} bytes)`);
    out.push({
      type: b.readUInt16LE(off + 4),
      flags: b.readUInt16LE(off + 6),
      seq: b.readUInt32LE(off + 8),
      pid: b.readUInt32LE(off + 12),
      payload: b.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  if (off < b.length && b.length - off >= 4) throw new NetlinkFormatError(`${b.length - off} stray bytes after the last netlink message`);
  return out;
}

export interface NetlinkErrorInfo {
  /** 0 for an acknowledgement, otherwise the (positive) errno. */
  readonly errno: number;
  /** The header of the request this answers. */
  readonly request?: { type: number; flags: number; seq: number; pid: number };
  /** The kernel's explanation (extended ack), when it gave one. */
  readonly message?: string;
}

/** NLMSG_ERROR: an errno (0 = ACK), the echoed request header and any extended-ack text. */
export function parseError(m: NetlinkMessage): NetlinkErrorInfo {
  const p = needLength(m.payload, 4, 'NLMSG_ERROR');
  const errno = 0 - p.readInt32LE(0); // not -x: an ACK must be +0
  if (p.length < 4 + NLMSG_HDRLEN) return { errno };
  const request = { type: p.readUInt16LE(8), flags: p.readUInt16LE(10), seq: p.readUInt32LE(12), pid: p.readUInt32LE(16) };
  if (!(m.flags & NLM_F_ACK_TLVS)) return { errno, request };
  // the request comes back whole unless capped; the extended-ack attributes follow it
  const echoed = m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : Math.max(NLMSG_HDRLEN, p.readUInt32LE(4));
  const tlvStart = 4 + align4(echoed);
  if (tlvStart > p.length) return { errno, request };
  try {
    const text = attrTable(decodeAttrs(p.subarray(tlvStart), 'extended ack')).get(NLMSGERR_ATTR_MSG);
    return text ? { errno, request, message: readString(text) } : { errno, request };
  } catch {
    return { errno, request };
  }
}

/** NLMSG_DONE: 0, or the errno that cut a dump short. */
export function parseDone(m: NetlinkMessage): number {
  return m.payload.length >= 4 ? Math.max(0, -m.payload.readInt32LE(0)) : 0;
}

/* ---------------------------------------------------------------- fixed family headers */

export interface IfAddrMsg {
  family: number;
  prefixLen: number;
  /** Only the low 8 flag bits fit here; IFA_FLAGS carries all 32. */
  flags: number;
  scope: number;
  index: number;
}
export const IFADDRMSG_LEN = 8;

export function encodeIfAddrMsg(h: IfAddrMsg): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(h.family, 0);
  b.writeUInt8(h.prefixLen, 1);
  b.writeUInt8(h.flags & 0xff, 2);
  b.writeUInt8(h.scope, 3);
  b.writeUInt32LE(h.index, 4);
  return b;
}

export function decodeIfAddrMsg(b: Buffer): IfAddrMsg {
  needLength(b, IFADDRMSG_LEN, 'ifaddrmsg');
  return { family: b.readUInt8(0), prefixLen: b.readUInt8(1), flags: b.readUInt8(2), scope: b.readUInt8(3), index: b.readUInt32LE(4) };
}

export interface IfInfoMsg {
  family: number;
  /** ARPHRD_* link type. */
  type: number;
  index: number;
  flags: number;
  change: number;
}
export const IFINFOMSG_LEN = 16;

export function encodeIfInfoMsg(h: IfInfoMsg): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(h.family, 0);
  b.writeUInt16LE(h.type, 2);
  b.writeInt32LE(h.index, 4);
  b.writeUInt32LE(h.flags >>> 0, 8);
  b.writeUInt32LE(h.change >>> 0, 12);
  return b;
}

export function decodeIfInfoMsg(b: Buffer): IfInfoMsg {
  needLength(b, IFINFOMSG_LEN, 'ifinfomsg');
  return { family: b.readUInt8(0), type: b.readUInt16LE(2), index: b.readInt32LE(4), flags: b.readUInt32LE(8), change: b.readUInt32LE(12) };
}

export interface RtMsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** Tables above 255 go in RTA_TABLE with 0 (RT_TABLE_UNSPEC) here. */
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}
export const RTMSG_LEN = 12;

export function encodeRtMsg(h: RtMsg): Buffer {
  const b = Buffer.alloc(RTMSG_LEN);
  b.writeUInt8(h.family, 0);
  b.writeUInt8(h.dstLen, 1);
  b.writeUInt8(h.srcLen, 2);
  b.writeUInt8(h.tos, 3);
  b.writeUInt8(h.table, 4);
  b.writeUInt8(h.protocol, 5);
  b.writeUInt8(h.scope, 6);
  b.writeUInt8(h.type, 7);
  b.writeUInt32LE(h.flags >>> 0, 8);
  return b;
}

export function decodeRtMsg(b: Buffer): RtMsg {
  needLength(b, RTMSG_LEN, 'rtmsg');
  return {
    family: b.readUInt8(0),
    dstLen: b.readUInt8(1),
    srcLen: b.readUInt8(2),
    tos: b.readUInt8(3),
    table: b.readUInt8(4),
    protocol: b.readUInt8(5),
    scope: b.readUInt8(6),
    type: b.readUInt8(7),
    flags: b.readUInt32LE(8),
  };
}

export interface FibRuleHdr {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  /** FR_ACT_*. */
  action: number;
  /** FIB_RULE_* (FIB_RULE_INVERT = "not"). */
  flags: number;
}
export const FIB_RULE_HDR_LEN = 12;

export function encodeFibRuleHdr(h: FibRuleHdr): Buffer {
  const b = Buffer.alloc(FIB_RULE_HDR_LEN);
  b.writeUInt8(h.family, 0);
  b.writeUInt8(h.dstLen, 1);
  b.writeUInt8(h.srcLen, 2);
  b.writeUInt8(h.tos, 3);
  b.writeUInt8(h.table, 4);
  // bytes 5 and 6 are reserved
  b.writeUInt8(h.action, 7);
  b.writeUInt32LE(h.flags >>> 0, 8);
  return b;
}

export function decodeFibRuleHdr(b: Buffer): FibRuleHdr {
  needLength(b, FIB_RULE_HDR_LEN, 'fib_rule_hdr');
  return { family: b.readUInt8(0), dstLen: b.readUInt8(1), srcLen: b.readUInt8(2), tos: b.readUInt8(3), table: b.readUInt8(4), action: b.readUInt8(7), flags: b.readUInt32LE(8) };
}

/* ---------------------------------------------------------------- links and addresses as records */

export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** ARPHRD_* (1 = Ethernet, 772 = loopback). */
  readonly linkType: number;
  /** IFF_* bits as the kernel reports them. */
  readonly flags: number;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Up with a carrier (IFF_RUNNING): what VRRP needs to use the link. */
  readonly running: boolean;
  /** IFF_LOWER_UP: the driver reports a carrier. */
  readonly lowerUp: boolean;
  readonly multicast: boolean;
  readonly operstate: OperState;
  /** Hardware address ("aa:bb:cc:dd:ee:ff"), when the link has one. */
  readonly mac?: string;
  readonly mtu?: number;
  /** IFLA_INFO_KIND (veth, macvlan, vrf, bridge …), for virtual links. */
  readonly kind?: string;
  /** IFLA_LINK: the underlying link's index (a macvlan's parent, a veth's peer). */
  readonly parentIndex?: number;
  readonly masterIndex?: number;
}

export function parseLinkMessage(m: NetlinkMessage): LinkInfo {
  const h = decodeIfInfoMsg(m.payload);
  const t = attrTable(decodeAttrs(m.payload.subarray(IFINFOMSG_LEN), `link ${h.index}`));
  const name = t.get(IFLA_IFNAME);
  if (!name) throw new NetlinkFormatError(`link ${h.index}: no IFLA_IFNAME`);
  const info: {
    -readonly [K in keyof LinkInfo]: LinkInfo[K];
  } = {
    index: h.index,
    name: readString(name),
    linkType: h.type,
    flags: h.flags,
    up: (h.flags & IFF_UP) !== 0,
    running: (h.flags & IFF_RUNNING) !== 0,
    lowerUp: (h.flags & IFF_LOWER_UP) !== 0,
    multicast: (h.flags & IFF_MULTICAST) !== 0,
    operstate: OPER_STATES[t.has(IFLA_OPERSTATE) ? readU8(t.get(IFLA_OPERSTATE)!, 'IFLA_OPERSTATE') : 0] ?? 'UNKNOWN',
  };
  const mac = t.get(IFLA_ADDRESS);
  if (mac && mac.length > 0) info.mac = macText(mac);
  const mtu = t.get(IFLA_MTU);
  if (mtu) info.mtu = readU32(mtu, 'IFLA_MTU');
  const parent = t.get(IFLA_LINK);
  if (parent) info.parentIndex = readU32(parent, 'IFLA_LINK');
  const master = t.get(IFLA_MASTER);
  if (master) info.masterIndex = readU32(master, 'IFLA_MASTER');
  const linkinfo = t.get(IFLA_LINKINFO);
  if (linkinfo) {
    const kind = attrTable(decodeAttrs(linkinfo, 'IFLA_LINKINFO')).get(IFLA_INFO_KIND);
    if (kind) info.kind = readString(kind);
  }
  return info;
}

export interface AddressInfo {
  readonly ifindex: number;
  readonly family: Family;
  /** The local address (IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL: IPv6). */
  readonly address: string;
  readonly prefixLen: number;
  readonly scope: number;
  /** IFA_F_* (all 32 bits when the kernel sent IFA_FLAGS). */
  readonly flags: number;
  /** IPv4 label (eth0, eth0:vip …). */
  readonly label?: string;
  /** Point-to-point peer (IFA_ADDRESS when it differs from the local address). */
  readonly peer?: string;
  readonly broadcast?: string;
  /** Seconds, 0xffffffff = forever. */
  readonly preferredLft?: number;
  readonly validLft?: number;
}

/** The address a NEWADDR/DELADDR message describes, or undefined for families other than IPv4/IPv6. */
export function parseAddressMessage(m: NetlinkMessage): AddressInfo | undefined {
  const h = decodeIfAddrMsg(m.payload);
  const family = familyName(h.family);
  if (!family) return undefined;
  const t = attrTable(decodeAttrs(m.payload.subarray(IFADDRMSG_LEN), `address on link ${h.index}`));
  const local = t.get(IFA_LOCAL) ?? t.get(IFA_ADDRESS);
  if (!local) throw new NetlinkFormatError(`address on link ${h.index}: neither IFA_LOCAL nor IFA_ADDRESS`);
  const info: { -readonly [K in keyof AddressInfo]: AddressInfo[K] } = {
    ifindex: h.index,
    family,
    address: addressText(local),
    prefixLen: h.prefixLen,
    scope: h.scope,
    flags: t.has(IFA_FLAGS) ? readU32(t.get(IFA_FLAGS)!, 'IFA_FLAGS') : h.flags,
  };
  const label = t.get(IFA_LABEL);
  if (label) info.label = readString(label);
  const address = t.get(IFA_ADDRESS);
  if (address && t.has(IFA_LOCAL) && !address.equals(local)) info.peer = addressText(address);
  const brd = t.get(IFA_BROADCAST);
  if (brd) info.broadcast = addressText(brd);
  const ci = t.get(IFA_CACHEINFO);
  if (ci && ci.length >= 8) {
    info.preferredLft = ci.readUInt32LE(0);
    info.validLft = ci.readUInt32LE(4);
  }
  return info;
}

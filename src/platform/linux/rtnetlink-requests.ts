/**
 * keepalived's address, route and rule entries as rtnetlink requests, pure. Which fields go
 * into a message, with which flags and defaults, follows keepalived 2.2.7
 * (vrrp_ipaddress.c netlink_ipaddress(), vrrp_iproute.c netlink_route(), vrrp_iprule.c
 * netlink_rule()); the layout of an address request follows iproute2 (`ip addr add` sends the
 * same bytes), which the kernel treats the same way. A field this driver cannot express is an
 * UnsupportedFieldError naming it, never a silently different route.
 */
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry, NextHop } from '../../config/model/vrrp.js';
import {
  type Attr,
  AF_INET,
  AF_INET6,
  IFA_ADDRESS,
  IFA_BROADCAST,
  IFA_CACHEINFO,
  IFA_F_HOMEADDRESS,
  IFA_F_MANAGETEMPADDR,
  IFA_F_MCAUTOJOIN,
  IFA_F_NODAD,
  IFA_F_NOPREFIXROUTE,
  IFA_FLAGS,
  IFA_LABEL,
  IFA_LOCAL,
  INFINITY_LIFE_TIME,
  NLM_F_ACK,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RTM_DELADDR,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_NEWADDR,
  RTM_NEWROUTE,
  RTM_NEWRULE,
  addressBytes,
  attr,
  attrNested,
  attrString,
  attrU32,
  attrU8,
  encodeAttrs,
  encodeFibRuleHdr,
  encodeIfAddrMsg,
  encodeMessage,
  encodeRtMsg,
  familyNumber,
} from './netlink-codec.js';

/** The entry uses something this driver does not send (the field is named). */
export class UnsupportedFieldError extends Error {
  constructor(
    readonly subject: string,
    readonly field: string,
  ) {
    super(`${subject}: '${field}' is not supported by the netlink driver`);
  }
}

export type Operation = 'add' | 'delete';

/** A request before it gets a sequence number. */
export interface RequestSpec {
  readonly type: number;
  readonly flags: number;
  /** The family header (ifaddrmsg, rtmsg, fib_rule_hdr …). */
  readonly header: Buffer;
  readonly attrs: readonly Attr[];
  /** What it does, for errors and logs ("RTM_NEWADDR 10.0.0.1/24 dev eth0"). */
  readonly describe: string;
}

export function encodeRequest(spec: RequestSpec, seq: number): Buffer {
  return encodeMessage({ type: spec.type, flags: spec.flags, seq, payload: Buffer.concat([spec.header, encodeAttrs(spec.attrs)]) });
}

/* ---------------------------------------------------------------- addresses */

/**
 * RTM_NEWADDR / RTM_DELADDR for one address on link `ifindex`. Flags are keepalived's: an IPv6
 * address gets IFA_F_NODAD unless `-nodad` was written (the model's `nodad`); IFA_CACHEINFO
 * carries an IPv6 preferred_lft other than forever (valid stays forever). Flags that fit in
 * 8 bits go in the header, others in IFA_FLAGS, as iproute2 does.
 */
export function addressRequest(op: Operation, e: IpAddressEntry, ifindex: number, ifname = `#${ifindex}`): RequestSpec {
  const add = op === 'add';
  const v6 = e.family === 'inet6';
  let flags = 0;
  if (add) {
    if (e.home) flags |= IFA_F_HOMEADDRESS;
    if (e.mngtmpaddr) flags |= IFA_F_MANAGETEMPADDR;
    if (e.noprefixroute) flags |= IFA_F_NOPREFIXROUTE;
    if (e.autojoin) flags |= IFA_F_MCAUTOJOIN;
    if (v6 && !e.nodad) flags |= IFA_F_NODAD;
  }
  const local = addressBytes(e.family, e.address);
  const attrs: Attr[] = [attr(IFA_LOCAL, local)];
  if (e.peer !== undefined) attrs.push(attr(IFA_ADDRESS, addressBytes(e.family, e.peer)));
  if (add && !v6 && e.broadcast !== undefined && e.broadcast !== '0.0.0.0') attrs.push(attr(IFA_BROADCAST, addressBytes('inet', e.broadcast)));
  if (flags > 0xff) attrs.push(attrU32(IFA_FLAGS, flags));
  if (add && e.label !== undefined) attrs.push(attrString(IFA_LABEL, e.label));
  if (e.peer === undefined) attrs.push(attr(IFA_ADDRESS, local));
  if (add && v6 && e.preferredLft !== undefined && e.preferredLft !== INFINITY_LIFE_TIME) {
    const ci = Buffer.alloc(16);
    ci.writeUInt32LE(e.preferredLft >>> 0, 0);
    ci.writeUInt32LE(INFINITY_LIFE_TIME, 4);
    attrs.push(attr(IFA_CACHEINFO, ci));
  }
  const header = encodeIfAddrMsg({
    family: familyNumber(e.family),
    prefixLen: e.prefixLen,
    flags: flags > 0xff ? 0 : flags,
    scope: e.scope,
    index: ifindex,
  });
  const peer = e.peer !== undefined ? ` peer ${e.peer}` : '';
  return {
    type: add ? RTM_NEWADDR : RTM_DELADDR,
    flags: NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0),
    header,
    attrs,
    describe: `${add ? 'RTM_NEWADDR' : 'RTM_DELADDR'} ${e.address}/${e.prefixLen}${peer} dev ${ifname}`,
  };
}

/* ---------------------------------------------------------------- routes */

const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_METRICS = 8;
const RTA_MULTIPATH = 9;
const RTA_FLOW = 11;
const RTA_TABLE = 15;
const RTA_VIA = 18;
const RTA_PREF = 20;
const RTA_EXPIRES = 23;
const RTA_TTL_PROPAGATE = 26;

const RTAX_LOCK = 1;
const RTAX_MTU = 2;
const RTAX_WINDOW = 3;
const RTAX_RTT = 4;
const RTAX_RTTVAR = 5;
const RTAX_SSTHRESH = 6;
const RTAX_CWND = 7;
const RTAX_ADVMSS = 8;
const RTAX_REORDERING = 9;
const RTAX_HOPLIMIT = 10;
const RTAX_INITCWND = 11;
const RTAX_FEATURES = 12;
const RTAX_RTO_MIN = 13;
const RTAX_INITRWND = 14;
const RTAX_QUICKACK = 15;
const RTAX_CC_ALGO = 16;
const RTAX_FASTOPEN_NO_COOKIE = 17;
const RTAX_FEATURE_ECN = 1;

/** Metric names the config can `lock`, and their RTAX bit. */
const LOCKABLE: Readonly<Record<string, number>> = {
  mtu: RTAX_MTU,
  advmss: RTAX_ADVMSS,
  rtt: RTAX_RTT,
  rttvar: RTAX_RTTVAR,
  reordering: RTAX_REORDERING,
  cwnd: RTAX_CWND,
  ssthresh: RTAX_SSTHRESH,
  rto_min: RTAX_RTO_MIN,
  congctl: RTAX_CC_ALGO,
};

const RTNH_F_ONLINK = 4;
const RTN_UNICAST = 1;
const RTPROT_KEEPALIVED = 18;
const RT_TABLE_MAIN = 254;

export function routeText(r: IpRouteEntry): string {
  const dst = r.dst.address !== undefined ? `${r.dst.address}/${r.dst.prefixLen}` : r.dst.text;
  const via = r.via ? ` via ${r.via.address}` : '';
  const dev = r.dev !== undefined ? ` dev ${r.dev}` : '';
  const table = r.table !== RT_TABLE_MAIN ? ` table ${r.table}` : '';
  return `${dst}${via}${dev}${table}`;
}

/** An address attribute for a next hop: RTA_GATEWAY in the route's family, RTA_VIA (family + address) across families. */
function gatewayAttr(routeFamily: IpRouteEntry['family'], via: NonNullable<IpRouteEntry['via']>): Attr {
  const bytes = addressBytes(via.family, via.address);
  if (via.family === routeFamily) return attr(RTA_GATEWAY, bytes);
  const rtvia = Buffer.alloc(2 + bytes.length);
  rtvia.writeUInt16LE(familyNumber(via.family), 0);
  rtvia.set(bytes, 2);
  return attr(RTA_VIA, rtvia);
}

function metricAttrs(r: IpRouteEntry): Attr[] {
  const m: Attr[] = [];
  if (r.congctl !== undefined) m.push(attr(RTAX_CC_ALGO, Buffer.from(r.congctl)));
  if (r.rtt !== undefined) m.push(attrU32(RTAX_RTT, r.rtt));
  if (r.rttvar !== undefined) m.push(attrU32(RTAX_RTTVAR, r.rttvar));
  if (r.rtoMin !== undefined) m.push(attrU32(RTAX_RTO_MIN, r.rtoMin));
  if (r.featuresEcn) m.push(attrU32(RTAX_FEATURES, RTAX_FEATURE_ECN));
  if (r.mtu !== undefined) m.push(attrU32(RTAX_MTU, r.mtu));
  if (r.window !== undefined) m.push(attrU32(RTAX_WINDOW, r.window));
  if (r.ssthresh !== undefined) m.push(attrU32(RTAX_SSTHRESH, r.ssthresh));
  if (r.cwnd !== undefined) m.push(attrU32(RTAX_CWND, r.cwnd));
  if (r.advmss !== undefined) m.push(attrU32(RTAX_ADVMSS, r.advmss));
  if (r.reordering !== undefined) m.push(attrU32(RTAX_REORDERING, r.reordering));
  if (r.hoplimit !== undefined) m.push(attrU32(RTAX_HOPLIMIT, r.hoplimit));
  if (r.initcwnd !== undefined) m.push(attrU32(RTAX_INITCWND, r.initcwnd));
  if (r.initrwnd !== undefined) m.push(attrU32(RTAX_INITRWND, r.initrwnd));
  if (r.quickack !== undefined) m.push(attrU32(RTAX_QUICKACK, r.quickack));
  if (r.fastopenNoCookie !== undefined) m.push(attrU32(RTAX_FASTOPEN_NO_COOKIE, r.fastopenNoCookie ? 1 : 0));
  if (m.length > 0 && r.locked.length > 0) {
    let lock = 0;
    for (const name of r.locked) {
      const bit = LOCKABLE[name];
      if (bit === undefined) throw new UnsupportedFieldError(`route ${routeText(r)}`, `lock ${name}`);
      lock |= 1 << bit;
    }
    m.push(attrU32(RTAX_LOCK, lock));
  }
  return m;
}

function nexthopBytes(subject: string, r: IpRouteEntry, nh: NextHop, ifindexOf: (name: string) => number): Buffer {
  if (nh.encap) throw new UnsupportedFieldError(subject, 'nexthop encap');
  const attrs: Attr[] = [];
  if (nh.via) attrs.push(gatewayAttr(r.family, nh.via));
  if (nh.realms !== undefined && nh.realms !== 0) attrs.push(attrU32(RTA_FLOW, nh.realms));
  const body = encodeAttrs(attrs);
  const rtnh = Buffer.alloc(8);
  rtnh.writeUInt16LE(8 + body.length, 0);
  rtnh.writeUInt8(nh.onlink ? RTNH_F_ONLINK : 0, 2);
  rtnh.writeUInt8(nh.weight !== undefined ? (nh.weight - 1) & 0xff : 0, 3);
  rtnh.writeInt32LE(nh.dev !== undefined ? ifindexOf(nh.dev) : 0, 4);
  return Buffer.concat([rtnh, body]);
}

/**
 * RTM_NEWROUTE / RTM_DELROUTE as keepalived sends them: protocol defaults to keepalived's (18),
 * scope to universe on add and "nowhere" (match any) on delete; `prepend` (the default) is a
 * plain create, `add` adds NLM_F_EXCL, `append` NLM_F_APPEND. `ifindexOf` resolves `dev` names.
 */
export function routeRequest(op: Operation, r: IpRouteEntry, ifindexOf: (name: string) => number): RequestSpec {
  const add = op === 'add';
  const subject = `route ${routeText(r)}`;
  if (r.encap) throw new UnsupportedFieldError(subject, 'encap');
  if (r.vrf !== undefined) throw new UnsupportedFieldError(subject, 'vrf');

  let flags = NLM_F_REQUEST | NLM_F_ACK;
  if (add) {
    flags |= NLM_F_CREATE;
    if (r.mode === 'add') flags |= NLM_F_EXCL;
    else if (r.mode === 'append') flags |= NLM_F_APPEND;
  }
  const attrs: Attr[] = [];
  if (r.table >= 256) attrs.push(attrU32(RTA_TABLE, r.table));
  if (r.dst.address !== undefined) attrs.push(attr(RTA_DST, addressBytes(r.family, r.dst.address)));
  if (r.src?.address !== undefined) attrs.push(attr(RTA_SRC, addressBytes(r.family, r.src.address)));
  if (r.prefSrc) attrs.push(attr(RTA_PREFSRC, addressBytes(r.prefSrc.family, r.prefSrc.address)));
  if (r.via) attrs.push(gatewayAttr(r.family, r.via));
  if (r.dev !== undefined) attrs.push(attrU32(RTA_OIF, ifindexOf(r.dev)));
  if (r.metric !== undefined) attrs.push(attrU32(RTA_PRIORITY, r.metric));
  if (r.realms !== undefined && r.realms !== 0) attrs.push(attrU32(RTA_FLOW, r.realms));
  if (r.expires !== undefined) attrs.push(attrU32(RTA_EXPIRES, r.expires));
  if (r.pref !== undefined) attrs.push(attrU8(RTA_PREF, r.pref));
  if (r.ttlPropagate !== undefined) attrs.push(attrU8(RTA_TTL_PROPAGATE, r.ttlPropagate ? 1 : 0));
  const metrics = metricAttrs(r);
  if (metrics.length > 0) attrs.push(attrNested(RTA_METRICS, metrics));
  if (r.nexthops.length > 0) attrs.push(attr(RTA_MULTIPATH, Buffer.concat(r.nexthops.map((nh) => nexthopBytes(subject, r, nh, ifindexOf)))));

  const header = encodeRtMsg({
    family: familyNumber(r.family),
    dstLen: r.dst.prefixLen,
    srcLen: r.src?.prefixLen ?? 0,
    tos: r.tos ?? 0,
    table: r.table < 256 ? r.table : 0,
    protocol: r.protocol ?? RTPROT_KEEPALIVED,
    scope: r.scope ?? (add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE),
    // a delete without a type matches any type; unicast is what an entry has when none was written
    type: add || r.type !== RTN_UNICAST ? r.type : 0,
    flags: r.onlink ? RTNH_F_ONLINK : 0,
  });
  return { type: add ? RTM_NEWROUTE : RTM_DELROUTE, flags, header, attrs, describe: `${add ? 'RTM_NEWROUTE' : 'RTM_DELROUTE'} ${routeText(r)}` };
}

/* ---------------------------------------------------------------- rules */

const FRA_DST = 1;
const FRA_SRC = 2;
const FRA_IIFNAME = 3;
const FRA_GOTO = 4;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_FLOW = 11;
const FRA_TUN_ID = 12;
const FRA_SUPPRESS_IFGROUP = 13;
const FRA_SUPPRESS_PREFIXLEN = 14;
const FRA_TABLE = 15;
const FRA_FWMASK = 16;
const FRA_OIFNAME = 17;
const FRA_L3MDEV = 19;
const FRA_UID_RANGE = 20;
const FRA_PROTOCOL = 21;
const FRA_IP_PROTO = 22;
const FRA_SPORT_RANGE = 23;
const FRA_DPORT_RANGE = 24;

const FIB_RULE_INVERT = 0x2;

export const FR_ACT: Readonly<Record<IpRuleEntry['action'], number>> = {
  table: 1,
  goto: 2,
  nop: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
};

export function ruleText(r: IpRuleEntry): string {
  const p = (x: IpRuleEntry['from']) => (x?.address !== undefined ? `${x.address}/${x.prefixLen}` : 'all');
  const target = r.action === 'table' ? (r.l3mdev ? 'l3mdev' : `table ${r.table ?? RT_TABLE_MAIN}`) : r.action === 'goto' ? `goto ${r.gotoTarget}` : r.action;
  return `${r.priority}: ${r.not ? 'not ' : ''}from ${p(r.from)}${r.to ? ` to ${p(r.to)}` : ''} ${target}`;
}

function portRange(range: { start: number; end: number }): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(range.start, 0);
  b.writeUInt16LE(range.end, 2);
  return b;
}

/** RTM_NEWRULE (create, exclusive) / RTM_DELRULE as keepalived sends them. */
export function ruleRequest(op: Operation, r: IpRuleEntry): RequestSpec {
  const add = op === 'add';
  const attrs: Attr[] = [];
  let table = 0;
  if (r.action === 'table' && !r.l3mdev) {
    const t = r.table ?? RT_TABLE_MAIN;
    if (t < 256) table = t === 0 ? RT_TABLE_MAIN : t;
    else attrs.push(attrU32(FRA_TABLE, t));
  }
  if (r.from?.address !== undefined) attrs.push(attr(FRA_SRC, addressBytes(r.family, r.from.address)));
  if (r.to?.address !== undefined) attrs.push(attr(FRA_DST, addressBytes(r.family, r.to.address)));
  attrs.push(attrU32(FRA_PRIORITY, r.priority));
  if (r.fwmark !== undefined) attrs.push(attrU32(FRA_FWMARK, r.fwmark));
  if (r.fwmask !== undefined) attrs.push(attrU32(FRA_FWMASK, r.fwmask));
  if (r.realms !== undefined && r.realms !== 0) attrs.push(attrU32(FRA_FLOW, r.realms));
  if (r.suppressPrefixLength !== undefined) attrs.push(attrU32(FRA_SUPPRESS_PREFIXLEN, r.suppressPrefixLength));
  if (r.suppressIfgroup !== undefined) attrs.push(attrU32(FRA_SUPPRESS_IFGROUP, r.suppressIfgroup));
  if (r.iif !== undefined) attrs.push(attrString(FRA_IIFNAME, r.iif));
  if (r.oif !== undefined) attrs.push(attrString(FRA_OIFNAME, r.oif));
  if (r.tunnelId !== undefined && r.tunnelId !== 0n) {
    // the kernel reads the tunnel id in network order
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt.asUintN(64, r.tunnelId));
    attrs.push(attr(FRA_TUN_ID, b));
  }
  if (r.uidRange) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(r.uidRange.start >>> 0, 0);
    b.writeUInt32LE(r.uidRange.end >>> 0, 4);
    attrs.push(attr(FRA_UID_RANGE, b));
  }
  if (r.l3mdev) attrs.push(attrU8(FRA_L3MDEV, 1));
  if (r.protocol !== undefined) attrs.push(attrU8(FRA_PROTOCOL, r.protocol));
  if (r.ipProto !== undefined) attrs.push(attrU8(FRA_IP_PROTO, r.ipProto));
  if (r.sport) attrs.push(attr(FRA_SPORT_RANGE, portRange(r.sport)));
  if (r.dport) attrs.push(attr(FRA_DPORT_RANGE, portRange(r.dport)));
  if (r.action === 'goto') {
    if (r.gotoTarget === undefined) throw new UnsupportedFieldError(`rule ${ruleText(r)}`, 'goto without a target');
    attrs.push(attrU32(FRA_GOTO, r.gotoTarget));
  }
  const header = encodeFibRuleHdr({
    family: r.family === 'inet6' ? AF_INET6 : AF_INET,
    dstLen: r.to?.prefixLen ?? 0,
    srcLen: r.from?.prefixLen ?? 0,
    tos: r.tos ?? 0,
    table,
    action: FR_ACT[r.action],
    flags: r.not ? FIB_RULE_INVERT : 0,
  });
  return {
    type: add ? RTM_NEWRULE : RTM_DELRULE,
    flags: NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0),
    header,
    attrs,
    describe: `${add ? 'RTM_NEWRULE' : 'RTM_DELRULE'} ${ruleText(r)}`,
  };
}

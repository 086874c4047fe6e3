/**
 * Virtual/static addresses, routes and rules as keepalived 2.2.7 writes them in its dumps
 * (format_ipaddress(), format_iproute(), format_iprule()): the JSON dump's "vips" / "vroutes" /
 * "vrules" strings and the data dump's address, route and rule lines.
 */
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry, NextHop, RouteEncap } from '../config/model/vrrp.js';
import { formatG } from './c-format.js';
import type { VrrpInstanceSnapshot } from './vrrp-snapshot.js';

const INFINITY_LIFE_TIME = 0xffffffff;
const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;

const SCOPE_NAMES: Readonly<Record<number, string>> = { 0: 'global', 255: 'nowhere', 254: 'host', 253: 'link', 200: 'site' };
const RTN_NAMES: Readonly<Record<number, string>> = {
  2: 'local', 10: 'nat', 3: 'broadcast', 4: 'anycast', 5: 'multicast', 8: 'prohibit',
  7: 'unreachable', 6: 'blackhole', 11: 'xresolve', 1: 'unicast', 9: 'throw',
};
const RULE_ACTION_RTN: Readonly<Record<IpRuleEntry['action'], number>> = { table: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };

/** ipaddresstos(): the address, with "/LEN" unless it is a host address. */
export function addressWithPrefix(family: 'inet' | 'inet6', address: string, prefixLen: number): string {
  return prefixLen !== (family === 'inet' ? 32 : 128) ? `${address}/${prefixLen}` : address;
}

/** The run-time flags keepalived appends to an address it manages. */
export interface AddressState {
  /** Installed on the interface (" set"). */
  readonly set?: boolean;
  /** Its no_accept firewall rule is installed (" nftable_set"). */
  readonly firewallSet?: boolean;
  /**
   * The instance uses a VMAC interface: addresses on the instance's own interface are on the
   * VMAC, printed "dev VMAC@BASE".
   */
  readonly vmac?: { readonly ifname: string; readonly baseIfname: string };
}

/** An instance's addresses are installed while vipset; their no_accept rules while MASTER (not for an address owner). */
export function instanceAddressState(v: VrrpInstanceSnapshot): AddressState {
  const c = v.config;
  const vmac = c.useVmac?.ifname && c.interface ? { ifname: c.useVmac.ifname, baseIfname: c.interface } : undefined;
  return {
    set: v.vipset,
    firewallSet: v.vipset && !v.settings.accept && v.basePriority !== 255,
    ...(vmac ? { vmac } : {}),
  };
}

export function formatIpAddress(a: IpAddressEntry, st: AddressState = {}): string {
  let s = addressWithPrefix(a.family, a.address, a.prefixLen);
  if (a.family === 'inet' && a.broadcast && a.broadcast !== '0.0.0.0') s += ` brd ${a.broadcast}`;
  if (st.vmac && a.dev === st.vmac.baseIfname && !a.useVmac) s += ` dev ${st.vmac.ifname}@${st.vmac.baseIfname}`;
  else s += ` dev ${a.dev ?? '(null)'}`;
  if (a.useVmac) s += ' use_vmac';
  s += ` scope ${SCOPE_NAMES[a.scope] ?? String(a.scope)}`;
  if (a.label) s += ` label ${a.label}`;
  if (a.peer) s += ` peer ${a.peer}/${a.prefixLen}`;
  if (a.home) s += ' home';
  if (a.nodad) s += ' -nodad';
  if (a.mngtmpaddr) s += ' mngtmpaddr';
  if (a.noprefixroute) s += ' noprefixroute';
  if (a.autojoin) s += ' autojoin';
  if (a.noTrack) s += ' no_track';
  if (a.trackGroup) s += ` track_group ${a.trackGroup}`;
  if (a.family === 'inet6') {
    const lft = a.preferredLft ?? (a.prefixLen === 128 ? 0 : INFINITY_LIFE_TIME);
    if (lft === 0) s += ' deprecated';
    else if (lft === INFINITY_LIFE_TIME) s += ' preferred_lft forever';
    else s += ` preferred_lft ${lft}`;
  }
  if (st.set) s += ' set';
  if (st.firewallSet) s += ' nftable_set';
  return s;
}

const hex = (n: number | bigint) => n.toString(16);

function formatEncap(e: RouteEncap): string {
  switch (e.type) {
    case 'ip':
    case 'ip6': {
      const v6 = e.type === 'ip6';
      let s = ` encap ${e.type}`;
      if (e.id !== undefined) s += ` id ${e.id}`;
      if (e.dst !== undefined) s += ` dst ${e.dst}`;
      if (e.src !== undefined) s += ` src ${e.src}`;
      if (e.tos !== undefined) s += v6 ? ` tc ${e.tos}` : ` tos ${e.tos}`;
      if (e.ttl !== undefined) s += v6 ? ` hoplimit ${e.ttl}` : ` ttl ${e.ttl}`;
      if (e.flags !== undefined) s += ` flags 0x${hex(e.flags)}`;
      return s;
    }
    case 'mpls': {
      // each label stack entry as the kernel holds it: label << 12, bottom-of-stack bit on the last
      const labels = e.labels ?? [];
      return ' encap mpls' + labels.map((l, i) => `${i ? '/' : ' '}${hex(((l << 12) | (i === labels.length - 1 ? 0x100 : 0)) >>> 0)}`).join('');
    }
    case 'ila': {
      const groups = (e.locator ?? '0:0:0:0').split(':').map((g) => BigInt(parseInt(g, 16)));
      return ` encap ila ${groups.reduce((acc, g) => (acc << 16n) | g, 0n)}`;
    }
  }
}

function formatRealms(realms: number, highPartFrom: number): string {
  return (highPartFrom & 0xffff0000 ? ` realms ${realms >>> 16}/` : ' realm ') + String(realms & 0xffff);
}

function formatNextHop(nh: NextHop, route: IpRouteEntry): string {
  let s = ' nexthop';
  if (nh.via) s += ` via inet${nh.via.family === 'inet' ? '' : '6'} ${nh.via.address}`;
  if (nh.dev) s += ` dev ${nh.dev}`;
  if (nh.weight !== undefined) s += ` weight ${nh.weight}`;
  if (nh.onlink) s += ' onlink';
  // keepalived decides between "realms" and "realm" on the route's realms, not the nexthop's
  if (nh.realms) s += formatRealms(nh.realms, route.realms ?? 0);
  if (nh.encap) s += formatEncap(nh.encap);
  return s;
}

const PREF_NAMES: Readonly<Record<number, string>> = { 3: 'low', 0: 'medium', 1: 'high' };

export function formatIpRoute(r: IpRouteEntry): string {
  const locked = (name: string) => r.locked.includes(name);
  const lockWord = (name: string) => (locked(name) ? 'lock ' : '');
  // keepalived 2.2.7 prints every route with a type keyword (blackhole, unreachable …) as "add"
  // whatever its mode (observed with keepalived -d), so do we
  let s = `${r.type !== RTN_UNICAST ? 'add' : r.mode} `;
  if (r.type !== RTN_UNICAST) s += `${RTN_NAMES[r.type] ?? String(r.type)} `;
  s += r.dst.address !== undefined ? addressWithPrefix(r.dst.family ?? r.family, r.dst.address, r.dst.prefixLen) : 'default';
  if (r.src?.address !== undefined) s += ` from ${addressWithPrefix(r.src.family ?? r.family, r.src.address, r.src.prefixLen)}`;
  if (r.prefSrc) s += ` src ${r.prefSrc.address}`;
  if (r.tos !== undefined) s += ` tos ${r.tos}`;
  if (r.encap) s += formatEncap(r.encap);
  if (r.via) s += ` via ${r.via.family === 'inet6' ? 'inet6' : 'inet'} ${r.via.address}`;
  if (r.dev) s += ` dev ${r.dev}`;
  if (r.table !== RT_TABLE_MAIN) s += ` table ${r.table >>> 0}`;
  if (r.protocol !== undefined) s += ` proto ${r.protocol}`;
  if (r.scope !== undefined) s += ` scope ${r.scope}`;
  if (r.metric !== undefined) s += ` metric ${r.metric >>> 0}`;
  if (r.family === 'inet' && r.onlink) s += ' onlink';
  if (r.realms) s += formatRealms(r.realms, r.realms);
  if (r.expires !== undefined) s += ` expires ${r.expires}sec`;
  if (r.congctl !== undefined) s += ` congctl ${r.congctl}${lockWord('congctl')}`;
  if (r.rtt !== undefined) s += ` rtt${locked('rtt') ? ' lock' : ''} ` + (r.rtt >= 8000 ? `${formatG(r.rtt / 8000)}s` : `${formatG(r.rtt / 8)}ms`);
  if (r.rttvar !== undefined)
    s += ` rttvar${locked('rttvar') ? ' lock' : ''} ` + (r.rttvar >= 4000 ? `${formatG(r.rttvar / 4000)}s` : `${formatG(r.rttvar / 4)}ms`);
  if (r.rtoMin !== undefined)
    s += ` rto_min${locked('rto_min') ? ' lock' : ''} ` + (r.rtoMin >= 1000 ? `${formatG(r.rtoMin / 1000)}s` : `${r.rtoMin}ms`);
  if (r.featuresEcn) s += ' features ecn';
  if (r.mtu !== undefined) s += ` mtu ${lockWord('mtu')}${r.mtu}`;
  if (r.window !== undefined) s += ` window ${r.window}`;
  if (r.ssthresh !== undefined) s += ` ssthresh ${lockWord('ssthresh')}${r.ssthresh}`;
  if (r.cwnd !== undefined) s += ` cwnd ${lockWord('cwnd')}${r.cwnd}`;
  if (r.advmss !== undefined) s += ` advmss ${lockWord('advmss')}${r.advmss}`;
  if (r.reordering !== undefined) s += ` reordering ${lockWord('reordering')}${r.reordering}`;
  if (r.hoplimit !== undefined) s += ` hoplimit ${r.hoplimit}`;
  if (r.initcwnd !== undefined) s += ` initcwnd ${r.initcwnd}`;
  if (r.initrwnd !== undefined) s += ` initrwnd ${r.initrwnd}`;
  if (r.quickack !== undefined) s += ` quickack ${r.quickack}`;
  if (r.pref !== undefined) s += ` pref ${PREF_NAMES[r.pref] ?? 'unknown'}`;
  if (r.fastopenNoCookie !== undefined) s += ` fastopen_no_cookie ${r.fastopenNoCookie ? 1 : 0}`;
  if (r.ttlPropagate !== undefined) s += ` ttl-propagate ${r.ttlPropagate ? 'en' : 'dis'}abled`;
  for (const nh of r.nexthops) s += formatNextHop(nh, r);
  if (r.noTrack) s += ' no_track';
  if (r.trackGroup) s += ` track_group ${r.trackGroup}`;
  return s;
}

export function formatIpRule(r: IpRuleEntry): string {
  let s = '';
  const prefix = (p: NonNullable<IpRuleEntry['from']>) => (p.address !== undefined ? addressWithPrefix(p.family ?? r.family, p.address, p.prefixLen) : undefined);
  const from = r.from ? prefix(r.from) : undefined;
  const to = r.to ? prefix(r.to) : undefined;
  if (from === undefined && to === undefined && r.family === 'inet6') s += 'inet6 ';
  if (r.not) s += 'not ';
  s += from !== undefined ? `from ${from}` : 'from all';
  if (to !== undefined) s += ` to ${to}`;
  s += ` priority ${r.priority >>> 0}`;
  s += ` tos 0x${hex(r.tos ?? 0)}`;
  if (r.fwmark !== undefined || r.fwmask !== undefined) {
    s += ` fwmark 0x${hex((r.fwmark ?? 0) >>> 0)}`;
    if (r.fwmask !== undefined && r.fwmask >>> 0 !== 0xffffffff) s += `/0x${hex(r.fwmask >>> 0)}`;
  }
  if (r.iif) s += ` iif ${r.iif}`;
  if (r.oif) s += ` oif ${r.oif}`;
  if (r.suppressPrefixLength !== undefined && r.suppressPrefixLength !== -1) s += ` suppress_prefixlen ${r.suppressPrefixLength}`;
  if (r.suppressIfgroup !== undefined) s += ` suppress_ifgroup ${r.suppressIfgroup >>> 0}`;
  if (r.tunnelId) s += ` tunnel-id ${r.tunnelId}`;
  if (r.uidRange) s += ` uidrange ${r.uidRange.start}-${r.uidRange.end}`;
  if (r.l3mdev) s += ' l3mdev';
  if (r.protocol !== undefined) s += ` protocol ${r.protocol}`;
  if (r.ipProto !== undefined) s += ` ipproto ${r.ipProto}`;
  if (r.sport) s += ` sport ${r.sport.start}-${r.sport.end}`;
  if (r.dport) s += ` dport ${r.dport.start}-${r.dport.end}`;
  if (r.realms) s += ` realms ${r.realms >>> 16}/${r.realms & 0xffff}`;
  if (r.action === 'table') s += ` lookup ${(r.table ?? 0) >>> 0}`;
  else if (r.action === 'goto') s += ` goto ${r.gotoTarget ?? 0}`;
  else if (r.action === 'nop') s += ' nop';
  else s += ` type ${RTN_NAMES[RULE_ACTION_RTN[r.action]]}`;
  if (r.noTrack) s += ' no_track';
  if (r.trackGroup) s += ` track_group ${r.trackGroup}`;
  return s;
}

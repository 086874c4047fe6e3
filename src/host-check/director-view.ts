/**
 * The parts of a keepalived.conf that the host checks look at, flattened: which interfaces VRRP
 * uses and what its adverts look like on the wire, and which virtual servers need what from the
 * kernel. Pure; read by the rules and by the gatherer (to know which routes to look up).
 */
import type { Family } from '../config/entries/inet.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import type { ForwardingMethod, VirtualServer } from '../config/model/lvs.js';
import type { VrrpFlow } from './firewall-model.js';

export interface VrrpUse {
  readonly instance: string;
  readonly iface: string;
  readonly family: Family;
  /** Unicast peers; empty for a multicast instance. */
  readonly peers: readonly string[];
  readonly sourceAddress?: string;
  /** The multicast group (multicast instances only). */
  readonly group?: string;
}

export function vrrpUses(config: KeepalivedConfig): VrrpUse[] {
  const out: VrrpUse[] = [];
  for (const inst of config.vrrp.instances) {
    if (inst.interface === undefined) continue;
    const family = inst.family ?? 'inet';
    const peers = inst.unicastPeers.map((p) => p.address);
    const group = inst.mcastDstIp?.address ?? (family === 'inet' ? config.global.vrrpMcastGroup4 : config.global.vrrpMcastGroup6);
    out.push({
      instance: inst.name,
      iface: inst.interface,
      family,
      peers,
      ...(inst.srcIp ? { sourceAddress: inst.srcIp.address } : {}),
      ...(peers.length === 0 ? { group } : {}),
    });
  }
  return out;
}

/** The adverts an instance receives and sends, as the firewall sees them. */
export function vrrpFlows(use: VrrpUse): VrrpFlow[] {
  const base = { family: use.family, iface: use.iface };
  if (use.group !== undefined)
    return [
      { ...base, direction: 'in', daddr: use.group, multicast: true },
      { ...base, direction: 'out', daddr: use.group, multicast: true },
    ];
  const flows: VrrpFlow[] = [];
  for (const peer of use.peers) {
    const src = use.sourceAddress !== undefined ? { daddr: use.sourceAddress } : {};
    flows.push({ ...base, direction: 'in', saddr: peer, ...src, multicast: false });
    flows.push({ ...base, direction: 'out', daddr: peer, ...(use.sourceAddress !== undefined ? { saddr: use.sourceAddress } : {}), multicast: false });
  }
  return flows;
}

/** The forwarding method of a virtual server's real servers (validation gives each one; the VS's own is the default). */
export function forwardingMethods(vs: VirtualServer): Set<ForwardingMethod> {
  const methods = new Set<ForwardingMethod>();
  for (const rs of vs.realServers) methods.add(rs.forwarding?.method ?? vs.forwarding?.method ?? 'NAT');
  if (vs.realServers.length === 0) methods.add(vs.forwarding?.method ?? 'NAT');
  return methods;
}

/** How the config names a virtual server in messages: `10.0.0.1:80 TCP`, `fwmark 5`, `group web`. */
export function virtualServerLabel(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `fwmark ${vs.fwmark}`;
  if (vs.kind === 'group') return `group ${vs.groupName}`;
  const a = vs.address;
  const host = a ? (a.family === 'inet6' ? `[${a.address}]` : a.address) : '?';
  return `${host}:${a?.port ?? 0}${vs.protocol ? ` ${vs.protocol}` : ''}`;
}

/** Real servers reached by direct routing: their traffic leaves by the interface the route to them uses. */
export function directRoutingRealServers(config: KeepalivedConfig): string[] {
  const out = new Set<string>();
  for (const vs of config.lvs.virtualServers)
    for (const rs of vs.realServers)
      if ((rs.forwarding?.method ?? vs.forwarding?.method) === 'DR') out.add(rs.address.address);
  return [...out];
}

/** Every destination whose route the rules need: unicast peers and direct-routing real servers. */
export function routeTargets(config: KeepalivedConfig): string[] {
  const out = new Set<string>();
  for (const use of vrrpUses(config)) for (const p of use.peers) out.add(p);
  for (const a of directRoutingRealServers(config)) out.add(a);
  return [...out];
}

/** Every VIP (virtual_ipaddress and _excluded) of every instance. */
export function allVips(config: KeepalivedConfig) {
  return config.vrrp.instances.flatMap((i) => [...i.vips, ...i.evips]);
}

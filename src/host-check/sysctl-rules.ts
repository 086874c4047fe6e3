/**
 * Kernel settings a director depends on.
 *
 * - rp_filter: the kernel uses max(conf.all, conf.IF). Strict mode (1) drops a packet when the
 *   route back to its source leaves by another interface. Multicast adverts from a peer on the
 *   same segment pass it; unicast adverts from a peer whose route is elsewhere (asymmetric
 *   paths, peers behind a router, a second heartbeat link) do not. Loose mode (2) only asks for
 *   some route to the source, which is what such setups need; 0 is not required.
 * - send_redirects: with direct routing the director sends packets back out of the interface
 *   they came in on; with redirects on it tells the sender to bypass it. The seed sets it to 0
 *   on all, default (interfaces created later) and the LVS interface. Cheap and harmless, so
 *   it is always asked for when the config has DR services.
 * - ip_forward: a kernel NAT data plane (IPVS, keepalived's) forwards the real servers' replies;
 *   keepalived-ts's user-space proxy terminates connections and forwards nothing. Turning a host
 *   into a router is not harmless, so it is a warning only when the kernel has IPVS.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { DirectorFacts } from './director-facts.js';
import { directRoutingRealServers, forwardingMethods, virtualServerLabel, vrrpUses } from './director-view.js';
import type { Finding } from './finding.js';
import { confPath, IP_FORWARD, sysctlCommand, sysctlName } from './sysctl-names.js';

const STRICT = 1;

export function rpFilterFindings(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  const out: Finding[] = [];
  const value = (path: string) => Number(facts.sysctls.get(path) ?? '0');
  for (const use of vrrpUses(config)) {
    if (use.family !== 'inet') continue; // IPv6 has no rp_filter sysctl
    const allPath = confPath('ipv4', 'all', 'rp_filter');
    const ifPath = confPath('ipv4', use.iface, 'rp_filter');
    const strict = Math.max(value(allPath), value(ifPath)) === STRICT;
    for (const peer of use.peers) {
      const dev = facts.routes.get(peer);
      if (dev === undefined) continue;
      if (dev === null) {
        out.push({ id: 'unicast-peer-unreachable', severity: 'warning', subject: peer, message: `vrrp_instance ${use.instance}: no route to unicast peer ${peer}: adverts to it cannot be sent, and reverse-path filtering (strict or loose) drops its adverts`, fix: [] });
        continue;
      }
      if (!strict || dev === use.iface) continue;
      const fix = [allPath, ifPath].filter((p) => value(p) === STRICT).map((p) => sysctlCommand(p, 2));
      out.push({
        id: 'rp-filter-strict',
        severity: 'warning',
        subject: sysctlName(ifPath),
        message: `vrrp_instance ${use.instance}: strict rp_filter on ${use.iface} while the route to unicast peer ${peer} leaves by ${dev}: the peer's adverts arriving on ${use.iface} fail the reverse-path check and are dropped; loose mode (2) accepts them`,
        fix,
      });
    }
  }
  return out;
}

export function sendRedirectsFindings(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  const drServices = config.lvs.virtualServers.filter((vs) => forwardingMethods(vs).has('DR'));
  if (drServices.length === 0) return [];
  const interfaces = new Set<string>(['all', 'default']);
  for (const use of vrrpUses(config)) interfaces.add(use.iface);
  for (const rs of directRoutingRealServers(config)) {
    const dev = facts.routes.get(rs);
    if (typeof dev === 'string') interfaces.add(dev);
  }
  const out: Finding[] = [];
  for (const iface of interfaces) {
    const path = confPath('ipv4', iface, 'send_redirects');
    const v = facts.sysctls.get(path);
    if (v === undefined || v === '0') continue;
    out.push({
      id: 'send-redirects',
      severity: 'warning',
      subject: sysctlName(path),
      message: `${sysctlName(path)} is ${v} with direct-routing virtual servers (${drServices.map(virtualServerLabel).join(', ')}): the director may send ICMP redirects telling clients to bypass it; set it to 0 on all, default and the LVS interface`,
      fix: [sysctlCommand(path, 0)],
    });
  }
  return out;
}

export function ipForwardFindings(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  const natServices = config.lvs.virtualServers.filter((vs) => forwardingMethods(vs).has('NAT'));
  if (natServices.length === 0 || facts.sysctls.get(IP_FORWARD) === '1') return [];
  const list = natServices.map(virtualServerLabel).join(', ');
  return [
    facts.ipvs
      ? { id: 'ip-forward', severity: 'warning', subject: sysctlName(IP_FORWARD), message: `IP forwarding is off with NAT virtual servers (${list}): a kernel (IPVS) NAT data plane cannot forward the real servers' replies back to clients`, fix: [sysctlCommand(IP_FORWARD, 1)] }
      : { id: 'ip-forward', severity: 'info', subject: sysctlName(IP_FORWARD), message: `IP forwarding is off with NAT virtual servers (${list}); the user-space proxy data plane does not need it (it terminates connections), a kernel NAT data plane would`, fix: [] },
  ];
}

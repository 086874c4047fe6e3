/**
 * What the data plane can serve on this host. keepalived-ts serves virtual servers with its
 * user-space proxy (dataplane/select.ts), which:
 * - serves TCP and UDP address services only: fwmark and SCTP services are skipped;
 * - listens on a virtual server's address only while the address is on this host (a VIP that
 *   VRRP holds, or an address of an interface): it never binds an address the host does not
 *   hold, so it needs no net.ipv4.ip_nonlocal_bind. A virtual server on an address that is
 *   neither is never served;
 * - with one exception: an IPv6 VIP written with `-nodad` goes through duplicate address
 *   detection when it is added and stays "tentative" meanwhile (about a second); binding a
 *   tentative address fails with EADDRNOTAVAIL unless net.ipv6.ip_nonlocal_bind is 1, so the
 *   proxy serves only after its listen retry (1 s, then doubling). keepalived adds IPv6 VIPs
 *   without DAD by default, which avoids this.
 */
import { inPrefix } from './address-match.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import type { DirectorFacts } from './director-facts.js';
import { allVips, virtualServerLabel } from './director-view.js';
import type { Finding } from './finding.js';
import { IPV6_NONLOCAL_BIND, sysctlCommand, sysctlName } from './sysctl-names.js';

function sameAddress(a: string, b: string): boolean {
  return inPrefix(a, b) === true;
}

export function dataPlaneFindings(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  const services = config.lvs.virtualServers;
  if (services.length === 0) return [];
  const out: Finding[] = [];
  if (!facts.ipvs)
    out.push({ id: 'no-ipvs', severity: 'info', subject: '/proc/net/ip_vs', message: `the kernel has no IPVS (/proc/net/ip_vs is missing): the ${services.length} virtual server(s) are served by keepalived-ts's user-space proxy data plane (TCP and UDP services; fwmark services cannot be)`, fix: [] });
  for (const vs of services) {
    if (vs.kind === 'fwmark' || vs.protocol === 'SCTP')
      out.push({ id: 'service-not-proxied', severity: 'warning', subject: virtualServerLabel(vs), message: `virtual_server ${virtualServerLabel(vs)} (${vs.at.file}:${vs.at.line}) cannot be served by the proxy data plane (${vs.kind === 'fwmark' ? 'fwmark services need a kernel data plane' : 'SCTP is not proxied'}); rewrite it as a TCP or UDP address service`, fix: [] });
  }
  const vips = allVips(config);
  for (const vs of services) {
    if (vs.kind !== 'address' || !vs.address || vs.protocol === 'SCTP') continue;
    const address = vs.address.address;
    const isVip = vips.some((v) => sameAddress(address, v.address));
    const isLocal = /^127\./.test(address) || address === '::1' || facts.addresses.some((a) => sameAddress(address, a.address));
    if (!isVip && !isLocal)
      out.push({ id: 'service-address-not-held', severity: 'warning', subject: virtualServerLabel(vs), message: `virtual_server ${virtualServerLabel(vs)} (${vs.at.file}:${vs.at.line}): ${address} is not a virtual_ipaddress of any vrrp_instance nor an address of this host, so the proxy data plane never listens on it; add it to the virtual_ipaddress block of the instance that should carry it`, fix: [] });
  }
  const nonlocal6 = facts.sysctls.get(IPV6_NONLOCAL_BIND);
  if (nonlocal6 !== '1') {
    const served = new Set(services.filter((vs) => vs.kind === 'address' && vs.address?.family === 'inet6').map((vs) => vs.address!.address));
    for (const inst of config.vrrp.instances)
      for (const vip of inst.vips)
        if (vip.family === 'inet6' && vip.nodad && [...served].some((s) => sameAddress(s, vip.address)))
          out.push({
            id: 'ipv6-vip-dad',
            severity: 'warning',
            subject: vip.address,
            message: `VIP ${vip.address} of vrrp_instance ${inst.name} is written with -nodad, so after each takeover it is tentative during duplicate address detection and the proxy cannot bind it until DAD ends (its listen retries 1 s later, then doubling); ${sysctlName(IPV6_NONLOCAL_BIND)}=1 lets it bind at once (or drop -nodad)`,
            fix: [sysctlCommand(IPV6_NONLOCAL_BIND, 1)],
          });
  }
  return out;
}

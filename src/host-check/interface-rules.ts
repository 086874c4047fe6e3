/**
 * The interfaces the config names: VRRP's own interface must exist and be up (else the instance
 * stays in FAULT), carry a signal, and allow multicast when adverts are multicast; any other
 * interface it names (track_interface, a VIP's dev) must exist.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { DirectorFacts, LinkFact } from './director-facts.js';
import { vrrpUses } from './director-view.js';
import type { Finding } from './finding.js';

function group<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
}

const names = (list: readonly { instance: string }[]) => list.map((u) => u.instance).join(', ');

export function interfaceFindings(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  if (!facts.links) {
    return [{ id: 'links-unreadable', severity: 'warning', subject: 'interfaces', message: `could not list the host's interfaces (${facts.linkError ?? 'unknown error'}): interface checks skipped`, fix: [] }];
  }
  const links = new Map<string, LinkFact>(facts.links.map((l) => [l.name, l]));
  const out: Finding[] = [];
  for (const [iface, uses] of group(vrrpUses(config), (u) => u.iface)) {
    const link = links.get(iface);
    const who = `vrrp_instance ${names(uses)}`;
    if (!link) {
      out.push({ id: 'interface-missing', severity: 'error', subject: iface, message: `${who} uses interface ${iface}, which does not exist: the instance cannot run (FAULT)`, fix: [] });
      continue;
    }
    if (!link.up) {
      out.push({ id: 'interface-down', severity: 'error', subject: iface, message: `interface ${iface} of ${who} is down: the instance stays in FAULT and never holds its VIPs`, fix: [`ip link set dev ${iface} up`] });
    } else if (!link.running) {
      out.push({ id: 'interface-no-carrier', severity: 'warning', subject: iface, message: `interface ${iface} of ${who} is up but has no carrier: the instance is in FAULT until the link comes up (check the cable, switch port or peer)`, fix: [] });
    }
    const multicastUsers = uses.filter((u) => u.group !== undefined);
    if (multicastUsers.length > 0 && !link.multicast) {
      out.push({ id: 'interface-no-multicast', severity: 'error', subject: iface, message: `interface ${iface} has no MULTICAST flag but vrrp_instance ${names(multicastUsers)} advertise by multicast: keepalived disables such instances (or configure unicast_peer)`, fix: [`ip link set dev ${iface} multicast on`] });
    }
  }
  // every other name the config gives (track_interface, a VIP's dev, …) that the parser found missing
  const reported = new Set(out.filter((f) => f.id === 'interface-missing').map((f) => f.subject));
  for (const name of config.vrrp.missingInterfaces)
    if (!reported.has(name) && !links.has(name))
      out.push({ id: 'interface-missing', severity: 'error', subject: name, message: `the config names interface ${name}, which does not exist: keepalived refuses the whole VRRP configuration`, fix: [] });
  return out;
}

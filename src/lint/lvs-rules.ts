/**
 * Virtual server rules: after a failover the new master serves what its own config says, so
 * every director must define the same services with the same real servers.
 */
import type { LvsAddress, VirtualServer } from '../config/model/lvs.js';
import { finding, type Finding } from './finding.js';
import { keywordLine, type LintNode, type SourceLines } from './lint-node.js';

function endpoint(a: LvsAddress): string {
  return a.family === 'inet6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The service a virtual_server block defines: what clients reach. */
function serviceKey(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `fwmark ${vs.fwmark}${vs.family === 'inet6' ? ' inet6' : ''}`;
  if (vs.kind === 'group') return `group ${vs.groupName}`;
  return `${vs.protocol ?? 'TCP'} ${vs.address ? endpoint(vs.address) : '?'}`;
}

function serviceName(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `virtual_server fwmark ${vs.fwmark}`;
  if (vs.kind === 'group') return `virtual_server group ${vs.groupName}`;
  return `virtual_server ${vs.address ? endpoint(vs.address) : '?'}/${vs.protocol ?? 'TCP'}`;
}

function realServerKeys(vs: VirtualServer): string[] {
  return [...new Set(vs.realServers.map((rs) => endpoint(rs.address)))].sort();
}

/** Settings that change how clients are served. */
const SETTINGS: readonly { keyword: string; value: (vs: VirtualServer) => string | number | undefined; effect: string }[] = [
  { keyword: 'lb_algo', value: (vs) => vs.scheduler, effect: 'connections are spread differently after a failover' },
  { keyword: 'lb_kind', value: (vs) => vs.forwarding?.method, effect: 'the real servers are reached another way after a failover, and may not be set up for it' },
  { keyword: 'persistence_timeout', value: (vs) => vs.persistenceTimeout, effect: 'clients keep their real server for another time after a failover' },
];

export function lvsFindings(nodes: readonly LintNode[], sources: SourceLines): Finding[] {
  const out: Finding[] = [];
  if (nodes.length < 2) return out;
  const services = nodes.map((n) => new Map(n.config.lvs.virtualServers.map((vs) => [serviceKey(vs), vs] as const)));
  services.forEach((mine, n) => {
    for (const [key, vs] of mine) {
      const lacking = nodes.filter((_, o) => o !== n && !services[o]!.has(key));
      if (lacking.length)
        out.push(finding('virtual-server-missing', 'error', vs.at,
          `${serviceName(vs)} is defined here but not in ${lacking.map((l) => l.label).join(', ')}: after a failover to ${lacking.length > 1 ? 'those directors' : 'that director'} the service is gone`));
    }
  });
  // each later director's services against the first director that has the same service
  services.forEach((mine, n) => {
    for (const [key, vs] of mine) {
      const refIndex = services.findIndex((s) => s.has(key));
      if (refIndex === n) continue;
      const ref = services[refIndex]!.get(key)!;
      const refLabel = nodes[refIndex]!.label;
      for (const s of SETTINGS) {
        const a = s.value(vs);
        const b = s.value(ref);
        if (a !== b)
          out.push(finding('virtual-server-mismatch', 'warning', keywordLine(sources, vs.at, [s.keyword], nodes[n]!.configId),
            `${s.keyword} ${a ?? '(unset)'} of ${serviceName(vs)} differs from ${b ?? '(unset)'} in ${refLabel}: ${s.effect}`));
      }
      const here = realServerKeys(vs);
      const there = realServerKeys(ref);
      const missing = there.filter((k) => !here.includes(k));
      const extra = here.filter((k) => !there.includes(k));
      if (missing.length || extra.length) {
        const diff = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `extra ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
        out.push(finding('real-server-mismatch', 'warning', vs.at,
          `the real servers of ${serviceName(vs)} differ from ${refLabel} (${diff}): after a failover clients are sent to another pool`));
      }
    }
  });
  return out;
}

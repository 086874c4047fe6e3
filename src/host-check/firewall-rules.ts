/**
 * Firewall rules that stop VRRP adverts: a node that cannot hear its peer's adverts becomes
 * MASTER too (split brain, the seed's §4); one that cannot send them makes its peer do so. Both
 * directions of every instance's adverts are walked through every base chain on their path.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { DirectorFacts } from './director-facts.js';
import { vrrpFlows, vrrpUses } from './director-view.js';
import { evaluateBaseChain, HOOKS_BY_DIRECTION, type FirewallTable } from './firewall-model.js';
import type { Finding } from './finding.js';
import { iptablesTables } from './iptables-save.js';
import { nftTables } from './nft-ruleset.js';

export function firewallTables(facts: DirectorFacts): FirewallTable[] {
  const fw = facts.firewall;
  return [
    ...(fw.nftables !== undefined ? nftTables(fw.nftables) : []),
    ...(fw.iptables !== undefined ? iptablesTables(fw.iptables, 'iptables') : []),
    ...(fw.ip6tables !== undefined ? iptablesTables(fw.ip6tables, 'ip6tables') : []),
  ];
}

export function firewallFindings(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  const out: Finding[] = [];
  if (facts.firewall.nftablesError !== undefined)
    out.push({ id: 'firewall-unreadable', severity: 'info', subject: 'nftables', message: `could not read the nftables ruleset (${facts.firewall.nftablesError}): nftables rules not checked`, fix: [] });
  if (facts.firewall.iptablesError !== undefined)
    out.push({ id: 'firewall-unreadable', severity: 'info', subject: 'iptables', message: `could not read the iptables rules (${facts.firewall.iptablesError}): iptables rules not checked`, fix: [] });
  const tables = firewallTables(facts);
  const seen = new Set<string>();
  for (const use of vrrpUses(config)) {
    for (const flow of vrrpFlows(use)) {
      for (const table of tables) {
        if (!table.families.includes(flow.family)) continue;
        for (const base of table.baseChains) {
          if (!HOOKS_BY_DIRECTION[flow.direction].includes(base.hook)) continue;
          const outcome = evaluateBaseChain(table, base, flow);
          if (outcome.kind !== 'drop') continue;
          const key = `${table.source}\0${table.label}\0${base.chain}\0${flow.direction}\0${flow.iface}\0${flow.family}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const what = flow.direction === 'in' ? `received on ${flow.iface}` : `sent from ${flow.iface}`;
          const peerOrGroup = flow.multicast ? `to ${flow.daddr}` : flow.direction === 'in' ? `from ${flow.saddr}` : `to ${flow.daddr}`;
          const by = outcome.rule ? `rule \`${outcome.rule.text}\`${outcome.chain !== base.chain ? ` in chain ${outcome.chain}` : ''}` : `the chain's policy drop (no rule accepts VRRP)`;
          const consequence =
            flow.direction === 'in'
              ? 'this node cannot hear its peer and becomes MASTER as well: split brain'
              : 'the peer cannot hear this node and becomes MASTER as well: split brain';
          out.push({
            id: 'firewall-drops-vrrp',
            severity: 'error',
            subject: `${table.source} ${table.label} ${base.chain}`,
            message: `${table.source} chain ${table.label} ${base.chain} drops VRRP adverts (IP protocol 112) ${what} ${peerOrGroup} of vrrp_instance ${use.instance}, by ${by}: ${consequence}`,
            fix: [table.acceptCommand(base.chain, flow)],
          });
        }
      }
    }
  }
  return out;
}

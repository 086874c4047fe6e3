/**
 * A firewall ruleset reduced to what decides the fate of one VRRP packet, and the walk that
 * decides it. nftables JSON (nft-ruleset.ts) and iptables-save text (iptables-save.ts) are both
 * read into this model, so one evaluator answers for both.
 *
 * Every match of a rule answers 'match', 'nomatch' or 'unknown' for the packet. A rule whose
 * matches all say 'match' decides; one 'nomatch' skips it; a rule that cannot be decided (a mark,
 * a rate limit, an address set we cannot see into) is skipped too. The doctor claims only what it
 * is sure of: a drop behind such a rule that might have accepted the packet (or sent it to
 * another chain) is 'unknown', and a possible drop is never claimed.
 */
import type { Family } from '../config/entries/inet.js';

/** One VRRP packet as a firewall sees it. */
export interface VrrpFlow {
  readonly family: Family;
  /** 'in': an advert this node receives (prerouting, input); 'out': one it sends (output, postrouting). */
  readonly direction: 'in' | 'out';
  /** The interface the advert arrives on or leaves by. */
  readonly iface: string;
  /** Destination: the multicast group or, sending unicast, the peer. Undefined when not known (unicast received: one of our addresses). */
  readonly daddr?: string;
  /** Source: the peer, for unicast adverts received; undefined when not known. */
  readonly saddr?: string;
  readonly multicast: boolean;
}

export type Tri = 'match' | 'nomatch' | 'unknown';

export type Predicate = (flow: VrrpFlow) => Tri;

export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  | { readonly kind: 'jump' | 'goto'; readonly target: string }
  /** Non-terminal (counter, log, mark): evaluation goes on with the next rule. */
  | { readonly kind: 'continue' }
  /** Terminal but of unknown outcome (queue to user space): nothing can be said. */
  | { readonly kind: 'unknown' };

export interface FirewallRule {
  /** The rule as the user would recognise it, for messages. */
  readonly text: string;
  readonly predicates: readonly Predicate[];
  readonly verdict: Verdict;
}

export type Hook = 'prerouting' | 'input' | 'output' | 'postrouting';

export interface BaseChain {
  readonly chain: string;
  readonly hook: Hook;
  readonly policy: 'accept' | 'drop';
}

export interface FirewallTable {
  /** 'nftables', 'iptables' or 'ip6tables'. */
  readonly source: string;
  /** How the user names the table: `inet filter`, `filter`. */
  readonly label: string;
  /** The packet families the table sees. */
  readonly families: readonly Family[];
  readonly chains: ReadonlyMap<string, readonly FirewallRule[]>;
  readonly baseChains: readonly BaseChain[];
  /** The command that lets this flow through `chain`, inserted before every other rule of it. */
  acceptCommand(chain: string, flow: VrrpFlow): string;
}

export type ChainOutcome =
  | { readonly kind: 'accept' | 'drop'; readonly chain: string; readonly rule?: FirewallRule }
  | { readonly kind: 'unknown' }
  /** The chain ran out (or returned): the caller goes on; for a base chain, its policy decides. */
  | { readonly kind: 'fallthrough' };

const MAX_JUMP_DEPTH = 16;

export function ruleMatches(rule: FirewallRule, flow: VrrpFlow): Tri {
  let result: Tri = 'match';
  for (const p of rule.predicates) {
    const r = p(flow);
    if (r === 'nomatch') return 'nomatch';
    if (r === 'unknown') result = 'unknown';
  }
  return result;
}

/** Can a rule that may or may not match keep the packet from a later drop? */
const mayRescue = (v: Verdict) => v.kind !== 'drop' && v.kind !== 'continue';

function walk(table: FirewallTable, chain: string, flow: VrrpFlow, depth: number, uncertain: { value: boolean }): ChainOutcome {
  const rules = table.chains.get(chain);
  if (!rules || depth > MAX_JUMP_DEPTH) return { kind: 'unknown' };
  for (const rule of rules) {
    const m = ruleMatches(rule, flow);
    if (m === 'unknown' && mayRescue(rule.verdict)) uncertain.value = true;
    if (m !== 'match') continue;
    const v = rule.verdict;
    switch (v.kind) {
      case 'accept':
        return { kind: v.kind, chain, rule };
      case 'drop':
        return uncertain.value ? { kind: 'unknown' } : { kind: v.kind, chain, rule };
      case 'return':
        return { kind: 'fallthrough' };
      case 'continue':
        continue;
      case 'unknown':
        return { kind: 'unknown' };
      case 'jump': {
        const inner = walk(table, v.target, flow, depth + 1, uncertain);
        if (inner.kind !== 'fallthrough') return inner;
        continue;
      }
      case 'goto':
        return walk(table, v.target, flow, depth + 1, uncertain);
    }
  }
  return { kind: 'fallthrough' };
}

/** What one base chain does to the flow: a rule's verdict, or its policy when no rule decides. */
export function evaluateBaseChain(table: FirewallTable, base: BaseChain, flow: VrrpFlow): ChainOutcome {
  const uncertain = { value: false };
  const outcome = walk(table, base.chain, flow, 0, uncertain);
  if (outcome.kind !== 'fallthrough') return outcome;
  if (base.policy === 'drop' && uncertain.value) return { kind: 'unknown' };
  return { kind: base.policy, chain: base.chain };
}

export const HOOKS_BY_DIRECTION: Record<VrrpFlow['direction'], readonly Hook[]> = {
  in: ['prerouting', 'input'],
  out: ['output', 'postrouting'],
};

/** Interface name patterns: nft's trailing `*`, iptables' trailing `+`. */
export function interfaceMatches(pattern: string, name: string, wildcard: '*' | '+'): boolean {
  if (pattern.endsWith(wildcard)) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

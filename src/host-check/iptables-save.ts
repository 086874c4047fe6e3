/**
 * `iptables-save` / `ip6tables-save` text → the firewall model. The tables whose built-in chains
 * can drop a packet on its way in or out (raw, mangle, filter) are read; the matches that can
 * decide for a VRRP packet (-p, -s, -d, -i, -o, pkttype, state/conntrack) are understood, any
 * other makes the rule 'unknown' (skipped).
 */
import type { Family } from '../config/entries/inet.js';
import { inPrefix } from './address-match.js';
import {
  interfaceMatches,
  type BaseChain,
  type FirewallRule,
  type FirewallTable,
  type Hook,
  type Predicate,
  type Tri,
  type Verdict,
  type VrrpFlow,
} from './firewall-model.js';

const BUILTIN_HOOKS: Record<string, Hook> = { PREROUTING: 'prerouting', INPUT: 'input', OUTPUT: 'output', POSTROUTING: 'postrouting' };
const TABLES = new Set(['raw', 'mangle', 'filter']);
/** Targets that end the packet's walk with a verdict we know. */
const TERMINAL: Record<string, Verdict> = {
  ACCEPT: { kind: 'accept' },
  DROP: { kind: 'drop' },
  REJECT: { kind: 'drop' },
  RETURN: { kind: 'return' },
  QUEUE: { kind: 'unknown' },
  NFQUEUE: { kind: 'unknown' },
};

/** Splits a saved rule into words, honouring iptables-save's double quotes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return words;
}

const negated = (t: Tri, negate: boolean): Tri => (!negate || t === 'unknown' ? t : t === 'match' ? 'nomatch' : 'match');

function protocolPredicate(value: string, negate: boolean): Predicate {
  const v = value.toLowerCase();
  const t: Tri = v === 'vrrp' || v === '112' || v === 'all' || v === '0' ? 'match' : 'nomatch';
  return () => negated(t, negate);
}

function addressPredicate(field: 'saddr' | 'daddr', value: string, negate: boolean): Predicate {
  return (flow) => {
    const address = flow[field];
    if (address === undefined) return 'unknown';
    let any = false;
    for (const p of value.split(',')) {
      const r = inPrefix(address, p);
      if (r === undefined) return 'unknown';
      if (r) any = true;
    }
    return negated(any ? 'match' : 'nomatch', negate);
  };
}

function interfacePredicate(direction: VrrpFlow['direction'], pattern: string, negate: boolean): Predicate {
  return (flow) => (flow.direction !== direction ? 'unknown' : negated(interfaceMatches(pattern, flow.iface, '+') ? 'match' : 'nomatch', negate));
}

/** Adverts are NEW to conntrack (see nft-ruleset.ts). */
function stateValuePredicate(values: string, negate: boolean): Predicate {
  return () => negated(values.toUpperCase().split(',').includes('NEW') ? 'match' : 'nomatch', negate);
}

const unknown: Predicate = () => 'unknown';

/** The words of one `-A CHAIN …` line after the chain name. */
function parseRule(words: readonly string[], userChains: ReadonlySet<string>, text: string): FirewallRule {
  const predicates: Predicate[] = [];
  let verdict: Verdict = { kind: 'continue' };
  let negate = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = () => words[++i] ?? '';
    if (w === '!') {
      negate = true;
      continue;
    }
    switch (w) {
      case '-p':
      case '--protocol':
        predicates.push(protocolPredicate(next(), negate));
        break;
      case '-s':
      case '--source':
        predicates.push(addressPredicate('saddr', next(), negate));
        break;
      case '-d':
      case '--destination':
        predicates.push(addressPredicate('daddr', next(), negate));
        break;
      case '-i':
      case '--in-interface':
        predicates.push(interfacePredicate('in', next(), negate));
        break;
      case '-o':
      case '--out-interface':
        predicates.push(interfacePredicate('out', next(), negate));
        break;
      case '-m':
      case '--match':
        next(); // the module's own options follow and are read below
        break;
      case '--comment':
        next();
        break;
      case '--pkt-type': {
        const value = next();
        const n = negate;
        predicates.push((flow) => (flow.direction === 'in' ? negated(value === (flow.multicast ? 'multicast' : 'host') ? 'match' : 'nomatch', n) : 'unknown'));
        break;
      }
      case '--state':
      case '--ctstate':
        predicates.push(stateValuePredicate(next(), negate));
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const target = next();
        if (TERMINAL[target]) verdict = TERMINAL[target];
        else if (userChains.has(target)) verdict = { kind: w === '-g' || w === '--goto' ? 'goto' : 'jump', target };
        else verdict = { kind: 'continue' }; // LOG, MARK, CT, …: the packet goes on
        // the target's own options (--reject-with …) are skipped
        while (i + 1 < words.length && words[i + 1]!.startsWith('--')) i += words[i + 2] !== undefined && !words[i + 2]!.startsWith('-') ? 2 : 1;
        break;
      }
      case '-c':
        i += 2; // packet and byte counters
        break;
      default:
        if (w.startsWith('-')) {
          // an option of a match we do not model (tcp --dport, limit, set, mark …)
          predicates.push(w === '--dport' || w === '--sport' || w === '--tcp-flags' || w === '--icmp-type' ? () => 'nomatch' : unknown);
          while (i + 1 < words.length && !words[i + 1]!.startsWith('-') && words[i + 1] !== '!') i++;
        }
    }
    negate = false;
  }
  return { text, predicates, verdict };
}

/** Reads one save file; `command` is `iptables` or `ip6tables` (for the fix commands). */
export function iptablesTables(saved: string, command: 'iptables' | 'ip6tables'): FirewallTable[] {
  const family: Family = command === 'iptables' ? 'inet' : 'inet6';
  const out: FirewallTable[] = [];
  let current: { name: string; policies: Map<string, string>; lines: string[][] } | undefined;
  const finish = () => {
    if (!current || !TABLES.has(current.name)) return;
    const userChains = new Set([...current.policies.keys()].filter((c) => !(c in BUILTIN_HOOKS)));
    const chains = new Map<string, FirewallRule[]>();
    for (const name of current.policies.keys()) chains.set(name, []);
    for (const words of current.lines) {
      const [, chain, ...rest] = words;
      if (chain === undefined) continue;
      const list = chains.get(chain) ?? [];
      chains.set(chain, list);
      list.push(parseRule(rest, userChains, words.join(' ')));
    }
    const baseChains: BaseChain[] = [];
    for (const [name, policy] of current.policies) {
      const hook = BUILTIN_HOOKS[name];
      if (hook) baseChains.push({ chain: name, hook, policy: policy === 'DROP' ? 'drop' : 'accept' });
    }
    const table = current.name;
    out.push({
      source: command,
      label: table,
      families: [family],
      chains,
      baseChains,
      acceptCommand: (chain, flow) =>
        `${command}${table === 'filter' ? '' : ` -t ${table}`} -I ${chain} 1 ${flow.direction === 'in' ? '-i' : '-o'} ${flow.iface} -p 112 -j ACCEPT`,
    });
  };
  for (const raw of saved.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      finish();
      current = { name: line.slice(1), policies: new Map(), lines: [] };
    } else if (line === 'COMMIT') {
      finish();
      current = undefined;
    } else if (current && line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (name) current.policies.set(name, policy ?? '-');
    } else if (current && line.startsWith('-A ')) current.lines.push(splitWords(line));
  }
  finish();
  return out;
}

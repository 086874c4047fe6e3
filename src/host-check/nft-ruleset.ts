/**
 * `nft -j list ruleset` output → the firewall model. Only what can touch a VRRP packet is
 * understood precisely: the L4 protocol, addresses, interface names, nfproto, pkttype and
 * conntrack state; matches on TCP/UDP/ICMP headers cannot match VRRP (nft adds the protocol
 * dependency itself); everything else is 'unknown'.
 */
import type { Family } from '../config/entries/inet.js';
import { inPrefix, inRange } from './address-match.js';
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

const VRRP_PROTOCOL = 112;
/** Headers a VRRP packet does not have: a match on any of their fields cannot match it. */
const OTHER_L4 = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'igmp', 'esp', 'ah', 'comp', 'gre']);
const HOOKS = new Set<string>(['prerouting', 'input', 'output', 'postrouting']);

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function familiesOfTable(family: string): Family[] {
  if (family === 'ip') return ['inet'];
  if (family === 'ip6') return ['inet6'];
  if (family === 'inet') return ['inet', 'inet6'];
  return [];
}

/** The elements a right-hand side stands for: a value, a set, an anonymous list. */
function elements(right: Json): Json[] {
  if (Array.isArray(right)) return right;
  if (isObj(right) && Array.isArray(right['set'])) return right['set'];
  return [right];
}

/** Does one element contain `value`? Handles plain values, prefixes and ranges. */
function elementContains(element: Json, value: string | number, compare: (a: Json, b: string | number) => boolean | undefined): boolean | undefined {
  if (isObj(element) && isObj(element['prefix'])) {
    const p = element['prefix'];
    if (typeof value !== 'string') return undefined;
    return inPrefix(value, `${String(p['addr'])}/${String(p['len'])}`);
  }
  if (isObj(element) && Array.isArray(element['range']) && element['range'].length === 2) {
    const [lo, hi] = element['range'];
    if (typeof value === 'number' && typeof lo === 'number' && typeof hi === 'number') return value >= lo && value <= hi;
    if (typeof value === 'string' && typeof lo === 'string' && typeof hi === 'string') return inRange(value, lo, hi);
    return undefined;
  }
  if (isObj(element)) return undefined;
  return compare(element, value);
}

/** Applies `op` to "is `value` among the right-hand side's elements". */
function setMatch(op: string, right: Json, value: string | number, compare: (a: Json, b: string | number) => boolean | undefined): Tri {
  if (isObj(right) && typeof right['set'] === 'string') return 'unknown'; // a named set: contents not at hand
  if (typeof right === 'string' && right.startsWith('@')) return 'unknown';
  let found = false;
  for (const e of elements(right)) {
    const r = elementContains(e, value, compare);
    if (r === undefined) return 'unknown';
    if (r) found = true;
  }
  if (op === '==' || op === 'in') return found ? 'match' : 'nomatch';
  if (op === '!=') return found ? 'nomatch' : 'match';
  return 'unknown';
}

const protocolEquals = (a: Json, b: string | number) => {
  if (a === 'vrrp' || a === VRRP_PROTOCOL) return b === VRRP_PROTOCOL;
  if (typeof a === 'number' || typeof a === 'string') return false;
  return undefined;
};
const addressEquals = (a: Json, b: string | number) => (typeof a === 'string' && typeof b === 'string' ? inPrefix(b, a) : undefined);
const stringEquals = (a: Json, b: string | number) => (typeof a === 'string' ? a === b : undefined);

function familyPredicate(family: Family): Predicate {
  return (flow) => (flow.family === family ? 'match' : 'nomatch');
}

function both(a: Predicate, b: Predicate): Predicate {
  return (flow) => {
    const x = a(flow);
    if (x === 'nomatch') return 'nomatch';
    const y = b(flow);
    if (y === 'nomatch') return 'nomatch';
    return x === 'match' && y === 'match' ? 'match' : 'unknown';
  };
}

const unknown: Predicate = () => 'unknown';

function matchPredicate(m: Obj): Predicate {
  const op = typeof m['op'] === 'string' ? m['op'] : '==';
  const left = m['left'];
  const right = m['right'];
  if (!isObj(left)) return unknown;
  const meta = isObj(left['meta']) ? left['meta'] : undefined;
  const payload = isObj(left['payload']) ? left['payload'] : undefined;
  const ct = isObj(left['ct']) ? left['ct'] : undefined;
  if (meta) {
    const key = meta['key'];
    if (key === 'l4proto') return () => setMatch(op, right, VRRP_PROTOCOL, protocolEquals);
    if (key === 'nfproto')
      return (flow) => setMatch(op, right, flow.family === 'inet' ? 'ipv4' : 'ipv6', stringEquals);
    if (key === 'iifname' || key === 'oifname') {
      const direction = key === 'iifname' ? 'in' : 'out';
      return (flow) => {
        if (flow.direction !== direction) return 'unknown';
        return setMatch(op, right, flow.iface, (a, b) => (typeof a === 'string' ? interfaceMatches(a, String(b), '*') : undefined));
      };
    }
    if (key === 'pkttype')
      return (flow) => (flow.direction === 'in' ? setMatch(op, right, flow.multicast ? 'multicast' : 'host', stringEquals) : 'unknown');
    return unknown;
  }
  if (payload) {
    const protocol = payload['protocol'];
    const field = payload['field'];
    if (typeof protocol !== 'string') return unknown;
    if (OTHER_L4.has(protocol)) return () => 'nomatch';
    const family: Family | undefined = protocol === 'ip' ? 'inet' : protocol === 'ip6' ? 'inet6' : undefined;
    if (!family) return unknown;
    const fam = familyPredicate(family);
    if ((family === 'inet' && field === 'protocol') || (family === 'inet6' && field === 'nexthdr'))
      return both(fam, () => setMatch(op, right, VRRP_PROTOCOL, protocolEquals));
    if (field === 'daddr' || field === 'saddr')
      return both(fam, (flow) => {
        const value = field === 'daddr' ? flow.daddr : flow.saddr;
        return value === undefined ? 'unknown' : setMatch(op, right, value, addressEquals);
      });
    return both(fam, unknown);
  }
  if (ct && ct['key'] === 'state' && ct['dir'] === undefined)
    // adverts are NEW to conntrack: multicast ones never get a reply; unicast ones only after the
    // peer has sent too, i.e. after the split brain a NEW-dropping firewall causes
    return () => setMatch(op === '==' ? 'in' : op, right, 'new', stringEquals);
  return unknown;
}

/** Statements that neither match nor decide. */
const NEUTRAL = new Set(['counter', 'log', 'mangle', 'notrack']);

function ruleFrom(expr: Json[], text: string): FirewallRule {
  const predicates: Predicate[] = [];
  let verdict: Verdict = { kind: 'continue' };
  for (const e of expr) {
    if (!isObj(e)) {
      predicates.push(unknown);
      continue;
    }
    const [key] = Object.keys(e);
    const body = key === undefined ? undefined : e[key];
    if (key === 'match' && isObj(body)) predicates.push(matchPredicate(body));
    else if (key === 'accept') verdict = { kind: 'accept' };
    else if (key === 'drop' || key === 'reject') verdict = { kind: 'drop' };
    else if (key === 'return') verdict = { kind: 'return' };
    else if ((key === 'jump' || key === 'goto') && isObj(body) && typeof body['target'] === 'string')
      verdict = { kind: key, target: body['target'] };
    else if (key === 'queue') verdict = { kind: 'unknown' };
    else if (key === 'continue') verdict = { kind: 'continue' };
    else if (key !== undefined && NEUTRAL.has(key)) continue;
    else predicates.push(unknown); // limit, quota, xt, … : may or may not match
  }
  return { text, predicates, verdict };
}

/** A rule's expressions in nft's own words, short enough for a message. */
export function describeNftRule(expr: Json[]): string {
  const parts: string[] = [];
  for (const e of expr) {
    if (!isObj(e)) continue;
    const [key] = Object.keys(e);
    if (key === undefined) continue;
    const body = e[key];
    if (key === 'match' && isObj(body)) parts.push(`${describeOperand(body['left'])} ${body['op'] === '==' ? '' : `${String(body['op'])} `}${describeOperand(body['right'])}`.replace(/ {2,}/g, ' '));
    else if (key === 'jump' || key === 'goto') parts.push(`${key} ${isObj(body) ? String(body['target']) : ''}`);
    else if (key === 'counter') parts.push('counter');
    else parts.push(key);
  }
  return parts.join(' ');
}

function describeOperand(v: Json): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(describeOperand).join(',');
  if (!isObj(v)) return '?';
  if (isObj(v['meta'])) return `meta ${String(v['meta']['key'])}`;
  if (isObj(v['payload'])) return `${String(v['payload']['protocol'])} ${String(v['payload']['field'])}`;
  if (isObj(v['ct'])) return `ct ${String(v['ct']['key'])}`;
  if (isObj(v['prefix'])) return `${String(v['prefix']['addr'])}/${String(v['prefix']['len'])}`;
  if (Array.isArray(v['range'])) return v['range'].map(describeOperand).join('-');
  if (v['set'] !== undefined) return typeof v['set'] === 'string' ? `@${v['set']}` : `{ ${elements(v).map(describeOperand).join(', ')} }`;
  return '?';
}

/** Reads the ruleset; throws nothing: what cannot be read is left out. */
export function nftTables(ruleset: Json): FirewallTable[] {
  const items = isObj(ruleset) && Array.isArray(ruleset['nftables']) ? ruleset['nftables'] : [];
  const tables = new Map<string, { family: string; name: string; chains: Map<string, FirewallRule[]>; baseChains: BaseChain[] }>();
  const tableOf = (family: string, name: string) => {
    const key = `${family} ${name}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { family, name, chains: new Map(), baseChains: [] }));
    return t;
  };
  for (const item of items) {
    if (!isObj(item)) continue;
    if (isObj(item['table'])) {
      const t = item['table'];
      if (typeof t['family'] === 'string' && typeof t['name'] === 'string') tableOf(t['family'], t['name']);
    } else if (isObj(item['chain'])) {
      const c = item['chain'];
      if (typeof c['family'] !== 'string' || typeof c['table'] !== 'string' || typeof c['name'] !== 'string') continue;
      const t = tableOf(c['family'], c['table']);
      if (!t.chains.has(c['name'])) t.chains.set(c['name'], []);
      if (typeof c['hook'] === 'string' && HOOKS.has(c['hook']))
        t.baseChains.push({ chain: c['name'], hook: c['hook'] as Hook, policy: c['policy'] === 'drop' ? 'drop' : 'accept' });
    } else if (isObj(item['rule'])) {
      const r = item['rule'];
      if (typeof r['family'] !== 'string' || typeof r['table'] !== 'string' || typeof r['chain'] !== 'string') continue;
      const expr = Array.isArray(r['expr']) ? r['expr'] : [];
      const t = tableOf(r['family'], r['table']);
      const list = t.chains.get(r['chain']) ?? [];
      t.chains.set(r['chain'], list);
      list.push(ruleFrom(expr, describeNftRule(expr)));
    }
  }
  const out: FirewallTable[] = [];
  for (const t of tables.values()) {
    const families = familiesOfTable(t.family);
    if (families.length === 0) continue;
    out.push({
      source: 'nftables',
      label: `${t.family} ${t.name}`,
      families,
      chains: t.chains,
      baseChains: t.baseChains,
      acceptCommand: (chain, flow) =>
        `nft insert rule ${t.family} ${t.name} ${chain} ${flow.direction === 'in' ? 'iifname' : 'oifname'} ${flow.iface} meta l4proto vrrp accept`,
    });
  }
  return out;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateBaseChain, type FirewallTable, type VrrpFlow } from '../../src/host-check/firewall-model.js';
import { nftTables } from '../../src/host-check/nft-ruleset.js';
import { iptablesTables, splitWords } from '../../src/host-check/iptables-save.js';

const multicastIn: VrrpFlow = { family: 'inet', direction: 'in', iface: 'eth0', daddr: '224.0.0.18', multicast: true };
const multicastOut: VrrpFlow = { ...multicastIn, direction: 'out' };
const v6In: VrrpFlow = { family: 'inet6', direction: 'in', iface: 'eth0', daddr: 'ff02::12', multicast: true };
const unicastIn: VrrpFlow = { family: 'inet', direction: 'in', iface: 'eth0', saddr: '10.0.0.2', multicast: false };

/** A chain as `nft -j list ruleset` prints it (nftables 1.0.6). */
function nftRuleset(rules: unknown[][], opts: { family?: string; hook?: string; policy?: string } = {}) {
  const family = opts.family ?? 'inet';
  return {
    nftables: [
      { metainfo: { version: '1.0.6', json_schema_version: 1 } },
      { table: { family, name: 'filter', handle: 1 } },
      { chain: { family, table: 'filter', name: 'input', handle: 1, type: 'filter', hook: opts.hook ?? 'input', prio: 0, policy: opts.policy ?? 'accept' } },
      ...rules.map((expr, i) => ({ rule: { family, table: 'filter', chain: 'input', handle: 10 + i, expr } })),
    ],
  };
}

const match = (left: unknown, right: unknown, op = '==') => ({ match: { op, left, right } });
const ipProtocol = { payload: { protocol: 'ip', field: 'protocol' } };
const ipDaddr = { payload: { protocol: 'ip', field: 'daddr' } };
const l4proto = { meta: { key: 'l4proto' } };
const iifname = { meta: { key: 'iifname' } };

function verdictOf(table: FirewallTable, flow: VrrpFlow): string {
  const base = table.baseChains[0]!;
  const o = evaluateBaseChain(table, base, flow);
  return o.kind === 'accept' || o.kind === 'drop' ? `${o.kind}${o.rule ? ` by ${o.rule.text}` : ' by policy'}` : o.kind;
}

test('nft: a rule dropping ip protocol vrrp drops IPv4 adverts both ways, not IPv6 ones', () => {
  const [table] = nftTables(nftRuleset([[match(ipProtocol, 'vrrp'), { drop: null }]]));
  assert.equal(verdictOf(table!, multicastIn), 'drop by ip protocol vrrp drop');
  assert.equal(verdictOf(table!, multicastOut), 'drop by ip protocol vrrp drop');
  assert.equal(verdictOf(table!, v6In), 'accept by policy');
});

test('nft: earlier rules that cannot match VRRP are passed, policy drop decides without an accept', () => {
  const rules = [
    [match(iifname, 'lo'), { accept: null }],
    [match({ ct: { key: 'state' } }, ['established', 'related'], 'in'), { accept: null }],
    [match({ payload: { protocol: 'tcp', field: 'dport' } }, 22), { accept: null }],
  ];
  const [table] = nftTables(nftRuleset(rules, { policy: 'drop' }));
  assert.equal(verdictOf(table!, multicastIn), 'drop by policy');
  // unicast adverts are NEW too until the peer answers
  assert.equal(verdictOf(table!, unicastIn), 'drop by policy');
});

test('nft: an accept for meta l4proto 112 before the drop wins; sets, prefixes and negations', () => {
  const accept = [match(l4proto, 112), { accept: null }];
  const dropGroup = [match(ipDaddr, '224.0.0.18'), { reject: { type: 'icmp', expr: 'port-unreachable' } }];
  assert.equal(verdictOf(nftTables(nftRuleset([accept, dropGroup]))[0]!, multicastIn), 'accept by meta l4proto 112 accept');
  assert.equal(verdictOf(nftTables(nftRuleset([dropGroup, accept]))[0]!, multicastIn), 'drop by ip daddr 224.0.0.18 reject');
  const dropSet = [match(ipProtocol, { set: ['tcp', 'vrrp'] }), { counter: { packets: 0, bytes: 0 } }, { drop: null }];
  assert.equal(verdictOf(nftTables(nftRuleset([dropSet]))[0]!, multicastIn), 'drop by ip protocol { tcp, vrrp } counter drop');
  const dropPrefix = [match(ipDaddr, { prefix: { addr: '224.0.0.0', len: 4 } }), { drop: null }];
  assert.equal(verdictOf(nftTables(nftRuleset([dropPrefix]))[0]!, multicastIn), 'drop by ip daddr 224.0.0.0/4 drop');
  const dropOthers = [match(ipProtocol, 'vrrp', '!='), { drop: null }];
  assert.equal(verdictOf(nftTables(nftRuleset([dropOthers]))[0]!, multicastIn), 'accept by policy');
  const otherIface = [match(iifname, 'eth1'), { drop: null }];
  assert.equal(verdictOf(nftTables(nftRuleset([otherIface]))[0]!, multicastIn), 'accept by policy');
  const wildcard = [match(iifname, 'eth*'), { drop: null }];
  assert.equal(verdictOf(nftTables(nftRuleset([wildcard]))[0]!, multicastIn), 'drop by meta iifname eth* drop');
});

test('nft: undecidable matches (mark, named sets, limits) are never claimed as drops', () => {
  const mark = [match({ meta: { key: 'mark' } }, 5), { drop: null }];
  const namedSet = [match(ipDaddr, '@blocked'), { drop: null }];
  const limited = [{ limit: { rate: 10, per: 'second' } }, { drop: null }];
  for (const r of [mark, namedSet, limited]) assert.equal(verdictOf(nftTables(nftRuleset([r]))[0]!, multicastIn), 'accept by policy');
  // and a drop behind a rule that might have accepted is not claimed either
  const markAccept = [match({ meta: { key: 'mark' } }, 5), { accept: null }];
  const drop = [match(ipProtocol, 'vrrp'), { drop: null }];
  assert.equal(verdictOf(nftTables(nftRuleset([markAccept, drop]))[0]!, multicastIn), 'unknown');
  assert.equal(verdictOf(nftTables(nftRuleset([markAccept], { policy: 'drop' }))[0]!, multicastIn), 'unknown');
  // a possible drop before a certain accept changes nothing
  assert.equal(verdictOf(nftTables(nftRuleset([mark, [match(l4proto, 'vrrp'), { accept: null }]], { policy: 'drop' }))[0]!, multicastIn), 'accept by meta l4proto vrrp accept');
});

test('nft: a jump into a chain that drops VRRP is followed; return goes back', () => {
  const ruleset = {
    nftables: [
      { chain: { family: 'ip', table: 't', name: 'in', hook: 'input', policy: 'accept' } },
      { chain: { family: 'ip', table: 't', name: 'sub' } },
      { rule: { family: 'ip', table: 't', chain: 'in', expr: [{ jump: { target: 'sub' } }] } },
      { rule: { family: 'ip', table: 't', chain: 'sub', expr: [match(ipProtocol, 'vrrp', '!='), { return: null }] } },
      { rule: { family: 'ip', table: 't', chain: 'sub', expr: [{ drop: null }] } },
    ],
  };
  const [table] = nftTables(ruleset);
  const o = evaluateBaseChain(table!, table!.baseChains[0]!, multicastIn);
  assert.deepEqual([o.kind, o.kind === 'drop' ? o.chain : ''], ['drop', 'sub']);
  assert.deepEqual(table!.families, ['inet']);
  assert.equal(
    table!.acceptCommand('in', multicastIn),
    'nft insert rule ip t in iifname eth0 meta l4proto vrrp accept',
  );
});

test('iptables-save: policy, -p vrrp, negation, user chains and the fix command', () => {
  const saved = [
    '# Generated by iptables-save v1.8.9 on Mon Jan  1 00:00:00 2024',
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [10:600]',
    ':VRRP - [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh in" -j ACCEPT',
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A OUTPUT -d 224.0.0.18/32 -j VRRP',
    '-A VRRP ! -p vrrp -j RETURN',
    '-A VRRP -j REJECT --reject-with icmp-port-unreachable',
    'COMMIT',
  ].join('\n');
  const [table] = iptablesTables(saved, 'iptables');
  const input = table!.baseChains.find((b) => b.chain === 'INPUT')!;
  const output = table!.baseChains.find((b) => b.chain === 'OUTPUT')!;
  const i = evaluateBaseChain(table!, input, multicastIn);
  assert.deepEqual([i.kind, 'rule' in i ? i.rule : undefined], ['drop', undefined]);
  const o = evaluateBaseChain(table!, output, multicastOut);
  assert.equal(o.kind === 'drop' ? `${o.chain}: ${o.rule?.text}` : o.kind, 'VRRP: -A VRRP -j REJECT --reject-with icmp-port-unreachable');
  assert.equal(table!.acceptCommand('INPUT', multicastIn), 'iptables -I INPUT 1 -i eth0 -p 112 -j ACCEPT');
  const accepting = iptablesTables('*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p 112 -j ACCEPT\n-A PREROUTING -j DROP\nCOMMIT\n', 'ip6tables')[0]!;
  assert.equal(evaluateBaseChain(accepting, accepting.baseChains[0]!, v6In).kind, 'accept');
  assert.equal(accepting.acceptCommand('PREROUTING', v6In), 'ip6tables -t raw -I PREROUTING 1 -i eth0 -p 112 -j ACCEPT');
});

test('iptables-save words keep quoted comments whole', () => {
  assert.deepEqual(splitWords('-A INPUT -m comment --comment "allow \\"vrrp\\" here" -j ACCEPT'), ['-A', 'INPUT', '-m', 'comment', '--comment', 'allow "vrrp" here', '-j', 'ACCEPT']);
});

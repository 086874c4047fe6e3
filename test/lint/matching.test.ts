/**
 * Which instances lint treats as one service (shared VIPs, then name, then interface + VRID), and
 * where a finding points when a keyword is written inside a block — pure, on in-memory configs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { matchInstances } from '../../src/lint/instance-matching.js';
import { keywordLine, type LintNode } from '../../src/lint/lint-node.js';
import { lintCluster } from '../../src/lint/lint.js';
import { workstationHost } from '../../src/lint/workstation-host.js';

function instance(name: string, vrid: number, vip: string, iface = 'eth0'): string {
  return `vrrp_instance ${name} {\n  interface ${iface}\n  virtual_router_id ${vrid}\n  priority 100\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
}

function node(label: string, text: string): LintNode {
  const r = loadConfigText(text, { host: workstationHost(label), randomSeed: 1, fileName: `/${label}.conf` });
  return { label, file: `/${label}.conf`, config: r.config, diagnostics: r.diagnostics.list };
}

const names = (nodes: LintNode[]) => matchInstances(nodes).map((g) => g.members.map((m) => `${m.node}:${m.instance.name}`).join(' '));

test('shared VIPs win over names: renamed instances are still one service', () => {
  const a = node('a', instance('WEB', 1, '10.0.0.1') + instance('DB', 2, '10.0.0.2'));
  const b = node('b', instance('DB', 1, '10.0.0.1') + instance('WEB', 2, '10.0.0.2'));
  assert.deepEqual(names([a, b]), ['0:WEB 1:DB', '0:DB 1:WEB']);
});

test('without shared VIPs the name decides, then interface + VRID; the rest stand alone', () => {
  const a = node('a', instance('WEB', 1, '10.0.0.1') + instance('DB', 7, '10.0.0.2') + instance('LONE', 9, '10.0.0.9', 'eth1'));
  const b = node('b', instance('WEB', 3, '10.0.1.1') + instance('OTHER', 7, '10.0.1.2'));
  assert.deepEqual(names([a, b]), ['0:WEB 1:WEB', '0:DB 1:OTHER', '0:LONE']);
});

test('a three-node cluster: each later node joins the groups of the earlier ones', () => {
  const text = instance('WEB', 1, '10.0.0.1');
  assert.deepEqual(names([node('a', text), node('b', text), node('c', text)]), ['0:WEB 1:WEB 2:WEB']);
});

test('keywordLine: the first keyword written in the block, nested blocks included; the block line otherwise', () => {
  const lines = ['vrrp_instance X {', '  priority 1 # c', '  authentication {', '    auth_pass x', '  }', '}', 'priority 2'];
  const src = () => lines;
  const at = { file: 'f', line: 1 };
  assert.deepEqual(keywordLine(src, at, ['priority']), { file: 'f', line: 2 });
  assert.deepEqual(keywordLine(src, at, ['auth_pass', 'authentication']), { file: 'f', line: 4 });
  assert.deepEqual(keywordLine(src, at, ['advert_int']), at); // not written: the block's line, not the one after the block
  const ids = ['vrrp_instance X {', '@a priority 1', '@^a priority 2', '}'];
  assert.deepEqual(keywordLine(() => ids, at, ['priority'], 'a'), { file: 'f', line: 2 });
  assert.deepEqual(keywordLine(() => ids, at, ['priority'], 'b'), { file: 'f', line: 3 });
});

test('bad input does not crash lint: an empty config, a config of garbage, no instances at all', () => {
  const findings = lintCluster([node('a', ''), node('b', '}}} {{{ vrrp_instance\n@@@ \u0000'), node('c', 'global_defs {\n}\n')]);
  assert.ok(findings.every((f) => f.rule.startsWith('keepalived-')));
});

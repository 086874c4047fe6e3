import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { hostFactsFor } from '../../src/platform/sim/cluster.js';
import { deriveInstanceSettings } from '../../src/vrrp/instance-settings.js';

const spec = { name: 'd1', config: '', interfaces: [{ name: 'eth0', segment: 'lan', ipv4: ['10.0.0.1'] }] };
const instance = `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    10.0.0.50/24\n  }\n}\n`;
const load = (global: string) => {
  const r = loadConfigText(`global_defs {\n${global}}\n${instance}`, { host: hostFactsFor(spec), configId: 'd1' });
  return { config: r.config, messages: r.diagnostics.list.map(formatDiagnostic) };
};

test('the witness keywords fill the model and make instances require a majority', () => {
  const { config, messages } = load('  witness 10.0.0.9 7788\n  witness_secret sekrit-123\n  witness_lease 4.5\n  vote_peers {\n    10.0.0.2\n    fd00::2\n  }\n');
  assert.deepEqual(messages, []);
  assert.deepEqual(config.global.witness, { address: '10.0.0.9', port: 7788, secret: 'sekrit-123', leaseUs: 4_500_000, votePeers: ['10.0.0.2', 'fd00::2'] });
  assert.equal(deriveInstanceSettings(config.vrrp.instances[0]!, config.global).majorityRequired, true);
});

test('without the keywords nothing changes; an incomplete witness is an error and is ignored', () => {
  const plain = load('  router_id d1\n');
  assert.equal(plain.config.global.witness, undefined);
  assert.equal(deriveInstanceSettings(plain.config.vrrp.instances[0]!, plain.config.global).majorityRequired, undefined);

  const noSecret = load('  witness 10.0.0.9 7788\n');
  assert.equal(noSecret.config.global.witness, undefined);
  assert.ok(noSecret.messages.some((m) => m.includes('witness configured without witness_secret - witness ignored')), noSecret.messages.join('\n'));

  const bad = load('  witness 10.0.0.999 7788\n  witness 10.0.0.9\n  witness_secret tiny\n  witness_lease 0\n');
  const text = bad.messages.join('\n');
  assert.match(text, /witness: invalid address '10\.0\.0\.999' - ignoring/);
  assert.match(text, /witness: a port \(1-65535\) is required - ignoring/);
  assert.match(text, /witness_secret is shorter than 8 characters/);
  assert.match(text, /witness_lease '0' is invalid/);
  assert.ok(!text.includes('tiny'), 'the secret itself is not echoed');
});

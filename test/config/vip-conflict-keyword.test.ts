/**
 * `vip_conflict_probe_interval` (a keepalived-ts extension in global_defs): default, fractions,
 * 0 (off), and bad values reported with the file and line, leaving the default in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { staticHostFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const FILE = '/etc/keepalived/keepalived.conf';
const host = staticHostFacts({ hostname: 'lb1' });

function load(value?: string) {
  const text = value === undefined ? 'global_defs {\n  router_id lb1\n}\n' : `global_defs {\n  vip_conflict_probe_interval ${value}\n}\n`;
  const r = loadConfigText(text, { host });
  return { interval: r.config.global.vipConflictProbeInterval, lines: r.diagnostics.list.map(formatDiagnostic) };
}

test('vip_conflict_probe_interval: default 2 s, seconds with fractions, 0 turns it off', () => {
  assert.deepEqual(load(), { interval: 2_000_000, lines: [] });
  assert.deepEqual(load('0.5'), { interval: 500_000, lines: [] });
  assert.deepEqual(load('10'), { interval: 10_000_000, lines: [] });
  assert.deepEqual(load('0'), { interval: 0, lines: [] });
  assert.deepEqual(load('3600'), { interval: 3_600_000_000, lines: [] });
});

test('vip_conflict_probe_interval: bad values are reported and change nothing', () => {
  for (const bad of ['-1', 'soon', '3601']) {
    const r = load(bad);
    assert.equal(r.interval, 2_000_000, bad);
    assert.ok(r.lines.includes(`(${FILE}: Line 2) vip_conflict_probe_interval '${bad}' is invalid (0 to 3600 seconds)`), `${bad}: ${r.lines.join(' | ')}`);
  }
  const missing = loadConfigText('global_defs {\n  vip_conflict_probe_interval\n}\n', { host });
  assert.equal(missing.config.global.vipConflictProbeInterval, 2_000_000);
  assert.ok(missing.diagnostics.list.length > 0);
});

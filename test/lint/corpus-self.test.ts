/**
 * No false positives on keepalived's own sample configs (test/fixtures/corpus): each sample linted
 * as a pair of directors running that same file.
 *
 * Decision (issue 6 §1, "no false positives on the keepalived samples corpus paired with
 * itself"): two directors running one identical file agree on everything lint compares —
 * VRIDs, versions, groups, peers, authentication, intervals, VIPs, sync groups, trackers, virtual
 * and real servers — so none of the disagreement rules may fire. What two identical directors
 * really get wrong is their roles: the same priority (the higher IP address decides), both
 * `state MASTER`, both address owner. Those three role rules are true of such a pair, not false
 * positives, so they are expected — and exactly once per instance they apply to, no more.
 * Each sample's own keepalived-level diagnostics are reported once, as when it is linted alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { workstationHost } from '../../src/lint/workstation-host.js';
import { CORPUS, lintJson } from './lint-run.js';

const ROLE_RULES = new Set(['equal-priority', 'multiple-masters', 'multiple-address-owners']);
const samples = fs.readdirSync(CORPUS).filter((f) => f.startsWith('keepalived.conf.')).sort();

for (const name of samples) {
  test(`${name} paired with itself: no disagreement findings`, () => {
    const file = path.join(CORPUS, name);
    const pair = lintJson([file, file]);
    const alone = lintJson([file]);
    const isKeepalived = (rule: string) => rule.startsWith('keepalived-');

    assert.deepEqual(pair.findings.filter((f) => isKeepalived(f.rule)), alone.findings.filter((f) => isKeepalived(f.rule)));
    const crossNode = pair.findings.filter((f) => !isKeepalived(f.rule));
    assert.deepEqual(crossNode.filter((f) => !ROLE_RULES.has(f.rule)), [], 'only role rules may fire on identical directors');

    const { config } = loadConfig(file, { host: workstationHost(name), randomSeed: 1 });
    const count = (rule: string) => crossNode.filter((f) => f.rule === rule).length;
    const instances = config.vrrp.instances;
    assert.equal(count('equal-priority'), instances.filter((v) => v.priority !== 255).length);
    assert.equal(count('multiple-masters'), instances.filter((v) => v.state === 'MASTER').length);
    assert.equal(count('multiple-address-owners'), instances.filter((v) => v.priority === 255).length);
  });
}

test('a corpus sample alone (one director) gives only its keepalived-level diagnostics', () => {
  for (const name of samples) {
    const r = lintJson([path.join(CORPUS, name)]);
    assert.deepEqual(r.findings.filter((f) => !f.rule.startsWith('keepalived-')), [], name);
  }
});

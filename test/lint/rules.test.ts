/**
 * One small pair of directors per rule (test/fixtures/lint/CASE/{a,b}.conf; a case without its
 * own a.conf or b.conf uses clean/'s): each triggers exactly the findings listed — its rule, and
 * the keepalived-level diagnostic where keepalived itself objects too — and the clean pairs
 * produce nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LINT_FIXTURES, lintJson } from './lint-run.js';

function pair(name: string): [string, string] {
  const pick = (f: string) => (fs.existsSync(path.join(LINT_FIXTURES, name, f)) ? path.join(LINT_FIXTURES, name, f) : path.join(LINT_FIXTURES, 'clean', f));
  return [pick('a.conf'), pick('b.conf')];
}

/** [rule, severity, file (a or b of the case, or clean/…), line] */
type Expected = readonly [string, 'error' | 'warning', string, number];

const CASES: Record<string, { exit: number; findings: readonly Expected[] }> = {
  'vrid-mismatch': { exit: 2, findings: [['vrid-mismatch', 'error', 'vrid-mismatch/b.conf', 16]] },
  'version-mismatch': { exit: 2, findings: [['version-mismatch', 'error', 'version-mismatch/b.conf', 19]] },
  'mcast-group-mismatch': { exit: 2, findings: [['mcast-group-mismatch', 'error', 'mcast-group-mismatch/b.conf', 19]] },
  'unicast-peer-mismatch': { exit: 2, findings: [['unicast-peer-mismatch', 'error', 'unicast-peer-mismatch/a.conf', 20]] },
  'unicast-vs-multicast': { exit: 2, findings: [['unicast-peer-mismatch', 'error', 'unicast-vs-multicast/b.conf', 20]] },
  'auth-mismatch': { exit: 2, findings: [['auth-mismatch', 'error', 'auth-mismatch/b.conf', 21]] },
  'advert-int-mismatch': { exit: 2, findings: [['advert-int-mismatch', 'error', 'advert-int-mismatch/b.conf', 18]] },
  'advert-int-mismatch-v3': { exit: 1, findings: [['advert-int-mismatch', 'warning', 'advert-int-mismatch-v3/b.conf', 18]] },
  'vip-mismatch': { exit: 2, findings: [['vip-mismatch', 'error', 'vip-mismatch/b.conf', 23]] },
  'witness-mismatch': { exit: 2, findings: [['witness-mismatch', 'error', 'witness-mismatch/b.conf', 4]] },
  'witness-secret-mismatch': { exit: 2, findings: [['witness-mismatch', 'error', 'witness-secret-mismatch/b.conf', 4]] },
  'heartbeat-paths-mismatch': { exit: 1, findings: [['heartbeat-paths-mismatch', 'warning', 'heartbeat-paths-mismatch/b.conf', 19]] },
  'excluded-vip-mismatch': { exit: 1, findings: [['excluded-vip-mismatch', 'warning', 'excluded-vip-mismatch/b.conf', 26]] },
  'equal-priority': { exit: 1, findings: [['equal-priority', 'warning', 'equal-priority/b.conf', 17]] },
  'multiple-masters': { exit: 1, findings: [['multiple-masters', 'warning', 'multiple-masters/b.conf', 14]] },
  'multiple-address-owners': { exit: 2, findings: [['multiple-address-owners', 'error', 'multiple-address-owners/b.conf', 17]] },
  'nopreempt-not-backup': {
    exit: 2,
    findings: [
      // keepalived clears nopreempt and says so without a line: lint points at the instance
      ['keepalived-error', 'error', 'nopreempt-not-backup/a.conf', 13],
      ['nopreempt-not-backup', 'warning', 'nopreempt-not-backup/a.conf', 19],
    ],
  },
  'vrid-collision': {
    exit: 2,
    findings: [
      // the same collision on both directors: keepalived's own check, and lint's at the VRID line
      ['keepalived-error', 'error', 'vrid-collision/a.conf', 13],
      ['vrid-collision', 'error', 'vrid-collision/a.conf', 34],
      ['keepalived-error', 'error', 'vrid-collision/b.conf', 13],
      ['vrid-collision', 'error', 'vrid-collision/b.conf', 34],
    ],
  },
  'vrid-collision-across': {
    exit: 2,
    findings: [
      // VRIDs swapped between the directors: each service's VRID mismatches, and each collides with the other service
      ['vrid-collision', 'error', 'vrid-collision-across/a.conf', 34],
      ['vrid-mismatch', 'error', 'vrid-collision-across/b.conf', 16],
      ['vrid-mismatch', 'error', 'vrid-collision-across/b.conf', 34],
      ['vrid-collision', 'error', 'vrid-collision-across/b.conf', 34],
    ],
  },
  'instance-unmatched': { exit: 1, findings: [['instance-unmatched', 'warning', 'instance-unmatched/a.conf', 31]] },
  'sync-group-mismatch': {
    exit: 1,
    findings: [
      ['sync-group-mismatch', 'warning', 'sync-group-mismatch/b.conf', 13],
      ['sync-group-mismatch', 'warning', 'sync-group-mismatch/b.conf', 28],
    ],
  },
  'tracking-mismatch': { exit: 1, findings: [['tracking-mismatch', 'warning', 'tracking-mismatch/b.conf', 13]] },
  'tracker-missing': { exit: 1, findings: [['tracker-missing', 'warning', 'tracker-missing/b.conf', 13]] },
  'virtual-server-missing': { exit: 2, findings: [['virtual-server-missing', 'error', 'clean/a.conf', 31]] },
  'virtual-server-mismatch': { exit: 1, findings: [['virtual-server-mismatch', 'warning', 'virtual-server-mismatch/b.conf', 33]] },
  'keepalived-warning': { exit: 1, findings: [['keepalived-warning', 'warning', 'keepalived-warning/b.conf', 13]] },
  'real-server-mismatch': { exit: 1, findings: [['real-server-mismatch', 'warning', 'real-server-mismatch/b.conf', 31]] },
};

for (const [name, want] of Object.entries(CASES)) {
  test(`${name}: exactly the expected findings`, () => {
    const r = lintJson(pair(name));
    const got = r.findings.map((f) => [f.rule, f.severity, path.relative(LINT_FIXTURES, path.resolve(path.join(LINT_FIXTURES, '../../..'), f.file)), f.line]);
    assert.deepEqual(got, want.findings);
    assert.equal(r.exit, want.exit);
  });
}

test('every rule of the catalogue has a case of its own (keepalived-error: the seed and nopreempt cases)', async () => {
  const { RULES } = await import('../../src/lint/finding.js');
  const covered = new Set(Object.values(CASES).flatMap((c) => c.findings.map((f) => f[0])));
  assert.deepEqual(Object.keys(RULES).filter((r) => !covered.has(r)), []);
});

test('messages say the consequence and never print a password', () => {
  const r = lintJson(pair('auth-mismatch'));
  assert.match(r.findings[0]!.message, /both become MASTER: split brain$/);
  assert.doesNotMatch(JSON.stringify(r.findings), /s3cret|Zq9pw/);
  const v = lintJson(pair('vip-mismatch'));
  assert.match(v.findings[0]!.message, /\(extra 192\.0\.2\.101\)/);
});

for (const clean of [['clean'], ['unicast-clean']]) {
  test(`${clean[0]} pair: no findings, exit 0`, () => {
    const r = lintJson(pair(clean[0]!));
    assert.deepEqual(r.findings, []);
    assert.equal(r.exit, 0);
  });
}

test('three directors: a third that agrees adds nothing; a third that differs is reported against the first', () => {
  const [a, b] = pair('clean');
  assert.deepEqual(lintJson([a, b, b]).findings.map((f) => f.rule), ['equal-priority']);
  const odd = path.join(LINT_FIXTURES, 'vrid-mismatch/b.conf');
  const r = lintJson([a, b, odd]);
  assert.deepEqual(r.findings.map((f) => [f.rule, path.basename(path.dirname(f.file))]), [
    ['vrid-mismatch', 'vrid-mismatch'],
    ['equal-priority', 'vrid-mismatch'], // the third's priority 100 equals the second's
  ]);
});

test('docs/lint-rules.md lists every rule id', async () => {
  const { RULES } = await import('../../src/lint/finding.js');
  const doc = fs.readFileSync(path.join(LINT_FIXTURES, '../../../docs/lint-rules.md'), 'utf8');
  assert.deepEqual(Object.keys(RULES).filter((r) => !doc.includes(`| \`${r}\` |`)), []);
});

/**
 * The seed's two directors (test/fixtures/seed): lint must report exactly the VRID mismatch, the
 * auth mismatch (without printing either password), and each file's keepalived-level errors at
 * their lines, in keepalived 2.2.7's wording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { lintJson, SEED } from './lint-run.js';

const master = path.join(SEED, 'director-master.conf');
const backup = path.join(SEED, 'director-backup.conf');

/** The problems keepalived 2.2.7 itself finds in each seed file (both have the same lines). */
function keepalivedErrors(file: string) {
  const e = (line: number, message: string) => ({ rule: 'keepalived-error', severity: 'error', file, line, message });
  return [
    e(15, "number '0' outside range [0.000001, 4294.967295]"),
    e(15, "vrrp_garp_interval '0' is invalid"),
    e(16, "number '0' outside range [0.000001, 4294.967295]"),
    e(16, "vrrp_gna_interval '0' is invalid"),
    e(39, "number '0' outside range [1, 2678400]"),
    e(39, 'persistence_timeout invalid'),
    e(47, "Unknown keyword 'nb_get_retry'"),
    e(56, "Unknown keyword 'nb_get_retry'"),
  ];
}

test('seed pair: the VRID mismatch, the auth mismatch and each file\'s keepalived errors, nothing else', () => {
  const r = lintJson([master, backup]);
  const rel = (f: string) => path.relative(path.join(SEED, '../../..'), f);
  const backupErrors = keepalivedErrors(rel(backup));
  assert.deepEqual(r.findings, [
    ...backupErrors.slice(0, 4),
    {
      rule: 'vrid-mismatch',
      severity: 'error',
      file: rel(backup),
      line: 22,
      message: `virtual_router_id 51 differs from 10 of VI_1 in ${master}: the directors never hear each other, so both become MASTER: split brain`,
    },
    {
      rule: 'auth-mismatch',
      severity: 'error',
      file: rel(backup),
      line: 28,
      message: `authentication (auth_type/auth_pass) differs from VI_1 in ${master}: each director drops the other's adverts, so both become MASTER: split brain`,
    },
    ...backupErrors.slice(4),
    ...keepalivedErrors(rel(master)),
  ]);
  assert.equal(r.exit, 2);
  assert.equal(r.stderr, '');
});

test('seed pair: neither password appears anywhere in the output', () => {
  const r = lintJson([master, backup]);
  const text = JSON.stringify(r.findings);
  assert.doesNotMatch(text, /123456|1111/);
});

test('the first director given is the reference: given the other way round, the mismatches are reported on the master file', () => {
  const forward = lintJson([master, backup]).findings.map((f) => `${f.file}:${f.line}:${f.rule}`).sort();
  const reverse = lintJson([backup, master]).findings.map((f) => `${f.file}:${f.line}:${f.rule}`).sort();
  const crossNode = (list: string[]) => list.filter((k) => !k.endsWith('keepalived-error'));
  assert.deepEqual(crossNode(forward), ['test/fixtures/seed/director-backup.conf:22:vrid-mismatch', 'test/fixtures/seed/director-backup.conf:28:auth-mismatch']);
  assert.deepEqual(crossNode(reverse), ['test/fixtures/seed/director-master.conf:22:vrid-mismatch', 'test/fixtures/seed/director-master.conf:28:auth-mismatch']);
});

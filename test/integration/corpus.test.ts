/**
 * The keepalived 2.2.7 sample configs (test/fixtures/corpus) through `keepalived-ts -t`, on a
 * host like the one keepalived's verdicts were recorded on (eth0..eth3, eth0.1): same exit code
 * and the same set of (file, line) diagnostics as keepalived (lines without a line number are
 * compared by their text).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, REPO_ROOT, createCorpusNamespace, namespaceSkipReason, type TestNamespace } from './netns.js';
import { diffSets, keySet, positionKey } from './diag-compare.js';

const CORPUS = path.join(REPO_ROOT, 'test/fixtures/corpus');

interface Expected {
  readonly exit: number;
  readonly stderr: string;
}

function readExpected(name: string): Expected {
  const [first, ...rest] = fs.readFileSync(path.join(CORPUS, 'expected', `${name}.txt`), 'utf8').split('\n');
  const m = /^exit (\d+)$/.exec(first ?? '');
  if (!m) throw new Error(`expected/${name}.txt: first line must be 'exit N'`);
  return { exit: Number(m[1]), stderr: rest.join('\n') };
}

const samples = fs
  .readdirSync(CORPUS)
  .filter((f) => f.startsWith('keepalived.conf.'))
  .sort();

const skip = namespaceSkipReason();

test('keepalived 2.2.7 sample configs: keepalived-ts -t agrees with keepalived -t', { skip: skip ?? false }, async (t) => {
  let ns: TestNamespace | undefined;
  try {
    ns = createCorpusNamespace();
    const results: string[] = [];
    for (const name of samples) {
      await t.test(name, () => {
        const file = path.join(CORPUS, name);
        const expected = readExpected(name);
        const r = ns!.exec(process.execPath, [CLI, '-t', '-f', file]);
        const want = keySet(expected.stderr, name, positionKey);
        const got = keySet(r.stderr, name, positionKey);
        const diff = diffSets(want, got);
        const ok = r.status === expected.exit && diff.missing.length === 0 && diff.extra.length === 0;
        results.push(
          `${ok ? 'PASS' : 'FAIL'} ${name}: exit ${r.status} (keepalived ${expected.exit})` +
            (diff.missing.length ? `; missing ${diff.missing.join(', ')}` : '') +
            (diff.extra.length ? `; extra ${diff.extra.join(', ')}` : ''),
        );
        assert.equal(r.status, expected.exit, `exit code\nstderr:\n${r.stderr}`);
        assert.deepEqual(diff, { missing: [], extra: [] }, `diagnostics differ\nstderr:\n${r.stderr}`);
      });
    }
    console.log(results.join('\n'));
  } finally {
    ns?.destroy();
  }
});

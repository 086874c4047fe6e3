/**
 * The keyword table is complete (every keyword keepalived 2.2.7 installs), self-describing (every
 * entry says what it is and how far it is supported), and the generated reference is current.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allKeywordEntries, keywordReferenceMarkdown } from '../../src/config/keyword-docs.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

test('every keyword name keepalived 2.2.7 installs literally is in the table', () => {
  const names = new Set(allKeywordEntries().map((e) => e.keyword.name));
  const expected = fs
    .readFileSync(path.join(repo, 'test/fixtures/keepalived-2.2.7-keywords.txt'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  assert.ok(expected.length > 300);
  assert.deepEqual(expected.filter((n) => !names.has(n)), []);
});

test('every keyword entry has a summary and a support level', () => {
  const incomplete = allKeywordEntries()
    .filter((e) => !e.keyword.summary || !e.keyword.support)
    .map((e) => `${e.block} > ${e.keyword.name}`);
  assert.deepEqual(incomplete, []);
});

test('docs/keywords.md is generated from the current table (npm run docs)', () => {
  assert.equal(fs.readFileSync(path.join(repo, 'docs/keywords.md'), 'utf8'), keywordReferenceMarkdown());
});

/**
 * Word splitting as keepalived does it: plain keywords (double quotes group, no escapes) and
 * script keywords (shell-like quoting and escapes), with properties over random input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigErr } from '../../src/config/diagnostics.js';
import { splitQuotedEscaped, splitWords } from '../../src/config/tokenizer.js';
import { readDecimal, readInt, readUnsigned } from '../../src/config/values.js';

function collect() {
  const reports: string[] = [];
  return { reports, report: (_l: ConfigErr, m: string) => void reports.push(m) };
}

test('plain words: double quotes group and are removed; single quotes are ordinary', () => {
  const r = collect();
  assert.deepEqual(splitWords(`virtualhost "www.x.com" 'a b' "" x"y"`, r), ['virtualhost', 'www.x.com', "'a", "b'", '', 'x', 'y']);
  assert.deepEqual(r.reports, []);
});

test('script words: the argv keepalived 2.2.7 builds (reference: notify_master "/etc/ka/n.sh \'two words\' x" root)', () => {
  const r = collect();
  assert.deepEqual(splitQuotedEscaped(`/etc/ka/n.sh 'two words' x`, r), ['/etc/ka/n.sh', 'two words', 'x']);
  assert.deepEqual(splitQuotedEscaped(`ab"c d"e 'f'"g"`, r), ['abc de', 'fg']);
  assert.deepEqual(splitQuotedEscaped(`a\\tb \\x41\\101 \\cA \\q \\E`, r), ['a\tb', 'AA', '\x01', 'q', '\x1b']);
  assert.deepEqual(r.reports, []);
});

test('script words: an open quote is only an error when text follows it, as in keepalived', () => {
  const r = collect();
  assert.deepEqual(splitQuotedEscaped(`/bin/x a "`, r), ['/bin/x', 'a', '']);
  assert.equal(splitQuotedEscaped(`/bin/x "a b`, r), undefined);
  assert.deepEqual(r.reports, [`String '/bin/x "a b': missing terminating "`]);
});

test('property: any argv written with single quotes splits back to itself', () => {
  const word = fc.string({ minLength: 0, maxLength: 12 }).filter((w) => !w.includes("'"));
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (argv) => {
      const r = collect();
      assert.deepEqual(splitQuotedEscaped(argv.map((w) => `'${w.replace(/\\/g, '\\\\')}'`).join(' '), r), argv);
      assert.deepEqual(r.reports, []);
    }),
    { seed: 7, numRuns: 500 },
  );
});

test('property: plain words without quotes are the whitespace-separated fields', () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[^\s"]{1,10}$/), { maxLength: 8 }), fc.constantFrom(' ', '\t', '  \t '), (fields, sep) => {
      assert.deepEqual(splitWords(fields.join(sep), collect()), fields);
    }),
    { seed: 8, numRuns: 500 },
  );
});

test('numbers: keepalived messages for invalid, negative and out-of-range values', () => {
  const r = collect();
  assert.equal(readInt(r, '12x', 0, 100), undefined);
  assert.equal(readUnsigned(r, '-1', 0, 100), undefined);
  assert.equal(readUnsigned(r, '101', 0, 100), undefined);
  assert.equal(readDecimal(r, '0.1234567', 0, 10_000_000, 6), 123457);
  assert.deepEqual(r.reports, [
    "invalid number '12x'",
    "negative number '-1'",
    "number '101' outside range [0, 100]",
    "number '0.1234567' has too many decimal places",
  ]);
});

test('property: decimals with up to 6 places read back exactly as microseconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (us) => {
      const text = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
      assert.equal(readDecimal(collect(), text, 0, Number.MAX_SAFE_INTEGER, 6), us);
    }),
    { seed: 9, numRuns: 500 },
  );
});

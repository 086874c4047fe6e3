/**
 * Lexer and parser fuzzing: random bytes and random mutations of real configs never throw, never
 * hang (the test's timeout), and always end in a verdict (an exit code keepalived -t could give).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { memoryFileSystem } from '../../src/config/config-fs.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { loadConfig } from '../../src/config/load.js';
import { INTERNAL_ERROR } from '../../src/config/parser.js';

const host = staticHostFacts({
  interfaces: ['eth0', 'eth1', 'eth2', 'eth3', 'eth0.1'].map((n, i) => ethernetInterface(n, i + 2, [`10.0.${i}.1`])),
});
const VERDICTS = new Set([0, 2, 4, 5, 6]);

const corpusDir = path.join(path.dirname(new URL(import.meta.url).pathname), '../../../test/fixtures/corpus');
const samples = fs
  .readdirSync(corpusDir)
  .filter((f) => f.startsWith('keepalived.conf'))
  .map((f) => fs.readFileSync(path.join(corpusDir, f), 'utf8'));

function verdict(files: Record<string, string | Uint8Array>): number {
  const r = loadConfig('/etc/ka/k.conf', {
    host,
    configId: 'lb1',
    fs: memoryFileSystem(
      Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? v : Buffer.from(v)])),
      '/',
    ),
  });
  const internal = r.diagnostics.list.find((d) => d.message.startsWith(INTERNAL_ERROR));
  assert.equal(internal, undefined, internal?.message);
  return r.diagnostics.exitCode();
}

const FRAGMENTS = [
  '{', '}', '"', "'", '\\', '#', '!', '\\#', ';', '\n', ' ', '\t', '$X', '$X=1', '${X}', '${_RANDOM 1 9}', '${_ENV HOME}',
  '$M=a \\\n b \\\n', '$M', '~SEQ(N,1,3) ', '~SEQx(N,0,2,4) ', '~LST(A,1,2) ', '@lb1 ', '@^lb1 ', 'include *.inc',
  'include /etc/ka/k.conf', 'includea none', 'vrrp_instance V {', 'virtual_server 1.2.3.4 80 {', 'real_server 1.1.1.1 80 {',
  'TCP_CHECK {', 'priority', 'priority 300', 'state master', 'lb_kind dr', 'protocol tcp', 'virtual_ipaddress {', '10.0.0.9/24 dev eth9',
  'notify "/bin/x \'a b\' \\x41"', 'script "unterminated', 'global_defs {', 'include_check', 'random_seed 4',
];

test('random bytes never throw and give a verdict', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      assert.ok(VERDICTS.has(verdict({ '/etc/ka/k.conf': bytes })));
    }),
    { numRuns: 300, seed: 20261129 },
  );
});

test('random mutations of the corpus never throw, never hang, and give a verdict', { timeout: 300_000 }, () => {
  const mutation = fc.record({
    sample: fc.nat({ max: samples.length - 1 }),
    edits: fc.array(
      fc.record({ at: fc.nat(), del: fc.nat({ max: 40 }), insert: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 4 }) }),
      { minLength: 1, maxLength: 6 },
    ),
    inc: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }),
  });
  fc.assert(
    fc.property(mutation, ({ sample, edits, inc }) => {
      let text = samples[sample]!;
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.insert.join(' ') + text.slice(at + e.del);
      }
      const v = verdict({ '/etc/ka/k.conf': text, '/etc/ka/a.inc': inc.join('\n'), '/etc/ka/b.inc': 'include a.inc\ninclude b.inc\n' });
      assert.ok(VERDICTS.has(v));
    }),
    { numRuns: 400, seed: 4242 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, type SplitBrainMessage } from '../../src/split-brain/messages.js';

const SECRET = 'a-shared-secret';

const samples: SplitBrainMessage[] = [
  { type: 'vote', group: 'v4/51', node: '10.0.0.1', stamp: 123, echo: -1, for: '10.0.0.2', candidate: false, priority: 100 },
  { type: 'request', group: 'v4/51+v4/52', node: '10.0.0.1', nonce: 'n-1', lease: 3_000_000 },
  { type: 'grant', group: 'v4/51', node: '10.0.0.1', nonce: 'n-1', lease: 3_000_000 },
  { type: 'deny', group: 'v4/51', node: '10.0.0.2', nonce: 'n-2', holder: '10.0.0.1', remaining: 1500 },
  { type: 'release', group: 'v6/7', node: 'fe80::1' },
];

test('every message round-trips and starts with the magic and version', () => {
  for (const m of samples) {
    const bytes = encodeMessage(m, SECRET);
    assert.deepEqual([...bytes.subarray(0, 5)], [0x4b, 0x54, 0x53, 0x42, 1]);
    assert.deepEqual(decodeMessage(bytes, SECRET), { ok: true, message: m });
  }
});

test('a wrong secret, a flipped bit, a wrong version or junk is rejected with its reason', () => {
  const good = encodeMessage(samples[0]!, SECRET);
  assert.deepEqual(decodeMessage(good, 'another-secret'), { ok: false, reason: 'auth' });
  const flipped = Uint8Array.from(good);
  flipped[flipped.length - 2]! ^= 1;
  assert.deepEqual(decodeMessage(flipped, SECRET), { ok: false, reason: 'auth' });
  const v2 = Uint8Array.from(good);
  v2[4] = 2;
  assert.deepEqual(decodeMessage(v2, SECRET), { ok: false, reason: 'version' });
  const magic = Uint8Array.from(good);
  magic[0] = 0;
  assert.deepEqual(decodeMessage(magic, SECRET), { ok: false, reason: 'magic' });
  assert.deepEqual(decodeMessage(good.subarray(0, 30), SECRET), { ok: false, reason: 'short' });
  assert.deepEqual(decodeMessage(new Uint8Array(2000), SECRET), { ok: false, reason: 'short' });
});

test('authentic but malformed bodies are rejected, never thrown', () => {
  const bad: unknown[] = [
    { type: 'vote', group: 'g', node: 'n', stamp: -5, echo: -1, for: '', candidate: false, priority: 1 },
    { type: 'vote', group: 'g', node: 'n', stamp: 1, echo: -1, for: '', candidate: 'yes', priority: 1 },
    { type: 'vote', group: 'g', node: 'n', stamp: 1, echo: -1, for: '', candidate: false, priority: 300 },
    { type: 'request', group: 'g', node: 'n', nonce: '', lease: 5 },
    { type: 'request', group: 'g', node: 'n', nonce: 'x', lease: 0 },
    { type: 'grant', group: '', node: 'n', nonce: 'x', lease: 5 },
    { type: 'hello', group: 'g', node: 'n' },
    [1, 2, 3],
    'text',
    null,
  ];
  for (const body of bad) {
    const bytes = encodeMessage(body as SplitBrainMessage, SECRET);
    assert.deepEqual(decodeMessage(bytes, SECRET), { ok: false, reason: 'malformed' }, JSON.stringify(body));
  }
});

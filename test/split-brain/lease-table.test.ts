import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseTable } from '../../src/split-brain/lease-table.js';

const req = (node: string, nonce: string, lease = 3_000_000) => ({ type: 'request' as const, group: 'v4/51', node, nonce, lease });

test('grants nothing during the start-up quiet period, then one holder at a time', () => {
  const t = new LeaseTable({ maxLeaseUs: 5_000_000, startedAt: 1_000_000 });
  assert.deepEqual(t.request(2_000_000, req('A', 'a1')), { type: 'deny', group: 'v4/51', node: 'A', nonce: 'a1', holder: '', remaining: 4_000_000 });
  assert.deepEqual(t.request(6_000_000, req('A', 'a2')), { type: 'grant', group: 'v4/51', node: 'A', nonce: 'a2', lease: 3_000_000 });
  assert.deepEqual(t.request(6_500_000, req('B', 'b1')), { type: 'deny', group: 'v4/51', node: 'B', nonce: 'b1', holder: 'A', remaining: 2_500_000 });
  // renewal by the holder extends from now
  assert.deepEqual(t.request(7_000_000, req('A', 'a3')), { type: 'grant', group: 'v4/51', node: 'A', nonce: 'a3', lease: 3_000_000 });
  assert.deepEqual(t.request(9_999_999, req('B', 'b2')).type, 'deny');
  // expired: the other may have it
  assert.deepEqual(t.request(10_000_000, req('B', 'b3')), { type: 'grant', group: 'v4/51', node: 'B', nonce: 'b3', lease: 3_000_000 });
  assert.deepEqual(t.view(10_000_000), [{ group: 'v4/51', holder: 'B', remaining: 3_000_000 }]);
  assert.deepEqual(t.counters, { granted: 2, renewed: 1, denied: 3, released: 0 });
});

test('a lease is capped at the maximum; only the holder can release it', () => {
  const t = new LeaseTable({ maxLeaseUs: 2_000_000, startedAt: 0 });
  assert.equal((t.request(2_000_000, req('A', 'a1', 60_000_000)) as { lease: number }).lease, 2_000_000);
  assert.equal(t.release(2_100_000, { type: 'release', group: 'v4/51', node: 'B' }), false);
  assert.equal(t.request(2_100_000, req('B', 'b1')).type, 'deny');
  assert.equal(t.release(2_200_000, { type: 'release', group: 'v4/51', node: 'A' }), true);
  assert.equal(t.request(2_200_000, req('B', 'b2')).type, 'grant');
  assert.deepEqual(t.view(2_200_000), [{ group: 'v4/51', holder: 'B', remaining: 2_000_000 }]);
});

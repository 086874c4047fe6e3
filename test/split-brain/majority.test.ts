import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MajorityCore, safetyMarginUs, type LocalView } from '../../src/split-brain/majority.js';

const S = 1_000_000;
const A = '10.0.0.1';
const B = '10.0.0.2';
const settings = { group: 'v4/51', self: A, peers: [B], witness: true, intervalUs: S, leaseUs: 3 * S };
const candidate: LocalView = { state: 'BACKUP', candidate: true, heardMaster: undefined, priority: 100 };
const master: LocalView = { state: 'MASTER', candidate: false, heardMaster: undefined, priority: 100 };
const vote = (over: Partial<{ stamp: number; echo: number; for: string; candidate: boolean; priority: number }>) => ({
  type: 'vote' as const, group: 'v4/51', node: B, stamp: 1, echo: -1, for: '', candidate: false, priority: 100, ...over,
});

test('the margin is a fifth of the lease', () => {
  assert.equal(safetyMarginUs(3 * S), 600_000);
});

test('a candidate asks the witness; the grant counts from the request minus the margin, then lapses', () => {
  const core = new MajorityCore(settings, 'seed');
  assert.deepEqual(core.update(0, candidate), [
    { type: 'send-vote', to: B, message: { type: 'vote', group: 'v4/51', node: A, stamp: 0, echo: -1, for: A, candidate: true, priority: 100 } },
    { type: 'send-witness', message: { type: 'request', group: 'v4/51', node: A, nonce: 'seed-1', lease: 3 * S } },
  ]);
  assert.equal(core.needed, 2);
  assert.deepEqual(core.onGrant(100_000, { type: 'grant', group: 'v4/51', node: A, nonce: 'seed-1', lease: 3 * S }), [
    { type: 'majority', held: true, reason: '2 of 3 votes: itself, witness' },
  ]);
  // a replayed grant (nonce no longer outstanding) is ignored
  assert.deepEqual(core.onGrant(200_000, { type: 'grant', group: 'v4/51', node: A, nonce: 'seed-1', lease: 3 * S }), []);
  assert.equal(core.ignored.staleGrant, 1);
  assert.equal(core.nextWakeup(), S);
  assert.equal(core.tick(S).map((a) => a.type).join(','), 'send-vote,send-witness');
  assert.equal(core.tick(2 * S).map((a) => a.type).join(','), 'send-vote,send-witness');
  assert.equal(core.nextWakeup(), 2_400_000);
  assert.deepEqual(core.tick(2_400_000), [{ type: 'majority', held: false, reason: '1 of 3 votes: itself' }]);
});

test("a peer's vote counts from the stamp of ours it echoes, not from its arrival", () => {
  const core = new MajorityCore({ ...settings, witness: false }, 'seed');
  core.update(0, candidate); // our stamp 0 goes out
  assert.deepEqual(core.onVote(900_000, vote({ for: A, echo: 0 })), [{ type: 'majority', held: true, reason: '2 of 2 votes: itself, 10.0.0.2' }]);
  assert.equal(core.snapshot(900_000).votes[0]!.countsMs, 1500);
  assert.deepEqual(core.tick(2_400_000).filter((a) => a.type === 'majority'), [{ type: 'majority', held: false, reason: '1 of 2 votes: itself' }]);
  // an echo from our future is not ours: it does not count
  const other = new MajorityCore({ ...settings, witness: false }, 'seed');
  other.update(0, candidate);
  assert.deepEqual(other.onVote(10, vote({ for: A, echo: 5_000_000 })), []);
});

test('a director that voted for another stays bound to it for a lease, itself included', () => {
  const core = new MajorityCore(settings, 'seed');
  const out = core.update(0, { state: 'BACKUP', candidate: false, heardMaster: B, priority: 100 });
  assert.deepEqual(out, [{ type: 'send-vote', to: B, message: { type: 'vote', group: 'v4/51', node: A, stamp: 0, echo: -1, for: B, candidate: false, priority: 100 } }]);
  // the master went silent, our master-down timer fired: we may not vote for ourselves yet
  const next = core.update(S, candidate);
  assert.deepEqual(next.filter((a) => a.type === 'send-vote').map((a) => (a as { message: { for: string } }).message.for), ['']);
  core.onGrant(S + 1, { type: 'grant', group: 'v4/51', node: A, nonce: (next.find((a) => a.type === 'send-witness') as { message: { nonce: string } }).message.nonce, lease: 3 * S });
  assert.equal(core.held, false);
  assert.equal(core.nextWakeup(), 2 * S);
  core.tick(2 * S);
  assert.equal(core.held, false);
  const freed = core.tick(3 * S);
  assert.deepEqual(freed.find((a) => a.type === 'majority'), { type: 'majority', held: true, reason: '2 of 3 votes: itself, witness' });
});

test('a MASTER yields to a peer claiming with a higher priority, and frees the witness lease when it leaves', () => {
  const core = new MajorityCore(settings, 'seed');
  core.update(0, candidate);
  core.onGrant(1, { type: 'grant', group: 'v4/51', node: A, nonce: 'seed-1', lease: 3 * S });
  core.update(2, master);
  assert.equal(core.held, true);
  const out = core.onVote(500_000, vote({ for: B, candidate: true, priority: 200 }));
  assert.deepEqual(out, [
    { type: 'send-vote', to: B, message: { type: 'vote', group: 'v4/51', node: A, stamp: 500_000, echo: 1, for: B, candidate: false, priority: 100 } },
    { type: 'majority', held: false, reason: `voting for ${B}` },
  ]);
  assert.deepEqual(core.update(500_000, { state: 'BACKUP', candidate: false, heardMaster: undefined, priority: 100 }), [
    { type: 'send-witness', message: { type: 'release', group: 'v4/51', node: A } },
  ]);
  // a claim with a lower priority does not make a MASTER yield
  const other = new MajorityCore(settings, 'seed');
  other.update(0, candidate);
  other.onGrant(1, { type: 'grant', group: 'v4/51', node: A, nonce: 'seed-1', lease: 3 * S });
  other.update(2, master);
  assert.deepEqual(other.onVote(500_000, vote({ for: B, candidate: true, priority: 50 })), []);
  assert.equal(other.held, true);
});

test('a deny naming another holder withdraws the witness vote; votes from strangers are ignored', () => {
  const core = new MajorityCore(settings, 'seed');
  core.update(0, candidate);
  core.onGrant(1, { type: 'grant', group: 'v4/51', node: A, nonce: 'seed-1', lease: 3 * S });
  assert.equal(core.held, true);
  const again = core.tick(S).find((a) => a.type === 'send-witness') as { message: { nonce: string } };
  assert.deepEqual(core.onDeny(S + 1, { type: 'deny', group: 'v4/51', node: A, nonce: again.message.nonce, holder: B, remaining: 100 }), [
    { type: 'majority', held: false, reason: '1 of 3 votes: itself' },
  ]);
  assert.deepEqual(core.onVote(S + 2, { ...vote({ for: A, echo: 0 }), node: '10.9.9.9' }), []);
  assert.equal(core.ignored.unknownPeer, 1);
  assert.deepEqual(core.snapshot(S + 2), {
    required: true, held: false, voters: 3, needed: 2, votingFor: A,
    votes: [{ node: B, for: '', countsMs: null }],
    witness: { lease: null, holder: B },
  });
});

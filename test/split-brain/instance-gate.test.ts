import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstanceCore } from '../../src/vrrp/instance.js';
import { makeInstanceSettings } from '../../src/vrrp/instance-settings.js';
import type { Action } from '../../src/vrrp/instance-types.js';

const vip = { address: '10.0.0.50', prefixLen: 24, family: 'inet' } as never;
const kinds = (a: Action[]) => a.filter((x) => x.type !== 'log' && x.type !== 'stat' && x.type !== 'fifo').map((x) => (x.type === 'state-changed' ? `${x.from}->${x.to}` : x.type));

test('with majorityRequired, the master-down timer alone does not make MASTER; the majority does, and its loss releases', () => {
  const core = new VrrpInstanceCore(makeInstanceSettings({ name: 'VI_1', vips: [vip], majorityRequired: true }));
  core.handle({ type: 'start', now: 0, primaryAddress: '10.0.0.1' });
  const down = core.nextWakeup()!;
  const waited = core.handle({ type: 'timer', now: down });
  assert.deepEqual(kinds(waited), []);
  assert.equal(core.state, 'BACKUP');
  assert.equal(core.awaitingMajority, true);
  assert.ok(waited.some((a) => a.type === 'log' && a.message.includes('no majority of votes')));
  // still waiting at the next timeout (no flood of timers: it re-arms at the master-down pace)
  assert.ok(core.nextWakeup()! > down);
  const up = core.handle({ type: 'majority', now: down + 10, held: true, reason: '2 of 3 votes' });
  assert.deepEqual(kinds(up), ['send-advert', 'BACKUP->MASTER', 'add-vips', 'send-garp']);
  assert.equal((up.find((a) => a.type === 'state-changed') as { reason: string }).reason, 'majority of votes (2 of 3 votes)');
  const lost = core.handle({ type: 'majority', now: down + 20, held: false, reason: '1 of 3 votes: itself' });
  assert.deepEqual(kinds(lost), ['send-advert', 'remove-vips', 'MASTER->BACKUP']);
  assert.equal(core.state, 'BACKUP');
});

test('an advert from an accepted master ends the wait; without majorityRequired the majority event changes nothing', () => {
  const core = new VrrpInstanceCore(makeInstanceSettings({ name: 'VI_1', vips: [vip], majorityRequired: true }));
  core.handle({ type: 'start', now: 0, primaryAddress: '10.0.0.1' });
  core.handle({ type: 'timer', now: core.nextWakeup()! });
  assert.equal(core.awaitingMajority, true);
  const t = core.nextWakeup()! - 1;
  core.handle({ type: 'advert', now: t, advert: { source: '10.0.0.2', priority: 200, advertInterval: 1, vips: ['10.0.0.50'], version: 2 } });
  assert.equal(core.awaitingMajority, false);
  assert.equal(core.masterHeardAt, t);
  assert.deepEqual(kinds(core.handle({ type: 'majority', now: t + 1, held: true, reason: 'x' })), []);

  const plain = new VrrpInstanceCore(makeInstanceSettings({ name: 'VI_1', vips: [vip] }));
  plain.handle({ type: 'start', now: 0, primaryAddress: '10.0.0.1' });
  assert.deepEqual(kinds(plain.handle({ type: 'timer', now: plain.nextWakeup()! })), ['send-advert', 'BACKUP->MASTER', 'add-vips', 'send-garp']);
  assert.deepEqual(kinds(plain.handle({ type: 'majority', now: 5_000_000, held: false, reason: 'x' })), []);
  assert.equal(plain.state, 'MASTER');
});

/**
 * The statistics book: the core's stat actions and the receive-check rejections become
 * keepalived's counters (each check mapped to the counter vrrp_check_packet() increments), only
 * while the instance receives; STATS_CLEAR zeroes them; a reload keeps a matched instance's.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { REJECTED_CHECK_COUNTERS, VrrpStatsBook, newInstanceStats } from '../../src/daemon/vrrp-stats.js';
import { authDataFromPassword } from '../../src/vrrp/auth.js';
import type { Action } from '../../src/vrrp/instance-types.js';
import { encodeIPv4Advert, type IPv4AdvertSpec } from '../../src/vrrp/packet.js';
import { checkReceivedAdvert, RECEIVE_CHECKS, VRRP_COUNTERS, type ReceiverContext } from '../../src/vrrp/receive-checks.js';

const PW = authDataFromPassword('secret12345');
const spec = (o: Partial<IPv4AdvertSpec> = {}): IPv4AdvertSpec => ({
  version: 2,
  family: 'inet',
  vrid: 51,
  priority: 150,
  advertIntUs: 1_000_000,
  addresses: ['10.9.9.1'],
  authType: 'PASS',
  authData: PW,
  src: '10.0.0.1',
  dst: '224.0.0.18',
  ipId: 1,
  ...o,
});
const ctx: ReceiverContext = {
  iname: 'VI_1',
  family: 'inet',
  version: 2,
  vrid: 51,
  authType: 'PASS',
  authData: PW,
  advertIntUs: 1_000_000,
  vips: ['10.9.9.1'],
  unicast: false,
};

describe('VrrpStatsBook', () => {
  it('starts every counter of every instance at zero, with every keepalived counter present', () => {
    const book = new VrrpStatsBook();
    assert.deepEqual(Object.keys(book.stats('VI_1')).sort(), [...VRRP_COUNTERS].sort());
    assert.deepEqual(book.stats('VI_1'), newInstanceStats());
    assert.equal(book.lastTransition('VI_1'), undefined);
  });

  it('counts the stat actions of the cores and records state changes with the injected clock', () => {
    let now = 1_795_971_604_756_234;
    const book = new VrrpStatsBook({ wallClockUs: () => now });
    const actions: Action[] = [
      { type: 'stat', owner: 'VI_1', counter: 'advert_sent' },
      { type: 'stat', owner: 'VI_1', counter: 'advert_sent' },
      { type: 'stat', owner: 'VI_1', counter: 'become_master' },
      { type: 'state-changed', owner: 'VI_1', group: false, from: 'BACKUP', to: 'MASTER', reason: 'master-down timer expired' },
      { type: 'stat', owner: 'VI_2', counter: 'advert_rcvd' },
      { type: 'log', owner: 'VI_2', message: 'ignored' },
    ];
    book.recordActions(actions);
    assert.equal(book.stats('VI_1').advert_sent, 2);
    assert.equal(book.stats('VI_1').become_master, 1);
    assert.equal(book.stats('VI_2').advert_rcvd, 1);
    assert.deepEqual(book.lastTransition('VI_1'), { atUs: 1_795_971_604_756_234, from: 'BACKUP', to: 'MASTER', reason: 'master-down timer expired' });
    now += 5_000_000;
    book.transition('VI_1', false, { at: new Date(1_795_971_700_000), from: 'MASTER', to: 'BACKUP', reason: 'higher priority advert' });
    assert.equal(book.lastTransition('VI_1')!.atUs, 1_795_971_700_000_000);
    // a "change" to the same state is no transition
    book.transition('VI_1', false, { from: 'BACKUP', to: 'BACKUP', reason: 'reload' });
    assert.equal(book.lastTransition('VI_1')!.to, 'BACKUP');
    assert.equal(book.lastTransition('VI_1')!.atUs, 1_795_971_700_000_000);
  });

  it('maps every receive check to a counter list', () => {
    assert.deepEqual(Object.keys(REJECTED_CHECK_COUNTERS).sort(), [...RECEIVE_CHECKS].sort());
  });

  it('counts a rejection as keepalived does, by check name or by verdict (the two agree)', () => {
    const cases: { packet: Uint8Array; check: string }[] = [
      { packet: encodeIPv4Advert(spec()).subarray(0, 36), check: 'packet_length' },
      { packet: encodeIPv4Advert(spec({ ttl: 64 })), check: 'ttl' },
      { packet: encodeIPv4Advert(spec({ authData: authDataFromPassword('wrong') })), check: 'auth_pass' },
      { packet: encodeIPv4Advert(spec({ authType: 'none' })), check: 'auth_type_mismatch' },
      { packet: encodeIPv4Advert(spec({ addresses: ['10.9.9.7'] })), check: 'vip_missing' },
      { packet: encodeIPv4Advert(spec({ advertIntUs: 2_000_000 })), check: 'advert_interval' },
    ];
    for (const c of cases) {
      const v = checkReceivedAdvert({ bytes: c.packet }, ctx);
      assert.equal(v.ok, false, c.check);
      if (v.ok) continue;
      assert.equal(v.check, c.check);
      assert.deepEqual(v.counters, REJECTED_CHECK_COUNTERS[v.check], c.check);
      const byVerdict = new VrrpStatsBook();
      const byName = new VrrpStatsBook();
      byVerdict.rejected('VI_1', v);
      byName.rejected('VI_1', v.check, v.reason);
      assert.deepEqual(byVerdict.stats('VI_1'), byName.stats('VI_1'), c.check);
    }
  });

  it('an advert missing a VIP counts as received and as an address list error; an interval mismatch counts nothing', () => {
    const book = new VrrpStatsBook();
    assert.equal(book.rejected('VI_1', 'vip_missing'), true);
    assert.equal(book.rejected('VI_1', 'advert_interval'), false);
    assert.equal(book.rejected('VI_1', 'unknown_vrid'), false);
    const s = book.stats('VI_1');
    assert.equal(s.advert_rcvd, 1);
    assert.equal(s.addr_list_err, 1);
    assert.equal(s.advert_interval_err, 0);
  });

  it('counts rejections only while the instance is BACKUP or MASTER (keepalived ignores packets in INIT and FAULT)', () => {
    const states: Record<string, 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT'> = { A: 'FAULT', B: 'BACKUP', C: 'INIT', D: 'MASTER' };
    const book = new VrrpStatsBook({ stateOf: (n) => states[n] });
    for (const n of Object.keys(states)) book.rejected(n, 'auth_pass');
    assert.deepEqual(
      Object.keys(states).map((n) => book.stats(n).auth_failure),
      [0, 1, 0, 1],
    );
  });

  it('STATS_CLEAR zeroes the counters but keeps the last transitions', () => {
    const book = new VrrpStatsBook({ wallClockUs: () => 7 });
    book.stat('VI_1', 'advert_sent');
    book.rejected('VI_1', 'ttl');
    book.transition('VI_1', false, { from: 'INIT', to: 'BACKUP', reason: 'startup' });
    book.clear();
    assert.deepEqual(book.stats('VI_1'), newInstanceStats());
    assert.equal(book.lastTransition('VI_1')!.to, 'BACKUP');
  });

  it('a reload keeps the counters of matched instances under their new names and forgets removed ones', () => {
    const book = new VrrpStatsBook({ wallClockUs: () => 1 });
    book.stat('OLD_A', 'advert_sent');
    book.stat('B', 'become_master');
    book.stat('B', 'become_master');
    book.stat('GONE', 'advert_rcvd');
    book.transition('OLD_A', false, { from: 'BACKUP', to: 'MASTER', reason: 'x' });
    // OLD_A is now NEW_A, B is now OLD_A (names swap around), GONE was removed
    book.reload(
      [
        { old: 'OLD_A', new: 'NEW_A' },
        { old: 'B', new: 'OLD_A' },
      ],
      ['GONE'],
    );
    assert.equal(book.stats('NEW_A').advert_sent, 1);
    assert.equal(book.lastTransition('NEW_A')!.to, 'MASTER');
    assert.equal(book.stats('OLD_A').become_master, 2);
    assert.equal(book.stats('OLD_A').advert_sent, 0);
    assert.equal(book.lastTransition('OLD_A'), undefined);
    assert.equal(book.stats('GONE').advert_rcvd, 0);
    assert.equal(book.stats('B').become_master, 0);
  });
});

/**
 * The IPVS schedulers: exact choice sequences for given inputs (derived by hand from the
 * kernel's ip_vs_*.c, hashes cross-checked with an independent implementation), and properties
 * (wrr proportional over a cycle, mh minimal disruption, weight 0 never picked).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createScheduler, SCHEDULER_NAMES } from '../../src/lvs/schedulers/index.js';
import { hash32, hsiphash32, sipHashShort } from '../../src/lvs/schedulers/kernel-hash.js';
import { addressFold } from '../../src/lvs/schedulers/address-fold.js';
import { MaglevHashingScheduler } from '../../src/lvs/schedulers/mh.js';
import { SourceHashingScheduler } from '../../src/lvs/schedulers/sh.js';
import type { ScheduleRequest, SchedulerDestination } from '../../src/lvs/schedulers/scheduler.js';

function dest(id: string, weight: number, active = 0, inactive = 0, extra: Partial<SchedulerDestination> = {}): SchedulerDestination {
  const [address, port] = id.split(':');
  return { id, address: address!, port: Number(port ?? 80), weight, activeConnections: active, inactiveConnections: inactive, ...extra };
}

const req = (clientAddress = '10.0.0.1', clientPort = 40000, serviceAddress = '192.168.10.200'): ScheduleRequest => ({
  clientAddress,
  clientPort,
  serviceAddress,
  servicePort: 80,
});

function sequence(name: string, dests: readonly SchedulerDestination[], n: number): string[] {
  const s = createScheduler(name);
  return Array.from({ length: n }, () => s.pick(dests, req())?.id ?? '-');
}

test('kernel hashes: SipHash reference vectors, hsiphash on 64-bit, hash_32', () => {
  const k0 = 0x0706050403020100n;
  const k1 = 0x0f0e0d0c0b0a0908n;
  assert.equal(sipHashShort(2, 4, 0n, 0, k0, k1), 0x726fdb47dd0e0e31n);
  assert.equal(sipHashShort(2, 4, 0x03020100n, 4, k0, k1), 0xcf2794e0277187b7n);
  assert.equal(hsiphash32(0x0a000001, 2654435761n, 2654435761n), 50859236);
  assert.equal(hsiphash32((80 + 0xc0a80a85) >>> 0, 2654435761n, 2654435761n), 3322756468);
  assert.equal(hsiphash32((80 + 0xc0a80a85) >>> 0, 2654446892n, 2654446892n), 352771356);
  assert.equal(hash32(0x0a000001, 8), 39);
  assert.equal(hash32(0xc0a80001, 8), 192);
  assert.equal(addressFold('10.0.0.1'), 0x0a000001);
  assert.equal(addressFold('2001:db8::1'), (0x20010db8 ^ 0 ^ 0 ^ 1) >>> 0);
  assert.equal(addressFold('::ffff:10.0.0.1'), (0x0000ffff ^ 0x0a000001) >>> 0);
  assert.equal(addressFold('garbage'), 0);
});

test('createScheduler knows the IPVS names and refuses others', () => {
  assert.deepEqual([...SCHEDULER_NAMES].sort(), ['dh', 'fo', 'lblc', 'lblcr', 'lc', 'mh', 'nq', 'ovf', 'rr', 'sed', 'sh', 'wlc', 'wrr']);
  assert.throws(() => createScheduler('bogus'), /unknown scheduler 'bogus'/);
  assert.throws(() => createScheduler('toString'), /unknown scheduler/);
});

test('rr: cycles, skips weight 0, and resumes after a deleted cursor like the kernel', () => {
  const abc = [dest('A:80', 1), dest('B:80', 0), dest('C:80', 1), dest('D:80', 1)];
  assert.deepEqual(sequence('rr', abc, 6), ['A:80', 'C:80', 'D:80', 'A:80', 'C:80', 'D:80']);
  const s = createScheduler('rr');
  const full = [dest('A:80', 1), dest('B:80', 1), dest('C:80', 1)];
  assert.equal(s.pick(full, req())?.id, 'A:80');
  assert.equal(s.pick(full, req())?.id, 'B:80');
  // B (under the cursor) is deleted: the cursor moves back to A, so C comes next.
  const withoutB = [dest('A:80', 1), dest('C:80', 1)];
  assert.equal(s.pick(withoutB, req())?.id, 'C:80');
  assert.equal(s.pick(withoutB, req())?.id, 'A:80');
  assert.equal(createScheduler('rr').pick([dest('A:80', 0)], req()), undefined);
});

test('wrr: the kernel sequence for weights 4,3,2 and for a common divisor', () => {
  const d = [dest('A:80', 4), dest('B:80', 3), dest('C:80', 2)];
  assert.deepEqual(sequence('wrr', d, 18), 'A A B A B C A B C A A B A B C A B C'.split(' ').map((x) => `${x}:80`));
  // gcd 2: weights 4 and 2 behave as 2 and 1.
  assert.deepEqual(sequence('wrr', [dest('A:80', 4), dest('B:80', 2)], 6), ['A:80', 'A:80', 'B:80', 'A:80', 'A:80', 'B:80']);
  assert.deepEqual(sequence('wrr', [dest('A:80', 0), dest('B:80', 0)], 2), ['-', '-']);
  // Overloaded destinations are passed over; all overloaded → none.
  assert.deepEqual(sequence('wrr', [dest('A:80', 2, 0, 0, { overloaded: true }), dest('B:80', 1)], 3), ['B:80', 'B:80', 'B:80']);
  assert.deepEqual(sequence('wrr', [dest('A:80', 2, 0, 0, { overloaded: true })], 2), ['-', '-']);
});

test('wrr: a weight change resets to the head and re-derives cw (dest_changed)', () => {
  const s = createScheduler('wrr');
  const d1 = [dest('A:80', 3), dest('B:80', 1)];
  assert.equal(s.pick(d1, req())?.id, 'A:80'); // cw 3
  assert.equal(s.pick(d1, req())?.id, 'A:80'); // cw 2
  const d2 = [dest('A:80', 3), dest('B:80', 3)];
  // cw (2) ≤ mw (3), gcd 3 > 1: cw = (2/3)*3 + 1 = 1; from the head: A.
  assert.equal(s.pick(d2, req())?.id, 'A:80');
  assert.equal(s.pick(d2, req())?.id, 'B:80');
});

test('wrr property: over a full cycle each destination gets weight/gcd picks', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 6 }), (weights) => {
      const d = weights.map((w, i) => dest(`10.0.0.${i + 1}:80`, w));
      const g = weights.filter((w) => w > 0).reduce((a, b) => { while (b) [a, b] = [b, a % b]; return a; }, 0);
      if (g === 0) {
        assert.deepEqual(sequence('wrr', d, 3), ['-', '-', '-']);
        return;
      }
      const cycle = weights.reduce((a, w) => a + w / g, 0);
      const picks = sequence('wrr', d, cycle * 2);
      for (const [i, w] of weights.entries()) {
        assert.equal(picks.filter((p) => p === d[i]!.id).length, (2 * w) / g);
      }
    }),
    { numRuns: 200 },
  );
});

test('lc / wlc / sed / nq: overhead and tie rules', () => {
  const d = [dest('A:80', 1, 2, 0), dest('B:80', 3, 3, 10), dest('C:80', 0, 0, 0), dest('D:80', 1, 2, 0)];
  // lc: A=512, B=778, D=512 → first least: A (C has weight 0).
  assert.equal(createScheduler('lc').pick(d, req())?.id, 'A:80');
  // wlc: A 512/1, B 778/3 = 259.3 → B.
  assert.equal(createScheduler('wlc').pick(d, req())?.id, 'B:80');
  // sed: A (2+1)/1 = 3, B (3+1)/3 = 1.33 → B.
  assert.equal(createScheduler('sed').pick(d, req())?.id, 'B:80');
  // nq: an idle destination (active 0, weight > 0) wins at once.
  assert.equal(createScheduler('nq').pick([...d, dest('E:80', 1, 0, 99)], req())?.id, 'E:80');
  assert.equal(createScheduler('nq').pick(d, req())?.id, 'B:80');
  // Ties: the first destination keeps it.
  assert.equal(createScheduler('wlc').pick([dest('A:80', 2, 1), dest('B:80', 2, 1)], req())?.id, 'A:80');
  for (const name of ['lc', 'wlc', 'sed', 'nq']) {
    assert.equal(createScheduler(name).pick([dest('A:80', 0), dest('B:80', 1, 0, 0, { overloaded: true })], req()), undefined, name);
  }
});

test('fo / ovf: highest weight first; ovf overflows when active connections exceed the weight', () => {
  const d = [dest('A:80', 5, 6), dest('B:80', 5, 0), dest('C:80', 3, 0), dest('D:80', 0, 0)];
  assert.equal(createScheduler('fo').pick(d, req())?.id, 'A:80');
  assert.equal(createScheduler('ovf').pick(d, req())?.id, 'B:80');
  const full = [dest('A:80', 2, 3), dest('B:80', 1, 2), dest('C:80', 0, 0)];
  assert.equal(createScheduler('ovf').pick(full, req()), undefined);
  assert.equal(createScheduler('fo').pick([dest('A:80', 0), dest('B:80', 0)], req()), undefined);
});

test('sh: weighted bucket fill and hash_32 of the client address', () => {
  const sh = new SourceHashingScheduler();
  const d = [dest('A:80', 2), dest('B:80', 1)];
  const table = sh.table(d);
  assert.deepEqual(Array.from(table.slice(0, 7)), [0, 0, 1, 0, 0, 1, 0]);
  // 10.0.0.1 → bucket 39 → 39 % 3 = 0 → A; 192.168.0.1 → bucket 192 → 0 → A; 10.0.0.2 → 137 → 2 → B.
  assert.equal(sh.pick(d, req('10.0.0.1'))?.id, 'A:80');
  assert.equal(sh.pick(d, req('192.168.0.1'))?.id, 'A:80');
  assert.equal(sh.pick(d, req('10.0.0.2'))?.id, 'B:80');
  // Unusable target: refused without sh-fallback, found further on with it.
  const down = [dest('A:80', 2), dest('B:80', 0)];
  const plain = new SourceHashingScheduler();
  assert.equal(plain.pick(down, req('10.0.0.2')), undefined);
  const fallback = createScheduler('sh', { flags: ['sh-fallback'] });
  assert.equal(fallback.pick(down, req('10.0.0.2'))?.id, 'A:80');
  // sh-port mixes the client port in: same address, different ports can differ.
  const withPort = createScheduler('sh', { flags: ['sh-port'] });
  const ports = new Set([1, 2, 3, 4, 5, 6].map((p) => withPort.pick(d, req('10.0.0.1', p))?.id));
  assert.equal(ports.size, 2);
});

test('dh: round-robin buckets, multiplicative hash of the requested address', () => {
  const d = [dest('A:80', 1), dest('B:80', 5), dest('C:80', 1)];
  const s = createScheduler('dh');
  // 192.168.10.200 = 0xc0a80ac8; × 2654435761 (0x9e3779b1) & 255 = 0xc8·0xb1 & 255 = 0x48 → bucket 72 → 72 % 3 = 0 → A.
  assert.equal(s.pick(d, req('1.1.1.1', 1, '192.168.10.200'))?.id, 'A:80');
  assert.equal(s.pick(d, req('9.9.9.9', 2, '192.168.10.200'))?.id, 'A:80');
  // 192.168.10.201: 0xc9·0xb1 & 255 = 0xf9 → bucket 249 → 249 % 3 = 0 → A; .202: 0xaa → 170 % 3 = 2 → C.
  assert.equal(s.pick(d, req('1.1.1.1', 1, '192.168.10.202'))?.id, 'C:80');
  assert.equal(s.pick([dest('A:80', 0), dest('B:80', 5), dest('C:80', 1)], req('1.1.1.1', 1, '192.168.10.200')), undefined);
});

test('mh: permutation and population as ip_vs_mh.c, weights as turns', () => {
  const mh = new MaglevHashingScheduler({ mhTableSize: 251 });
  const d = [dest('192.168.10.133:80', 1), dest('192.168.10.134:80', 1)];
  const table = mh.table(d);
  assert.equal(table.length, 251);
  assert.ok(table.every((id) => id !== ''));
  const counts = (t: readonly string[]) => Object.fromEntries(d.map((x) => [x.id, t.filter((id) => id === x.id).length]));
  assert.deepEqual(counts(table), { '192.168.10.133:80': 126, '192.168.10.134:80': 125 });
  // Slot of the first destination's first choice: offset = hsiphash1(80 + 0xc0a80a85) % 251.
  assert.equal(table[3322756468 % 251], '192.168.10.133:80');
  const heavy = new MaglevHashingScheduler({ mhTableSize: 251 }).table([dest('192.168.10.133:80', 3), dest('192.168.10.134:80', 1)]);
  const c = counts(heavy);
  assert.ok(c['192.168.10.133:80']! >= 186 && c['192.168.10.133:80']! <= 190, JSON.stringify(c));
  // The client's slot: hsiphash1(10.0.0.1) % size.
  const slot = 50859236 % 251;
  assert.equal(mh.pick(d, req('10.0.0.1'))?.id, table[slot]);
});

test('mh property: removing one destination moves only the clients it served', () => {
  const base = Array.from({ length: 5 }, (_, i) => dest(`10.1.0.${i + 1}:8080`, 1));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4 }), fc.array(fc.integer({ min: 1, max: 0xfffffffe }), { minLength: 50, maxLength: 50 }), (gone, clients) => {
      const before = new MaglevHashingScheduler();
      const after = new MaglevHashingScheduler();
      const remaining = base.filter((_, i) => i !== gone);
      let moved = 0;
      for (const n of clients) {
        const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        const a = before.pick(base, req(ip))!.id;
        const b = after.pick(remaining, req(ip))!.id;
        if (a !== base[gone]!.id) {
          if (a !== b) moved++;
        } else assert.notEqual(b, base[gone]!.id);
      }
      // Maglev is near-minimal: a small fraction of other clients may move.
      assert.ok(moved <= clients.length * 0.2, `moved ${moved}`);
    }),
    { numRuns: 5 },
  );
});

test('mh: weight 0 keeps the table (last weight) — only its clients are refused or fall back', () => {
  const d = Array.from({ length: 3 }, (_, i) => dest(`10.2.0.${i + 1}:80`, 1));
  const plain = new MaglevHashingScheduler({ mhTableSize: 4093 });
  const fallback = new MaglevHashingScheduler({ mhTableSize: 4093, flags: ['mh-fallback'] });
  const before = plain.table(d);
  const drained = [d[0]!, { ...d[1]!, weight: 0 }, d[2]!];
  assert.deepEqual(plain.table(drained), before);
  for (let i = 1; i <= 40; i++) {
    const r = req(`172.16.0.${i}`);
    const was = plain.pick(d, r)!.id;
    const now = plain.pick(drained, r)?.id;
    const fb = fallback.pick(drained, r)?.id;
    if (was === d[1]!.id) {
      assert.equal(now, undefined);
      assert.ok(fb === d[0]!.id || fb === d[2]!.id);
    } else {
      assert.equal(now, was);
      assert.equal(fb, was);
    }
  }
});

test('lblc: sticks per requested address until overloaded', () => {
  const s = createScheduler('lblc');
  let d = [dest('A:80', 1, 0), dest('B:80', 1, 0)];
  assert.equal(s.pick(d, req('c', 1, '10.9.0.1'))?.id, 'A:80');
  d = [dest('A:80', 1, 1), dest('B:80', 1, 0)];
  assert.equal(s.pick(d, req('c', 1, '10.9.0.1'))?.id, 'A:80'); // 1 active ≤ weight 1: stays
  assert.equal(s.pick(d, req('c', 1, '10.9.0.2'))?.id, 'B:80'); // new address: least connection
  d = [dest('A:80', 1, 2), dest('B:80', 4, 1)];
  // A: 2 active > weight 1 and B is under half its weight → overloaded → rescheduled to B.
  assert.equal(s.pick(d, req('c', 1, '10.9.0.1'))?.id, 'B:80');
  assert.equal(s.pick(d, req('c', 1, '10.9.0.1'))?.id, 'B:80');
  // Expiry by request time.
  const e = createScheduler('lblc', { cacheExpiration: 1000 });
  assert.equal(e.pick([dest('A:80', 1), dest('B:80', 1)], { ...req('c', 1, '10.9.0.1'), now: 0 })?.id, 'A:80');
  assert.equal(e.pick([dest('A:80', 1, 1), dest('B:80', 1, 0)], { ...req('c', 1, '10.9.0.1'), now: 500 })?.id, 'A:80');
  assert.equal(e.pick([dest('A:80', 1, 1), dest('B:80', 1, 0)], { ...req('c', 1, '10.9.0.1'), now: 1600 })?.id, 'B:80');
});

test('lblcr: grows the set when its least loaded member is overloaded', () => {
  const s = createScheduler('lblcr');
  assert.equal(s.pick([dest('A:80', 1), dest('B:80', 1)], req('c', 1, '10.9.0.1'))?.id, 'A:80');
  const busy = [dest('A:80', 1, 2), dest('B:80', 4, 0)];
  assert.equal(s.pick(busy, req('c', 1, '10.9.0.1'))?.id, 'B:80');
  // Set is now {B, A}; the least loaded member B serves.
  assert.equal(s.pick([dest('A:80', 1, 2), dest('B:80', 4, 1)], req('c', 1, '10.9.0.1'))?.id, 'B:80');
});

test('no scheduler ever picks a weight-0 or overloaded destination', () => {
  const arb = fc.array(
    fc.record({ weight: fc.integer({ min: 0, max: 5 }), active: fc.integer({ min: 0, max: 8 }), inactive: fc.integer({ min: 0, max: 8 }), overloaded: fc.boolean() }),
    { minLength: 1, maxLength: 6 },
  );
  fc.assert(
    fc.property(arb, fc.integer({ min: 1, max: 0xfffffffe }), (spec, client) => {
      const d = spec.map((x, i) => dest(`10.3.0.${i + 1}:80`, x.weight, x.active, x.inactive, { overloaded: x.overloaded }));
      const ip = [client >>> 24, (client >>> 16) & 255, (client >>> 8) & 255, client & 255].join('.');
      for (const name of SCHEDULER_NAMES) {
        const s = createScheduler(name, name === 'mh' ? { mhTableSize: 251 } : {});
        for (let k = 0; k < 3; k++) {
          const p = s.pick(d, req(ip, k, ip));
          if (p) {
            assert.ok(p.weight > 0, `${name} picked weight 0`);
            // lblc/lblcr honour their own overload rule and only check the flag when rescheduling.
            if (name !== 'lblc' && name !== 'lblcr') assert.ok(!p.overloaded, `${name} picked an overloaded destination`);
          }
        }
      }
    }),
    { numRuns: 150 },
  );
});

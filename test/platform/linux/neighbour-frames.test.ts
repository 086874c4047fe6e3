/**
 * The announcement frames, byte for byte against hand-assembled frames (layout of keepalived's
 * vrrp_arp.c / vrrp_ndisc.c; ICMPv6 checksums computed independently).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { garpFrame, parseMac, unsolicitedNa } from '../../../src/platform/linux/neighbour-frames.js';

const hex = (s: string) => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const MAC = '02:00:00:00:00:01';

test('gratuitous ARP: broadcast request, sender = target = the address, target MAC broadcast', () => {
  const f = garpFrame(MAC, '10.9.9.1');
  assert.deepEqual(
    Buffer.from(f),
    hex(
      'ffffffffffff 020000000001 0806' + // Ethernet: broadcast, our MAC, ARP
        '0001 0800 06 04 0001' + // Ethernet/IPv4, request
        '020000000001 0a090901' + // sender: our MAC, the address
        'ffffffffffff 0a090901', // target: broadcast, the address
    ),
  );
  assert.equal(f.length, 42);
  assert.deepEqual(garpFrame(parseMac(MAC), Uint8Array.of(10, 9, 9, 1)), f);
});

test('unsolicited NA: all-nodes, source = target, hop limit 255, Override, target link-layer option', () => {
  const f = unsolicitedNa(MAC, 'fd00::100', false);
  assert.deepEqual(
    Buffer.from(f),
    hex(
      '333300000001 020000000001 86dd' +
        '60000000 0020 3a ff' + // IPv6: payload 32, ICMPv6, hop limit 255
        'fd000000000000000000000000000100' + // source: the address itself
        'ff020000000000000000000000000001' + // ff02::1
        '88 00 589d 20000000' + // type 136, code 0, checksum, flags O
        'fd000000000000000000000000000100' + // target
        '02 01 020000000001', // target link-layer address option
    ),
  );
  assert.equal(f.length, 86);
});

test('unsolicited NA with forwarding on carries the Router flag too', () => {
  const f = unsolicitedNa(MAC, 'fd00::100', true);
  assert.equal(f[54 + 4], 0xa0);
  assert.deepEqual(Buffer.from(f.subarray(54 + 2, 54 + 4)), hex('d89c'));
  assert.deepEqual(Buffer.from(f.subarray(0, 56)), Buffer.from(unsolicitedNa(MAC, 'fd00::100', false).subarray(0, 56)));
});

test('bad input is refused with a RangeError, not a malformed frame', () => {
  assert.throws(() => garpFrame('02:00:00:00:00', '10.0.0.1'), RangeError);
  assert.throws(() => garpFrame(MAC, 'fd00::1'), RangeError);
  assert.throws(() => garpFrame(Uint8Array.of(1, 2, 3), '10.0.0.1'), RangeError);
  assert.throws(() => unsolicitedNa(MAC, '10.0.0.1', false), RangeError);
  assert.throws(() => parseMac('zz:00:00:00:00:01'), RangeError);
});

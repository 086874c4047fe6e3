/**
 * The link/address view: notifications in, changes out (no duplicates), a re-dump emits
 * exactly the differences, and keepalived's choice of a link's own address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinkAddressView, type WatchEvent } from '../../../src/platform/linux/link-address-view.js';
import type { AddressInfo, LinkInfo } from '../../../src/platform/linux/netlink-codec.js';

function link(index: number, name: string, up = true, running = true, extra: Partial<LinkInfo> = {}): LinkInfo {
  return { index, name, linkType: 1, flags: 0, up, running, lowerUp: running, multicast: true, operstate: running ? 'UP' : 'DOWN', ...extra };
}

function addr(ifindex: number, address: string, prefixLen = 24, extra: Partial<AddressInfo> = {}): AddressInfo {
  const family = address.includes(':') ? 'inet6' : 'inet';
  return { ifindex, family, address, prefixLen, scope: 0, flags: 0, ...extra };
}

test('link notifications: new, unchanged (silent), changed, renamed, removed with its addresses', () => {
  const v = new LinkAddressView();
  assert.deepEqual(v.linkChanged(link(2, 'eth0', true, false)), [{ type: 'link', index: 2, name: 'eth0', up: true, running: false, removed: false }]);
  assert.deepEqual(v.linkChanged(link(2, 'eth0', true, false, { mtu: 9000 })), [], 'an MTU change is not an event');
  assert.equal(v.link('eth0')?.mtu, 9000, 'but the view has it');
  assert.deepEqual(v.linkChanged(link(2, 'eth0', true, true)), [{ type: 'link', index: 2, name: 'eth0', up: true, running: true, removed: false }]);
  assert.deepEqual(v.linkChanged(link(2, 'wan0', true, true)), [{ type: 'link', index: 2, name: 'wan0', up: true, running: true, removed: false }]);
  assert.equal(v.link('eth0'), undefined);
  assert.equal(v.link('wan0')?.index, 2);
  v.addressAdded(addr(2, '10.0.0.1'));
  assert.deepEqual(v.linkRemoved(2), [
    { type: 'address', added: false, ifindex: 2, ifname: 'wan0', family: 'inet', address: '10.0.0.1', prefixLen: 24 },
    { type: 'link', index: 2, name: 'wan0', up: false, running: false, removed: true },
  ]);
  assert.deepEqual(v.linkRemoved(2), []);
  assert.deepEqual(v.addresses(), []);
});

test('address notifications: a repeat only updates flags; unknown deletes are silent', () => {
  const v = new LinkAddressView();
  v.linkChanged(link(3, 'eth1'));
  const e = v.addressAdded(addr(3, 'fe80::1', 64, { scope: 253, flags: 0x40 }));
  assert.deepEqual(e, [{ type: 'address', added: true, ifindex: 3, ifname: 'eth1', family: 'inet6', address: 'fe80::1', prefixLen: 64 }]);
  assert.deepEqual(v.addressAdded(addr(3, 'fe80::1', 64, { scope: 253, flags: 0x80 })), [], 'DAD finished: flags change only');
  assert.equal(v.addressesOf('eth1')[0]!.flags, 0x80);
  assert.deepEqual(v.addressRemoved(addr(3, 'fe80::2', 64)), []);
  assert.equal(v.addressRemoved(addr(3, 'fe80::1', 64)).length, 1);
  assert.deepEqual(v.addressesOf('eth1'), []);
  assert.deepEqual(v.addressesOf('nope'), []);
});

test("primary address: IPv4 first non-secondary (VIPs excluded), IPv6 first link-local", () => {
  const v = new LinkAddressView();
  v.linkChanged(link(2, 'eth0'));
  v.addressAdded(addr(2, '2001:db8::1', 64));
  v.addressAdded(addr(2, 'fe80::a', 64, { scope: 253 }));
  v.addressAdded(addr(2, 'fe80::b', 64, { scope: 253 }));
  v.addressAdded(addr(2, '10.0.0.100', 24)); // a VIP that came first
  v.addressAdded(addr(2, '10.0.0.5', 24, { flags: 0x01 }));
  v.addressAdded(addr(2, '192.168.1.5', 24));
  const vips = new Set(['10.0.0.100', 'fe80::a']);
  assert.equal(v.primaryAddress('eth0', 'inet'), '10.0.0.100');
  assert.equal(v.primaryAddress('eth0', 'inet', (a) => vips.has(a)), '192.168.1.5', 'secondaries come after primaries');
  assert.equal(v.primaryAddress('eth0', 'inet6'), 'fe80::a');
  assert.equal(v.primaryAddress('eth0', 'inet6', (a) => vips.has(a)), 'fe80::b');
  v.addressRemoved(addr(2, '192.168.1.5', 24));
  assert.equal(v.primaryAddress('eth0', 'inet', (a) => vips.has(a)), '10.0.0.5', 'only a secondary left: it is used');
  assert.equal(v.primaryAddress('eth9', 'inet'), undefined);
});

/** Replaying events onto a copy of the old state must give the new state. */
function replay(state: Map<string, string>, events: readonly WatchEvent[]): void {
  for (const e of events) {
    if (e.type === 'link') {
      if (e.removed) state.delete(`link ${e.index}`);
      else state.set(`link ${e.index}`, `${e.name} ${e.up} ${e.running}`);
    } else {
      const key = `addr ${e.ifindex} ${e.address}/${e.prefixLen}`;
      if (e.added) state.set(key, 'present');
      else state.delete(key);
    }
  }
}

function stateOf(links: readonly LinkInfo[], addrs: readonly AddressInfo[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of links) m.set(`link ${l.index}`, `${l.name} ${l.up} ${l.running}`);
  for (const a of addrs) m.set(`addr ${a.ifindex} ${a.address}/${a.prefixLen}`, 'present');
  return m;
}

test('a re-dump emits exactly the differences, and keeps known addresses in place', () => {
  const v = new LinkAddressView();
  v.replaceAll([link(1, 'lo'), link(2, 'eth0'), link(3, 'eth1')], [addr(2, '10.0.0.1'), addr(2, '10.0.0.2'), addr(3, '10.1.0.1')]);
  const events = v.replaceAll([link(1, 'lo'), link(2, 'eth0', true, false), link(4, 'eth2')], [addr(2, '10.0.0.9'), addr(2, '10.0.0.2'), addr(2, '10.0.0.1'), addr(4, '10.2.0.1')]);
  assert.deepEqual(events, [
    { type: 'address', added: false, ifindex: 3, ifname: 'eth1', family: 'inet', address: '10.1.0.1', prefixLen: 24 },
    { type: 'link', index: 3, name: 'eth1', up: false, running: false, removed: true },
    { type: 'link', index: 2, name: 'eth0', up: true, running: false, removed: false },
    { type: 'link', index: 4, name: 'eth2', up: true, running: true, removed: false },
    { type: 'address', added: true, ifindex: 2, ifname: 'eth0', family: 'inet', address: '10.0.0.9', prefixLen: 24 },
    { type: 'address', added: true, ifindex: 4, ifname: 'eth2', family: 'inet', address: '10.2.0.1', prefixLen: 24 },
  ]);
  assert.deepEqual(
    v.addressesOf('eth0').map((a) => a.address),
    ['10.0.0.1', '10.0.0.2', '10.0.0.9'],
  );
  assert.deepEqual(v.replaceAll(v.links(), v.addresses()), [], 'the same state again: nothing');
});

test('property: old state + emitted events = new state, for any two snapshots', () => {
  const linkArb = fc.record({ index: fc.integer({ min: 1, max: 6 }), name: fc.constantFrom('a', 'b', 'c', 'd'), up: fc.boolean(), running: fc.boolean() });
  const snapshot = fc
    .tuple(fc.uniqueArray(linkArb, { selector: (l) => l.index, maxLength: 5 }), fc.array(fc.record({ i: fc.nat(10), host: fc.integer({ min: 1, max: 5 }) }), { maxLength: 8 }))
    .map(([ls, as]) => {
      const links = ls.filter((l, i) => ls.findIndex((o) => o.name === l.name) === i).map((l) => link(l.index, l.name, l.up, l.running));
      const addrs = links.length === 0 ? [] : as.map((a) => addr(links[a.i % links.length]!.index, `10.0.0.${a.host}`));
      const unique = addrs.filter((a, i) => addrs.findIndex((o) => o.ifindex === a.ifindex && o.address === a.address) === i);
      return { links, addrs: unique };
    });
  fc.assert(
    fc.property(snapshot, snapshot, (before, after) => {
      const v = new LinkAddressView();
      v.replaceAll(before.links, before.addrs);
      const state = stateOf(before.links, before.addrs);
      const events = v.replaceAll(after.links, after.addrs);
      replay(state, events);
      assert.deepEqual(state, stateOf(after.links, after.addrs));
      for (const e of events)
        if (e.type === 'address' && e.added) assert.equal(e.ifname, after.links.find((l) => l.index === e.ifindex)!.name, 'an added address names its link as it is now');
    }),
    { numRuns: 500 },
  );
});

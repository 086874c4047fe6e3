/**
 * The frames of VIP conflict detection: the ARP probe and the duplicate address detection NS
 * byte for byte against hand-assembled frames (ICMPv6 checksum computed independently), checked
 * by tshark when it is installed; and the parser that reads other hosts' claims, on frames of
 * every kind it meets (including keepalived's own GARP / NA frames) and on junk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { garpFrame, unsolicitedNa } from '../../../src/platform/linux/neighbour-frames.js';
import { arpProbeFrame, dadNeighbourSolicitation, parseNeighbourFrame, solicitedNode } from '../../../src/platform/linux/neighbour-probe-frames.js';
import { ND_ONLY_FILTER } from '../../../src/platform/linux/neighbour-watch.js';
import { internetChecksumRange, ipv6PseudoHeader, onesComplementSum } from '../../../src/vrrp/checksum.js';
import { addressToBytes } from '../../../src/vrrp/packet.js';
import { haveCommand, tsharkFields } from './link-namespaces.js';

const hex = (s: string) => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const MAC = '02:00:00:00:00:01';
const OTHER = '52:54:00:12:34:56';

test('ARP probe: broadcast request from our MAC, sender IP 0.0.0.0, target MAC zero, target IP the VIP', () => {
  const f = arpProbeFrame(MAC, '10.9.9.1');
  assert.deepEqual(
    Buffer.from(f),
    hex(
      'ffffffffffff 020000000001 0806' + // Ethernet: broadcast, our MAC, ARP
        '0001 0800 06 04 0001' + // Ethernet/IPv4, request
        '020000000001 00000000' + // sender: our MAC, 0.0.0.0 (RFC 5227 §2.1.1)
        '000000000000 0a090901', // target: zero MAC, the VIP
    ),
  );
  assert.equal(f.length, 42);
  assert.deepEqual(arpProbeFrame(Uint8Array.of(2, 0, 0, 0, 0, 1), Uint8Array.of(10, 9, 9, 1)), f);
  assert.throws(() => arpProbeFrame('02:00', '10.9.9.1'), RangeError);
  assert.throws(() => arpProbeFrame(MAC, 'fd00::1'), RangeError);
});

test('DAD NS: from :: to the solicited-node group, hop limit 255, target the VIP, no options', () => {
  const f = dadNeighbourSolicitation(MAC, 'fd00::100');
  assert.deepEqual(
    Buffer.from(f),
    hex(
      '3333ff000100 020000000001 86dd' + // Ethernet: 33:33:ff + low 24 bits of the target
        '60000000 0018 3a ff' + // IPv6: payload 24, ICMPv6, hop limit 255
        '00000000000000000000000000000000' + // source ::
        'ff0200000000000000000001ff000100' + // ff02::1:ff00:100
        '87 00 7ba7 00000000' + // type 135, code 0, checksum, reserved
        'fd000000000000000000000000000100', // target
    ),
  );
  assert.equal(f.length, 78);
  const { group, mac } = solicitedNode(addressToBytes('inet6', '2001:db8::abcd:ef12'));
  assert.equal(Buffer.from(group).toString('hex'), 'ff0200000000000000000001ffcdef12');
  assert.equal(Buffer.from(mac).toString('hex'), '3333ffcdef12');
});

/** A classic pcap file of Ethernet frames, for tshark. */
function writePcap(file: string, frames: readonly Uint8Array[]): void {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const parts = [head];
  for (const f of frames) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, Buffer.from(f));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

test('tshark decodes the probes as an ARP probe and a neighbour solicitation with a good checksum', { skip: haveCommand('tshark') ? false : 'needs tshark' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-probe-frames-'));
  try {
    const file = path.join(dir, 'probes.pcap');
    writePcap(file, [arpProbeFrame(MAC, '10.9.9.1'), dadNeighbourSolicitation(MAC, 'fd00::100')]);
    const rows = tsharkFields(file, ['arp.isprobe', 'arp.dst.proto_ipv4', 'icmpv6.type', 'icmpv6.checksum.status', 'icmpv6.nd.ns.target_address']);
    assert.deepEqual(rows, [
      ['1', '10.9.9.1', '', '', ''],
      ['', '', '135', '1', 'fd00::100'],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** An ARP packet from OTHER: op, sender IP, target IP. */
function arp(op: 1 | 2, sender: string, target: string): Uint8Array {
  return hex(
    `ffffffffffff ${OTHER.replace(/:/g, '')} 0806 0001 0800 06 04 000${op}` +
      `${OTHER.replace(/:/g, '')} ${Buffer.from(addressToBytes('inet', sender)).toString('hex')}` +
      `000000000000 ${Buffer.from(addressToBytes('inet', target)).toString('hex')}`,
  );
}

/** An NS / NA from OTHER with correct checksum. */
function nd(type: 135 | 136, src: string, dst: string, target: string, option?: { type: number; mac: string }, hopLimit = 255): Uint8Array {
  const opt = option ? Buffer.concat([Buffer.of(option.type, 1), hex(option.mac.replace(/:/g, ''))]) : Buffer.alloc(0);
  const icmp = Buffer.concat([Buffer.of(type, 0, 0, 0, type === 136 ? 0x60 : 0, 0, 0, 0), Buffer.from(addressToBytes('inet6', target)), opt]);
  const s = addressToBytes('inet6', src);
  const d = addressToBytes('inet6', dst);
  icmp.writeUInt16BE(internetChecksumRange(icmp, 0, icmp.length, onesComplementSum(ipv6PseudoHeader(s, d, 58, icmp.length))), 2);
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(icmp.length, 4);
  ip[6] = 58;
  ip[7] = hopLimit;
  ip.set(s, 8);
  ip.set(d, 24);
  return Buffer.concat([hex(`333300000001 ${OTHER.replace(/:/g, '')} 86dd`), ip, icmp]);
}

test('parser: what claims an address and what does not', () => {
  const claim = (f: Uint8Array) => {
    const r = parseNeighbourFrame(f);
    return r.kind === 'claim' ? r.claim : r.kind;
  };
  // keepalived's own GARP and NA frames (what a plain keepalived sends at takeover)
  assert.deepEqual(claim(garpFrame(OTHER, '10.9.9.1')), { family: 'inet', address: '10.9.9.1', mac: OTHER, how: 'gratuitous-arp' });
  assert.deepEqual(claim(unsolicitedNa(OTHER, 'fd00::100', true)), { family: 'inet6', address: 'fd00::100', mac: OTHER, how: 'neighbour-advert' });
  // the answer a Linux holder gives our probe, and ordinary requests from the address
  assert.deepEqual(claim(arp(2, '10.9.9.1', '0.0.0.0')), { family: 'inet', address: '10.9.9.1', mac: OTHER, how: 'arp-reply' });
  assert.deepEqual(claim(arp(1, '10.9.9.1', '10.9.9.7')), { family: 'inet', address: '10.9.9.1', mac: OTHER, how: 'arp-request' });
  // an NA answering a DAD probe: to all nodes, with or without the target link-layer option
  const viaOption = nd(136, 'fe80::5054:ff:fe12:3456', 'ff02::1', 'fd00::100', { type: 2, mac: '52:54:00:aa:bb:cc' });
  assert.deepEqual(claim(viaOption), { family: 'inet6', address: 'fd00::100', mac: '52:54:00:aa:bb:cc', how: 'neighbour-advert' });
  assert.deepEqual(claim(nd(136, 'fd00::100', 'ff02::1', 'fd00::100')), { family: 'inet6', address: 'fd00::100', mac: OTHER, how: 'neighbour-advert' });
  // an NS from a unicast source: the sender uses (holds) that source
  assert.deepEqual(claim(nd(135, 'fd00::100', 'ff02::1:ff00:7', 'fd00::7', { type: 1, mac: OTHER })), {
    family: 'inet6',
    address: 'fd00::100',
    mac: OTHER,
    how: 'neighbour-solicitation',
  });

  // probes claim nothing: ours, anybody's ARP probe, anybody's DAD NS
  assert.equal(claim(arpProbeFrame(OTHER, '10.9.9.1')), 'other');
  assert.equal(claim(dadNeighbourSolicitation(OTHER, 'fd00::100')), 'other');
  // off-link ND (hop limit not 255) and other traffic
  assert.equal(claim(nd(136, 'fd00::100', 'ff02::1', 'fd00::100', undefined, 64)), 'other');
  assert.equal(claim(hex('ffffffffffff 020000000001 0800 4500')), 'other');

  // junk
  const bad = Buffer.from(nd(136, 'fd00::100', 'ff02::1', 'fd00::100'));
  bad[bad.length - 1]! ^= 0xff;
  assert.deepEqual(parseNeighbourFrame(bad), { kind: 'malformed', reason: 'bad ICMPv6 checksum' });
  assert.equal(parseNeighbourFrame(arp(2, '10.9.9.1', '0.0.0.0').subarray(0, 30)).kind, 'malformed');
  assert.equal(parseNeighbourFrame(Uint8Array.of(1, 2, 3)).kind, 'malformed');
  const shortNa = Buffer.from(nd(136, 'fd00::100', 'ff02::1', 'fd00::100'));
  shortNa.writeUInt16BE(200, 14 + 4); // payload length beyond the frame
  assert.equal(parseNeighbourFrame(shortNa).kind, 'malformed');
});

test('parser: random bytes and mutated frames never throw', () => {
  const seeds = [garpFrame(OTHER, '10.9.9.1'), unsolicitedNa(OTHER, 'fd00::100', false), arp(2, '10.9.9.1', '0.0.0.0'), nd(135, 'fd00::100', 'ff02::1', 'fd00::7', { type: 1, mac: OTHER })];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      parseNeighbourFrame(b);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (k, flips, cut) => {
      const f = Uint8Array.from(seeds[k]!);
      for (const [at, v] of flips) f[at % f.length] = v;
      parseNeighbourFrame(f.subarray(0, f.length - (cut % 8)));
    }),
    { numRuns: 2000 },
  );
});

test('the IPv6 socket filter lets only ICMPv6 NS/NA through (classic BPF, run here by hand)', () => {
  // a minimal interpreter of the instructions the filter uses: ld b abs, jeq k, ret k
  const run = (frame: Uint8Array): number => {
    let a = 0;
    for (let pc = 0; pc < ND_ONLY_FILTER.length; ) {
      const i = ND_ONLY_FILTER[pc]!;
      if (i.code === 0x30) {
        if (i.k >= frame.length) return 0;
        a = frame[i.k]!;
        pc++;
      } else if (i.code === 0x15) pc += 1 + (a === i.k ? i.jt : i.jf);
      else if (i.code === 0x06) return i.k;
      else throw new Error(`unexpected instruction ${i.code}`);
    }
    throw new Error('fell off the end');
  };
  assert.ok(run(unsolicitedNa(OTHER, 'fd00::100', false)) > 0);
  assert.ok(run(dadNeighbourSolicitation(OTHER, 'fd00::100')) > 0);
  const echo = Buffer.from(unsolicitedNa(OTHER, 'fd00::100', false));
  echo[54] = 128; // ICMPv6 echo request
  assert.equal(run(echo), 0);
  const udp = Buffer.from(unsolicitedNa(OTHER, 'fd00::100', false));
  udp[20] = 17;
  assert.equal(run(udp), 0);
});

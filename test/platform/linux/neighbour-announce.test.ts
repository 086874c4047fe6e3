/**
 * GratuitousAnnouncer on a real link: a client namespace whose neighbour cache holds a wrong
 * MAC for two VIPs must point them at the announcer's MAC after one GARP / one unsolicited NA;
 * the frames captured at the client equal the pure builders' bytes (Router flag once forwarding
 * is on). Interfaces that cannot carry them are skipped, not failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceSkipReason, TestNamespace } from '../../integration/netns.js';
import { garpFrame, unsolicitedNa } from '../../../src/platform/linux/neighbour-frames.js';
import { GratuitousAnnouncer } from '../../../src/platform/linux/neighbour-announce.js';
import { NetnsAgent } from './netns-agent-client.js';
import { Capture, haveCommand, linkNamespaces, readPcapFrames } from './link-namespaces.js';

const skip = namespaceSkipReason() ?? (haveCommand('tcpdump') ? undefined : 'needs tcpdump');

const SENDER_MAC = '02:00:00:00:0c:01';
const WRONG_MAC = '02:00:00:00:00:99';
const VIP4 = '10.79.0.100';
const VIP6 = 'fd79::100';
const VIP6_ROUTER = 'fd79::101';

function neighbours(ns: TestNamespace): Map<string, string | undefined> {
  const r = spawnSync('ip', ['-n', ns.name, '-j', 'neigh', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
  const entries = JSON.parse(r.stdout || '[]') as { dst: string; lladdr?: string }[];
  return new Map(entries.map((e) => [e.dst, e.lladdr]));
}

test('GratuitousAnnouncer: GARP and unsolicited NA move the client’s neighbour entries to us', { skip, timeout: 60_000 }, async (t) => {
  const nsS = TestNamespace.create();
  const nsC = TestNamespace.create();
  const dir = mkdtempSync(join(tmpdir(), 'kts-announce-'));
  let agent: NetnsAgent | undefined;
  let capture: Capture | undefined;
  try {
    await linkNamespaces(
      { ns: nsS, ifname: 'eth0', mac: SENDER_MAC, addresses: ['10.79.0.1/24'] },
      { ns: nsC, ifname: 'eth0', mac: '02:00:00:00:0c:02', addresses: ['10.79.0.3/24'] },
    );
    for (const vip of [VIP4, VIP6, VIP6_ROUTER]) nsC.ip(['neigh', 'add', vip, 'lladdr', WRONG_MAC, 'dev', 'eth0', 'nud', 'stale']);
    assert.equal(neighbours(nsC).get(VIP4), WRONG_MAC);
    const pcap = join(dir, 'client.pcap');
    capture = await Capture.start(nsC, 'eth0', pcap, 'arp or icmp6');
    agent = NetnsAgent.start(nsS.name);

    await t.test('one announcement each updates the cache', async () => {
      assert.deepEqual(await agent!.announce('eth0', VIP4), { sent: true, counters: { sent: 1, sendErrors: 0, skipped: 0 } });
      assert.equal((await agent!.announce('eth0', VIP6)).sent, true);
      spawnSync('ip', ['netns', 'exec', nsS.name, 'sysctl', '-qw', 'net.ipv6.conf.eth0.forwarding=1']);
      assert.equal((await agent!.announce('eth0', VIP6_ROUTER)).sent, true);
      let seen = new Map<string, string | undefined>();
      for (let i = 0; i < 100; i++) {
        seen = neighbours(nsC);
        if ([VIP4, VIP6, VIP6_ROUTER].every((v) => seen.get(v) === SENDER_MAC)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual([VIP4, VIP6, VIP6_ROUTER].map((v) => seen.get(v)), [SENDER_MAC, SENDER_MAC, SENDER_MAC]);
    });

    await t.test('the frames on the wire are the builders’ bytes', async () => {
      await capture!.stop();
      const frames = readPcapFrames(readFileSync(pcap)).map((f) => Buffer.from(f).toString('hex'));
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      for (const [what, expected] of [
        ['GARP', garpFrame(SENDER_MAC, VIP4)],
        ['NA', unsolicitedNa(SENDER_MAC, VIP6, false)],
        ['NA with the Router flag', unsolicitedNa(SENDER_MAC, VIP6_ROUTER, true)],
      ] as const) {
        assert.ok(frames.includes(hex(expected)), `${what}: expected ${hex(expected)} among\n${frames.join('\n')}`);
      }
    });

    await t.test('interfaces and input that cannot be announced on are skipped, not thrown', async () => {
      const lo = await agent!.announce('lo', VIP4);
      assert.equal(lo.sent, false);
      assert.match(lo.error ?? '', /not an Ethernet interface/);
      const missing = await agent!.announce('nosuch0', VIP4);
      assert.equal(missing.sent, false);
      assert.match(missing.error ?? '', /nosuch0/);
      assert.equal((await agent!.announce('eth0', 'not-an-ip')).sent, false);
      nsS.ip(['link', 'add', 'down0', 'type', 'veth', 'peer', 'name', 'down1']);
      const down = await agent!.announce('down0', VIP4);
      assert.equal(down.sent, false);
      assert.match(down.error ?? '', /ENETDOWN/);
      assert.equal((await agent!.announce('../eth0', VIP4)).sent, false);
    });
  } finally {
    await capture?.stop();
    await agent?.stop();
    nsS.destroy();
    nsC.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('interface facts are read once per burst of announcements, again after their time to live', () => {
  let reads = 0;
  const facts = () => {
    reads++;
    return { ifindex: 1, mac: new Uint8Array(6), type: 772, flags: 0, ipv6Forwarding: false };
  };
  const a = new GratuitousAnnouncer({ interfaceFacts: facts, factsTtlMs: 60_000 });
  for (let i = 0; i < 5; i++) a.announce('lo', '10.0.0.1');
  assert.equal(reads, 1);
  const b = new GratuitousAnnouncer({ interfaceFacts: facts, factsTtlMs: 0 });
  for (let i = 0; i < 3; i++) b.announce('lo', '10.0.0.1');
  assert.equal(reads, 4);
  a.close();
  b.close();
});

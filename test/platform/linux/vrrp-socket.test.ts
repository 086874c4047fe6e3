/**
 * VrrpSocket on a real link: two namespaces joined by a veth pair, an agent process in each.
 * Adverts encoded by src/vrrp/wire.ts are sent from A and must arrive at B byte for byte, with
 * TTL/hop limit 255, and pass keepalived's receive checks (receiveAdvert → 'advert'); tshark,
 * reading a tcpdump capture taken in B, must find every VRRP checksum good (and the one
 * deliberately broken packet bad, which shows the check is real).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceSkipReason, TestNamespace } from '../../integration/netns.js';
import { encodeAdvert, peekVrid, receiveAdvert, WireState, type WireConfig } from '../../../src/vrrp/wire.js';
import { authDataFromPassword } from '../../../src/vrrp/auth.js';
import { NetnsAgent, type AgentPacket } from './netns-agent-client.js';
import { VrrpSocket } from '../../../src/platform/linux/vrrp-socket.js';
import { nativeUnavailableReason } from '../../../src/platform/linux/libc.js';
import { Capture, haveCommand, linkNamespaces, tsharkFields } from './link-namespaces.js';

const skip = namespaceSkipReason() ?? (haveCommand('tcpdump') && haveCommand('tshark') ? undefined : 'needs tcpdump and tshark');

function wire(over: Partial<WireConfig>): WireConfig {
  return {
    name: 'VI',
    family: 'inet',
    version: 3,
    vrid: 1,
    advertInt: 1_000_000,
    vips: [],
    unicastPeers: [],
    authType: 'none',
    mcastGroup: '224.0.0.18',
    unicastTtl: 255,
    checkUnicastSrc: false,
    skipCheckAdvAddr: false,
    oldUnicastChecksum: false,
    interface: 'eth0',
    ...over,
  };
}

test('VrrpSocket.open on a missing interface throws, naming the interface and family', { skip: nativeUnavailableReason() }, () => {
  assert.throws(() => VrrpSocket.open({ family: 'inet6', ifname: 'nosuch0' }), /cannot open VRRP inet6 socket \(protocol 112\) on nosuch0: if_nametoindex\(nosuch0\): ENODEV/);
});

test('a closed VrrpSocket refuses to send (false, counted) and to join (throws); close is idempotent', { skip: namespaceSkipReason() }, () => {
  // opened on lo and closed at once: no packet leaves
  const s = VrrpSocket.open({ family: 'inet', ifname: 'lo' });
  s.close();
  s.close();
  assert.equal(s.isClosed, true);
  assert.equal(s.send({ destination: '224.0.0.18', ttl: 255, payload: new Uint8Array(40) }), false);
  assert.equal(s.lastSendError?.code, 'EBADF');
  assert.equal(s.counters.sendErrors, 1);
  assert.throws(() => s.joinGroup('224.0.0.18'), /closed/);
});

const A4 = '10.77.0.1';
const B4 = '10.77.0.2';

test('VrrpSocket: adverts cross a veth pair intact and pass the receive checks', { skip, timeout: 60_000 }, async (t) => {
  const nsA = TestNamespace.create();
  const nsB = TestNamespace.create();
  const dir = mkdtempSync(join(tmpdir(), 'kts-vrrp-socket-'));
  const agents: NetnsAgent[] = [];
  let capture: Capture | undefined;
  try {
    const ll = await linkNamespaces(
      { ns: nsA, ifname: 'eth0', mac: '02:00:00:00:0a:01', addresses: [`${A4}/24`] },
      { ns: nsB, ifname: 'eth0', mac: '02:00:00:00:0a:02', addresses: [`${B4}/24`] },
    );
    const a = NetnsAgent.start(nsA.name);
    const b = NetnsAgent.start(nsB.name);
    agents.push(a, b);
    await a.open('v4', { family: 'inet', ifname: 'eth0' });
    await a.open('v6', { family: 'inet6', ifname: 'eth0' });
    await a.open('ah', { family: 'inet', ifname: 'eth0', protocol: 51 });
    await b.open('v4', { family: 'inet', ifname: 'eth0' });
    await b.open('v4group', { family: 'inet', ifname: 'eth0', bindAddress: '224.0.0.18' });
    await b.open('v6', { family: 'inet6', ifname: 'eth0' });
    await b.open('v6group', { family: 'inet6', ifname: 'eth0', bindAddress: 'ff02::12' });
    await b.open('ah', { family: 'inet', ifname: 'eth0', protocol: 51 });
    assert.deepEqual(await b.join('v4', '224.0.0.18'), ['224.0.0.18']);
    assert.deepEqual(await b.join('v4', '224.0.0.18'), ['224.0.0.18'], 'joining twice is a no-op');
    await b.join('v4group', '224.0.0.18');
    await b.join('v6', 'ff02::12');
    await b.join('v6group', 'ff02::12');
    await b.join('ah', '224.0.0.18');

    const pcap = join(dir, 'b.pcap');
    capture = await Capture.start(nsB, 'eth0', pcap, 'ip proto 112 or ip proto 51 or ip6 proto 112');

    /** Sends `w`'s advert from A and returns what B's socket `sock` read for that VRID. */
    const roundTrip = async (sock: string, w: WireConfig, source: string, peerSock = sock): Promise<{ got: AgentPacket; sent: Uint8Array }> => {
      const [frame] = encodeAdvert(w, new WireState(), 200, source);
      assert.ok(frame);
      const r = await a.send(peerSock, { ...frame, ...(w.family === 'inet6' ? { source } : {}) });
      assert.equal(r.sent, true, JSON.stringify(r.error));
      const got = await b.waitForPacket((p) => p.socket === sock && peekVrid(w.family, p.payload) === w.vrid, 5000, `vrid ${w.vrid} on ${sock}`);
      return { got, sent: frame.payload };
    };
    const accept = (w: WireConfig, got: AgentPacket) => {
      const r = receiveAdvert(w, new WireState(), got, false);
      assert.equal(r.kind, 'advert', JSON.stringify(r));
      if (r.kind === 'advert') assert.equal(r.advert.priority, 200);
    };

    await t.test('VRRPv2 + PASS, IPv4 multicast', async () => {
      const w = wire({ version: 2, vrid: 51, authType: 'PASS', authData: authDataFromPassword('secret12'), vips: ['10.77.0.51'] });
      const { got, sent } = await roundTrip('v4', w, A4);
      assert.deepEqual(Buffer.from(got.payload), Buffer.from(sent), 'the IP packet arrives exactly as encoded');
      assert.equal(got.ttl, 255);
      assert.equal(got.source, A4);
      assert.equal(got.destination, '224.0.0.18');
      accept(w, got);
    });

    await t.test('VRRPv3, IPv4 multicast; a socket bound to the group sees it too', async () => {
      const w = wire({ vrid: 52, vips: ['10.77.0.52', '10.77.0.53'] });
      const { got, sent } = await roundTrip('v4', w, A4);
      assert.deepEqual(Buffer.from(got.payload), Buffer.from(sent));
      assert.equal(got.ttl, 255);
      accept(w, got);
      await b.waitForPacket((p) => p.socket === 'v4group' && peekVrid('inet', p.payload) === 52);
    });

    await t.test('VRRPv3, IPv4 unicast (not seen by the group-bound socket)', async () => {
      const sender = wire({ vrid: 54, vips: ['10.77.0.54'], unicastPeers: [{ address: B4, minTtl: 0, maxTtl: 255 }] });
      const receiver = wire({ vrid: 54, vips: ['10.77.0.54'], unicastPeers: [{ address: A4, minTtl: 0, maxTtl: 255 }] });
      const { got, sent } = await roundTrip('v4', sender, A4);
      assert.deepEqual(Buffer.from(got.payload), Buffer.from(sent));
      assert.equal(got.destination, B4);
      assert.equal(got.ttl, 255);
      accept(receiver, got);
      // sent after the unicast one: once the group socket has it, it would have had the unicast one before
      await roundTrip('v4group', wire({ vrid: 55 }), A4, 'v4');
      assert.equal(b.packets.filter((p) => p.socket === 'v4group' && peekVrid('inet', p.payload) === 54).length, 0);
    });

    await t.test('VRRPv3, IPv6 multicast from the link-local source', async () => {
      const w = wire({ family: 'inet6', vrid: 53, mcastGroup: 'ff02::12', vips: ['fd77::53'] });
      const { got, sent } = await roundTrip('v6', w, ll.a);
      assert.deepEqual(Buffer.from(got.payload), Buffer.from(sent), 'the kernel checksum equals the encoder one');
      assert.equal(got.source, ll.a);
      assert.equal(got.destination, 'ff02::12');
      assert.equal(got.ttl, 255);
      accept(w, got);
    });

    await t.test('VRRPv3, IPv6 unicast to the peer link-local (not seen by the group-bound socket)', async () => {
      const sender = wire({ family: 'inet6', vrid: 56, mcastGroup: 'ff02::12', vips: ['fd77::56'], unicastPeers: [{ address: ll.b, minTtl: 0, maxTtl: 255 }] });
      const receiver = wire({ family: 'inet6', vrid: 56, mcastGroup: 'ff02::12', vips: ['fd77::56'], unicastPeers: [{ address: ll.a, minTtl: 0, maxTtl: 255 }] });
      const { got } = await roundTrip('v6', sender, ll.a);
      assert.equal(got.destination, ll.b);
      assert.equal(got.source, ll.a);
      assert.equal(got.ttl, 255);
      accept(receiver, got);
      // the group-bound socket: the multicast advert sent after the unicast one arrives, the unicast one did not
      await roundTrip('v6group', wire({ family: 'inet6', vrid: 60, mcastGroup: 'ff02::12' }), ll.a, 'v6');
      assert.ok(b.packets.some((p) => p.socket === 'v6group' && peekVrid('inet6', p.payload) === 53));
      assert.equal(b.packets.filter((p) => p.socket === 'v6group' && peekVrid('inet6', p.payload) === 56).length, 0);
    });

    await t.test('VRRPv2 + AH (IP protocol 51)', async () => {
      const w = wire({ version: 2, vrid: 57, authType: 'AH', authData: authDataFromPassword('ahsecret'), vips: ['10.77.0.57'] });
      const { got, sent } = await roundTrip('ah', w, A4);
      assert.deepEqual(Buffer.from(got.payload), Buffer.from(sent));
      assert.equal(got.payload[9], 51);
      accept(w, got);
    });

    await t.test('a send that cannot go out returns false and is counted, not thrown', async () => {
      // an IPv6 source that is not (yet) an address of ours
      const w6 = wire({ family: 'inet6', vrid: 58, mcastGroup: 'ff02::12', vips: ['fd77::58'] });
      const [f6] = encodeAdvert(w6, new WireState(), 100, 'fd77::99');
      const r6 = await a.send('v6', { ...f6!, source: 'fd77::99' });
      assert.equal(r6.sent, false);
      assert.equal(r6.error?.code, 'EINVAL');
      // a link that is down
      nsA.ip(['link', 'add', 'down0', 'type', 'veth', 'peer', 'name', 'down1']);
      await a.open('down', { family: 'inet', ifname: 'down0' });
      const [f4] = encodeAdvert(wire({ vrid: 58 }), new WireState(), 100, A4);
      const r4 = await a.send('down', f4!);
      assert.equal(r4.sent, false);
      assert.equal(r4.error?.code, 'ENETUNREACH'); // what keepalived expects of a down interface too
      // text that is not an address
      const bad = await a.send('v4', { destination: 'not-an-address', ttl: 255, payload: f4!.payload });
      assert.equal(bad.sent, false);
      assert.deepEqual([(await a.counters('v6'))['sendErrors'], (await a.counters('down'))['sendErrors'], (await a.counters('v4'))['sendErrors']], [1, 1, 1]);
    });

    await t.test('tshark: every VRRP checksum good, TTL 255; a corrupted one is reported bad', async () => {
      const w = wire({ vrid: 59, vips: ['10.77.0.59'] });
      const [frame] = encodeAdvert(w, new WireState(), 200, A4);
      const broken = Uint8Array.from(frame!.payload);
      broken[20 + 6]! ^= 0xff; // VRRP checksum
      assert.equal((await a.send('v4', { ...frame!, payload: broken })).sent, true);
      await b.waitForPacket((p) => p.socket === 'v4' && peekVrid('inet', p.payload) === 59);
      await capture!.stop();
      const rows = tsharkFields(pcap, ['vrrp.virt_rtr_id', 'vrrp.checksum.status', 'ip.ttl', 'ipv6.hlim', 'ip.checksum.status'], ['-o', 'ip.check_checksum:TRUE']);
      const byVrid = new Map(rows.map((r) => [Number(r[0]), r]));
      assert.deepEqual([...byVrid.keys()].sort((x, y) => x - y), [51, 52, 53, 54, 55, 56, 57, 59, 60]);
      for (const [vrid, [, status, ttl, hlim, ipStatus]] of byVrid) {
        assert.equal(status, vrid === 59 ? '0' : '1', `vrid ${vrid}: checksum status (1 = good, 0 = bad)`);
        assert.equal(ttl || hlim, '255', `vrid ${vrid}: TTL / hop limit`);
        if (ttl) assert.equal(ipStatus, '1', `vrid ${vrid}: IPv4 header checksum`);
      }
      const r = receiveAdvert(w, new WireState(), b.packets.find((p) => peekVrid('inet', p.payload) === 59)!, false);
      assert.equal(r.kind, 'rejected');
    });

    const counters = await b.counters('v4');
    assert.equal(counters['received'], b.packets.filter((p) => p.socket === 'v4').length);
    assert.equal(counters['truncated'], 0);
  } finally {
    await capture?.stop();
    for (const agent of agents) await agent.stop();
    nsA.destroy();
    nsB.destroy();
    if (!process.env['KTS_KEEP']) rmSync(dir, { recursive: true, force: true }); else console.log(dir);
  }
});

/**
 * Real keepalived 2.2.7 as the peer of VrrpSocket + src/vrrp/wire.ts: three MASTER instances
 * (VRRPv2 + PASS, VRRPv3 IPv4, VRRPv3 IPv6) at priority 100 in one namespace; from the other
 * namespace we read their adverts (receiveAdvert must accept them) and send ours at priority 200,
 * which keepalived must accept: it logs "Master received advert … with higher priority 200" and
 * "Entering BACKUP STATE" for each instance. The gratuitous ARP and unsolicited NA keepalived sends
 * on becoming MASTER are captured and must equal, byte for byte, what neighbour-frames.ts builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceSkipReason, TestNamespace } from '../../integration/netns.js';
import { encodeAdvert, peekVrid, receiveAdvert, WireState, type WireConfig } from '../../../src/vrrp/wire.js';
import { authDataFromPassword } from '../../../src/vrrp/auth.js';
import { garpFrame, unsolicitedNa } from '../../../src/platform/linux/neighbour-frames.js';
import { NetnsAgent } from './netns-agent-client.js';
import { Capture, haveCommand, linkNamespaces, readPcapFrames, tsharkFields } from './link-namespaces.js';

const KEEPALIVED = '/usr/sbin/keepalived';
const skip =
  namespaceSkipReason() ??
  (haveCommand(KEEPALIVED) ? undefined : `needs keepalived 2.2.7 at ${KEEPALIVED}`) ??
  (haveCommand('tcpdump') && haveCommand('tshark') ? undefined : 'needs tcpdump and tshark');

const OURS = '10.78.0.1';
const KA = '10.78.0.2';
const KA_MAC = '02:00:00:00:0b:02';

const CONFIG = `
global_defs {
  router_id kts_interop
}
vrrp_instance V2 {
  state MASTER
  interface eth0
  virtual_router_id 61
  priority 100
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass 1111
  }
  virtual_ipaddress {
    10.78.0.61/24
  }
}
vrrp_instance V3v4 {
  version 3
  state MASTER
  interface eth0
  virtual_router_id 62
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.78.0.62/24
  }
}
vrrp_instance V3v6 {
  version 3
  state MASTER
  interface eth0
  virtual_router_id 63
  priority 100
  advert_int 1
  virtual_ipaddress {
    fd78::63/64
  }
}
`;

function wire(over: Partial<WireConfig>): WireConfig {
  return {
    name: 'peer',
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

test('keepalived 2.2.7 and VrrpSocket accept each other’s adverts', { skip, timeout: 60_000 }, async (t) => {
  const nsA = TestNamespace.create();
  const nsK = TestNamespace.create();
  const dir = mkdtempSync(join(tmpdir(), 'kts-interop-'));
  let agent: NetnsAgent | undefined;
  let capture: Capture | undefined;
  let ka: ReturnType<typeof spawn> | undefined;
  let kaExit: Promise<void> | undefined;
  let log = '';
  try {
    const ll = await linkNamespaces(
      { ns: nsA, ifname: 'eth0', mac: '02:00:00:00:0b:01', addresses: [`${OURS}/24`] },
      { ns: nsK, ifname: 'eth0', mac: KA_MAC, addresses: [`${KA}/24`] },
    );
    const pcap = join(dir, 'a.pcap');
    capture = await Capture.start(nsA, 'eth0', pcap, 'arp or icmp6 or ip proto 112 or ip6 proto 112');
    agent = NetnsAgent.start(nsA.name);
    await agent.open('v4', { family: 'inet', ifname: 'eth0' });
    await agent.open('v6', { family: 'inet6', ifname: 'eth0' });
    await agent.join('v4', '224.0.0.18');
    await agent.join('v6', 'ff02::12');

    const instances = [
      { name: 'V2', from: OURS, w: wire({ version: 2, vrid: 61, authType: 'PASS', authData: authDataFromPassword('1111'), vips: ['10.78.0.61'] }) },
      { name: 'V3v4', from: OURS, w: wire({ vrid: 62, vips: ['10.78.0.62'] }) },
      { name: 'V3v6', from: ll.a, w: wire({ family: 'inet6', vrid: 63, mcastGroup: 'ff02::12', vips: ['fd78::63'] }) },
    ];

    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, CONFIG);
    const args = ['-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid')];
    const child = spawn('ip', ['netns', 'exec', nsK.name, KEEPALIVED, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    ka = child;
    kaExit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));

    await t.test('keepalived’s adverts pass our receive checks', async () => {
      for (const { w } of instances) {
        const sock = w.family === 'inet' ? 'v4' : 'v6';
        const p = await agent!.waitForPacket((x) => x.socket === sock && peekVrid(w.family, x.payload) === w.vrid, 15_000, `keepalived advert vrid ${w.vrid}\n${log}`);
        assert.equal(p.ttl, 255);
        assert.equal(p.source, w.family === 'inet' ? KA : ll.b);
        const r = receiveAdvert(w, new WireState(), p, false);
        assert.equal(r.kind, 'advert', JSON.stringify(r));
        if (r.kind === 'advert') assert.equal(r.advert.priority, 100);
      }
    });

    await t.test('keepalived accepts our higher-priority adverts and becomes BACKUP', async () => {
      const states = new Map(instances.map((i) => [i.name, new WireState()]));
      const deadline = Date.now() + 15_000;
      const expected = instances.flatMap(({ name, from }) => [
        `(${name}) Master received advert from ${from} with higher priority 200, ours 100`,
        `(${name}) Entering BACKUP STATE`,
      ]);
      for (;;) {
        for (const { name, from, w } of instances) {
          for (const f of encodeAdvert(w, states.get(name)!, 200, from)) {
            const r = await agent!.send(w.family === 'inet' ? 'v4' : 'v6', { ...f, ...(w.family === 'inet6' ? { source: from } : {}) });
            assert.equal(r.sent, true, JSON.stringify(r.error));
          }
        }
        if (expected.every((line) => log.includes(line))) break;
        assert.ok(Date.now() < deadline, `keepalived did not log ${expected.filter((l) => !log.includes(l)).join(' | ')}\n${log}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.doesNotMatch(log, /invalid|bogus|checksum/i);
    });

    // stop keepalived (its priority-0 adverts are captured too), then the capture
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await kaExit;
    clearTimeout(killTimer);
    await capture.stop();

    await t.test('keepalived’s gratuitous ARP and unsolicited NA equal ours byte for byte', () => {
      const frames = readPcapFrames(readFileSync(pcap)).map((f) => Buffer.from(f).toString('hex'));
      const garp = Buffer.from(garpFrame(KA_MAC, '10.78.0.61')).toString('hex');
      const na = Buffer.from(unsolicitedNa(KA_MAC, 'fd78::63', false)).toString('hex');
      assert.ok(frames.includes(garp), `no captured frame equals our GARP ${garp}\n${frames.filter((f) => f.slice(24, 28) === '0806').join('\n')}`);
      assert.ok(frames.includes(na), `no captured frame equals our NA ${na}\n${frames.filter((f) => f.slice(24, 28) === '86dd').join('\n')}`);
    });

    await t.test('tshark: every VRRP packet on the link (both directions) has a good checksum', () => {
      const rows = tsharkFields(pcap, ['ip.src', 'ipv6.src', 'vrrp.virt_rtr_id', 'vrrp.checksum.status'], ['-Y', 'vrrp']);
      const senders = new Set(rows.map((r) => r[0] || r[1]));
      assert.deepEqual([...senders].sort(), [OURS, KA, ll.a, ll.b].sort());
      for (const r of rows) assert.equal(r[3], '1', `checksum status of ${r.join(' ')}`);
    });
  } finally {
    if (ka && ka.exitCode === null && ka.signalCode === null) {
      ka.kill('SIGTERM');
      const t2 = setTimeout(() => ka!.kill('SIGKILL'), 10_000);
      await kaExit;
      clearTimeout(t2);
    }
    // the VRRP child, should the parent have been killed before it could stop it
    try {
      const vrrpPid = Number(readFileSync(join(dir, 'vrrp.pid'), 'utf8'));
      if (vrrpPid > 1) process.kill(vrrpPid, 'SIGKILL');
    } catch {
      // already gone (keepalived removes its pidfiles on exit)
    }
    await capture?.stop();
    await agent?.stop();
    nsA.destroy();
    nsK.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

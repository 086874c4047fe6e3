/**
 * A keepalived-ts pair under a flood of bad VRRP packets (network namespaces, root). From the
 * client, for a few seconds, thousands of crafted IPv4 packets go to 224.0.0.18: garbage, bad
 * version and type, TTL 64, another VRID, wrong and higher-priority-but-wrong passwords, bad
 * auth types, bad checksums, truncations. Both daemons must keep running without a single state
 * transition, the VIP stays on the master, and each rejected packet lands in keepalived's counter
 * for its check (status API and the SIGUSR2 stats file agree) — exactly, when the kernel dropped
 * none of them on the way to the daemons' sockets.
 *
 * keepalived 2.2.7 itself does not pass this: its MASTER re-arms the advert timer on every packet
 * it reads for its VRID, valid or not, so such a flood silences it and the backup takes over every
 * master-down interval. keepalived-ts's MASTER ignores rejected packets (see vrrp-driver.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT, Lab, labSkipReason, pollFor, sleep, type KeepalivedProcess } from './lab.js';
import { configText, instanceBlock, startKts, type RunningDirector } from './daemon-lab.js';
import type { InjectionReport, InjectionSpec } from './lab-vrrp-injector.js';
import type { InstanceStatusStats } from '../../src/daemon/status.js';
import { authDataFromPassword } from '../../src/vrrp/auth.js';
import { writeIPv4Header, IPPROTO_VRRP, IPV4_HEADER_LEN } from '../../src/vrrp/ipv4-header.js';
import { encodeIPv4Advert, vrrpMessageLength, VRRP_MCAST_GROUP4, type IPv4AdvertSpec } from '../../src/vrrp/packet.js';

const skip = labSkipReason();
const INJECTOR = fileURLToPath(new URL('./lab-vrrp-injector.js', import.meta.url));

const VRID = 51;
const PASSWORD = 'goodpass';
const ROUNDS = 300;
const FLOOD_MS = 5000;

type Counter = keyof InstanceStatusStats;

/** A deterministic byte source (mulberry32), so a failing flood can be replayed. */
function bytesFrom(seed: number): (n: number) => Uint8Array {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
  return (n) => Uint8Array.from({ length: n }, next);
}

/** An IPv4 packet (protocol 112, TTL 255) around an arbitrary payload. */
function ipPacket(src: string, payload: Uint8Array, ttl = 255): Uint8Array {
  const buf = new Uint8Array(IPV4_HEADER_LEN + payload.length);
  writeIPv4Header(buf, 0, { totalLength: buf.length, id: 1, ttl, protocol: IPPROTO_VRRP, src: Uint8Array.from(src.split('.').map(Number)), dst: Uint8Array.of(224, 0, 0, 18) });
  buf.set(payload, IPV4_HEADER_LEN);
  return buf;
}

interface Frame {
  readonly kind: string;
  readonly bytes: Uint8Array;
  /** The counters one such packet adds at each receiving instance (none: dropped uncounted). */
  readonly counts: readonly Counter[];
}

/** The flood's frames, and what each does to keepalived's counters (vrrp_check_packet()'s order). */
function floodFrames(lab: Lab, vip: string): Frame[] {
  const src = lab.addr4(CLIENT);
  const good: IPv4AdvertSpec = {
    version: 2,
    family: 'inet',
    vrid: VRID,
    priority: 100,
    advertIntUs: 1_000_000,
    addresses: [vip],
    authType: 'PASS',
    authData: authDataFromPassword(PASSWORD),
    src,
    dst: VRRP_MCAST_GROUP4,
    ipId: 7,
  };
  const advert = (over: Partial<IPv4AdvertSpec>): Uint8Array => encodeIPv4Advert({ ...good, ...over } as IPv4AdvertSpec);
  const random = bytesFrom(0x6b7473);

  /* Garbage claiming our VRID, of a length its own header cannot have: a length error. */
  let ours: Uint8Array;
  do {
    ours = random(8 + (random(1)[0]! % 52));
    ours[1] = VRID;
  } while (ours.length === vrrpMessageLength(ours[0]! >> 4, 'inet', ours[3]!));
  const other = random(8 + (random(1)[0]! % 52));
  other[1] = VRID + 1 + (other[1]! % 200);

  const badSum = advert({});
  badSum[IPV4_HEADER_LEN + 6]! ^= 0x01;
  badSum[IPV4_HEADER_LEN + 7]! ^= 0x01;
  const badAuthType = advert({});
  badAuthType[IPV4_HEADER_LEN + 4] = 7;

  return [
    { kind: 'garbage, shorter than a VRRP header', bytes: ipPacket(src, random(5)), counts: [] },
    { kind: 'garbage, another VRID', bytes: ipPacket(src, other), counts: [] },
    { kind: 'garbage, our VRID', bytes: ipPacket(src, ours), counts: ['packetLengthErrors'] },
    { kind: 'VRRPv3 advert', bytes: advert({ version: 3 }), counts: ['versionErrors'] },
    { kind: 'type 2', bytes: advert({ type: 2 }), counts: ['invalidTypeReceived'] },
    { kind: 'TTL 64', bytes: advert({ ttl: 64 }), counts: ['ttlErrors'] },
    { kind: 'another VRID', bytes: advert({ vrid: VRID + 1 }), counts: [] },
    { kind: 'wrong password', bytes: advert({ authData: authDataFromPassword('badpass1') }), counts: ['authFailures'] },
    { kind: 'priority 254, wrong password', bytes: advert({ priority: 254, authData: authDataFromPassword('badpass2') }), counts: ['authFailures'] },
    { kind: 'no authentication', bytes: advert({ authType: 'none' }), counts: ['authTypeMismatch'] },
    { kind: 'auth type 7', bytes: badAuthType, counts: ['invalidAuthType'] },
    { kind: 'bad checksum', bytes: badSum, counts: ['checksumErrors'] },
    { kind: 'truncated in the auth data', bytes: advert({}).subarray(0, IPV4_HEADER_LEN + 12), counts: ['packetLengthErrors'] },
    { kind: 'truncated in the header', bytes: advert({}).subarray(0, IPV4_HEADER_LEN + 6), counts: [] },
    { kind: 'advert interval 3 s', bytes: advert({ advertIntUs: 3_000_000 }), counts: [] },
  ];
}

const ERROR_COUNTERS: readonly Counter[] = [
  'packetLengthErrors',
  'ttlErrors',
  'invalidTypeReceived',
  'advertIntervalErrors',
  'addressListErrors',
  'invalidAuthType',
  'authTypeMismatch',
  'authFailures',
  'checksumErrors',
  'versionErrors',
  'priorityZeroReceived',
];

async function statsOf(d: RunningDirector): Promise<InstanceStatusStats> {
  return (await d.status()).instances[0]!.stats;
}

function delta(after: InstanceStatusStats, before: InstanceStatusStats): Record<Counter, number> {
  return Object.fromEntries(ERROR_COUNTERS.concat(['advertsReceived', 'advertsSent']).map((c) => [c, after[c] - before[c]])) as Record<Counter, number>;
}

/**
 * Packets the kernel dropped at the node's raw sockets for protocol 112 (/proc/net/raw 'drops':
 * a full receive queue). Throws when there is no such socket, so a zero always means something.
 */
async function rawDrops(lab: Lab, node: string): Promise<number> {
  const r = await lab.exec(node, 'cat', ['/proc/net/raw']);
  const sockets = r.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 12 && f[1]!.endsWith(':0070'));
  if (sockets.length === 0) throw new Error(`${node}: no raw socket for protocol 112 in /proc/net/raw:\n${r.stdout}`);
  return sockets.reduce((sum, f) => sum + Number(f[f.length - 1]), 0);
}

/** The SIGUSR2 stats file's numbers, by section and line ("Packet Errors/TTL" …). */
function parseStatsFile(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const m = /^(\s+)([^:]+):\s*(\d+)?$/.exec(line);
    if (!m) continue;
    if (m[3] === undefined) section = m[2]!;
    else out[m[1]!.length > 2 ? `${section}/${m[2]}` : m[2]!] = Number(m[3]);
  }
  return out;
}

async function statsFile(d: RunningDirector, dir: string): Promise<Record<string, number>> {
  const file = path.join(dir, 'keepalived.stats');
  fs.rmSync(file, { force: true });
  process.kill(d.process.pid, 'SIGUSR2');
  const text = await pollFor(
    async () => {
      const t = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      return t.endsWith('\n') && t.includes('Priority Zero') ? t : undefined;
    },
    10_000,
    50,
    async () => `${d.node}: no stats file ${file} after SIGUSR2`,
  );
  return parseStatsFile(text);
}

function transitions(p: KeepalivedProcess, from: number): string[] {
  return p.lines.slice(from).filter((l) => /Entering \w+ STATE|child process\(\d+\) (exited|died)|internal error/.test(l));
}

test('a flood of bad VRRP packets: no transition, the VIP stays, every rejection counted', { skip }, async (t) => {
  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false });
  try {
    const vip = lab.v4(200);
    /* Each daemon writes its SIGUSR2 stats file in its own TMPDIR. */
    const dumpDir = (node: string): string => fs.mkdtempSync(path.join(lab.runDir, `${node}-dumps-`));
    const dirs = { d1: dumpDir('d1'), d2: dumpDir('d2') };
    const conf = (priority: number) => configText([instanceBlock({ vrid: VRID, priority, vips: [`${vip}/24`], authPass: PASSWORD })]);
    const d1 = startKts(lab, 'd1', conf(150), [], { env: { TMPDIR: dirs.d1 } });
    const d2 = startKts(lab, 'd2', conf(100), [], { env: { TMPDIR: dirs.d2 } });
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 20_000);
    await lab.waitForVip('d1', vip, true);
    await lab.waitForVip('d2', vip, false);
    const children = { d1: await d1.process.waitForVrrpChild(), d2: await d2.process.waitForVrrpChild() };

    const frames = floodFrames(lab, vip);
    const spec: InjectionSpec = {
      ifname: 'eth0',
      destination: VRRP_MCAST_GROUP4,
      frames: frames.map((f) => ({ kind: f.kind, hex: Buffer.from(f.bytes).toString('hex') })),
      rounds: ROUNDS,
      durationMs: FLOOD_MS,
    };
    const specFile = lab.writeFile('flood.json', JSON.stringify(spec));

    const before = { d1: await statsOf(d1), d2: await statsOf(d2) };
    const dropsBefore = { d1: await rawDrops(lab, 'd1'), d2: await rawDrops(lab, 'd2') };
    const marks = { d1: d1.process.lines.length, d2: d2.process.lines.length };

    const injector = lab.startProcess(CLIENT, [process.execPath, INJECTOR, '--inject', specFile], { label: 'client:injector' });
    /* While it runs, the VIP never leaves the master and both daemons answer status requests. */
    while (injector.running) {
      assert.equal(await lab.hasAddress('d1', vip), true, 'the master lost the VIP during the flood');
      assert.equal(await lab.hasAddress('d2', vip), false, 'the backup took the VIP during the flood');
      assert.deepEqual([(await d1.status()).instances[0]!.state, (await d2.status()).instances[0]!.state], ['MASTER', 'BACKUP']);
      await sleep(250);
    }
    const exit = await injector.waitExit(30_000);
    assert.equal(exit.code, 0, `injector: ${injector.tail()}`);
    const report = JSON.parse(injector.lines.find((l) => l.startsWith('{'))!) as InjectionReport;
    const total = Object.values(report.sent).reduce((a, b) => a + b, 0);
    assert.ok(total >= frames.length * ROUNDS * 0.9, `the kernel refused many frames: ${JSON.stringify(report.refused)}`);

    /* Let the daemons drain their sockets: the error counters stop moving. */
    for (const d of [d1, d2]) {
      let last = '';
      await pollFor(
        async () => {
          const s = await statsOf(d);
          const now = JSON.stringify(ERROR_COUNTERS.map((c) => s[c]));
          if (now === last) return true;
          last = now;
          return undefined;
        },
        20_000,
        500,
        async () => `${d.node}: error counters still moving after 20 s`,
      );
    }

    const expected = Object.fromEntries(ERROR_COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
    for (const f of frames) for (const c of f.counts) expected[c] += report.sent[f.kind]!;

    for (const [name, d] of [['d1', d1], ['d2', d2]] as const) {
      const got = delta((await d.status()).instances[0]!.stats, before[name]);
      t.diagnostic(`${name}: ${total} packets sent, ${(await rawDrops(lab, name)) - dropsBefore[name]} dropped by the kernel at its sockets; counter deltas ${JSON.stringify(got)}`);
      const other = d.process.lines.slice(marks[name]).filter((l) => !/invalid|mismatch|wrong version|too (short|long)|expecting|Invalid/.test(l));
      if (other.length > 0) t.diagnostic(`${name} logged during the flood (rejections left out):\n${other.join('\n')}`);
    }
    for (const [name, d] of [['d1', d1], ['d2', d2]] as const) {
      // ---- alive, same VRRP child, status answers, no transition
      assert.ok(d.process.running, `${name} exited: ${d.process.tail()}`);
      assert.equal(d.process.vrrpPid(), children[name], `${name}'s VRRP child was replaced`);
      assert.deepEqual(transitions(d.process, marks[name]), [], `${name} changed state during the flood`);
      const st = (await d.status()).instances[0]!;
      assert.equal(st.state, name === 'd1' ? 'MASTER' : 'BACKUP');
      assert.ok(!d.process.lines.some((l) => l.includes(PASSWORD) || l.includes('badpass')), `${name} logged a password`);

      // ---- counters
      const got = delta(st.stats, before[name]);
      const drops = (await rawDrops(lab, name)) - dropsBefore[name];
      if (drops === 0) {
        for (const c of ERROR_COUNTERS) assert.equal(got[c], expected[c], `${name} ${c}: ${got[c]}, expected ${expected[c]} (sent ${JSON.stringify(report.sent)})`);
      } else {
        for (const c of ERROR_COUNTERS) {
          if (expected[c] === 0) assert.equal(got[c], 0, `${name} ${c}`);
          else assert.ok(got[c] > 0 && got[c] <= expected[c], `${name} ${c}: ${got[c]}, expected 1..${expected[c]}`);
        }
      }
      /* The flood's "adverts" never count as received: only the backup counts the master's real ones. */
      if (name === 'd1') assert.equal(got.advertsReceived, 0, 'the master counted a flood packet as an advert');
      else assert.ok(got.advertsReceived > 0, 'the backup stopped receiving the master during the flood');

      // ---- the USR2 stats file says the same
      const file = await statsFile(d, dirs[name]);
      const now = (await d.status()).instances[0]!.stats;
      assert.deepEqual(
        {
          length: file['Packet Errors/Length'],
          ttl: file['Packet Errors/TTL'],
          type: file['Packet Errors/Invalid Type'],
          interval: file['Packet Errors/Advertisement Interval'],
          addresses: file['Packet Errors/Address List'],
          authType: file['Authentication Errors/Invalid Type'],
          authMismatch: file['Authentication Errors/Type Mismatch'],
          authFailure: file['Authentication Errors/Failure'],
        },
        {
          length: now.packetLengthErrors,
          ttl: now.ttlErrors,
          type: now.invalidTypeReceived,
          interval: now.advertIntervalErrors,
          addresses: now.addressListErrors,
          authType: now.invalidAuthType,
          authMismatch: now.authTypeMismatch,
          authFailure: now.authFailures,
        },
      );
    }
    assert.equal(await lab.hasAddress('d1', vip), true);
    assert.equal(await lab.hasAddress('d2', vip), false);
  } finally {
    await lab.destroy();
  }
});

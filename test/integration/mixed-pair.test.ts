/**
 * A mixed pair: keepalived-ts on d1 and keepalived 2.2.7 on d2 back up one VIP together (network
 * namespaces, root). For each wire mode — VRRPv2 with PASS auth, VRRPv3 over IPv4, VRRPv3 over
 * IPv6, VRRPv3 unicast — and in both role assignments (keepalived-ts the higher priority, then
 * keepalived), the two agree on one MASTER, the VIP moves on a graceful stop (priority 0) and on a
 * crash (SIGKILL of every process), the restarted higher-priority node takes the VIP back, and
 * every advert keepalived-ts put on the wire decodes in tshark as VRRP with a good checksum and
 * TTL / hop limit 255.
 *
 * One lab (IPv6 on) serves every scenario; each scenario has its own VIP and VRID, so an address
 * a killed daemon leaves in its namespace's kernel cannot disturb the next one.
 * KTS_MIXED_ONLY=TEXT runs only the scenarios whose name contains TEXT (e.g. 'IPv6: keepalived MASTER').
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, Lab, labSkipReason, pollFor, tsharkFields, type KeepalivedProcess } from './lab.js';
import { configText, instanceBlock, startKts, type InstanceSpec, type RunningDirector } from './daemon-lab.js';
import type { DaemonStatus } from '../../src/daemon/status.js';

const skip = labSkipReason({ keepalived: true, capture: true });

const KTS = 'd1';
const KA = 'd2';
const HIGH = 150;
const LOW = 100;
const AUTH_PASS = 'mixpass1';

interface Mode {
  readonly name: string;
  readonly vrid: number;
  readonly ipv6: boolean;
  readonly unicast: boolean;
  /** The instance settings shared by both nodes (priority, VIP and unicast addresses are added per node). */
  readonly spec: Pick<InstanceSpec, 'version' | 'advertInt' | 'authPass'>;
}

const MODES: readonly Mode[] = [
  { name: 'VRRPv2 with PASS authentication', vrid: 71, ipv6: false, unicast: false, spec: { advertInt: '1', authPass: AUTH_PASS } },
  { name: 'VRRPv3 over IPv4', vrid: 72, ipv6: false, unicast: false, spec: { version: 3, advertInt: '0.5' } },
  { name: 'VRRPv3 over IPv6', vrid: 73, ipv6: true, unicast: false, spec: { version: 3, advertInt: '0.5' } },
  { name: 'VRRPv3 unicast', vrid: 74, ipv6: false, unicast: true, spec: { version: 3, advertInt: '0.5' } },
];

/** keepalived's (and keepalived-ts's) log lines for an advert that failed a receive check (with -D). */
const REJECTION =
  /received an invalid passwd|invalid TTL|wrong version|Invalid VRRPv\d checksum|vrrp packet too|ip_tot_len mismatch|Invalid packet type|unexpected ip number count|received a \d+ auth|Invalid auth type|not present in MASTER advert|Expected (un|mult)icast packet|advertisement interval mismatch/;

/** How long any single outcome may take: several master-down intervals, on a busy 2-core machine. */
const OUTCOME_MS = 20_000;

let lab: Lab | undefined;
let vipHost = 200;

function nodeConfig(l: Lab, mode: Mode, node: string, priority: number, vip: string): string {
  const peer = node === KTS ? KA : KTS;
  const spec: InstanceSpec = {
    ...mode.spec,
    vrid: mode.vrid,
    priority,
    vips: [mode.ipv6 ? `${vip}/64` : `${vip}/24`],
    ...(mode.unicast ? { unicast: { src: l.addr4(node), peers: [l.addr4(peer)] } } : {}),
  };
  return configText([instanceBlock(spec)]);
}

/** The last "Entering … STATE" of the instance in a daemon's log, e.g. 'BACKUP'. */
function lastState(p: KeepalivedProcess): string | undefined {
  for (let i = p.lines.length - 1; i >= 0; i--) {
    const m = /\(VI_1\) Entering (\w+) STATE/.exec(p.lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

/** `master` holds the VIP as MASTER, `backup` logged BACKUP last and holds no VIP. */
async function assertAgreed(l: Lab, vip: string, master: { node: string; proc: KeepalivedProcess }, backup: { node: string; proc: KeepalivedProcess }, from: { master: number; backup: number }): Promise<void> {
  await master.proc.waitForLog(/\(VI_1\) Entering MASTER STATE/, OUTCOME_MS, from.master);
  await backup.proc.waitForLog(/\(VI_1\) Entering BACKUP STATE/, OUTCOME_MS, from.backup);
  await l.waitForVip(master.node, vip, true, OUTCOME_MS);
  await l.waitForVip(backup.node, vip, false, OUTCOME_MS);
  assert.equal(lastState(master.proc), 'MASTER', `${master.proc.label} is not MASTER:\n${master.proc.tail()}`);
  assert.equal(lastState(backup.proc), 'BACKUP', `${backup.proc.label} is not BACKUP:\n${backup.proc.tail()}`);
}

/**
 * The pair holds: keepalived-ts (as MASTER) sends, or (as BACKUP) accepts, more adverts than fit
 * in a master-down interval, so the BACKUP of the pair has taken them as valid all along.
 */
async function assertSteady(l: Lab, kts: RunningDirector, ktsMaster: boolean, mode: Mode): Promise<void> {
  const counter = (st: DaemonStatus): number => (ktsMaster ? st.instances[0]!.stats.advertsSent : st.instances[0]!.stats.advertsReceived);
  const first = await kts.status();
  const i = first.instances[0]!;
  assert.equal(i.state, ktsMaster ? 'MASTER' : 'BACKUP');
  assert.equal(i.vrid, mode.vrid);
  if (!ktsMaster) assert.equal(i.masterAddress, mode.ipv6 ? l.linkLocal6(KA) : l.addr4(KA));
  const errors = Object.entries(i.stats).filter(([k, v]) => !/^(adverts|becameMaster|releasedMaster|priorityZero)/.test(k) && v !== 0);
  assert.deepEqual(errors, [], 'keepalived-ts rejected some of keepalived\'s adverts');
  const base = counter(first);
  await pollFor(
    async () => {
      const st = await kts.status();
      assert.equal(st.instances[0]!.state, ktsMaster ? 'MASTER' : 'BACKUP', 'keepalived-ts left its state while the pair was steady');
      return counter(st) >= base + 5 ? true : undefined;
    },
    OUTCOME_MS,
    100,
    async () => `keepalived-ts ${ktsMaster ? 'sent' : 'received'} fewer than 5 adverts within ${OUTCOME_MS} ms: ${JSON.stringify((await kts.status()).instances[0]!.stats)}`,
  );
}

const startKa = (l: Lab, conf: string): KeepalivedProcess => l.startKeepalived(KA, conf);

/**
 * One role assignment of one mode. `ktsHigh`: keepalived-ts has the higher priority. The higher
 * node H starts first, then the lower node L: H MASTER / L BACKUP; H stops gracefully (L takes
 * over at H's priority 0); H restarts and preempts; H is SIGKILLed (L takes over by timeout);
 * L stops gracefully. The capture covers all of it.
 */
async function scenario(t: TestContext, l: Lab, mode: Mode, ktsHigh: boolean): Promise<void> {
  const vip = mode.ipv6 ? l.v6(vipHost++) : l.v4(vipHost++);
  /* Unicast frames to d2 are switched to d2's port only: capture where they arrive. */
  const capture = await l.capture(mode.unicast ? KA : CLIENT, 'ip proto 112 or ip6 proto 112');
  const started: KeepalivedProcess[] = [];
  const killed: string[] = [];
  let kts: RunningDirector | undefined;
  const start = (node: string, priority: number): KeepalivedProcess => {
    const conf = nodeConfig(l, mode, node, priority, vip);
    if (node === KTS) kts = startKts(l, node, conf);
    const p = node === KTS ? kts!.process : startKa(l, conf);
    started.push(p);
    return p;
  };
  const high = ktsHigh ? KTS : KA;
  const low = ktsHigh ? KA : KTS;
  try {
    // ---- election: both log their state, only the higher priority holds the VIP
    let h = start(high, HIGH);
    const lo = start(low, LOW);
    await assertAgreed(l, vip, { node: high, proc: h }, { node: low, proc: lo }, { master: 0, backup: 0 });
    await assertSteady(l, kts!, ktsHigh, mode);
    for (const [node, p] of [[high, h], [low, lo]] as const) {
      assert.equal(lastState(p), node === high ? 'MASTER' : 'BACKUP', `${p.label} changed state while the pair was steady:\n${p.tail()}`);
    }
    await l.waitForVip(high, vip, true, OUTCOME_MS);
    assert.equal(await l.hasAddress(low, vip), false);

    // ---- graceful stop of the master: priority 0, the backup takes over without waiting out its timer
    let mark = lo.lines.length;
    const stopped = await h.stop();
    assert.equal(stopped.code, 0, `${h.label} exit: ${JSON.stringify(stopped)}\n${h.tail()}`);
    await lo.waitForLog(/\(VI_1\) Backup received priority 0 advertisement/, OUTCOME_MS, mark);
    await lo.waitForLog(/\(VI_1\) Entering MASTER STATE/, OUTCOME_MS, mark);
    await l.waitForVip(low, vip, true, OUTCOME_MS);
    await l.waitForVip(high, vip, false, OUTCOME_MS);

    // ---- the higher priority comes back and preempts
    mark = lo.lines.length;
    h = start(high, HIGH);
    await assertAgreed(l, vip, { node: high, proc: h }, { node: low, proc: lo }, { master: 0, backup: mark });

    // ---- crash of the master: no priority 0, the backup takes over when the master-down timer expires
    mark = lo.lines.length;
    await h.kill();
    killed.push(high);
    await lo.waitForLog(/\(VI_1\) Entering MASTER STATE/, OUTCOME_MS, mark);
    await l.waitForVip(low, vip, true, OUTCOME_MS);
    assert.ok(!lo.lines.slice(mark).some((line) => /priority 0/.test(line)), `a crash sent a priority-0 advert:\n${lo.tail()}`);

    // ---- the survivor stops gracefully and releases the VIP
    const last = await lo.stop();
    assert.equal(last.code, 0, `${lo.label} exit: ${JSON.stringify(last)}\n${lo.tail()}`);
    assert.equal(await l.hasAddress(low, vip), false);

    const kaLines = started.filter((p) => p.node === KA).flatMap((p) => p.lines);
    const kaRejected = kaLines.filter((line) => REJECTION.test(line));
    assert.deepEqual(kaRejected, [], 'keepalived rejected adverts from keepalived-ts');
    const ktsLines = started.filter((p) => p.node === KTS).flatMap((p) => p.lines);
    assert.deepEqual(ktsLines.filter((line) => REJECTION.test(line)), [], 'keepalived-ts rejected adverts from keepalived');
    assert.ok(!ktsLines.some((line) => line.includes(AUTH_PASS)), 'auth_pass appeared in a keepalived-ts log');

    // ---- every packet keepalived-ts sent: VRRP, good checksum, TTL / hop limit 255
    const pcap = await capture.stop();
    const from = mode.ipv6 ? `ipv6.src == ${l.linkLocal6(KTS)}` : `ip.src == ${l.addr4(KTS)}`;
    const hops = mode.ipv6 ? 'ipv6.hlim' : 'ip.ttl';
    const rows = await tsharkFields(pcap, ['frame.number', hops, 'vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.checksum.status'], from);
    assert.ok(rows.length > 0, `no packet from keepalived-ts captured (tcpdump: ${capture.output()})`);
    const version = String(mode.spec.version ?? 2);
    for (const [frame, hop, ver, vrid, prio, status] of rows) {
      const where = `frame ${frame} of ${pcap}`;
      assert.equal(ver, version, `${where}: not decoded as VRRPv${version}`);
      assert.equal(vrid, String(mode.vrid), where);
      assert.equal(status, '1', `${where}: VRRP checksum status ${status} (1 = Good)`);
      assert.equal(hop, '255', `${where}: ${hops} ${hop}`);
    }
    const ktsPrio = String(ktsHigh ? HIGH : LOW);
    assert.ok(rows.some((r) => r[4] === ktsPrio), `no advert at priority ${ktsPrio} from keepalived-ts`);
    assert.ok(rows.some((r) => r[4] === '0'), 'no priority-0 advert from keepalived-ts');
    assert.deepEqual([...new Set(rows.map((r) => r[4]))].filter((p) => p !== ktsPrio && p !== '0'), [], 'keepalived-ts sent an unexpected priority');
    /* keepalived's own, for comparison (on the unicast capture node they are outgoing frames). */
    const kaFrom = mode.ipv6 ? `ipv6.src == ${l.linkLocal6(KA)}` : `ip.src == ${l.addr4(KA)}`;
    const kaRows = await tsharkFields(pcap, ['vrrp.checksum.status'], kaFrom);
    t.diagnostic(
      `${mode.name}, ${ktsHigh ? 'keepalived-ts' : 'keepalived'} higher: ${rows.length} adverts from keepalived-ts decoded Good; ` +
        `keepalived's ${kaRows.length}: ${kaRows.filter((r) => r[0] === '1').length} Good`,
    );
  } catch (e) {
    for (const p of started) t.diagnostic(`${p.label}:\n${p.lines.join('\n')}`);
    throw e;
  } finally {
    await capture.stop().catch(() => undefined);
    for (const p of started) if (p.running || p.pids().length > 0) await p.kill().catch(() => undefined);
    /* A SIGKILLed daemon leaves its VIP in the kernel (as keepalived does); drop it. */
    for (const node of killed) await l.exec(node, 'ip', ['addr', 'del', mode.ipv6 ? `${vip}/64` : `${vip}/24`, 'dev', 'eth0']);
  }
}

test('keepalived-ts and keepalived 2.2.7 as one pair', { skip }, async (t) => {
  lab = await Lab.create({ nodes: [KTS, KA], client: true, ipv6: true });
  try {
    for (const mode of MODES) {
      for (const ktsHigh of [true, false]) {
        const name = `${mode.name}: ${ktsHigh ? 'keepalived-ts MASTER, keepalived BACKUP' : 'keepalived MASTER, keepalived-ts BACKUP'}`;
        const only = process.env.KTS_MIXED_ONLY;
        await t.test(name, { skip: only && !name.includes(only) ? `KTS_MIXED_ONLY=${only}` : false }, async (st) => {
          await scenario(st, lab!, mode, ktsHigh);
        });
      }
    }
  } finally {
    const problems = await lab.destroy();
    lab = undefined;
    assert.deepEqual(problems, []);
  }
});

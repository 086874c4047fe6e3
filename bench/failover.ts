/**
 * Client-visible failover: how long a client loses a VIP when its master fails, keepalived-ts
 * pair against keepalived 2.2.7 pair, same lab, same config, one run, trials interleaved.
 *
 *   npx tsc -p . && node dist/bench/failover.js                 (root; 5 repetitions per cell)
 *   node dist/bench/failover.js --reps 9 --probe-ms 5 --json failover.json
 *
 * Lab (test/integration/lab.ts): d1, d2 and a client on one bridge, IPv4. d1 has priority 150
 * (state MASTER), d2 priority 100; one VIP. Cells: VRRPv2 advert_int 1 and VRRPv3 advert_int
 * 0.05, each with two events:
 * - crash: a whole-host crash of the master as the segment sees it. At the same instant every
 *   process of d1's daemon is SIGKILLed and d1's switch port goes down. Killing the processes
 *   alone is not what a client sees when a host dies: the dead daemon's VIP stays on d1's
 *   interface and d1's kernel keeps answering it, so there is no outage until d2's GARP moves the
 *   client (and then two hosts claim the VIP). Pulling the port alone is a link failure, which
 *   the daemon would see and handle (FAULT). Both together are a power loss: silence on the wire,
 *   and only d2's master-down timer ends it. Expected: Master_Down_Interval after d1's last advert
 *   = 3 × advert_int + skew(100).
 * - graceful: SIGTERM to d1's daemon. It sends a priority-0 advert and removes the VIP; d2 takes
 *   over after Skew_Time (RFC 3768/5798; keepalived-features.md §4.1):
 *   v2 (256 − 100)/256 × 1 s = 609.4 ms, v3 (256 − 100)/256 × 50 ms = 30.5 ms. Target: the
 *   outage within skew + 20 ms.
 * Each trial starts both daemons afresh, waits until d1 is MASTER, holds the VIP and the client's
 * ARP entry points at d1, then probes the VIP from the client every --probe-ms (UDP echo,
 * lab.probeVip) and captures VRRP on the client; fires the event; waits until d2 has answered
 * for a while; then clears everything up (the VIP a SIGKILLed daemon leaves behind included).
 *
 * Outage of a trial = the longest run of lost probes that ends after the event: from the first
 * lost probe to the first answered one after it (send times; resolution one probe interval).
 * Wire takeover = d2's first advert − d1's last advert before it (crash: its last regular one,
 * graceful: its priority-0 one), from pcap timestamps on the client: the protocol's own delay,
 * independent of where in the advert interval the crash fell. GARP after first advert = d2's
 * first gratuitous ARP for the VIP − d2's first advert: the time to add the VIP and announce it,
 * which the client needs before it can reach d2. Recovery after last advert = the first answered
 * probe after the event − d1's last advert (graceful: its priority-0 one): the outage as if the
 * crash had struck just after an advert, the worst case, so phase noise drops out of it.
 */
import * as fs from 'node:fs';
import { CLI } from '../test/cli/run.js';
import { configText, instanceBlock } from '../test/integration/daemon-lab.js';
import { epochMs, Lab, labSkipReason, sleep, tsharkFields, type Capture, type KeepalivedProcess, type Outage, type ProbeResult, type VipProbe } from '../test/integration/lab.js';
import { fixed, flag, loadLine, machineLine, max, median, numberFlag, ratio } from './lab-bench.js';

type Impl = 'keepalived-ts' | 'keepalived';
type EventKind = 'crash' | 'graceful';

interface Cell {
  readonly version: 2 | 3;
  readonly advertInt: string;
  readonly event: EventKind;
}

const MASTER_PRIO = 150;
const BACKUP_PRIO = 100;
const VRID = 51;
/** A probe unanswered this long is lost (replies take well under 1 ms here). */
const PROBE_TIMEOUT_MS = 500;

function advertMs(c: Cell): number {
  return Number(c.advertInt) * 1000;
}

/** keepalived-features.md §4.1: v2 skew is (256 − prio)/256 s whatever advert_int is; v3 scales it. */
function skewMs(c: Cell): number {
  return c.version === 2 ? ((256 - BACKUP_PRIO) / 256) * 1000 : ((256 - BACKUP_PRIO) / 256) * advertMs(c);
}

/** What the protocol prescribes between d1's last advert and d2's first. */
function expectedMs(c: Cell): number {
  return c.event === 'graceful' ? skewMs(c) : 3 * advertMs(c) + skewMs(c);
}

interface Trial {
  readonly impl: Impl;
  readonly cell: string;
  readonly rep: number;
  readonly outageMs?: number;
  readonly lost?: number;
  readonly wireTakeoverMs?: number;
  readonly garpAfterAdvertMs?: number;
  /** First answered probe after the event − d1's last advert (pcap and probe clocks are both CLOCK_REALTIME here). */
  readonly recoveryMs?: number;
  /** Outages that ended before the event (should be none). */
  readonly preEventLost?: number;
  /** Separate outages after the event (1 expected; 0 when no probe was lost). */
  readonly postEventOutages?: number;
  readonly error?: string;
}

function cellName(c: Cell): string {
  return `v${c.version} ${c.advertInt}s ${c.event}`;
}

async function startPair(lab: Lab, impl: Impl, c: Cell, vip: string): Promise<[KeepalivedProcess, KeepalivedProcess]> {
  const conf = (prio: number, state: 'MASTER' | 'BACKUP') =>
    configText([instanceBlock({ state, vrid: VRID, priority: prio, version: c.version, advertInt: c.advertInt, vips: [`${vip}/24`] })]);
  const opts = impl === 'keepalived-ts' ? { command: [process.execPath, CLI] } : {};
  const d1 = lab.startKeepalived('d1', conf(MASTER_PRIO, 'MASTER'), opts);
  const d2 = lab.startKeepalived('d2', conf(BACKUP_PRIO, 'BACKUP'), opts);
  await d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
  await d2.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 20_000);
  return [d1, d2];
}

/**
 * Runs of lost probes. Unlike VipProbe.outages() a sequence number with no result at all counts as
 * lost too (its sentAt interpolated), so a probe whose fate was never printed cannot hide a gap.
 */
function outagesOf(results: readonly ProbeResult[], everyMs: number): Outage[] {
  const bySeq = new Map(results.map((r) => [r.seq, r]));
  const seqs = results.map((r) => r.seq);
  const first = Math.min(...seqs);
  const last = Math.max(...seqs);
  const outages: Outage[] = [];
  let lastOkAt: number | undefined;
  let run: number[] = [];
  let prevAt = NaN;
  for (let seq = first; seq <= last; seq++) {
    const r = bySeq.get(seq);
    const at = r?.sentAt ?? prevAt + everyMs;
    prevAt = at;
    if (r?.ok) {
      if (run.length > 0) outages.push({ ...(lastOkAt !== undefined ? { lastOkAt } : {}), firstLostAt: run[0]!, lastLostAt: run[run.length - 1]!, recoveredAt: at, lost: run.length });
      run = [];
      lastOkAt = at;
    } else run.push(at);
  }
  if (run.length > 0) outages.push({ ...(lastOkAt !== undefined ? { lastOkAt } : {}), firstLostAt: run[0]!, lastLostAt: run[run.length - 1]!, lost: run.length });
  return outages;
}

/** The run of lost probes the event caused: the longest one that ends after `eventAt`. */
function eventOutage(outages: readonly Outage[], eventAt: number, everyMs: number): { main?: Outage; pre: number; post: number } {
  const post = outages.filter((o) => (o.recoveredAt ?? Infinity) > eventAt - everyMs);
  const pre = outages.filter((o) => !post.includes(o)).reduce((n, o) => n + o.lost, 0);
  let main: Outage | undefined;
  for (const o of post) if (!main || o.lost > main.lost) main = o;
  return { ...(main ? { main } : {}), pre, post: post.length };
}

interface WireTimes {
  /** d2's first advert − d1's last advert before it. */
  readonly takeoverMs?: number;
  /** d2's first gratuitous ARP for the VIP − d2's first advert (adding the VIP, then announcing it). */
  readonly garpAfterAdvertMs?: number;
  /** Epoch ms of d1's last advert before d2's first (its priority-0 one when graceful). */
  readonly lastD1At?: number;
}

async function wireTimes(pcap: string, lab: Lab, vip: string, event: EventKind): Promise<WireTimes> {
  const [d1, d2] = [lab.addr4('d1'), lab.addr4('d2')];
  const rows = await tsharkFields(pcap, ['frame.time_epoch', 'ip.src', 'vrrp.prio', 'arp.src.proto_ipv4', 'eth.src']);
  const frames = rows.map(([t, src, prio, arpSrc, mac]) => ({ t: Number(t) * 1000, src, prio: prio === '' ? NaN : Number(prio), arpSrc, mac }));
  const firstD2 = frames.find((f) => f.src === d2 && Number.isFinite(f.prio));
  if (!firstD2) return {};
  const before = frames.filter((f) => f.src === d1 && f.t <= firstD2.t && (event === 'graceful' ? f.prio === 0 : f.prio > 0));
  const lastD1 = before[before.length - 1];
  const garp = frames.find((f) => f.arpSrc === vip && f.mac === lab.mac('d2') && f.t >= firstD2.t);
  return {
    ...(lastD1 ? { takeoverMs: firstD2.t - lastD1.t, lastD1At: lastD1.t } : {}),
    ...(garp ? { garpAfterAdvertMs: garp.t - firstD2.t } : {}),
  };
}

async function runTrial(lab: Lab, impl: Impl, c: Cell, rep: number, everyMs: number): Promise<Trial> {
  const vip = lab.v4(200);
  const base = { impl, cell: cellName(c), rep };
  let d1: KeepalivedProcess | undefined;
  let d2: KeepalivedProcess | undefined;
  let linkIsDown = false;
  let cap: Capture | undefined;
  let probe: VipProbe | undefined;
  try {
    [d1, d2] = await startPair(lab, impl, c, vip);
    await lab.waitForVip('d1', vip, true);
    await lab.waitForNeighbour('client', vip, lab.mac('d1'));
    cap = await lab.capture('client', 'ip proto 112 or arp');
    const capturedFrom = epochMs();
    probe = await lab.probeVip('client', vip, everyMs, { timeoutMs: PROBE_TIMEOUT_MS });
    await probe.waitFor((rs) => rs.filter((r) => r.ok && r.responder === 'd1').length >= 20, 10_000);
    // the capture must hold d1's last advert before the event: at advert_int 1 that takes a while
    await sleep(Math.max(0, 1.2 * advertMs(c) - (epochMs() - capturedFrom)));

    const eventAt = epochMs();
    if (c.event === 'crash') {
      linkIsDown = true;
      await Promise.all([lab.linkDown('d1'), d1.kill()]);
    } else {
      const exit = await d1.stop({ timeoutMs: 15_000 });
      if (exit.code !== 0) throw new Error(`d1 (${impl}) exited ${exit.signal ?? exit.code} after SIGTERM`);
    }
    // d2 has answered without a gap for a good while: the outage is over
    const settleProbes = Math.ceil(Math.max(300, 2 * advertMs(c)) / everyMs);
    await probe.waitFor((rs) => {
      const after = rs.filter((r) => r.sentAt > eventAt);
      const tail = after.slice(-settleProbes);
      return tail.length === settleProbes && tail.every((r) => r.ok && r.responder === 'd2');
    }, 20_000);
    // a lost probe is only reported when its timeout fires; one still pending at stop() is never reported
    await sleep(PROBE_TIMEOUT_MS + 200);
    const results = await probe.stop();
    const pcap = await cap.stop();
    const { main, pre, post } = eventOutage(outagesOf(results, everyMs), eventAt, everyMs);
    const outageMs = main ? (main.recoveredAt ?? NaN) - main.firstLostAt : 0;
    const wire = await wireTimes(pcap, lab, vip, c.event);
    return {
      ...base,
      outageMs,
      lost: main?.lost ?? 0,
      ...(wire.takeoverMs !== undefined ? { wireTakeoverMs: wire.takeoverMs } : {}),
      ...(wire.garpAfterAdvertMs !== undefined ? { garpAfterAdvertMs: wire.garpAfterAdvertMs } : {}),
      ...(wire.lastD1At !== undefined && main?.recoveredAt !== undefined ? { recoveryMs: main.recoveredAt - wire.lastD1At } : {}),
      preEventLost: pre,
      postEventOutages: post,
    };
  } catch (e) {
    return { ...base, error: (e as Error).message.split('\n')[0]! };
  } finally {
    // after an error the prober and tcpdump may still run; stop() is a no-op when they have ended
    await probe?.stop().catch(() => undefined);
    await cap?.stop().catch(() => undefined);
    // a SIGKILLed daemon leaves its VIP behind; take it away before the link comes back
    for (const p of [d1, d2]) if (p && p.running) await p.stop({ timeoutMs: 15_000 }).catch(() => p.kill().catch(() => undefined));
    for (const node of ['d1', 'd2']) {
      if (await lab.hasAddress(node, vip)) await lab.exec(node, 'ip', ['addr', 'del', `${vip}/24`, 'dev', 'eth0']);
    }
    if (linkIsDown) await lab.linkUp('d1');
  }
}

async function main(): Promise<void> {
  const skip = labSkipReason({ keepalived: true, capture: true });
  if (skip) {
    process.stdout.write(`failover: skipped: ${skip}\n`);
    return;
  }
  const reps = numberFlag('--reps', 5, 1, 100);
  const everyMs = numberFlag('--probe-ms', 5, 1, 100);
  const only = flag('--cells');
  const jsonOut = flag('--json');
  const allCells: Cell[] = [
    { version: 2, advertInt: '1', event: 'crash' },
    { version: 2, advertInt: '1', event: 'graceful' },
    { version: 3, advertInt: '0.05', event: 'crash' },
    { version: 3, advertInt: '0.05', event: 'graceful' },
  ];
  const cells = only ? allCells.filter((c) => only.split(',').some((o) => cellName(c).replace(/ /g, '-') === o || `v${c.version}` === o || c.event === o)) : allCells;
  const startedIso = new Date().toISOString();
  const loadBefore = loadLine();
  const trials: Trial[] = [];
  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false });
  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const c of cells) {
        // alternate which implementation goes first, so a drift in machine load hits both alike
        const order: Impl[] = rep % 2 === 1 ? ['keepalived-ts', 'keepalived'] : ['keepalived', 'keepalived-ts'];
        for (const impl of order) {
          const t = await runTrial(lab, impl, c, rep, everyMs);
          trials.push(t);
          process.stderr.write(
            `[failover] rep ${rep} ${cellName(c).padEnd(18)} ${impl.padEnd(13)} ${t.error ? `ERROR ${t.error}` : `outage ${fixed(t.outageMs!, 1)} ms (${t.lost} lost), wire ${fixed(t.wireTakeoverMs ?? NaN, 1)} ms`}\n`,
          );
          await sleep(300);
        }
      }
    }
  } finally {
    await lab.destroy();
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ startedIso, reps, everyMs, trials }, null, 1));
  process.stdout.write(report(cells, trials, { startedIso, loadBefore, reps, everyMs }));
}

function report(cells: readonly Cell[], trials: readonly Trial[], r: { startedIso: string; loadBefore: string; reps: number; everyMs: number }): string {
  const out: string[] = [];
  out.push(`failover: ${r.startedIso}; ${machineLine()}; load average before ${r.loadBefore}, after ${loadLine()}`);
  out.push(`${r.reps} repetitions per cell and implementation, interleaved; client probe every ${r.everyMs} ms`);
  out.push('');
  out.push(
    '| cell | protocol delay (expected) | outage kts median / max | outage C median / max | outage ratio median / max | recovery after last advert kts median / max | recovery C median / max | recovery ratio median / max | wire takeover kts / C median | GARP after first advert kts / C median | graceful target (skew + 20 ms) |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of cells) {
    const of = (impl: Impl) => trials.filter((t) => t.impl === impl && t.cell === cellName(c) && t.error === undefined);
    const ts = of('keepalived-ts');
    const ka = of('keepalived');
    const pick = (xs: readonly Trial[], f: (t: Trial) => number | undefined) => xs.flatMap((t) => (f(t) !== undefined ? [f(t)!] : []));
    const o = (xs: readonly Trial[]) => pick(xs, (t) => t.outageMs);
    const rc = (xs: readonly Trial[]) => pick(xs, (t) => t.recoveryMs);
    const w = (xs: readonly Trial[]) => pick(xs, (t) => t.wireTakeoverMs);
    const g = (xs: readonly Trial[]) => pick(xs, (t) => t.garpAfterAdvertMs);
    const mm = (xs: readonly number[]) => `${fixed(median(xs), 1)} / ${fixed(max(xs), 1)}`;
    const target = skewMs(c) + 20;
    const targetText =
      c.event === 'graceful' ? `≤ ${fixed(target, 1)} ms: kts ${max(o(ts)) <= target ? 'met' : 'NOT met'} (max outage), C ${max(o(ka)) <= target ? 'met' : 'not met'}` : '';
    out.push(
      `| ${cellName(c)} | ${fixed(expectedMs(c), 1)} | ${mm(o(ts))} (n=${ts.length}) | ${mm(o(ka))} (n=${ka.length}) | ${ratio(median(o(ts)), median(o(ka)))} / ${ratio(max(o(ts)), max(o(ka)))} |` +
        ` ${mm(rc(ts))} | ${mm(rc(ka))} | ${ratio(median(rc(ts)), median(rc(ka)))} / ${ratio(max(rc(ts)), max(rc(ka)))} |` +
        ` ${fixed(median(w(ts)), 1)} / ${fixed(median(w(ka)), 1)} | ${fixed(median(g(ts)), 1)} / ${fixed(median(g(ka)), 1)} | ${targetText} |`,
    );
  }
  out.push('');
  out.push('All figures in ms; kts = keepalived-ts, C = keepalived 2.2.7.');
  out.push('');
  out.push('Every trial (outage / recovery after last advert / wire takeover, ms):');
  for (const c of cells) {
    for (const impl of ['keepalived-ts', 'keepalived'] as const) {
      const ts = trials.filter((t) => t.impl === impl && t.cell === cellName(c));
      out.push(`- ${cellName(c)}, ${impl}: ${ts.map((t) => (t.error ? `ERROR(${t.error})` : `${fixed(t.outageMs!, 0)}/${fixed(t.recoveryMs ?? NaN, 0)}/${fixed(t.wireTakeoverMs ?? NaN, 0)}`)).join(', ')}`);
    }
  }
  const noisy = trials.filter((t) => (t.preEventLost ?? 0) > 0 || (t.postEventOutages ?? 1) > 1);
  if (noisy.length > 0) {
    out.push('');
    out.push(`Trials with lost probes before the event or more than one outage after it: ${noisy.map((t) => `${t.impl} ${t.cell} rep ${t.rep} (pre ${t.preEventLost}, outages ${t.postEventOutages})`).join('; ')}`);
  }
  return out.join('\n') + '\n';
}

main().catch((e) => {
  process.stderr.write(`failover failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

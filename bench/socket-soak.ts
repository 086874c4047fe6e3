/**
 * Soak of the raw-socket layer: two keepalived-ts directors exchanging VRRPv3 at a short
 * advert_int while the client floods adverts, for as long as asked; the VRRP child of each
 * director is sampled every few seconds (RSS, V8 heap, open descriptors, CPU) to show whether
 * anything grows.
 *
 *   npx tsc -p . && node dist/bench/socket-soak.js                       (root; 10 minutes)
 *   node dist/bench/socket-soak.js --minutes 240 --advert-int 0.01 --flood-pps 1000 --json soak.json
 *
 * Flags: --minutes (default 10), --advert-int (VI_1, default 0.02), --flood-pps (default 500),
 * --sample-every seconds (default 10), --warmup seconds excluded from the slopes (default 60),
 * --json FILE (every sample, for plotting), --no-gc (do not force the per-sample full GC, below),
 * --with-keepalived (also run a keepalived 2.2.7 pair with the same config and flood, at the same
 * time, in a lab of its own: its RSS, descriptors and false takeovers as a reference).
 *
 * Topology (test/integration/lab.ts): d1, d2 and a client on one bridge, IPv4 only.
 * - VI_1, VRID 51, v3, advert_int A: d1 priority 150 (MASTER), d2 100 (BACKUP). d1 sends 1/A
 *   adverts a second; d2 receives and processes every one.
 * - VI_FLOOD, VRID 52, v3, advert_int 1, priority 50 on both: the client (vrrp-flooder.ts)
 *   multicasts valid VRID 52 adverts at priority 200, so both directors stay BACKUP and run each
 *   one through the whole receive path (checks, state machine, timer re-arm). One flood packet
 *   in five is for VRID 53, which neither director has: the unknown-VRID drop path.
 * The heap comes from memory-reporter.ts, preloaded into the daemon's Node processes through
 * NODE_OPTIONS (one extra descriptor, constant); RSS, descriptors, threads and CPU from /proc.
 * Unless --no-gc, the reporter runs a full GC in each process once per sample period and reports
 * the heap left ("live"): heap used at a random moment is mostly garbage and swings with the GC
 * cycle, so only the live heap can show a leak. That GC costs the child a pause of a few ms every
 * sample period, far below the master-down interval.
 *
 * Verdict: no crash (the VRRP child PIDs never change, the daemons run to the end and stop with
 * exit 0); no descriptor growth (in the second half of the run the count never exceeds the
 * first half's maximum: a descriptor opened once on first use, such as the GARP socket at a
 * first takeover, is not growth; a leak keeps growing); memory not growing: least-squares slopes
 * after warm-up at most FLAT_RSS_MB_PER_H for the RSS outside the V8 heap (RSS − heapTotal:
 * code, native buffers, koffi) and at most FLAT_HEAP_MB_PER_H for the live heap. The raw RSS is
 * reported too, but it moves in steps whenever V8 enlarges the heap it reserves (heapTotal),
 * which by itself is no leak. Transitions to MASTER during the window (a backup that missed
 * the master's adverts under load) are counted and reported, not part of the verdict.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI } from '../test/cli/run.js';
import { configText, instanceBlock } from '../test/integration/daemon-lab.js';
import { Lab, labSkipReason, sleep, type KeepalivedProcess, type LabProcess } from '../test/integration/lab.js';
import { queryStatus } from '../src/daemon/status-server.js';
import type { DaemonStatus } from '../src/daemon/status.js';
import { fixed, flag, hasFlag, loadLine, machineLine, max, min, numberFlag, procSample, slope } from './lab-bench.js';

const FLOODER = fileURLToPath(new URL('./vrrp-flooder.js', import.meta.url));
const MEMORY_REPORTER = pathToFileURL(fileURLToPath(new URL('./memory-reporter.js', import.meta.url))).href;
/** "Flat": a growth slope below these, measured after warm-up, is GC noise, not a leak. */
const FLAT_RSS_MB_PER_H = 4;
const FLAT_HEAP_MB_PER_H = 2;
const CLK_TCK = 100;

interface Sample {
  readonly t: number; // seconds since the flood started
  readonly node: string;
  readonly vrrpPid: number | undefined;
  readonly rssKb: number;
  readonly heapUsedKb: number;
  readonly heapTotalKb: number;
  /** Heap left after a full GC (memory-reporter.ts with KTS_BENCH_MEMORY_GC=1), NaN without --gc. */
  readonly heapLiveKb: number;
  readonly fds: number;
  readonly threads: number;
  readonly cpuTicks: number;
  readonly vi1State: string;
  readonly floodState: string;
  readonly vi1Received: number;
  readonly vi1Sent: number;
  readonly floodReceived: number;
  readonly becameMaster: number;
}

interface Director {
  readonly node: string;
  readonly proc: KeepalivedProcess;
  readonly socket: string;
  firstVrrpPid: number;
  /** Output lines before the soak window (start-up); only later ones count against the verdict. */
  linesAtStart: number;
}

function startDirector(lab: Lab, node: string, config: string, memDir: string, gcEveryMs: number | undefined): Director {
  const socket = path.join(lab.runDir, `${node}-soak.sock`);
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${MEMORY_REPORTER}`].join(' ').trim();
  const proc = lab.startKeepalived(node, config, {
    command: [process.execPath, CLI],
    args: ['--status-socket', socket],
    env: {
      NODE_OPTIONS: nodeOptions,
      KTS_BENCH_MEMORY_DIR: memDir,
      KTS_BENCH_MEMORY_EVERY_MS: String(gcEveryMs ?? 1000),
      KTS_BENCH_MEMORY_GC: gcEveryMs !== undefined ? '1' : '0',
    },
  });
  return { node, proc, socket, firstVrrpPid: 0, linesAtStart: 0 };
}

function heapOf(memDir: string, pid: number | undefined): { heapUsedKb: number; heapTotalKb: number; heapLiveKb: number } {
  const none = { heapUsedKb: NaN, heapTotalKb: NaN, heapLiveKb: NaN };
  if (pid === undefined) return none;
  try {
    const m = JSON.parse(fs.readFileSync(path.join(memDir, `${pid}.json`), 'utf8')) as { heapUsed: number; heapTotal: number; heapLive?: number };
    return { heapUsedKb: m.heapUsed / 1024, heapTotalKb: m.heapTotal / 1024, heapLiveKb: m.heapLive !== undefined ? m.heapLive / 1024 : NaN };
  } catch {
    return none;
  }
}

async function sample(d: Director, t: number, memDir: string): Promise<Sample> {
  const pid = d.proc.vrrpPid();
  const p = pid !== undefined ? procSample(pid) : undefined;
  let st: DaemonStatus | undefined;
  try {
    st = (await queryStatus(d.socket)) as DaemonStatus;
  } catch {
    st = undefined;
  }
  const vi1 = st?.instances.find((i) => i.name === 'VI_1');
  const flood = st?.instances.find((i) => i.name === 'VI_FLOOD');
  return {
    t,
    node: d.node,
    vrrpPid: pid,
    rssKb: p?.rssKb ?? NaN,
    ...heapOf(memDir, pid),
    fds: p?.fds ?? NaN,
    threads: p?.threads ?? NaN,
    cpuTicks: p?.cpuTicks ?? NaN,
    vi1State: vi1?.state ?? '?',
    floodState: flood?.state ?? '?',
    vi1Received: vi1?.stats.advertsReceived ?? NaN,
    vi1Sent: vi1?.stats.advertsSent ?? NaN,
    floodReceived: flood?.stats.advertsReceived ?? NaN,
    becameMaster: (vi1?.stats.becameMaster ?? NaN) + (flood?.stats.becameMaster ?? NaN),
  };
}

/** Both instances of the soak's keepalived.conf (the same text for keepalived-ts and keepalived). */
function soakConfig(lab: Lab, advertInt: string, priority: number, state: 'MASTER' | 'BACKUP'): string {
  return configText([
    instanceBlock({ name: 'VI_1', state, vrid: 51, priority, version: 3, advertInt, vips: [`${lab.v4(200)}/24`] }),
    instanceBlock({ name: 'VI_FLOOD', vrid: 52, priority: 50, version: 3, advertInt: '1', vips: [`${lab.v4(211)}/24`] }),
  ]);
}

async function waitForPair(lab: Lab, d1: KeepalivedProcess, d2: KeepalivedProcess): Promise<void> {
  await d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
  await d2.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 20_000);
  await lab.waitForVip('d1', lab.v4(200), true);
}

/** The client's flood: 4 of 5 packets for VRID 52 (VI_FLOOD, priority 200), 1 of 5 for VRID 53 (no such instance). */
async function startFlooder(lab: Lab, pps: number): Promise<LabProcess> {
  const flood = `52:200:100:${lab.v4(211)}`;
  const unknown = `53:200:100:${lab.v4(212)}`;
  const p = lab.startProcess('client', [process.execPath, FLOODER, 'eth0', lab.addr4('client'), String(pps), flood, flood, flood, flood, unknown], { label: 'client:flooder' });
  await p.waitForLog(/"ready":true/, 10_000);
  return p;
}

/** Transitions to MASTER logged during the soak window (keepalived's wording, which both print). */
interface Takeovers {
  readonly node: string;
  readonly vi1: number;
  readonly flood: number;
}

function countTakeovers(p: KeepalivedProcess, fromLine: number): Takeovers {
  const lines = p.lines.slice(fromLine);
  return { node: p.node, vi1: lines.filter((l) => /\(VI_1\) Entering MASTER STATE/.test(l)).length, flood: lines.filter((l) => /\(VI_FLOOD\) Entering MASTER STATE/.test(l)).length };
}

interface RefSample {
  readonly t: number;
  readonly node: string;
  readonly vrrpPid: number | undefined;
  readonly rssKb: number;
  readonly fds: number;
  readonly cpuTicks: number;
}

function takeoverReport(kts: readonly Takeovers[], ref: { samples: readonly RefSample[]; takeovers: readonly Takeovers[]; exits: readonly string[] } | undefined): string {
  const fmt = (ts: readonly Takeovers[]) => ts.map((t) => `${t.node} VI_1 ${t.vi1}, VI_FLOOD ${t.flood}`).join('; ');
  const out = [`transitions to MASTER during the window (false takeovers; d1 is MASTER of VI_1 throughout): keepalived-ts ${fmt(kts)}`];
  if (ref) {
    out.push(`reference keepalived 2.2.7 pair, same config and flood, same time, own lab: ${fmt(ref.takeovers)}; stop: ${ref.exits.join(', ')}`);
    for (const node of ['d1', 'd2']) {
      const xs = ref.samples.filter((s) => s.node === node);
      if (xs.length === 0) continue;
      const first = xs[0]!;
      const last = xs[xs.length - 1]!;
      const pids = new Set(xs.map((s) => s.vrrpPid)).size;
      const cpu = ((last.cpuTicks - first.cpuTicks) / CLK_TCK / Math.max(1e-9, last.t - first.t)) * 100;
      out.push(
        `  keepalived ${node} VRRP child: RSS ${fixed(first.rssKb / 1024)} / ${fixed(last.rssKb / 1024)} / ${fixed(max(xs.map((s) => s.rssKb)) / 1024)} MB (first / last / max), fds ${first.fds} / ${last.fds} / ${max(xs.map((s) => s.fds))}, CPU ${fixed(cpu, 1)} %, ${pids === 1 ? 'same PID throughout' : `${pids} different PIDs`}`,
      );
    }
  }
  return out.join('\n') + '\n';
}

function flooderTotals(flooder: LabProcess): { sent: number; sendErrors: number; elapsedMs: number } | undefined {
  for (let i = flooder.lines.length - 1; i >= 0; i--) {
    const l = flooder.lines[i]!;
    if (l.startsWith('{"sent"')) return JSON.parse(l) as { sent: number; sendErrors: number; elapsedMs: number };
  }
  return undefined;
}

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) {
    process.stdout.write(`socket-soak: skipped: ${skip}\n`);
    return;
  }
  const minutes = numberFlag('--minutes', 10, 0.2);
  const advertInt = flag('--advert-int') ?? '0.02';
  const floodPps = numberFlag('--flood-pps', 500, 1, 20_000);
  const everyS = numberFlag('--sample-every', 10, 1);
  const warmupS = numberFlag('--warmup', 60, 0);
  const jsonOut = flag('--json');
  // a full GC in the child once per sample period, so the heap trend is of live data, not of garbage
  const gcEveryMs = hasFlag('--no-gc') ? undefined : everyS * 1000;
  const memDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-soak-mem-'));
  const startedIso = new Date().toISOString();
  const loadBefore = loadLine();

  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false });
  // keepalived 2.2.7 under the same config and flood, at the same time, in a lab of its own
  const refLab = hasFlag('--with-keepalived') ? await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false }) : undefined;
  const reference: KeepalivedProcess[] = [];
  const refSamples: RefSample[] = [];
  const refExits: string[] = [];
  const takeovers: Takeovers[] = [];
  const refTakeovers: Takeovers[] = [];
  let refFlooder: LabProcess | undefined;
  const samples: Sample[] = [];
  const directors: Director[] = [];
  let flooder: LabProcess | undefined;
  const exits: string[] = [];
  const crashNotes: string[] = [];
  const startupNotes: string[] = [];
  let floodStartedAt = 0;
  let endedAt = 0;
  let floodTotals: ReturnType<typeof flooderTotals>;
  try {
    directors.push(startDirector(lab, 'd1', soakConfig(lab, advertInt, 150, 'MASTER'), memDir, gcEveryMs), startDirector(lab, 'd2', soakConfig(lab, advertInt, 100, 'BACKUP'), memDir, gcEveryMs));
    await waitForPair(lab, directors[0]!.proc, directors[1]!.proc);
    for (const d of directors) d.firstVrrpPid = await d.proc.waitForVrrpChild();
    if (refLab) {
      reference.push(refLab.startKeepalived('d1', soakConfig(refLab, advertInt, 150, 'MASTER')), refLab.startKeepalived('d2', soakConfig(refLab, advertInt, 100, 'BACKUP')));
      await waitForPair(refLab, reference[0]!, reference[1]!);
      for (const p of reference) await p.waitForVrrpChild();
    }

    flooder = await startFlooder(lab, floodPps);
    if (refLab) refFlooder = await startFlooder(refLab, floodPps);
    floodStartedAt = Date.now();
    for (const d of directors) d.linesAtStart = d.proc.lines.length;
    const refLinesAtStart = reference.map((p) => p.lines.length);

    const deadline = floodStartedAt + minutes * 60_000;
    for (let next = floodStartedAt; ; next += everyS * 1000) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      const t = (Date.now() - floodStartedAt) / 1000;
      for (const d of directors) {
        const s = await sample(d, t, memDir);
        samples.push(s);
        if (s.vrrpPid !== d.firstVrrpPid || !d.proc.running) crashNotes.push(`${d.node}: VRRP child ${d.firstVrrpPid} → ${s.vrrpPid ?? 'none'} at ${t.toFixed(0)} s (daemon ${d.proc.running ? 'running' : 'exited'})`);
      }
      reference.forEach((p, i) => {
        const pid = p.vrrpPid();
        const ps = pid !== undefined ? procSample(pid) : undefined;
        refSamples.push({ t, node: `d${i + 1}`, vrrpPid: pid, rssKb: ps?.rssKb ?? NaN, fds: ps?.fds ?? NaN, cpuTicks: ps?.cpuTicks ?? NaN });
      });
      const [a, b] = samples.slice(-2) as [Sample, Sample];
      process.stderr.write(
        `[soak ${t.toFixed(0).padStart(5)} s] d1 rss ${fixed(a.rssKb / 1024)} MB heap ${fixed(a.heapUsedKb / 1024)} (live ${fixed(a.heapLiveKb / 1024)}) MB fds ${a.fds} ${a.vi1State}/${a.floodState}` +
          ` | d2 rss ${fixed(b.rssKb / 1024)} MB heap ${fixed(b.heapUsedKb / 1024)} (live ${fixed(b.heapLiveKb / 1024)}) MB fds ${b.fds} ${b.vi1State}/${b.floodState} flood rx ${b.floodReceived}\n`,
      );
      if (crashNotes.length > 0 || Date.now() >= deadline) break;
    }
    endedAt = Date.now();
    await flooder.stop({ timeoutMs: 5000 });
    floodTotals = flooderTotals(flooder);
    await refFlooder?.stop({ timeoutMs: 5000 });
    takeovers.push(...directors.map((d) => countTakeovers(d.proc, d.linesAtStart)));
    reference.forEach((p, i) => refTakeovers.push(countTakeovers(p, refLinesAtStart[i]!)));
    for (const p of reference) {
      try {
        const e = await p.stop({ timeoutMs: 15_000 });
        refExits.push(`${p.node}: ${e.signal ?? `exit ${e.code}`}`);
      } catch (e) {
        refExits.push(`${p.node}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    for (const d of directors) {
      try {
        const e = await d.proc.stop({ timeoutMs: 15_000 });
        exits.push(`${d.node}: ${e.signal ?? `exit ${e.code}`}`);
      } catch (e) {
        exits.push(`${d.node}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const bad = /died|Respawning|uncaught|FATAL|Error:/i;
    for (const d of directors) {
      d.proc.lines.forEach((l, i) => {
        if (!bad.test(l)) return;
        if (i < d.linesAtStart) startupNotes.push(`${d.node}: ${l}`);
        else crashNotes.push(`${d.node}: ${l}`);
      });
    }
  } finally {
    await lab.destroy();
    await refLab?.destroy();
    fs.rmSync(memDir, { recursive: true, force: true });
  }

  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ startedIso, minutes, advertInt, floodPps, samples, refSamples }, null, 1));
  process.stdout.write(report({ startedIso, loadBefore, minutes, advertInt, floodPps, everyS, warmupS, samples, exits, crashNotes, startupNotes, floodTotals, ranS: (endedAt - floodStartedAt) / 1000 }));
  process.stdout.write(takeoverReport(takeovers, refLab ? { samples: refSamples, takeovers: refTakeovers, exits: refExits } : undefined));
}

interface ReportInput {
  readonly startedIso: string;
  readonly loadBefore: string;
  readonly minutes: number;
  readonly advertInt: string;
  readonly floodPps: number;
  readonly everyS: number;
  readonly warmupS: number;
  readonly samples: readonly Sample[];
  readonly exits: readonly string[];
  readonly crashNotes: readonly string[];
  readonly startupNotes: readonly string[];
  readonly floodTotals: { sent: number; sendErrors: number; elapsedMs: number } | undefined;
  readonly ranS: number;
}

/** A leak only grows: a falling slope is as good as a flat one. */
function grows(slopeMbPerH: number, limit: number): string {
  if (!Number.isFinite(slopeMbPerH)) return 'not measured';
  if (slopeMbPerH > limit) return 'GROWING';
  return slopeMbPerH < -limit ? 'shrinking' : 'flat';
}

function report(r: ReportInput): string {
  const out: string[] = [];
  out.push(`socket soak: started ${r.startedIso}, ran ${fixed(r.ranS / 60, 1)} min of ${r.minutes} asked; ${machineLine()}`);
  out.push(`load average before: ${r.loadBefore}; after: ${loadLine()}`);
  out.push(
    `VI_1 v3 advert_int ${r.advertInt} (d1 MASTER 150, d2 BACKUP 100); flood ${r.floodPps} pkt/s from the client (4/5 VRID 52 → VI_FLOOD, 1/5 VRID 53 unknown);` +
      ` flooder sent ${r.floodTotals?.sent ?? '?'} (${r.floodTotals?.sendErrors ?? '?'} send errors) in ${fixed((r.floodTotals?.elapsedMs ?? NaN) / 1000, 0)} s; sampled every ${r.everyS} s, slopes after ${r.warmupS} s`,
  );
  out.push('');
  out.push(
    '| VRRP child | samples | RSS MB first / last / max | RSS slope MB/h | RSS outside the V8 heap MB first / last | its slope MB/h | heap used MB first / last / max | heap live (after full GC) MB first / last / max | live slope MB/h | fds first / last / max (changes) | threads | CPU % | VI_1 adverts rx / tx | VI_FLOOD adverts rx | states at end (VI_1 / VI_FLOOD), becameMaster |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const verdicts: string[] = [];
  for (const node of ['d1', 'd2']) {
    const all = r.samples.filter((s) => s.node === node);
    if (all.length === 0) continue;
    const late = all.filter((s) => s.t >= r.warmupS);
    const steady = late.length >= 2 ? late : all;
    const first = all[0]!;
    const last = all[all.length - 1]!;
    const mb = (kb: number) => kb / 1024;
    const native = (s: Sample) => s.rssKb - s.heapTotalKb;
    const fl = (pick: (s: Sample) => number, withMax: boolean) => {
      const xs = all.map(pick).filter(Number.isFinite);
      return xs.length === 0 ? '—' : `${fixed(mb(xs[0]!))} / ${fixed(mb(xs[xs.length - 1]!))}${withMax ? ` / ${fixed(mb(max(xs)))}` : ''}`;
    };
    const slopeOf = (pick: (s: Sample) => number) => slope(steady.filter((s) => Number.isFinite(pick(s))).map((s) => [s.t / 3600, mb(pick(s))] as const));
    const rssSlope = slopeOf((s) => s.rssKb);
    const nativeSlope = slopeOf(native);
    const haveLive = steady.some((s) => Number.isFinite(s.heapLiveKb));
    // the live heap (after a full GC) when measured; heap used at a random moment otherwise
    const heapSlope = haveLive ? slopeOf((s) => s.heapLiveKb) : slopeOf((s) => s.heapUsedKb);
    const half = r.ranS / 2;
    const firstHalfMax = max(steady.filter((s) => s.t < half).map((s) => s.fds));
    const secondHalfMax = max(steady.filter((s) => s.t >= half).map((s) => s.fds));
    const fdChanges = all.flatMap((s, i) => (i > 0 && s.fds !== all[i - 1]!.fds ? [`${all[i - 1]!.fds}→${s.fds} at ${s.t.toFixed(0)} s`] : []));
    const cpu = ((last.cpuTicks - first.cpuTicks) / CLK_TCK / Math.max(1e-9, last.t - first.t)) * 100;
    out.push(
      `| ${node} | ${all.length} | ${fl((s) => s.rssKb, true)} | ${fixed(rssSlope, 2)} | ${fl(native, false)} | ${fixed(nativeSlope, 2)} | ${fl((s) => s.heapUsedKb, true)} | ${fl((s) => s.heapLiveKb, true)} | ${fixed(heapSlope, 2)}${haveLive ? '' : ' (used)'} |` +
        ` ${first.fds} / ${last.fds} / ${max(all.map((s) => s.fds))}${fdChanges.length ? ` (${fdChanges.join(', ')})` : ''} | ${min(all.map((s) => s.threads))}–${max(all.map((s) => s.threads))} | ${fixed(cpu, 1)} |` +
        ` ${last.vi1Received} / ${last.vi1Sent} | ${last.floodReceived} | ${last.vi1State} / ${last.floodState}, ${last.becameMaster} |`,
    );
    const fdOk = !(secondHalfMax > firstHalfMax);
    verdicts.push(
      `${node}: fds ${fdOk ? 'no growth' : `GREW (${firstHalfMax} → ${secondHalfMax} in the second half)`}; memory outside the V8 heap ${grows(nativeSlope, FLAT_RSS_MB_PER_H)} (${fixed(nativeSlope, 2)} MB/h, limit +${FLAT_RSS_MB_PER_H}); ` +
        `heap ${grows(heapSlope, FLAT_HEAP_MB_PER_H)} (${fixed(heapSlope, 2)} MB/h ${haveLive ? 'live' : 'used'}, limit +${FLAT_HEAP_MB_PER_H})`,
    );
  }
  out.push('');
  out.push(`crash: ${r.crashNotes.length === 0 ? 'none (VRRP child PIDs unchanged, no respawn or error line)' : r.crashNotes.join('; ')}; stop: ${r.exits.join(', ')}`);
  if (r.startupNotes.length > 0) out.push(`before the soak window (start-up, not counted): ${r.startupNotes.join('; ')}`);
  for (const v of verdicts) out.push(`verdict ${v}`);
  return out.join('\n') + '\n';
}

main().catch((e) => {
  process.stderr.write(`socket-soak failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

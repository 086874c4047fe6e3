/**
 * How regularly the MASTER sends its adverts at advert_int 0.05 (VRRPv3): keepalived-ts against
 * keepalived 2.2.7, idle and with both CPUs busy, in one run.
 *
 *   npx tsc -p . && node dist/bench/advert-timing.js             (root; 20 s per capture)
 *   node dist/bench/advert-timing.js --seconds 60 --reps 2 --json timing.json
 *
 * Lab (test/integration/lab.ts): d1 (priority 150, MASTER) and d2 (priority 100, BACKUP) on one
 * bridge with a client, IPv4, VRRPv3, advert_int 0.05. For each implementation and load the pair
 * is started afresh; once d1 is MASTER (and, for "busy", once two busy loops `node -e
 * "for(;;){}"` have run for a second outside the namespaces, on this 2-CPU machine) the client
 * captures d1's adverts for --seconds with tcpdump --immediate-mode, and tshark gives each its
 * pcap timestamp (frame.time_epoch). The interval between consecutive adverts minus 50 ms is the
 * deviation; reported: the mean interval, |deviation| p50 / p99 / max, the latest and earliest
 * advert, adverts missing (an interval over 1.5 × 50 ms) and adverts from d2 (a false takeover
 * if any). Implementations alternate which goes first. Target: p99 |deviation| ≤ 5 ms.
 */
import * as fs from 'node:fs';
import { CLI } from '../test/cli/run.js';
import { configText, instanceBlock } from '../test/integration/daemon-lab.js';
import { Lab, labSkipReason, sleep, tsharkFields, type KeepalivedProcess } from '../test/integration/lab.js';
import { CpuHogs, fixed, flag, loadLine, machineLine, max, min, numberFlag, percentile } from './lab-bench.js';

type Impl = 'keepalived-ts' | 'keepalived';
type Load = 'idle' | 'busy';

const ADVERT_INT = '0.05';
const INTERVAL_MS = 50;
const TARGET_P99_MS = 5;

interface Run {
  readonly impl: Impl;
  readonly load: Load;
  readonly rep: number;
  readonly adverts: number;
  readonly intervals: number[];
  readonly fromBackup: number;
  readonly error?: string;
}

async function measure(lab: Lab, impl: Impl, load: Load, rep: number, seconds: number): Promise<Run> {
  const vip = lab.v4(200);
  const conf = (prio: number, state: 'MASTER' | 'BACKUP') =>
    configText([instanceBlock({ state, vrid: 51, priority: prio, version: 3, advertInt: ADVERT_INT, vips: [`${vip}/24`] })]);
  const opts = impl === 'keepalived-ts' ? { command: [process.execPath, CLI] } : {};
  let d1: KeepalivedProcess | undefined;
  let d2: KeepalivedProcess | undefined;
  let hogs: CpuHogs | undefined;
  try {
    d1 = lab.startKeepalived('d1', conf(150, 'MASTER'), opts);
    d2 = lab.startKeepalived('d2', conf(100, 'BACKUP'), opts);
    await d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await d2.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 20_000);
    await lab.waitForVip('d1', vip, true);
    if (load === 'busy') hogs = new CpuHogs(2);
    // past the start-up GARP bursts and, when busy, into a saturated scheduler
    await sleep(1500);
    const cap = await lab.capture('client', 'ip proto 112');
    await sleep(seconds * 1000);
    const pcap = await cap.stop();
    await hogs?.stop();
    hogs = undefined;
    const rows = await tsharkFields(pcap, ['frame.time_epoch', 'ip.src']);
    const d1Times = rows.filter(([, src]) => src === lab.addr4('d1')).map(([t]) => Number(t) * 1000);
    const fromBackup = rows.filter(([, src]) => src === lab.addr4('d2')).length;
    const intervals: number[] = [];
    for (let i = 1; i < d1Times.length; i++) intervals.push(d1Times[i]! - d1Times[i - 1]!);
    return { impl, load, rep, adverts: d1Times.length, intervals, fromBackup };
  } catch (e) {
    return { impl, load, rep, adverts: 0, intervals: [], fromBackup: 0, error: (e as Error).message.split('\n')[0]! };
  } finally {
    await hogs?.stop();
    for (const p of [d1, d2]) if (p && p.running) await p.stop({ timeoutMs: 15_000 }).catch(() => p.kill().catch(() => undefined));
  }
}

interface Summary {
  readonly n: number;
  readonly meanMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly latest: number;
  readonly earliest: number;
  readonly missing: number;
}

function summarise(intervals: readonly number[]): Summary {
  const dev = intervals.map((i) => i - INTERVAL_MS);
  const abs = dev.map(Math.abs);
  return {
    n: intervals.length,
    meanMs: intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length),
    p50: percentile(abs, 50),
    p99: percentile(abs, 99),
    max: max(abs),
    latest: max(dev),
    earliest: min(dev),
    missing: intervals.filter((i) => i > 1.5 * INTERVAL_MS).length,
  };
}

async function main(): Promise<void> {
  const skip = labSkipReason({ keepalived: true, capture: true });
  if (skip) {
    process.stdout.write(`advert-timing: skipped: ${skip}\n`);
    return;
  }
  const seconds = numberFlag('--seconds', 20, 1, 3600);
  const reps = numberFlag('--reps', 1, 1, 20);
  const jsonOut = flag('--json');
  const startedIso = new Date().toISOString();
  const loadBefore = loadLine();
  const runs: Run[] = [];
  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false });
  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const load of ['idle', 'busy'] as const) {
        const order: Impl[] = (rep + (load === 'busy' ? 1 : 0)) % 2 === 1 ? ['keepalived-ts', 'keepalived'] : ['keepalived', 'keepalived-ts'];
        for (const impl of order) {
          const r = await measure(lab, impl, load, rep, seconds);
          runs.push(r);
          const s = summarise(r.intervals);
          process.stderr.write(
            `[advert-timing] rep ${rep} ${load} ${impl.padEnd(13)} ${r.error ? `ERROR ${r.error}` : `${r.adverts} adverts, mean ${fixed(s.meanMs, 3)} ms, |dev| p50 ${fixed(s.p50, 2)} p99 ${fixed(s.p99, 2)} max ${fixed(s.max, 2)} ms, d2 adverts ${r.fromBackup}`}\n`,
          );
        }
      }
    }
  } finally {
    await lab.destroy();
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ startedIso, seconds, reps, runs }, null, 1));

  const out: string[] = [];
  out.push(`advert timing: ${startedIso}; ${machineLine()}; load average before ${loadBefore}, after ${loadLine()}`);
  out.push(`VRRPv3 advert_int ${ADVERT_INT}, MASTER's adverts captured on the client for ${seconds} s per run, ${reps} run(s) per cell; deviation = interval − ${INTERVAL_MS} ms`);
  out.push('');
  out.push('| load | implementation | intervals | mean interval ms | \\|dev\\| p50 ms | \\|dev\\| p99 ms | \\|dev\\| max ms | latest / earliest ms | missing adverts | backup adverts | p99 ≤ 5 ms |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  const ratioRows: string[] = [];
  for (const load of ['idle', 'busy'] as const) {
    const per: Partial<Record<Impl, Summary>> = {};
    for (const impl of ['keepalived-ts', 'keepalived'] as const) {
      const rs = runs.filter((r) => r.impl === impl && r.load === load && !r.error);
      const s = summarise(rs.flatMap((r) => r.intervals));
      per[impl] = s;
      const errors = runs.filter((r) => r.impl === impl && r.load === load && r.error).map((r) => r.error);
      out.push(
        `| ${load} | ${impl} | ${s.n} | ${fixed(s.meanMs, 3)} | ${fixed(s.p50, 2)} | ${fixed(s.p99, 2)} | ${fixed(s.max, 2)} | +${fixed(s.latest, 2)} / ${fixed(s.earliest, 2)} | ${s.missing} | ${rs.reduce((a, r) => a + r.fromBackup, 0)} |` +
          ` ${s.p99 <= TARGET_P99_MS ? 'yes' : 'NO'}${errors.length ? ` (errors: ${errors.join('; ')})` : ''} |`,
      );
    }
    const a = per['keepalived-ts']!;
    const b = per.keepalived!;
    ratioRows.push(`${load}: p50 ${fixed(a.p50 / b.p50, 2)}×, p99 ${fixed(a.p99 / b.p99, 2)}×, max ${fixed(a.max / b.max, 2)}×`);
  }
  out.push('');
  out.push(`ratios keepalived-ts / keepalived of |deviation|: ${ratioRows.join('; ')}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`advert-timing failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

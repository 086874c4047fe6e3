/**
 * Dual-master time under a heartbeat cut (issue 6): two directors, the IP path between them cut
 * with nft drops while both stay reachable from the rest of the segment (the witness, clients);
 * how long both hold the VIP, and how soon keepalived-ts reports it.
 *
 *   npx tsc -p . && node dist/bench/dual-master.js                   (root; 3 repetitions per cell)
 *   node dist/bench/dual-master.js --reps 5 --cut-s 20 --json dual.json
 *
 * Lab (test/integration/lab.ts): d1 (priority 150, MASTER), d2 (100, BACKUP) and w on one bridge,
 * VRRPv2 advert_int 1, one VIP — the seed's shape. Each trial starts both daemons afresh, waits
 * for d1 MASTER with the VIP, then drops all IP traffic both ways between d1 and d2 (lab.dropIp:
 * adverts and votes; ARP still passes, as through a firewall) for --cut-s seconds, then heals. A sampler reads both namespaces' addresses every --sample-ms:
 * dual-master time = the sampled time both held the VIP; time to detect = from the first sample
 * with both holding to the first conflict report a director logged (keepalived-ts's VIP conflict
 * probes, "… is also held by …"; 0 = reported before the next sample saw two holders: the new
 * master's takeover GARPs reach the old one at once); after heal = how long two holders remained
 * after the heal.
 * Cells: keepalived 2.2.7 pair; keepalived-ts pair (conflict probes every 2 s, the default);
 * keepalived-ts pair with a `keepalived-ts witness` on w (witness_lease default 3 × advert_int).
 */
import * as fs from 'node:fs';
import { CLI } from '../test/cli/run.js';
import { configText, instanceBlock } from '../test/integration/daemon-lab.js';
import { epochMs, Lab, labSkipReason, sleep, type LabProcess } from '../test/integration/lab.js';
import { fixed, flag, loadLine, machineLine, max, median, numberFlag } from './lab-bench.js';

type Impl = 'keepalived' | 'keepalived-ts' | 'keepalived-ts+witness';

const IMPL_NAMES: Readonly<Record<Impl, string>> = {
  keepalived: 'keepalived 2.2.7',
  'keepalived-ts': 'keepalived-ts, no witness',
  'keepalived-ts+witness': 'keepalived-ts with a witness',
};
const WITNESS_PORT = 7789;
const WITNESS_SECRET = 'dual-master-bench';

interface Trial {
  readonly impl: Impl;
  readonly rep: number;
  /** ms both directors held the VIP while the path was cut. */
  readonly dualDuringCutMs: number;
  /** ms from the first sample with two holders to the first conflict report (undefined: none). */
  readonly detectMs?: number;
  /** Which directors reported a conflict. */
  readonly reportedBy: readonly string[];
  /** ms two holders remained after the heal. */
  readonly dualAfterHealMs: number;
  readonly error?: string;
}

const VRID = 51;
const CONFLICT_LINE = /\) VIP \S+ is also held by /;

async function holds(lab: Lab, node: string, vip: string): Promise<boolean> {
  try {
    return await lab.hasAddress(node, vip);
  } catch {
    return false;
  }
}

async function runTrial(lab: Lab, impl: Impl, rep: number, cutMs: number, sampleMs: number): Promise<Trial> {
  const vip = lab.v4(200);
  const witness = impl === 'keepalived-ts+witness';
  const global = (peer: string) => (witness ? [`witness ${lab.addr4('w')} ${WITNESS_PORT}`, `witness_secret ${WITNESS_SECRET}`, 'vote_peers {', `    ${lab.addr4(peer)}`, '}'] : []);
  const conf = (prio: number, state: 'MASTER' | 'BACKUP', peer: string) =>
    configText([instanceBlock({ state, vrid: VRID, priority: prio, version: 2, advertInt: '1', vips: [`${vip}/24`] })], global(peer));
  const opts = impl === 'keepalived' ? {} : { command: [process.execPath, CLI] };
  const directors: Record<string, LabProcess> = {};
  try {
    if (witness) {
      const secretFile = lab.writeFile('witness.secret', `${WITNESS_SECRET}\n`, 0o600);
      const w = lab.startProcess('w', [process.execPath, CLI, 'witness', '--listen', `${lab.addr4('w')}:${WITNESS_PORT}`, '--secret-file', secretFile, '--max-lease', '3']);
      directors.w = w;
      await w.waitForLog(/witness: listening on/, 15_000);
    }
    directors.d1 = lab.startKeepalived('d1', conf(150, 'MASTER', 'd2'), opts);
    directors.d2 = lab.startKeepalived('d2', conf(100, 'BACKUP', 'd1'), opts);
    await directors.d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await directors.d2.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 20_000);
    await lab.waitForVip('d1', vip, true);
    const from = { d1: directors.d1.lines.length, d2: directors.d2.lines.length };

    await lab.dropIp('d1', 'd2');
    await lab.dropIp('d2', 'd1');
    const cutAt = epochMs();
    let dualDuringCutMs = 0;
    let firstDual: number | undefined;
    let detectedAt: number | undefined;
    const reportedBy = new Set<string>();
    const scanReports = (now: number): void => {
      for (const node of ['d1', 'd2'] as const) {
        if (reportedBy.has(node)) continue;
        if (directors[node]!.lines.slice(from[node]).some((l) => CONFLICT_LINE.test(l))) {
          reportedBy.add(node);
          detectedAt ??= now;
        }
      }
    };
    let last = cutAt;
    while (epochMs() - cutAt < cutMs) {
      await sleep(sampleMs);
      const [a, b] = await Promise.all([holds(lab, 'd1', vip), holds(lab, 'd2', vip)]);
      const now = epochMs();
      if (a && b) {
        firstDual ??= now;
        dualDuringCutMs += now - last;
      }
      scanReports(now);
      last = now;
    }
    await lab.heal();
    const healAt = epochMs();
    let dualAfterHealMs = 0;
    last = healAt;
    for (;;) {
      const [a, b] = await Promise.all([holds(lab, 'd1', vip), holds(lab, 'd2', vip)]);
      const now = epochMs();
      if (!(a && b)) break;
      dualAfterHealMs += now - last;
      last = now;
      if (now - healAt > 15_000) break;
      await sleep(sampleMs);
    }
    return {
      impl,
      rep,
      dualDuringCutMs,
      ...(firstDual !== undefined && detectedAt !== undefined ? { detectMs: Math.max(0, detectedAt - firstDual) } : {}),
      reportedBy: [...reportedBy].sort(),
      dualAfterHealMs,
    };
  } catch (e) {
    return { impl, rep, dualDuringCutMs: NaN, reportedBy: [], dualAfterHealMs: NaN, error: (e as Error).message.split('\n')[0]! };
  } finally {
    await lab.heal().catch(() => {});
    for (const d of Object.values(directors)) await d.stop().catch(() => d.kill());
    for (const node of ['d1', 'd2']) await lab.exec(node, 'ip', ['addr', 'del', `${vip}/24`, 'dev', 'eth0']).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const skip = labSkipReason({ keepalived: true });
  if (skip) {
    process.stdout.write(`dual-master: skipped: ${skip}\n`);
    return;
  }
  const reps = numberFlag('--reps', 3, 1, 50);
  const cutMs = numberFlag('--cut-s', 15, 5, 600) * 1000;
  const sampleMs = numberFlag('--sample-ms', 100, 20, 1000);
  const jsonOut = flag('--json');
  const startedIso = new Date().toISOString();
  const loadBefore = loadLine();
  const trials: Trial[] = [];
  const lab = await Lab.create({ nodes: ['d1', 'd2', 'w'], client: true, ipv6: false });
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const all: Impl[] = ['keepalived-ts', 'keepalived', 'keepalived-ts+witness'];
      // rotate the order, so a drift in machine load hits every cell alike
      const order = all.map((_, i) => all[(i + rep - 1) % all.length]!);
      for (const impl of order) {
        const t = await runTrial(lab, impl, rep, cutMs, sampleMs);
        trials.push(t);
        process.stderr.write(
          `[dual-master] rep ${rep} ${impl.padEnd(21)} ${t.error ? `ERROR ${t.error}` : `dual ${fixed(t.dualDuringCutMs, 0)} ms of ${cutMs} ms cut, detected ${t.detectMs === undefined ? 'never' : `${fixed(t.detectMs, 0)} ms`} by [${t.reportedBy.join(',')}], after heal ${fixed(t.dualAfterHealMs, 0)} ms`}\n`,
        );
        await sleep(300);
      }
    }
  } finally {
    await lab.destroy();
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ startedIso, reps, cutMs, sampleMs, trials }, null, 1));
  process.stdout.write(report(trials, { startedIso, loadBefore, reps, cutMs, sampleMs }));
}

function report(trials: readonly Trial[], r: { startedIso: string; loadBefore: string; reps: number; cutMs: number; sampleMs: number }): string {
  const out: string[] = [];
  out.push(`Run ${r.startedIso}; ${machineLine()}; load before: ${r.loadBefore}`);
  out.push(`${r.reps} trial(s) per cell, all IP between the directors cut both ways for ${r.cutMs / 1000} s, sampled every ${r.sampleMs} ms.`);
  out.push('');
  out.push('| pair | trials | dual master during the cut, ms (median / max) | share of the cut | detected after, ms (median / max) | reported by | two holders after heal, ms (max) |');
  out.push('|---|---|---|---|---|---|---|');
  for (const impl of ['keepalived', 'keepalived-ts', 'keepalived-ts+witness'] as const) {
    const ok = trials.filter((t) => t.impl === impl && !t.error);
    const dual = ok.map((t) => t.dualDuringCutMs);
    const detect = ok.flatMap((t) => (t.detectMs === undefined ? [] : [t.detectMs]));
    const reporters = ok.map((t) => `[${t.reportedBy.join(',')}]`).join(' ');
    out.push(
      `| ${IMPL_NAMES[impl]} | ${ok.length}${ok.length < trials.filter((t) => t.impl === impl).length ? ' (+errors)' : ''} | ${fixed(median(dual), 0)} / ${fixed(max(dual), 0)} | ${fixed((100 * median(dual)) / r.cutMs, 0)} % | ${detect.length ? `${fixed(median(detect), 0)} / ${fixed(max(detect), 0)}` : 'never'} | ${reporters} | ${fixed(max(ok.map((t) => t.dualAfterHealMs)), 0)} |`,
    );
  }
  for (const t of trials.filter((x) => x.error)) out.push(`\nerror: ${t.impl} rep ${t.rep}: ${t.error}`);
  return out.join('\n') + '\n';
}

void main().catch((e) => {
  process.stderr.write(`dual-master: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});

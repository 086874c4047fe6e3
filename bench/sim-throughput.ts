/**
 * Benchmark: how fast the deterministic cluster simulator runs a large cluster, in simulated
 * seconds per wall-clock second.
 *
 *   npx tsc -p . && node dist/bench/sim-throughput.js            (all cases, 3 runs each, median)
 *   node dist/bench/sim-throughput.js --runs 5                   (more runs)
 *   node dist/bench/sim-throughput.js --case v3-0.01 --inv off   (one case, one run, JSON out)
 *
 * Cluster: 3 nodes (n1..n3, eth0 10.0.0.k on one segment) × 255 VRIDs. Every node's
 * keepalived.conf has 255 vrrp_instance blocks on eth0 (VI_1..VI_255, virtual_router_id 1..255,
 * multicast, one VIP each: 192.168.<vrid>.1/24); priorities 250/200/150 rotate across the nodes
 * per VRID, so each node is MASTER of 85 VRIDs. Cases: v2 at advert_int 1, v3 at advert_int 1,
 * v3 at advert_int 0.01 (v2 cannot do sub-second intervals).
 *
 * Each run is a fresh child process (own heap, own JIT). It builds the cluster (config text →
 * loadConfigText, as the simulator always does), starts the three nodes at t=0, runs a convergence
 * phase (10 s simulated at advert_int 1, 1 s at 0.01), checks that every VRID has exactly one
 * MASTER (the priority-250 node), then measures the wall time of a further run (120 simulated
 * seconds at advert_int 1, 10 at 0.01) and checks nothing changed state during it. Invariant
 * checking (ClusterOptions.checkInvariants) is ON or OFF for the whole run.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SimCluster, type SimNodeSpec } from '../src/platform/sim/cluster.js';

const S = 1_000_000;
const NODES = 3;
const VRIDS = 255;
const PRIORITIES = [250, 200, 150];

interface Case {
  readonly id: string;
  readonly version: 2 | 3;
  readonly advertInt: string;
  readonly convergeUs: number;
  readonly measureUs: number;
}

const CASES: readonly Case[] = [
  { id: 'v2-1', version: 2, advertInt: '1', convergeUs: 10 * S, measureUs: 120 * S },
  { id: 'v3-1', version: 3, advertInt: '1', convergeUs: 10 * S, measureUs: 120 * S },
  { id: 'v3-0.01', version: 3, advertInt: '0.01', convergeUs: 1 * S, measureUs: 10 * S },
];

function priorityOf(node: number, vrid: number): number {
  return PRIORITIES[(vrid + node) % NODES]!;
}

export function nodeConfig(node: number, c: Case): string {
  const name = `n${node + 1}`;
  const out = ['global_defs {', `  router_id ${name}`, `  vrrp_version ${c.version}`, '}', ''];
  for (let v = 1; v <= VRIDS; v++) {
    out.push(
      `vrrp_instance VI_${v} {`,
      '  state BACKUP',
      '  interface eth0',
      `  virtual_router_id ${v}`,
      `  priority ${priorityOf(node, v)}`,
      `  advert_int ${c.advertInt}`,
      '  virtual_ipaddress {',
      `    192.168.${v}.1/24`,
      '  }',
      '}',
    );
  }
  return out.join('\n') + '\n';
}

function nodeSpecs(c: Case): SimNodeSpec[] {
  return Array.from({ length: NODES }, (_, k) => ({
    name: `n${k + 1}`,
    config: nodeConfig(k, c),
    interfaces: [{ name: 'eth0', segment: 'lan0', ipv4: [`10.0.0.${k + 1}`] }],
  }));
}

export interface RunResult {
  readonly case: string;
  readonly invariants: boolean;
  readonly setupMs: number;
  readonly convergeWallMs: number;
  readonly simulatedS: number;
  readonly wallMs: number;
  readonly simPerWall: number;
  readonly cpuMs: number;
  readonly advertsSent: number;
  readonly framesDelivered: number;
  readonly steps: number;
  readonly stateChangesDuring: number;
  readonly violations: number;
  readonly rssMB: number;
}

/** Checks that every VRID has exactly one MASTER, the node with priority 250. */
function checkConverged(cl: SimCluster): void {
  for (let v = 1; v <= VRIDS; v++) {
    const m = cl.masters(`VI_${v}`);
    const want = `n${PRIORITIES.findIndex((_, k) => priorityOf(k, v) === 250) + 1}`;
    if (m.length !== 1 || m[0] !== want) throw new Error(`VI_${v}: masters [${m.join(',')}], expected [${want}]`);
  }
}

export function runOne(c: Case, invariants: boolean): RunResult {
  const t0 = performance.now();
  const cl = new SimCluster({ seed: 1, checkInvariants: invariants });
  for (const s of nodeSpecs(c)) cl.addNode(s);
  for (let k = 1; k <= NODES; k++) cl.start(`n${k}`);
  const t1 = performance.now();
  cl.runUntil(c.convergeUs);
  const t2 = performance.now();
  checkConverged(cl);
  const before = { ...cl.stats, delivered: cl.stats.framesDelivered };
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  cl.runFor(c.measureUs);
  const w1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  checkConverged(cl);
  const wallMs = w1 - w0;
  return {
    case: c.id,
    invariants,
    setupMs: t1 - t0,
    convergeWallMs: t2 - t1,
    simulatedS: c.measureUs / S,
    wallMs,
    simPerWall: c.measureUs / S / (wallMs / 1000),
    cpuMs: (cpu.user + cpu.system) / 1000,
    advertsSent: cl.stats.advertsSent - before.advertsSent,
    framesDelivered: cl.stats.framesDelivered - before.delivered,
    steps: cl.stats.steps - before.steps,
    stateChangesDuring: cl.stats.stateChanges - before.stateChanges,
    violations: cl.violations.length,
    rssMB: process.memoryUsage().rss / 2 ** 20,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number, d = 1) => x.toFixed(d);
const sig = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

function main(): void {
  const one = arg('--case');
  if (one !== undefined) {
    const c = CASES.find((x) => x.id === one);
    if (!c) throw new Error(`no case ${one} (${CASES.map((x) => x.id).join(', ')})`);
    const r = runOne(c, arg('--inv') !== 'off');
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const runs = Number(arg('--runs') ?? 3);
  const self = fileURLToPath(import.meta.url);
  console.log(`sim-throughput: ${NODES} nodes × ${VRIDS} VRIDs, ${runs} runs per row (each a fresh process), median`);
  console.log(`host: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log('');
  const header = ['case', 'invariants', 'sim s', 'wall s', 'sim s / wall s', 'runs (sim s / wall s)', 'adverts / wall s', 'frames deliv.', 'steps', 'setup ms', 'converge wall ms', 'RSS MB'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  let bad = false;
  for (const c of CASES) {
    for (const inv of [true, false]) {
      const rs: RunResult[] = [];
      for (let i = 0; i < runs; i++) {
        const p = spawnSync(process.execPath, [self, '--case', c.id, '--inv', inv ? 'on' : 'off'], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (p.status !== 0) {
          console.error(p.stderr);
          throw new Error(`run ${c.id} inv=${inv} failed`);
        }
        rs.push(JSON.parse(p.stdout.trim().split('\n').pop()!) as RunResult);
      }
      for (const r of rs) if (r.stateChangesDuring || r.violations) bad = true;
      const label = c.version === 2 ? `v2, advert_int ${c.advertInt}` : `v3, advert_int ${c.advertInt}`;
      const wall = median(rs.map((r) => r.wallMs)) / 1000;
      console.log(
        `| ${[
          label,
          inv ? 'ON' : 'OFF',
          fmt(c.measureUs / S, 0),
          fmt(wall, 2),
          `**${sig(median(rs.map((r) => r.simPerWall)))}**`,
          rs.map((r) => sig(r.simPerWall)).join(', '),
          fmt(median(rs.map((r) => r.advertsSent / (r.wallMs / 1000))), 0),
          rs[0]!.framesDelivered,
          rs[0]!.steps,
          fmt(median(rs.map((r) => r.setupMs)), 0),
          fmt(median(rs.map((r) => r.convergeWallMs)), 0),
          fmt(median(rs.map((r) => r.rssMB)), 0),
        ].join(' | ')} |`,
      );
    }
  }
  if (bad) {
    console.log('\nWARNING: some run saw state changes or invariant violations during the measured window');
    process.exitCode = 1;
  }
}

main();

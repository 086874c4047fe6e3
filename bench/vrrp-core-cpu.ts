/**
 * Benchmark: the CPU cost of the pure VRRP core for 1,000 instances at advert_int 1 — the share
 * of one CPU core that the state machines, the advert codec and the receive checks need, without
 * any I/O. Real sockets, syscalls, netlink and the event loop come with the Linux driver (issue 4)
 * and are NOT in these figures.
 *
 *   npx tsc -p . && node dist/bench/vrrp-core-cpu.js             (all modes, 3 runs each, median)
 *   node dist/bench/vrrp-core-cpu.js --runs 5
 *   node dist/bench/vrrp-core-cpu.js --mode master-heap --version 2   (one run, JSON out)
 *
 * 1,000 vrrp_instance blocks (eth0..eth3 × VRIDs 1..250, advert_int 1, one VIP each, multicast),
 * read from keepalived.conf text through the real config path, one VrrpInstanceCore each. Instance
 * i starts at i ms, so the 1,000 timers are spread over the second as on a real host (started at
 * the same instant they would all fire at the same µs). Time is simulated: the driver loop jumps
 * from one event to the next; 60 simulated seconds of warm-up, then 600 measured.
 * process.cpuUsage() (user + system, whole process, GC included) over the measured part, divided
 * by the simulated seconds, is the CPU time needed per second of real operation.
 *
 * Modes:
 *   master-heap       priority 200, no peer: every instance becomes MASTER and, each second, its
 *                     timer fires ('timer' event → send-advert action) and the driver encodes the
 *                     advert with encodeIPv4Advert (IP header + VRRP message + checksums) as the
 *                     Linux driver would before sendmsg. The driver keeps its own timer heap
 *                     (one entry per core, lazy deletion).
 *   master-core       the same without the encoding: the state machines alone.
 *   master-engine     as master-heap, but woken through VrrpEngine.nextWakeup() / tick() (what
 *                     the simulator does; both scan every instance).
 *   backup-heap       priority 100: every instance stays BACKUP and receives one advert per
 *                     second from a priority-200 master (real bytes, encoded once per instance):
 *                     the driver demultiplexes by (interface, VRID) through a Map, runs
 *                     checkReceivedAdvert (receive-checks.ts) and feeds the core an 'advert' event;
 *                     the core re-arms its master-down timer (driver heap as above).
 *   backup-engine     as backup-heap, but through VrrpEngine.handle(name, …) / nextWakeup().
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadNodeConfig } from '../src/platform/sim/cluster.js';
import { engineFromConfig } from '../src/vrrp/engine-from-config.js';
import type { VrrpInstanceCore } from '../src/vrrp/instance.js';
import type { Action } from '../src/vrrp/instance-types.js';
import { encodeIPv4Advert, VRRP_MCAST_GROUP4 } from '../src/vrrp/packet.js';
import { checkReceivedAdvert, type ReceiverContext } from '../src/vrrp/receive-checks.js';
import type { VrrpEngine } from '../src/vrrp/engine.js';

const S = 1_000_000;
const IFACES = 4;
const PER_IFACE = 250;
const N = IFACES * PER_IFACE;
const WARMUP_S = 60;
const MEASURE_S = 600;
const MODES = ['master-heap', 'master-core', 'master-engine', 'backup-heap', 'backup-engine'] as const;
type Mode = (typeof MODES)[number];

function configText(priority: number, version: 2 | 3): string {
  const out = ['global_defs {', '  router_id bench', `  vrrp_version ${version}`, '}', ''];
  for (let k = 0; k < IFACES; k++)
    for (let v = 1; v <= PER_IFACE; v++)
      out.push(
        `vrrp_instance VI_${k}_${v} {`,
        '  state BACKUP',
        `  interface eth${k}`,
        `  virtual_router_id ${v}`,
        `  priority ${priority}`,
        '  advert_int 1',
        '  virtual_ipaddress {',
        `    10.${100 + k}.${v}.1/32`,
        '  }',
        '}',
      );
  return out.join('\n') + '\n';
}

const ifaceAddr = (k: number, host: number) => `10.0.${k}.${host}`;

function buildEngine(priority: number, version: 2 | 3): VrrpEngine {
  const { config } = loadNodeConfig({
    name: 'bench',
    config: configText(priority, version),
    interfaces: Array.from({ length: IFACES }, (_, k) => ({ name: `eth${k}`, segment: `lan${k}`, ipv4: [ifaceAddr(k, 1)] })),
  });
  const engine = engineFromConfig(config);
  if (engine.instances.length !== N) throw new Error(`expected ${N} instances, got ${engine.instances.length}`);
  return engine;
}

/** Min-heap of (time, core index) with lazy deletion against `scheduled`. */
class WakeHeap {
  private readonly at: number[] = [];
  private readonly idx: number[] = [];
  get size(): number {
    return this.at.length;
  }
  peekAt(): number {
    return this.at.length ? this.at[0]! : Infinity;
  }
  peekIdx(): number {
    return this.idx[0]!;
  }
  push(t: number, i: number): void {
    const a = this.at;
    const x = this.idx;
    let k = a.length;
    a.push(t);
    x.push(i);
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (a[p]! <= t) break;
      a[k] = a[p]!;
      x[k] = x[p]!;
      k = p;
    }
    a[k] = t;
    x[k] = i;
  }
  pop(): void {
    const a = this.at;
    const x = this.idx;
    const lt = a.pop()!;
    const li = x.pop()!;
    const n = a.length;
    if (!n) return;
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && a[r]! < a[l]! ? r : l;
      if (a[m]! >= lt) break;
      a[k] = a[m]!;
      x[k] = x[m]!;
      k = m;
    }
    a[k] = lt;
    x[k] = li;
  }
}

interface Driver {
  encode: boolean;
  sent: number;
  bytes: number;
  ipId: Int32Array;
  stateChanges: number;
}

function execute(d: Driver, cores: readonly VrrpInstanceCore[], index: Map<string, number>, actions: readonly Action[]): void {
  for (const a of actions) {
    if (a.type === 'send-advert') {
      d.sent++;
      if (!d.encode) continue;
      const i = index.get(a.owner)!;
      const s = cores[i]!.settings;
      const id = d.ipId[i]!;
      d.ipId[i] = (id + 1) & 0xffff || 1;
      const pkt = encodeIPv4Advert({
        version: s.version,
        family: 'inet',
        vrid: s.vrid,
        priority: a.priority,
        advertIntUs: s.advertInt,
        addresses: s.vips.map((v) => v.address),
        src: ifaceAddr(Math.floor(i / PER_IFACE), 1),
        dst: VRRP_MCAST_GROUP4,
        ipId: id,
        ttl: 255,
      });
      d.bytes += pkt.length;
    } else if (a.type === 'state-changed') d.stateChanges++;
  }
}

export interface RunResult {
  readonly mode: Mode;
  readonly version: 2 | 3;
  readonly simulatedS: number;
  readonly cpuUs: number;
  readonly wallMs: number;
  /** CPU µs per simulated second = % of one core × 10⁴. */
  readonly cpuUsPerSimS: number;
  readonly percentOfCore: number;
  readonly advertsSent: number;
  readonly advertsReceived: number;
  readonly rejected: number;
  readonly stateChangesMeasured: number;
  readonly masters: number;
  readonly backups: number;
}

export function runOne(mode: Mode, version: 2 | 3): RunResult {
  const master = mode.startsWith('master');
  const viaEngine = mode.endsWith('engine');
  const engine = buildEngine(master ? 200 : 100, version);
  const cores = engine.instances;
  const index = new Map<string, number>(cores.map((c, i) => [c.name, i]));
  const d: Driver = { encode: mode !== 'master-core', sent: 0, bytes: 0, ipId: new Int32Array(N).fill(1), stateChanges: 0 };

  // start instance i at i ms
  const phase = (i: number) => i * 1000;
  for (let i = 0; i < N; i++) {
    const k = Math.floor(i / PER_IFACE);
    execute(d, cores, index, cores[i]!.handle({ type: 'start', now: phase(i), primaryAddress: ifaceAddr(k, 1), trackers: [{ kind: 'interface', name: `eth${k}`, up: true }] }));
  }

  // backups: the peer master's advert for each instance (what recvmsg would hand the driver)
  const rxBytes: Uint8Array[] = [];
  const rxKey: string[] = [];
  const ctx: ReceiverContext[] = [];
  const demux = new Map<string, number>();
  const peer = (i: number) => ifaceAddr(Math.floor(i / PER_IFACE), 2);
  if (!master) {
    for (let i = 0; i < N; i++) {
      const s = cores[i]!.settings;
      const vips = s.vips.map((v) => v.address);
      rxBytes.push(
        encodeIPv4Advert({ version, family: 'inet', vrid: s.vrid, priority: 200, advertIntUs: s.advertInt, addresses: vips, src: peer(i), dst: VRRP_MCAST_GROUP4, ipId: 1 }),
      );
      rxKey.push(`${s.interface}|${s.vrid}`);
      demux.set(`${s.interface}|${s.vrid}`, i);
      ctx.push({ iname: s.name, family: 'inet', version, vrid: s.vrid, authType: 'none', advertIntUs: s.advertInt, vips, unicast: false, isNewMaster: true });
    }
  }
  let received = 0;
  let rejected = 0;
  const receive = (i: number, now: number) => {
    // the driver: socket of interface → (interface, VRID) → instance; then the checks; then the core
    const bytes = rxBytes[i]!;
    const j = demux.get(rxKey[i]!)!;
    const core = cores[j]!;
    const c = ctx[j]!;
    c.isNewMaster = core.state === 'MASTER' || core.masterSource !== peer(j);
    const v = checkReceivedAdvert({ bytes }, c);
    received++;
    if (!v.ok) {
      rejected++;
      return viaEngine ? engine.handle(core.name, { type: 'advert-rejected', now }) : core.handle({ type: 'advert-rejected', now });
    }
    const ev = { type: 'advert' as const, now, advert: { source: v.src, priority: v.advert.priority, advertInterval: v.advert.advertInt, vips: v.advert.addresses, version } };
    return viaEngine ? engine.handle(core.name, ev) : core.handle(ev);
  };

  // timers
  const heap = new WakeHeap();
  const scheduled = new Float64Array(N).fill(-1);
  const resched = (i: number) => {
    const w = cores[i]!.nextWakeup();
    if (w === undefined) {
      scheduled[i] = -1;
      return;
    }
    if (scheduled[i] === w) return;
    scheduled[i] = w;
    heap.push(w, i);
  };
  if (!viaEngine) for (let i = 0; i < N; i++) resched(i);

  // adverts arrive for instance i at s·1 s + phase(i), s ≥ 1
  let nextRx = master ? Infinity : 0; // k-th arrival
  const rxAt = (k: number) => (Math.floor(k / N) + 1) * S + phase(k % N);

  const runUntil = (end: number) => {
    for (;;) {
      const tRx = master ? Infinity : rxAt(nextRx);
      if (viaEngine) {
        const tw = engine.nextWakeup() ?? Infinity;
        if (tw <= tRx) {
          if (tw > end) break;
          execute(d, cores, index, engine.tick(tw));
        } else {
          if (tRx > end) break;
          execute(d, cores, index, receive(nextRx % N, tRx));
          nextRx++;
        }
      } else {
        let tw = heap.peekAt();
        while (tw !== Infinity && scheduled[heap.peekIdx()] !== tw) {
          heap.pop();
          tw = heap.peekAt();
        }
        if (tw <= tRx) {
          if (tw > end) break;
          const i = heap.peekIdx();
          heap.pop();
          scheduled[i] = -1;
          execute(d, cores, index, cores[i]!.handle({ type: 'timer', now: tw }));
          resched(i);
        } else {
          if (tRx > end) break;
          const j = nextRx % N;
          execute(d, cores, index, receive(j, tRx));
          resched(j);
          nextRx++;
        }
      }
    }
  };

  runUntil(WARMUP_S * S);
  const sent0 = d.sent;
  const rx0 = received;
  const sc0 = d.stateChanges;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  runUntil((WARMUP_S + MEASURE_S) * S);
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = cpu.user + cpu.system;
  if (d.bytes < 0) console.log(d.bytes); // keep the encoded bytes observable
  return {
    mode,
    version,
    simulatedS: MEASURE_S,
    cpuUs,
    wallMs,
    cpuUsPerSimS: cpuUs / MEASURE_S,
    percentOfCore: (cpuUs / MEASURE_S / S) * 100,
    advertsSent: d.sent - sent0,
    advertsReceived: received - rx0,
    rejected,
    stateChangesMeasured: d.stateChanges - sc0,
    masters: cores.filter((c) => c.state === 'MASTER').length,
    backups: cores.filter((c) => c.state === 'BACKUP').length,
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

function main(): void {
  const one = arg('--mode');
  if (one !== undefined) {
    if (!(MODES as readonly string[]).includes(one)) throw new Error(`no mode ${one} (${MODES.join(', ')})`);
    const r = runOne(one as Mode, arg('--version') === '3' ? 3 : 2);
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const runs = Number(arg('--runs') ?? 3);
  const self = fileURLToPath(import.meta.url);
  console.log(`vrrp-core-cpu: ${N} instances, advert_int 1, ${WARMUP_S} s warm-up + ${MEASURE_S} s measured (simulated), ${runs} runs per row (each a fresh process), median`);
  console.log(`host: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log('');
  const header = ['mode', 'VRRP', '% of one core', 'runs (%)', 'CPU µs / sim s', 'µs / advert', 'adverts sent', 'adverts recv', 'wall s'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  let bad = false;
  for (const version of [2, 3] as const) {
    for (const mode of MODES) {
      const rs: RunResult[] = [];
      for (let i = 0; i < runs; i++) {
        const p = spawnSync(process.execPath, [self, '--mode', mode, '--version', String(version)], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (p.status !== 0) {
          console.error(p.stderr);
          throw new Error(`run ${mode} v${version} failed`);
        }
        rs.push(JSON.parse(p.stdout.trim().split('\n').pop()!) as RunResult);
      }
      const r0 = rs[0]!;
      const expectSent = mode.startsWith('master') ? N * MEASURE_S : 0;
      const expectRecv = mode.startsWith('backup') ? N * MEASURE_S : 0;
      for (const r of rs)
        if (r.advertsSent !== expectSent || r.advertsReceived !== expectRecv || r.rejected || r.stateChangesMeasured || (mode.startsWith('master') ? r.masters : r.backups) !== N) {
          bad = true;
          console.error(`unexpected: ${JSON.stringify(r)}`);
        }
      const perSimS = median(rs.map((r) => r.cpuUsPerSimS));
      console.log(
        `| ${[
          mode,
          `v${version}`,
          `**${median(rs.map((r) => r.percentOfCore)).toFixed(2)} %**`,
          rs.map((r) => r.percentOfCore.toFixed(2)).join(', '),
          perSimS.toFixed(0),
          (perSimS / N).toFixed(2),
          r0.advertsSent,
          r0.advertsReceived,
          (median(rs.map((r) => r.wallMs)) / 1000).toFixed(2),
        ].join(' | ')} |`,
      );
    }
  }
  if (bad) {
    console.log('\nWARNING: some run did not behave as expected (see stderr)');
    process.exitCode = 1;
  }
}

main();

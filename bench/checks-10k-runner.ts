/**
 * The keepalived-ts side of bench/checks-10k.ts, run inside the bench's network namespace:
 * a CheckRuntime with N TCP_CHECK real servers (delay_loop 1 s, loaded from keepalived.conf text)
 * against the listeners the bench started. Between SIGUSR1 and SIGUSR2 (the bench's window) it
 * measures its own CPU time (every thread: getrusage and the scheduler's per-thread run time), the
 * attempts it finished, the namespace's TCP counters, the start lateness of every attempt, GC time
 * and event-loop utilisation, then prints one JSON line and exits.
 *
 *   node dist/bench/checks-10k-runner.js --servers 10000 --duration 60 --checker native|native-reset|native-epoll|net|none
 *
 * native: TCP_CHECK as the daemon runs it (libc connect, graceful close as keepalived, a connect that
 * completed inside the call taken at once); native-reset: the same with HAProxy's ending (no final
 * ACK, reset); native-epoll: native, but every attempt waits for writability through epoll (the path
 * of real servers farther away than loopback); net: the earlier node:net attempt; none: every
 * attempt ends at once (the cost of the runtime and scheduler alone).
 */
import * as fs from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { loadConfigText } from '../src/config/load.js';
import { staticHostFacts } from '../src/config/host-facts.js';
import { CheckRuntime } from '../src/check/check-runtime.js';
import { createTcpCheckerFactory, tcpCheckerFactory } from '../src/check/tcp-check.js';
import type { CheckerFactory, CheckOutcome } from '../src/check/checker-types.js';
import { netConnectAttempt } from './net-connect-attempt.js';
import { serverAddress, SERVERS_PER_VS } from './checks-10k-layout.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const servers = Number(arg('--servers', '10000'));
const duration = Number(arg('--duration', '60'));
const checker = arg('--checker', 'native');
const ports = Number(arg('--ports', '100'));
const basePort = Number(arg('--base-port', '20000'));

function configText(): string {
  const out: string[] = [];
  for (let v = 0; v * SERVERS_PER_VS < servers; v++) {
    out.push(`virtual_server 10.200.${v >> 8}.${v & 255} 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n`);
    for (let i = v * SERVERS_PER_VS; i < Math.min(servers, (v + 1) * SERVERS_PER_VS); i++) {
      const s = serverAddress(i, ports, basePort);
      out.push(`  real_server ${s.address} ${s.port} {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`);
    }
    out.push('}\n');
  }
  return out.join('');
}

/** Tcp counters of this process's network namespace. */
function tcpCounters(): Record<string, number> {
  const lines = fs.readFileSync('/proc/self/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** CPU time of every thread of this process, ns, as the scheduler counts it. */
function schedNs(): number {
  let sum = 0;
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      sum += Number(fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return sum;
}

const host = staticHostFacts({ hostname: 'bench', interfaces: [] });
const loaded = loadConfigText(configText(), { host });
const virtualServers = loaded.config.lvs.virtualServers;
const realServerCount = virtualServers.reduce((n, vs) => n + vs.realServers.length, 0);
if (realServerCount !== servers) throw new Error(`config has ${realServerCount} real servers, expected ${servers}`);

const immediate: CheckOutcome = { ok: true, reason: 'not checked' };
const factory: CheckerFactory =
  checker === 'native'
    ? tcpCheckerFactory
    : checker === 'native-reset'
      ? createTcpCheckerFactory({ close: 'reset', settleAtOnce: true })
      : checker === 'native-epoll'
      ? createTcpCheckerFactory({ settleAtOnce: false })
      : checker === 'net'
      ? (ctx) => ({ run: (signal) => netConnectAttempt(ctx.target, signal) })
      : () => ({ sharesSignal: true, start: (_signal, done) => done(immediate), run: () => Promise.resolve(immediate) });

let recording = false;
// room for every attempt of a window of up to `--duration` seconds
const lateness = new Float64Array(Math.ceil(servers * (duration + 2) * 1.5));
let latenessCount = 0;
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  if (recording) for (const e of list.getEntries()) gcMs += e.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });

const runtime = new CheckRuntime({
  virtualServers,
  factory: () => factory,
  onLateness: (late) => {
    if (recording && latenessCount < lateness.length) lateness[latenessCount++] = late;
  },
});

/** The bench marks the window with SIGUSR1 (start) and SIGUSR2 (end), so that it measures every process over the same time. */
const windowStart = new Promise<void>((r) => process.once('SIGUSR1', () => r()));
const windowEnd = new Promise<void>((r) => process.once('SIGUSR2', () => r()));

runtime.start();
process.stdout.write('started\n');
await windowStart;
const started = runtime.stats.attemptsFinished;
const tcp0 = tcpCounters();
const cpu0 = process.cpuUsage();
const sched0 = schedNs();
const elu0 = performance.eventLoopUtilization();
const wall0 = performance.now();
recording = true;
await windowEnd;
recording = false;
const wall = (performance.now() - wall0) / 1000;
const elu = performance.eventLoopUtilization(elu0);
const sched = schedNs() - sched0;
const cpu = process.cpuUsage(cpu0);
const tcp1 = tcpCounters();
const finished = runtime.stats.attemptsFinished - started;
const alive = runtime.realServers().filter((r) => r.alive).length;
await runtime.stop();
gcObserver.disconnect();

const sorted = lateness.subarray(0, latenessCount).sort();
const pct = (p: number): number => (latenessCount === 0 ? 0 : sorted[Math.min(latenessCount - 1, Math.ceil((p / 100) * latenessCount) - 1)]!);
process.stdout.write(
  JSON.stringify({
    checker,
    servers,
    alive,
    windowSeconds: wall,
    attemptsFinished: finished,
    attemptsStarted: latenessCount,
    activeOpens: tcp1.ActiveOpens! - tcp0.ActiveOpens!,
    attemptFails: tcp1.AttemptFails! - tcp0.AttemptFails!,
    cpuSchedMs: sched / 1e6,
    cpuRusageMs: (cpu.user + cpu.system) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    latenessUs: { p50: pct(50), p99: pct(99), p999: pct(99.9), max: latenessCount ? sorted[latenessCount - 1] : 0 },
    gcMs,
    eventLoopUtilization: elu.utilization,
  }) + '\n',
);

/**
 * 10,000 TCP checks a second: keepalived-ts's CheckRuntime with 10,000 TCP_CHECK real servers at
 * delay_loop 1 s, then HAProxy checking the same 10,000 servers (`check inter 1s`), one after the
 * other against the same listeners, one run. Reported: CPU time per check (process CPU over the
 * window / connections the listener side completed in it, the same count for both) and, for
 * keepalived-ts, how late attempts start (p50/p99/max).
 *
 *   node dist/bench/checks-10k.js [--servers 10000] [--duration 60] [--warm 4] [--ports 100]
 *                                 [--checkers native,native-reset,haproxy] [--json FILE]
 *
 * `--checkers` picks the phases and their order: native (keepalived-ts as the daemon runs it: libc
 * connect, graceful close as keepalived, a connect that completed inside the call taken at once),
 * native-reset (the same, ending as HAProxy does: no final ACK, reset), native-epoll (native, every
 * attempt waiting for writability through epoll, as for real servers farther than loopback), net
 * (the earlier node:net attempt), none (attempts that end at once: the runtime alone), haproxy.
 *
 * Everything runs in a throw-away network namespace (root needed): the listeners are one process
 * (checks-10k-listener.ts) with `ports` wildcard listening sockets that accept every connection and
 * close it, the real servers are 127.1.x.y on those ports
 * (checks-10k-layout.ts), and the namespace's own TCP counters (PassiveOpens) count the checks.
 * CPU time is the sum over the process's threads of /proc/…/task/…/schedstat (ns precision).
 * Processes are stopped by PID and the namespace is deleted at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestNamespace, namespaceSkipReason } from '../test/integration/netns.js';
import { serverAddress } from './checks-10k-layout.js';

const HAPROXY = '/usr/sbin/haproxy';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const servers = Number(arg('--servers', '10000'));
const duration = Number(arg('--duration', '60'));
const warm = Number(arg('--warm', '4'));
const ports = Number(arg('--ports', '100'));
const basePort = Number(arg('--base-port', '20000'));
const phases = arg('--checkers', 'native,native-reset,haproxy').split(',');
const jsonFile = process.argv.includes('--json') ? arg('--json', '') : undefined;

const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));

function schedNs(pid: number): number {
  let sum = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return sum;
}

/** Tcp counters of the namespace `pid` lives in. */
function tcpCounters(pid: number): Record<string, number> {
  const lines = fs.readFileSync(`/proc/${pid}/net/snmp`, 'utf8').split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

function checkerConfig(): string {
  const lines = [
    'global',
    '  maxconn 4000',
    '  nbthread 1',
    ...(process.env.KTS_BENCH_HAPROXY_LOG ? ['  log stderr local0'] : []),
    'defaults',
    '  mode tcp',
    ...(process.env.KTS_BENCH_HAPROXY_LOG ? ['  log global', '  option log-health-checks'] : []),
    '  timeout client 5s',
    '  timeout connect 3s',
    '  timeout server 5s',
    '  timeout check 3s',
    // HAProxy will not run without a listener; nothing connects to this one
    'frontend unused',
    `  bind 127.0.0.1:${basePort - 1}`,
    '  default_backend checked',
    'backend checked',
    '  default-server check inter 1s',
  ];
  for (let i = 0; i < servers; i++) {
    const s = serverAddress(i, ports, basePort);
    lines.push(`  server s${i} ${s.address}:${s.port}`);
  }
  return lines.join('\n') + '\n';
}

interface PhaseResult {
  readonly phase: string;
  readonly windowSeconds: number;
  /** Connection attempts (SYNs) the listener side received in the window. */
  readonly checks: number;
  readonly cpuMs: number;
  readonly cpuPerCheckUs: number;
  readonly listenerCpuPerCheckUs: number;
  /** The namespace's connections accepted (PassiveOpens) in the window. */
  readonly accepted: number;
  readonly latenessUs?: { p50: number; p99: number; p999: number; max: number };
  readonly extra?: Record<string, unknown>;
}

function started(child: ChildProcess, what: string): number {
  if (child.pid === undefined) throw new Error(`${what} did not start`);
  return child.pid;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(t);
}

/** Counts SYNs to the listening ports: a check is a connection attempt, whether or not the checker completes the handshake. */
function installSynCounter(ns: TestNamespace): void {
  const rules = `table inet ktsbench {\n counter syns {}\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport ${basePort}-${basePort + ports - 1} tcp flags & (syn | ack) == syn counter name syns\n }\n}\n`;
  const r = ns.exec('nft', ['-f', '-'], { input: rules });
  if (r.status !== 0) throw new Error(`nft: ${r.stderr}`);
}

function synCount(ns: TestNamespace): number {
  const r = ns.exec('nft', ['list', 'counter', 'inet', 'ktsbench', 'syns']);
  const m = /packets (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`cannot read the SYN counter: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

/** One window over the processes of a phase: SYNs counted, CPU of the checker and of the listener. */
interface Window {
  readonly seconds: number;
  readonly syns: number;
  readonly accepted: number;
  readonly checkerNs: number;
  readonly listenerNs: number;
}

async function measureWindow(ns: TestNamespace, checkerPid: number, listenerPid: number, onStart: () => void, onEnd: () => void): Promise<Window> {
  const syn0 = synCount(ns);
  const tcp0 = tcpCounters(listenerPid);
  const c0 = schedNs(checkerPid);
  const l0 = schedNs(listenerPid);
  const t0 = performance.now();
  onStart();
  await sleep(duration);
  onEnd();
  const checkerNs = schedNs(checkerPid) - c0;
  const listenerNs = schedNs(listenerPid) - l0;
  const seconds = (performance.now() - t0) / 1000;
  const tcp1 = tcpCounters(listenerPid);
  const syns = synCount(ns) - syn0;
  return { seconds, syns, accepted: tcp1.PassiveOpens! - tcp0.PassiveOpens!, checkerNs, listenerNs };
}

function phaseResult(phase: string, w: Window, rest: Partial<PhaseResult> = {}): PhaseResult {
  return {
    phase,
    windowSeconds: w.seconds,
    checks: w.syns,
    cpuMs: w.checkerNs / 1e6,
    cpuPerCheckUs: w.checkerNs / 1000 / Math.max(1, w.syns),
    listenerCpuPerCheckUs: w.listenerNs / 1000 / Math.max(1, w.syns),
    accepted: w.accepted,
    ...rest,
  };
}

async function runKeepalivedTs(ns: TestNamespace, checker: string, listenerPid: number): Promise<PhaseResult> {
  const runner = fileURLToPath(new URL('./checks-10k-runner.js', import.meta.url));
  const child = spawn(
    'ip',
    ['netns', 'exec', ns.name, process.execPath, runner, '--servers', String(servers), '--duration', String(duration), '--checker', checker, '--ports', String(ports), '--base-port', String(basePort)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = started(child, 'runner');
  try {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    for (let i = 0; !out.includes('started'); i++) {
      if (child.exitCode !== null || i > 600) throw new Error(`runner (${checker}) did not start`);
      await sleep(0.1);
    }
    await sleep(warm);
    let w = await measureWindow(ns, pid, listenerPid, () => child.kill('SIGUSR1'), () => child.kill('SIGUSR2'));
    const code = await exited;
    if (code !== 0) throw new Error(`runner (${checker}) exited with ${code}`);
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      alive: number; attemptsFinished: number; activeOpens: number; attemptFails: number;
      cpuRusageMs: number; gcMs: number; eventLoopUtilization: number; latenessUs: { p50: number; p99: number; p999: number; max: number };
    };
    // with no connections made, the attempts the runtime finished are the checks
    if (checker === 'none') w = { ...w, syns: r.attemptsFinished };
    return phaseResult(`keepalived-ts (${checker})`, w, {
      latenessUs: r.latenessUs,
      extra: { alive: r.alive, attemptsFinished: r.attemptsFinished, activeOpens: r.activeOpens, attemptFails: r.attemptFails, cpuRusageMs: r.cpuRusageMs, gcMs: r.gcMs, eventLoopUtilization: r.eventLoopUtilization },
    });
  } finally {
    await stop(child);
  }
}

async function runHaproxy(ns: TestNamespace, dir: string, listenerPid: number): Promise<PhaseResult> {
  const cfg = path.join(dir, 'checker.cfg');
  fs.writeFileSync(cfg, checkerConfig());
  const child = spawn('ip', ['netns', 'exec', ns.name, HAPROXY, '-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 1 << 16) err += d.toString();
  });
  const pid = started(child, 'haproxy');
  try {
    await sleep(warm);
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${err}`);
    const w = await measureWindow(ns, pid, listenerPid, () => {}, () => {});
    return phaseResult('HAProxy', w, { extra: { comm: fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), ...(err ? { stderr: err.slice(0, 2000) } : {}) } });
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  const skip = namespaceSkipReason();
  if (skip) throw new Error(skip);
  if (!fs.existsSync(HAPROXY)) throw new Error(`${HAPROXY} is not installed`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-checks-'));
  const ns = TestNamespace.create();
  let listener: ChildProcess | undefined;
  const results: PhaseResult[] = [];
  try {
    const listenerScript = fileURLToPath(new URL('./checks-10k-listener.js', import.meta.url));
    listener = spawn('ip', ['netns', 'exec', ns.name, process.execPath, listenerScript, '--ports', String(ports), '--base-port', String(basePort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const listenerPid = started(listener, 'listener');
    installSynCounter(ns);
    const l = listener;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      l.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      });
      l.once('exit', (code) => reject(new Error(`the listener exited with ${code}`)));
    });
    for (const phase of phases) {
      const r = phase === 'haproxy' ? await runHaproxy(ns, dir, listenerPid) : await runKeepalivedTs(ns, phase, listenerPid);
      results.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
      await sleep(2);
    }
  } finally {
    if (listener) await stop(listener);
    ns.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms = (us: number): string => (us / 1000).toFixed(1);
  console.log(`${servers} real servers, TCP check every 1 s, window ${duration} s after ${warm} s warm-up; host ${os.cpus().length}× ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, kernel ${os.release()}`);
  console.log('| checker | checks (SYNs) in window | checks/s | connections accepted | CPU ms | CPU µs per check | listener CPU µs per check | lateness p50 / p99 / p99.9 / max (ms) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const late = r.latenessUs ? `${ms(r.latenessUs.p50)} / ${ms(r.latenessUs.p99)} / ${ms(r.latenessUs.p999)} / ${ms(r.latenessUs.max)}` : 'n/a';
    console.log(`| ${r.phase} | ${r.checks} | ${(r.checks / r.windowSeconds).toFixed(0)} | ${r.accepted} | ${r.cpuMs.toFixed(0)} | ${r.cpuPerCheckUs.toFixed(1)} | ${r.listenerCpuPerCheckUs.toFixed(1)} | ${late} |`);
  }
  const ha = results.find((r) => r.phase === 'HAProxy');
  if (ha) for (const r of results) if (r !== ha && !r.phase.includes('none')) console.log(`${r.phase} / HAProxy CPU per check: ${(r.cpuPerCheckUs / ha.cpuPerCheckUs).toFixed(2)}×`);
  if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify({ servers, duration, warm, ports, results }, null, 2));
}

await main();

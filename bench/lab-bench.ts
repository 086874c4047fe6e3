/**
 * Shared pieces of the lab benchmarks (failover.ts, advert-timing.ts, socket-soak.ts): command-line
 * flags, order statistics, a least-squares slope, a description of the machine, and reading a
 * process's memory and descriptors from /proc. Nothing here measures anything by itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { KEEPALIVED } from '../test/integration/lab.js';

/** `--name VALUE` from argv, or undefined. */
export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name` present (a switch without a value). */
export function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}

/** A numeric flag; throws with the flag's name when it is not a finite number in range. */
export function numberFlag(name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const text = flag(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} ${text}: expected a number in ${min}..${max}`);
  return n;
}

export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in 0..100): the smallest sample with at least p % of the samples at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1]!;
}

export function max(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => (b > a ? b : a), -Infinity);
}

export function min(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => (b < a ? b : a), Infinity);
}

/** Least-squares slope of y over x (units of y per unit of x); NaN with fewer than two points. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den === 0 ? NaN : num / den;
}

export function fixed(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** `kts / keepalived` as `0.93×`, or '—' when either side is missing or zero. */
export function ratio(kts: number, c: number, digits = 2): string {
  return Number.isFinite(kts) && Number.isFinite(c) && c !== 0 ? `${(kts / c).toFixed(digits)}×` : '—';
}

/** One line naming the machine and the software versions, for the head of a result. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${cpu} ×${os.availableParallelism()}, kernel ${os.release()}, Node ${process.version}, ${keepalivedVersion()}`;
}

function keepalivedVersion(): string {
  // keepalived prints its version on stderr
  const r = spawnSync(KEEPALIVED, ['--version'], { encoding: 'utf8' });
  return /Keepalived v[\d.]+/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[0] ?? 'keepalived (version unknown)';
}

/** The 1-minute load average, formatted; other tenants share this machine. */
export function loadLine(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** A process's memory and descriptors as /proc shows them; undefined once it is gone. */
export interface ProcSample {
  readonly rssKb: number;
  readonly fds: number;
  readonly threads: number;
  /** utime + stime in clock ticks (USER_HZ, 100 on Linux). */
  readonly cpuTicks: number;
}

export function procSample(pid: number): ProcSample | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name
    const cpuTicks = Number(rest[11]) + Number(rest[12]);
    return { rssKb, fds, threads, cpuTicks };
  } catch {
    return undefined;
  }
}

/**
 * Busy loops that keep CPUs saturated (`node -e "for(;;){}"`), started outside the lab's
 * namespaces so they compete for the same CPUs as everything else; stopped by their PIDs.
 */
export class CpuHogs {
  private readonly children: ChildProcess[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
      this.children.push(child);
    }
  }

  get pids(): number[] {
    return this.children.flatMap((c) => (c.pid !== undefined ? [c.pid] : []));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return resolve();
            c.once('exit', () => resolve());
            try {
              process.kill(c.pid, 'SIGKILL');
            } catch {
              resolve();
            }
          }),
      ),
    );
  }
}

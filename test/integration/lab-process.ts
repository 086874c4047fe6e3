/**
 * Processes of the integration lab (lab.ts): commands run to completion without blocking the
 * event loop, and long-running processes started in a node's namespace, with their output lines,
 * waits on those lines, a graceful stop and a crash. Processes are found and signalled by PID
 * only (the started PID, its descendants in /proc, and the children named by its pidfiles).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command to completion without blocking the event loop (the lab polls while daemons run). */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}${err.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the command may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

export async function runOk(command: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await runCommand(command, args, opts);
  if (r.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `promise`'s value, or undefined after timeoutMs; the timer is cleared so it never holds the process open. */
export function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Poll `probe` until it returns a value other than undefined; throw `describe()` on timeout. */
export async function pollFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs: number, describe: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(await describe());
    await sleep(everyMs);
  }
}

/** State letter and parent PID from /proc/PID/stat; undefined when the process is gone. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  /* The command name (field 2) may contain spaces and ')', so parse from the last ')'. */
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
}

function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** `root` and all its living descendants, parents before children. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = procStat(Number(entry));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(entry));
    children.set(st.ppid, list);
  }
  const tree: number[] = [];
  const queue = isAlive(root) ? [root] : [];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    for (const child of children.get(pid) ?? []) if (isAlive(child)) queue.push(child);
  }
  return tree;
}

function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(isAlive);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(25);
  }
}

function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function describeExit(e: ExitInfo | undefined): string {
  if (!e) return 'running';
  return e.signal ? `killed by ${e.signal}` : `exit ${e.code}`;
}

export interface StartOptions {
  /** Added to the lab's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * Pidfiles the process writes for its children (e.g. keepalived's -r/-c). kill() also kills
   * those PIDs when they are alive and are either in the process tree or run the same command
   * line (a child orphaned by an earlier kill of its parent).
   */
  readonly pidFiles?: readonly string[];
  /** A name for messages; default `<node>:<argv[0] basename>#<n>`. */
  readonly label?: string;
}

/** A process started in a node's namespace: its output lines, waits on them, stop and crash. */
export class LabProcess {
  /** stdout and stderr lines, in arrival order. */
  readonly lines: string[] = [];
  readonly pid: number;
  /**
   * Resolves when the started process itself has exited (its children may outlive it; see
   * stop/kill). The lab's processes do not keep the test's event loop alive (so a test that
   * forgets destroy() still ends and the exit hook kills them): await waitExit(), which has a
   * timer, rather than this promise alone.
   */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private outputEnded = false;
  private readonly listeners = new Set<() => void>();
  private readonly cmdline: string;

  constructor(
    readonly node: string,
    readonly argv: readonly string[],
    readonly label: string,
    child: ChildProcess,
    private readonly pidFiles: readonly string[],
  ) {
    if (child.pid === undefined) throw new Error(`${label}: could not start ${argv.join(' ')}`);
    this.pid = child.pid;
    this.cmdline = `${argv.join('\0')}\0`;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.lines.push(line);
        this.notify();
      });
    }
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
        /* A child still holding our pipes keeps 'close' from firing; do not wait for it forever. */
        setTimeout(() => this.endOutput(), 250).unref();
      });
      child.on('error', (err) => {
        this.lines.push(`[lab] ${label}: ${err.message}`);
        this.exitInfo ??= { code: null, signal: null };
        resolve(this.exitInfo);
        this.endOutput();
      });
    });
    child.on('close', () => this.endOutput());
    /* A test that forgets destroy() must still end: the exit hook then kills what is left. */
    child.unref();
    for (const s of [child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Wait for the started process to exit on its own; throws after timeoutMs (it is left running). */
  async waitExit(timeoutMs = 15_000): Promise<ExitInfo> {
    const exit = await within(this.exited, timeoutMs);
    if (!exit) throw new Error(`${this.label}: still running after ${timeoutMs} ms; last lines:\n${this.tail()}`);
    return exit;
  }

  /** The last `n` lines, for error messages. */
  tail(n = 15): string {
    return this.lines.slice(-n).join('\n');
  }

  /**
   * Resolve with the first line at index >= fromLine matching `pattern` (lines already received
   * count). Rejects on timeout or when the process has ended without such a line. Pass
   * `proc.lines.length` as fromLine to wait only for lines still to come.
   */
  waitForLog(pattern: RegExp, timeoutMs = 10_000, fromLine = 0): Promise<string> {
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return new Promise((resolve, reject) => {
      let next = fromLine;
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      const check = (): void => {
        for (; next < this.lines.length; next++) {
          const line = this.lines[next]!;
          if (re.test(line)) {
            finish();
            resolve(line);
            return;
          }
        }
        if (this.outputEnded) {
          finish();
          reject(new Error(`${this.label} ended (${describeExit(this.exitInfo)}) without a line matching ${pattern}; last lines:\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.label}: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${this.tail()}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** PIDs in this process's family right now: its tree plus the children named by its pidfiles. */
  pids(): number[] {
    const family = new Set(processTree(this.pid));
    for (const file of this.pidFiles) {
      const pid = readPidFile(file);
      if (pid === undefined || family.has(pid) || !isAlive(pid)) continue;
      /* Outside the tree only when orphaned; the same command line shows it is still ours. */
      if (cmdlineOf(pid) === this.cmdline) family.add(pid);
    }
    return [...family];
  }

  /**
   * Graceful stop: `signal` (default SIGTERM) to the started PID, then wait for it and the
   * children it had to exit. If it does not, everything is SIGKILLed and this throws.
   */
  async stop(opts: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<ExitInfo> {
    const signal = opts.signal ?? 'SIGTERM';
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const family = this.pids();
    /* Once the started process is gone, what is left of its family gets the signal instead. */
    signalPids(this.exitInfo === undefined ? [this.pid] : family, signal);
    const exit = await within(this.exited, timeoutMs);
    const left = await waitGone(family, exit ? timeoutMs : 0);
    if (!exit || left.length > 0) {
      await this.kill();
      throw new Error(
        `${this.label}: ${exit ? `children ${left.join(',')} outlived it` : 'did not exit'} within ${timeoutMs} ms of ${signal}; SIGKILLed. Last lines:\n${this.tail()}`,
      );
    }
    return exit;
  }

  /**
   * A crash: every process of the family is frozen (SIGSTOP, so a parent can neither respawn its
   * child nor pass on a graceful SIGTERM through PR_SET_PDEATHSIG), then SIGKILLed. For keepalived
   * that is the parent and its VRRP/checker children: killing the parent alone is not a crash,
   * because the VRRP child then shuts down cleanly and sends its priority-0 advert.
   */
  async kill(): Promise<ExitInfo> {
    const family = this.pids();
    signalPids(family, 'SIGSTOP');
    signalPids(family, 'SIGKILL');
    const exit = await within(this.exited, 10_000);
    const left = await waitGone(family, 10_000);
    if (!exit || left.length > 0) throw new Error(`${this.label}: PIDs ${left.join(',') || this.pid} still alive after SIGKILL`);
    return exit;
  }

  /** For the process-exit hook: SIGKILL the family without waiting. */
  killNow(): void {
    const family = this.pids();
    signalPids(family, 'SIGSTOP');
    signalPids(family, 'SIGKILL');
  }

  private endOutput(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** keepalived started by Lab.startKeepalived: the files of its run, and its VRRP child. */
export class KeepalivedProcess extends LabProcess {
  constructor(
    node: string,
    argv: readonly string[],
    label: string,
    child: ChildProcess,
    readonly configPath: string,
    readonly pidFile: string,
    readonly vrrpPidFile: string,
    readonly checkersPidFile: string,
  ) {
    super(node, argv, label, child, [vrrpPidFile, checkersPidFile]);
  }

  /** The VRRP child's PID from the -r pidfile (written once the child runs). */
  vrrpPid(): number | undefined {
    return readPidFile(this.vrrpPidFile);
  }

  /** Wait until the VRRP child has written its pidfile and runs. */
  async waitForVrrpChild(timeoutMs = 10_000): Promise<number> {
    return pollFor(
      async () => {
        const pid = this.vrrpPid();
        return pid !== undefined && isAlive(pid) ? pid : undefined;
      },
      timeoutMs,
      50,
      async () => `${this.label}: no VRRP child in ${this.vrrpPidFile} within ${timeoutMs} ms; last lines:\n${this.tail()}`,
    );
  }

  /** Replace the config (when given) and send SIGHUP, keepalived's reload. */
  reload(configText?: string): void {
    if (configText !== undefined) fs.writeFileSync(this.configPath, configText);
    signalPids([this.pid], 'SIGHUP');
  }
}

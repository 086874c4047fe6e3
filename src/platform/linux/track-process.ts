/**
 * vrrp_track_process on Linux: a ProcessMonitor per daemon watches every process on the host,
 * and one ProcessTracker per vrrp_track_process keeps the quorum of the processes matching it
 * (process-quorum.ts) and reports up/down through `onChange`.
 *
 * The monitor uses the kernel's process events connector as keepalived does (fork, exec, comm
 * change and exit as they happen). Where that is unavailable — another network namespace, no
 * CAP_NET_ADMIN, no CONFIG_PROC_EVENTS, or no confirmation from the kernel within a second —
 * it polls /proc instead, every `pollIntervalMs` (default 1 s): a change is then seen up to
 * one interval late, and a process that lives shorter than that may be missed entirely.
 *
 * Matching is keepalived's: without full_command the process name (comm, at most 15
 * characters) must equal `process`; with it, argv[0] must, and with parameters the rest of
 * the command line is compared — exact (all arguments equal), partial (the configured
 * arguments are the first ones), initial (the same, but the last configured argument may be
 * only the start of the real one).
 */
import type { VrrpTrackProcess } from '../../config/model/vrrp.js';
import type { TrackerInit } from '../../vrrp/instance-types.js';
import { silentLog, type LogFn } from './driver-log.js';
import { ProcConnector, type ProcEvent } from './proc-connector.js';
import { readProcess, scanProcesses, type ProcessInfo } from './process-scan.js';
import { ProcessQuorum } from './process-quorum.js';
import { realTimers, type Timers } from './timers.js';

export interface ProcessMatchSpec {
  readonly process: string;
  readonly params?: readonly string[];
  readonly paramMatch: 'none' | 'exact' | 'initial' | 'partial';
  readonly fullCommand: boolean;
}

function paramBytes(params: readonly string[] | undefined): Buffer | undefined {
  if (!params || params.length === 0) return undefined;
  return Buffer.from(params.map((p) => `${p}\0`).join(''));
}

/** keepalived's check_params: `actual` is the command line after argv[0] and its NUL. */
function paramsMatch(mode: ProcessMatchSpec['paramMatch'], wanted: Buffer | undefined, actual: Buffer): boolean {
  if (mode === 'exact' && !wanted && actual.length === 0) return true;
  const wantedLen = wanted?.length ?? 0;
  if (actual.length < wantedLen) return false;
  if (mode === 'exact') return actual.length === wantedLen && (!wanted || actual.subarray(0, wantedLen).equals(wanted));
  if (!wanted) return true;
  if (mode === 'partial') return actual.subarray(0, wantedLen).equals(wanted);
  // initial: the last configured argument may be a prefix of the real one (its NUL is not compared)
  return wantedLen === 1 || actual.subarray(0, wantedLen - 1).equals(wanted.subarray(0, wantedLen - 1));
}

/** Whether `info` is a process `spec` counts (info.cmdline must be present for full-command specs). */
export function processMatches(spec: ProcessMatchSpec, info: ProcessInfo): boolean {
  if (!spec.fullCommand) return !info.zombie && info.comm === spec.process;
  const cmd = info.cmdline;
  if (!cmd || cmd.length === 0) return false;
  const end = cmd.indexOf(0);
  const argv0 = (end === -1 ? cmd : cmd.subarray(0, end)).toString();
  if (argv0 !== spec.process) return false;
  if (spec.paramMatch === 'none') return true;
  const actual = end === -1 ? Buffer.alloc(0) : cmd.subarray(end + 1);
  return paramsMatch(spec.paramMatch, paramBytes(spec.params), actual);
}

/* ------------------------------------------------------------------ monitor */

export interface ProcessMonitorOptions {
  readonly log?: LogFn;
  /** 'auto' (default): the connector when it works, else polling. */
  readonly mode?: 'auto' | 'connector' | 'poll';
  readonly pollIntervalMs?: number;
  /** How long the kernel has to confirm the connector subscription before polling takes over. */
  readonly ackTimeoutMs?: number;
  /** process_monitor_rcv_bufs / _force. */
  readonly receiveBuffer?: { size: number; force: boolean };
  readonly procRoot?: string;
}

/** What the monitor tells each tracker. */
interface ProcessObserver {
  readonly needsCmdline: boolean;
  onFork(parent: number, child: number): void;
  onExec(info: ProcessInfo): void;
  onComm(pid: number, comm: string): void;
  onExit(pid: number): void;
  onRescan(all: ReadonlyMap<number, ProcessInfo>): void;
}

export class ProcessMonitor {
  private readonly log: LogFn;
  private readonly observers = new Set<ProcessObserver>();
  private connector: ProcConnector | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private acked = false;
  private modeNow: 'connector' | 'poll' | undefined;
  /** Rescans done after the kernel dropped events. */
  lostEventRescans = 0;

  constructor(private readonly options: ProcessMonitorOptions = {}) {
    this.log = options.log ?? silentLog;
  }

  /** 'connector' or 'poll' once started. */
  get mode(): 'connector' | 'poll' | undefined {
    return this.modeNow;
  }

  start(): void {
    if (this.modeNow) return;
    const wanted = this.options.mode ?? 'auto';
    if (wanted !== 'poll') {
      try {
        this.connector = ProcConnector.open((e) => this.onEvent(e), this.options.receiveBuffer);
        this.modeNow = 'connector';
        this.ackTimer = setTimeout(() => {
          this.ackTimer = undefined;
          if (this.acked) return;
          this.log('warning', 'WARNING - the kernel does not support proc events - track_process will not work');
          this.fallBackToPolling('no confirmation from the kernel');
        }, this.options.ackTimeoutMs ?? 1000);
        this.ackTimer.unref();
        return;
      } catch (e) {
        if (wanted === 'connector') this.log('error', `Failed to open process monitoring socket - ${(e as Error).message}`);
        else this.log('info', `track_process: process events unavailable (${(e as Error).message}) - polling /proc`);
      }
    }
    if (wanted === 'connector') return;
    this.startPolling();
  }

  stop(): void {
    this.connector?.close();
    this.connector = undefined;
    for (const t of [this.ackTimer, this.rescanTimer]) if (t) clearTimeout(t);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.ackTimer = this.rescanTimer = this.pollTimer = undefined;
    this.modeNow = undefined;
  }

  /** Register a tracker; returns the processes now (for its initial count). */
  attach(observer: ProcessObserver): ReadonlyMap<number, ProcessInfo> {
    this.observers.add(observer);
    this.start();
    return scanProcesses({ cmdline: observer.needsCmdline, ...this.procRootOption() });
  }

  detach(observer: ProcessObserver): void {
    this.observers.delete(observer);
  }

  private procRootOption(): { procRoot?: string } {
    return this.options.procRoot !== undefined ? { procRoot: this.options.procRoot } : {};
  }

  private needsCmdline(): boolean {
    for (const o of this.observers) if (o.needsCmdline) return true;
    return false;
  }

  private fallBackToPolling(why: string): void {
    this.connector?.close();
    this.connector = undefined;
    if ((this.options.mode ?? 'auto') === 'connector') return;
    this.log('info', `track_process: ${why} - polling /proc`);
    this.startPolling();
    this.rescan();
  }

  private startPolling(): void {
    this.modeNow = 'poll';
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.rescan(), this.options.pollIntervalMs ?? 1000);
  }

  private rescan(): void {
    if (this.observers.size === 0) return;
    const all = scanProcesses({ cmdline: this.needsCmdline(), ...this.procRootOption() });
    for (const o of [...this.observers]) o.onRescan(all);
  }

  private onEvent(e: ProcEvent): void {
    switch (e.type) {
      case 'ack':
        this.acked = true;
        return;
      case 'fork':
        for (const o of [...this.observers]) o.onFork(e.parent, e.child);
        return;
      case 'exec': {
        if (this.observers.size === 0) return;
        const info = readProcess(e.pid, { cmdline: this.needsCmdline(), ...this.procRootOption() });
        // gone already: its exit event follows
        if (!info) return;
        for (const o of [...this.observers]) o.onExec(info);
        return;
      }
      case 'comm':
        for (const o of [...this.observers]) o.onComm(e.pid, e.comm);
        return;
      case 'exit':
        for (const o of [...this.observers]) o.onExit(e.pid);
        return;
      case 'lost':
        // as keepalived: let things settle for a second, then count everything again
        if (this.rescanTimer) clearTimeout(this.rescanTimer);
        this.rescanTimer = setTimeout(() => {
          this.rescanTimer = undefined;
          this.lostEventRescans++;
          this.rescan();
        }, 1000);
        return;
      case 'error':
        this.log('info', `process monitor netlink recv error - ${e.message}`);
        return;
    }
  }
}

/* ------------------------------------------------------------------ tracker */

export interface ProcessTrackerOptions extends ProcessMatchSpec {
  /** The vrrp_track_process name (for logs). */
  readonly name: string;
  readonly quorum: number;
  readonly quorumMax: number;
  readonly forkDelayMs: number;
  readonly terminateDelayMs: number;
  readonly onChange: (up: boolean) => void;
  readonly log?: LogFn;
  readonly timers?: Timers;
}

/** The options for a config vrrp_track_process (µs delays → ms). */
export function processTrackerOptions(
  p: VrrpTrackProcess,
  rest: Pick<ProcessTrackerOptions, 'onChange'> & Partial<Pick<ProcessTrackerOptions, 'log' | 'timers'>>,
): ProcessTrackerOptions {
  return {
    ...rest,
    name: p.name,
    process: p.process ?? '',
    ...(p.params !== undefined ? { params: p.params } : {}),
    paramMatch: p.paramMatch,
    fullCommand: p.fullCommand,
    quorum: p.quorum,
    quorumMax: p.quorumMax,
    forkDelayMs: p.forkDelay / 1000,
    terminateDelayMs: p.terminateDelay / 1000,
  };
}

export class ProcessTracker implements ProcessObserver {
  private quorum: ProcessQuorum | undefined;
  private readonly log: LogFn;

  constructor(
    private readonly monitor: ProcessMonitor,
    private readonly options: ProcessTrackerOptions,
  ) {
    this.log = options.log ?? silentLog;
  }

  get needsCmdline(): boolean {
    return this.options.fullCommand;
  }

  get name(): string {
    return this.options.name;
  }

  /** Have quorum (the start event's TrackerInit once started). */
  get up(): boolean {
    return this.quorum?.up ?? false;
  }

  /** For the instances' start event (after start()). */
  trackerInit(): TrackerInit {
    return { kind: 'process', name: this.options.name, up: this.up };
  }

  /** Matching processes counted now. */
  get count(): number {
    return this.quorum?.count ?? 0;
  }

  /** The pids counted now. */
  pids(): number[] {
    return this.quorum?.members() ?? [];
  }

  /** Count the matching processes now (no onChange for that), then follow changes. */
  start(): void {
    if (this.quorum) return;
    const all = this.monitor.attach(this);
    const initial = [...all.values()].filter((i) => processMatches(this.options, i)).map((i) => i.pid);
    this.quorum = new ProcessQuorum(
      {
        quorum: this.options.quorum,
        quorumMax: this.options.quorumMax,
        forkDelayMs: this.options.forkDelayMs,
        terminateDelayMs: this.options.terminateDelayMs,
        timers: this.options.timers ?? realTimers,
        onChange: (up) => {
          this.log('info', `Track process ${this.options.name} ${up ? 'gained' : 'lost'} quorum (${this.count} process${this.count === 1 ? '' : 'es'})`);
          this.options.onChange(up);
        },
      },
      initial,
    );
  }

  stop(): void {
    this.monitor.detach(this);
    this.quorum?.stop();
  }

  onFork(parent: number, child: number): void {
    if (this.quorum?.has(parent)) this.quorum.added(child, 'fork');
  }

  onExec(info: ProcessInfo): void {
    const q = this.quorum;
    if (!q) return;
    if (processMatches(this.options, info)) q.added(info.pid, 'exec');
    else q.removed(info.pid, 'exec');
  }

  onComm(pid: number, comm: string): void {
    const q = this.quorum;
    // a rename only concerns name matching; full-command matching looks at argv
    if (!q || this.options.fullCommand) return;
    if (comm === this.options.process) q.added(pid, 'exec');
    else q.removed(pid, 'exec');
  }

  onExit(pid: number): void {
    this.quorum?.removed(pid, 'exit');
  }

  onRescan(all: ReadonlyMap<number, ProcessInfo>): void {
    const q = this.quorum;
    if (!q) return;
    const matching = new Set<number>();
    const forkChildren = new Set<number>();
    for (const info of all.values()) {
      if (!processMatches(this.options, info)) continue;
      matching.add(info.pid);
      if (q.has(info.ppid)) forkChildren.add(info.pid);
    }
    q.resync(matching, forkChildren, (pid) => {
      const i = all.get(pid);
      return i === undefined || i.zombie;
    });
  }
}

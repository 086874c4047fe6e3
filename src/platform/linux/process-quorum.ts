/**
 * The quorum of one vrrp_track_process (keepalived/core/track_process.c): the set of live
 * processes that match it, and whether their number is within quorum..quorum_max. Pure apart
 * from its two timers (injected):
 *
 * - fork_delay: when a TRACKED process forks and that brings the count into range, "up" waits
 *   fork_delay (a worker forked by a master that is about to die should not count yet).
 *   A process that appears by exec (a new program started) counts at once.
 * - terminate_delay: when a tracked process exits and that takes the count out of range,
 *   "down" waits terminate_delay (a restarting daemon should not cost a failover). A process
 *   that stops matching by exec'ing something else counts at once.
 * - A pending delay is cancelled by the opposite crossing (the restart came back in time);
 *   when a delay expires, the count at that moment decides.
 *
 * keepalived counts a process twice when a tracked process exec's the same command again;
 * here a pid is counted at most once.
 */
import type { Timers } from './timers.js';

export interface ProcessQuorumOptions {
  readonly quorum: number;
  /** keepalived's "unset" is UINT_MAX. */
  readonly quorumMax: number;
  readonly forkDelayMs: number;
  readonly terminateDelayMs: number;
  readonly onChange: (up: boolean) => void;
  readonly timers: Timers;
}

export class ProcessQuorum {
  private readonly pids = new Set<number>();
  private upState: boolean;
  private forkTimer: unknown;
  private terminateTimer: unknown;

  constructor(
    private readonly options: ProcessQuorumOptions,
    initialPids: Iterable<number> = [],
  ) {
    for (const p of initialPids) this.pids.add(p);
    this.upState = this.inRange();
  }

  get up(): boolean {
    return this.upState;
  }

  get count(): number {
    return this.pids.size;
  }

  has(pid: number): boolean {
    return this.pids.has(pid);
  }

  /** The pids counted now (a copy). */
  members(): number[] {
    return [...this.pids];
  }

  /** A delay is running: "up" after a fork, or "down" after an exit. */
  get pending(): 'fork' | 'terminate' | undefined {
    if (this.forkTimer !== undefined) return 'fork';
    if (this.terminateTimer !== undefined) return 'terminate';
    return undefined;
  }

  /**
   * `pid` matches now. 'fork': it is the child of a counted process (fork_delay applies);
   * 'exec': it started (or renamed itself to) the tracked program.
   */
  added(pid: number, how: 'fork' | 'exec'): void {
    if (this.pids.has(pid)) return;
    this.pids.add(pid);
    const { quorum, quorumMax } = this.options;
    const n = this.pids.size;
    if (n !== quorum && n !== quorumMax + 1) return;
    if (this.terminateTimer !== undefined) {
      this.cancelTerminate();
    } else if (how === 'fork' && this.options.forkDelayMs > 0) {
      this.startForkTimer();
      return;
    }
    this.set(n === quorum);
  }

  /** `pid` no longer matches: 'exit' it terminated (terminate_delay applies); 'exec' it became another program. */
  removed(pid: number, how: 'exit' | 'exec'): void {
    if (!this.pids.delete(pid)) return;
    const { quorum, quorumMax } = this.options;
    const n = this.pids.size;
    if (n + 1 !== quorum && n !== quorumMax) return;
    if (this.forkTimer !== undefined) {
      this.cancelFork();
    } else if (how === 'exit' && this.options.terminateDelayMs > 0) {
      this.startTerminateTimer();
      return;
    }
    this.set(n === quorumMax);
  }

  /**
   * A full rescan (polling /proc, or after the kernel dropped process events): `pids` is the
   * complete matching set; `forkChildren` those whose parent was counted; `exited` whether a
   * pid no longer counted is gone (rather than alive as another program).
   */
  resync(pids: ReadonlySet<number>, forkChildren: ReadonlySet<number>, exited: (pid: number) => boolean): void {
    const gained = [...pids].filter((p) => !this.pids.has(p));
    const lost = [...this.pids].filter((p) => !pids.has(p));
    this.pids.clear();
    for (const p of pids) this.pids.add(p);
    const inRange = this.inRange();
    if (inRange === this.upState) {
      // any pending crossing has been undone
      this.cancelFork();
      this.cancelTerminate();
      return;
    }
    if (inRange) {
      this.cancelTerminate();
      const onlyForks = gained.length > 0 && gained.every((p) => forkChildren.has(p));
      if (onlyForks && this.options.forkDelayMs > 0) {
        if (this.forkTimer === undefined) this.startForkTimer();
        return;
      }
      this.cancelFork();
      this.set(true);
    } else {
      this.cancelFork();
      if (this.options.terminateDelayMs > 0 && lost.some(exited)) {
        if (this.terminateTimer === undefined) this.startTerminateTimer();
        return;
      }
      this.cancelTerminate();
      this.set(false);
    }
  }

  stop(): void {
    this.cancelFork();
    this.cancelTerminate();
  }

  private inRange(): boolean {
    const n = this.pids.size;
    return n >= this.options.quorum && n <= this.options.quorumMax;
  }

  private set(up: boolean): void {
    if (up === this.upState) return;
    this.upState = up;
    this.options.onChange(up);
  }

  private startForkTimer(): void {
    this.cancelFork();
    this.forkTimer = this.options.timers.setTimeout(() => {
      this.forkTimer = undefined;
      this.set(this.inRange());
    }, this.options.forkDelayMs);
  }

  private startTerminateTimer(): void {
    this.cancelTerminate();
    this.terminateTimer = this.options.timers.setTimeout(() => {
      this.terminateTimer = undefined;
      this.set(this.inRange());
    }, this.options.terminateDelayMs);
  }

  private cancelFork(): void {
    if (this.forkTimer !== undefined) this.options.timers.clearTimeout(this.forkTimer);
    this.forkTimer = undefined;
  }

  private cancelTerminate(): void {
    if (this.terminateTimer !== undefined) this.options.timers.clearTimeout(this.terminateTimer);
    this.terminateTimer = undefined;
  }
}

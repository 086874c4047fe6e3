/**
 * The checker driver: real time and real attempts around the pure CheckScheduler. One timer is
 * armed for the earliest due checker (the scheduler keeps all due times in one heap), due attempts
 * start in slices (one per loop turn, results taken in between) and run concurrently with the
 * others, and each result goes back into the scheduler. Liveness and weight changes are handed to `onAction`; the scheduler's log lines
 * go to the injected logger in keepalived's words.
 *
 * Attempts come from the factory registered for the checker's type (checker-registry.ts); this
 * file loads the TCP_CHECK and MISC_CHECK ones; the other kinds register themselves when their
 * modules are imported.
 */
import type { CheckerType, SslConfig, VirtualServer } from '../config/model/lvs.js';
import { silentLog, type LogFn } from '../platform/linux/driver-log.js';
import { realTimers, type Timers } from '../platform/linux/timers.js';
import { CheckScheduler, type CheckAction, type CheckerView, type RealServerView } from './check-scheduler.js';
import { checkerFactory } from './checker-registry.js';
import type { CheckAttempt, CheckOutcome, CheckerFactory } from './checker-types.js';
import { unsupportedTcpOptions } from './tcp-check.js';
import './misc-check.js';

export type OutwardAction = Exclude<CheckAction, { type: 'log' | 'run-attempt' | 'abort-attempt' }>;

export interface CheckRuntimeOptions {
  readonly virtualServers: readonly VirtualServer[];
  readonly log?: LogFn;
  /** checker-up/down, rs-alive-changed, rs-weight-changed. */
  readonly onAction?: (action: OutwardAction) => void;
  /** Where attempts come from; default: the registry. */
  readonly factory?: (type: CheckerType) => CheckerFactory | undefined;
  /** [0, 1); default Math.random. */
  readonly random?: () => number;
  /** global_defs checker_log_all_failures. */
  readonly logAllFailures?: boolean;
  /** Monotonic µs; default process.hrtime. */
  readonly clock?: () => number;
  readonly timers?: Timers;
  /** ha_suspend virtual servers (ids) whose address is not local at start. */
  readonly suspended?: ReadonlySet<string>;
  /** The config's SSL { } block, for SSL_GET. */
  readonly ssl?: SslConfig;
  /** FILE_CHECK: the values of the track_files as read at start (missing: 0). */
  readonly trackFileValues?: ReadonlyMap<string, number>;
  /** Told how late (µs after its due time) every attempt starts: for benchmarks wanting every sample, not the recent ones. */
  readonly onLateness?: (lateUs: number) => void;
}

export interface CheckRuntimeStats {
  attemptsStarted: number;
  attemptsFinished: number;
  attemptsAborted: number;
  /** Attempts whose checker code threw or rejected (counted, reported, taken as failures). */
  attemptErrors: number;
  running: number;
  /** Largest delay seen between an attempt's due time and its start, µs. */
  latenessMax: number;
}

const LATENESS_SAMPLES = 8192;

/**
 * Attempts started per turn of the event loop. Starting every due attempt in one go let a backlog
 * start hundreds of connects back to back (up to 0.4 s measured at 10,000 checks a second) while
 * their results waited behind them; all then finished at the same instant and so fell due again
 * together, one delay_loop later: the bunches grew until most attempts started late (bench/RESULTS.md,
 * "10,000 TCP checks"). In slices, results are taken in between and keep their own times.
 */
const ATTEMPTS_PER_TURN = 64;

export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

interface Running {
  readonly attempt: number;
  readonly controller: AbortController;
}

export class CheckRuntime {
  readonly stats: CheckRuntimeStats = { attemptsStarted: 0, attemptsFinished: 0, attemptsAborted: 0, attemptErrors: 0, running: 0, latenessMax: 0 };
  private scheduler: CheckScheduler;
  private readonly log: LogFn;
  private readonly clock: () => number;
  private readonly timers: Timers;
  private readonly factory: (type: CheckerType) => CheckerFactory | undefined;
  private attempts = new Map<string, CheckAttempt | undefined>();
  private readonly running = new Map<string, Running>();
  private timer: unknown;
  /** The next slice of due attempts when more were due than one turn starts (real timers only). */
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private armedAt: number | undefined;
  /** dispatch() nesting: an attempt that ends inside its start() dispatches its result at once. */
  private dispatching = 0;
  private stopped = false;
  private ssl: SslConfig | undefined;
  private started = false;
  private readonly missingReported = new Set<string>();
  private readonly lateness = new Float64Array(LATENESS_SAMPLES);
  private latenessCount = 0;
  private idleWaiters: (() => void)[] = [];
  /** The signal shared by attempts that accept one (CheckAttempt.sharesSignal); renewed once aborted. */
  private shared = new AbortController();
  private sharedAbortPending = false;

  constructor(private readonly options: CheckRuntimeOptions) {
    this.log = options.log ?? silentLog;
    this.clock = options.clock ?? monotonicMicros;
    this.timers = options.timers ?? realTimers;
    this.factory = options.factory ?? checkerFactory;
    this.ssl = options.ssl;
    this.scheduler = new CheckScheduler(options.virtualServers, {
      random: options.random ?? Math.random,
      ...(options.logAllFailures !== undefined ? { logAllFailures: options.logAllFailures } : {}),
      ...(options.trackFileValues ? { trackFileValues: options.trackFileValues } : {}),
    });
  }

  /** `suspended` (ha_suspend virtual servers whose address is not local) overrides the option of that name. */
  start(suspended: ReadonlySet<string> | undefined = this.options.suspended): void {
    if (this.started) return;
    this.started = true;
    this.prepareAttempts();
    this.dispatch(this.scheduler.start(this.clock(), { ...(suspended ? { suspended } : {}) }));
  }

  /** A new configuration: running attempts are abandoned, state carried over as keepalived's reload. */
  reload(virtualServers: readonly VirtualServer[], ssl?: SslConfig): void {
    if (this.stopped) return;
    this.ssl = ssl;
    this.dispatch(this.scheduler.reload(virtualServers, this.clock()));
    this.prepareAttempts();
  }

  /** ha_suspend: the virtual server's address left (true) or came back (false). */
  setSuspended(virtualServerId: string, suspended: boolean): void {
    this.dispatch(this.scheduler.setSuspended(virtualServerId, suspended));
  }

  /** FILE_CHECK: a track_file's value changed. */
  setTrackFile(name: string, value: number): void {
    if (this.stopped) return;
    this.dispatch(this.scheduler.setTrackFile(name, value));
  }

  /** BFD_CHECK verdicts. */
  setExternalState(checkerId: string, up: boolean): void {
    this.dispatch(this.scheduler.setExternalState(checkerId, up));
  }

  /** Stop scheduling, abort running attempts and wait (bounded) for them to settle. */
  async stop(timeoutMs = 3000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.disarm();
    this.dispatch(this.scheduler.stop());
    if (this.running.size === 0) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  checkers(): CheckerView[] {
    return this.scheduler.checkers();
  }

  realServers(): RealServerView[] {
    return this.scheduler.realServerViews();
  }

  /** The p-th percentile (0..100) of recent start lateness, µs. */
  latenessPercentile(p: number): number {
    const n = Math.min(this.latenessCount, LATENESS_SAMPLES);
    if (n === 0) return 0;
    const sorted = Array.from(this.lateness.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  }

  /* ------------------------------------------------------------------ internals */

  /** Build each checker's attempt once per configuration; say once what cannot be honoured. */
  private prepareAttempts(): void {
    const next = new Map<string, CheckAttempt | undefined>();
    for (const c of this.scheduler.checkers()) {
      if (c.checker.type === 'BFD_CHECK') continue;
      const factory = this.factory(c.checker.type);
      if (factory === undefined) {
        if (!this.missingReported.has(c.checker.type)) {
          this.missingReported.add(c.checker.type);
          this.log('error', `No ${c.checker.type} implementation available - its checks are not run`);
        }
        next.set(c.id, undefined);
        continue;
      }
      if (c.checker.type === 'TCP_CHECK') {
        const unsupported = unsupportedTcpOptions(c.target);
        if (unsupported.length > 0)
          this.log('warning', `TCP_CHECK for ${c.realServerId}: ${unsupported.join(', ')} not supported by this checker - ignored`);
      }
      try {
        next.set(c.id, factory({ checker: c.checker, realServer: c.realServer, virtualServer: c.virtualServer, target: c.target, ...(this.ssl ? { ssl: this.ssl } : {}) }));
      } catch (e) {
        this.log('error', `Cannot set up ${c.checker.type} for ${c.realServerId}: ${(e as Error).message}`);
        next.set(c.id, undefined);
      }
    }
    this.attempts = next;
  }

  private dispatch(actions: readonly CheckAction[]): void {
    this.dispatching++;
    try {
      this.dispatchEach(actions);
    } finally {
      this.dispatching--;
    }
    if (this.dispatching > 0) return;
    if (this.sharedAbortPending) this.abortSharedWhenUnused();
    this.arm();
  }

  private dispatchEach(actions: readonly CheckAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'log':
          this.log(a.level, a.message);
          break;
        case 'run-attempt':
          this.runAttempt(a.checkerId, a.attempt, a.dueAt);
          break;
        case 'abort-attempt': {
          const r = this.running.get(a.checkerId);
          if (r !== undefined && r.attempt === a.attempt) {
            this.running.delete(a.checkerId);
            this.stats.running = this.running.size;
            this.stats.attemptsAborted++;
            if (r.controller === this.shared) this.sharedAbortPending = true;
            else r.controller.abort();
            this.notifyIdle();
          }
          break;
        }
        default:
          try {
            this.options.onAction?.(a);
          } catch (e) {
            this.log('error', `Checker state consumer failed on ${a.type}: ${(e as Error).message}`);
          }
      }
    }
  }

  /** Abort the shared signal once no running attempt holds it any more (reload, stop); new attempts get a fresh one. */
  private abortSharedWhenUnused(): void {
    for (const r of this.running.values()) if (r.controller === this.shared) return;
    this.sharedAbortPending = false;
    const old = this.shared;
    this.shared = new AbortController();
    old.abort();
  }

  private runAttempt(id: string, attempt: number, dueAt: number): void {
    const now = this.clock();
    const late = Math.max(0, now - dueAt);
    this.lateness[this.latenessCount % LATENESS_SAMPLES] = late;
    this.latenessCount++;
    if (late > this.stats.latenessMax) this.stats.latenessMax = late;
    this.options.onLateness?.(late);
    this.stats.attemptsStarted++;
    const impl = this.attempts.get(id);
    const controller = impl?.sharesSignal === true ? this.shared : new AbortController();
    this.running.set(id, { attempt, controller });
    this.stats.running = this.running.size;
    if (impl?.start !== undefined) return this.startAttempt(impl, controller.signal, id, attempt);
    let promise: Promise<CheckOutcome>;
    if (impl === undefined) {
      promise = Promise.resolve({ ok: false, inconclusive: true, reason: '' });
    } else {
      try {
        promise = impl.run(controller.signal);
      } catch (e) {
        promise = Promise.reject(e);
      }
    }
    promise.then(
      (outcome) => this.finished(id, attempt, outcome),
      (e: unknown) => this.failedUnexpectedly(id, attempt, e),
    );
  }

  /** CheckAttempt.start: no Promise; the result may come before start() returns. */
  private startAttempt(impl: CheckAttempt, signal: AbortSignal, id: string, attempt: number): void {
    let told = false;
    try {
      impl.start!(signal, (outcome) => {
        if (told) return;
        told = true;
        this.finished(id, attempt, outcome);
      });
    } catch (e) {
      if (told) return;
      told = true;
      this.failedUnexpectedly(id, attempt, e);
    }
  }

  private failedUnexpectedly(id: string, attempt: number, e: unknown): void {
    this.stats.attemptErrors++;
    this.log('error', `Checker ${id} attempt failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    this.finished(id, attempt, { ok: false, reason: 'internal error' });
  }

  private finished(id: string, attempt: number, outcome: CheckOutcome): void {
    const r = this.running.get(id);
    if (r === undefined || r.attempt !== attempt) return; // aborted or superseded
    this.running.delete(id);
    this.stats.running = this.running.size;
    this.stats.attemptsFinished++;
    if (!this.stopped) this.dispatch(this.scheduler.attemptFinished(id, attempt, outcome, this.clock()));
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.running.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Keep exactly one timer, for the earliest due checker. */
  private arm(): void {
    if (this.stopped) return;
    const next = this.scheduler.nextDue();
    if (next === undefined) return this.disarm();
    if (this.armedAt !== undefined && this.armedAt <= next) return;
    this.disarm();
    this.armedAt = next;
    const wait = next - this.clock();
    if (wait <= 0 && this.timers === realTimers) {
      // more is due than the last turn started: go on right after the loop has taken in results (I/O phase)
      this.immediate = setImmediate(() => this.fire());
      return;
    }
    this.timer = this.timers.setTimeout(() => this.fire(), Math.max(0, Math.ceil(wait / 1000)));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.armedAt = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.immediate = undefined;
    this.armedAt = undefined;
    if (this.stopped) return;
    this.dispatch(this.scheduler.due(this.clock(), ATTEMPTS_PER_TURN));
  }
}

/**
 * The checker scheduler: a pure core (events in, actions out, time as µs numbers) deciding when
 * each checker of each real server runs, and what its results mean, with keepalived 2.2.7's
 * semantics (check_api.c register_checkers_thread, the per-kind epilogs in check-loop.ts,
 * ipwrapper.c update_svr_checker_state and migrate_checkers):
 *
 * - the first attempt runs 1 s + random(0..warmup) after start (or reload);
 * - a real server is alive iff none of its checkers is down (num_failed_checkers == 0);
 * - without alpha a checker starts up and one failure on its first run takes it down; with alpha
 *   it starts down and one success brings it up;
 * - a reload keeps the state of checkers that still exist (same real server, same kind, same
 *   connection/script), and reschedules every checker as at start;
 * - ha_suspend: the checkers of a suspended virtual server keep their schedule but run nothing.
 *
 * The driver runs the attempts the `run-attempt` actions ask for and reports each result with
 * attemptFinished(); results of attempts that were aborted or superseded are ignored.
 */
import type { Checker, MiscChecker, RealServer, VirtualServer } from '../config/model/lvs.js';
import { epilog, initialLoopState, type EpilogContext, type LoopState } from './check-loop.js';
import {
  SECOND_US,
  checkSettings,
  checkTarget,
  checkerId,
  formatRealServer,
  realServerId,
  virtualServerId,
  type CheckSettings,
} from './check-settings.js';
import type { CheckOutcome, CheckTarget } from './checker-types.js';
import { DueHeap } from './due-heap.js';
import { trackFileStatus } from '../config/model/trackers.js';

/** keepalived's BOOTSTRAP_DELAY. */
export const BOOTSTRAP_DELAY_US = SECOND_US;

export interface RealServerRef {
  readonly realServerId: string;
  readonly virtualServerId: string;
  readonly realServer: RealServer;
  readonly virtualServer: VirtualServer;
}

export type CheckAction =
  /** `dueAt`: when it was due (µs), so the driver can measure how late it starts. */
  | { readonly type: 'run-attempt'; readonly checkerId: string; readonly attempt: number; readonly dueAt: number }
  | { readonly type: 'abort-attempt'; readonly checkerId: string; readonly attempt: number }
  | { readonly type: 'checker-up' | 'checker-down'; readonly checkerId: string; readonly realServerId: string }
  /** The real server's liveness changed; `weight` is its weight with misc_dynamic offsets applied. */
  | ({ readonly type: 'rs-alive-changed'; readonly alive: boolean; readonly weight: number } & RealServerRef)
  /** misc_dynamic moved the weight (alive unchanged). */
  | ({ readonly type: 'rs-weight-changed'; readonly alive: boolean; readonly weight: number } & RealServerRef)
  | { readonly type: 'log'; readonly level: 'info' | 'detail'; readonly message: string };

export interface SchedulerOptions {
  /** A float in [0, 1): keepalived's random() / RAND_MAX for the warmup delay. */
  readonly random: () => number;
  /** global_defs checker_log_all_failures. */
  readonly logAllFailures?: boolean;
  /** The values of the track_files FILE_CHECKs follow, as read at start (missing: 0). */
  readonly trackFileValues?: ReadonlyMap<string, number>;
}

export interface StartOptions {
  /** ha_suspend virtual servers (by id) whose address is not local at start. */
  readonly suspended?: ReadonlySet<string>;
}

/** A read-only view of one checker for the driver, the status API and tests. */
export interface CheckerView extends RealServerRef {
  readonly id: string;
  readonly checker: Checker;
  readonly settings: CheckSettings;
  readonly target: CheckTarget;
  readonly isUp: boolean;
  readonly hasRun: boolean;
  readonly retryIt: number;
  readonly enabled: boolean;
  readonly running: boolean;
  /** µs; undefined while an attempt runs (or for kinds that are never scheduled, like BFD_CHECK). */
  readonly dueAt: number | undefined;
}

export interface RealServerView extends RealServerRef {
  readonly alive: boolean;
  readonly weight: number;
  readonly failedCheckers: number;
}

interface CheckerState {
  readonly id: string;
  readonly checker: Checker;
  readonly settings: CheckSettings;
  readonly target: CheckTarget;
  readonly rs: RealServerState;
  readonly compareKey: string;
  /** Built once per configuration: the epilog needs it after every attempt. */
  readonly epilogContext: EpilogContext;
  loop: LoopState;
  enabled: boolean;
  /** Current attempt number; attempts are numbered per checker. */
  attempt: number;
  running: boolean;
  startedAt: number;
  dueAt: number | undefined;
  /** Heap entries with another generation are stale. */
  generation: number;
}

/** One FILE_CHECK of a real server: its status follows the track_file's value (check_file.c). */
interface FileCheckState {
  readonly trackFile: string;
  readonly weight: number;
  readonly reverse: boolean;
  /** trackFileStatus() of the last value: FILE_CHECK_FAULT, or the weight it adds. */
  status: number;
}

/** FILE_CHECK statuses span the int32 range; its lowest value (IPVS_WEIGHT_FAULT) is a fault. */
const FILE_CHECK_RANGE = { fault: -2147483648, max: 2147483647 };

interface RealServerState extends RealServerRef {
  readonly checkers: CheckerState[];
  readonly files: FileCheckState[];
  /** The configured weight (keepalived's iweight). */
  readonly configuredWeight: number;
  failed: number;
  alive: boolean;
  weight: number;
}

/** Kinds driven by attempts (BFD_CHECK is driven by the BFD process through setExternalState). */
function isScheduled(c: Checker): boolean {
  return c.type !== 'BFD_CHECK';
}

/**
 * What migrate_checkers compares to decide that a new checker is the old one: the kind's own
 * settings and its connection, not the timing settings (which may change across a reload).
 */
const TIMING_KEYS = new Set(['at', 'alpha', 'retry', 'delayBeforeRetry', 'warmup', 'delayLoop', 'logAllFailures', 'defaultRetry', 'defaultDelayBeforeRetry']);
function compareKey(c: Checker): string {
  return JSON.stringify(c, (key, value: unknown) => (TIMING_KEYS.has(key) ? undefined : value));
}

export class CheckScheduler {
  private readonly heap = new DueHeap<CheckerState>();
  private readonly byId = new Map<string, CheckerState>();
  private realServers: RealServerState[] = [];
  private readonly suspended = new Set<string>();
  private readonly random: () => number;
  private readonly logAllGlobal: boolean;
  private readonly fileValues: Map<string, number>;

  constructor(virtualServers: readonly VirtualServer[], options: SchedulerOptions) {
    this.random = options.random;
    this.logAllGlobal = options.logAllFailures ?? false;
    this.fileValues = new Map(options.trackFileValues ?? []);
    this.realServers = this.build(virtualServers, undefined);
  }

  /** register_checkers_thread: log each checker's activation and schedule its first attempt. */
  start(now: number, options: StartOptions = {}): CheckAction[] {
    for (const id of options.suspended ?? []) this.suspended.add(id);
    const out: CheckAction[] = [];
    this.registerAll(now, out);
    return out;
  }

  /** The earliest time something is due, or undefined when nothing is scheduled. */
  nextDue(): number | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined) return undefined;
      if (this.isLive(top.item, top.generation)) return top.at;
      this.heap.pop();
    }
  }

  /**
   * Start every attempt due at `now`, at most `limit` of them (earliest first; the rest stay due and
   * nextDue() says so); suspended checkers just wait another delay_loop.
   */
  due(now: number, limit = Infinity): CheckAction[] {
    const out: CheckAction[] = [];
    let started = 0;
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined || top.at > now || started >= limit) break;
      this.heap.pop();
      const c = top.item;
      if (!this.isLive(c, top.generation)) continue;
      c.dueAt = undefined;
      if (!c.enabled) {
        // keepalived wakes a suspended checker every delay_loop and does nothing
        this.schedule(c, now + c.settings.delayLoop);
        continue;
      }
      c.attempt++;
      c.running = true;
      c.startedAt = now;
      started++;
      out.push({ type: 'run-attempt', checkerId: c.id, attempt: c.attempt, dueAt: top.at });
    }
    return out;
  }

  /** The result of attempt `attempt` of checker `id`. Stale or unknown results are ignored. */
  attemptFinished(id: string, attempt: number, outcome: CheckOutcome, now: number): CheckAction[] {
    const c = this.byId.get(id);
    if (c === undefined || !c.running || c.attempt !== attempt) return [];
    c.running = false;
    const out: CheckAction[] = [];
    for (const note of outcome.notes ?? []) out.push(log(note));
    if (outcome.inconclusive) {
      // the attempt could not be made (socket / bind failure): keepalived logs and tries again after delay_loop
      if (outcome.reason !== '') out.push(log(outcome.reason));
      this.schedule(c, now + c.settings.delayLoop);
      return out;
    }
    const result = epilog(c.checker.type, c.loop, outcome, c.epilogContext);
    for (const line of result.logs) out.push(log(line));
    if (result.weightChanged) this.updateWeight(c.rs, out);
    if (result.verdict !== undefined) this.applyVerdict(c, result.verdict, out);
    if (!result.keepHasRun) c.loop.hasRun = true;
    let next = (result.fromStart ? c.startedAt : now) + result.delay;
    if (result.fromStart && next <= now) next = now + 1;
    this.schedule(c, next);
    return out;
  }

  /** A verdict from outside the attempt loop (BFD_CHECK follows its bfd_instance). */
  setExternalState(id: string, up: boolean): CheckAction[] {
    const c = this.byId.get(id);
    if (c === undefined) return [];
    const out: CheckAction[] = [];
    this.applyVerdict(c, up, out);
    return out;
  }

  /**
   * A track_file's value changed: each FILE_CHECK following it moves its real server's weight, or
   * puts it in or out of fault (track_file.c process_update_checker_track_file_status).
   */
  setTrackFile(name: string, value: number): CheckAction[] {
    this.fileValues.set(name, value);
    const out: CheckAction[] = [];
    for (const rs of this.realServers) {
      let changed = false;
      for (const f of rs.files) {
        if (f.trackFile !== name) continue;
        const status = trackFileStatus(value, f.weight, f.reverse, FILE_CHECK_RANGE);
        if (status === f.status) continue;
        const faulted = status === FILE_CHECK_RANGE.fault;
        if (faulted || f.status === FILE_CHECK_RANGE.fault)
          out.push({ type: 'log', level: 'detail', message: `(${formatRealServer(rs.realServer, rs.virtualServer)}): tracked file ${name} ${faulted ? 'now' : 'leaving'} FAULT state` });
        f.status = status;
        changed = true;
      }
      if (!changed) continue;
      rs.failed = failedCount(rs);
      const alive = rs.failed === 0;
      const weight = effectiveWeight(rs);
      if (alive !== rs.alive) {
        rs.alive = alive;
        rs.weight = weight;
        out.push({ type: 'rs-alive-changed', ...ref(rs), alive, weight });
      } else if (weight !== rs.weight) {
        rs.weight = weight;
        out.push({ type: 'rs-weight-changed', ...ref(rs), alive, weight });
      }
    }
    return out;
  }

  /**
   * ha_suspend: suspend or resume the checkers of a virtual server (its address left or came back).
   * Virtual servers without ha_suspend are not affected, as in keepalived.
   */
  setSuspended(vsId: string, suspended: boolean): CheckAction[] {
    if (suspended) this.suspended.add(vsId);
    else this.suspended.delete(vsId);
    const out: CheckAction[] = [];
    for (const rs of this.realServers) {
      if (rs.virtualServerId !== vsId || !rs.virtualServer.haSuspend) continue;
      for (const c of rs.checkers) {
        if (!isScheduled(c.checker) || c.enabled === !suspended) continue;
        out.push(log(`${c.enabled ? 'Suspend' : 'Activat'}ing healthchecker for service ${formatRealServer(rs.realServer, rs.virtualServer)} for VS ${vsId}`));
        c.enabled = !suspended;
      }
    }
    return out;
  }

  /**
   * A new configuration: running attempts are aborted, checkers that still exist keep their state
   * (migrate_checkers), real servers that still exist keep their liveness, and every checker is
   * scheduled again as at start.
   */
  reload(virtualServers: readonly VirtualServer[], now: number): CheckAction[] {
    const out: CheckAction[] = [];
    for (const c of this.byId.values()) if (c.running) out.push({ type: 'abort-attempt', checkerId: c.id, attempt: c.attempt });
    const old = new Map(this.realServers.map((rs) => [rs.realServerId, rs]));
    this.heap.clear();
    this.byId.clear();
    this.realServers = this.build(virtualServers, old);
    for (const rs of this.realServers) {
      const previous = old.get(rs.realServerId);
      if (previous !== undefined && previous.alive !== rs.alive) out.push({ type: 'rs-alive-changed', ...ref(rs), alive: rs.alive, weight: rs.weight });
      else if (previous !== undefined && previous.weight !== rs.weight)
        out.push({ type: 'rs-weight-changed', ...ref(rs), alive: rs.alive, weight: rs.weight });
    }
    this.registerAll(now, out);
    return out;
  }

  /** Shutdown: abort whatever runs; nothing is scheduled afterwards. */
  stop(): CheckAction[] {
    const out: CheckAction[] = [];
    for (const c of this.byId.values()) {
      if (c.running) out.push({ type: 'abort-attempt', checkerId: c.id, attempt: c.attempt });
      c.running = false;
      c.generation++;
      c.dueAt = undefined;
    }
    this.heap.clear();
    return out;
  }

  checker(id: string): CheckerView | undefined {
    const c = this.byId.get(id);
    return c === undefined ? undefined : view(c);
  }

  checkers(): CheckerView[] {
    return [...this.byId.values()].map(view);
  }

  realServer(id: string): RealServerView | undefined {
    const rs = this.realServers.find((r) => r.realServerId === id);
    return rs === undefined ? undefined : { ...ref(rs), alive: rs.alive, weight: rs.weight, failedCheckers: rs.failed };
  }

  realServerViews(): RealServerView[] {
    return this.realServers.map((rs) => ({ ...ref(rs), alive: rs.alive, weight: rs.weight, failedCheckers: rs.failed }));
  }

  /* ------------------------------------------------------------------ internals */

  private isLive(c: CheckerState, generation: number): boolean {
    return this.byId.get(c.id) === c && c.generation === generation;
  }

  private schedule(c: CheckerState, at: number): void {
    c.generation++;
    c.dueAt = at;
    this.heap.push(at, c, c.generation);
  }

  private registerAll(now: number, out: CheckAction[]): void {
    for (const rs of this.realServers) {
      for (const c of rs.checkers) {
        if (!isScheduled(c.checker)) continue;
        c.enabled = !(rs.virtualServer.haSuspend && this.suspended.has(rs.virtualServerId));
        out.push(log(`${c.enabled ? 'A' : 'Dea'}ctivating healthchecker for service ${formatRealServer(rs.realServer, rs.virtualServer)} for VS ${rs.virtualServerId}`));
        const warmup = c.settings.warmup ? Math.floor(c.settings.warmup * this.random()) : 0;
        this.schedule(c, now + BOOTSTRAP_DELAY_US + warmup);
      }
    }
  }

  /** update_svr_checker_state + set_checker_state, and the real server's liveness that follows. */
  private applyVerdict(c: CheckerState, up: boolean, out: CheckAction[]): void {
    if (c.loop.isUp === up) {
      c.loop.hasRun = true;
      return;
    }
    c.loop.hasRun = true;
    c.loop.isUp = up;
    const rs = c.rs;
    rs.failed = failedCount(rs);
    out.push({ type: up ? 'checker-up' : 'checker-down', checkerId: c.id, realServerId: rs.realServerId });
    const alive = rs.failed === 0;
    if (alive !== rs.alive) {
      rs.alive = alive;
      out.push({ type: 'rs-alive-changed', ...ref(rs), alive, weight: rs.weight });
    }
  }

  private updateWeight(rs: RealServerState, out: CheckAction[]): void {
    const weight = effectiveWeight(rs);
    if (weight === rs.weight) return;
    rs.weight = weight;
    out.push({ type: 'rs-weight-changed', ...ref(rs), alive: rs.alive, weight });
  }

  private build(virtualServers: readonly VirtualServer[], old: Map<string, RealServerState> | undefined): RealServerState[] {
    const out: RealServerState[] = [];
    for (const vs of virtualServers) {
      const vsId = virtualServerId(vs);
      for (const rs of vs.realServers) {
        const rsId = realServerId(vs, rs);
        const checkers: CheckerState[] = [];
        const files: FileCheckState[] = [];
        for (const f of rs.fileChecks) {
          if (f.trackFile === undefined) continue;
          const weight = f.weight ?? 0;
          files.push({ trackFile: f.trackFile, weight, reverse: f.reverse, status: trackFileStatus(this.fileValues.get(f.trackFile) ?? 0, weight, f.reverse, FILE_CHECK_RANGE) });
        }
        const state: RealServerState = {
          realServerId: rsId,
          virtualServerId: vsId,
          realServer: rs,
          virtualServer: vs,
          checkers,
          files,
          configuredWeight: rs.weight ?? vs.weight,
          failed: 0,
          alive: true,
          weight: rs.weight ?? vs.weight,
        };
        rs.checkers.forEach((checker, index) => {
          const settings = checkSettings(checker, rs, vs);
          const epilogContext: EpilogContext = {
            settings,
            chk: formatRealServer(rs, vs),
            vs: vsId,
            logAllGlobal: this.logAllGlobal,
            ...(checker.type === 'HTTP_GET' || checker.type === 'SSL_GET' ? { fastRecovery: checker.fastRecovery } : {}),
            ...(checker.type === 'MISC_CHECK'
              ? { miscDynamic: checker.dynamic, miscProgram: checker.script?.argv[0] ?? '', configuredWeight: state.configuredWeight }
              : {}),
          };
          const c: CheckerState = {
            id: checkerId(vs, rs, index),
            checker,
            settings,
            target: checkTarget(checker, rs, vs),
            rs: state,
            compareKey: compareKey(checker),
            epilogContext,
            loop: initialLoopState(true),
            enabled: true,
            attempt: 0,
            running: false,
            startedAt: 0,
            dueAt: undefined,
            generation: 0,
          };
          checkers.push(c);
          this.byId.set(c.id, c);
        });
        const previous = old?.get(rsId);
        if (old === undefined) initialState(state);
        else if (previous === undefined) reloadedNewState(state);
        else migrate(previous, state);
        state.failed = failedCount(state);
        state.alive = state.failed === 0;
        state.weight = effectiveWeight(state);
        out.push(state);
      }
    }
    return out;
  }
}

/** validate_check_config at start: alpha checkers start down; one failure is enough at first. */
function initialState(rs: RealServerState): void {
  for (const c of rs.checkers) {
    if (c.settings.alpha) c.loop.isUp = false;
    c.loop.retryIt = c.settings.retry;
  }
}

/** A real server that appears on reload (check_new_rs_state): alpha checkers start down; retry_it stays 0. */
function reloadedNewState(rs: RealServerState): void {
  for (const c of rs.checkers) if (c.settings.alpha) c.loop.isUp = false;
}

/** migrate_checkers: carry state from the old real server's matching checkers. */
function migrate(previous: RealServerState, rs: RealServerState): void {
  const unmatched = [...previous.checkers];
  for (const c of rs.checkers) {
    const i = unmatched.findIndex((o) => o.checker.type === c.checker.type && o.compareKey === c.compareKey);
    if (i < 0) continue;
    const o = unmatched.splice(i, 1)[0]!;
    if (o.loop.hasRun) c.loop.isUp = o.loop.isUp;
    c.loop.hasRun = o.loop.hasRun;
    // enough retries already for the new retry value: one more failure is then enough
    if (o.loop.retryIt && c.settings.retry) c.loop.retryIt = o.loop.retryIt >= c.settings.retry ? c.settings.retry - 1 : o.loop.retryIt;
    c.loop.failedUrl = o.loop.failedUrl;
    if (c.checker.type === 'MISC_CHECK') {
      c.loop.lastExitCode = o.loop.lastExitCode;
      const last = o.loop.lastExitCode;
      if ((c.checker as MiscChecker).dynamic && last !== 1) c.loop.curWeight = last - (last ? 2 : 0) - rs.configuredWeight;
    }
  }
  const failed = rs.checkers.filter((c) => c.loop.hasRun && !c.loop.isUp).length;
  const aCheckerHasRun = rs.checkers.some((c) => c.loop.hasRun);
  if (failed > 0 || (!previous.alive && !aCheckerHasRun)) {
    for (const c of rs.checkers) {
      if (c.loop.hasRun) continue;
      if (c.settings.alpha) c.loop.isUp = false;
      c.loop.retryIt = c.settings.retry;
    }
  }
}

/** num_failed_checkers: checkers down and FILE_CHECKs in fault. */
function failedCount(rs: RealServerState): number {
  let failed = 0;
  for (const c of rs.checkers) if (!c.loop.isUp) failed++;
  for (const f of rs.files) if (f.status === FILE_CHECK_RANGE.fault) failed++;
  return failed;
}

function effectiveWeight(rs: RealServerState): number {
  let w = rs.configuredWeight;
  for (const c of rs.checkers) w += c.loop.curWeight;
  for (const f of rs.files) if (f.status !== FILE_CHECK_RANGE.fault) w += f.status;
  return w;
}

function ref(rs: RealServerState): RealServerRef {
  return { realServerId: rs.realServerId, virtualServerId: rs.virtualServerId, realServer: rs.realServer, virtualServer: rs.virtualServer };
}

function view(c: CheckerState): CheckerView {
  return {
    id: c.id,
    ...ref(c.rs),
    checker: c.checker,
    settings: c.settings,
    target: c.target,
    isUp: c.loop.isUp,
    hasRun: c.loop.hasRun,
    retryIt: c.loop.retryIt,
    enabled: c.enabled,
    running: c.running,
    dueAt: c.dueAt,
  };
}

function log(message: string): CheckAction {
  return { type: 'log', level: 'info', message };
}

/**
 * One vrrp_script, run periodically as keepalived 2.2.7 does (vrrp_script_thread and
 * vrrp_script_child_thread): the first run right at start, then one every `interval`
 * measured from run start; a run that outlives its timeout (the interval when no timeout is
 * set) gets SIGTERM on its process group, SIGKILL two seconds later; exit 0 is a success,
 * anything else — another status, a signal, a timeout — a failure; rise/fall in
 * script-result.ts decide when the script goes up or down, and only then `onChange` fires.
 *
 * Two deliberate differences from 2.2.7, both towards what keepalived's own log says:
 * - When the previous run is still going at the next tick, 2.2.7 logs "… expect idle -
 *   skipping run" but (a `return` was lost in 2.x) starts a second copy anyway; here the run
 *   is really skipped, as in 1.x, so check scripts never pile up.
 * - A script that cannot be started (deleted since validation, uid/gid refused) counts as a
 *   failure; 2.2.7's forked child logs the exec error and exits 0, i.e. "success".
 * Insecure scripts (disabled by script security) are never run.
 */
import { constants as osConstants } from 'node:os';
import type { VrrpScript } from '../../config/model/vrrp.js';
import type { TrackerInit } from '../../vrrp/instance-types.js';
import { silentLog, type LogFn } from './driver-log.js';
import { runScript, type RunScript, type ScriptHandle, type ScriptResult } from './script-runner.js';
import { ScriptResultCounter, type ScriptCounterState } from './script-result.js';
import { realTimers, type Timers } from './timers.js';

export interface VrrpScriptTrackerOptions {
  readonly name: string;
  /** argv[0] is the program to execute (the resolved path). */
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  readonly intervalMs: number;
  /** Undefined or 0: the interval. */
  readonly timeoutMs?: number;
  readonly rise: number;
  readonly fall: number;
  readonly initFail?: boolean;
  /** Disabled by script security: never run. */
  readonly insecure?: boolean;
  /** Called only when keepalived would change the tracking instances' priorities. */
  readonly onChange: (up: boolean) => void;
  readonly log?: LogFn;
  /** Injected for tests; real processes by default. */
  readonly run?: RunScript;
  readonly timers?: Timers;
  /** SIGTERM → SIGKILL delay after a timeout (keepalived: 2 s). */
  readonly killGraceMs?: number;
  /** On reload: the previous tracker's counter (keepalived carries the result over), or a new script added by a reload. */
  readonly previous?: ScriptCounterState;
  readonly addedByReload?: boolean;
}

/** The options for a validated config vrrp_script (µs → ms; argv[0] → its resolved path). */
export function vrrpScriptTrackerOptions(
  script: VrrpScript,
  rest: Omit<VrrpScriptTrackerOptions, 'name' | 'argv' | 'uid' | 'gid' | 'intervalMs' | 'timeoutMs' | 'rise' | 'fall' | 'initFail' | 'insecure'>,
): VrrpScriptTrackerOptions {
  const spec = script.script;
  const argv = spec ? [spec.resolvedPath ?? spec.argv[0] ?? '', ...spec.argv.slice(1)] : [];
  return {
    ...rest,
    name: script.name,
    argv,
    ...(spec?.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec?.gid !== undefined ? { gid: spec.gid } : {}),
    intervalMs: script.interval / 1000,
    timeoutMs: script.timeout / 1000,
    rise: script.rise,
    fall: script.fall,
    initFail: script.initFail,
    insecure: Boolean(script.insecure || spec?.insecure || !spec),
  };
}

export type ScriptRunState = 'idle' | 'running' | 'timing-out';

export class VrrpScriptTracker {
  private readonly counter: ScriptResultCounter;
  private readonly log: LogFn;
  private readonly run: RunScript;
  private readonly timers: Timers;
  private tickTimer: unknown;
  private current: ScriptHandle | undefined;
  private started = false;
  private stopped = false;
  private lastStatus = 0;
  /** Runs started, and ticks skipped because the previous run was still going. */
  runs = 0;
  skipped = 0;

  constructor(private readonly options: VrrpScriptTrackerOptions) {
    this.log = options.log ?? silentLog;
    this.run = options.run ?? runScript;
    this.timers = options.timers ?? realTimers;
    this.counter = options.previous
      ? ScriptResultCounter.afterReload(options.previous, options.rise, options.fall, options.initFail)
      : new ScriptResultCounter(options.rise, options.fall, { initFail: options.initFail ?? false, reload: options.addedByReload ?? false });
  }

  get name(): string {
    return this.options.name;
  }

  /** Up, down, or undefined before the first result (without init_fail): the start event's TrackerInit. */
  get up(): boolean | undefined {
    return this.counter.up;
  }

  /** For the instances' start event; undefined while the state is unknown (the core's default for scripts). */
  trackerInit(): TrackerInit | undefined {
    const up = this.counter.up;
    return up === undefined ? undefined : { kind: 'script', name: this.options.name, up };
  }

  get state(): ScriptRunState {
    if (!this.current) return 'idle';
    return this.current.terminating ? 'timing-out' : 'running';
  }

  /** For a reload: what the next tracker for this script carries over. */
  snapshot(): ScriptCounterState {
    return this.counter.snapshot();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.options.insecure) {
      this.log('detail', `VRRP_Script(${this.options.name}) is disabled (insecure or not found) - not running it`);
      return;
    }
    this.tickTimer = this.timers.setTimeout(() => this.tick(), 0);
  }

  /** Stop ticking; a running script's process group gets SIGTERM, then SIGKILL a second later. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer !== undefined) this.timers.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    const running = this.current;
    if (running) {
      running.kill('SIGTERM');
      const t = setTimeout(() => running.kill('SIGKILL'), 1000);
      t.unref();
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.tickTimer = this.timers.setTimeout(() => this.tick(), this.options.intervalMs);
    if (this.current) {
      this.skipped++;
      this.log('info', `Track script ${this.options.name} is ${this.current.terminating ? 'being timed out' : 'already running'}, expect idle - skipping run`);
      return;
    }
    const timeoutMs = this.options.timeoutMs && this.options.timeoutMs > 0 ? this.options.timeoutMs : this.options.intervalMs;
    this.runs++;
    // an injected runner may report before returning
    let exitedAlready = false;
    const handle = this.run(
      {
        argv: this.options.argv,
        ...(this.options.uid !== undefined ? { uid: this.options.uid } : {}),
        ...(this.options.gid !== undefined ? { gid: this.options.gid } : {}),
        timeoutMs,
        ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
        log: this.log,
      },
      (r) => {
        exitedAlready = true;
        this.current = undefined;
        if (!this.stopped) this.finished(r);
      },
    );
    if (!exitedAlready) this.current = handle;
  }

  private finished(r: ScriptResult): void {
    const name = this.options.name;
    let success = false;
    let outcome: string;
    if (r.spawnError !== undefined) {
      this.log('error', `Error exec-ing command '${this.options.argv[0] ?? ''}', error ${r.spawnError}`);
      outcome = `failed (cannot execute: ${r.spawnError})`;
    } else if (r.code !== null) {
      if (r.code !== this.lastStatus) this.log('info', `Script \`${name}\` now returning ${r.code}`);
      this.lastStatus = r.code;
      success = r.code === 0;
      outcome = success ? 'succeeded' : `failed (exited with status ${r.code})`;
    } else if (r.timedOut && (r.signal === 'SIGTERM' || r.signal === 'SIGKILL')) {
      outcome = 'timed_out';
    } else {
      const signum = r.signal ? osConstants.signals[r.signal] : undefined;
      outcome = `failed (due to signal ${signum ?? r.signal})`;
    }
    const reported = this.counter.record(success);
    if (reported === undefined) return;
    this.log('info', `VRRP_Script(${name}) ${outcome}`);
    this.options.onChange(reported);
  }
}

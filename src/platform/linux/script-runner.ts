/**
 * Running keepalived's scripts (notify scripts, vrrp_script checks, fifo readers) as real
 * processes, the way keepalived's system_call_script does: the argv is executed directly (no
 * shell), in its own process group so a timeout takes down everything the script started,
 * with stdin/stdout/stderr on /dev/null and the configured uid/gid.
 *
 * Differences forced by Node: the child gets its own session (libuv's setsid) rather than only
 * its own process group — the group id is the pid either way; supplementary groups are cleared
 * rather than set to [gid]; and there is no PR_SET_PDEATHSIG, so the owner must kill running
 * scripts when it stops (ScriptHandle.kill, NotifyRunner.stopAll).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { silentLog, type LogFn } from './driver-log.js';

export interface ScriptCommand {
  /** argv[0] is the program (an absolute path once validation resolved it); never run through a shell. */
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  /** Undefined or 0: no timeout. */
  readonly timeoutMs?: number;
  /**
   * After the timeout's SIGTERM, how long before SIGKILL (and between further SIGKILLs).
   * keepalived waits 2 s; tests shorten it.
   */
  readonly killGraceMs?: number;
  /** Where "failed to terminate" is reported. */
  readonly log?: LogFn;
}

export interface ScriptResult {
  /** The exit status, or null when the script died of a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The timeout fired (the script was sent SIGTERM, maybe SIGKILL). */
  readonly timedOut: boolean;
  /** The script could not be started (errno code: ENOENT, EACCES, EPERM for uid/gid …); nothing ran. */
  readonly spawnError?: string;
  readonly spawnErrorMessage?: string;
}

export interface ScriptHandle {
  /** Undefined when the spawn failed. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The timeout fired and the script is being killed. */
  readonly terminating: boolean;
  /** Signal the script's whole process group (default SIGTERM). Does nothing once it has exited. */
  kill(signal?: NodeJS.Signals): void;
}

export type RunScript = (command: ScriptCommand, onExit: (result: ScriptResult) => void) => ScriptHandle;

/** keepalived's delay between the timeout's SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2000;

type Termination = 'none' | 'requested' | 'forcing';

/**
 * Start `command`; `onExit` is called exactly once, asynchronously, when the script's main
 * process has exited or could not be started (a spawn failure is a result, never a throw).
 */
export function runScript(command: ScriptCommand, onExit: (result: ScriptResult) => void): ScriptHandle {
  const log = command.log ?? silentLog;
  const grace = command.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  let child: ChildProcess | undefined;
  let finished = false;
  let termination: Termination = 'none';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const finish = (result: ScriptResult): void => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    onExit(result);
  };

  const signalGroup = (signal: NodeJS.Signals): boolean => {
    const pid = child?.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      // ESRCH: the group is already gone; EPERM: it changed uid beyond our reach — nothing more to do
      return false;
    }
  };

  const escalate = (): void => {
    timer = undefined;
    if (finished) return;
    if (termination === 'none') {
      termination = 'requested';
      if (!signalGroup('SIGTERM')) return;
    } else {
      if (termination === 'forcing') log('info', `Script ${command.argv[0]} child (PID ${child?.pid}) failed to terminate after kill`);
      termination = 'forcing';
      if (!signalGroup('SIGKILL')) return;
    }
    timer = setTimeout(escalate, termination === 'forcing' && grace > 0 ? grace * 5 : grace);
  };

  try {
    const [program, ...args] = command.argv;
    if (program === undefined || program === '') throw Object.assign(new Error('empty command'), { code: 'EINVAL' });
    child = spawn(program, args, {
      stdio: 'ignore',
      detached: true,
      ...(command.uid !== undefined ? { uid: command.uid } : {}),
      ...(command.gid !== undefined ? { gid: command.gid } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    setImmediate(() =>
      finish({ code: null, signal: null, timedOut: false, spawnError: err.code ?? 'EINVAL', spawnErrorMessage: err.message }),
    );
    return { pid: undefined, running: false, terminating: false, kill() {} };
  }

  child.on('error', (err: NodeJS.ErrnoException) => {
    // Only a spawn failure reaches here: signals are sent with process.kill, not child.kill.
    finish({ code: null, signal: null, timedOut: false, spawnError: err.code ?? 'EUNKNOWN', spawnErrorMessage: err.message });
  });
  child.on('exit', (code, signal) => {
    // The script went down to our SIGTERM: make sure whatever it started goes too (keepalived does the same).
    if (termination === 'requested' && signal === 'SIGTERM') signalGroup('SIGKILL');
    finish({ code, signal, timedOut: termination !== 'none' });
  });

  if (command.timeoutMs !== undefined && command.timeoutMs > 0 && child.pid !== undefined) {
    timer = setTimeout(escalate, command.timeoutMs);
  }

  const spawned = child;
  return {
    get pid() {
      return spawned.pid;
    },
    get running() {
      return !finished && spawned.pid !== undefined;
    },
    get terminating() {
      return !finished && termination !== 'none';
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (!finished) signalGroup(signal);
    },
  };
}

/* ------------------------------------------------------------------ notify scripts */

/** The part of the VRRP core's `run-script` action the runner needs. */
export interface NotifyScriptAction {
  readonly owner?: string;
  readonly kind: string;
  readonly argv: readonly string[];
  /** µs, as the core gives it; undefined: no timeout (keepalived does not time notify scripts out). */
  readonly timeout?: number;
}

export interface NotifyRunnerStats {
  started: number;
  succeeded: number;
  /** Exited non-zero or died of a signal (timeouts excluded). */
  failed: number;
  timedOut: number;
  spawnErrors: number;
}

export interface NotifyRunnerOptions {
  readonly log?: LogFn;
  /** The uid/gid a script runs as (from its ScriptSpec in the config); undefined: our own. */
  readonly credentials?: (action: NotifyScriptAction) => { uid?: number; gid?: number } | undefined;
  readonly run?: RunScript;
  readonly killGraceMs?: number;
}

/**
 * Runs notify scripts as the core asks, in order of arrival and without waiting for one to
 * finish before starting the next (keepalived forks them and moves on). Counts outcomes and
 * reports failures, which keepalived itself never looks at.
 */
export class NotifyRunner {
  readonly stats: NotifyRunnerStats = { started: 0, succeeded: 0, failed: 0, timedOut: 0, spawnErrors: 0 };
  private readonly live = new Set<ScriptHandle>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly log: LogFn;
  private readonly run: RunScript;

  constructor(private readonly options: NotifyRunnerOptions = {}) {
    this.log = options.log ?? silentLog;
    this.run = options.run ?? runScript;
  }

  /** Scripts started and not yet exited. */
  get running(): number {
    return this.live.size;
  }

  runAction(action: NotifyScriptAction): void {
    const creds = this.options.credentials?.(action);
    const who = `${action.kind}${action.owner !== undefined ? ` for ${action.owner}` : ''}`;
    this.stats.started++;
    const timeoutMs = action.timeout !== undefined && action.timeout > 0 ? Math.max(1, Math.ceil(action.timeout / 1000)) : undefined;
    const handle: ScriptHandle = this.run(
      {
        argv: action.argv,
        ...(creds?.uid !== undefined ? { uid: creds.uid } : {}),
        ...(creds?.gid !== undefined ? { gid: creds.gid } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
        log: this.log,
      },
      (r) => {
        this.live.delete(handle);
        if (r.spawnError !== undefined) {
          this.stats.spawnErrors++;
          this.log('warning', `Error exec-ing command '${action.argv[0] ?? ''}' (${who}), error ${r.spawnError}`);
        } else if (r.timedOut && r.code === null) {
          this.stats.timedOut++;
          this.log('warning', `Notify script ${who} '${action.argv[0]}' timed out`);
        } else if (r.code === 0) {
          this.stats.succeeded++;
        } else {
          this.stats.failed++;
          const why = r.code !== null ? `exited with status ${r.code}` : `due to signal ${r.signal}`;
          this.log('info', `Notify script ${who} '${action.argv[0]}' failed (${why})`);
        }
        if (this.live.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      },
    );
    if (handle.pid !== undefined) this.live.add(handle);
  }

  /**
   * Shutdown: SIGTERM every running script's group, SIGKILL what is left after `graceMs`
   * (keepalived gives its children one second), resolve once all have exited.
   */
  /** Resolves true once no script is running, or false after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.live.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let done = false;
      const t = setTimeout(() => {
        done = true;
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.push(() => {
        if (done) return;
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  stopAll(graceMs = 1000): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    for (const h of this.live) h.kill('SIGTERM');
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        for (const h of this.live) h.kill('SIGKILL');
      }, graceMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/**
 * MISC_CHECK (check_misc.c): one attempt runs misc_path as an argv (never through a shell) in its
 * own process group, as the script's user, and is killed after misc_timeout (default: the virtual
 * server's delay_loop) — SIGTERM, then SIGKILL 2 s later, as keepalived. The exit status is the
 * verdict: 0 up, 1 down; with misc_dynamic 2..255 up with weight status − 2 (the scheduler applies
 * that, from `exit`). A script that cannot be executed counts as exit 0, as in keepalived ("script
 * errors aren't server errors"), with keepalived's "Error exec-ing command" line.
 */
import { constants } from 'node:os';
import type { MiscChecker } from '../config/model/lvs.js';
import { runScript, type RunScript, type ScriptHandle } from '../platform/linux/script-runner.js';
import type { CheckAttempt, CheckOutcome, CheckerContext, CheckerFactory } from './checker-types.js';
import { registerChecker } from './checker-registry.js';

export interface MiscCheckOptions {
  readonly run?: RunScript;
  /** Delay between the timeout's SIGTERM and SIGKILL (keepalived: 2 s). */
  readonly killGraceMs?: number;
}

function signalNumber(name: NodeJS.Signals | null): number {
  if (name === null) return 0;
  return (constants.signals as Record<string, number | undefined>)[name] ?? 0;
}

export function miscCheckAttempt(ctx: CheckerContext, options: MiscCheckOptions = {}): CheckAttempt {
  const checker = ctx.checker as MiscChecker;
  const run = options.run ?? runScript;
  return {
    run(signal: AbortSignal): Promise<CheckOutcome> {
      return new Promise<CheckOutcome>((resolve) => {
        const script = checker.script;
        if (script === undefined || script.argv.length === 0) {
          resolve({ ok: false, inconclusive: true, reason: 'MISC_CHECK has no misc_path' });
          return;
        }
        const program = script.resolvedPath ?? script.argv[0]!;
        const argv = [program, ...script.argv.slice(1)];
        const timeoutUs = checker.timeout || ctx.virtualServer.delayLoop;
        let handle: ScriptHandle | undefined;
        let settled = false;
        const finish = (outcome: CheckOutcome): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        };
        const onAbort = (): void => {
          // the result no longer matters: make sure nothing the script started lingers
          handle?.kill('SIGKILL');
          finish({ ok: false, reason: 'aborted' });
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        handle = run(
          {
            argv,
            ...(script.uid !== undefined ? { uid: script.uid } : {}),
            ...(script.gid !== undefined ? { gid: script.gid } : {}),
            timeoutMs: Math.max(1, Math.ceil(timeoutUs / 1000)),
            ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
          },
          (r) => {
            if (r.spawnError !== undefined) {
              finish({
                ok: true,
                reason: `exec failed (${r.spawnError})`,
                notes: [`Error exec-ing command '${script.argv[0]}', error ${r.spawnError}: ${r.spawnErrorMessage ?? ''}`],
                exit: { code: 0, timedOut: false },
              });
            } else if (r.code !== null) {
              const ok = r.code === 0 || (checker.dynamic && r.code >= 2 && r.code <= 255);
              finish({
                ok,
                reason: `exited with status ${r.code}`,
                ...(checker.dynamic && r.code >= 2 && r.code <= 255 ? { weight: r.code - 2 } : {}),
                exit: { code: r.code, timedOut: r.timedOut },
              });
            } else {
              finish({
                ok: false,
                timedOut: r.timedOut,
                reason: r.timedOut ? 'timed out' : `killed by ${r.signal}`,
                exit: { signal: signalNumber(r.signal), timedOut: r.timedOut },
              });
            }
          },
        );
      });
    },
  };
}

export const miscCheckerFactory: CheckerFactory = (ctx) => miscCheckAttempt(ctx);

registerChecker('MISC_CHECK', miscCheckerFactory);

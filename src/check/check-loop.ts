/**
 * What happens after one attempt, per checker kind: the next delay, the verdict (up / down / none)
 * and the log lines. keepalived gives every kind its own epilog (tcp_epilog, icmp_epilog,
 * udp_epilog, dns_final, smtp_final, the HTTP epilog, misc_check_child_thread) and they differ in
 * ways users notice, so each is reproduced here rather than unified:
 *
 * - TCP_CHECK keeps counting retries while the checker is down, so a down TCP checker is probed
 *   `retry` more times, delay_before_retry apart, before each delay_loop pause;
 * - PING, UDP, DNS and SMTP retry only while the checker is up (or has not run yet);
 * - HTTP_GET / SSL_GET wait max(delay_before_retry, delay_loop) after declaring a failure, and
 *   after a failure need one success to clear it and a second to come back up (fast_recovery
 *   runs that second one at once);
 * - MISC_CHECK counts the next run from when the script started, and misc_dynamic exit codes move
 *   the real server's weight.
 *
 * Pure: the caller owns the state object and applies the verdict (update_svr_checker_state).
 */
import type { CheckerType } from '../config/model/lvs.js';
import type { CheckSettings } from './check-settings.js';
import type { CheckOutcome } from './checker-types.js';

/** The per-checker fields keepalived's epilogs read and write (checker_t and its kind's data). */
export interface LoopState {
  isUp: boolean;
  hasRun: boolean;
  /** keepalived's retry_it. */
  retryIt: number;
  /** HTTP_GET / SSL_GET: a failure was declared and no success has cleared it yet (failed_url). */
  failedUrl: boolean;
  /** MISC_CHECK: the last exit status acted upon (last_exit_code). */
  lastExitCode: number;
  /** MISC_CHECK misc_dynamic: this checker's offset from the configured weight (cur_weight). */
  curWeight: number;
}

export function initialLoopState(isUp: boolean): LoopState {
  return { isUp, hasRun: false, retryIt: 0, failedUrl: false, lastExitCode: 0, curWeight: 0 };
}

export interface EpilogContext {
  readonly settings: CheckSettings;
  /** FMT_CHK: the real server as keepalived prints it. */
  readonly chk: string;
  /** FMT_VS. */
  readonly vs: string;
  /** global_defs checker_log_all_failures. */
  readonly logAllGlobal: boolean;
  /** HTTP_GET / SSL_GET fast_recovery. */
  readonly fastRecovery?: boolean;
  /** MISC_CHECK: misc_dynamic, the script's argv[0], and the real server's configured weight (iweight). */
  readonly miscDynamic?: boolean;
  readonly miscProgram?: string;
  readonly configuredWeight?: number;
}

export interface EpilogResult {
  /** µs until the next attempt, from the end of this one (from its start with `fromStart`). */
  readonly delay: number;
  readonly fromStart?: boolean;
  /** update_svr_checker_state(UP / DOWN) is called; undefined: the state is left alone. */
  readonly verdict?: boolean;
  readonly logs: string[];
  /** MISC_CHECK misc_dynamic changed cur_weight. */
  readonly weightChanged?: boolean;
  /** has_run is left as it was (SMTP_CHECK's retry path never sets it). */
  readonly keepHasRun?: boolean;
}

/** The epilog for one finished attempt; mutates `state` (not isUp / hasRun: the caller applies the verdict). */
export function epilog(type: CheckerType, state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  switch (type) {
    case 'TCP_CHECK':
      return tcpEpilog(state, outcome, ctx);
    case 'PING_CHECK':
    case 'UDP_CHECK':
      return upOnlyRetryEpilog(type, state, outcome, ctx);
    case 'DNS_CHECK':
      return dnsEpilog(state, outcome, ctx);
    case 'SMTP_CHECK':
      return smtpEpilog(state, outcome, ctx);
    case 'HTTP_GET':
    case 'SSL_GET':
      return httpEpilog(state, outcome, ctx);
    case 'MISC_CHECK':
      return miscEpilog(state, outcome, ctx);
    case 'BFD_CHECK':
      // BFD verdicts come from the BFD process, never from attempts
      return { delay: ctx.settings.delayLoop, logs: [] };
  }
}

function logAll(ctx: EpilogContext): boolean {
  return ctx.logAllGlobal || ctx.settings.logAllFailures;
}

function retries(n: number): string {
  return `${n} retries`;
}

/** check_tcp.c tcp_check_thread + tcp_epilog. */
function tcpEpilog(state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  const { settings, chk } = ctx;
  const logs: string[] = [];
  if (!outcome.ok && state.isUp && logAll(ctx)) logs.push(`TCP connection to ${chk} ${outcome.timedOut ? 'timeout' : 'failed'}.`);
  if (outcome.ok || state.retryIt >= settings.retry) {
    state.retryIt = 0;
    let verdict: boolean | undefined;
    if (outcome.ok && (!state.isUp || !state.hasRun)) {
      logs.push(`TCP connection to ${chk} success.`);
      verdict = true;
    } else if (!outcome.ok && (state.isUp || !state.hasRun)) {
      logs.push(
        settings.retry && state.hasRun
          ? `TCP_CHECK on service ${chk} failed after ${retries(settings.retry)}.`
          : `TCP_CHECK on service ${chk} failed.`,
      );
      verdict = false;
    }
    return { delay: settings.delayLoop, logs, ...(verdict !== undefined ? { verdict } : {}) };
  }
  state.retryIt++;
  return { delay: settings.delayBeforeRetry, logs };
}

/** check_ping.c icmp_epilog and check_udp.c udp_epilog (the same shape, different words). */
function upOnlyRetryEpilog(type: 'PING_CHECK' | 'UDP_CHECK', state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  const { settings, chk, vs } = ctx;
  const logs: string[] = [];
  if (!outcome.ok && (state.isUp || !state.hasRun) && logAll(ctx) && outcome.reason !== '') logs.push(outcome.reason);
  if (outcome.ok || ((state.isUp || !state.hasRun) && state.retryIt >= settings.retry)) {
    state.retryIt = 0;
    let verdict: boolean | undefined;
    const ping = type === 'PING_CHECK';
    if (outcome.ok && (!state.isUp || !state.hasRun)) {
      logs.push(`${ping ? 'ICMP' : 'UDP'} connection to ${chk} success.`);
      verdict = true;
    } else if (!outcome.ok && (state.isUp || !state.hasRun)) {
      if (settings.retry && state.hasRun)
        logs.push(
          ping
            ? `ICMP CHECK on service ${chk} of ${vs} failed after ${retries(settings.retry)}.`
            : `UDP_CHECK on service ${chk} failed after ${retries(settings.retry)}.`,
        );
      else logs.push(ping ? `ICMP CHECK on service ${chk} failed.` : `UDP_CHECK on service ${chk} failed.`);
      verdict = false;
    }
    return { delay: settings.delayLoop, logs, ...(verdict !== undefined ? { verdict } : {}) };
  }
  if (state.isUp) {
    state.retryIt++;
    return { delay: settings.delayBeforeRetry, logs };
  }
  return { delay: settings.delayLoop, logs };
}

/** check_dns.c dns_final: `reason` is the text after "DNS_CHECK (<rs>) ". */
function dnsEpilog(state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  const { settings, chk } = ctx;
  const logs: string[] = [];
  let verdict: boolean | undefined;
  if (!outcome.ok) {
    if (state.isUp || !state.hasRun) {
      const final = state.retryIt >= settings.retry;
      if (outcome.reason !== '' && (logAll(ctx) || final))
        logs.push(`DNS_CHECK (${chk}) ${outcome.reason}${state.hasRun && final ? ` after ${retries(settings.retry)}` : ''}`);
      if (!final) {
        state.retryIt++;
        return { delay: settings.delayBeforeRetry, logs };
      }
      verdict = false;
    }
  } else if (!state.isUp || !state.hasRun) verdict = true;
  state.retryIt = 0;
  return { delay: settings.delayLoop, logs, ...(verdict !== undefined ? { verdict } : {}) };
}

/** check_smtp.c smtp_final and the success path of its main thread: `reason` is the text after "SMTP_CHECK ". */
function smtpEpilog(state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  const { settings, chk } = ctx;
  const logs: string[] = [];
  if (!outcome.ok) {
    if ((state.isUp || !state.hasRun) && (logAll(ctx) || state.retryIt >= settings.retry) && outcome.reason !== '')
      logs.push(`SMTP_CHECK ${outcome.reason}`);
    // retry_it is not reset after the last failure: a down checker does not retry until a success
    if (++state.retryIt <= settings.retry) return { delay: settings.delayBeforeRetry, logs, keepHasRun: true };
    return { delay: settings.delayLoop, logs, ...(state.isUp || !state.hasRun ? { verdict: false } : {}) };
  }
  state.retryIt = 0;
  let verdict: boolean | undefined;
  if (!state.isUp || !state.hasRun) {
    logs.push(`Remote SMTP server ${chk} succeed on service.`);
    verdict = true;
  }
  return { delay: settings.delayLoop, logs, ...(verdict !== undefined ? { verdict } : {}) };
}

/**
 * check_http.c epilog at the granularity of one attempt (all urls of the checker): a success is
 * REGISTER_CHECKER_NEW after the last url, a failure REGISTER_CHECKER_RETRY.
 */
function httpEpilog(state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  const { settings, chk } = ctx;
  const logs: string[] = [];
  let verdict: boolean | undefined;
  let delay: number;
  if (outcome.ok) {
    if (!state.failedUrl) {
      if (!state.isUp || !state.hasRun) {
        logs.push(`Remote Web server ${chk} succeed on service.`);
        verdict = true;
      }
    } else state.failedUrl = false; // the failed url answers again: every url is checked once more before UP
    state.retryIt = 0;
    delay = settings.delayLoop;
  } else {
    if ((state.isUp || !state.hasRun) && logAll(ctx) && outcome.reason !== '') logs.push(outcome.reason);
    state.retryIt++;
    if (state.retryIt > settings.retry) {
      if (state.isUp || !state.hasRun) {
        logs.push(
          state.hasRun && settings.retry
            ? `HTTP_CHECK on service ${chk} failed after ${retries(state.retryIt - 1)}.`
            : `HTTP_CHECK on service ${chk} failed.`,
        );
        verdict = false;
      }
      state.failedUrl = true;
    }
    delay = state.failedUrl ? Math.max(settings.delayBeforeRetry, settings.delayLoop) : settings.delayBeforeRetry;
  }
  // fast_recovery: a checker that is down with no failure outstanding (or has never run) goes again at once
  const hasRun = state.hasRun || verdict !== undefined;
  const isUp = verdict ?? state.isUp;
  if (ctx.fastRecovery && (!hasRun || (!isUp && !state.failedUrl))) delay = 0;
  return { delay, logs, ...(verdict !== undefined ? { verdict } : {}) };
}

/** check_misc.c misc_check_child_thread. */
function miscEpilog(state: LoopState, outcome: CheckOutcome, ctx: EpilogContext): EpilogResult {
  const { settings } = ctx;
  const exit = outcome.exit ?? (outcome.ok ? { code: 0, timedOut: false } : { code: 1, timedOut: false });
  const iweight = ctx.configuredWeight ?? 1;
  let exitType: string | undefined;
  let success = false;
  let reason: string | undefined;
  let reasonCode = 0;
  let messageOnly = false;
  let weightChanged = false;

  const retryOrGiveUp = (): void => {
    if (state.retryIt < settings.retry) {
      state.retryIt++;
      if (logAll(ctx)) messageOnly = true;
      else exitType = undefined;
    } else {
      state.retryIt = 0;
    }
  };

  if (exit.code !== undefined) {
    const status = exit.code;
    if (status === 0 || (ctx.miscDynamic && status >= 2 && status <= 255)) {
      if (status !== state.lastExitCode) {
        state.curWeight = status ? status - 2 - iweight : 0;
        state.lastExitCode = status;
        weightChanged = true;
      }
      if (!state.isUp || !state.hasRun) {
        exitType = 'succeeded';
        success = true;
      }
      state.retryIt = 0;
    } else if (state.isUp || !state.hasRun) {
      exitType = 'failed';
      reason = 'exited with status';
      reasonCode = status;
      const givingUp = state.retryIt >= settings.retry;
      retryOrGiveUp();
      if (givingUp) {
        if (state.curWeight !== 0) weightChanged = true;
        state.curWeight = 0;
        state.lastExitCode = status;
      }
    }
  } else if (state.isUp || !state.hasRun) {
    // killed by a signal: ours after the timeout counts as "timed out", any other as a failure
    if (exit.timedOut) exitType = 'timed out';
    else {
      exitType = 'failed';
      reason = 'due to signal';
      reasonCode = exit.signal ?? 0;
    }
    retryOrGiveUp();
  }

  const logs: string[] = [];
  let verdict: boolean | undefined;
  if (exitType !== undefined) {
    let message = '';
    if (!success) {
      if (settings.retry) {
        const plural = settings.retry === 1 ? 'retry' : 'retries';
        if (state.retryIt === 1) message = `, will do ${settings.retry} ${plural}`;
        else if (state.retryIt > 1) message = ` on retry ${state.retryIt - 1}/${settings.retry}`;
        else message = ` after ${settings.retry} ${plural}`;
      } else message = ' with retry disabled';
    }
    const program = ctx.miscProgram ?? '';
    logs.push(
      reason !== undefined
        ? `Misc check for [${ctx.chk} VS ${ctx.vs}] by [${program}] ${exitType}${message} (${reason} ${reasonCode}).`
        : `Misc check for [${ctx.chk} VS ${ctx.vs}] by [${program}] ${exitType}${message}.`,
    );
    if (!messageOnly) {
      verdict = success;
      if (!success) {
        if (state.curWeight !== 0) weightChanged = true;
        state.curWeight = 0;
      }
    }
  }
  return {
    delay: state.retryIt ? settings.delayBeforeRetry : settings.delayLoop,
    fromStart: true,
    logs,
    ...(verdict !== undefined ? { verdict } : {}),
    ...(weightChanged ? { weightChanged } : {}),
  };
}

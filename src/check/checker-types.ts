/**
 * The contract between the checker scheduler (a pure core: when to check, retries, up/down) and
 * the checkers that do I/O (one file per kind). A checker performs ONE attempt against a real
 * server and says how it went; the scheduler owns delay_loop, retry, delay_before_retry, warmup
 * and alpha, exactly as keepalived's check loop (reference §4.4).
 */
import type { Checker, RealServer, SslConfig, VirtualServer } from '../config/model/lvs.js';

/** Where an attempt connects, after keepalived's inheritance (connect_ip/port, bindto, bind_port…). */
export interface CheckTarget {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  /** 0 when the checker has no port (PING_CHECK, MISC_CHECK). */
  readonly port: number;
  readonly bindAddress?: string;
  readonly bindPort?: number;
  readonly bindInterface?: string;
  readonly fwmark?: number;
  /** connect_timeout, µs. */
  readonly connectTimeout: number;
}

export interface CheckOutcome {
  readonly ok: boolean;
  /** Why it failed (or what it saw), for keepalived-style log lines. */
  readonly reason: string;
  /** MISC_CHECK with misc_dynamic: the new weight (exit code − 2). */
  readonly weight?: number;
  /**
   * The attempt could not be made at all (socket or bind failed: keepalived's "Rescheduling."):
   * no verdict, `reason` is logged and the next attempt follows after delay_loop.
   */
  readonly inconclusive?: boolean;
  /** The failure was a timeout (TCP_CHECK words its log_all_failures line "timeout" rather than "failed"). */
  readonly timedOut?: boolean;
  /** Lines logged as they are, before the scheduler's own (e.g. keepalived's "Error exec-ing command …"). */
  readonly notes?: readonly string[];
  /** MISC_CHECK: how the script ended (exit status, or the signal that killed it; timedOut: we killed it). */
  readonly exit?: { readonly code?: number; readonly signal?: number; readonly timedOut: boolean };
}

/** One attempt. `signal` aborts it (reload, stop); an aborted attempt resolves, never rejects. */
export interface CheckAttempt {
  run(signal: AbortSignal): Promise<CheckOutcome>;
  /**
   * run() may be given one signal shared by every attempt started under the same configuration
   * (aborted on reload and stop, when every running attempt is abandoned). Listening to a signal
   * costs Node several µs per attempt; an attempt that shares one registers once per signal. An
   * attempt abandoned on its own is then not told: it ends by its own timeout and its result is
   * ignored.
   */
  readonly sharesSignal?: boolean;
  /**
   * The same attempt without a Promise: `done` is called exactly once, possibly before start()
   * returns (a connect on loopback often completes inside the call). Optional; a driver that starts
   * thousands of attempts a second uses it when offered, saving a Promise, its reactions and a
   * microtask turn per attempt.
   */
  start?(signal: AbortSignal, done: (outcome: CheckOutcome) => void): void;
}

/** What a checker kind needs to build attempts for one real server. */
export interface CheckerContext {
  readonly checker: Checker;
  /** keepalived's global SSL { } block (SSL_GET's client certificate), when the config has one. */
  readonly ssl?: SslConfig;
  readonly realServer: RealServer;
  readonly virtualServer: VirtualServer;
  readonly target: CheckTarget;
}

export type CheckerFactory = (ctx: CheckerContext) => CheckAttempt;

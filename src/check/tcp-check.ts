/**
 * TCP_CHECK (check_tcp.c): one attempt is a non-blocking connect to the target, optionally from
 * bindto[:bind_port], with SO_MARK (fwmark) and SO_BINDTODEVICE (bind_if), given up after
 * connect_timeout; connected means success and the socket is closed at once.
 *
 * The socket is made through libc (socket, connect → EINPROGRESS, writable, SO_ERROR only when
 * epoll reports an error) rather than node:net: it is what lets fwmark and bind_if be honoured, and
 * with the shared epoll set (readiness-set.ts), one abort listener per signal and one timer per
 * connect_timeout length (deadline-fifo.ts) it costs about half the CPU of net.connect per attempt —
 * measured in bench/RESULTS.md ("10,000 TCP checks"), which is what 10,000 checks a second on one
 * core needs. The daemon's attempts also look whether the connect completed inside the call
 * (`settleAtOnce`), and end at once when it did: no epoll registration, timer or event at all.
 *
 * Outcomes follow socket_bind_connect + tcp_connect_thread: a socket that cannot be created is
 * "TCP connect fail to create socket. Rescheduling."; a mark, device or bind that cannot be set,
 * or a connect() errno outside keepalived's connect_fail list, is "TCP socket bind failed.
 * Rescheduling." (both inconclusive: no verdict, the next attempt follows after delay_loop);
 * connect_fail errnos and any error reported later through SO_ERROR fail the check, and so does
 * connect_timeout.
 */
import type { CheckAttempt, CheckOutcome, CheckTarget, CheckerContext, CheckerFactory } from './checker-types.js';
import { registerChecker } from './checker-registry.js';
import { addressBytes } from '../platform/linux/netlink-codec.js';
import { readinessSet } from '../platform/linux/readiness-set.js';
import { deadlinesOf, type Deadline } from './deadline-fifo.js';
import {
  AF_INET,
  AF_INET6,
  EALREADY,
  EINPROGRESS,
  EISCONN,
  EPOLLERR,
  EPOLLHUP,
  EPOLLOUT,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_MARK,
  bindTo,
  bindToDevice,
  closeFd,
  connectStart,
  errnoName,
  ifNameToIndex,
  setsockoptInt,
  setsockoptBytes,
  SO_LINGER,
  TCP_QUICKACK,
  socket,
  socketError,
  sockaddrIn,
  sockaddrIn6,
} from '../platform/linux/libc.js';

const IPPROTO_TCP = 6;
/** struct linger { l_onoff 1, l_linger 0 }: close() sends a reset. */
const LINGER_RESET = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
/** An int 0 (TCP_QUICKACK off), built once rather than per attempt. */
const INT_ZERO = Buffer.alloc(4);

/**
 * How an attempt ends once the SYN-ACK has told it the real server accepts connections (the verdict
 * is the same either way):
 * - 'graceful' (keepalived): the handshake completes and close() sends a FIN; the real server's
 *   kernel queues a connection its application accepts and sees closed, and the director keeps the
 *   socket in TIME_WAIT.
 * - 'reset' (HAProxy's TCP check): the final ACK is held back (TCP_QUICKACK off) and close() sends a
 *   reset (SO_LINGER 0), so the server drops the half-open connection before its application sees
 *   it, and nothing lingers on the director. About 1.5× less CPU per check on both ends
 *   (bench/RESULTS.md, "10,000 TCP checks").
 */
export type TcpCheckClose = 'graceful' | 'reset';

export interface TcpCheckOptions {
  /** Default 'graceful', as keepalived. */
  readonly close?: TcpCheckClose;
  /**
   * Right after connect() has said EINPROGRESS, ask once more (a second connect(): 0 once
   * established, the connection's error once refused) before waiting for writability. On loopback
   * and very near real servers the handshake has usually completed inside the first call, and the
   * attempt then ends without an epoll registration, a timeout and an event. The verdict is the same
   * either way. A target whose connects do not complete at once is not asked again for a while (the
   * extra call would be wasted). Default false (wait for writability, as keepalived); the
   * registered TCP_CHECK factory turns it on.
   */
  readonly settleAtOnce?: boolean;
}

/** connect() errnos that say the real server is unreachable (socket_bind_connect's connect_fail list). */
const CONNECT_FAIL = new Set([101, 113, 111, 112, 100, 104, 103, 110]); // ENETUNREACH EHOSTUNREACH ECONNREFUSED EHOSTDOWN ENETDOWN ECONNRESET ECONNABORTED ETIMEDOUT

const ABORTED: CheckOutcome = { ok: false, reason: 'aborted' };
const CREATE_FAILED: CheckOutcome = { ok: false, inconclusive: true, reason: 'TCP connect fail to create socket. Rescheduling.' };
const BIND_FAILED: CheckOutcome = { ok: false, inconclusive: true, reason: 'TCP socket bind failed. Rescheduling.' };

/** Everything an attempt needs, worked out once per target rather than once per attempt. */
interface PreparedTarget {
  readonly domain: number;
  readonly destination: Buffer;
  readonly source?: Buffer;
  readonly device?: string;
  readonly mark?: number;
  /** TcpCheckClose 'reset'. */
  readonly reset: boolean;
  readonly timeoutMs: number;
  readonly connected: CheckOutcome;
  readonly timedOut: CheckOutcome;
  readonly where: string;
  /** settleAtOnce, learnt per target: attempts left before asking at once again (0: ask). */
  readonly habit: { skip: number } | undefined;
}

/** After a connect that had not completed at once, how many attempts wait for writability before asking at once again. */
const SKIP_AFTER_PENDING = 32;

function isLinkLocal6(bytes: Uint8Array): boolean {
  return bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;
}

function sockaddr(family: 'inet' | 'inet6', address: string, port: number, device: string | undefined): Buffer {
  const bytes = addressBytes(family, address);
  if (family === 'inet') return sockaddrIn(bytes, port);
  // a link-local address means nothing without its interface, which comes from bind_if
  return sockaddrIn6(bytes, isLinkLocal6(bytes) && device !== undefined ? ifNameToIndex(device) : 0, port);
}

/** Throws when an address does not parse or bind_if names no interface (yet). */
function prepare(target: CheckTarget, options: TcpCheckOptions): PreparedTarget {
  const where = target.family === 'inet6' ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
  const wantsSource = target.bindAddress !== undefined || (target.bindPort !== undefined && target.bindPort !== 0);
  const any = target.family === 'inet' ? '0.0.0.0' : '::';
  return {
    domain: target.family === 'inet6' ? AF_INET6 : AF_INET,
    destination: sockaddr(target.family, target.address, target.port, target.bindInterface),
    ...(wantsSource ? { source: sockaddr(target.family, target.bindAddress ?? any, target.bindPort ?? 0, target.bindInterface) } : {}),
    ...(target.bindInterface !== undefined ? { device: target.bindInterface } : {}),
    ...(target.fwmark !== undefined && target.fwmark !== 0 ? { mark: target.fwmark } : {}),
    reset: options.close === 'reset',
    timeoutMs: Math.max(1, Math.ceil(target.connectTimeout / 1000)),
    connected: { ok: true, reason: `connected to ${where}` },
    habit: options.settleAtOnce === true ? { skip: 0 } : undefined,
    timedOut: { ok: false, timedOut: true, reason: `connect to ${where} timed out` },
    where,
  };
}

/** Target options this driver cannot apply (for a one-time warning): none since it sets SO_MARK and SO_BINDTODEVICE itself. */
export function unsupportedTcpOptions(_target: CheckTarget): string[] {
  return [];
}

function failed(p: PreparedTarget, errno: number): CheckOutcome {
  return { ok: false, reason: `connect to ${p.where} failed: ${errnoName(errno)}` };
}

/** A socket with mark, device and source applied, or the outcome that ends the attempt. */
function openSocket(p: PreparedTarget): number | CheckOutcome {
  let fd: number;
  try {
    fd = socket(p.domain, SOCK_STREAM, IPPROTO_TCP);
  } catch {
    return CREATE_FAILED;
  }
  try {
    if (p.mark !== undefined) setsockoptInt(fd, SOL_SOCKET, SO_MARK, p.mark);
    if (p.device !== undefined) bindToDevice(fd, p.device);
    if (p.source !== undefined) bindTo(fd, p.source);
    if (p.reset) {
      setsockoptBytes(fd, SOL_SOCKET, SO_LINGER, LINGER_RESET);
      setsockoptBytes(fd, IPPROTO_TCP, TCP_QUICKACK, INT_ZERO);
    }
  } catch {
    closeFd(fd);
    return BIND_FAILED;
  }
  return fd;
}

/**
 * One attempt; `done` is called exactly once, possibly before this returns. The socket is closed
 * before `done` is told.
 */
function startAttempt(p: PreparedTarget, signal: AbortSignal, done: (outcome: CheckOutcome) => void): void {
  if (signal.aborted) return done(ABORTED);
  const fd = openSocket(p);
  if (typeof fd !== 'number') return done(fd);
  const started = connectStart(fd, p.destination);
  if (started !== EINPROGRESS) {
    closeFd(fd);
    if (started === 0) return done(p.connected);
    return done(CONNECT_FAIL.has(started) ? failed(p, started) : BIND_FAILED);
  }
  const habit = p.habit;
  if (habit !== undefined) {
    if (habit.skip === 0) {
      // a second connect() reports the state the first one left: 0 (or EISCONN) once established,
      // EALREADY while the handshake goes on, the connection's error (as SO_ERROR would) once it failed
      const now = connectStart(fd, p.destination);
      if (now !== EALREADY && now !== EINPROGRESS) {
        closeFd(fd);
        return done(now === 0 || now === EISCONN ? p.connected : failed(p, now));
      }
      habit.skip = SKIP_AFTER_PENDING;
    } else habit.skip--;
  }
  new Connecting(p, fd, signal, done).wait();
}

/** An attempt whose connect is in progress: waits for writability, its timeout or an abort. */
class Connecting {
  private deadline: Deadline | undefined;
  private aborts: Set<Connecting> | undefined;

  constructor(
    private readonly p: PreparedTarget,
    private readonly fd: number,
    private readonly signal: AbortSignal,
    private readonly done: (outcome: CheckOutcome) => void,
  ) {}

  wait(): void {
    try {
      readinessSet().once(this.fd, EPOLLOUT, (events) => this.ready(events));
    } catch {
      return this.finish(CREATE_FAILED);
    }
    this.deadline = deadlinesOf(this.p.timeoutMs).add(() => this.timedOut());
    this.aborts = abortWaiters(this.signal);
    this.aborts.add(this);
  }

  /** writable alone: connected; an error or hang-up: what SO_ERROR says (keepalived looks only at SO_ERROR) */
  private ready(events: number): void {
    if ((events & (EPOLLERR | EPOLLHUP)) === 0) return this.finish(this.p.connected);
    let error: number;
    try {
      error = socketError(this.fd);
    } catch (e) {
      error = (e as { errno?: number }).errno ?? -1;
    }
    this.finish(error === 0 ? this.p.connected : failed(this.p, error));
  }

  private timedOut(): void {
    this.deadline = undefined;
    readinessSet().forget(this.fd);
    this.finish(this.p.timedOut);
  }

  abort(): void {
    readinessSet().forget(this.fd);
    this.finish(ABORTED);
  }

  private finish(outcome: CheckOutcome): void {
    this.deadline?.cancel();
    this.aborts?.delete(this);
    closeFd(this.fd);
    this.done(outcome);
  }
}

function attempt(p: PreparedTarget, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise<CheckOutcome>((resolve) => startAttempt(p, signal, resolve));
}

/** Attempts waiting on each signal: one 'abort' listener per signal rather than one per attempt (see CheckAttempt.sharesSignal). */
const waitersBySignal = new WeakMap<AbortSignal, Set<Connecting>>();
/** The signal looked up last: attempts in a row mostly share one. */
let lastSignal: AbortSignal | undefined;
let lastWaiters: Set<Connecting> | undefined;

function abortWaiters(signal: AbortSignal): Set<Connecting> {
  if (signal === lastSignal) return lastWaiters!;
  let waiters = waitersBySignal.get(signal);
  if (waiters === undefined) {
    const created = new Set<Connecting>();
    waiters = created;
    waitersBySignal.set(signal, created);
    signal.addEventListener('abort', () => {
      for (const c of [...created]) c.abort();
      created.clear();
    }, { once: true });
  }
  lastSignal = signal;
  lastWaiters = waiters;
  return waiters;
}

function unpreparable(target: CheckTarget, e: unknown): CheckOutcome {
  return { ok: false, inconclusive: true, reason: `TCP_CHECK cannot reach ${target.address} port ${target.port}: ${(e as Error).message}. Rescheduling.` };
}

/** One TCP connect attempt against `target`. */
export function tcpConnectAttempt(target: CheckTarget, signal: AbortSignal, options: TcpCheckOptions = {}): Promise<CheckOutcome> {
  let p: PreparedTarget;
  try {
    p = prepare(target, options);
  } catch (e) {
    return Promise.resolve(unpreparable(target, e));
  }
  return attempt(p, signal);
}

export function createTcpCheckerFactory(options: TcpCheckOptions = {}): CheckerFactory {
  return (ctx: CheckerContext): CheckAttempt => {
    // worked out at the first attempt and kept; a bind_if that does not exist yet is tried again next time
    let prepared: PreparedTarget | undefined;
    const start = (signal: AbortSignal, done: (outcome: CheckOutcome) => void): void => {
      if (prepared === undefined) {
        try {
          prepared = prepare(ctx.target, options);
        } catch (e) {
          return done(unpreparable(ctx.target, e));
        }
      }
      startAttempt(prepared, signal, done);
    };
    return {
      sharesSignal: true,
      start,
      run: (signal) => new Promise<CheckOutcome>((resolve) => start(signal, resolve)),
    };
  };
}

/** TCP_CHECK as the daemon runs it: keepalived's graceful ending, connects that complete at once taken at once. */
export const tcpCheckerFactory: CheckerFactory = createTcpCheckerFactory({ settleAtOnce: true });

registerChecker('TCP_CHECK', tcpCheckerFactory);

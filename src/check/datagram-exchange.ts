/**
 * One request/reply exchange over a connected datagram socket (UDP, ICMP ping socket or raw ICMP),
 * shared by UDP_CHECK, DNS_CHECK and PING_CHECK. The socket is opened through libc rather than
 * node:dgram because checkers honour `bind_interface` (SO_BINDTODEVICE) and `fwmark` (SO_MARK),
 * which dgram cannot set, and because Node has no ICMP sockets at all.
 *
 * Connecting the socket matters: the kernel then drops datagrams from other peers, and an ICMP
 * error about our datagram (port or host unreachable) is reported as an error on the next read.
 */
import { addressBytes } from '../platform/linux/netlink-codec.js';
import { watchReadable, type FdWatch } from '../platform/linux/fd-poller.js';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_RAW,
  SOL_SOCKET,
  SO_MARK,
  SyscallError,
  bindTo,
  bindToDevice,
  closeFd,
  connectTo,
  errnoName,
  ifNameToIndex,
  recvFrom,
  sendTo,
  setsockoptInt,
  socket,
  sockaddrIn,
  sockaddrIn6,
} from '../platform/linux/libc.js';
import type { CheckOutcome } from './checker-types.js';

/** udp: SOCK_DGRAM/UDP; ping: the unprivileged ICMP "ping socket"; raw-icmp: SOCK_RAW (CAP_NET_RAW). */
export type DatagramSocketKind = 'udp' | 'ping' | 'raw-icmp';

export interface DatagramEndpoints {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  /** Remote port (0 for ICMP). */
  readonly port: number;
  readonly bindAddress?: string;
  readonly bindPort?: number;
  readonly bindInterface?: string;
  readonly fwmark?: number;
}

/** Link-local IPv6 addresses mean nothing without an interface: it comes from bind_if (which config validation requires for them). */
function sockaddr(family: 'inet' | 'inet6', address: string, port: number, bindInterface: string | undefined): Buffer {
  const bytes = addressBytes(family, address);
  if (family === 'inet') return sockaddrIn(bytes, port);
  const linkLocal = bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;
  return sockaddrIn6(bytes, linkLocal && bindInterface ? ifNameToIndex(bindInterface) : 0, port);
}

/**
 * A non-blocking socket of `kind`, bound and connected as `ends` says. Throws SyscallError (the
 * caller decides whether e.g. EACCES on a ping socket means "try a raw socket").
 */
export function openConnectedSocket(kind: DatagramSocketKind, ends: DatagramEndpoints): number {
  const domain = ends.family === 'inet' ? AF_INET : AF_INET6;
  const icmp = ends.family === 'inet' ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  const fd =
    kind === 'udp' ? socket(domain, SOCK_DGRAM, IPPROTO_UDP) : kind === 'ping' ? socket(domain, SOCK_DGRAM, icmp) : socket(domain, SOCK_RAW, icmp);
  try {
    if (ends.fwmark) setsockoptInt(fd, SOL_SOCKET, SO_MARK, ends.fwmark);
    if (ends.bindInterface) bindToDevice(fd, ends.bindInterface);
    if (ends.bindAddress !== undefined || (ends.bindPort !== undefined && ends.bindPort !== 0)) {
      const any = ends.family === 'inet' ? '0.0.0.0' : '::';
      // raw sockets have no ports; a bind_port only means something to UDP
      const port = kind === 'udp' ? (ends.bindPort ?? 0) : 0;
      bindTo(fd, sockaddr(ends.family, ends.bindAddress ?? any, port, ends.bindInterface));
    }
    connectTo(fd, sockaddr(ends.family, ends.address, kind === 'udp' ? ends.port : 0, ends.bindInterface));
    return fd;
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

/** How one exchange decides: each callback returns the attempt's outcome, or undefined to keep waiting. */
export interface ExchangeJudge {
  /** A datagram arrived (at most `maxDatagram` bytes; `truncated` when it was longer). */
  onDatagram(data: Buffer, truncated: boolean): CheckOutcome | undefined;
  /** A read or send failed: typically ECONNREFUSED (ICMP port unreachable) or EHOSTUNREACH. */
  onError(error: SyscallError): CheckOutcome;
  onTimeout(): CheckOutcome;
}

export interface ExchangeOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Receive buffer size; longer datagrams are cut and flagged. */
  readonly maxDatagram: number;
  /** Datagrams read in one readiness callback before yielding to the loop (a flood must not starve other checks). */
  readonly readsPerWakeup?: number;
}

export const ABORTED: CheckOutcome = { ok: false, reason: 'check aborted' };

/**
 * Send `payload` on `fd` (which this call now owns and always closes) and wait for the judge's
 * verdict, the timeout, or the abort. Never rejects.
 */
export function exchangeDatagram(fd: number, payload: Uint8Array, opts: ExchangeOptions, judge: ExchangeJudge): Promise<CheckOutcome> {
  return new Promise<CheckOutcome>((resolve) => {
    let watch: FdWatch | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const buf = Buffer.alloc(opts.maxDatagram);
    const perWakeup = opts.readsPerWakeup ?? 16;

    const finish = (outcome: CheckOutcome): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      watch?.close();
      closeFd(fd);
      resolve(outcome);
    };
    const onAbort = (): void => finish(ABORTED);
    const guarded = (f: () => CheckOutcome | undefined): void => {
      try {
        const outcome = f();
        if (outcome) finish(outcome);
      } catch (e) {
        if (e instanceof SyscallError) finish(judge.onError(e));
        else finish({ ok: false, reason: `internal error: ${(e as Error).message}` });
      }
    };

    if (opts.signal.aborted) {
      finish(ABORTED);
      return;
    }
    opts.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish(judge.onTimeout()), Math.max(0, opts.timeoutMs));

    guarded(() => {
      watch = watchReadable(fd, () =>
        guarded(() => {
          for (let i = 0; i < perWakeup && !done; i++) {
            const got = recvFrom(fd, buf);
            if (!got) return undefined;
            const verdict = judge.onDatagram(Buffer.from(buf.subarray(0, got.length)), got.truncated);
            if (verdict) return verdict;
          }
          return undefined;
        }),
      );
      const sent = sendTo(fd, payload, null);
      if (typeof sent !== 'number') return judge.onError(new SyscallError('send', sent.errno, errnoName(sent.errno)));
      if (sent !== payload.length) return { ok: false, reason: `send wrote ${sent} of ${payload.length} bytes` };
      return undefined;
    });
  });
}

/** `connect_timeout` (µs) as a timer delay in ms, never below 1 ms. */
export function timeoutMs(connectTimeoutUs: number): number {
  return Math.max(1, Math.ceil(connectTimeoutUs / 1000));
}

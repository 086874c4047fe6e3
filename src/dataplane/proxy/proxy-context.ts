/**
 * What the TCP and UDP service drivers of the proxy data plane share: the settings, the log, the
 * clock, and the error counters (errors the network can cause are counted and survived).
 */
import type { LogFn } from '../../platform/linux/driver-log.js';

export interface ProxySettings {
  /** Give up connecting to a destination after this long (ms). */
  readonly connectTimeoutMs: number;
  /** Close a TCP connection idle this long in both directions (ms; 0 = never). IPVS "tcp" timeout: 900 s. */
  readonly tcpIdleTimeoutMs: number;
  /** Close a half-closed TCP connection (one side sent FIN) idle this long (ms). IPVS "tcpfin" timeout: 120 s. */
  readonly tcpFinTimeoutMs: number;
  /** Forget a UDP session idle this long (ms). IPVS "udp" timeout: 300 s. */
  readonly udpIdleTimeoutMs: number;
  /** On a failed connect (refused, unreachable, timed out), try one other destination before resetting the client. */
  readonly failoverOnConnectError: boolean;
  /** Open UDP sessions at most (each holds a socket); datagrams of new clients beyond it are dropped. */
  readonly maxUdpSessions: number;
  /** Datagrams queued per UDP session while its socket connects. */
  readonly udpPendingDatagrams: number;
}

export interface ProxyCounters {
  /** Client connections / first datagrams for which no destination could be chosen (client reset / datagram dropped). */
  noDestination: number;
  /** Connects to a destination that failed (refused, unreachable, timed out). */
  connectFailures: number;
  /** Connections that went to a second destination after the first connect failed. */
  failovers: number;
  /** Established connections that ended with an error on either side (reset propagated). */
  connectionErrors: number;
  /** Connections closed by the idle timeout or, half-closed, by the FIN timeout. */
  idleTimeouts: number;
  /** Failed listen/bind attempts on a VIP (retried while the VIP is wanted). */
  listenErrors: number;
  /** Errors reported by a listening socket after it was listening (accept errors, …). */
  listenerErrors: number;
  /** UDP datagrams dropped: session limit reached, queue full, send failed, or VIP socket gone. */
  udpDropped: number;
  /** UDP sessions ended by an error from the destination (ICMP unreachable, …). */
  udpSessionErrors: number;
  /** Services this data plane cannot carry (fwmark, SCTP), reported once each. */
  unsupportedServices: number;
}

export function newProxyCounters(): ProxyCounters {
  return {
    noDestination: 0, connectFailures: 0, failovers: 0, connectionErrors: 0, idleTimeouts: 0,
    listenErrors: 0, listenerErrors: 0, udpDropped: 0, udpSessionErrors: 0, unsupportedServices: 0,
  };
}

export interface ProxyContext {
  readonly settings: ProxySettings;
  readonly counters: ProxyCounters;
  readonly log: LogFn;
  /** Monotonic time in µs (persistence templates). */
  readonly nowUs: () => number;
}

/**
 * bfd_instance blocks (keepalived/bfd/bfd_parser.c). keepalived reads them three ways (the BFD
 * process keeps the session parameters, the VRRP process the weight, the checker process the
 * name); keepalived-ts keeps one object with all of it. Intervals are in microseconds.
 */
import type { SourcePosition } from '../diagnostics.js';

export interface BfdInstance {
  readonly name: string;
  /** neighbor_ip / neighbour_ip (canonical address text). */
  neighborIp: string | undefined;
  neighborFamily: 'inet' | 'inet6' | undefined;
  sourceIp: string | undefined;
  sourceFamily: 'inet' | 'inet6' | undefined;
  /** µs, default 10 ms. */
  minRx: number;
  minTx: number;
  /** µs, default 1 s. */
  idleTx: number;
  /** default 5. */
  multiplier: number;
  passive: boolean;
  /** ttl / hoplimit: 0 = unset (255 for IPv4, 64 for IPv6 once the block is complete). */
  ttl: number;
  /** -1..255, default 0. */
  maxHops: number;
  /** VRRP tracking weight (-253..253), default 0, and `reverse`. */
  weight: number;
  weightReverse: boolean;
  /** `vrrp` / `checker`: which processes get events; both when neither is given. */
  vrrp: boolean;
  checker: boolean;
  /**
   * The BFD process dropped this instance (malformed or missing neighbor, family mismatch,
   * duplicate address): no session runs, but VRRP / checker may still name it in track_bfd,
   * as their processes keep their own copy of the name.
   */
  disabled: boolean;
  readonly at: SourcePosition;
}

export interface BfdConfig {
  instances: BfdInstance[];
}

export function emptyBfdConfig(): BfdConfig {
  return { instances: [] };
}

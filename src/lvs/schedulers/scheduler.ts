/**
 * A connection scheduler as IPVS defines them (rr, wrr, lc, wlc, sh, dh, mh, sed, nq, fo, ovf,
 * lblc, lblcr): given the destinations of a service with their weights and connection counts,
 * which one gets the next connection. Pure and deterministic; data planes that schedule in user
 * space (proxy) or build tables (nft) use the same implementations.
 */
export interface SchedulerDestination {
  /** Stable identity, e.g. "10.0.0.5:80". */
  readonly id: string;
  readonly address: string;
  readonly port: number;
  /** 0: takes no new connections (overloaded/inhibited destinations are given weight 0). */
  readonly weight: number;
  readonly activeConnections: number;
  readonly inactiveConnections: number;
  /**
   * IPVS's OVERLOAD flag (active+inactive connections reached the upper threshold): skipped like
   * weight 0 by every scheduler, but without touching the weight (ovf/lblc/mh see the difference).
   */
  readonly overloaded?: boolean;
}

export interface ScheduleRequest {
  /** Client (source) address and port; destination address (for dh/lblc) and port. */
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly serviceAddress: string;
  readonly servicePort: number;
  /** Time of the request (µs, any monotonic origin): lblc/lblcr expire cache entries by it; absent = never expire. */
  readonly now?: number;
}

export interface Scheduler {
  readonly name: string;
  /** The destination for a new connection, or undefined when none can take it. */
  pick(destinations: readonly SchedulerDestination[], request: ScheduleRequest): SchedulerDestination | undefined;
}

export interface SchedulerOptions {
  /** Service flags (sh-port, sh-fallback, mh-port, mh-fallback, …). */
  readonly flags?: readonly string[];
  /** mh lookup table size (a prime). Default 65537; the kernel's default build uses 4093. */
  readonly mhTableSize?: number;
  /** lblc/lblcr cache expiration (µs); default 24 h as the kernel's lblc_expiration/lblcr_expiration sysctls. */
  readonly cacheExpiration?: number;
}

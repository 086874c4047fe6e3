/**
 * Per-instance VRRP statistics and last transitions, as keepalived keeps them in vrrp->stats and
 * vrrp->last_transition. The VRRP core only reports what its state machine sees (`stat` actions:
 * adverts sent/received, became/released master, priority 0); the packet errors are found by the
 * receive checks before an advert reaches the core. The driver feeds both in here, and the dumps
 * (stats-file.ts, json-dump.ts), the data dump and the status API read the result.
 */
import type { Action, VrrpStateName } from '../vrrp/instance-types.js';
import { VRRP_COUNTERS, type ReceiveCheck, type RejectedAdvert, type VrrpCounter } from '../vrrp/receive-checks.js';

/** keepalived's vrrp_stats (JSON names), plus the SNMP-only chk_err and vers_err. */
export type VrrpInstanceStats = Record<VrrpCounter, number>;

export function newInstanceStats(): VrrpInstanceStats {
  return Object.fromEntries(VRRP_COUNTERS.map((c) => [c, 0])) as VrrpInstanceStats;
}

/**
 * The counters keepalived increments when an advert fails each receive check. The checks after
 * "advert_rcvd++" in vrrp_check_packet() also count the advert as received. Checks that only
 * drop (not ours, or the kernel's) count nothing; advert_interval_err is never incremented by
 * keepalived 2.2.7, so a v2 interval mismatch counts nothing either.
 */
export const REJECTED_CHECK_COUNTERS: Readonly<Record<ReceiveCheck, readonly VrrpCounter[]>> = {
  header_too_short: [],
  ipv6_kernel_checksum: [],
  unknown_vrid: [],
  ipv6_cast_mismatch: [],
  ah_presence: ['authtype_mismatch'],
  packet_length: ['packet_len_err'],
  ttl: ['ip_ttl_err'],
  version: ['vers_err'],
  auth_type_invalid: ['invalid_authtype'],
  auth_type_mismatch: ['authtype_mismatch'],
  auth_pass: ['auth_failure'],
  ah_next_header: [],
  ah_icv: ['auth_failure'],
  ah_spi: ['auth_failure'],
  ah_seq: ['auth_failure'],
  advert_interval: [],
  packet_type: ['invalid_type_rcvd'],
  address_count: ['addr_list_err'],
  ip_total_length: ['packet_len_err'],
  checksum: ['chk_err'],
  cast_mismatch: ['addr_list_err'],
  vip_count: ['advert_rcvd'],
  vip_missing: ['advert_rcvd', 'addr_list_err'],
  unicast_src: ['advert_rcvd'],
  unicast_ttl: ['advert_rcvd', 'ip_ttl_err'],
};

/** A state change of an instance, with the wall-clock time it happened (epoch µs). */
export interface StateTransition {
  readonly atUs: number;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
  readonly reason: string;
}

interface Entry {
  stats: VrrpInstanceStats;
  last: StateTransition | undefined;
}

/** keepalived only looks at adverts (and so only counts their errors) in BACKUP and MASTER. */
const RECEIVING: ReadonlySet<VrrpStateName> = new Set(['BACKUP', 'MASTER']);

export interface StatsBookOptions {
  /** The current time, epoch µs (injected, so tests and the simulator control it). Default: Date.now(). */
  readonly wallClockUs?: () => number;
  /**
   * The current state of an instance: rejections are then only counted while it receives
   * (BACKUP or MASTER), as keepalived ignores packets in INIT and FAULT before checking them.
   */
  readonly stateOf?: (name: string) => VrrpStateName | undefined;
}

/**
 * The statistics of every instance of one VRRP process. Its stat / rejected / transition methods
 * have the shape of the VRRP driver's observer, so the book can be handed to the driver as is.
 */
export class VrrpStatsBook {
  private readonly entries = new Map<string, Entry>();
  private readonly wallClockUs: () => number;
  private readonly stateOf: ((name: string) => VrrpStateName | undefined) | undefined;

  constructor(opts: StatsBookOptions = {}) {
    this.wallClockUs = opts.wallClockUs ?? (() => Date.now() * 1000);
    this.stateOf = opts.stateOf;
  }

  private entry(name: string): Entry {
    let e = this.entries.get(name);
    if (!e) {
      e = { stats: newInstanceStats(), last: undefined };
      this.entries.set(name, e);
    }
    return e;
  }

  /** The counters of an instance (all zero for one never seen): a copy. */
  stats(name: string): VrrpInstanceStats {
    return { ...this.entry(name).stats };
  }

  /** The instance's last state change, if any was recorded. */
  lastTransition(name: string): StateTransition | undefined {
    return this.entries.get(name)?.last;
  }

  /** A `stat` action of the core. */
  stat(owner: string, counter: VrrpCounter): void {
    this.entry(owner).stats[counter]++;
  }

  /**
   * An advert for this instance failed a receive check (a check name, or the verdict with its
   * exact counters). Accepted adverts are not counted here: the core's `stat` actions count them.
   * Returns whether anything was counted.
   */
  rejected(owner: string, rejection: RejectedAdvert | ReceiveCheck, _reason?: string): boolean {
    const state = this.stateOf?.(owner);
    if (state !== undefined && !RECEIVING.has(state)) return false;
    const counters = typeof rejection === 'string' ? REJECTED_CHECK_COUNTERS[rejection] : rejection.counters;
    if (!counters.length) return false;
    const s = this.entry(owner).stats;
    for (const c of counters) s[c]++;
    return true;
  }

  /** A state change, at `t.at` (a Date, or epoch µs) or now. */
  transition(owner: string, _group: boolean, t: { readonly at?: Date | number; readonly from: VrrpStateName; readonly to: VrrpStateName; readonly reason: string }): void {
    if (t.from === t.to) return;
    const atUs = t.at === undefined ? this.wallClockUs() : typeof t.at === 'number' ? t.at : t.at.getTime() * 1000;
    this.entry(owner).last = { atUs, from: t.from, to: t.to, reason: t.reason };
  }

  /** Takes the `stat` and `state-changed` actions of a batch the cores returned (for drivers without an observer). */
  recordActions(actions: readonly Action[]): void {
    for (const a of actions) {
      if (a.type === 'stat') this.stat(a.owner, a.counter);
      else if (a.type === 'state-changed') this.transition(a.owner, a.group, a);
    }
  }

  /** STATS_CLEAR (after the stats file was written): every counter back to zero. */
  clear(): void {
    for (const e of this.entries.values()) e.stats = newInstanceStats();
  }

  /**
   * A reload (call it between recording the reload's `before` and `after` actions): an instance
   * matched to an old one keeps its statistics and last transition under its new name; instances
   * the new config no longer has are forgotten.
   */
  reload(matched: readonly { readonly old: string; readonly new: string }[], removed: readonly string[]): void {
    const moved = matched.map((m) => [m.new, this.entries.get(m.old)] as const);
    for (const m of matched) this.entries.delete(m.old);
    for (const name of removed) this.entries.delete(name);
    for (const [name, e] of moved) {
      if (e) this.entries.set(name, e);
      else this.entries.delete(name);
    }
  }
}

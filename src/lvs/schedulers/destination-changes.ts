/**
 * IPVS tells a scheduler when a destination is added, edited or deleted (add_dest / upd_dest /
 * del_dest) and some schedulers rebuild their state then. Here the scheduler is handed the
 * current list on every pick, so it notices those moments itself by comparing the list
 * (identity, order, weight) with the one it saw last.
 */
import type { SchedulerDestination } from './scheduler.js';

export class DestinationChanges {
  private signature: string | undefined;
  /** The list object seen last: handing the same (readonly) array again skips the comparison. */
  private lastList: readonly SchedulerDestination[] | undefined;
  private lastWeights: number[] = [];

  /** True on the first call and whenever identities, order or weights changed since the last call. */
  changed(destinations: readonly SchedulerDestination[]): boolean {
    if (destinations === this.lastList && destinations.every((d, i) => d.weight === this.lastWeights[i])) return false;
    this.lastList = destinations;
    this.lastWeights = destinations.map((d) => d.weight);
    const signature = destinations.map((d) => `${d.id}=${d.weight}`).join(',');
    if (signature === this.signature) return false;
    this.signature = signature;
    return true;
  }
}

/** What the kernel checks first in most schedulers: a destination takes new connections. */
export function isUsable(d: SchedulerDestination): boolean {
  return !d.overloaded && d.weight > 0;
}

/** ip_vs_dest_conn_overhead: active connections weigh 256 times an inactive one. */
export function connectionOverhead(d: SchedulerDestination): number {
  return d.activeConnections * 256 + d.inactiveConnections;
}

/** The two scheduler flag bits as IPVS numbers them: flag-1 = *-fallback, flag-2 = *-port. */
export function schedulerFlags(flags: readonly string[] | undefined): { fallback: boolean; port: boolean } {
  const f = new Set(flags ?? []);
  return {
    fallback: f.has('flag-1') || f.has('sh-fallback') || f.has('mh-fallback'),
    port: f.has('flag-2') || f.has('sh-port') || f.has('mh-port'),
  };
}

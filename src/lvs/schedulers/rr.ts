/**
 * rr (ip_vs_rr.c): the next usable destination after the one picked last, wrapping around.
 * The cursor survives list changes as the kernel's does: when the destination under it is
 * deleted, it moves back to the entry that preceded it, so the next pick is the one that
 * followed the deleted destination.
 */
import { isUsable } from './destination-changes.js';
import type { Scheduler, SchedulerDestination } from './scheduler.js';

export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr';
  /** The destination the cursor is on; undefined = the list head (before the first). */
  private cursor: string | undefined;
  private lastSeenIds: readonly string[] = [];

  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    const start = this.cursorIndex(destinations);
    this.lastSeenIds = destinations.map((d) => d.id);
    const n = destinations.length;
    // From the entry after the cursor to the end, then (unless the cursor is the head) from the
    // first entry up to and including the cursor itself.
    for (let step = 1; step <= n; step++) {
      const i = start < 0 ? step - 1 : (start + step) % n;
      const d = destinations[i]!;
      if (isUsable(d)) {
        this.cursor = d.id;
        return d;
      }
    }
    return undefined;
  }

  private cursorIndex(destinations: readonly SchedulerDestination[]): number {
    if (this.cursor === undefined) return -1;
    const here = destinations.findIndex((d) => d.id === this.cursor);
    if (here >= 0) return here;
    const old = this.lastSeenIds.indexOf(this.cursor);
    for (let i = old - 1; i >= 0; i--) {
      const j = destinations.findIndex((d) => d.id === this.lastSeenIds[i]);
      if (j >= 0) {
        this.cursor = destinations[j]!.id;
        return j;
      }
    }
    this.cursor = undefined;
    return -1;
  }
}

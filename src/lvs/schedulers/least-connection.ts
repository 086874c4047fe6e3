/**
 * The connection-counting schedulers, stateless: lc, wlc, sed, nq (ip_vs_lc.c, ip_vs_wlc.c,
 * ip_vs_sed.c, ip_vs_nq.c). Ties go to the earliest destination in the list, as the kernel's
 * strict comparisons make them. Weighted comparisons are cross-multiplied (h1·w2 > h2·w1), never
 * divided.
 */
import { connectionOverhead, isUsable } from './destination-changes.js';
import type { Scheduler, SchedulerDestination } from './scheduler.js';

/** lc: least overhead (active·256 + inactive) among usable destinations. */
export class LeastConnectionScheduler implements Scheduler {
  readonly name = 'lc';
  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    let least: SchedulerDestination | undefined;
    let leastOverhead = 0;
    for (const d of destinations) {
      if (d.overloaded || d.weight === 0) continue;
      const overhead = connectionOverhead(d);
      if (!least || overhead < leastOverhead) {
        least = d;
        leastOverhead = overhead;
      }
    }
    return least;
  }
}

/**
 * The shape shared by wlc and sed: the first usable destination is the candidate, then any later
 * non-overloaded one with a smaller overhead/weight replaces it (weight 0 never wins: 0 > x·w is
 * false).
 */
export function weightedLeast(
  destinations: readonly SchedulerDestination[],
  overhead: (d: SchedulerDestination) => number,
): SchedulerDestination | undefined {
  const first = destinations.findIndex(isUsable);
  if (first < 0) return undefined;
  let least = destinations[first]!;
  let leastOverhead = overhead(least);
  for (let i = first + 1; i < destinations.length; i++) {
    const d = destinations[i]!;
    if (d.overloaded) continue;
    const o = overhead(d);
    if (leastOverhead * d.weight > o * least.weight) {
      least = d;
      leastOverhead = o;
    }
  }
  return least;
}

/** wlc: least (active·256 + inactive) / weight. */
export class WeightedLeastConnectionScheduler implements Scheduler {
  readonly name = 'wlc';
  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    return weightedLeast(destinations, connectionOverhead);
  }
}

/** sed (shortest expected delay): least (active + 1) / weight. */
export class ShortestExpectedDelayScheduler implements Scheduler {
  readonly name = 'sed';
  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    return weightedLeast(destinations, (d) => d.activeConnections + 1);
  }
}

/** nq (never queue): an idle destination at once, else as sed. */
export class NeverQueueScheduler implements Scheduler {
  readonly name = 'nq';
  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    let least: SchedulerDestination | undefined;
    let leastOverhead = 0;
    for (const d of destinations) {
      if (d.overloaded || !d.weight) continue;
      const overhead = d.activeConnections + 1;
      if (d.activeConnections === 0) return d;
      if (!least || leastOverhead * d.weight > overhead * least.weight) {
        least = d;
        leastOverhead = overhead;
      }
    }
    return least;
  }
}

/**
 * The two "highest weight first" schedulers (ip_vs_fo.c, ip_vs_ovf.c). Both pick the first
 * destination with the highest weight; ovf additionally passes over a destination whose active
 * connections exceed its weight (the weight is its capacity). Neither ever picks weight 0.
 */
import type { Scheduler, SchedulerDestination } from './scheduler.js';

/** fo: the non-overloaded destination with the highest weight (> 0). */
export class WeightedFailoverScheduler implements Scheduler {
  readonly name = 'fo';
  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    let best: SchedulerDestination | undefined;
    let bestWeight = 0;
    for (const d of destinations) {
      if (!d.overloaded && d.weight > bestWeight) {
        best = d;
        bestWeight = d.weight;
      }
    }
    return best;
  }
}

/** ovf: as fo among destinations whose active connections do not exceed their weight. */
export class WeightedOverflowScheduler implements Scheduler {
  readonly name = 'ovf';
  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    let best: SchedulerDestination | undefined;
    for (const d of destinations) {
      const w = d.weight;
      if (d.overloaded || d.activeConnections > w || w === 0) continue;
      if (!best || w > best.weight) best = d;
    }
    return best;
  }
}

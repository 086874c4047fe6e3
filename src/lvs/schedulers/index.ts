/**
 * The scheduler registry: IPVS's scheduler names (keepalived's lb_algo / lvs_sched values) to
 * fresh scheduler objects. Each service gets its own object, since several schedulers keep
 * state (rr/wrr cursors, sh/dh/mh tables, lblc/lblcr caches).
 */
import { DestinationHashingScheduler } from './dh.js';
import { WeightedFailoverScheduler, WeightedOverflowScheduler } from './failover.js';
import {
  LeastConnectionScheduler,
  NeverQueueScheduler,
  ShortestExpectedDelayScheduler,
  WeightedLeastConnectionScheduler,
} from './least-connection.js';
import { LocalityLeastConnectionReplicationScheduler, LocalityLeastConnectionScheduler } from './locality.js';
import { MaglevHashingScheduler } from './mh.js';
import { RoundRobinScheduler } from './rr.js';
import type { Scheduler, SchedulerOptions } from './scheduler.js';
import { SourceHashingScheduler } from './sh.js';
import { WeightedRoundRobinScheduler } from './wrr.js';

export type { Scheduler, SchedulerDestination, ScheduleRequest, SchedulerOptions } from './scheduler.js';

const FACTORIES: Readonly<Record<string, (options?: SchedulerOptions) => Scheduler>> = {
  rr: () => new RoundRobinScheduler(),
  wrr: () => new WeightedRoundRobinScheduler(),
  lc: () => new LeastConnectionScheduler(),
  wlc: () => new WeightedLeastConnectionScheduler(),
  sed: () => new ShortestExpectedDelayScheduler(),
  nq: () => new NeverQueueScheduler(),
  fo: () => new WeightedFailoverScheduler(),
  ovf: () => new WeightedOverflowScheduler(),
  sh: (o) => new SourceHashingScheduler(o),
  dh: () => new DestinationHashingScheduler(),
  mh: (o) => new MaglevHashingScheduler(o),
  lblc: (o) => new LocalityLeastConnectionScheduler(o),
  lblcr: (o) => new LocalityLeastConnectionReplicationScheduler(o),
};

export const SCHEDULER_NAMES: readonly string[] = Object.keys(FACTORIES);

export function createScheduler(name: string, options?: SchedulerOptions): Scheduler {
  const factory = Object.prototype.hasOwnProperty.call(FACTORIES, name) ? FACTORIES[name] : undefined;
  if (!factory) {
    throw new Error(`unknown scheduler '${name}' (known: ${SCHEDULER_NAMES.join(', ')})`);
  }
  return factory(options);
}

/**
 * sh (ip_vs_sh.c): a 256-bucket table filled by walking the destinations in order, each taking
 * `weight` consecutive buckets (at least one); the client address (plus its port with sh-port)
 * hashed with hash_32 selects the bucket. With sh-fallback an unusable destination makes the
 * search continue over the table from that bucket; without it the connection is refused.
 */
import { addressFold } from './address-fold.js';
import { DestinationChanges, isUsable, schedulerFlags } from './destination-changes.js';
import { hash32 } from './kernel-hash.js';
import type { ScheduleRequest, Scheduler, SchedulerDestination, SchedulerOptions } from './scheduler.js';

export const SH_TABLE_BITS = 8;
export const SH_TABLE_SIZE = 1 << SH_TABLE_BITS;

export class SourceHashingScheduler implements Scheduler {
  readonly name = 'sh';
  private readonly changes = new DestinationChanges();
  private readonly fallback: boolean;
  private readonly usePort: boolean;
  /** Bucket → index into the destination list it was built from; -1 = empty. */
  private buckets = new Int32Array(SH_TABLE_SIZE).fill(-1);

  constructor(options?: SchedulerOptions) {
    const flags = schedulerFlags(options?.flags);
    this.fallback = flags.fallback;
    this.usePort = flags.port;
  }

  /** The bucket table as destination indices (for tests and table-building data planes). */
  table(destinations: readonly SchedulerDestination[]): Int32Array {
    if (this.changes.changed(destinations)) this.reassign(destinations);
    return this.buckets;
  }

  pick(destinations: readonly SchedulerDestination[], request: ScheduleRequest): SchedulerDestination | undefined {
    const buckets = this.table(destinations);
    const port = this.usePort ? request.clientPort & 0xffff : 0;
    const key = (port + addressFold(request.clientAddress)) >>> 0;
    const bucketOf = (offset: number): number => ((offset + hash32(key, SH_TABLE_BITS)) >>> 0) & (SH_TABLE_SIZE - 1);
    const ihash = bucketOf(0);
    const first = destinations[buckets[ihash]!];
    if (!this.fallback) return first && isUsable(first) ? first : undefined;
    if (!first) return undefined;
    if (isUsable(first)) return first;
    for (let offset = 0; offset < SH_TABLE_SIZE; offset++) {
      const d = destinations[buckets[bucketOf((offset + ihash) % SH_TABLE_SIZE)]!];
      if (!d) break;
      if (isUsable(d)) return d;
    }
    return undefined;
  }

  private reassign(destinations: readonly SchedulerDestination[]): void {
    const buckets = new Int32Array(SH_TABLE_SIZE).fill(-1);
    if (destinations.length > 0) {
      let p = 0;
      let filled = 0;
      for (let i = 0; i < SH_TABLE_SIZE; i++) {
        buckets[i] = p;
        // A destination keeps taking buckets until it has `weight` of them (a weight-0 one takes one).
        if (++filled >= destinations[p]!.weight) {
          p = (p + 1) % destinations.length;
          filled = 0;
        }
      }
    }
    this.buckets = buckets;
  }
}

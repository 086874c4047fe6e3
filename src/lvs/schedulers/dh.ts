/**
 * dh (ip_vs_dh.c): a 256-bucket table filled round robin with the destinations (weights do not
 * matter); the packet's destination address (the service address the client asked for)
 * selects the bucket with the multiplicative hash by 2654435761. An unusable destination
 * refuses the connection.
 */
import { addressFold } from './address-fold.js';
import { DestinationChanges, isUsable } from './destination-changes.js';
import { multiplicativeHash } from './kernel-hash.js';
import type { ScheduleRequest, Scheduler, SchedulerDestination } from './scheduler.js';

export const DH_TABLE_SIZE = 256;

export class DestinationHashingScheduler implements Scheduler {
  readonly name = 'dh';
  private readonly changes = new DestinationChanges();
  private buckets = new Int32Array(DH_TABLE_SIZE).fill(-1);

  pick(destinations: readonly SchedulerDestination[], request: ScheduleRequest): SchedulerDestination | undefined {
    if (this.changes.changed(destinations)) {
      this.buckets = new Int32Array(DH_TABLE_SIZE).fill(-1);
      if (destinations.length > 0) for (let i = 0; i < DH_TABLE_SIZE; i++) this.buckets[i] = i % destinations.length;
    }
    const d = destinations[this.buckets[multiplicativeHash(addressFold(request.serviceAddress), DH_TABLE_SIZE - 1)]!];
    return d && isUsable(d) ? d : undefined;
  }
}

/**
 * The locality-based schedulers (ip_vs_lblc.c, ip_vs_lblcr.c), meant for cache clusters: they
 * remember, per requested destination address, which real server(s) served it and keep sending
 * it there until that server is overloaded; otherwise they fall back to a weighted least
 * connection choice (overhead active·256 + inactive, as ip_vs_dest_conn_overhead).
 *
 * "Overloaded" here is the kernel's locality rule, not the OVERLOAD flag: more active
 * connections than weight while some destination is under half its weight.
 *
 * Expiry: the kernel garbage-collects entries unused for lblc(r)_expiration (24 h) from a
 * periodic timer; here an entry unused that long is treated as gone when the request carries
 * `now`, and lblcr drops its most loaded member once the set has not changed for that long.
 */
import { connectionOverhead } from './destination-changes.js';
import { weightedLeast } from './least-connection.js';
import type { ScheduleRequest, Scheduler, SchedulerDestination, SchedulerOptions } from './scheduler.js';

export const DEFAULT_CACHE_EXPIRATION_US = 24 * 3600 * 1_000_000;

function isLocalityOverloaded(d: SchedulerDestination, all: readonly SchedulerDestination[]): boolean {
  if (d.activeConnections <= d.weight) return false;
  return all.some((other) => other.activeConnections * 2 < other.weight);
}

function expired(lastUse: number | undefined, now: number | undefined, expiration: number): boolean {
  return now !== undefined && lastUse !== undefined && now - lastUse >= expiration;
}

interface LblcEntry {
  destinationId: string;
  lastUse: number | undefined;
}

/** lblc: one real server per requested address. */
export class LocalityLeastConnectionScheduler implements Scheduler {
  readonly name = 'lblc';
  private readonly entries = new Map<string, LblcEntry>();
  private readonly expiration: number;

  constructor(options?: SchedulerOptions) {
    this.expiration = options?.cacheExpiration ?? DEFAULT_CACHE_EXPIRATION_US;
  }

  pick(destinations: readonly SchedulerDestination[], request: ScheduleRequest): SchedulerDestination | undefined {
    const key = request.serviceAddress;
    let entry = this.entries.get(key);
    if (entry && expired(entry.lastUse, request.now, this.expiration)) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (entry) {
      entry.lastUse = request.now;
      const cached = destinations.find((d) => d.id === entry!.destinationId);
      if (cached && cached.weight > 0 && !isLocalityOverloaded(cached, destinations)) return cached;
    }
    const chosen = weightedLeast(destinations, connectionOverhead);
    if (!chosen) return undefined;
    this.entries.set(key, { destinationId: chosen.id, lastUse: request.now });
    return chosen;
  }

  /** The cached assignment of a requested address (for tests and status). */
  cached(serviceAddress: string): string | undefined {
    return this.entries.get(serviceAddress)?.destinationId;
  }
}

interface LblcrEntry {
  /** Member ids, most recently inserted first (the kernel adds at the head of the list). */
  members: string[];
  lastModified: number | undefined;
  lastUse: number | undefined;
}

/** lblcr: a growing set of real servers per requested address, least loaded member first. */
export class LocalityLeastConnectionReplicationScheduler implements Scheduler {
  readonly name = 'lblcr';
  private readonly entries = new Map<string, LblcrEntry>();
  private readonly expiration: number;

  constructor(options?: SchedulerOptions) {
    this.expiration = options?.cacheExpiration ?? DEFAULT_CACHE_EXPIRATION_US;
  }

  pick(destinations: readonly SchedulerDestination[], request: ScheduleRequest): SchedulerDestination | undefined {
    const key = request.serviceAddress;
    const now = request.now;
    let entry = this.entries.get(key);
    if (entry && expired(entry.lastUse, now, this.expiration)) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      const chosen = weightedLeast(destinations, connectionOverhead);
      if (!chosen) return undefined;
      this.entries.set(key, { members: [chosen.id], lastModified: now, lastUse: now });
      return chosen;
    }
    entry.lastUse = now;
    const members = this.members(entry, destinations);
    const least = leastLoadedMember(members);
    if (members.length > 1 && now !== undefined && entry.lastModified !== undefined && now > entry.lastModified + this.expiration) {
      const most = mostLoadedMember(members);
      if (most) {
        entry.members = entry.members.filter((id) => id !== most.id);
        entry.lastModified = now;
      }
    }
    if (least && !isLocalityOverloaded(least, destinations)) return least;
    const chosen = weightedLeast(destinations, connectionOverhead);
    if (!chosen) return undefined;
    if (!entry.members.includes(chosen.id)) {
      entry.members.unshift(chosen.id);
      entry.lastModified = now;
    }
    return chosen;
  }

  /** The member ids cached for a requested address, most recent first. */
  cached(serviceAddress: string): readonly string[] {
    return this.entries.get(serviceAddress)?.members ?? [];
  }

  /** Current destination objects of the set; members no longer configured are unavailable and skipped. */
  private members(entry: LblcrEntry, destinations: readonly SchedulerDestination[]): SchedulerDestination[] {
    const out: SchedulerDestination[] = [];
    for (const id of entry.members) {
      const d = destinations.find((x) => x.id === id);
      if (d) out.push(d);
    }
    return out;
  }
}

/** ip_vs_dest_set_min: the first member with weight > 0, then any lighter one (overhead/weight). */
function leastLoadedMember(members: readonly SchedulerDestination[]): SchedulerDestination | undefined {
  const first = members.findIndex((d) => !d.overloaded && d.weight > 0);
  if (first < 0) return undefined;
  let least = members[first]!;
  let leastOverhead = connectionOverhead(least);
  for (let i = first + 1; i < members.length; i++) {
    const d = members[i]!;
    if (d.overloaded) continue;
    const o = connectionOverhead(d);
    if (leastOverhead * d.weight > o * least.weight) {
      least = d;
      leastOverhead = o;
    }
  }
  return least;
}

/** ip_vs_dest_set_max: the first member with weight > 0, then any heavier one with weight > 0. */
function mostLoadedMember(members: readonly SchedulerDestination[]): SchedulerDestination | undefined {
  const first = members.findIndex((d) => d.weight > 0);
  if (first < 0) return undefined;
  let most = members[first]!;
  let mostOverhead = connectionOverhead(most);
  for (let i = first + 1; i < members.length; i++) {
    const d = members[i]!;
    const o = connectionOverhead(d);
    if (mostOverhead * d.weight < o * most.weight && d.weight > 0) {
      most = d;
      mostOverhead = o;
    }
  }
  return most;
}

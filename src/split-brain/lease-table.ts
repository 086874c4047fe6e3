/**
 * The witness's decision core: one lease per VRRP group, given to one director at a time.
 * Pure: requests and the time (the witness's monotonic clock, µs) in, replies out.
 *
 * Safety rests on two rules:
 * - a lease is granted only when the group's lease is free, expired or already the requester's;
 * - after the witness (re)starts it grants nothing for `maxLeaseUs`: a lease it granted in a
 *   previous life, which it no longer remembers, may still run at a director.
 * A director counts a grant from the time it SENT its request, earlier than the witness started
 * the lease, and gives up a margin early; so the director's view always ends first.
 */
import type { DenyMessage, GrantMessage, ReleaseMessage, RequestMessage } from './messages.js';

export interface LeaseTableOptions {
  /** Longest lease granted, µs (a request for more gets this much). */
  readonly maxLeaseUs: number;
  /** The witness's start time: nothing is granted before startedAt + maxLeaseUs. */
  readonly startedAt: number;
}

interface Lease {
  holder: string;
  until: number;
}

export interface LeaseView {
  readonly group: string;
  readonly holder: string;
  /** µs left. */
  readonly remaining: number;
}

export interface LeaseCounters {
  granted: number;
  renewed: number;
  denied: number;
  released: number;
}

export class LeaseTable {
  private readonly leases = new Map<string, Lease>();
  readonly counters: LeaseCounters = { granted: 0, renewed: 0, denied: 0, released: 0 };

  constructor(private readonly options: LeaseTableOptions) {}

  /** The end of the start-up quiet period. */
  get quietUntil(): number {
    return this.options.startedAt + this.options.maxLeaseUs;
  }

  request(now: number, req: RequestMessage): GrantMessage | DenyMessage {
    const reply = { group: req.group, node: req.node, nonce: req.nonce };
    if (now < this.quietUntil) {
      this.counters.denied++;
      return { type: 'deny', ...reply, holder: '', remaining: this.quietUntil - now };
    }
    const current = this.leases.get(req.group);
    if (current && current.until > now && current.holder !== req.node) {
      this.counters.denied++;
      return { type: 'deny', ...reply, holder: current.holder, remaining: current.until - now };
    }
    const lease = Math.min(req.lease, this.options.maxLeaseUs);
    if (current && current.until > now) this.counters.renewed++;
    else this.counters.granted++;
    this.leases.set(req.group, { holder: req.node, until: now + lease });
    return { type: 'grant', ...reply, lease };
  }

  /** Only the holder can free its lease. */
  release(now: number, rel: ReleaseMessage): boolean {
    const current = this.leases.get(rel.group);
    if (!current || current.holder !== rel.node || current.until <= now) return false;
    this.leases.delete(rel.group);
    this.counters.released++;
    return true;
  }

  /** The running leases (expired ones are dropped). */
  view(now: number): LeaseView[] {
    const out: LeaseView[] = [];
    for (const [group, l] of this.leases) {
      if (l.until <= now) this.leases.delete(group);
      else out.push({ group, holder: l.holder, remaining: l.until - now });
    }
    return out.sort((a, b) => a.group.localeCompare(b.group));
  }
}

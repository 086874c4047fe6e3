/**
 * mh (ip_vs_mh.c): Maglev hashing. Each destination gets a permutation of the lookup table
 * (offset and skip from two keyed hsiphash values of its address and port); the table is
 * populated by letting the destinations claim their next free slot in turn, each claiming
 * `turns` slots per round in proportion to its weight. Removing one destination changes only
 * the slots it held (minimal disruption).
 *
 * As in the kernel, the table is built from each destination's *last non-zero* weight: a
 * destination set to weight 0 (inhibit_on_failure, draining) keeps its slots and is merely
 * unavailable, so the other clients do not move; with mh-fallback its clients search on.
 *
 * Table size: IPVS builds with a compile-time prime (4093 by default, CONFIG_IP_VS_MH_TAB_INDEX
 * 12); keepalived-ts defaults to 65537 (finer weight resolution) and takes `mhTableSize: 4093`
 * for parity with a default kernel.
 */
import { addressFold } from './address-fold.js';
import { DestinationChanges, isUsable, schedulerFlags } from './destination-changes.js';
import { hsiphash32 } from './kernel-hash.js';
import type { ScheduleRequest, Scheduler, SchedulerDestination, SchedulerOptions } from './scheduler.js';

export const MH_DEFAULT_TABLE_SIZE = 65537;
const HASH1_KEY = 2654435761n;
const HASH2_KEY = 2654446892n;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** fls(): the position of the highest set bit, 1-based; 0 for 0. */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

function mhHash(address: string, port: number, key: bigint, offset: number): number {
  return hsiphash32((offset + (port & 0xffff) + addressFold(address)) >>> 0, key, key);
}

export class MaglevHashingScheduler implements Scheduler {
  readonly name = 'mh';
  private readonly changes = new DestinationChanges();
  private readonly fallback: boolean;
  private readonly usePort: boolean;
  readonly tableSize: number;
  /** Half the bits of the table index, as IP_VS_MH_TAB_BITS: limits how many turns a heavy weight takes. */
  private readonly tableBits: number;
  private readonly lastWeight = new Map<string, number>();
  /** Slot → index into the destination list the table was built from (-1 = empty); the list's order is part of its signature. */
  private lookup: Int32Array;

  constructor(options?: SchedulerOptions) {
    const flags = schedulerFlags(options?.flags);
    this.fallback = flags.fallback;
    this.usePort = flags.port;
    this.tableSize = options?.mhTableSize ?? MH_DEFAULT_TABLE_SIZE;
    this.tableBits = Math.floor(Math.ceil(Math.log2(this.tableSize)) / 2);
    this.lookup = new Int32Array(this.tableSize).fill(-1);
  }

  /** The lookup table as destination ids (for tests and for data planes that install it as a map). */
  table(destinations: readonly SchedulerDestination[]): readonly string[] {
    return Array.from(this.slots(destinations), (i) => destinations[i]?.id ?? '');
  }

  private slots(destinations: readonly SchedulerDestination[]): Int32Array {
    if (this.changes.changed(destinations)) this.rebuild(destinations);
    return this.lookup;
  }

  pick(destinations: readonly SchedulerDestination[], request: ScheduleRequest): SchedulerDestination | undefined {
    const lookup = this.slots(destinations);
    const byId = (i: number): SchedulerDestination | undefined => destinations[i];
    const port = this.usePort ? request.clientPort : 0;
    const ihash = mhHash(request.clientAddress, port, HASH1_KEY, 0) % this.tableSize;
    const first = byId(lookup[ihash]!);
    if (!first) return undefined;
    if (isUsable(first)) return first;
    if (!this.fallback) return undefined;
    for (let offset = 0; offset < this.tableSize; offset++) {
      const roffset = (offset + ihash) % this.tableSize;
      const d = byId(lookup[mhHash(request.clientAddress, port, HASH1_KEY, roffset) % this.tableSize]!);
      if (!d) break;
      if (isUsable(d)) return d;
    }
    return undefined;
  }

  private rebuild(destinations: readonly SchedulerDestination[]): void {
    const present = new Set(destinations.map((d) => d.id));
    for (const id of [...this.lastWeight.keys()]) if (!present.has(id)) this.lastWeight.delete(id);
    for (const d of destinations) {
      if (!this.lastWeight.has(d.id) || d.weight !== 0) this.lastWeight.set(d.id, d.weight);
    }
    const weights = destinations.map((d) => Math.max(0, this.lastWeight.get(d.id) ?? 0));
    let g = 0;
    for (const w of weights) if (w > 0) g = g > 0 ? gcd(w, g) : w;
    const size = this.tableSize;
    const lookup = new Int32Array(size).fill(-1);
    if (g >= 1) {
      const maxWeight = Math.max(...weights);
      const rshift = Math.max(0, fls(Math.trunc(maxWeight / g)) - this.tableBits);
      const setup = destinations.map((d, i) => {
        const offset = mhHash(d.address, d.port, HASH1_KEY, 0) % size;
        const skip = (mhHash(d.address, d.port, HASH2_KEY, 0) % (size - 1)) + 1;
        const lw = weights[i]!;
        const turns = (Math.trunc(lw / g) >> rshift) || (lw !== 0 ? 1 : 0);
        return { perm: offset, skip, turns };
      });
      const taken = new Uint8Array(size);
      let n = 0;
      let claimed = 0;
      fill: for (;;) {
        for (let p = 0; p < destinations.length; ) {
          const ds = setup[p]!;
          if (ds.turns < 1) {
            p++;
            continue;
          }
          let c = ds.perm;
          while (taken[c]) {
            ds.perm += ds.skip;
            if (ds.perm >= size) ds.perm -= size;
            c = ds.perm;
          }
          taken[c] = 1;
          lookup[c] = p;
          if (++n === size) break fill;
          if (++claimed >= ds.turns) {
            claimed = 0;
            p++;
          }
        }
      }
    }
    this.lookup = lookup;
  }
}

/**
 * Timeouts that all have the same length expire in the order they were set, so one queue and one
 * timer serve all of them. TCP_CHECK sets a connect_timeout for every attempt still connecting:
 * at thousands of attempts a second a Node timer each (a Timeout object, a list insertion, a
 * clearTimeout) is measurable work, while a cancelled entry here costs one flag; cancelled entries
 * are dropped when they reach the front.
 */

export interface Deadline {
  /** The callback will not run (idempotent; a no-op once it ran). */
  cancel(): void;
}

class Entry implements Deadline {
  live = true;
  constructor(
    readonly owner: DeadlineFifo,
    readonly at: number,
    readonly onExpire: () => void,
  ) {}

  cancel(): void {
    if (!this.live) return;
    this.live = false;
    this.owner.cancelled();
  }
}

/** Entries dropped from the front before the array is compacted. */
const COMPACT_AFTER = 1024;

export class DeadlineFifo {
  private queue: Entry[] = [];
  private head = 0;
  private live = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** While expire() runs: it arms the timer for the front itself once done. */
  private expiring = false;

  /** `ms`: the one length every deadline of this queue has. `now`: a monotonic clock, ms. */
  constructor(
    private readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Call `onExpire` in `ms` milliseconds unless cancelled first. */
  add(onExpire: () => void): Deadline {
    const e = new Entry(this, this.now() + this.ms, onExpire);
    this.queue.push(e);
    this.live++;
    if (this.timer === undefined && !this.expiring) this.arm(e.at);
    return e;
  }

  get pending(): number {
    return this.live;
  }

  /** @internal An entry was cancelled: with nothing left the timer goes (it keeps the process alive). */
  cancelled(): void {
    this.live--;
    if (this.live > 0) return;
    this.queue = [];
    this.head = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(at: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(0, Math.ceil(at - this.now())));
  }

  private expire(): void {
    this.timer = undefined;
    this.expiring = true;
    const now = this.now();
    while (this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      if (e.live && e.at > now) break;
      this.head++;
      if (!e.live) continue;
      e.live = false;
      this.live--;
      try {
        e.onExpire();
      } catch (err) {
        // one owner's bug must not keep the others from their timeouts
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.expiring = false;
    const next = this.queue[this.head];
    if (next !== undefined) this.arm(next.at);
    else {
      this.queue = [];
      this.head = 0;
    }
  }
}

const byLength = new Map<number, DeadlineFifo>();

/** The thread's queue for timeouts of `ms` milliseconds. */
export function deadlinesOf(ms: number): DeadlineFifo {
  let q = byLength.get(ms);
  if (q === undefined) {
    q = new DeadlineFifo(ms);
    byLength.set(ms, q);
  }
  return q;
}

/**
 * The simulator's virtual clock: time in microseconds that only moves when the next scheduled
 * event runs. Events at the same time run in the order they were scheduled, so a run is fully
 * determined by its inputs.
 */
export type Cancel = () => void;

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export class VirtualClock {
  private nowUs = 0;
  private seq = 0;
  private readonly heap: Scheduled[] = [];

  get now(): number {
    return this.nowUs;
  }

  /** Run `run` at absolute time `at` (µs); a time in the past runs at the current time. */
  at(at: number, run: () => void): Cancel {
    const item: Scheduled = { at: Math.max(at, this.nowUs), seq: this.seq++, run, cancelled: false };
    this.push(item);
    return () => {
      item.cancelled = true;
    };
  }

  after(delayUs: number, run: () => void): Cancel {
    return this.at(this.nowUs + delayUs, run);
  }

  /** Time of the next pending event, or undefined. */
  peek(): number | undefined {
    while (this.heap.length && this.heap[0]!.cancelled) this.pop();
    return this.heap[0]?.at;
  }

  /** Run every event up to and including time `until`; the clock ends at `until`. Returns events run. */
  runUntil(until: number, maxEvents = Number.MAX_SAFE_INTEGER): number {
    let count = 0;
    for (;;) {
      const next = this.peek();
      if (next === undefined || next > until) break;
      if (count++ >= maxEvents) throw new Error(`more than ${maxEvents} events before t=${until}µs: livelock?`);
      const item = this.pop()!;
      this.nowUs = item.at;
      item.run();
    }
    this.nowUs = Math.max(this.nowUs, until);
    return count;
  }

  private less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(item: Scheduled): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Scheduled | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

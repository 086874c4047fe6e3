/**
 * The due times of every checker in one binary min-heap, so that 10,000 checkers cost one timer
 * rather than 10,000. Entries are never removed from the middle: rescheduling pushes a new entry
 * and the old one is recognised as stale by its generation when it surfaces.
 */
export interface DueEntry<T> {
  readonly at: number;
  /** Insertion order: equal times pop in the order they were scheduled. */
  readonly seq: number;
  readonly item: T;
  readonly generation: number;
}

export class DueHeap<T> {
  private readonly heap: DueEntry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T, generation: number): void {
    const entry: DueEntry<T> = { at, seq: this.seq++, item, generation };
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  peek(): DueEntry<T> | undefined {
    return this.heap[0];
  }

  pop(): DueEntry<T> | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[child]!, last)) break;
        h[i] = h[child]!;
        i = child;
      }
      h[i] = last;
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}

function before<T>(a: DueEntry<T>, b: DueEntry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Persistence templates as IPVS keeps them for a persistent service: a client key (its address
 * under the granularity mask) maps to the destination it was first sent to. A template stays fresh
 * while it controls open connections and for `timeout` after its last use (a new connection under
 * it, or the close of one it controlled). Pure: time comes in as µs.
 */
export interface PersistenceTemplate {
  destinationId: string;
  lastUsedUs: number;
  /** Open connections created under this template. */
  controlled: number;
}

export class PersistenceTable {
  private readonly templates = new Map<string, PersistenceTemplate>();
  /** Templates refused because the table was full (the client is then scheduled per connection). */
  refused = 0;

  constructor(
    private timeoutUs: number,
    private readonly maxTemplates = 262_144,
  ) {}

  get size(): number {
    return this.templates.size;
  }

  setTimeoutUs(timeoutUs: number): void {
    this.timeoutUs = timeoutUs;
  }

  private fresh(t: PersistenceTemplate, nowUs: number): boolean {
    return t.controlled > 0 || nowUs - t.lastUsedUs < this.timeoutUs;
  }

  /** The destination this client is bound to, if its template is still fresh. */
  lookup(key: string, nowUs: number): string | undefined {
    const t = this.templates.get(key);
    if (!t) return undefined;
    if (this.fresh(t, nowUs)) return t.destinationId;
    this.templates.delete(key);
    return undefined;
  }

  /** A new connection of this client went to `destinationId`: (re)bind and refresh the template. */
  bind(key: string, destinationId: string, nowUs: number): void {
    const t = this.templates.get(key);
    if (t) {
      t.destinationId = destinationId;
      t.lastUsedUs = nowUs;
      t.controlled++;
      return;
    }
    if (this.templates.size >= this.maxTemplates) {
      this.sweep(nowUs);
      if (this.templates.size >= this.maxTemplates) {
        this.refused++;
        return;
      }
    }
    this.templates.set(key, { destinationId, lastUsedUs: nowUs, controlled: 1 });
  }

  /** A connection created under the template closed. */
  release(key: string, nowUs: number): void {
    const t = this.templates.get(key);
    if (!t) return;
    if (t.controlled > 0) t.controlled--;
    t.lastUsedUs = nowUs;
  }

  /** Drop the template (its destination can no longer take this client). */
  forget(key: string): void {
    this.templates.delete(key);
  }

  /** Remove every stale template; returns how many went. */
  sweep(nowUs: number): number {
    let removed = 0;
    for (const [key, t] of this.templates) {
      if (!this.fresh(t, nowUs)) {
        this.templates.delete(key);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.templates.clear();
  }
}

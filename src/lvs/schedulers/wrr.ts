/**
 * wrr (ip_vs_wrr.c): passes over the list with a current weight `cw` that starts at the maximum
 * weight (less gcd − 1) and drops by the gcd of the weights after each pass; a destination is
 * picked when its weight is ≥ cw. Over one full cycle each destination gets weight/gcd picks.
 * Any change of the destinations resets the cursor to the head and re-derives cw as the
 * kernel's dest_changed hook does.
 */
import { DestinationChanges } from './destination-changes.js';
import type { Scheduler, SchedulerDestination } from './scheduler.js';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class WeightedRoundRobinScheduler implements Scheduler {
  readonly name = 'wrr';
  private readonly changes = new DestinationChanges();
  private initialised = false;
  /** Index of the current destination; -1 = the list head. */
  private cursor = -1;
  private cw = 0;
  private mw = 0;
  private di = 1;

  pick(destinations: readonly SchedulerDestination[]): SchedulerDestination | undefined {
    if (this.changes.changed(destinations)) this.destinationsChanged(destinations);
    if (this.mw === 0) return undefined;
    const n = destinations.length;
    let index = this.cursor;
    const last = index;
    let stop: number | undefined;
    let lastPass = false;
    let restarted = false;
    for (;;) {
      for (let i = index + 1; i < n; i++) {
        const d = destinations[i]!;
        if (!d.overloaded && d.weight >= this.cw) {
          this.cursor = i;
          return d;
        }
        if (i === stop) {
          this.cursor = i;
          return undefined;
        }
      }
      index = -1;
      this.cw -= this.di;
      if (this.cw <= 0) {
        this.cw = this.mw;
        if (lastPass || last === -1) {
          this.cursor = -1;
          return undefined;
        }
        restarted = true;
      }
      lastPass = this.cw <= this.di;
      if (lastPass && restarted && last !== -1) stop = last;
    }
  }

  private destinationsChanged(destinations: readonly SchedulerDestination[]): void {
    let g = 0;
    let max = 0;
    for (const d of destinations) {
      if (d.weight > 0) g = g > 0 ? gcd(d.weight, g) : d.weight;
      if (d.weight > max) max = d.weight;
    }
    this.cursor = -1;
    this.di = g || 1;
    this.mw = max - (this.di - 1);
    if (!this.initialised) {
      this.initialised = true;
      this.cw = this.mw;
    } else if (this.cw > this.mw || !this.cw) {
      this.cw = this.mw;
    } else if (this.di > 1) {
      this.cw = Math.trunc(this.cw / this.di) * this.di + 1;
    }
  }
}

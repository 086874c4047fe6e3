/**
 * All VRRP instance cores of one keepalived process, with their sync groups: one place
 * for a driver (linux or sim) to start, feed, wake and stop them. Pure, like the cores.
 */
import type { VrrpInstanceCore } from './instance.js';
import type { Action, InstanceEvent, TrackerInit } from './instance-types.js';
import type { SyncGroupCore } from './sync-group.js';

export interface EngineStart {
  /** Per instance name: initial tracker states. */
  readonly trackers?: Record<string, readonly TrackerInit[]>;
  /** Per instance name: the interface's primary address. */
  readonly primaryAddress?: Record<string, string>;
}

export class VrrpEngine {
  readonly instances: readonly VrrpInstanceCore[];
  readonly groups: readonly SyncGroupCore[];

  constructor(instances: readonly VrrpInstanceCore[], groups: readonly SyncGroupCore[] = []) {
    this.instances = instances;
    this.groups = groups;
  }

  instance(name: string): VrrpInstanceCore {
    const i = this.instances.find((x) => x.name === name);
    if (!i) throw new Error(`no VRRP instance ${name}`);
    return i;
  }

  /** vrrp_register_workers(): groups first (their notifies come first in keepalived), then lone instances. */
  start(now: number, init: EngineStart = {}): Action[] {
    const out: Action[] = [];
    for (const g of this.groups) out.push(...g.start(now, init));
    for (const i of this.instances) {
      if (i.sync) continue;
      const ev: InstanceEvent = {
        type: 'start',
        now,
        ...(init.trackers?.[i.name] ? { trackers: init.trackers[i.name] } : {}),
        ...(init.primaryAddress?.[i.name] ? { primaryAddress: init.primaryAddress[i.name] } : {}),
      };
      out.push(...i.handle(ev));
    }
    return out;
  }

  /** An event for one instance (an advert, a tracker, a deleted VIP …). */
  handle(name: string, ev: InstanceEvent): Action[] {
    return this.instance(name).handle(ev);
  }

  /** A tracker event goes to every instance tracking it. */
  broadcast(ev: InstanceEvent): Action[] {
    const out: Action[] = [];
    for (const i of this.instances) out.push(...i.handle(ev));
    return out;
  }

  /** Deliver due timers, earliest first (keepalived's sands order), until none is due at `now`. */
  tick(now: number): Action[] {
    const out: Action[] = [];
    for (let guard = 0; guard < 10_000; guard++) {
      let best: VrrpInstanceCore | undefined;
      let bestAt = Infinity;
      for (const i of this.instances) {
        const w = i.nextWakeup();
        if (w !== undefined && w <= now && w < bestAt) {
          best = i;
          bestAt = w;
        }
      }
      if (!best) break;
      out.push(...best.handle({ type: 'timer', now }));
    }
    return out;
  }

  nextWakeup(): number | undefined {
    let t: number | undefined;
    for (const i of this.instances) {
      const w = i.nextWakeup();
      if (w !== undefined && (t === undefined || w < t)) t = w;
    }
    return t;
  }

  /** SIGTERM: every MASTER sends priority 0 and releases, then STOP notifies (instances, then groups). */
  stop(now: number): Action[] {
    const out: Action[] = [];
    for (const i of this.instances) {
      i.bindSink(out, now);
      i.stopRestore();
    }
    for (const i of this.instances) {
      i.bindSink(out, now);
      i.stopNotify();
    }
    for (const g of this.groups) {
      g.bindSink(out, now);
      g.state = 'STOP';
      g.sendGroupNotifies();
    }
    return out;
  }
}

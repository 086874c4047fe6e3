/**
 * All VRRP instance cores of one keepalived process, with their sync groups: one place
 * for a driver (linux or sim) to start, feed, wake and stop them. Pure, like the cores.
 */
import type { VrrpInstanceCore } from './instance.js';
import type { Action, InstanceEvent, TrackerInit } from './instance-types.js';
import type { SyncGroupCore } from './sync-group.js';
import { reloadCores, type ReloadInit, type ReloadResult } from './reload.js';

export type { ReloadInit, ReloadMatch, ReloadResult } from './reload.js';

export interface EngineStart {
  /** Per instance name: initial tracker states. */
  readonly trackers?: Record<string, readonly TrackerInit[]>;
  /** Per instance name: the interface's primary address. */
  readonly primaryAddress?: Record<string, string>;
}

interface InstanceSet {
  readonly instances: readonly VrrpInstanceCore[];
  readonly groups: readonly SyncGroupCore[];
  /** The instances by name: drivers look one up for every received advert. */
  readonly byName: ReadonlyMap<string, VrrpInstanceCore>;
}

function instanceSet(instances: readonly VrrpInstanceCore[], groups: readonly SyncGroupCore[]): InstanceSet {
  return { instances, groups, byName: new Map(instances.map((i) => [i.name, i])) };
}

export class VrrpEngine {
  private current: InstanceSet;

  constructor(instances: readonly VrrpInstanceCore[], groups: readonly SyncGroupCore[] = []) {
    this.current = instanceSet(instances, groups);
  }

  /** The running instances (replaced by a reload). */
  get instances(): readonly VrrpInstanceCore[] {
    return this.current.instances;
  }
  get groups(): readonly SyncGroupCore[] {
    return this.current.groups;
  }

  /**
   * SIGHUP: continue with the instances of a new config (fresh, not started cores and their sync
   * groups — e.g. a VrrpEngine built from the new config, which is not used afterwards). Old and
   * new instances are matched as keepalived's vrrp_exist() does; see reload.ts for the rules.
   * Afterwards this engine drives the new cores. `init` as for start (defaults: carried over).
   */
  reload(next: VrrpEngine | { instances: readonly VrrpInstanceCore[]; groups?: readonly SyncGroupCore[] }, now: number, init: ReloadInit = {}): ReloadResult {
    const instances = next.instances;
    const groups = next.groups ?? [];
    if (instances.some((i) => this.current.instances.includes(i))) throw new Error('reload needs fresh instance cores');
    const r = reloadCores({ oldInstances: this.current.instances, oldGroups: this.current.groups, instances, groups }, now, init);
    this.current = instanceSet(instances, groups);
    return r;
  }

  instance(name: string): VrrpInstanceCore {
    const i = this.current.byName.get(name);
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

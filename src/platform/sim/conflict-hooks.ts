/**
 * VIP conflict detection in the simulator: the same VipConflictWatch cores as the daemon, one per
 * instance of each node, driven by the node's own actions (VIPs added / removed, GARPs) and by a
 * model of the link's neighbour traffic: a probe is answered by any other node that holds the
 * address on that segment when it arrives, and a GARP / NA is seen by every other node there.
 * Neighbour traffic crosses a VRRP-only cut (network.ts) but not a cut of everything, and draws no
 * loss, so the seeded VRRP loss stays the same with or without detection.
 */
import type { Action } from '../../vrrp/instance-types.js';
import { conflictClearedMessage, conflictReportActions, conflictStartedMessage, VipConflictWatch, type ConflictAction, type ConflictEvent, type SightingKind } from '../../vrrp/vip-conflict.js';
import type { Cancel, VirtualClock } from './clock.js';
import type { SimNode, TimelineEntry } from './cluster.js';
import type { SimNetwork } from './network.js';

/** What the hooks need of the cluster. */
export interface ConflictHost {
  readonly clock: VirtualClock;
  readonly net: SimNetwork;
  readonly nodes: ReadonlyMap<string, SimNode>;
  record(e: TimelineEntry): void;
  /** Run instance-core actions on a node (scripts, FIFO lines) as the cluster runs the engine's. */
  execute(node: SimNode, actions: readonly Action[]): void;
}

interface NodeConflicts {
  readonly watches: Map<string, VipConflictWatch>;
  wakeAt: number | undefined;
  cancelWake: Cancel | undefined;
}

export class SimConflictHooks {
  private readonly perNode = new Map<SimNode, NodeConflicts>();

  constructor(private readonly host: ConflictHost) {}

  private get now(): number {
    return this.host.clock.now;
  }

  /** Conflicts seen on a node's instance: count and the active ones (for tests and reports). */
  watch(node: SimNode, instance: string): VipConflictWatch | undefined {
    return this.perNode.get(node)?.watches.get(instance);
  }

  /** One of the node's own actions: VIPs added (probe them) or removed, GARPs / NAs (the other holders see them). */
  see(node: SimNode, a: Action, instanceIf: string): void {
    const interval = node.config.global.vipConflictProbeInterval;
    if (a.type === 'add-vips') {
      if (interval <= 0) return;
      const st = this.stateOf(node);
      let w = st.watches.get(a.owner);
      if (!w) st.watches.set(a.owner, (w = new VipConflictWatch(a.owner, { probeIntervalUs: interval })));
      const addresses = a.addresses.map((v) => ({ address: v.address, family: v.family === 'inet6' ? ('inet6' as const) : ('inet' as const), ifname: v.dev ?? instanceIf }));
      this.event(node, w, { type: 'held', now: this.now, addresses });
    } else if (a.type === 'remove-vips') {
      const w = this.perNode.get(node)?.watches.get(a.owner);
      if (w) this.event(node, w, { type: 'released', now: this.now, addresses: a.addresses.map((v) => v.address) });
    } else if (a.type === 'send-garp') {
      for (const v of a.addresses) this.claim(node, v.dev ?? instanceIf, v.address, v.family === 'inet6' ? 'neighbour-advert' : 'gratuitous-arp');
    }
  }

  /** The node stopped or crashed: its watches go with it. */
  forget(node: SimNode): void {
    const st = this.perNode.get(node);
    st?.cancelWake?.();
    this.perNode.delete(node);
  }

  /** After a reload: renamed instances keep their watch, every watch takes the new interval. */
  reload(node: SimNode, matched: readonly { old: string; new: string }[]): void {
    const st = this.perNode.get(node);
    if (!st) return;
    const moved = matched.filter((m) => m.old !== m.new && st.watches.has(m.old)).map((m) => [m.new, st.watches.get(m.old)!] as const);
    for (const m of matched) if (m.old !== m.new) st.watches.delete(m.old);
    for (const [name, w] of moved) {
      w.owner = name;
      st.watches.set(name, w);
    }
    for (const w of st.watches.values()) this.actions(node, w.configure({ probeIntervalUs: node.config.global.vipConflictProbeInterval }, this.now));
    this.reschedule(node);
  }

  private stateOf(node: SimNode): NodeConflicts {
    let st = this.perNode.get(node);
    if (!st) this.perNode.set(node, (st = { watches: new Map(), wakeAt: undefined, cancelWake: undefined }));
    return st;
  }

  /** `node` claims `address` on `ifname`: every other node on the segment sees it one latency later. */
  private claim(node: SimNode, ifname: string, address: string, how: SightingKind): void {
    const from = node.endpoints.get(ifname);
    if (!from) return;
    const mac = node.mac(ifname);
    for (const { endpoint, latencyUs } of this.host.net.neighbours(from)) {
      const target = this.host.nodes.get(endpoint.node);
      if (!target?.running) continue;
      const gen = target.generation;
      this.host.clock.after(latencyUs, () => {
        if (target.generation !== gen || !target.running || !endpoint.up) return;
        this.seen(target, endpoint.ifname, address, mac, how);
      });
    }
  }

  /** A probe from `node`: a node holding the address on that segment when it arrives answers the prober. */
  private probe(node: SimNode, ifname: string, address: string, family: 'inet' | 'inet6'): void {
    const from = node.endpoints.get(ifname);
    if (!from) return;
    const proberGen = node.generation;
    for (const { endpoint, latencyUs } of this.host.net.neighbours(from)) {
      const holder = this.host.nodes.get(endpoint.node);
      if (!holder?.running) continue;
      const gen = holder.generation;
      this.host.clock.after(latencyUs, () => {
        if (holder.generation !== gen || !holder.running || !endpoint.up) return;
        if (holder.held.get(address)?.ifname !== endpoint.ifname) return;
        if (this.host.net.isLinkCut(holder.name, node.name)) return;
        const mac = holder.mac(endpoint.ifname);
        this.host.clock.after(this.host.net.link(holder.name, node.name).latencyUs, () => {
          if (node.generation !== proberGen || !node.running || !from.up) return;
          this.seen(node, ifname, address, mac, family === 'inet6' ? 'neighbour-advert' : 'arp-reply');
        });
      });
    }
  }

  private seen(node: SimNode, ifname: string, address: string, mac: string, how: SightingKind): void {
    const st = this.perNode.get(node);
    if (!st) return;
    for (const w of st.watches.values()) this.actions(node, w.handle({ type: 'neighbour-seen', now: this.now, ifname, address, mac, how }));
    this.reschedule(node);
  }

  private event(node: SimNode, w: VipConflictWatch, ev: ConflictEvent): void {
    this.actions(node, w.handle(ev));
    this.reschedule(node);
  }

  private actions(node: SimNode, actions: readonly ConflictAction[]): void {
    for (const a of actions) {
      if (a.type === 'send-probe') {
        this.probe(node, a.ifname, a.address, a.family);
        continue;
      }
      const started = a.type === 'conflict-started';
      this.host.record({
        t: this.now,
        node: node.name,
        kind: 'conflict',
        instance: a.owner,
        reason: started ? 'started' : 'cleared',
        vip: a.address,
        mac: a.mac,
        detail: started ? conflictStartedMessage(a) : conflictClearedMessage(a),
      });
      const core = node.engine?.instances.find((i) => i.name === a.owner);
      // the timeline entry above is the log line; scripts and FIFO lines are recorded as the engine's are
      this.host.execute(node, conflictReportActions(a, core?.settings.notify, core?.effectivePriority ?? 0).filter((x) => x.type !== 'log'));
    }
  }

  private reschedule(node: SimNode): void {
    const st = this.perNode.get(node);
    if (!st || !node.running) return;
    let next: number | undefined;
    for (const w of st.watches.values()) {
      const t = w.nextWakeup();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    if (next === st.wakeAt) return;
    st.cancelWake?.();
    st.cancelWake = undefined;
    st.wakeAt = next;
    if (next === undefined) return;
    const gen = node.generation;
    // not a cluster step: probes never change VRRP state, so the invariants have nothing new to check
    st.cancelWake = this.host.clock.at(next, () => {
      if (node.generation !== gen || !node.running) return;
      st.cancelWake = undefined;
      st.wakeAt = undefined;
      for (const w of st.watches.values()) if ((w.nextWakeup() ?? Infinity) <= this.now) this.actions(node, w.handle({ type: 'probe-due', now: this.now }));
      this.reschedule(node);
    });
  }
}

/**
 * The daemon side of VIP conflict detection: one VipConflictWatch core per VRRP instance, fed by
 * the VRRP driver's own actions (VIPs added → probe them, VIPs removed → stop) and by the
 * platform's NeighbourPort (address claims seen on the link), with its own probe timer. What the
 * cores decide becomes probes on the wire and the instance cores' kind of actions (log line,
 * notify script, FIFO line), which the driver executes like any other.
 */
import type { Action } from '../vrrp/instance-types.js';
import type { NotifySettings } from '../vrrp/instance-settings.js';
import { conflictReportActions, VipConflictWatch, type ConflictAction, type ConflictEvent, type ProbedAddress } from '../vrrp/vip-conflict.js';
import type { Logger } from './logger.js';
import type { NeighbourClaimSeen, NeighbourPort } from './vrrp-platform.js';

/** Per instance in `status --json`: conflicts seen since start, and those going on now. */
export interface ConflictStatus {
  readonly count: number;
  /** `since`: ISO 8601 UTC. */
  readonly active: readonly { readonly address: string; readonly mac: string; readonly since: string }[];
}

/** What the monitor needs to know of an instance now (undefined: no such instance any more). */
export interface ConflictInstanceView {
  readonly notify: NotifySettings;
  /** Its effective priority (what the generic notify script is told). */
  readonly priority: number;
  /** MACs that are ours besides the interfaces' (the VMAC). */
  readonly ignoredMacs: readonly string[];
}

export interface VipConflictMonitorOptions {
  readonly port: NeighbourPort;
  readonly log: Logger;
  /** µs, the cores' clock. */
  readonly now: () => number;
  readonly wallClock?: () => Date;
  /** `vip_conflict_probe_interval` (µs; 0 = off). */
  readonly probeIntervalUs: number;
  readonly instance: (owner: string) => ConflictInstanceView | undefined;
  /** Run these actions as the driver runs the cores' (log, run-script, fifo). */
  readonly emit: (actions: Action[]) => void;
}

export class VipConflictMonitor {
  private readonly watches = new Map<string, VipConflictWatch>();
  private probeIntervalUs: number;
  private timer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private closed = false;
  /** Interfaces that could not be watched, so the error is logged once, not every takeover. */
  private readonly unwatchable = new Set<string>();

  constructor(private readonly o: VipConflictMonitorOptions) {
    this.probeIntervalUs = o.probeIntervalUs;
    o.port.onClaim((c) => this.onClaim(c));
  }

  /** Every action the driver executes passes here: VIPs added and removed start and stop probing. */
  observe(a: Action, instanceInterface: string | undefined): void {
    if (this.closed || this.probeIntervalUs <= 0) return;
    if (a.type === 'add-vips') {
      const addresses: ProbedAddress[] = [];
      for (const v of a.addresses) {
        const ifname = v.dev ?? instanceInterface;
        if (ifname) addresses.push({ address: v.address, family: v.family === 'inet6' ? 'inet6' : 'inet', ifname });
      }
      // sockets are opened after the takeover's own work (addresses, GARPs) is done, not before it
      const keys = new Set(addresses.map((x) => `${x.family}/${x.ifname}`));
      setImmediate(() => {
        if (!this.closed) for (const key of keys) this.listen(key);
      });
      this.run(this.watchOf(a.owner), { type: 'held', now: this.o.now(), addresses });
    } else if (a.type === 'remove-vips') {
      const w = this.watches.get(a.owner);
      if (w) this.run(w, { type: 'released', now: this.o.now(), addresses: a.addresses.map((v) => v.address) });
    }
  }

  /**
   * After a reload: renamed instances keep their watch; a new interval applies from the next
   * probe; `held` (every VIP held now, by owner) starts probing what is not probed yet — e.g. when
   * the reload turned detection on.
   */
  reload(probeIntervalUs: number, matched: readonly { old: string; new: string }[], held: Iterable<{ readonly owner: string; readonly ifname: string; readonly entry: { readonly address: string; readonly family: string } }>): void {
    if (this.closed) return;
    this.probeIntervalUs = probeIntervalUs;
    const moved = matched.filter((m) => m.old !== m.new && this.watches.has(m.old)).map((m) => [m.new, this.watches.get(m.old)!] as const);
    for (const m of matched) if (m.old !== m.new) this.watches.delete(m.old);
    for (const [name, w] of moved) {
      w.owner = name;
      this.watches.set(name, w);
    }
    const now = this.o.now();
    for (const [name, w] of this.watches) {
      const view = this.o.instance(name);
      if (!view && !w.probed.length) {
        this.watches.delete(name);
        continue;
      }
      this.report(w.configure({ probeIntervalUs, ignoredMacs: view?.ignoredMacs ?? [] }, now), name);
    }
    if (probeIntervalUs > 0)
      for (const h of held) {
        const w = this.watchOf(h.owner);
        if (w.probed.some((p) => p.address === h.entry.address && p.ifname === h.ifname)) continue;
        const family = h.entry.family === 'inet6' ? 'inet6' : 'inet';
        this.listen(`${family}/${h.ifname}`);
        this.report(w.handle({ type: 'held', now, addresses: [{ address: h.entry.address, family, ifname: h.ifname }] }), h.owner);
      }
    this.reschedule();
  }

  status(owner: string): ConflictStatus {
    const w = this.watches.get(owner);
    if (!w) return { count: 0, active: [] };
    const now = this.o.now();
    const wall = (this.o.wallClock ?? (() => new Date()))().getTime();
    return {
      count: w.count,
      active: w.active.map((c) => ({ address: c.address, mac: c.mac, since: new Date(wall - Math.max(0, now - c.since) / 1000).toISOString() })),
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private watchOf(owner: string): VipConflictWatch {
    let w = this.watches.get(owner);
    if (!w) {
      w = new VipConflictWatch(owner, { probeIntervalUs: this.probeIntervalUs, ignoredMacs: this.o.instance(owner)?.ignoredMacs ?? [] });
      this.watches.set(owner, w);
    }
    return w;
  }

  private listen(key: string): void {
    const [family, ifname] = [key.slice(0, key.indexOf('/')) as 'inet' | 'inet6', key.slice(key.indexOf('/') + 1)];
    try {
      this.o.port.watch(ifname, family);
      this.unwatchable.delete(key);
    } catch (e) {
      if (!this.unwatchable.has(key)) this.o.log.error(`cannot watch ${family === 'inet' ? 'ARP' : 'neighbour discovery'} on ${ifname} for VIP conflicts: ${(e as Error).message}`);
      this.unwatchable.add(key);
    }
  }

  private onClaim(c: NeighbourClaimSeen): void {
    if (this.closed) return;
    const now = this.o.now();
    for (const w of this.watches.values()) this.run(w, { type: 'neighbour-seen', now, ifname: c.ifname, address: c.address, mac: c.mac, how: c.how }, false);
    this.reschedule();
  }

  private run(w: VipConflictWatch, ev: ConflictEvent, reschedule = true): void {
    this.report(w.handle(ev), w.owner);
    if (reschedule) this.reschedule();
  }

  private report(actions: readonly ConflictAction[], owner: string): void {
    for (const a of actions) {
      if (a.type === 'send-probe') {
        if (!this.o.port.probe(a.ifname, a.address)) this.o.log.detail(`(${owner}) probing ${a.address} on ${a.ifname} failed: ${this.o.port.lastError ?? 'unknown error'}`);
        continue;
      }
      const view = this.o.instance(owner);
      this.o.emit(conflictReportActions(a, view?.notify, view?.priority ?? 0));
    }
  }

  private reschedule(): void {
    if (this.closed) return;
    let next: number | undefined;
    for (const w of this.watches.values()) {
      const t = w.nextWakeup();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    if (next === this.wakeAt && (this.timer || next === undefined)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = next;
    if (next === undefined) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.ceil((next - this.o.now()) / 1000)));
    // the VRRP timers keep the process alive; this one alone must not
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.wakeAt = undefined;
    if (this.closed) return;
    const now = this.o.now();
    for (const w of this.watches.values()) if ((w.nextWakeup() ?? Infinity) <= now) this.run(w, { type: 'probe-due', now }, false);
    this.reschedule();
  }
}

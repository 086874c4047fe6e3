/**
 * The VRRP driver of the daemon: it turns the operating system into events for the VRRP engine
 * (packets, timers, links, deleted addresses, trackers) and the engine's actions into packets,
 * addresses, announcements, scripts and log lines. The same engine runs under the simulator's
 * driver (platform/sim/cluster.ts); this one runs on a real host through a VrrpPlatform.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { IpAddressEntry } from '../config/model/vrrp.js';
import { engineFromConfig } from '../vrrp/engine-from-config.js';
import type { VrrpEngine } from '../vrrp/engine.js';
import type { VrrpInstanceCore } from '../vrrp/instance.js';
import type { Action, InstanceEvent, StatCounter, TrackerInit, VrrpStateName } from '../vrrp/instance-types.js';
import type { ReceiveCheck } from '../vrrp/receive-checks.js';
import { vrrpVirtualMac } from '../vrrp/vip-conflict.js';
import { advertPaths, encodeAdvert, peekVrid, receiveAdvert, WireState, wireConfig, type WireConfig } from '../vrrp/wire.js';
import type { Logger } from './logger.js';
import { VipConflictMonitor, type ConflictStatus } from './vip-conflict-monitor.js';
import { DaemonSplitBrain, type MajorityStatus } from './split-brain-port.js';
import type { LinkEvent, NotifyPort, PacketPort, TrackerHub, VrrpPacket, VrrpPlatform } from './vrrp-platform.js';

export interface Transition {
  readonly at: Date;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
  readonly reason: string;
}

/** What the driver reports to whoever counts (stats files, status). */
export interface DriverObserver {
  stat?(owner: string, counter: StatCounter): void;
  rejected?(owner: string, check: ReceiveCheck, reason: string): void;
  transition?(owner: string, group: boolean, t: Transition): void;
  /** Adverts sent / received that passed the checks (keepalived counts advert_rcvd in the core). */
  sent?(owner: string): void;
  /** A reload matched old instances to new ones (between the old and the new instances' actions). */
  reloaded?(matched: readonly { old: string; new: string }[], removed: readonly string[]): void;
}

export interface DriverOptions {
  readonly log: Logger;
  readonly platform: VrrpPlatform;
  readonly trackers: TrackerHub;
  readonly notify: NotifyPort;
  readonly now: () => number;
  readonly wallClock?: () => Date;
  /** -V: leave VIPs and routes in place at stop. */
  readonly dontRelease: boolean;
  /** -a: log address additions and deletions seen on the host. */
  readonly addressMonitoring?: boolean;
  readonly observer?: DriverObserver;
}

interface InstanceWire {
  readonly cfg: WireConfig;
  st: WireState;
  readonly port: PacketPort;
  /** heartbeat_paths (keepalived-ts): the same adverts over more interfaces/peers; paths[0] is the instance's own. */
  readonly paths: HeartbeatPathWire[];
}

interface HeartbeatPathWire {
  readonly cfg: WireConfig;
  readonly port: PacketPort;
  /** Adverts that passed the receive checks on this path, and when the last one came (epoch ms). */
  received: number;
  lastAt: number | undefined;
}

/** An instance's advert paths for `keepalived-ts status`. */
export interface HeartbeatPathStatus {
  readonly interface: string;
  readonly peers: readonly string[];
  readonly advertsReceived: number;
  readonly lastAdvertAt: string | null;
}

interface HeldAddress {
  readonly owner: string;
  readonly ifname: string;
  readonly entry: IpAddressEntry;
}

/** The port of an interface whose socket could not be opened: sends fail, nothing arrives. */
const DEAD_PORT: PacketPort = { joinGroup() {}, leaveGroup() {}, send: () => false, onPacket() {}, close() {} };

/** How early (µs) a timer may run rather than be re-armed: Node's timer resolution. */
const EARLY_TOLERANCE_US = 1000;

/** The AH protocol number: instances with auth_type AH speak it instead of 112. */
const IPPROTO_AH = 51;

export class VrrpDriver {
  private engine: VrrpEngine;
  private config: KeepalivedConfig;
  private readonly wire = new Map<string, InstanceWire>();
  private readonly ports = new Map<string, { port: PacketPort; groups: Map<string, number> }>();
  /** Addresses we added, by address text: a deletion we did not ask for is a deleted VIP. */
  private readonly held = new Map<string, HeldAddress>();
  private readonly deleting = new Set<string>();
  private readonly lastTransition = new Map<string, Transition>();
  private timer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private readonly garpTimers = new Set<NodeJS.Timeout>();
  private running = false;
  private stopped = false;
  /** VIP conflict detection (keepalived-ts's vip_conflict_probe_interval), when the platform can. */
  private readonly conflicts: VipConflictMonitor | undefined;
  /** keepalived-ts's witness: MASTER only with a majority of votes (global_defs `witness`). */
  private splitBrain: DaemonSplitBrain | undefined;

  constructor(
    config: KeepalivedConfig,
    private readonly o: DriverOptions,
  ) {
    this.config = config;
    this.engine = engineFromConfig(config, { logDetail: o.log.detailed });
    const port = o.platform.neighbours;
    this.conflicts = port && new VipConflictMonitor({
      port,
      log: o.log,
      now: o.now,
      ...(o.wallClock ? { wallClock: o.wallClock } : {}),
      probeIntervalUs: config.global.vipConflictProbeInterval,
      instance: (owner) => {
        const core = this.engine.instances.find((i) => i.name === owner);
        if (!core) return undefined;
        const s = core.settings;
        return { notify: s.notify, priority: core.effectivePriority, ignoredMacs: s.useVmac ? [vrrpVirtualMac(s.family, s.vrid)] : [] };
      },
      emit: (actions) => this.execute(actions, this.lookup(this.engine)),
    });
  }

  private readonly isHeld = (address: string): boolean => this.held.has(address);

  get instances(): readonly VrrpInstanceCore[] {
    return this.engine.instances;
  }

  /** The running engine (replaced at each reload), for status and dumps. */
  get currentEngine(): VrrpEngine {
    return this.engine;
  }

  get currentConfig(): KeepalivedConfig {
    return this.config;
  }

  transitionOf(name: string): Transition | undefined {
    return this.lastTransition.get(name);
  }

  heldAddresses(owner: string): string[] {
    return [...this.held].filter(([, h]) => h.owner === owner).map(([a]) => a);
  }

  /** The instance's majority bookkeeping for status (undefined: no witness configured). */
  majorityOf(name: string): MajorityStatus | undefined {
    return this.splitBrain?.snapshot(this.o.now())[name];
  }

  /** VIP conflicts of an instance (count and the active ones) for status. */
  conflictsOf(name: string): ConflictStatus {
    return this.conflicts?.status(name) ?? { count: 0, active: [] };
  }

  /** The advert paths of an instance that has heartbeat_paths (its own first), else undefined. */
  heartbeatPathsOf(name: string): HeartbeatPathStatus[] | undefined {
    const w = this.wire.get(name);
    if (!w || w.paths.length < 2) return undefined;
    return w.paths.map((p) => ({
      interface: p.cfg.interface,
      peers: p.cfg.unicastPeers.map((u) => u.address),
      advertsReceived: p.received,
      lastAdvertAt: p.lastAt === undefined ? null : new Date(p.lastAt).toISOString(),
    }));
  }

  wireOf(name: string): WireConfig | undefined {
    return this.wire.get(name)?.cfg;
  }

  start(): void {
    this.running = true;
    this.o.platform.links.onEvent((e) => this.onLinkEvent(e));
    this.o.trackers.onChange((t) =>
      this.deliver(() => this.engine.broadcast({ type: 'tracker', now: this.o.now(), kind: t.kind, name: t.name, ...(t.up !== undefined ? { up: t.up } : {}), ...(t.value !== undefined ? { value: t.value } : {}) })),
    );
    this.releaseLeftovers();
    const { primaryAddress, trackers } = this.wireUp(this.engine);
    this.splitBrain = this.openSplitBrain(this.config);
    this.deliver(() => this.engine.start(this.o.now(), { primaryAddress, trackers }));
  }

  private openSplitBrain(config: KeepalivedConfig): DaemonSplitBrain | undefined {
    return DaemonSplitBrain.create(config, this.engine, {
      log: this.o.log,
      now: this.o.now,
      deliver: (actions) => {
        if (!this.running) return;
        this.execute(actions, this.lookup(this.engine));
        this.reschedule();
      },
    });
  }

  /** SIGTERM: priority-0 adverts from every MASTER, addresses released (unless -V), STOP notifies. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    for (const t of this.garpTimers) clearTimeout(t);
    this.garpTimers.clear();
    this.execute(this.engine.stop(this.o.now()), this.lookup(this.engine));
    // the guard sees the MASTERs gone and frees their witness leases at once
    this.splitBrain?.sync(this.o.now());
    this.conflicts?.close();
    this.running = false;
    // STOP scripts have a 1 s timeout and 2 s to die after it; the supervisor allows 5 s in all
    await this.o.notify.drain(3500);
    for (const { port } of this.ports.values()) port.close();
    this.ports.clear();
    await this.splitBrain?.close();
  }

  /** SIGHUP with the re-read config: unchanged instances keep their state and addresses. */
  reload(next: KeepalivedConfig): void {
    if (!this.running) return;
    const oldCores = new Map(this.engine.instances.map((c) => [c.name, c]));
    const oldWire = new Map(this.wire);
    const oldLookup = (owner: string) => {
      const core = oldCores.get(owner);
      const wire = oldWire.get(owner);
      return core && wire ? { core, wire } : undefined;
    };
    this.config = next;
    this.o.trackers.reload(next);
    this.o.notify.reload(next);
    const fresh = engineFromConfig(next, { logDetail: this.o.log.detailed });
    this.wire.clear();
    const { primaryAddress, trackers } = this.wireUp(fresh);
    const r = this.engine.reload(fresh, this.o.now(), { primaryAddress, trackers });
    for (const m of r.matched) {
      const w = oldWire.get(m.old);
      const nw = this.wire.get(m.new);
      if (w && nw) nw.st = w.st;
    }
    const renamed = new Map(r.matched.filter((m) => m.old !== m.new).map((m) => [m.old, m.new]));
    for (const [addr, h] of this.held) {
      const to = renamed.get(h.owner);
      if (to !== undefined) this.held.set(addr, { ...h, owner: to });
    }
    this.execute(r.before, (owner) => oldLookup(owner) ?? this.lookup(this.engine)(owner));
    this.o.observer?.reloaded?.(r.matched, r.removed);
    this.execute(r.after, this.lookup(this.engine));
    if (this.splitBrain && !next.global.witness?.secret) {
      // the witness was removed: the new cores behave as keepalived's
      void this.splitBrain.close();
      this.splitBrain = undefined;
    } else if (this.splitBrain) this.splitBrain.reload(next, this.engine);
    else this.splitBrain = this.openSplitBrain(next);
    this.conflicts?.reload(next.global.vipConflictProbeInterval, r.matched, [...this.held.values()]);
    this.leaveUnusedGroups();
    this.reschedule();
  }

  /* ------------------------------------------------------------------ events in */

  private deliver(produce: () => Action[]): void {
    if (!this.running) return;
    this.execute(produce(), this.lookup(this.engine));
    this.reschedule();
  }

  private onPacket(ifname: string, family: 'inet' | 'inet6', p: VrrpPacket): void {
    if (!this.running) return;
    const vrid = peekVrid(family, p.payload);
    if (vrid === undefined) return;
    const now = this.o.now();
    for (const core of this.engine.instances) {
      const w = this.wire.get(core.name);
      if (!w || w.cfg.family !== family || w.cfg.vrid !== vrid) continue;
      const path = w.paths.find((x) => x.cfg.interface === ifname);
      if (!path) continue;
      const isNewMaster = core.state === 'MASTER' || core.masterSource !== p.source;
      const r = receiveAdvert(path.cfg, w.st, p, isNewMaster);
      if (r.kind === 'ignored') continue;
      if (r.kind === 'advert') {
        path.received++;
        path.lastAt = Date.now();
      }
      if (r.kind === 'rejected') {
        this.o.observer?.rejected?.(core.name, r.check, r.reason);
        this.o.log.detail(`(${core.name}) ${r.reason}`);
        this.execute(this.engine.handle(core.name, { type: 'advert-rejected', now }), this.lookup(this.engine));
      } else {
        this.execute(this.engine.handle(core.name, { type: 'advert', now, advert: r.advert }), this.lookup(this.engine));
      }
    }
    this.reschedule();
  }

  private onLinkEvent(e: LinkEvent): void {
    if (e.type === 'link') {
      this.o.log.detail(`Netlink reports ${e.name} ${e.up ? 'up' : 'down'}`);
      this.deliver(() => this.engine.broadcast({ type: 'interface', now: this.o.now(), name: e.name, up: e.up }));
      return;
    }
    if (this.o.addressMonitoring) this.o.log.info(`Netlink: ${e.added ? 'New' : 'Deleted'} address ${e.address} on ${e.ifname}`);
    if (e.added) return;
    const h = this.held.get(e.address);
    if (!h || h.ifname !== e.ifname || this.deleting.has(e.address)) return;
    this.held.delete(e.address);
    if (h.entry.noTrack) return;
    this.o.log.info(`(${h.owner}) Address ${e.address} deleted by something else`);
    const ev: InstanceEvent = { type: 'vip-deleted', now: this.o.now(), address: e.address };
    if (this.engine.instances.some((i) => i.name === h.owner)) this.deliver(() => this.engine.handle(h.owner, ev));
  }

  /* ------------------------------------------------------------------ time */

  private reschedule(): void {
    if (!this.running) return;
    // the guard looks at the instances after every dispatch; what it changes is carried out here
    for (let round = 0; this.splitBrain && round < 4; round++) {
      const actions = this.splitBrain.sync(this.o.now());
      if (!actions.length) break;
      this.execute(actions, this.lookup(this.engine));
    }
    const ew = this.engine.nextWakeup();
    const gw = this.splitBrain?.nextWakeup();
    const w = ew === undefined ? gw : gw === undefined ? ew : Math.min(ew, gw);
    if (w === this.wakeAt && this.timer) return;
    this.clearTimer();
    this.wakeAt = w;
    if (w === undefined) return;
    const delayMs = Math.max(0, (w - this.o.now()) / 1000);
    this.timer = setTimeout(() => this.onTimer(), Math.floor(delayMs));
  }

  private onTimer(): void {
    this.timer = undefined;
    let now = this.o.now();
    /*
     * Node's timers have millisecond resolution: one may fire up to a millisecond before the µs
     * deadline. Re-arming would cost at least another millisecond (measured: adverts ~1 ms late
     * on average, skew timers 2–4 ms late), so a timer within a millisecond of its deadline runs
     * now, with the deadline as the cores' time: the schedule stays exact, the packet leaves at most
     * that much early.
     */
    if (this.wakeAt !== undefined && now < this.wakeAt) {
      if (this.wakeAt - now > EARLY_TOLERANCE_US) {
        this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.floor((this.wakeAt - now) / 1000)));
        return;
      }
      now = this.wakeAt;
    }
    this.wakeAt = undefined;
    this.deliver(() => [...this.engine.tick(now), ...(this.splitBrain?.tick(now) ?? [])]);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = undefined;
  }

  /* ------------------------------------------------------------------ sockets */

  /** Wire state and sockets for an engine's instances; what its start/reload event must carry. */
  private wireUp(engine: VrrpEngine): { primaryAddress: Record<string, string>; trackers: Record<string, TrackerInit[]> } {
    const primaryAddress: Record<string, string> = {};
    const trackers: Record<string, TrackerInit[]> = {};
    const trackerStates = this.o.trackers.initial();
    for (const core of engine.instances) {
      const model = this.config.vrrp.instances.find((m) => m.name === core.name)!;
      const cfg = wireConfig(core.settings, model, this.config.global);
      const protocol = cfg.authType === 'AH' ? IPPROTO_AH : 112;
      const port = this.portFor(cfg.family, cfg.interface, protocol);
      if (cfg.unicastPeers.length === 0) this.join(cfg.family, cfg.interface, protocol, cfg.mcastGroup);
      const paths: HeartbeatPathWire[] = [{ cfg, port, received: 0, lastAt: undefined }];
      const extra = advertPaths(cfg, model.heartbeatPaths).slice(1);
      if (extra.length < model.heartbeatPaths.length) this.o.log.error(`(${core.name}) a heartbeat path on the instance's own interface is ignored`);
      for (const pathCfg of extra) {
        const pathPort = this.portFor(cfg.family, pathCfg.interface, protocol);
        if (pathCfg.unicastPeers.length === 0) this.join(cfg.family, pathCfg.interface, protocol, cfg.mcastGroup);
        paths.push({ cfg: pathCfg, port: pathPort, received: 0, lastAt: undefined });
      }
      this.wire.set(core.name, { cfg, st: new WireState(), port, paths });
      const p = this.o.platform.links.primaryAddress(cfg.interface, core.settings.family, this.isHeld);
      if (p !== undefined) primaryAddress[core.name] = p;
      const init: TrackerInit[] = [];
      for (const name of this.interfacesOf(core)) {
        const up = this.o.platform.links.linkUp(name);
        init.push({ kind: 'interface', name, up: up ?? false });
      }
      init.push(...trackerStates);
      trackers[core.name] = init;
    }
    return { primaryAddress, trackers };
  }

  private interfacesOf(core: VrrpInstanceCore): string[] {
    const names = new Set<string>();
    if (core.settings.interface) names.add(core.settings.interface);
    for (const t of core.settings.trackers) if (t.kind === 'interface') names.add(t.name);
    return [...names];
  }

  private portFor(family: 'inet' | 'inet6', ifname: string, protocol: 112 | 51): PacketPort {
    const key = `${family}/${ifname}/${protocol}`;
    let p = this.ports.get(key);
    if (!p) {
      let port: PacketPort;
      try {
        port = this.o.platform.packets(family, ifname, protocol);
      } catch (e) {
        // a missing interface: the instance sits in FAULT (the link view says it is down) and
        // nothing is sent; a reload after the interface appears opens the socket
        this.o.log.error(`cannot open a VRRP socket on ${ifname}: ${(e as Error).message}`);
        return DEAD_PORT;
      }
      port.onPacket((pkt) => this.onPacket(ifname, family, pkt));
      p = { port, groups: new Map() };
      this.ports.set(key, p);
    }
    return p.port;
  }

  private join(family: 'inet' | 'inet6', ifname: string, protocol: 112 | 51, group: string): void {
    const p = this.ports.get(`${family}/${ifname}/${protocol}`);
    if (!p) return;
    if (!p.groups.has(group)) {
      try {
        p.port.joinGroup(group);
      } catch (e) {
        this.o.log.error(`cannot join multicast group ${group} on ${ifname}: ${(e as Error).message}`);
      }
    }
    p.groups.set(group, 1);
  }

  /** After a reload: leave groups and close sockets no instance uses any more. */
  private leaveUnusedGroups(): void {
    const used = new Map<string, Set<string>>();
    for (const w of this.wire.values())
      for (const { cfg } of w.paths) {
        const key = `${cfg.family}/${cfg.interface}/${cfg.authType === 'AH' ? IPPROTO_AH : 112}`;
        if (!used.has(key)) used.set(key, new Set());
        if (cfg.unicastPeers.length === 0) used.get(key)!.add(cfg.mcastGroup);
      }
    for (const [key, p] of this.ports) {
      const groups = used.get(key);
      if (!groups) {
        p.port.close();
        this.ports.delete(key);
        continue;
      }
      for (const g of [...p.groups.keys()])
        if (!groups.has(g)) {
          try {
            p.port.leaveGroup(g);
          } catch {
            /* the interface may be gone */
          }
          p.groups.delete(g);
        }
    }
  }

  /**
   * At start a VIP may still be on an interface from a previous run that died without releasing
   * it: an instance that starts as BACKUP must not answer for it. Remove configured VIPs found.
   */
  private releaseLeftovers(): void {
    for (const inst of this.config.vrrp.instances)
      for (const v of [...inst.vips, ...inst.evips]) {
        const ifname = v.dev ?? inst.interface;
        if (!ifname || !this.o.platform.links.hasAddress(ifname, v.address)) continue;
        this.o.log.info(`(${inst.name}) removing leftover address ${v.address} from ${ifname} before start`);
        this.withDeleting(v.address, () => this.o.platform.addresses.deleteAddress(v, ifname));
      }
  }

  private withDeleting(address: string, fn: () => void): void {
    this.deleting.add(address);
    try {
      fn();
    } catch (e) {
      this.o.log.error(`cannot delete ${address}: ${(e as Error).message}`);
    } finally {
      // the kernel's DELADDR notification is read later from the watch socket
      setTimeout(() => this.deleting.delete(address), 1000).unref();
    }
  }

  /* ------------------------------------------------------------------ actions out */

  private lookup(engine: VrrpEngine): (owner: string) => { core: VrrpInstanceCore; wire: InstanceWire } | undefined {
    return (owner) => {
      const core = engine.instances.find((i) => i.name === owner);
      const wire = this.wire.get(owner);
      return core && wire ? { core, wire } : undefined;
    };
  }

  private execute(actions: readonly Action[], lookup: (owner: string) => { core: VrrpInstanceCore; wire: InstanceWire } | undefined): void {
    for (const a of actions) {
      try {
        this.act(a, lookup);
        // only VIP moves matter to conflict detection: no instance lookup on the advert path
        if (this.conflicts && (a.type === 'add-vips' || a.type === 'remove-vips')) this.conflicts.observe(a, lookup(a.owner)?.wire.cfg.interface);
      } catch (e) {
        this.o.log.error(`(${a.owner}) ${a.type} failed: ${(e as Error).message}`);
      }
    }
  }

  private act(a: Action, lookup: (owner: string) => { core: VrrpInstanceCore; wire: InstanceWire } | undefined): void {
    const links = this.o.platform.links;
    switch (a.type) {
      case 'send-advert': {
        const found = lookup(a.owner);
        if (!found) return;
        const { core, wire: w } = found;
        const src = core.settings.sourceAddress ?? links.primaryAddress(w.cfg.interface, w.cfg.family, this.isHeld);
        if (src === undefined) {
          this.o.log.detail(`(${a.owner}) no source address on ${w.cfg.interface}: advert not sent`);
          return;
        }
        for (const f of encodeAdvert(w.cfg, w.st, a.priority, src)) {
          if (w.port.send({ ...f, source: src })) this.o.observer?.sent?.(a.owner);
          else this.o.log.detail(`(${a.owner}) sending advert to ${f.destination} failed`);
        }
        // heartbeat_paths: the same advert over every other path, from that interface's address
        for (let i = 1; i < w.paths.length; i++) {
          const path = w.paths[i]!;
          const from = links.primaryAddress(path.cfg.interface, path.cfg.family, this.isHeld);
          if (from === undefined) {
            this.o.log.detail(`(${a.owner}) no source address on heartbeat path ${path.cfg.interface}: advert not sent there`);
            continue;
          }
          for (const f of encodeAdvert(path.cfg, w.st, a.priority, from))
            if (!path.port.send({ ...f, source: from })) this.o.log.detail(`(${a.owner}) sending advert to ${f.destination} on ${path.cfg.interface} failed`);
        }
        return;
      }
      case 'add-vips':
        for (const v of a.addresses) {
          const ifname = v.dev ?? lookup(a.owner)?.wire.cfg.interface;
          if (!ifname) continue;
          this.held.set(v.address, { owner: a.owner, ifname, entry: v });
          this.o.platform.addresses.addAddress(v, ifname);
        }
        return;
      case 'remove-vips':
        for (const v of a.addresses) {
          const h = this.held.get(v.address);
          const ifname = h?.ifname ?? v.dev ?? lookup(a.owner)?.wire.cfg.interface;
          this.held.delete(v.address);
          if (this.stopped && this.o.dontRelease) continue;
          if (!ifname) continue;
          this.withDeleting(v.address, () => this.o.platform.addresses.deleteAddress(v, ifname));
        }
        return;
      case 'add-routes':
        for (const r of a.routes) this.o.platform.addresses.addRoute(r);
        return;
      case 'remove-routes':
        if (this.stopped && this.o.dontRelease) return;
        for (const r of a.routes) this.o.platform.addresses.deleteRoute(r);
        return;
      case 'add-rules':
        for (const r of a.rules) this.o.platform.addresses.addRule(r);
        return;
      case 'remove-rules':
        if (this.stopped && this.o.dontRelease) return;
        for (const r of a.rules) this.o.platform.addresses.deleteRule(r);
        return;
      case 'firewall-drop': {
        const found = lookup(a.owner);
        if (!found) return;
        if (!a.add && this.stopped && this.o.dontRelease) return;
        const s = found.core.settings;
        this.o.platform.firewall.dropTraffic([...s.vips, ...s.evips].map((v) => v.address), a.add);
        return;
      }
      case 'send-garp':
        this.sendGarps(a.owner, a.addresses, a.repeat, lookup(a.owner)?.wire.cfg.interface);
        return;
      case 'run-script':
        this.o.notify.run(a.owner, a.kind, a.argv, a.timeout);
        return;
      case 'fifo':
        this.o.notify.fifo(a.line);
        return;
      case 'stat':
        this.o.observer?.stat?.(a.owner, a.counter);
        return;
      case 'log':
        this.o.log.info(a.message);
        return;
      case 'state-changed': {
        const t: Transition = { at: (this.o.wallClock ?? (() => new Date()))(), from: a.from, to: a.to, reason: a.reason };
        this.lastTransition.set(a.owner, t);
        this.o.observer?.transition?.(a.owner, a.group, t);
        return;
      }
    }
  }

  /**
   * `repeat` rounds of one announcement per address, in order; with vrrp_garp_interval /
   * vrrp_gna_interval (or the interface's garp_group) the packets are spaced by it.
   */
  private sendGarps(owner: string, addresses: readonly IpAddressEntry[], repeat: number, defaultIf: string | undefined): void {
    const queue: { ifname: string; address: string; family: 'inet' | 'inet6' }[] = [];
    for (let r = 0; r < repeat; r++)
      for (const v of addresses) {
        const ifname = v.dev ?? defaultIf;
        if (ifname) queue.push({ ifname, address: v.address, family: v.family === 'inet6' ? 'inet6' : 'inet' });
      }
    const spacing = (q: { ifname: string; family: 'inet' | 'inet6' }): number => {
      const g = this.config.vrrp.garpGroups.find((x) => x.interfaces.includes(q.ifname));
      const us = q.family === 'inet' ? (g?.garpInterval ?? this.config.global.vrrpGarpInterval) : (g?.gnaInterval ?? this.config.global.vrrpGnaInterval);
      return us / 1000;
    };
    const sendFrom = (i: number): void => {
      while (i < queue.length) {
        const q = queue[i++]!;
        if (!this.o.platform.announce(q.ifname, q.address)) this.o.log.detail(`(${owner}) announcing ${q.address} on ${q.ifname} failed`);
        const gap = spacing(q);
        if (gap > 0 && i < queue.length) {
          const t = setTimeout(() => {
            this.garpTimers.delete(t);
            if (this.running) sendFrom(i);
          }, gap);
          this.garpTimers.add(t);
          return;
        }
      }
    };
    sendFrom(0);
  }
}

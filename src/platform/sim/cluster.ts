/**
 * A whole keepalived cluster in one process: nodes built from real keepalived.conf text, each
 * running the real VRRP engine, exchanging the real advert bytes over a SimNetwork under a
 * VirtualClock. The cluster is the sim driver: it executes the engine's actions (adverts onto the
 * network, VIPs into the node's address set, scripts/GARPs/FIFO lines into the timeline) and turns
 * the network, the clock and injected faults into engine events. Invariants are checked after
 * every step (see invariants.ts).
 */
import { loadConfigText } from '../../config/load.js';
import { ConfigErr, formatDiagnostic, type Diagnostics } from '../../config/diagnostics.js';
import { staticHostFacts, type FileFacts, type InterfaceFacts } from '../../config/host-facts.js';
import type { KeepalivedConfig } from '../../config/model/index.js';
import type { VrrpEngine } from '../../vrrp/engine.js';
import type { VrrpInstanceCore } from '../../vrrp/instance.js';
import type { Action, InstanceEvent, TrackerInit } from '../../vrrp/instance-types.js';
import { masterDownInterval } from '../../vrrp/timers.js';
import { VirtualClock, type Cancel } from './clock.js';
import { SimNetwork, type CutScope, type Endpoint, type Frame, type LinkProperties } from './network.js';
import { Prng } from './prng.js';
import { engineFromConfig } from '../../vrrp/engine-from-config.js';
import { advertPaths, encodeAdvert, peekVrid, receiveAdvert, WireState, wireConfig, type WireConfig } from '../../vrrp/wire.js';
import { InvariantChecker, type Violation } from './invariants.js';
import { SimConflictHooks } from './conflict-hooks.js';
import { guardFor, sendGuardDatagrams } from './split-brain-hooks.js';
import type { SplitBrainGuard, GuardResult } from '../../split-brain/guard.js';

export interface SimInterfaceSpec {
  readonly name: string;
  /** The L2 segment the interface is attached to. */
  readonly segment: string;
  readonly ipv4?: readonly string[];
  readonly ipv6?: readonly string[];
}

export interface SimNodeSpec {
  readonly name: string;
  /** keepalived.conf text. */
  readonly config: string;
  readonly interfaces: readonly SimInterfaceSpec[];
  /** Extra files the config check may stat (scripts); the usual script paths exist already. */
  readonly files?: Readonly<Record<string, FileFacts>>;
  /** The config's file name in diagnostics (default /etc/keepalived/keepalived.conf). */
  readonly fileName?: string;
  /**
   * Accept a config with errors as long as keepalived would still run it (its -t exit 5), as
   * keepalived does; by default (generated clusters) any error is a bug of the generator.
   */
  readonly runLikeKeepalived?: boolean;
}

export type TimelineKind =
  | 'state'
  | 'group-state'
  | 'script'
  | 'fifo'
  | 'garp'
  | 'vip-add'
  | 'vip-remove'
  | 'fault'
  | 'log'
  | 'reject'
  | 'violation'
  /** VIP conflict detection: `reason` started | cleared, `vip`, `mac`, `detail` the log line. */
  | 'conflict';

export interface TimelineEntry {
  /** µs. */
  readonly t: number;
  readonly node: string;
  readonly kind: TimelineKind;
  readonly instance?: string;
  readonly from?: string;
  readonly to?: string;
  readonly reason?: string;
  readonly argv?: readonly string[];
  readonly detail?: string;
  readonly vip?: string;
  readonly mac?: string;
}

export interface ClusterOptions {
  /** All randomness (loss) derives from this. */
  readonly seed?: number;
  /** Default link latency, µs (default 100). */
  readonly latencyUs?: number;
  readonly loss?: number;
  /** Record the engine's log lines in the timeline (default false: they are many). */
  readonly recordLogs?: boolean;
  /**
   * When tracked scripts report their first result: 0 (default) = already known at start (passed
   * to the engine's start), otherwise this many µs after the node starts (scripts start in "init").
   */
  readonly scriptReportDelayUs?: number;
  /** Check the invariants after every step (default true). */
  readonly checkInvariants?: boolean;
  /** How many timeline entries a violation report carries (default 40). */
  readonly recentEntries?: number;
  /** Stop recording violations after this many (default 20). */
  readonly maxViolations?: number;
  /**
   * Run VIP conflict detection (global `vip_conflict_probe_interval`, default 2 s) on every node:
   * a MASTER's probes are answered by any other node holding the address, GARPs are seen by the
   * other holders. Default false (the generated scenarios check VRRP alone).
   */
  readonly vipConflicts?: boolean;
}

export interface ClusterStats {
  advertsSent: number;
  framesDelivered: number;
  framesLost: number;
  framesBlocked: number;
  advertsRejected: number;
  stateChanges: number;
  becameMaster: number;
  scriptsRun: number;
  faults: number;
  steps: number;
}

const SCRIPT_DIR: FileFacts = { exists: true, isFile: false, isDirectory: true, mode: 0o40755, uid: 0, gid: 0 };
const SCRIPT_FILE: FileFacts = { exists: true, isFile: true, isDirectory: false, mode: 0o100755, uid: 0, gid: 0 };
/** Files every simulated host has, so configs may use these scripts. */
export const SIM_HOST_FILES: Readonly<Record<string, FileFacts>> = {
  '/': SCRIPT_DIR,
  '/bin': SCRIPT_DIR,
  '/bin/true': SCRIPT_FILE,
  '/usr': SCRIPT_DIR,
  '/usr/bin': SCRIPT_DIR,
  '/usr/bin/true': SCRIPT_FILE,
  '/usr/local': SCRIPT_DIR,
  '/usr/local/bin': SCRIPT_DIR,
  '/usr/local/bin/check.sh': SCRIPT_FILE,
  '/etc': SCRIPT_DIR,
  '/etc/keepalived': SCRIPT_DIR,
  '/etc/keepalived/notify.sh': SCRIPT_FILE,
};

/** Thrown when a node's config has errors (anything worse than a warning). */
export class SimConfigError extends Error {
  constructor(
    readonly node: string,
    readonly lines: readonly string[],
  ) {
    super(`config of ${node} has errors:\n${lines.join('\n')}`);
  }
}

interface InstanceWire {
  readonly cfg: WireConfig;
  readonly st: WireState;
  /** heartbeat_paths: every advert path, the instance's own first (advertPaths). */
  readonly paths: readonly WireConfig[];
}

/** One simulated keepalived host. */
export class SimNode {
  readonly name: string;
  /** Replaced by a reload with a new config text. */
  spec: SimNodeSpec;
  config: KeepalivedConfig;
  diagnostics: Diagnostics;
  engine: VrrpEngine | undefined;
  running = false;
  /** Bumped on every start/crash/stop: callbacks of an older life are ignored. */
  generation = 0;
  /** Link state per interface; survives restarts (it is the machine's, not keepalived's). */
  readonly ifUp = new Map<string, boolean>();
  readonly endpoints = new Map<string, Endpoint>();
  /** VIP (address text) → the instance holding it and its interface. */
  readonly held = new Map<string, { instance: string; ifname: string }>();
  readonly wire = new Map<string, InstanceWire>();
  /** Current result of each vrrp_script (default: success). */
  readonly scripts = new Map<string, boolean>();
  /** Current value of each vrrp_track_file. */
  readonly files = new Map<string, number>();
  wakeAt: number | undefined;
  cancelWake: Cancel | undefined;
  /** keepalived-ts's split-brain guard, when the config names a witness. */
  guard: SplitBrainGuard | undefined;
  startedAt = 0;
  /** Wakes at the same instant in a row (livelock guard). */
  sameInstantWakes = 0;
  lastWakeAt = -1;

  constructor(
    spec: SimNodeSpec,
    config: KeepalivedConfig,
    diagnostics: Diagnostics,
    /** Position in the cluster (0-based): makes its MACs. */
    readonly index = 0,
  ) {
    this.name = spec.name;
    this.spec = spec;
    this.config = config;
    this.diagnostics = diagnostics;
    for (const i of spec.interfaces) this.ifUp.set(i.name, true);
    for (const s of config.vrrp.scripts) this.scripts.set(s.name, true);
  }

  iface(name: string): SimInterfaceSpec | undefined {
    return this.spec.interfaces.find((i) => i.name === name);
  }

  /** The address an instance sends from when it has no mcast_src_ip / unicast_src_ip. */
  primaryAddress(ifname: string, family: 'inet' | 'inet6'): string | undefined {
    const i = this.iface(ifname);
    if (!i) return undefined;
    if (family === 'inet') return i.ipv4?.[0];
    return i.ipv6?.find((a) => a.toLowerCase().startsWith('fe80')) ?? i.ipv6?.[0];
  }

  instances(): readonly VrrpInstanceCore[] {
    return this.engine?.instances ?? [];
  }

  /** The MAC of an interface: locally administered, 02:73:69:6d:<node>:<interface>. */
  mac(ifname: string): string {
    const i = Math.max(0, this.spec.interfaces.findIndex((x) => x.name === ifname));
    const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
    return `02:73:69:6d:${hex(this.index + 1)}:${hex(i)}`;
  }

  /** The endpoint of an instance's interface. */
  endpointOf(core: VrrpInstanceCore): Endpoint | undefined {
    return this.endpoints.get(this.wire.get(core.name)?.cfg.interface ?? core.settings.interface ?? 'eth0');
  }
}

export function hostFactsFor(spec: SimNodeSpec) {
  const interfaces: InterfaceFacts[] = spec.interfaces.map((i, k) => ({
    name: i.name,
    index: k + 2,
    up: true,
    loopback: false,
    multicast: true,
    mtu: 1500,
    ipv4: i.ipv4 ?? [],
    ipv6: i.ipv6 ?? [],
  }));
  return staticHostFacts({ hostname: spec.name, interfaces, files: { ...SIM_HOST_FILES, ...(spec.files ?? {}) } });
}

/** Read a node's keepalived.conf through the real config path; throws SimConfigError on errors. */
export function loadNodeConfig(spec: SimNodeSpec): { config: KeepalivedConfig; diagnostics: Diagnostics } {
  const r = loadConfigText(spec.config, {
    host: hostFactsFor(spec),
    configId: spec.name,
    ...(spec.fileName !== undefined ? { fileName: spec.fileName } : {}),
  });
  const exit = r.diagnostics.exitCode();
  const errors = spec.runLikeKeepalived
    ? exit === 5 || exit === 0 || exit === 6
      ? []
      : r.diagnostics.list.map(formatDiagnostic)
    : r.diagnostics.list.filter((d) => d.level !== ConfigErr.OK && d.level < ConfigErr.WARNING).map(formatDiagnostic);
  if (errors.length || r.diagnostics.aborted) throw new SimConfigError(spec.name, errors.length ? errors : r.diagnostics.list.map(formatDiagnostic));
  return { config: r.config, diagnostics: r.diagnostics };
}

export class SimCluster {
  readonly clock = new VirtualClock();
  readonly net: SimNetwork;
  readonly seed: number;
  readonly nodes = new Map<string, SimNode>();
  readonly timeline: TimelineEntry[] = [];
  readonly stats: ClusterStats = {
    advertsSent: 0,
    framesDelivered: 0,
    framesLost: 0,
    framesBlocked: 0,
    advertsRejected: 0,
    stateChanges: 0,
    becameMaster: 0,
    scriptsRun: 0,
    faults: 0,
    steps: 0,
  };
  readonly invariants: InvariantChecker;
  /** VIP conflict detection (ClusterOptions.vipConflicts), else undefined. */
  readonly conflictHooks: SimConflictHooks | undefined;
  readonly options: Required<Omit<ClusterOptions, 'seed'>>;
  /** The largest link latency ever configured, µs (for the takeover bounds). */
  maxLatencyUs: number;
  /** The largest master-down interval of any instance at the lowest priority, µs. */
  maxMasterDownUs = 0;
  /** Nodes whose state the last step touched (for the per-node invariants). */
  readonly touched = new Set<SimNode>();
  /** Extra checks run after every step, after the invariants (e.g. the witness scenarios'). */
  readonly afterStepHooks: (() => void)[] = [];
  private readonly linkLoss = new Map<string, number>();

  constructor(options: ClusterOptions = {}) {
    this.seed = options.seed ?? 1;
    this.options = {
      latencyUs: options.latencyUs ?? 100,
      loss: options.loss ?? 0,
      recordLogs: options.recordLogs ?? false,
      scriptReportDelayUs: options.scriptReportDelayUs ?? 0,
      checkInvariants: options.checkInvariants ?? true,
      recentEntries: options.recentEntries ?? 40,
      maxViolations: options.maxViolations ?? 20,
      vipConflicts: options.vipConflicts ?? false,
    };
    this.maxLatencyUs = this.options.latencyUs;
    // network loss draws from its own stream of the one seed
    this.net = new SimNetwork(this.clock, new Prng((this.seed ^ 0x5bd1e995) >>> 0), { latencyUs: this.options.latencyUs, loss: this.options.loss });
    this.invariants = new InvariantChecker(this);
    this.conflictHooks = this.options.vipConflicts
      ? new SimConflictHooks({ clock: this.clock, net: this.net, nodes: this.nodes, record: (e) => this.record(e), execute: (n, a) => this.execute(n, a) })
      : undefined;
  }

  get now(): number {
    return this.clock.now;
  }

  get violations(): readonly Violation[] {
    return this.invariants.violations;
  }

  /** Twice the largest master-down interval (plus latency): how long the network must be quiet before convergence is required. */
  get stableWindowUs(): number {
    return 2 * this.maxMasterDownUs + 4 * this.maxLatencyUs;
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Add a node (not started). Its config is read through loadConfigText. */
  addNode(spec: SimNodeSpec): SimNode {
    if (this.nodes.has(spec.name)) throw new Error(`node ${spec.name} exists`);
    const { config, diagnostics } = loadNodeConfig(spec);
    const node = new SimNode(spec, config, diagnostics, this.nodes.size);
    this.nodes.set(spec.name, node);
    this.noteTimings(config);
    return node;
  }

  private noteTimings(config: KeepalivedConfig): void {
    const probe = engineFromConfig(config);
    for (const i of probe.instances) {
      const s = i.settings;
      this.maxMasterDownUs = Math.max(this.maxMasterDownUs, masterDownInterval(s.version, s.downTimerAdverts, s.advertInt, 1), s.preemptDelay);
    }
  }

  /* ------------------------------------------------------------------ running */

  /** Run `fn` at time `at` as one step (invariants are checked after it). */
  at(at: number, fn: () => void): Cancel {
    return this.clock.at(at, () => this.step(fn));
  }

  runUntil(t: number): void {
    this.clock.runUntil(t, 50_000_000);
  }

  runFor(d: number): void {
    this.runUntil(this.now + d);
  }

  private inStep = false;

  /** One step: run `fn`, then check the invariants. A fault injected from outside a step is a step of its own. */
  private step(fn: () => void): void {
    if (this.inStep) return fn();
    this.inStep = true;
    this.stats.steps++;
    try {
      fn();
      if (this.options.checkInvariants) this.invariants.afterStep();
      for (const hook of this.afterStepHooks) hook();
    } finally {
      this.touched.clear();
      this.inStep = false;
    }
  }

  /* ------------------------------------------------------------------ faults and lifecycle */

  private fault(node: string, detail: string): void {
    this.stats.faults++;
    this.record({ t: this.now, node, kind: 'fault', detail });
    this.invariants.onFault(detail);
  }

  /** Start keepalived on a node (a fresh engine from its config). */
  start(name: string): void {
    this.step(() => {
      const node = this.node(name);
      if (node.running) return;
      this.fault(name, 'start');
      node.generation++;
      node.running = true;
      node.startedAt = this.now;
      const gen = node.generation;
      for (const i of node.spec.interfaces) {
        const ep = this.net.attach({
          node: name,
          ifname: i.name,
          segment: i.segment,
          addresses: new Set([...(i.ipv4 ?? []), ...(i.ipv6 ?? [])]),
          up: node.ifUp.get(i.name) ?? true,
          receive: (frame) => this.onFrame(node, gen, i.name, frame),
        });
        node.endpoints.set(i.name, ep);
      }
      const engine = engineFromConfig(node.config);
      node.engine = engine;
      node.wire.clear();
      const reportAtStart = this.options.scriptReportDelayUs === 0;
      const { primaryAddress, trackers } = this.wireUp(node, engine, reportAtStart);
      this.touched.add(node);
      this.execute(node, engine.start(this.now, { primaryAddress, trackers }));
      node.guard = guardFor(node.config, engine, `${name}#${gen}`);
      this.reschedule(node);
      if (!reportAtStart && node.scripts.size) {
        this.clock.after(this.options.scriptReportDelayUs, () =>
          this.step(() => {
            if (node.generation !== gen || !node.running) return;
            this.invariants.onFault('first script results');
            for (const [s, up] of node.scripts) this.deliverBroadcast(node, { type: 'tracker', now: this.now, kind: 'script', name: s, up });
          }),
        );
      }
    });
  }

  /**
   * Set up node.wire for the engine's instances and say what the engine must be told at start.
   */
  private wireUp(
    node: SimNode,
    engine: VrrpEngine,
    reportScripts: boolean,
  ): { primaryAddress: Record<string, string>; trackers: Record<string, TrackerInit[]> } {
    const primaryAddress: Record<string, string> = {};
    const trackers: Record<string, TrackerInit[]> = {};
    for (const core of engine.instances) {
      const model = node.config.vrrp.instances.find((m) => m.name === core.name)!;
      const cfg = wireConfig(core.settings, model, node.config.global);
      node.wire.set(core.name, { cfg, st: new WireState(), paths: advertPaths(cfg, model.heartbeatPaths) });
      const p = node.primaryAddress(cfg.interface, core.settings.family);
      if (p !== undefined) primaryAddress[core.name] = p;
      const init: TrackerInit[] = [];
      for (const [ifname, up] of node.ifUp) init.push({ kind: 'interface', name: ifname, up });
      if (reportScripts) for (const [s, up] of node.scripts) init.push({ kind: 'script', name: s, up });
      for (const [f, value] of node.files) init.push({ kind: 'file', name: f, value });
      trackers[core.name] = init;
    }
    return { primaryAddress, trackers };
  }

  /**
   * SIGHUP with a new keepalived.conf text (default: the node's current one): the engine diffs old
   * against new as keepalived does (reload.ts). A node that is not running only takes the new
   * config for its next start. A config with errors throws SimConfigError and changes nothing
   * (as keepalived's reload_check_config). A reload that changes nothing is recorded but is no
   * fault (so steady-state keeps watching); an unchanged instance that changes state breaks
   * reload-flap.
   */
  reload(name: string, configText?: string): void {
    this.step(() => {
      const node = this.node(name);
      const spec: SimNodeSpec = configText !== undefined ? { ...node.spec, config: configText } : node.spec;
      const { config, diagnostics } = loadNodeConfig(spec);
      node.spec = spec;
      node.config = config;
      node.diagnostics = diagnostics;
      for (const s of config.vrrp.scripts) if (!node.scripts.has(s.name)) node.scripts.set(s.name, true);
      this.noteTimings(config);
      if (!node.running) {
        this.fault(name, 'reload');
        return;
      }
      const engine = node.engine!;
      const oldWire = new Map(node.wire);
      const oldCores = new Map(engine.instances.map((c) => [c.name, c]));
      const oldGroups = new Map(engine.groups.map((g) => [g.name, g.members.map((m) => m.name).join(',')]));
      const next = engineFromConfig(config);
      node.wire.clear();
      // scripts: a reload keeps their results (clear_diff_script), so they are known at once
      const { primaryAddress, trackers } = this.wireUp(node, next, true);
      const r = engine.reload(next, this.now, { primaryAddress, trackers });
      // a matched instance keeps its wire state (AH sequence number, IP id), as restore_vrrp_state
      for (const m of r.matched) {
        const w = oldWire.get(m.old);
        const nw = node.wire.get(m.new);
        if (w && nw) node.wire.set(m.new, { ...nw, st: w.st });
      }
      const changed =
        r.added.length > 0 ||
        r.removed.length > 0 ||
        r.matched.some((m) => !m.unchanged || m.old !== m.new) ||
        next.groups.length !== oldGroups.size ||
        next.groups.some((g) => oldGroups.get(g.name) !== g.members.map((m) => m.name).join(','));
      if (changed) this.fault(name, 'reload');
      else {
        this.stats.faults++;
        this.record({ t: this.now, node: name, kind: 'fault', detail: 'reload (unchanged)' });
      }
      this.touched.add(node);
      // the old instances' actions (adverts before the reload, removed instances leaving)
      this.execute(node, r.before, (owner) => {
        const core = oldCores.get(owner);
        const w = oldWire.get(owner);
        return core && w ? { core, wire: w } : undefined;
      });
      // VIPs held by a renamed instance now belong to its new name
      const renamed = new Map(r.matched.filter((m) => m.old !== m.new).map((m) => [m.old, m.new]));
      for (const [addr, h] of node.held) {
        const to = renamed.get(h.instance);
        if (to !== undefined) node.held.set(addr, { ...h, instance: to });
      }
      const still = new Set(r.matched.filter((m) => m.unchanged).map((m) => m.new));
      for (const a of r.after)
        if (a.type === 'state-changed' && !a.group && still.has(a.owner))
          this.invariants.report('reload-flap', `${name}: ${a.owner} ${a.from} -> ${a.to} (${a.reason}) at a reload that left it unchanged`);
      this.execute(node, r.after);
      // the guard follows the new cores (unchanged groups keep their votes and grants)
      node.guard = guardFor(node.config, node.engine!, `${name}#${node.generation}#${this.now}`, node.guard);
      this.reschedule(node);
      this.conflictHooks?.reload(node, r.matched);
    });
  }

  /** The machine dies: no priority-0 advert, its VIPs vanish with it. */
  crash(name: string): void {
    this.step(() => {
      const node = this.node(name);
      if (!node.running) return;
      const expected = this.invariants.beforeNodeLeaves(node, 'crash');
      this.fault(name, 'crash');
      this.invariants.expect(expected);
      this.takeDown(node);
    });
  }

  /** SIGTERM: priority-0 adverts go out, VIPs are removed, then the node leaves. */
  stop(name: string): void {
    this.step(() => {
      const node = this.node(name);
      if (!node.running) return;
      const expected = this.invariants.beforeNodeLeaves(node, 'stop');
      this.fault(name, 'stop');
      this.invariants.expect(expected);
      this.touched.add(node);
      this.execute(node, node.engine!.stop(this.now));
      this.invariants.afterNodeStopped(node);
      this.takeDown(node);
    });
  }

  /** Stop (if running) and start again: a fresh engine from the same config. */
  restart(name: string): void {
    this.step(() => {
      this.stop(name);
      this.start(name);
    });
  }

  private takeDown(node: SimNode): void {
    node.running = false;
    node.generation++;
    node.cancelWake?.();
    node.cancelWake = undefined;
    node.wakeAt = undefined;
    this.net.detachNode(node.name);
    node.endpoints.clear();
    node.held.clear();
    this.conflictHooks?.forget(node);
    node.engine = undefined;
    node.guard = undefined;
    this.touched.add(node);
  }

  setInterface(name: string, ifname: string, up: boolean): void {
    this.step(() => {
      const node = this.node(name);
      if (!node.ifUp.has(ifname)) throw new Error(`${name} has no interface ${ifname}`);
      if (node.ifUp.get(ifname) === up) return;
      this.fault(name, `interface ${ifname} ${up ? 'up' : 'down'}`);
      node.ifUp.set(ifname, up);
      const ep = node.endpoints.get(ifname);
      if (ep) ep.up = up;
      if (node.running) this.deliverBroadcast(node, { type: 'interface', now: this.now, name: ifname, up });
    });
  }

  /** A vrrp_script's result changes (after its rise/fall). */
  setScript(name: string, script: string, up: boolean): void {
    this.step(() => {
      const node = this.node(name);
      if (node.scripts.get(script) === up) return;
      this.fault(name, `script ${script} ${up ? 'ok' : 'failed'}`);
      node.scripts.set(script, up);
      if (node.running) this.deliverBroadcast(node, { type: 'tracker', now: this.now, kind: 'script', name: script, up });
    });
  }

  setFile(name: string, file: string, value: number): void {
    this.step(() => {
      const node = this.node(name);
      this.fault(name, `track file ${file} = ${value}`);
      node.files.set(file, value);
      if (node.running) this.deliverBroadcast(node, { type: 'tracker', now: this.now, kind: 'file', name: file, value });
    });
  }

  /** Change an instance's configured priority at run time (lost on restart). */
  setPriority(name: string, instance: string, priority: number): void {
    this.step(() => {
      const node = this.node(name);
      this.fault(name, `priority ${instance} = ${priority}`);
      if (!node.running) return;
      this.touched.add(node);
      this.execute(node, node.engine!.handle(instance, { type: 'set-priority', now: this.now, priority }));
      this.reschedule(node);
    });
  }

  setLink(from: string, to: string, props: Partial<LinkProperties>): void {
    this.step(() => {
      this.fault(from, `link ${from}>${to} ${JSON.stringify(props)}`);
      this.net.setLink(from, to, props);
      if (props.latencyUs !== undefined) this.maxLatencyUs = Math.max(this.maxLatencyUs, props.latencyUs);
      if (props.loss !== undefined) {
        if (props.loss > 0) this.linkLoss.set(`${from}>${to}`, props.loss);
        else this.linkLoss.delete(`${from}>${to}`);
      }
    });
  }

  /** Is any link currently lossy? */
  get lossy(): boolean {
    return this.options.loss > 0 || this.linkLoss.size > 0;
  }

  /** Frames from `from` stop reaching `to` (one way); scope `vrrp`: VRRP frames only. */
  block(from: string, to: string, scope: CutScope = 'all'): void {
    this.step(() => {
      this.fault(from, `block ${from}>${to}${scope === 'vrrp' ? ' (VRRP only)' : ''}`);
      this.net.block(from, to, scope);
    });
  }

  unblock(from: string, to: string): void {
    this.step(() => {
      this.fault(from, `unblock ${from}>${to}`);
      this.net.unblock(from, to);
    });
  }

  /** Cut both ways between two groups; scope `vrrp`: VRRP only (the hosts and clients still reach each other). */
  partition(a: readonly string[], b: readonly string[], scope: CutScope = 'all'): void {
    this.step(() => {
      this.fault(a.join(','), `partition [${a.join(',')}] | [${b.join(',')}]${scope === 'vrrp' ? ' (VRRP only)' : ''}`);
      this.net.partition(a, b, scope);
    });
  }

  heal(): void {
    this.step(() => {
      this.fault('*', 'heal');
      this.net.heal();
    });
  }

  /** A segment's switch dies: nothing crosses it (a heartbeat cable pulled). */
  cutSegment(segment: string): void {
    this.step(() => {
      this.fault('*', `segment ${segment} cut`);
      this.net.cutSegment(segment);
    });
  }

  restoreSegment(segment: string): void {
    this.step(() => {
      this.fault('*', `segment ${segment} restored`);
      this.net.restoreSegment(segment);
    });
  }

  /* ------------------------------------------------------------------ queries */

  /** Can `a` hear `b` and `b` hear `a` on one of `segments` (an instance's advert paths; both attached and up)? */
  mutual(a: string, b: string, segments: string | readonly string[]): boolean {
    if (this.net.isBlocked(a, b) || this.net.isBlocked(b, a)) return false;
    return [segments].flat().some((s) => this.upOn(a, s) && this.upOn(b, s));
  }

  /** Does `to` hear `from` on one of `segments`? */
  hears(to: string, from: string, segments: string | readonly string[]): boolean {
    return !this.net.isBlocked(from, to) && [segments].flat().some((s) => this.upOn(from, s) && this.upOn(to, s));
  }

  private upOn(node: string, segment: string): boolean {
    if (this.net.isSegmentCut(segment)) return false;
    const n = this.nodes.get(node);
    if (!n?.running) return false;
    for (const ep of n.endpoints.values()) if (ep.segment === segment && ep.up) return true;
    return false;
  }

  /** Current state of an instance on a node ('DOWN' when keepalived is not running there). */
  state(node: string, instance: string): string {
    const n = this.node(node);
    if (!n.running) return 'DOWN';
    return n.engine!.instance(instance).state;
  }

  /** Nodes where the instance is MASTER. */
  masters(instance: string): string[] {
    const out: string[] = [];
    for (const n of this.nodes.values()) if (n.running && n.engine!.instances.some((i) => i.name === instance && i.state === 'MASTER')) out.push(n.name);
    return out;
  }

  /** The VIPs held anywhere: node → addresses. */
  heldVips(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const n of this.nodes.values()) if (n.held.size) out[n.name] = [...n.held.keys()];
    return out;
  }

  /** The timeline entries of one kind (and node / instance). */
  entries(kind: TimelineKind, filter: { node?: string; instance?: string } = {}): TimelineEntry[] {
    return this.timeline.filter((e) => e.kind === kind && (!filter.node || e.node === filter.node) && (!filter.instance || e.instance === filter.instance));
  }

  /** When the instance last entered `to` on the node. */
  lastTransition(node: string, instance: string, to: string): number | undefined {
    for (let i = this.timeline.length - 1; i >= 0; i--) {
      const e = this.timeline[i]!;
      if (e.kind === 'state' && e.node === node && e.instance === instance && e.to === to) return e.t;
    }
    return undefined;
  }

  recent(n = this.options.recentEntries): TimelineEntry[] {
    return this.timeline.slice(-n);
  }

  record(e: TimelineEntry): void {
    this.timeline.push(e);
  }

  /* ------------------------------------------------------------------ the driver */

  private deliverBroadcast(node: SimNode, ev: InstanceEvent): void {
    this.touched.add(node);
    this.execute(node, node.engine!.broadcast(ev));
    this.reschedule(node);
  }

  private onFrame(node: SimNode, gen: number, ifname: string, frame: Frame): void {
    this.step(() => {
      if (node.generation !== gen || !node.running) return;
      this.stats.framesDelivered++;
      if (frame.port !== undefined) {
        if (node.guard) this.guardResult(node, node.guard.receive(this.now, frame.payload));
        this.reschedule(node);
        return;
      }
      const family = frame.source.includes(':') ? 'inet6' : 'inet';
      const vrid = peekVrid(family, frame.payload);
      if (vrid === undefined) return;
      const engine = node.engine!;
      for (const core of engine.instances) {
        const w = node.wire.get(core.name)!;
        const path = w.paths.find((p) => p.interface === ifname);
        if (!path || w.cfg.family !== family || w.cfg.vrid !== vrid) continue;
        const isNewMaster = core.state === 'MASTER' || core.masterSource !== frame.source;
        const r = receiveAdvert(path, w.st, frame, isNewMaster);
        if (r.kind === 'ignored') continue;
        this.touched.add(node);
        if (r.kind === 'rejected') {
          this.stats.advertsRejected++;
          this.record({ t: this.now, node: node.name, kind: 'reject', instance: core.name, reason: r.check, detail: r.reason });
          this.invariants.onReject(node, core.name, r.check, r.reason);
          this.execute(node, engine.handle(core.name, { type: 'advert-rejected', now: this.now }));
        } else {
          this.execute(node, engine.handle(core.name, { type: 'advert', now: this.now, advert: r.advert }));
        }
      }
      this.reschedule(node);
    });
  }

  /** Carry out what the split-brain guard says: engine actions, datagrams onto the network. */
  private guardResult(node: SimNode, r: GuardResult): void {
    this.touched.add(node);
    this.execute(node, r.actions);
    sendGuardDatagrams(this.net, node, r.datagrams);
  }

  private reschedule(node: SimNode): void {
    if (!node.running || !node.engine) return;
    if (node.guard) this.guardResult(node, node.guard.sync(this.now));
    const ew = node.engine.nextWakeup();
    const gw = node.guard?.nextWakeup();
    const w = ew === undefined ? gw : gw === undefined ? ew : Math.min(ew, gw);
    if (w === node.wakeAt) return;
    node.cancelWake?.();
    node.cancelWake = undefined;
    node.wakeAt = w;
    if (w === undefined) return;
    const gen = node.generation;
    node.cancelWake = this.clock.at(w, () =>
      this.step(() => {
        if (node.generation !== gen || !node.running) return;
        node.wakeAt = undefined;
        node.cancelWake = undefined;
        node.sameInstantWakes = node.lastWakeAt === this.now ? node.sameInstantWakes + 1 : 0;
        node.lastWakeAt = this.now;
        if (node.sameInstantWakes > 1000) {
          const due = node.engine!.instances.filter((i) => (i.nextWakeup() ?? Infinity) <= this.now);
          throw new Error(
            `${node.name}: the engine keeps asking to be woken at ${w}µs (livelock): ` +
              due.map((i) => `${i.name} state=${i.state} want=${i.wantstate} sands=${i.sands} msDownTimer=${i.msDownTimer} sync=${i.sync?.name}:${i.sync?.state}`).join('; '),
          );
        }
        this.touched.add(node);
        this.execute(node, node.engine!.tick(this.now));
        if (node.guard) this.guardResult(node, node.guard.tick(this.now));
        this.reschedule(node);
      }),
    );
  }

  private execute(
    node: SimNode,
    actions: readonly Action[],
    lookup: (owner: string) => { core: VrrpInstanceCore; wire: InstanceWire } | undefined = (owner) => {
      const core = node.engine?.instances.find((i) => i.name === owner);
      const wire = node.wire.get(owner);
      return core && wire ? { core, wire } : undefined;
    },
  ): void {
    for (const a of actions) {
      switch (a.type) {
        case 'send-advert': {
          const found = lookup(a.owner);
          if (!found) break;
          const { core, wire: w } = found;
          w.paths.forEach((path, i) => {
            const ep = node.endpoints.get(path.interface);
            // the instance's own path may use its configured source; the others their interface's address
            const src = (i === 0 ? core.settings.sourceAddress : undefined) ?? node.primaryAddress(path.interface, path.family);
            if (!ep || src === undefined) return;
            for (const f of encodeAdvert(path, w.st, a.priority, src)) {
              this.stats.advertsSent++;
              this.net.send(ep, { source: src, destination: f.destination, ttl: f.ttl, payload: f.payload });
            }
          });
          break;
        }
        case 'add-vips':
          for (const v of a.addresses) {
            const ifname = v.dev ?? lookup(a.owner)?.wire.cfg.interface ?? 'eth0';
            const prev = node.held.get(v.address);
            if (prev && prev.instance !== a.owner)
              this.invariants.report('vip-iff-master', `${node.name}: ${a.owner} adds ${v.address} already held by ${prev.instance}`);
            node.held.set(v.address, { instance: a.owner, ifname });
            node.endpoints.get(ifname)?.addresses.add(v.address);
            this.record({ t: this.now, node: node.name, kind: 'vip-add', instance: a.owner, detail: v.address });
          }
          this.conflictHooks?.see(node, a, lookup(a.owner)?.wire.cfg.interface ?? 'eth0');
          break;
        case 'remove-vips':
          for (const v of a.addresses) {
            const h = node.held.get(v.address);
            if (!h) continue;
            node.held.delete(v.address);
            node.endpoints.get(h.ifname)?.addresses.delete(v.address);
            this.record({ t: this.now, node: node.name, kind: 'vip-remove', instance: a.owner, detail: v.address });
          }
          this.conflictHooks?.see(node, a, lookup(a.owner)?.wire.cfg.interface ?? 'eth0');
          break;
        case 'send-garp':
          this.record({ t: this.now, node: node.name, kind: 'garp', instance: a.owner, detail: `${a.addresses.map((x) => x.address).join(' ')} x${a.repeat}` });
          this.conflictHooks?.see(node, a, lookup(a.owner)?.wire.cfg.interface ?? 'eth0');
          break;
        case 'run-script':
          this.stats.scriptsRun++;
          this.record({ t: this.now, node: node.name, kind: 'script', instance: a.owner, reason: a.kind, argv: a.argv });
          break;
        case 'fifo':
          this.record({ t: this.now, node: node.name, kind: 'fifo', instance: a.owner, detail: a.line });
          break;
        case 'log':
          if (this.options.recordLogs) this.record({ t: this.now, node: node.name, kind: 'log', instance: a.owner, detail: a.message });
          break;
        case 'state-changed':
          this.stats.stateChanges++;
          if (!a.group && a.to === 'MASTER') this.stats.becameMaster++;
          this.record({
            t: this.now,
            node: node.name,
            kind: a.group ? 'group-state' : 'state',
            instance: a.owner,
            from: a.from,
            to: a.to,
            reason: a.reason,
          });
          this.invariants.onStateChange(node, a);
          break;
        default:
          // stat, routes, rules, firewall: nothing on the simulated wire
          break;
      }
    }
  }
}

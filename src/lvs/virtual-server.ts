/**
 * The virtual server core (pure): keepalived's ipwrapper.c pool logic. Events in (start, a real
 * server's health verdict or weight, a VIP appearing, stop), actions out (keepalived's log
 * lines, notify_up/notify_down/quorum_up/quorum_down scripts, LVS FIFO lines, checker
 * suspension), and after every event the desired table every data plane applies.
 *
 * The pool is modelled the way keepalived drives IPVS: each destination's presence and weight
 * change only through add/edit/delete commands issued exactly where ipwrapper.c issues them
 * (`ipvsCommand` reproduces ipvs_cmd's inhibit rules), so quirks carry over — e.g. an inhibited
 * real server stays at weight 0 while the sorry server serves, and a weight change made then
 * only takes effect when it is re-added.
 *
 * FIFO lines: keepalived 2.2.7 writes exactly the text and its "\n" (notify_fifo_vs/rs compute
 * the length without the terminating NUL, then write that many bytes), so no NUL byte follows
 * the newline; the reference note claiming one is wrong for 2.2.7 and for upstream HEAD.
 *
 * ha_suspend: keepalived only pauses the checkers of such a virtual server while its address is
 * not local. keepalived-ts also leaves its services out of the desired table then, so that a
 * data plane (the proxy) does not serve a VIP this host does not hold.
 *
 * Reload (SIGHUP) follows check_daemon.c's reload path: clear_diff_services() diffs the old
 * virtual servers against the new ones (vs_iseq / rs_iseq matching, removals with their logs and
 * notifies, alive/set/weight/quorum carried over, migrate_checkers' tail), then
 * set_effective_weights(), check_new_rs_state() and init_services() as at start. The old and the
 * new state of a virtual server that still exists share one set of installed destinations, as the
 * kernel's IPVS table outlives the reload. Its quirks are kept (e.g. a real server removed by the
 * reload can run quorum_down twice: once for the old virtual server, once at init for the new
 * one). Where keepalived-ts departs, on purpose:
 * - a new virtual server starts its quorum as at start in this core;
 * - a destination keeps the weight it has when only its forwarding method changes (keepalived
 *   re-sends the effective weight, which revives an inhibited failed server), and changed
 *   thresholds take effect at once (keepalived leaves the kernel's until the next edit);
 * - every service of a group virtual server carries the same destinations, so an entry added to
 *   the group gets the sorry server too when it serves (ipvs_group_sync_entry adds only the real
 *   servers);
 * - a virtual server with no ha_suspend address count to carry counts `localAddresses` (keepalived
 *   does no address dump at reload and starts it at 0: suspended until an address changes).
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { LvsAddress, RealServer, SorryServer, VirtualServer, VirtualServerGroup, VsgEntry } from '../config/model/lvs.js';
import type { ScriptSpec } from '../config/model/script.js';
import { formatTrio } from '../config/keywords/lvs-address.js';
import { formatVs } from '../config/validate/lvs.js';
import { expandVirtualServer, type ExpandedService } from './service-keys.js';
import type { DesiredDestination, DesiredService, DesiredTable } from './table-types.js';

/** A real server by position in the validated config: virtual_servers[virtualServer].realServers[realServer]. */
export interface RealServerRef {
  readonly virtualServer: number;
  readonly realServer: number;
}

export type LvsEvent =
  | {
      readonly type: 'start';
      /** Addresses present on this host at start (for ha_suspend). */
      readonly localAddresses?: readonly string[];
      /** Real servers that start failed whatever alpha says (e.g. a FILE_CHECK already in fault). */
      readonly initiallyFailed?: readonly RealServerRef[];
      /** Starting effective weights that differ from the configured weight (FILE_CHECK, misc_dynamic). */
      readonly initialWeights?: ReadonlyArray<{ readonly realServer: RealServerRef; readonly weight: number }>;
    }
  /** The checkers' verdict on a real server (alive iff all its checkers are up), optionally with a new effective weight. */
  | { readonly type: 'rs-alive'; readonly realServer: RealServerRef; readonly alive: boolean; readonly weight?: number }
  /** A new effective weight without a change of health (misc_dynamic exit code, FILE_CHECK value). */
  | { readonly type: 'rs-weight'; readonly realServer: RealServerRef; readonly weight: number }
  | { readonly type: 'vip-present'; readonly address: string; readonly present: boolean }
  /**
   * SIGHUP: swap to a new configuration, carrying over what keepalived carries over. Refs index
   * the NEW config. `failed`: real servers with a failed checker after the checkers' own
   * migration (num_failed_checkers > 0); `weights`: effective weights that differ from the
   * configured weight; `localAddresses`: addresses present now (ha_suspend of virtual servers
   * that had no address count to carry over).
   */
  | {
      readonly type: 'reload';
      readonly config: KeepalivedConfig;
      readonly failed?: readonly RealServerRef[];
      readonly weights?: ReadonlyArray<{ readonly realServer: RealServerRef; readonly weight: number }>;
      readonly localAddresses?: readonly string[];
    }
  | { readonly type: 'stop' };

export type LvsAction =
  | { readonly type: 'log'; readonly message: string }
  /**
   * Run a notify script with exactly this argv (keepalived appends nothing to notify_up/down and
   * quorum_up/down). `stopping`: keepalived runs it with a 1 s timeout at shutdown.
   */
  | {
      readonly type: 'notify';
      readonly kind: 'notify_up' | 'notify_down' | 'quorum_up' | 'quorum_down';
      readonly script: ScriptSpec;
      readonly argv: readonly string[];
      readonly stopping: boolean;
    }
  /** A line for notify_fifo / lvs_notify_fifo, "\n" included. */
  | { readonly type: 'fifo'; readonly line: string }
  /** ha_suspend: the checkers of this virtual server must pause (enabled false) or resume. */
  | { readonly type: 'checkers'; readonly virtualServer: number; readonly enabled: boolean };

export interface LvsStepResult {
  readonly actions: readonly LvsAction[];
  readonly table: DesiredTable;
}

/** A pool member as ipwrapper.c tracks it (real server or sorry server). */
interface PoolMember {
  readonly text: string;
  readonly address: string;
  readonly family: 'inet' | 'inet6';
  readonly port: number;
  readonly forwarding: 'NAT' | 'DR' | 'TUN';
  readonly inhibit: boolean;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  /** rs->alive: in the pool as far as keepalived is concerned. */
  alive: boolean;
  /** rs->set: a destination exists in IPVS (possibly at weight 0). */
  set: boolean;
  /** num_failed_checkers > 0. */
  failed: boolean;
  /** The checkers have reported at least once (has_run). */
  hasRun: boolean;
  alpha: boolean;
  effectiveWeight: number;
}

interface RealServerState extends PoolMember {
  readonly config: RealServer;
}

interface VirtualServerState {
  readonly config: VirtualServer;
  readonly text: string;
  /** The virtual_server_group a `virtual_server group NAME` stands for. */
  readonly group?: VirtualServerGroup;
  readonly services: readonly ExpandedService[];
  readonly realServers: RealServerState[];
  readonly sorry?: PoolMember & { readonly duplicatesRealServer: boolean };
  quorumUp: boolean;
  /**
   * The destinations IPVS holds for this virtual server: key "address|port" → weight. Shared by
   * the old and the new state of a virtual server across a reload.
   */
  installed: Map<string, { member: PoolMember; weight: number }>;
  /** ha_suspend: how many matching local addresses are present (as ha_suspend_addr_count). */
  localAddressCount: number;
  serviceInstalled: boolean;
}

/** What a reload carries between clear_diff_services() and init_services() (keepalived's `reloaded` flags, peffective_weight). */
interface ReloadMarks {
  /** Virtual servers, real servers and sorry servers that matched an old one. */
  readonly reloaded: Set<object>;
  /** Group entries of the new config that matched an old entry (vsge->reloaded). */
  readonly reloadedEntries: Set<VsgEntry>;
  /** peffective_weight: the effective weight a reloaded real server had before the reload. */
  readonly previousWeight: Map<RealServerState, number>;
}

/** IPVS's weight range: negative effective weights mean 0 (real_weight()). */
function realWeight(weight: number): number {
  if (weight < 0) return 0;
  return Math.min(weight, 2147483647);
}

type Command = 'add' | 'del';

export class LvsCore {
  private vss: VirtualServerState[];
  private rsInitNotifies: boolean;
  private started = false;
  private stopped = false;
  private actions: LvsAction[] = [];
  /** Events that named something that does not exist (counted, reported in a log action). */
  errors = 0;

  constructor(config: KeepalivedConfig) {
    this.rsInitNotifies = config.global.rsInitNotifies;
    this.vss = config.lvs.virtualServers.map((vs) => this.buildState(vs, config));
  }

  private buildState(vs: VirtualServer, config: KeepalivedConfig): VirtualServerState {
    const protocol = vs.protocol;
    const member = (address: RealServer['address'], forwarding: RealServer['forwarding'], inhibit: boolean) => ({
      text: formatTrio(address, protocol),
      address: address.address,
      family: address.family ?? 'inet',
      port: address.port,
      forwarding: forwarding?.method ?? 'NAT',
      inhibit,
      alive: false,
      set: false,
      failed: false,
      hasRun: false,
      alpha: false,
      effectiveWeight: 1,
    });
    const realServers: RealServerState[] = vs.realServers.map((rs) => {
      const alpha = rs.checkers.some((c) => c.alpha ?? rs.alpha ?? vs.alpha);
      return {
        ...member(rs.address, rs.forwarding, rs.inhibitOnFailure ?? vs.inhibitOnFailure),
        ...(rs.uthreshold !== undefined ? { upperThreshold: rs.uthreshold } : {}),
        ...(rs.lthreshold !== undefined ? { lowerThreshold: rs.lthreshold } : {}),
        config: rs,
        alpha,
        failed: alpha,
        effectiveWeight: rs.weight ?? vs.weight,
      };
    });
    const s = vs.sorryServer;
    const sorry = s
      ? { ...member(s.address, s.forwarding, s.inhibit), duplicatesRealServer: (s as SorryServer).duplicatesRealServer ?? false }
      : undefined;
    const group = vs.kind === 'group' ? config.lvs.virtualServerGroups.find((g) => g.name === vs.groupName) : undefined;
    return {
      config: vs,
      text: formatVs(vs),
      ...(group ? { group } : {}),
      services: expandVirtualServer(vs, config.lvs),
      realServers,
      ...(sorry ? { sorry } : {}),
      // set_quorum_states() runs before any real server is alive: with quorum ≥ 1 a virtual server
      // starts with its quorum down and gains it as init_services() adds its real servers
      quorumUp: 0 >= vs.quorum + vs.hysteresis,
      installed: new Map(),
      localAddressCount: 0,
      serviceInstalled: false,
    };
  }

  /** Apply one event; returns what to do and the table to install. */
  handle(event: LvsEvent): LvsStepResult {
    this.actions = [];
    switch (event.type) {
      case 'start':
        this.start(event);
        break;
      case 'rs-alive':
        this.withRealServer(event.realServer, (vs, rs) => {
          if (event.weight !== undefined) this.updateWeight(vs, rs, event.weight, true);
          this.checkerVerdict(vs, rs, event.alive);
        });
        break;
      case 'rs-weight':
        this.withRealServer(event.realServer, (vs, rs) => this.updateWeight(vs, rs, event.weight, true));
        break;
      case 'vip-present':
        this.vipPresent(event.address, event.present);
        break;
      case 'reload':
        this.reload(event);
        break;
      case 'stop':
        this.stop();
        break;
    }
    return { actions: this.actions, table: this.table() };
  }

  /** The desired table as it stands. */
  table(): DesiredTable {
    const services: DesiredService[] = [];
    for (const vs of this.vss) {
      if (!vs.serviceInstalled) continue;
      if (vs.config.haSuspend && vs.localAddressCount === 0) continue;
      const c = vs.config;
      for (const svc of vs.services) {
        const destinations: DesiredDestination[] = [];
        for (const { member, weight } of vs.installed.values()) {
          destinations.push({
            family: member.family,
            address: member.address,
            port: this.destinationPort(member, svc),
            weight,
            forwarding: member.forwarding,
            ...(member.upperThreshold !== undefined ? { upperThreshold: member.upperThreshold } : {}),
            ...(member.lowerThreshold !== undefined ? { lowerThreshold: member.lowerThreshold } : {}),
            ...(member === vs.sorry ? { sorry: true } : {}),
          });
        }
        services.push({
          id: svc.id,
          key: svc.key,
          scheduler: c.scheduler ?? 'wlc',
          flags: [...c.flags],
          ...(c.persistenceTimeout
            ? {
                persistence: {
                  timeout: c.persistenceTimeout,
                  ...(c.persistenceGranularity !== undefined ? { granularity: c.persistenceGranularity } : {}),
                },
              }
            : {}),
          destinations,
        });
      }
    }
    return { services };
  }

  /** Whether the quorum of a virtual server is up (for status). */
  quorumUp(virtualServer: number): boolean | undefined {
    return this.vss[virtualServer]?.quorumUp;
  }

  /** IPVS gives direct-routing and tunnel destinations the service's port (0 for fwmark services). */
  private destinationPort(member: PoolMember, svc: ExpandedService): number {
    if (member.forwarding === 'NAT') return member.port;
    return svc.key.kind === 'fwmark' ? 0 : svc.key.port;
  }

  private log(message: string): void {
    this.actions.push({ type: 'log', message });
  }

  private withRealServer(ref: RealServerRef, fn: (vs: VirtualServerState, rs: RealServerState) => void): void {
    const vs = this.vss[ref.virtualServer];
    const rs = vs?.realServers[ref.realServer];
    if (!vs || !rs) {
      this.errors++;
      this.log(`LVS event for unknown real server ${ref.virtualServer}/${ref.realServer} ignored`);
      return;
    }
    if (!this.started || this.stopped) return;
    fn(vs, rs);
  }

  /** ipvs_cmd() for destinations, with its inhibit rules. */
  private ipvsCommand(vs: VirtualServerState, member: PoolMember, command: Command): void {
    const key = `${member.address}|${member.port}`;
    let weight = realWeight(member.effectiveWeight);
    let op: 'add' | 'edit' | 'del' = command;
    if (command === 'del' && member.inhibit) {
      weight = 0;
      op = 'edit';
    } else if (command === 'add' && member.inhibit && member.set) {
      op = 'edit';
    } else if (command === 'add' && !member.set) {
      member.set = true;
      if (member.inhibit && member.failed) weight = 0;
    } else if (command === 'del' && member.set) {
      member.set = false;
    }
    if (op === 'del') vs.installed.delete(key);
    else if (op === 'add' || vs.installed.has(key)) vs.installed.set(key, { member, weight });
  }

  /** ipvs_cmd(LVS_CMD_DEL_DEST) with inhibit_on_failure overridden: the destination really goes. */
  private forceRemove(vs: VirtualServerState, member: PoolMember): void {
    const inhibit = member.inhibit;
    (member as { inhibit: boolean }).inhibit = false;
    this.ipvsCommand(vs, member, 'del');
    (member as { inhibit: boolean }).inhibit = inhibit;
  }

  private weightSum(vs: VirtualServerState): number {
    let sum = 0;
    for (const rs of vs.realServers) if (rs.alive) sum += realWeight(rs.effectiveWeight);
    return sum;
  }

  private rsNotifies(vs: VirtualServerState, rs: RealServerState, stopping: boolean): void {
    const script = rs.alive ? rs.config.notifyUp : rs.config.notifyDown;
    if (script) {
      this.actions.push({ type: 'notify', kind: rs.alive ? 'notify_up' : 'notify_down', script, argv: [...script.argv], stopping });
    }
    this.actions.push({ type: 'fifo', line: rsFifoLine(rs.text, vs.text, rs.alive) });
  }

  private vsNotifies(vs: VirtualServerState, stopping: boolean): void {
    if (stopping && !vs.config.omega) return;
    const script = vs.quorumUp ? vs.config.quorumUp : vs.config.quorumDown;
    if (script) {
      this.actions.push({ type: 'notify', kind: vs.quorumUp ? 'quorum_up' : 'quorum_down', script, argv: [...script.argv], stopping });
    }
    this.actions.push({ type: 'fifo', line: vsFifoLine(vs.text, vs.quorumUp) });
  }

  private start(event: Extract<LvsEvent, { type: 'start' }>): void {
    if (this.started) return;
    this.started = true;
    for (const ref of event.initiallyFailed ?? []) {
      const rs = this.vss[ref.virtualServer]?.realServers[ref.realServer];
      if (rs) rs.failed = true;
      else this.errors++;
    }
    for (const { realServer: ref, weight } of event.initialWeights ?? []) {
      const rs = this.vss[ref.virtualServer]?.realServers[ref.realServer];
      if (rs) rs.effectiveWeight = weight;
      else this.errors++;
    }
    const local = new Set(event.localAddresses ?? []);
    this.vss.forEach((vs, index) => {
      if (vs.config.haSuspend) {
        vs.localAddressCount = vs.services.filter((s) => s.key.kind === 'address' && local.has(s.key.address)).length;
        if (vs.localAddressCount === 0) this.actions.push({ type: 'checkers', virtualServer: index, enabled: false });
      }
      this.initService(vs);
    });
  }

  /**
   * init_service_vs(): the service, its real servers (init_service_rs), the destinations of group
   * entries new at a reload, the initial quorum, the inhibited sorry server.
   */
  private initService(vs: VirtualServerState, marks?: ReloadMarks): void {
    vs.serviceInstalled = true;
    for (const rs of vs.realServers) {
      if (marks?.reloaded.has(rs)) {
        // A reloaded real server is not re-added; only its weight moves to the new effective weight.
        const previous = marks.previousWeight.get(rs) ?? rs.effectiveWeight;
        if (rs.effectiveWeight !== previous) {
          const weight = rs.effectiveWeight;
          rs.effectiveWeight = previous;
          this.updateWeight(vs, rs, weight, false);
        }
        continue;
      }
      if ((!rs.failed && !rs.alive) || (rs.inhibit && !rs.set)) {
        this.ipvsCommand(vs, rs, 'add');
        if (!rs.failed) {
          rs.alive = true;
          if (this.rsInitNotifies) this.rsNotifies(vs, rs, false);
        }
      }
    }
    if (marks?.reloaded.has(vs) && vs.group) this.logAddedGroupEntries(vs, marks);
    this.updateQuorum(vs, true);
    const sorry = vs.sorry;
    if (sorry && sorry.inhibit && !sorry.set) {
      if (sorry.duplicatesRealServer) sorry.set = true;
      else {
        // Present from the start, at weight 0, so that enabling it later is an edit.
        sorry.failed = true;
        this.ipvsCommand(vs, sorry, 'add');
        sorry.failed = false;
      }
    }
  }

  /** update_svr_checker_state() for the aggregate verdict of a real server's checkers. */
  private checkerVerdict(vs: VirtualServerState, rs: RealServerState, alive: boolean): void {
    const healthy = !rs.failed;
    if (healthy === alive) {
      if (!rs.hasRun) {
        if (rs.alpha || !alive) this.rsNotifies(vs, rs, false);
        rs.hasRun = true;
      }
      return;
    }
    rs.hasRun = true;
    this.performServerState(vs, rs, alive);
    rs.failed = !alive;
  }

  /** perform_svr_state(): move a real server in or out of the pool. */
  private performServerState(vs: VirtualServerState, rs: RealServerState, alive: boolean): void {
    if (rs.alive === alive) return;
    const verb = alive ? (rs.inhibit ? 'Enabl' : 'Add') : rs.inhibit ? 'Disabl' : 'Remov';
    const preposition = rs.inhibit ? 'of' : alive ? 'to' : 'from';
    this.log(`${verb}ing service ${rs.text} ${preposition} VS ${vs.text}`);
    if (vs.quorumUp || !vs.sorry || !vs.sorry.alive) this.ipvsCommand(vs, rs, alive ? 'add' : 'del');
    rs.alive = alive;
    this.rsNotifies(vs, rs, false);
    this.updateQuorum(vs, false);
  }

  /** update_svr_wgt(): a new effective weight. */
  private updateWeight(vs: VirtualServerState, rs: RealServerState, weight: number, updateQuorum: boolean): void {
    const oldWeight = realWeight(rs.effectiveWeight);
    const newWeight = realWeight(weight);
    rs.effectiveWeight = weight;
    if (newWeight === oldWeight) return;
    this.log(`Changing weight from ${oldWeight} to ${newWeight} for ${rs.alive ? '' : 'in'}active service ${rs.text} of VS ${vs.text}`);
    if (rs.set && rs.alive && (vs.quorumUp || !vs.sorry || !vs.sorry.alive)) {
      const key = `${rs.address}|${rs.port}`;
      if (vs.installed.has(key)) vs.installed.set(key, { member: rs, weight: newWeight });
    }
    if (updateQuorum) this.updateQuorum(vs, false);
  }

  /** perform_quorum_state(): add or remove the alive real servers together. */
  private performQuorumState(vs: VirtualServerState, add: boolean): void {
    this.log(`${add ? 'Adding alive servers to' : 'Removing alive servers from'} the pool for VS ${vs.text}`);
    for (const rs of vs.realServers) {
      if (!rs.alive) continue;
      if (add) rs.alive = false;
      this.ipvsCommand(vs, rs, add ? 'add' : 'del');
      rs.alive = true;
    }
  }

  /** update_quorum_state(): gain at weight ≥ quorum + hysteresis, loss below quorum − hysteresis (or at 0). */
  private updateQuorum(vs: VirtualServerState, init: boolean): void {
    const c = vs.config;
    const weightSum = this.weightSum(vs);
    const threshold = c.quorum + (vs.quorumUp ? -1 : 1) * c.hysteresis;
    const sorry = vs.sorry;
    if (!vs.quorumUp && weightSum >= threshold) {
      vs.quorumUp = true;
      this.log(`Gained quorum ${c.quorum}+${c.hysteresis}=${threshold} <= ${weightSum} for VS ${vs.text}`);
      if (sorry && sorry.alive) {
        this.log(`${sorry.inhibit ? 'Disabling' : 'Removing'} sorry server ${sorry.text} from VS ${vs.text}`);
        this.ipvsCommand(vs, sorry, 'del');
        sorry.alive = false;
        this.performQuorumState(vs, true);
      }
      this.vsNotifies(vs, false);
      return;
    }
    if ((vs.quorumUp && (!weightSum || weightSum < threshold)) || (init && !vs.quorumUp && sorry && !sorry.alive)) {
      vs.quorumUp = false;
      this.log(`${init ? 'Starting with quorum down' : 'Lost quorum'} ${c.quorum}-${c.hysteresis}=${threshold} > ${weightSum} for VS ${vs.text}`);
      if (sorry && !sorry.alive) {
        this.log(`${sorry.inhibit ? 'Enabling' : 'Adding'} sorry server ${sorry.text} to VS ${vs.text}`);
        this.performQuorumState(vs, false);
        this.ipvsCommand(vs, sorry, 'add');
        sorry.alive = true;
      }
      this.vsNotifies(vs, false);
    }
  }

  private vipPresent(address: string, present: boolean): void {
    if (!this.started || this.stopped) return;
    this.vss.forEach((vs, index) => {
      if (!vs.config.haSuspend) return;
      if (!vs.services.some((s) => s.key.kind === 'address' && s.key.address === address)) return;
      const wasEnabled = vs.localAddressCount > 0;
      vs.localAddressCount = Math.max(0, vs.localAddressCount + (present ? 1 : -1));
      const enabled = vs.localAddressCount > 0;
      if (enabled === wasEnabled) return;
      for (const rs of vs.realServers) {
        for (let i = 0; i < rs.config.checkers.length; i++) {
          this.log(`${enabled ? 'Activat' : 'Suspend'}ing healthchecker for service ${rs.text} for VS ${vs.text}`);
        }
      }
      this.actions.push({ type: 'checkers', virtualServer: index, enabled });
    });
  }

  /** clear_services() with lvs_flush_on_stop off: every destination and service removed, omega notifies. */
  private stop(): void {
    if (!this.started || this.stopped) return;
    this.stopped = true;
    for (const vs of this.vss) this.clearService(vs, true, false);
  }

  /**
   * clear_service_vs(): the sorry server and the real servers leave (unless the kernel flushes
   * them: lvs_flush_on_stop), the quorum notifies, then the service goes.
   */
  private clearService(vs: VirtualServerState, stopping: boolean, flushed: boolean): void {
    const sorry = vs.sorry;
    if (!flushed) {
      if (sorry && sorry.set) {
        if (sorry.duplicatesRealServer) sorry.set = false;
        else this.forceRemove(vs, sorry);
        sorry.alive = false;
      }
      for (const rs of vs.realServers) this.clearRealServer(vs, rs, stopping);
      this.updateVsNotifies(vs, stopping);
    } else {
      this.updateVsNotifies(vs, stopping);
      if (sorry && sorry.set) sorry.alive = false;
    }
    vs.installed.clear();
    vs.serviceInstalled = false;
  }

  /** clear_service_rs(): at shutdown ("Shutting down", notifies only with omega) or at reload ("Removing"). */
  private clearRealServer(vs: VirtualServerState, rs: RealServerState, stopping: boolean): void {
    if (rs.set || stopping) {
      this.log(`${stopping ? 'Shutting down' : 'Removing'} ${rs.inhibit && !rs.alive ? '(inhibited) ' : ''}service ${rs.text} from VS ${vs.text}`);
    }
    if (!rs.set) return;
    this.forceRemove(vs, rs);
    if (!rs.alive) return;
    rs.alive = false;
    if (!vs.config.omega && stopping) return;
    this.rsNotifies(vs, rs, stopping);
  }

  /**
   * update_vs_notifies(): at shutdown the quorum always goes down; otherwise only when the live
   * weight fell below quorum − hysteresis (no sorry server is pushed in: the service is going).
   */
  private updateVsNotifies(vs: VirtualServerState, stopping: boolean): void {
    const threshold = vs.config.quorum - vs.config.hysteresis;
    const weightSum = this.weightSum(vs);
    if (stopping || (vs.quorumUp && (!weightSum || weightSum < threshold))) {
      vs.quorumUp = false;
      this.vsNotifies(vs, stopping);
    }
  }

  /* ------------------------------------------------------------------ reload */

  private reload(event: Extract<LvsEvent, { type: 'reload' }>): void {
    if (this.stopped) return;
    const config = event.config;
    const oldVss = this.vss;
    const newVss = config.lvs.virtualServers.map((vs) => this.buildState(vs, config));
    this.rsInitNotifies = config.global.rsInitNotifies;
    if (!this.started) {
      this.vss = newVss;
      return;
    }
    const lookup = (ref: RealServerRef, what: string): RealServerState | undefined => {
      const rs = newVss[ref.virtualServer]?.realServers[ref.realServer];
      if (!rs) {
        this.errors++;
        this.log(`LVS reload: ${what} for unknown real server ${ref.virtualServer}/${ref.realServer} ignored`);
      }
      return rs;
    };
    const failed = new Set<RealServerState>();
    for (const ref of event.failed ?? []) {
      const rs = lookup(ref, 'failed state');
      if (rs) failed.add(rs);
    }
    const weights = new Map<RealServerState, number>();
    for (const { realServer: ref, weight } of event.weights ?? []) {
      const rs = lookup(ref, 'weight');
      if (rs) weights.set(rs, weight);
    }
    const local = new Set(event.localAddresses ?? []);
    const marks: ReloadMarks = { reloaded: new Set(), reloadedEntries: new Set(), previousWeight: new Map() };
    // lvs_flush_on_stop also decides how clear_service_vs removes a virtual server at reload.
    const flushed = config.global.lvsFlushOnStop !== 'none';

    // clear_diff_services()
    for (const old of oldVss) {
      const next = newVss.find((n) => sameVirtualServer(old.config, n.config));
      if (!next) {
        this.log(old.config.kind === 'group' ? `Removing Virtual Server Group [${old.config.groupName}]` : `Removing Virtual Server ${old.text}`);
        this.clearService(old, false, flushed);
        continue;
      }
      next.serviceInstalled = old.serviceInstalled;
      next.quorumUp = old.quorumUp;
      next.installed = old.installed;
      marks.reloaded.add(next);
      // keepalived copies the count as it is; a virtual server that had no ha_suspend had none kept
      // (keepalived then leaves it at 0 until an address changes), so its count is taken afresh.
      if (old.config.haSuspend) next.localAddressCount = old.localAddressCount;
      else next.localAddressCount = this.countLocalAddresses(next, local);
      if (old.group && next.group) this.clearDiffGroup(old, next, marks);
      // A changed scheduler, flags or persistence (IP_VS_SO_SET_EDIT): the table reads them from the new config.
      this.clearDiffRealServers(old, next, failed, marks);
      this.clearDiffSorry(old, next, marks);
    }

    for (const vs of newVss) {
      for (const rs of vs.realServers) {
        // set_effective_weights(): the configured weight plus what the checkers add.
        rs.effectiveWeight = weights.get(rs) ?? rs.config.weight ?? vs.config.weight;
        // check_new_rs_state(): a new real server with an alpha checker starts down.
        if (!marks.reloaded.has(rs)) rs.failed = rs.alpha || failed.has(rs);
      }
    }

    // init_services()
    this.vss = newVss;
    newVss.forEach((vs, index) => {
      if (vs.config.haSuspend) {
        if (!marks.reloaded.has(vs)) vs.localAddressCount = this.countLocalAddresses(vs, local);
        if (vs.localAddressCount === 0) this.actions.push({ type: 'checkers', virtualServer: index, enabled: false });
      }
      this.initService(vs, marks);
    });
  }

  private countLocalAddresses(vs: VirtualServerState, local: ReadonlySet<string>): number {
    return vs.services.filter((s) => s.key.kind === 'address' && local.has(s.key.address)).length;
  }

  /**
   * clear_diff_rs(): real servers gone from the new config are removed (with their notifies); the
   * others hand their state to the new ones, and migrate_checkers' tail puts a real server whose
   * checkers now all pass back in the pool, or takes out one that has a failed checker.
   */
  private clearDiffRealServers(old: VirtualServerState, next: VirtualServerState, failed: ReadonlySet<RealServerState>, marks: ReloadMarks): void {
    for (const rs of old.realServers) {
      const match = next.realServers.find((n) => sameMember(rs, n));
      if (!match) {
        this.log(`service ${rs.text} no longer exist`);
        this.clearRealServer(old, rs, false);
        continue;
      }
      match.alive = rs.alive;
      match.set = rs.set;
      match.effectiveWeight = rs.effectiveWeight;
      match.hasRun = rs.hasRun;
      marks.previousWeight.set(match, rs.effectiveWeight);
      marks.reloaded.add(match);
      this.adoptDestination(next, rs, match);
      match.failed = failed.has(match);
      if (!match.failed && !match.alive) this.performServerState(next, match, true);
      else if (match.failed && match.set !== match.inhibit) this.ipvsCommand(next, match, match.inhibit ? 'add' : 'del');
      // A changed forwarding method makes keepalived edit the destination (LVS_CMD_EDIT_DEST), re-sending
      // its effective weight: that would give an inhibited, failed real server its weight back. The
      // table reads the forwarding method (and thresholds) from the new config and keeps the weight.
    }
    this.updateVsNotifies(old, false);
  }

  /** clear_diff_s_srv(): the same sorry server keeps its state; a changed or removed one leaves the pool. */
  private clearDiffSorry(old: VirtualServerState, next: VirtualServerState, marks: ReloadMarks): void {
    const previous = old.sorry;
    if (!previous) return;
    const sorry = next.sorry;
    if (sorry && sameMember(previous, sorry)) {
      sorry.alive = previous.alive;
      sorry.set = previous.set;
      marks.reloaded.add(sorry);
      this.adoptDestination(next, previous, sorry);
      return;
    }
    if (previous.inhibit) {
      // An inhibited sorry server sits at weight 0 while idle: it is removed all the same.
      if (!previous.alive && previous.set) previous.alive = true;
      (previous as { inhibit: boolean }).inhibit = false;
    }
    if (previous.alive) {
      this.log(`Removing sorry server ${previous.text} from VS ${old.text}`);
      this.ipvsCommand(old, previous, 'del');
    }
  }

  /** The installed destination of an old pool member now belongs to its successor. */
  private adoptDestination(vs: VirtualServerState, previous: PoolMember, member: PoolMember): void {
    const key = `${member.address}|${member.port}`;
    const entry = vs.installed.get(key);
    if (entry && entry.member === previous) vs.installed.set(key, { member, weight: entry.weight });
  }

  /** clear_diff_vsg(): entries gone from the group are logged (their services leave the table with them). */
  private clearDiffGroup(old: VirtualServerState, next: VirtualServerState, marks: ReloadMarks): void {
    const name = old.config.groupName ?? '';
    const newEntries = next.group?.entries ?? [];
    for (const kind of ['range', 'fwmark'] as const) {
      for (const entry of old.group?.entries ?? []) {
        if (entry.kind !== kind) continue;
        const match = newEntries.find((e) => sameGroupEntry(entry, e));
        if (match) marks.reloadedEntries.add(match);
        else this.log(`VS [${groupEntryText(entry, old.config, false)}] in group ${name} no longer exists`);
      }
    }
  }

  /** sync_service_vsg(): entries new in the group of a reloaded virtual server (their services get its destinations). */
  private logAddedGroupEntries(vs: VirtualServerState, marks: ReloadMarks): void {
    for (const kind of ['range', 'fwmark'] as const) {
      for (const entry of vs.group?.entries ?? []) {
        if (entry.kind !== kind || marks.reloadedEntries.has(entry)) continue;
        this.log(`VS [${groupEntryText(entry, vs.config, true)}] added into group ${vs.config.groupName ?? ''}`);
      }
    }
  }
}

/** vs_iseq(): groups by name and position in the group, otherwise family, fwmark or protocol + address. */
function sameVirtualServer(a: VirtualServer, b: VirtualServer): boolean {
  if ((a.kind === 'group') !== (b.kind === 'group')) return false;
  if (a.kind === 'group') return a.groupName === b.groupName && (a.groupIndex ?? 0) === (b.groupIndex ?? 0);
  if (vsFamily(a) !== vsFamily(b)) return false;
  if (a.kind === 'fwmark') return b.kind === 'fwmark' && a.fwmark === b.fwmark;
  if (b.kind !== 'address' || a.protocol !== b.protocol) return false;
  return a.address !== undefined && b.address !== undefined && sameSockaddr(a.address, b.address);
}

function vsFamily(vs: VirtualServer): string | undefined {
  return vs.kind === 'address' ? vs.address?.family : vs.family;
}

function sameSockaddr(a: LvsAddress, b: LvsAddress): boolean {
  return a.family === b.family && a.address === b.address && a.port === b.port;
}

/** rs_iseq(): same family, address and port. */
function sameMember(a: PoolMember, b: PoolMember): boolean {
  return a.family === b.family && a.address === b.address && a.port === b.port;
}

/** vsge_iseq(): fwmarks by mark alone, ranges by first and last address (with the port). */
function sameGroupEntry(a: VsgEntry, b: VsgEntry): boolean {
  if (a.kind === 'fwmark' || b.kind === 'fwmark') return a.kind === 'fwmark' && b.kind === 'fwmark' && a.fwmark === b.fwmark;
  return a.family === b.family && a.start === b.start && a.end === b.end && a.port === b.port;
}

/**
 * A group entry as keepalived's reload logs word it: "FWM n" (when added) or "n" (when gone) for a
 * fwmark, the address trio, or the trio and the last address of a range.
 */
function groupEntryText(entry: VsgEntry, vs: VirtualServer, added: boolean): string {
  if (entry.kind === 'fwmark') return added ? `FWM ${entry.fwmark}` : `${entry.fwmark}`;
  const trio = formatTrio({ family: entry.family, address: entry.start, port: entry.port }, vs.protocol);
  return entry.start === entry.end ? trio : `${trio}-${entry.end}`;
}

/** The LVS FIFO line for a real server: `RS [10.0.0.5]:tcp:80 [10.9.9.1]:tcp:80 DOWN\n`. */
export function rsFifoLine(rsText: string, vsText: string, up: boolean): string {
  return `RS ${rsText} ${vsText} ${up ? 'UP' : 'DOWN'}\n`;
}

/** The LVS FIFO line for a virtual server's quorum: `VS [10.9.9.1]:tcp:80 UP\n`. */
export function vsFifoLine(vsText: string, up: boolean): string {
  return `VS ${vsText} ${up ? 'UP' : 'DOWN'}\n`;
}

/**
 * The health-checker process's engine (keepalived's Keepalived_healthcheckers, with a data plane
 * in place of IPVS): the config's virtual servers become an LvsCore (pool, quorum, sorry server)
 * fed by a CheckRuntime (the checkers), and every desired table the core computes is handed to
 * the data plane. Around them: notify_up/down and quorum_up/down scripts, LVS lines for
 * notify_fifo / lvs_notify_fifo, and VIP presence (the data plane serves a VIP only while this
 * host holds it; ha_suspend pauses checkers while it does not).
 *
 * Reload follows keepalived's: the runtime carries the checkers' state over (migrate_checkers),
 * then the core diffs the old and new configs (clear_diff_services, init_services) from that
 * health — what is removed is logged and notified, what stays keeps its pool and quorum state.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { RealServer, VirtualServer } from '../config/model/lvs.js';
import type { ScriptSpec } from '../config/model/script.js';
import { CheckRuntime, type OutwardAction } from '../check/check-runtime.js';
import { virtualServerId } from '../check/check-settings.js';
// each checker kind registers itself with the registry when its module is loaded
import '../check/tcp-check.js';
import '../check/misc-check.js';
import '../check/http-check.js';
import '../check/smtp-check.js';
import '../check/dns-check.js';
import '../check/udp-check.js';
import '../check/ping-check.js';
import { LvsCore, type LvsAction, type LvsStepResult, type RealServerRef } from '../lvs/virtual-server.js';
import { expandVirtualServer } from '../lvs/service-keys.js';
import type { DesiredTable } from '../lvs/table-types.js';
import type { DataPlane } from '../dataplane/dataplane.js';
import type { LvsSnapshot } from '../cli/lvs.js';
import { NotifyRunner, type NotifyScriptAction } from '../platform/linux/script-runner.js';
import { ConfiguredFifos } from './configured-fifos.js';
import type { LogFn } from '../platform/linux/driver-log.js';
import { canonicalAddress, type AddressSource } from './address-presence.js';
import type { VirtualServerStatus } from './status.js';
import { TrackFileSet } from './track-file-set.js';

/** keepalived runs the scripts of a stopping checker process with a 1 s timeout. */
const STOPPING_SCRIPT_TIMEOUT_US = 1_000_000;
/**
 * The core and the scheduler both word the ha_suspend activation lines; the scheduler's are the
 * ones logged (one per checker, as check_api.c), the core's copies are dropped.
 */
const SCHEDULER_WORDED = /^(Activat|Suspend)ing healthchecker for service /;

export interface LvsServiceOptions {
  readonly log: LogFn;
  readonly dataPlane: DataPlane;
  /** Where VIP presence comes from; without one, the data plane decides on its own (local addresses). */
  readonly addresses?: AddressSource;
  /** The checkers' warmup randomness, [0, 1). */
  readonly random?: () => number;
}

export interface LvsServiceStats {
  /** Tables the data plane refused (reported, counted; the next table is still applied). */
  applyErrors: number;
  /** Checker results for real servers the core does not know (should never happen). */
  unknownRealServers: number;
}

export class LvsService {
  readonly stats: LvsServiceStats = { applyErrors: 0, unknownRealServers: 0 };
  private config: KeepalivedConfig;
  private core: LvsCore;
  private runtime: CheckRuntime | undefined;
  private refs = new Map<RealServer, RealServerRef>();
  private vsIds: string[] = [];
  /** Canonical VS address → the text the core's services use. */
  private watched = new Map<string, string>();
  /** Canonical address → how many interfaces hold it. */
  private readonly addressCount = new Map<string, number>();
  private readonly notify: NotifyRunner;
  private readonly scriptOf = new WeakMap<NotifyScriptAction, ScriptSpec>();
  private fifos: ConfiguredFifos | undefined;
  private trackFiles: TrackFileSet | undefined;
  private table: DesiredTable = { services: [] };
  private pendingTable: DesiredTable | undefined;
  private applying: Promise<void> | undefined;
  private reloading = false;
  private started = false;
  private stopped = false;

  constructor(
    config: KeepalivedConfig,
    private readonly options: LvsServiceOptions,
  ) {
    this.config = config;
    this.core = new LvsCore(config);
    this.index(config);
    this.notify = new NotifyRunner({
      log: options.log,
      credentials: (action) => {
        const spec = this.scriptOf.get(action);
        if (!spec) return undefined;
        return { ...(spec.uid !== undefined ? { uid: spec.uid } : {}), ...(spec.gid !== undefined ? { gid: spec.gid } : {}) };
      },
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.fifos = new ConfiguredFifos('lvs', this.options.log);
    this.fifos.configure(this.config.global);
    const source = this.options.addresses;
    if (source) {
      for (const a of source.present()) this.addressCount.set(a, (this.addressCount.get(a) ?? 0) + 1);
      source.onChange((address, added) => this.addressChanged(address, added));
      // presence first, so the data plane knows whether to listen when the services arrive
      for (const address of this.watched.keys()) this.options.dataPlane.vipChanged(address, this.isPresent(address));
    }
    this.trackFiles = new TrackFileSet(this.options.log);
    this.trackFiles.apply(this.config.global.trackFiles, fileCheckFiles(this.config), false);
    const runtime = new CheckRuntime({
      virtualServers: this.config.lvs.virtualServers,
      log: this.options.log,
      onAction: (a) => this.checkerAction(a),
      logAllFailures: this.config.global.checkerLogAllFailures,
      trackFileValues: this.trackFiles.values(),
      ...(this.config.lvs.ssl ? { ssl: this.config.lvs.ssl } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    this.runtime = runtime;
    this.trackFiles.onChange((name, value) => runtime.setTrackFile(name, value));
    // FILE_CHECKs know their verdict before any check runs: those real servers start failed or reweighted
    const { failed, weights } = this.healthOf(runtime);
    const first = this.core.handle({ type: 'start', ...this.localAddresses(), initiallyFailed: failed, initialWeights: weights });
    this.perform(first, false);
    runtime.start(this.suspendedBy(first));
  }

  /** SIGHUP: the checkers keep their state (migrate_checkers), the core diffs old and new configs. */
  reload(next: KeepalivedConfig): void {
    if (!this.started || this.stopped || !this.runtime) return;
    const runtime = this.runtime;
    // the reload's liveness changes are read back from the runtime below, not fed to the old core
    this.reloading = true;
    try {
      // track_files FILE_CHECKs newly follow are read now, so the reloaded checkers start from their values
      this.trackFiles?.apply(next.global.trackFiles, fileCheckFiles(next), true);
      for (const [name, value] of this.trackFiles?.values() ?? []) runtime.setTrackFile(name, value);
      runtime.reload(next.lvs.virtualServers, next.lvs.ssl);
    } finally {
      this.reloading = false;
    }
    const previouslyWatched = new Set(this.watched.keys());
    this.config = next;
    this.index(next);
    if (this.options.addresses)
      for (const address of this.watched.keys())
        if (!previouslyWatched.has(address)) this.options.dataPlane.vipChanged(address, this.isPresent(address));
    this.fifos?.configure(next.global);

    // the core diffs old and new as keepalived's clear_diff_services + init_services, from the checkers' migrated state
    const { failed, weights } = this.healthOf(runtime);
    const result = this.core.handle({ type: 'reload', config: next, failed, weights, ...this.localAddresses() });
    const suspended = this.suspendedBy(result);
    this.perform(result, false);
    next.lvs.virtualServers.forEach((vs, i) => {
      if (vs.haSuspend) runtime.setSuspended(this.vsIds[i]!, suspended.has(this.vsIds[i]!));
    });
  }

  /** SIGTERM: checkers stop, the core clears its services (omega notifies), the data plane closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.runtime?.stop(2000);
    if (this.started) this.perform(this.core.handle({ type: 'stop' }), true);
    await this.settled();
    if (!(await this.notify.waitIdle(1500))) await this.notify.stopAll(500);
    try {
      await this.options.dataPlane.close();
    } catch (e) {
      this.options.log('error', `Closing the ${this.options.dataPlane.name} data plane failed: ${(e as Error).message}`);
    }
    this.fifos?.close();
    this.trackFiles?.close();
    this.options.addresses?.close();
  }

  /** Resolves once the last table handed to the data plane has been applied. */
  async settled(): Promise<void> {
    while (this.applying) await this.applying;
  }

  /** The table the core wants now. */
  desiredTable(): DesiredTable {
    return this.table;
  }

  /** For `keepalived-ts lvs`: the data plane's services and counters. */
  lvsSnapshot(): LvsSnapshot {
    return { dataPlane: this.options.dataPlane.name, services: this.options.dataPlane.stats() };
  }

  /** For `keepalived-ts status --json`: each virtual server, its quorum and real servers. */
  virtualServers(): VirtualServerStatus[] {
    const views = this.runtime?.realServers() ?? [];
    return this.config.lvs.virtualServers.map((vs, i) => {
      const services = expandVirtualServer(vs, this.config.lvs).map((s) => s.id);
      const inTable = this.table.services.filter((s) => services.includes(s.id));
      const sorry = vs.sorryServer;
      return {
        id: this.vsIds[i]!,
        services,
        quorum: this.core.quorumUp(i) === false ? 'down' : 'up',
        sorryServer: sorry
          ? {
              address: sorry.address.address,
              port: sorry.address.port,
              active: inTable.some((s) => s.destinations.some((d) => d.sorry === true && d.weight > 0)),
            }
          : null,
        realServers: vs.realServers.map((rs) => {
          const v = views.find((x) => x.realServer === rs);
          return { address: rs.address.address, port: rs.address.port, alive: v?.alive ?? false, weight: v?.weight ?? rs.weight ?? vs.weight };
        }),
      };
    });
  }

  /* ------------------------------------------------------------------ internals */

  private index(config: KeepalivedConfig): void {
    this.refs = new Map();
    this.watched = new Map();
    this.vsIds = config.lvs.virtualServers.map((vs) => virtualServerId(vs));
    config.lvs.virtualServers.forEach((vs: VirtualServer, v) => {
      vs.realServers.forEach((rs, r) => this.refs.set(rs, { virtualServer: v, realServer: r }));
      for (const s of expandVirtualServer(vs, config.lvs))
        if (s.key.kind === 'address') this.watched.set(canonicalAddress(s.key.address), s.key.address);
    });
  }

  /**
   * The real servers the runtime holds failed (at start: alpha ones, which the core also knows,
   * and FILE_CHECKs in fault) and the weights that differ from the configured ones, as refs into
   * the current config.
   */
  private healthOf(runtime: CheckRuntime): { failed: RealServerRef[]; weights: { realServer: RealServerRef; weight: number }[] } {
    const failed: RealServerRef[] = [];
    const weights: { realServer: RealServerRef; weight: number }[] = [];
    for (const v of runtime.realServers()) {
      const ref = this.refs.get(v.realServer);
      if (!ref) continue;
      if (!v.alive) failed.push(ref);
      if (v.weight !== (v.realServer.weight ?? v.virtualServer.weight)) weights.push({ realServer: ref, weight: v.weight });
    }
    return { failed, weights };
  }

  private isPresent(address: string): boolean {
    return (this.addressCount.get(address) ?? 0) > 0;
  }

  /** The start event's view of local addresses (none known without an address source). */
  private localAddresses(): { localAddresses?: string[] } {
    if (!this.options.addresses) return {};
    const out: string[] = [];
    for (const [canonical, text] of this.watched) if (this.isPresent(canonical)) out.push(text);
    return { localAddresses: out };
  }

  private suspendedBy(result: LvsStepResult): Set<string> {
    const out = new Set<string>();
    for (const a of result.actions) if (a.type === 'checkers' && !a.enabled) out.add(this.vsIds[a.virtualServer]!);
    return out;
  }

  private addressChanged(address: string, added: boolean): void {
    const before = this.addressCount.get(address) ?? 0;
    if (!added && before === 0) return;
    const after = before + (added ? 1 : -1);
    if (after === 0) this.addressCount.delete(address);
    else this.addressCount.set(address, after);
    const text = this.watched.get(address);
    if (text === undefined || this.stopped) return;
    if ((before > 0) !== (after > 0)) this.options.dataPlane.vipChanged(address, after > 0);
    if (this.started) this.perform(this.core.handle({ type: 'vip-present', address: text, present: added }), true);
  }

  private checkerAction(a: OutwardAction): void {
    if (this.reloading || this.stopped) return;
    if (a.type !== 'rs-alive-changed' && a.type !== 'rs-weight-changed') return;
    const ref = this.refs.get(a.realServer);
    if (!ref) {
      this.stats.unknownRealServers++;
      this.options.log('error', `Checker result for unknown real server ${a.realServerId} ignored`);
      return;
    }
    const event =
      a.type === 'rs-alive-changed'
        ? ({ type: 'rs-alive', realServer: ref, alive: a.alive, weight: a.weight } as const)
        : ({ type: 'rs-weight', realServer: ref, weight: a.weight } as const);
    this.perform(this.core.handle(event), true);
  }

  /** Carry out the core's actions; `checkers` actions only once the runtime exists. */
  private perform(result: LvsStepResult, applyCheckers: boolean): void {
    for (const a of result.actions) this.act(a, applyCheckers);
    this.install(result.table);
  }

  private act(a: LvsAction, applyCheckers: boolean): void {
    switch (a.type) {
      case 'log':
        if (!SCHEDULER_WORDED.test(a.message)) this.options.log('info', a.message);
        break;
      case 'notify': {
        if (a.script.insecure) {
          this.options.log('warning', `${a.kind} script ${a.argv[0] ?? ''} is disabled by script security: not run`);
          break;
        }
        const action: NotifyScriptAction = { kind: a.kind, argv: a.argv, ...(a.stopping ? { timeout: STOPPING_SCRIPT_TIMEOUT_US } : {}) };
        this.scriptOf.set(action, a.script);
        this.notify.runAction(action);
        break;
      }
      case 'fifo':
        this.fifos?.write(a.line);
        break;
      case 'checkers':
        if (applyCheckers) this.runtime?.setSuspended(this.vsIds[a.virtualServer]!, !a.enabled);
        break;
    }
  }

  /** Tables are whole desired states: while one is being applied only the latest waiting one matters. */
  private install(table: DesiredTable): void {
    this.table = table;
    this.pendingTable = table;
    if (this.applying) return;
    this.applying = (async () => {
      while (this.pendingTable) {
        const t = this.pendingTable;
        this.pendingTable = undefined;
        try {
          await this.options.dataPlane.apply(t);
        } catch (e) {
          this.stats.applyErrors++;
          this.options.log('error', `${this.options.dataPlane.name} data plane: applying the table failed: ${(e as Error).message}`);
        }
      }
      this.applying = undefined;
    })();
  }
}

/** The track_files some FILE_CHECK follows (the checker process watches only those). */
function fileCheckFiles(config: KeepalivedConfig): Set<string> {
  const out = new Set<string>();
  for (const vs of config.lvs.virtualServers) for (const rs of vs.realServers) for (const f of rs.fileChecks) if (f.trackFile) out.add(f.trackFile);
  return out;
}

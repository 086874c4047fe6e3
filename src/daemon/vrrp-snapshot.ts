/**
 * A plain-data picture of the running VRRP instances and sync groups at one moment: what the
 * dumps (json-dump.ts, data-dump.ts, stats-file.ts) and the status API (status.ts) print. Taking
 * the picture is the only place that reads the cores; the formatters are pure functions of it.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { VrrpInstance, VrrpSyncGroup } from '../config/model/vrrp.js';
import type { VrrpEngine } from '../vrrp/engine.js';
import type { InstanceSettings } from '../vrrp/instance-settings.js';
import type { VrrpInstanceCore } from '../vrrp/instance.js';
import type { VrrpStateName } from '../vrrp/instance-types.js';
import type { SyncGroupCore } from '../vrrp/sync-group.js';
import type { StateTransition, VrrpInstanceStats, VrrpStatsBook } from './vrrp-stats.js';

/** What only the driver knows about an instance (sockets, interfaces); all optional. */
export interface InstanceRuntimeExtras {
  /** The instance's receive / send socket descriptors ("fd_in N, fd_out N"). */
  readonly sockets?: { readonly fdIn: number; readonly fdOut: number };
  /** IPv6 multicast: the interface index the multicast group is joined on. */
  readonly mcastIfindex?: number;
  /** The unicast checksum mode now in use (an old-style peer switches 'none' to 'auto'). */
  readonly unicastChecksumCompat?: 'none' | 'never' | 'config' | 'auto';
  /** VMAC interface is up. */
  readonly vmacUp?: boolean;
}

export interface VrrpInstanceSnapshot {
  /** The validated config block of the instance. */
  readonly config: VrrpInstance;
  readonly settings: InstanceSettings;
  readonly state: VrrpStateName;
  readonly wantstate: VrrpStateName;
  readonly basePriority: number;
  readonly effectivePriority: number;
  /** Base priority plus every tracker's contribution (before clamping), keepalived's total_priority. */
  readonly totalPriority: number;
  /** The current master's address as last seen in an advert (keepalived's master_saddr). */
  readonly masterAddress: string | undefined;
  readonly masterPriority: number;
  /** µs. */
  readonly masterAdverIntUs: number;
  /** The address adverts are sent from. */
  readonly sourceAddress: string | undefined;
  /** The VIPs are installed. */
  readonly vipset: boolean;
  readonly numScriptIfFault: number;
  readonly numScriptInit: number;
  /** µs. */
  readonly msDownTimerUs: number;
  /** When the instance last changed state, epoch µs (0: never). */
  readonly lastTransitionUs: number;
  readonly lastTransition: StateTransition | undefined;
  /** When the instance's timer fires next, epoch µs; undefined when disabled. */
  readonly readTimeoutUs: number | undefined;
  readonly stats: VrrpInstanceStats;
  readonly runtime: InstanceRuntimeExtras;
}

export interface SyncGroupSnapshot {
  readonly config: VrrpSyncGroup;
  readonly state: VrrpStateName;
  readonly numMemberFault: number;
  readonly numMemberInit: number;
  /** Member instance names, in the group's order. */
  readonly members: readonly string[];
}

export interface VrrpSnapshot {
  readonly instances: readonly VrrpInstanceSnapshot[];
  readonly groups: readonly SyncGroupSnapshot[];
}

/** The moment of the picture on both clocks: the cores' (µs, as given to them) and the wall clock (epoch µs). */
export interface SnapshotTimes {
  readonly coreNowUs: number;
  readonly wallNowUs: number;
}

export function snapshotInstance(
  core: VrrpInstanceCore,
  config: VrrpInstance,
  book: VrrpStatsBook,
  times: SnapshotTimes,
  runtime: InstanceRuntimeExtras = {},
): VrrpInstanceSnapshot {
  const last = book.lastTransition(core.name);
  const timerRunning = core.sands !== undefined && (core.state === 'BACKUP' || core.state === 'MASTER');
  return {
    config,
    settings: core.settings,
    state: core.state,
    wantstate: core.wantstate,
    basePriority: core.basePriority,
    effectivePriority: core.effectivePriority,
    totalPriority: core.totalPriority(),
    masterAddress: core.masterSource,
    masterPriority: core.masterPriority,
    masterAdverIntUs: core.masterAdverInt,
    sourceAddress: core.source,
    vipset: core.vipset,
    numScriptIfFault: core.numScriptIfFault,
    numScriptInit: core.numScriptInit,
    msDownTimerUs: core.msDownTimer,
    lastTransitionUs: last?.atUs ?? 0,
    lastTransition: last,
    readTimeoutUs: timerRunning ? times.wallNowUs + (core.sands! - times.coreNowUs) : undefined,
    stats: book.stats(core.name),
    runtime,
  };
}

export function snapshotSyncGroup(group: SyncGroupCore, config: VrrpSyncGroup): SyncGroupSnapshot {
  return {
    config,
    state: group.state,
    numMemberFault: group.numMemberFault,
    numMemberInit: group.numMemberInit,
    members: group.members.map((m) => m.name),
  };
}

/**
 * The picture of a whole engine. `config` is the config the engine was built from (after a
 * reload: the new one); instances or groups it does not describe are left out.
 */
export function snapshotEngine(
  engine: VrrpEngine,
  config: KeepalivedConfig,
  book: VrrpStatsBook,
  times: SnapshotTimes,
  runtime: (name: string) => InstanceRuntimeExtras | undefined = () => undefined,
): VrrpSnapshot {
  const byName = new Map(config.vrrp.instances.map((i) => [i.name, i]));
  const groupsByName = new Map(config.vrrp.syncGroups.map((g) => [g.name, g]));
  const instances: VrrpInstanceSnapshot[] = [];
  for (const core of engine.instances) {
    const c = byName.get(core.name);
    if (c) instances.push(snapshotInstance(core, c, book, times, runtime(core.name) ?? {}));
  }
  const groups: SyncGroupSnapshot[] = [];
  for (const g of engine.groups) {
    const c = groupsByName.get(g.name);
    if (c) groups.push(snapshotSyncGroup(g, c));
  }
  return { instances, groups };
}

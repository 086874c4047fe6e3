/**
 * The VRRP instance core's own view of its configuration: compact, immutable, and already
 * resolved the way keepalived 2.2.7's vrrp_complete_instance() leaves a vrrp_t. Derived from
 * the validated config model; the core never looks at the model itself.
 * Times are integer microseconds.
 */
import type { GlobalConfig } from '../config/model/global.js';
import type {
  IpAddressEntry,
  IpRouteEntry,
  IpRuleEntry,
  VrrpInstance,
  VrrpSyncGroup,
  VrrpScript,
} from '../config/model/vrrp.js';
import type { ScriptSpec } from '../config/model/script.js';

export type TrackerKind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

/** One thing an instance tracks, with keepalived's weight and weight_multiplier. */
export interface TrackerSettings {
  readonly kind: TrackerKind;
  readonly name: string;
  /** 0: failure ⇒ FAULT. Otherwise added to the priority as described in priority.ts. */
  readonly weight: number;
  /** `reverse`: keepalived's weight_multiplier -1. */
  readonly reverse: boolean;
  /** Scripts only: `init_fail` (the script starts in the failed state instead of "init"). */
  readonly initFail?: boolean;
}

/** The argv of one notify script (configured argv only; the core appends nothing to it). */
export type NotifyArgv = readonly string[];

export interface NotifySettings {
  readonly master?: NotifyArgv;
  readonly backup?: NotifyArgv;
  readonly fault?: NotifyArgv;
  readonly stop?: NotifyArgv;
  /** Generic `notify`: the core appends INSTANCE|GROUP <name> <STATE> <prio>. */
  readonly generic?: NotifyArgv;
  readonly masterRxLowerPri?: NotifyArgv;
  /** `notify_deleted [SCRIPT]`: an instance removed by a reload reports DELETED (else FAULT). */
  readonly notifyDeleted?: boolean;
  readonly deleted?: NotifyArgv;
  readonly priorityChanges: boolean;
}

export interface InstanceSettings {
  readonly name: string;
  readonly vrid: number;
  readonly family: 'inet' | 'inet6';
  readonly version: 2 | 3;
  /** Configured priority (keepalived's base_priority). 255 = address owner. */
  readonly priority: number;
  /** Initial wanted state (MASTER for the owner when not written). */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** adver_int, µs (v2: whole seconds; v3: centiseconds). */
  readonly advertInt: number;
  readonly nopreempt: boolean;
  /** µs; 0 = none. */
  readonly preemptDelay: number;
  readonly downTimerAdverts: number;
  readonly strictMode: boolean;
  readonly accept: boolean;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  /** GARP/NA schedule. */
  readonly garpMasterRepeat: number;
  /** µs; 0 = no second burst. */
  readonly garpMasterDelay: number;
  /** µs; 0 = no refresh. */
  readonly garpMasterRefresh: number;
  readonly garpMasterRefreshRepeat: number;
  readonly garpLowerPrioRepeat: number;
  /** µs. */
  readonly garpLowerPrioDelay: number;
  /** mcast_src_ip / unicast_src_ip, if configured (else the interface's primary address, given at start). */
  readonly sourceAddress?: string;
  readonly unicastPeers: readonly string[];
  readonly interface?: string;
  /** Advertised VIPs (the addresses only) and the full entries for the driver. */
  readonly vips: readonly IpAddressEntry[];
  readonly evips: readonly IpAddressEntry[];
  readonly virtualRoutes: readonly IpRouteEntry[];
  readonly virtualRules: readonly IpRuleEntry[];
  readonly trackers: readonly TrackerSettings[];
  readonly notify: NotifySettings;
  /** Problems that keep the instance in FAULT forever (keepalived's num_config_faults). */
  readonly configFaults: number;
  /** Global vrrp_startup_delay, µs. */
  readonly startupDelay: number;
  readonly syncGroup?: string;
  /** Reload matching (vrrp_exist): use_vmac, use_vmac_addr, the multicast group (resolved). */
  readonly useVmac?: boolean;
  readonly vmacAddr?: boolean;
  readonly mcastGroup?: string;
  /**
   * keepalived-ts extension (a witness is configured): MASTER only while the director holds a
   * majority of its group's votes ('majority' events); absent/false: keepalived's behaviour.
   */
  readonly majorityRequired?: boolean;
}

export interface SyncGroupSettings {
  readonly name: string;
  readonly members: readonly string[];
  readonly notify: NotifySettings;
}

const argv = (s: ScriptSpec | undefined): NotifyArgv | undefined => (s ? [...s.argv] : undefined);

/**
 * Derive the core's settings. `scripts` resolves `init_fail`; `syncGroup` adds the group's
 * trackers to every member (keepalived tracks group trackers per member instance).
 */
export function deriveInstanceSettings(
  inst: VrrpInstance,
  global: GlobalConfig,
  opts: { scripts?: readonly VrrpScript[]; syncGroup?: VrrpSyncGroup } = {},
): InstanceSettings {
  const priority = inst.priority ?? (inst.state === 'MASTER' ? 255 : 100);
  const version = inst.version ?? global.vrrpVersion;
  const strict = inst.strictMode ?? global.vrrpStrict;
  const trackers: TrackerSettings[] = [];
  const scriptInitFail = (name: string) => opts.scripts?.find((s) => s.name === name)?.initFail ?? false;
  const addTrackers = (src: {
    trackInterfaces: VrrpInstance['trackInterfaces'];
    trackScripts: VrrpInstance['trackScripts'];
    trackFiles: VrrpInstance['trackFiles'];
    trackProcesses: VrrpInstance['trackProcesses'];
    trackBfds: VrrpInstance['trackBfds'];
  }) => {
    for (const t of src.trackInterfaces) trackers.push({ kind: 'interface', name: t.name, weight: t.weight, reverse: t.reverse });
    for (const t of src.trackScripts)
      trackers.push({ kind: 'script', name: t.name, weight: t.weight, reverse: t.reverse, initFail: scriptInitFail(t.name) });
    for (const t of src.trackFiles) trackers.push({ kind: 'file', name: t.name, weight: t.weight, reverse: t.reverse });
    for (const t of src.trackProcesses) trackers.push({ kind: 'process', name: t.name, weight: t.weight, reverse: t.reverse });
    for (const t of src.trackBfds) trackers.push({ kind: 'bfd', name: t.name, weight: t.weight, reverse: t.reverse });
  };
  // The instance's own interface is tracked unweighted unless dont_track_primary.
  if (inst.interface && !inst.dontTrackPrimary && !inst.trackInterfaces.some((t) => t.name === inst.interface))
    trackers.push({ kind: 'interface', name: inst.interface, weight: 0, reverse: false });
  addTrackers(inst);
  if (opts.syncGroup) addTrackers(opts.syncGroup);

  const advertInt = inst.advertInt ?? 1_000_000;
  return Object.freeze({
    name: inst.name,
    vrid: inst.vrid ?? 0,
    family: inst.family ?? 'inet',
    version,
    priority,
    initialState: inst.state ?? (priority === 255 ? 'MASTER' : 'BACKUP'),
    advertInt,
    nopreempt: inst.nopreempt,
    preemptDelay: inst.preemptDelay,
    downTimerAdverts: inst.downTimerAdverts,
    strictMode: strict,
    accept: inst.accept ?? (priority === 255 ? true : !strict),
    lowerPrioNoAdvert: inst.lowerPrioNoAdvert ?? (strict || global.vrrpLowerPrioNoAdvert),
    higherPrioSendAdvert: inst.higherPrioSendAdvert ?? (!strict && global.vrrpHigherPrioSendAdvert),
    garpMasterRepeat: inst.garpMasterRepeat,
    garpMasterDelay: inst.garpMasterDelay,
    garpMasterRefresh: inst.garpMasterRefresh * 1_000_000,
    garpMasterRefreshRepeat: inst.garpMasterRefreshRepeat,
    garpLowerPrioRepeat: inst.garpLowerPrioRepeat ?? (strict ? 0 : global.vrrpGarpLowerPrioRepeat ?? global.vrrpGarpMasterRepeat),
    garpLowerPrioDelay: inst.garpLowerPrioDelay ?? (strict ? 0 : global.vrrpGarpLowerPrioDelay ?? global.vrrpGarpMasterDelay),
    ...(inst.srcIp ? { sourceAddress: inst.srcIp.address } : {}),
    unicastPeers: inst.unicastPeers.map((p) => p.address),
    ...(inst.interface !== undefined ? { interface: inst.interface } : {}),
    vips: inst.vips,
    evips: inst.evips,
    virtualRoutes: inst.virtualRoutes,
    virtualRules: inst.virtualRules,
    trackers,
    notify: notifySettings(inst, inst.notifyPriorityChanges ?? global.vrrpNotifyPriorityChanges),
    configFaults: inst.configFaults,
    startupDelay: global.vrrpStartupDelay,
    ...(inst.syncGroup !== undefined ? { syncGroup: inst.syncGroup } : {}),
    ...(inst.useVmac ? { useVmac: true } : {}),
    ...(inst.useVmacAddr ? { vmacAddr: true } : {}),
    mcastGroup: inst.mcastDstIp?.address ?? ((inst.family ?? 'inet') === 'inet' ? global.vrrpMcastGroup4 : global.vrrpMcastGroup6),
    ...(global.witness ? { majorityRequired: true } : {}),
  });
}

function notifySettings(
  src: Pick<VrrpInstance, 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop' | 'notify'> & {
    notifyMasterRxLowerPri?: ScriptSpec;
    notifyDeleted?: boolean;
    notifyDeletedScript?: ScriptSpec;
  },
  priorityChanges: boolean,
): NotifySettings {
  const out: { -readonly [K in keyof NotifySettings]: NotifySettings[K] } = { priorityChanges };
  const m = argv(src.notifyMaster), b = argv(src.notifyBackup), f = argv(src.notifyFault), s = argv(src.notifyStop);
  const g = argv(src.notify), r = argv(src.notifyMasterRxLowerPri);
  if (m) out.master = m;
  if (b) out.backup = b;
  if (f) out.fault = f;
  if (s) out.stop = s;
  if (g) out.generic = g;
  if (r) out.masterRxLowerPri = r;
  if (src.notifyDeleted) out.notifyDeleted = true;
  const d = argv(src.notifyDeletedScript);
  if (d) out.deleted = d;
  return Object.freeze(out);
}

export function deriveSyncGroupSettings(group: VrrpSyncGroup, global: GlobalConfig): SyncGroupSettings {
  return Object.freeze({
    name: group.name,
    members: [...group.members],
    notify: notifySettings(group, group.notifyPriorityChanges ?? global.vrrpNotifyPriorityChanges),
  });
}

/** Settings with keepalived's defaults, for tests and the simulator. */
export function makeInstanceSettings(p: Partial<InstanceSettings> & { name: string }): InstanceSettings {
  const priority = p.priority ?? 100;
  const strict = p.strictMode ?? false;
  return Object.freeze({
    vrid: 51,
    family: 'inet' as const,
    version: 2 as const,
    initialState: priority === 255 ? ('MASTER' as const) : ('BACKUP' as const),
    advertInt: 1_000_000,
    nopreempt: false,
    preemptDelay: 0,
    downTimerAdverts: 3,
    strictMode: strict,
    accept: !strict,
    lowerPrioNoAdvert: strict,
    higherPrioSendAdvert: false,
    garpMasterRepeat: 5,
    garpMasterDelay: 5_000_000,
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    garpLowerPrioRepeat: strict ? 0 : 5,
    garpLowerPrioDelay: strict ? 0 : 5_000_000,
    unicastPeers: [],
    vips: [],
    evips: [],
    virtualRoutes: [],
    virtualRules: [],
    trackers: [],
    notify: { priorityChanges: false },
    configFaults: 0,
    startupDelay: 0,
    ...p,
    priority,
  });
}

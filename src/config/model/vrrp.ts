/**
 * VRRP side of the model: everything keepalived's init_vrrp_keywords() installs
 * (keepalived/vrrp/vrrp_parser.c), with the defaults keepalived's alloc_* functions set
 * (vrrp_data.c). Fields marked "resolved in validation" hold keepalived's derived value after
 * validateVrrp() (vrrp.c vrrp_complete_instance); before that they hold what was configured.
 * Times are in microseconds unless the name says otherwise.
 */
import type { SourcePosition } from '../diagnostics.js';
import type { ScriptSpec } from './script.js';
import type { Family, RoutePrefix } from '../entries/inet.js';

export type { Family, RoutePrefix } from '../entries/inet.js';

/** One line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress. */
export interface IpAddressEntry {
  readonly at: SourcePosition;
  family: Family;
  address: string;
  prefixLen: number;
  /** `dev IF`; for VIPs without dev, validation sets the instance's interface. */
  dev?: string;
  /** Broadcast address (IPv4), from `brd ADDR` or computed for `brd +` / `brd -`. */
  broadcast?: string;
  /** Scope number (0 global, 200 site, 253 link, 254 host, 255 nowhere). */
  scope: number;
  label?: string;
  /** `peer ADDR`: the prefix length then comes from the peer. */
  peer?: string;
  home: boolean;
  nodad: boolean;
  mngtmpaddr: boolean;
  noprefixroute: boolean;
  autojoin: boolean;
  /** `no_track`. */
  noTrack: boolean;
  /** Seconds; 0xffffffff = forever. IPv6 default: 0 for /128, forever otherwise. */
  preferredLft?: number;
  /** `use_vmac` (VIPs only). */
  useVmac: boolean;
  /** `track_group NAME` (static addresses only). */
  trackGroup?: string;
}

export interface NextHop {
  via?: { family: Family; address: string };
  dev?: string;
  /** 1..256 as written. */
  weight?: number;
  onlink: boolean;
  realms?: number;
  encap?: RouteEncap;
}

export interface RouteEncap {
  type: 'ip' | 'ip6' | 'mpls' | 'ila';
  id?: bigint;
  dst?: string;
  src?: string;
  tos?: number;
  ttl?: number;
  flags?: number;
  labels?: number[];
  locator?: string;
}

/** One line of virtual_routes / static_routes (`ip route` syntax). */
export interface IpRouteEntry {
  readonly at: SourcePosition;
  family: Family;
  /** Route type name/number (unicast unless given: blackhole, unreachable, prohibit, throw, …). */
  type: number;
  dst: RoutePrefix;
  /** `from` (IPv6 source-specific routing). */
  src?: RoutePrefix;
  /** `src` preferred source. */
  prefSrc?: { family: Family; address: string };
  via?: { family: Family; address: string };
  dev?: string;
  table: number;
  scope?: number;
  metric?: number;
  protocol?: number;
  tos?: number;
  onlink: boolean;
  encap?: RouteEncap;
  expires?: number;
  mtu?: number;
  hoplimit?: number;
  advmss?: number;
  rtt?: number;
  rttvar?: number;
  reordering?: number;
  window?: number;
  cwnd?: number;
  ssthresh?: number;
  realms?: number;
  rtoMin?: number;
  initcwnd?: number;
  initrwnd?: number;
  featuresEcn: boolean;
  quickack?: number;
  congctl?: string;
  pref?: number;
  ttlPropagate?: boolean;
  fastopenNoCookie?: boolean;
  /** Names of metrics written with `lock`. */
  locked: string[];
  /** add / append / prepend (default prepend: keepalived's traditional behaviour). */
  mode: 'add' | 'append' | 'prepend';
  /** `vrf NAME`: the route goes in that VRF's table. */
  vrf?: string;
  nexthops: NextHop[];
  noTrack: boolean;
  trackGroup?: string;
}

/** One line of virtual_rules / static_rules (`ip rule` syntax). */
export interface IpRuleEntry {
  readonly at: SourcePosition;
  family: Family;
  from?: RoutePrefix;
  to?: RoutePrefix;
  not: boolean;
  action: 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';
  table?: number;
  gotoTarget?: number;
  /** Resolved: keepalived gives rules without one 16384, 16383, … (per family). */
  priority: number;
  priorityDefaulted: boolean;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  realms?: number;
  suppressPrefixLength?: number;
  suppressIfgroup?: number;
  iif?: string;
  oif?: string;
  tunnelId?: bigint;
  uidRange?: { start: number; end: number };
  l3mdev: boolean;
  protocol?: number;
  ipProto?: number;
  sport?: { start: number; end: number };
  dport?: { start: number; end: number };
  noTrack: boolean;
  trackGroup?: string;
}

export interface TrackedInterface {
  readonly at: SourcePosition;
  name: string;
  weight: number;
  reverse: boolean;
}

export interface TrackedRef {
  readonly at: SourcePosition;
  name: string;
  weight: number;
  reverse: boolean;
}

export interface VrrpScript {
  readonly at: SourcePosition;
  name: string;
  script?: ScriptSpec;
  /** µs; default 1 s. */
  interval: number;
  /** µs; 0 = the interval. */
  timeout: number;
  /** -253..253, default 0. */
  weight: number;
  reverse: boolean;
  rise: number;
  fall: number;
  /** `user USER [GROUP]`. */
  user?: string;
  group?: string;
  initFail: boolean;
  /** Set by validation when script security disables the script. */
  insecure?: boolean;
}

export interface VrrpTrackProcess {
  readonly at: SourcePosition;
  name: string;
  process?: string;
  params?: string[];
  paramMatch: 'none' | 'exact' | 'initial' | 'partial';
  weight: number;
  reverse: boolean;
  quorum: number;
  /** 0xffffffff when unset. */
  quorumMax: number;
  /** µs. */
  terminateDelay: number;
  forkDelay: number;
  fullCommand: boolean;
}

export interface VrrpSyncGroup {
  readonly at: SourcePosition;
  name: string;
  /** The `group { }` members as written (undefined: no group block). */
  group?: string[];
  /** Resolved in validation: members that exist. */
  members: string[];
  trackInterfaces: TrackedInterface[];
  trackScripts: TrackedRef[];
  trackFiles: TrackedRef[];
  trackProcesses: TrackedRef[];
  trackBfds: TrackedRef[];
  notifyBackup?: ScriptSpec;
  notifyMaster?: ScriptSpec;
  notifyFault?: ScriptSpec;
  notifyStop?: ScriptSpec;
  notify?: ScriptSpec;
  smtpAlert?: boolean;
  /** `sync_group_tracking_weight` (or deprecated `global_tracking`). */
  trackingWeight: boolean;
  notifyPriorityChanges?: boolean;
}

export interface GarpGroup {
  readonly at: SourcePosition;
  /** µs. */
  garpInterval?: number;
  gnaInterval?: number;
  interfaces: string[];
  /** Set for groups using `interfaces { }`: 1, 2, … */
  aggregationGroup: number;
}

export interface TrackGroup {
  readonly at: SourcePosition;
  name: string;
  group?: string[];
}

export interface LinkbeatInterface {
  readonly at: SourcePosition;
  name: string;
  type?: 'MII' | 'ETHTOOL' | 'IOCTL';
}

export interface InterfaceUpDownDelay {
  readonly at: SourcePosition;
  name: string;
  /** µs. */
  downDelay: number;
  upDelay: number;
}

/**
 * keepalived-ts extension `heartbeat_paths { IFNAME [PEER …] … }`: one more path for the adverts —
 * multicast on IFNAME (no peers) or unicast to PEERs through IFNAME. Adverts go out on every path
 * and one arriving on any path counts.
 */
export interface HeartbeatPath {
  readonly at: SourcePosition;
  readonly interface: string;
  readonly peers: readonly string[];
}

export interface UnicastPeer {
  readonly at: SourcePosition;
  family: Family;
  address: string;
  minTtl: number;
  maxTtl: number;
}

export interface VmacSettings {
  /** Interface name (default vrrp.VRID, resolved in validation). */
  ifname?: string;
  /** MAC written by the user (6 octets, or 5 then VRID). */
  mac?: string;
}

export interface IpvlanSettings {
  ifname?: string;
  address?: { family: Family; address: string; prefixLen: number };
  mode?: 'bridge' | 'private' | 'vepa';
}

export type VrrpState = 'MASTER' | 'BACKUP';

export interface VrrpInstance {
  readonly at: SourcePosition;
  name: string;
  /** `state` (resolved in validation: MASTER for priority 255, else BACKUP). */
  state?: VrrpState;
  interface?: string;
  vrf?: string;
  /** Family from the first VIP / src / peer (resolved: IPv4 when nothing says otherwise). */
  family?: Family;
  /** 2 or 3 (resolved from global vrrp_version / IPv6). */
  version?: 2 | 3;
  vrid?: number;
  /** 1..255 (resolved: 255 for MASTER without priority, else 100). */
  priority?: number;
  /** µs (resolved: 1 s default, v2 rounded to seconds, v3 to centiseconds). */
  advertInt?: number;
  useVmac?: VmacSettings;
  useVmacAddr: boolean;
  vmacXmitBase: boolean;
  useIpvlan?: IpvlanSettings;
  unicastPeers: UnicastPeer[];
  heartbeatPaths: HeartbeatPath[];
  /** Any unicast keyword written (unicast_peer, unicast_src_ip, …). */
  unicastConfigured: boolean;
  unicastFaultNoPeer: boolean;
  checkUnicastSrc: boolean;
  /** Resolved: true when unicast peers are configured. */
  unicast?: boolean;
  oldUnicastChecksum?: 'config' | 'never';
  nativeIpv6: boolean;
  dontTrackPrimary: boolean;
  trackInterfaces: TrackedInterface[];
  trackScripts: TrackedRef[];
  trackFiles: TrackedRef[];
  trackProcesses: TrackedRef[];
  trackBfds: TrackedRef[];
  /** mcast_src_ip / unicast_src_ip. */
  srcIp?: { family: Family; address: string };
  mcastDstIp?: { family: Family; address: string };
  trackSrcIp: boolean;
  /** unicast_ttl (resolved: 255 for IPv4 when unset). */
  unicastTtl?: number;
  vips: IpAddressEntry[];
  evips: IpAddressEntry[];
  promoteSecondaries: boolean;
  linkbeatUsePolling: boolean;
  virtualRoutes: IpRouteEntry[];
  virtualRules: IpRuleEntry[];
  /** accept / no_accept (resolved: true unless strict, or owner). */
  accept?: boolean;
  skipCheckAdvAddr: boolean;
  /** resolved from global vrrp_strict. */
  strictMode?: boolean;
  nopreempt: boolean;
  /** µs. */
  preemptDelay: number;
  debug?: number;
  notifyBackup?: ScriptSpec;
  notifyMaster?: ScriptSpec;
  notifyFault?: ScriptSpec;
  notifyStop?: ScriptSpec;
  notifyDeleted: boolean;
  notifyDeletedScript?: ScriptSpec;
  notify?: ScriptSpec;
  notifyMasterRxLowerPri?: ScriptSpec;
  smtpAlert?: boolean;
  notifyPriorityChanges?: boolean;
  /** Deprecated per-instance lvs_sync_daemon_interface (keepalived moves it to global lvs_syncd). */
  lvsSyncDaemonInterface?: string;
  /** µs. */
  garpMasterDelay: number;
  /** seconds. */
  garpMasterRefresh: number;
  garpMasterRepeat: number;
  garpMasterRefreshRepeat: number;
  /** µs (resolved: global / 0 in strict mode). */
  garpLowerPrioDelay?: number;
  garpLowerPrioRepeat?: number;
  downTimerAdverts: number;
  /** garp_extra_if (seconds) and its `all` flag. */
  garpExtraIf?: { interval: number; all: boolean };
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  kernelRxBufSize?: number;
  authType?: 'PASS' | 'AH';
  /** The 8 bytes keepalived puts on the wire: auth_pass truncated to 8 bytes, zero padded. */
  authPass?: Uint8Array;
  /** Name of the sync group (resolved in validation). */
  syncGroup?: string;
  /** Resolved: problems that keep the instance in FAULT (keepalived's num_config_faults). */
  configFaults: number;
}

export interface VrrpConfig {
  instances: VrrpInstance[];
  scripts: VrrpScript[];
  trackProcesses: VrrpTrackProcess[];
  syncGroups: VrrpSyncGroup[];
  garpGroups: GarpGroup[];
  trackGroups: TrackGroup[];
  staticAddresses: IpAddressEntry[];
  staticRoutes: IpRouteEntry[];
  staticRules: IpRuleEntry[];
  linkbeatInterfaces: LinkbeatInterface[];
  interfaceUpDownDelays: InterfaceUpDownDelay[];
  /** Any vrrp_instance / static_* block seen (keepalived's have_vrrp_config). */
  haveVrrpConfig: boolean;
  /** Interfaces referenced that do not exist (keepalived then refuses the VRRP config). */
  missingInterfaces: string[];
}

export function emptyVrrpConfig(): VrrpConfig {
  return {
    instances: [],
    scripts: [],
    trackProcesses: [],
    syncGroups: [],
    garpGroups: [],
    trackGroups: [],
    staticAddresses: [],
    staticRoutes: [],
    staticRules: [],
    linkbeatInterfaces: [],
    interfaceUpDownDelays: [],
    haveVrrpConfig: false,
    missingInterfaces: [],
  };
}

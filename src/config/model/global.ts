/**
 * global_defs and the root-level global keywords (keepalived/core/global_parser.c, data_t in
 * keepalived/include/global_data.h). Times are in microseconds unless the name says otherwise.
 * Defaults are keepalived's alloc_global_data(); init_global_data() defaults (router_id,
 * notification_email_from, smtp_helo_name, reload_file) are resolved by validation.
 */
import type { WitnessConfig } from './witness.js';
import type { SourcePosition } from '../diagnostics.js';
import type { ScriptSpec } from './script.js';
import type { TrackFile } from './trackers.js';

export type { TrackFile } from './trackers.js';

/** vrrp_/checker_/bfd_ process tuning (priority, no_swap, rt_priority, cpu_affinity, rlimit_rttime). */
export interface ProcessTuning {
  /** `*_priority`: nice value -20..19; 0 = unchanged. */
  priority: number;
  noSwap: boolean;
  /** `*_rt_priority`: SCHED_RR priority; undefined = not real-time. */
  rtPriority: number | undefined;
  /** `*_cpu_affinity`: CPU ids; undefined = not set. */
  cpuAffinity: number[] | undefined;
  /** `*_rlimit_rttime` in µs, default 10000. */
  rlimitRttime: number;
}

export interface NotifyFifo {
  name: string | undefined;
  /** `user [group]` after the fifo name, or the default script user (uid/gid resolved at parse). */
  user: string | undefined;
  group: string | undefined;
  uid: number | undefined;
  gid: number | undefined;
  script: ScriptSpec | undefined;
}

export interface SmtpServer {
  /** As written: an IP address or a host name. */
  readonly host: string;
  readonly port: string;
  readonly isAddress: boolean;
}

export interface LvsSyncDaemon {
  interface: string;
  vrrpInstance: string | undefined;
  /** 0..255; undefined = use the VRRP instance's virtual_router_id. */
  syncId: number | undefined;
  maxlen: number | undefined;
  port: number | undefined;
  ttl: number | undefined;
  group: string | undefined;
  readonly at: SourcePosition;
}

export interface GlobalConfig {
  /** router_id; after validation defaults to the host name (init_global_data). */
  routerId: string | undefined;
  /** keepalived-ts extension: the split-brain witness (global_defs `witness` …); undefined: none. */
  witness: WitnessConfig | undefined;
  /** The host's name (keepalived's local_name). */
  hostname: string;

  /* ---- root-level keywords ---- */
  linkbeatUsePolling: boolean;
  netNamespace: string | undefined;
  /** "" means the default namespace (keyword given without a name). */
  netNamespaceIpvs: string | undefined;
  namespaceWithIpsets: boolean;
  usePidDir: boolean;
  instanceName: string | undefined;
  /** child_wait_time in seconds; undefined = keepalived's default (5). */
  childWaitTime: number | undefined;

  /* ---- process names ---- */
  processName: string | undefined;
  vrrpProcessName: string | undefined;
  checkerProcessName: string | undefined;
  bfdProcessName: string | undefined;

  /* ---- email / smtp ---- */
  notificationEmailFrom: string | undefined;
  smtpServer: SmtpServer | undefined;
  smtpHeloName: string | undefined;
  /** µs; 0 = unset (30 s once an smtp_server is configured). */
  smtpConnectTimeout: number;
  notificationEmail: string[];
  /** undefined = not specified (keepalived's -1). */
  smtpAlert: boolean | undefined;
  smtpAlertVrrp: boolean | undefined;
  smtpAlertChecker: boolean | undefined;
  checkerLogAllFailures: boolean;
  noEmailFaults: boolean;
  noCheckerEmails: boolean;

  /* ---- parent scripts ---- */
  startupScript: ScriptSpec | undefined;
  /** seconds; 0 = unset (10 once a script is configured). */
  startupScriptTimeout: number;
  shutdownScript: ScriptSpec | undefined;
  shutdownScriptTimeout: number;

  /* ---- scheduling ---- */
  /** max_auto_priority: 0 = off, -1 = disabled. */
  maxAutoPriority: number;
  /** µs, default 1 s. */
  minAutoPriorityDelay: number;
  vrrpProcess: ProcessTuning;
  checkerProcess: ProcessTuning;
  bfdProcess: ProcessTuning;

  /* ---- vrrp ---- */
  dynamicInterfaces: boolean;
  allowIfChanges: boolean;
  defaultInterface: string | undefined;
  disableLocalIgmp: boolean;
  vrrpMcastGroup4: string;
  vrrpMcastGroup6: string;
  /** µs, default 5 s. */
  vrrpGarpMasterDelay: number;
  vrrpGarpMasterRepeat: number;
  /** seconds, 0 = no refresh. */
  vrrpGarpMasterRefresh: number;
  vrrpGarpMasterRefreshRepeat: number;
  /** µs; undefined = unset (keepalived's PARAMETER_UNSET). */
  vrrpGarpLowerPrioDelay: number | undefined;
  vrrpGarpLowerPrioRepeat: number | undefined;
  vrrpDownTimerAdverts: number;
  /** µs between gratuitous ARPs / NAs; 0 = none. */
  vrrpGarpInterval: number;
  vrrpGnaInterval: number;
  /** vrrp_garp_extra_if: seconds (0 = off), and `all`. */
  vrrpGarpExtraIf: number;
  vrrpGarpExtraIfAll: boolean;
  vrrpLowerPrioNoAdvert: boolean;
  vrrpHigherPrioSendAdvert: boolean;
  vrrpVersion: 2 | 3;
  vrrpCheckUnicastSrc: boolean;
  vrrpSkipCheckAdvAddr: boolean;
  vrrpStrict: boolean;
  vrrpNotifyPriorityChanges: boolean;
  fifoWriteVrrpStatesOnReload: boolean;
  vrrpRxBufsPolicy: { mtu: boolean; advert: boolean; size: number | undefined };
  vrrpRxBufsMultiplier: number;
  /** µs; 0 = none. */
  vrrpStartupDelay: number;
  logUnknownVrids: boolean;
  vmacPrefix: string | undefined;
  vmacAddrPrefix: string | undefined;

  /* ---- firewall (this build: nftables; vrrp_iptables maps to nftables) ---- */
  nftables: string | undefined;
  /** -1 = default priority. */
  nftablesPriority: number;
  nftablesIfindex: boolean;
  nftablesIpvs: string | undefined;
  nftablesIpvsPriority: number;
  nftablesIpvsStartFwmark: number | undefined;
  nftablesCounters: boolean;

  /* ---- lvs ---- */
  lvsTimeouts: { tcp: number | undefined; tcpFin: number | undefined; udp: number | undefined };
  lvsFlush: boolean;
  lvsFlushOnStop: 'none' | 'full' | 'vs';
  lvsSyncDaemon: LvsSyncDaemon | undefined;
  rsInitNotifies: boolean;

  /* ---- keepalived-ts extensions (keepalived does not know these keywords) ---- */
  /** `vip_conflict_probe_interval`: µs between a MASTER's probes of its VIPs; 0 = no conflict detection. */
  vipConflictProbeInterval: number;

  /* ---- fifos ---- */
  notifyFifo: NotifyFifo;
  vrrpNotifyFifo: NotifyFifo;
  lvsNotifyFifo: NotifyFifo;

  /* ---- snmp / dbus ---- */
  snmpSocket: string | undefined;
  enableTraps: boolean;
  enableSnmpVrrp: boolean;
  enableSnmpRfcv2: boolean;
  enableSnmpRfcv3: boolean;
  enableSnmpChecker: boolean;
  enableDbus: boolean;
  dbusServiceName: string | undefined;

  /* ---- scripts ---- */
  /** script_user USER [GROUP], as written. */
  scriptUser: { user: string; group: string | undefined } | undefined;
  enableScriptSecurity: boolean;

  /* ---- netlink buffers (0 = default) ---- */
  vrrpNetlinkCmdRcvBufs: number;
  vrrpNetlinkCmdRcvBufsForce: boolean;
  vrrpNetlinkMonitorRcvBufs: number;
  vrrpNetlinkMonitorRcvBufsForce: boolean;
  processMonitorRcvBufs: number;
  processMonitorRcvBufsForce: boolean;
  lvsNetlinkCmdRcvBufs: number;
  lvsNetlinkCmdRcvBufsForce: boolean;
  lvsNetlinkMonitorRcvBufs: number;
  lvsNetlinkMonitorRcvBufsForce: boolean;

  /* ---- misc ---- */
  umask: number | undefined;
  randomSeed: number | undefined;
  reloadCheckConfig: string | undefined;
  reloadTimeFile: string | undefined;
  reloadRepeat: boolean;
  /** `reload_file` without a name means the default one, resolved by validation. */
  reloadFile: string | 'default' | undefined;
  /** include_check flag bits as last set (readable=1, match=2, wildcard_match=4, brace_match=8). */
  includeCheck: number | undefined;
  configSaveDir: string | undefined;
  tmpConfigDirectory: string | undefined;
  dataUseInstance: boolean;

  /** track_file / vrrp_track_file blocks. */
  trackFiles: TrackFile[];
}

export function defaultProcessTuning(): ProcessTuning {
  return { priority: 0, noSwap: false, rtPriority: undefined, cpuAffinity: undefined, rlimitRttime: 10000 };
}

function emptyFifo(): NotifyFifo {
  return { name: undefined, user: undefined, group: undefined, uid: undefined, gid: undefined, script: undefined };
}

export function emptyGlobalConfig(hostname: string): GlobalConfig {
  return {
    routerId: undefined,
    witness: undefined,
    hostname,
    linkbeatUsePolling: false,
    netNamespace: undefined,
    netNamespaceIpvs: undefined,
    namespaceWithIpsets: false,
    usePidDir: false,
    instanceName: undefined,
    childWaitTime: undefined,
    processName: undefined,
    vrrpProcessName: undefined,
    checkerProcessName: undefined,
    bfdProcessName: undefined,
    notificationEmailFrom: undefined,
    smtpServer: undefined,
    smtpHeloName: undefined,
    smtpConnectTimeout: 0,
    notificationEmail: [],
    smtpAlert: undefined,
    smtpAlertVrrp: undefined,
    smtpAlertChecker: undefined,
    checkerLogAllFailures: false,
    noEmailFaults: false,
    noCheckerEmails: false,
    startupScript: undefined,
    startupScriptTimeout: 0,
    shutdownScript: undefined,
    shutdownScriptTimeout: 0,
    maxAutoPriority: 0,
    minAutoPriorityDelay: 1_000_000,
    vrrpProcess: defaultProcessTuning(),
    checkerProcess: defaultProcessTuning(),
    bfdProcess: defaultProcessTuning(),
    dynamicInterfaces: false,
    allowIfChanges: false,
    defaultInterface: undefined,
    disableLocalIgmp: false,
    vrrpMcastGroup4: '224.0.0.18',
    vrrpMcastGroup6: 'ff02::12',
    vrrpGarpMasterDelay: 5_000_000,
    vrrpGarpMasterRepeat: 5,
    vrrpGarpMasterRefresh: 0,
    vrrpGarpMasterRefreshRepeat: 1,
    vrrpGarpLowerPrioDelay: undefined,
    vrrpGarpLowerPrioRepeat: undefined,
    vrrpDownTimerAdverts: 3,
    vrrpGarpInterval: 0,
    vrrpGnaInterval: 0,
    vrrpGarpExtraIf: 0,
    vrrpGarpExtraIfAll: false,
    vrrpLowerPrioNoAdvert: false,
    vrrpHigherPrioSendAdvert: false,
    vrrpVersion: 2,
    vrrpCheckUnicastSrc: false,
    vrrpSkipCheckAdvAddr: false,
    vrrpStrict: false,
    vrrpNotifyPriorityChanges: false,
    fifoWriteVrrpStatesOnReload: false,
    vrrpRxBufsPolicy: { mtu: false, advert: false, size: undefined },
    vrrpRxBufsMultiplier: 3,
    vrrpStartupDelay: 0,
    logUnknownVrids: false,
    vmacPrefix: undefined,
    vmacAddrPrefix: undefined,
    nftables: undefined,
    nftablesPriority: -1,
    nftablesIfindex: false,
    nftablesIpvs: undefined,
    nftablesIpvsPriority: -1,
    nftablesIpvsStartFwmark: undefined,
    nftablesCounters: false,
    lvsTimeouts: { tcp: undefined, tcpFin: undefined, udp: undefined },
    lvsFlush: false,
    lvsFlushOnStop: 'none',
    lvsSyncDaemon: undefined,
    rsInitNotifies: false,
    vipConflictProbeInterval: 2_000_000,
    notifyFifo: emptyFifo(),
    vrrpNotifyFifo: emptyFifo(),
    lvsNotifyFifo: emptyFifo(),
    snmpSocket: undefined,
    enableTraps: false,
    enableSnmpVrrp: false,
    enableSnmpRfcv2: false,
    enableSnmpRfcv3: false,
    enableSnmpChecker: false,
    enableDbus: false,
    dbusServiceName: undefined,
    scriptUser: undefined,
    enableScriptSecurity: false,
    vrrpNetlinkCmdRcvBufs: 0,
    vrrpNetlinkCmdRcvBufsForce: false,
    vrrpNetlinkMonitorRcvBufs: 0,
    vrrpNetlinkMonitorRcvBufsForce: false,
    processMonitorRcvBufs: 0,
    processMonitorRcvBufsForce: false,
    lvsNetlinkCmdRcvBufs: 0,
    lvsNetlinkCmdRcvBufsForce: false,
    lvsNetlinkMonitorRcvBufs: 0,
    lvsNetlinkMonitorRcvBufsForce: false,
    umask: undefined,
    randomSeed: undefined,
    reloadCheckConfig: undefined,
    reloadTimeFile: undefined,
    reloadRepeat: false,
    reloadFile: undefined,
    includeCheck: undefined,
    configSaveDir: undefined,
    tmpConfigDirectory: undefined,
    dataUseInstance: false,
    trackFiles: [],
  };
}

/**
 * The "Global definitions" section of keepalived.data (SIGUSR1), in the shape and wording of
 * keepalived 2.2.7's dump_global_data() for a VRRP process of a build with VRRP, LVS, BFD,
 * nftables, SNMP and DBus (Debian's). keepalived calls the file "not a stable format"; lines about
 * keepalived's own build (libnftnl version) and process (current realtime limits) are left out.
 */
import type { GlobalConfig, NotifyFifo, ProcessTuning } from '../config/model/global.js';
import type { ScriptSpec } from '../config/model/script.js';
import { formatF, formatG } from './c-format.js';
import { scriptCommandText } from './script-text.js';

export interface GlobalDumpContext {
  /** The umask in force (-u / global umask); keepalived's default 0177. */
  readonly umask?: number;
  /** uid:gid scripts run as when they name no user (keepalived_script, else root); omitted when unknown. */
  readonly defaultScriptIds?: { readonly uid: number; readonly gid: number };
  /** VRID of each VRRP instance, to resolve lvs_sync_daemon's default syncid. */
  readonly instanceVrid?: (name: string) => number | undefined;
}

const DEFAULT_INTERFACE = 'eth0';
const DEFAULT_RELOAD_FILE = '/run/keepalived.reload';
const DEFAULT_SMTP_CONNECT_TIMEOUT_S = 30;
const DEFAULT_UMASK = 0o177;
const DEFAULT_SNMP_SOCKET = 'default (unix:/var/agentx/master)';

const onOffUnset = (v: boolean | undefined) => (v === undefined ? 'unset' : v ? 'on' : 'off');
const tf = (v: boolean) => (v ? 'true' : 'false');
const ids = (s: { uid?: number; gid?: number }) => `${s.uid ?? 0}:${s.gid ?? 0}`;

function fifoLines(out: string[], label: string, f: NotifyFifo): void {
  if (!f.name) return;
  out.push(` ${label} = ${f.name}, uid:gid ${f.uid ?? 0}:${f.gid ?? 0}`);
  if (f.script) out.push(` ${label} script = ${scriptCommandText(f.script)}, uid:gid ${ids(f.script)}`);
}

function processLines(out: string[], label: string, p: ProcessTuning): void {
  out.push(` ${label} process priority = ${p.priority}`);
  out.push(` ${label} don't swap = ${tf(p.noSwap)}`);
  out.push(` ${label} realtime priority = ${p.rtPriority ?? 0}`);
  if (p.cpuAffinity?.length) out.push(` ${label} CPU Affinity = ${[...p.cpuAffinity].sort((a, b) => a - b).map((c) => `${c} `).join('')}`);
  out.push(` ${label} realtime limit = ${p.rlimitRttime}`);
}

function parentScript(out: string[], label: string, s: ScriptSpec | undefined, timeout: number, comma: boolean): void {
  if (s) out.push(` ${label} script = ${scriptCommandText(s)}, uid:gid ${ids(s)}${comma ? ',' : ''} timeout ${timeout || 10}`);
}

/** The section, one string per line (without newlines). */
export function globalDumpLines(g: GlobalConfig, ctx: GlobalDumpContext = {}): string[] {
  const out: string[] = ['------< Global definitions >------'];
  if (g.configSaveDir) out.push(` Config save dir = ${g.configSaveDir}`);
  out.push(` Network namespace = ${g.netNamespace ?? '(default)'}`);
  out.push(` Network namespace ipvs = ${g.netNamespaceIpvs === undefined ? '(main namespace)' : g.netNamespaceIpvs || '(default)'}`);
  if (g.instanceName) out.push(` Instance name = ${g.instanceName}`);
  if (g.processName) out.push(` Parent process name = ${g.processName}`);
  if (g.vrrpProcessName) out.push(` VRRP process name = ${g.vrrpProcessName}`);
  if (g.checkerProcessName) out.push(` LVS process name = ${g.checkerProcessName}`);
  if (g.bfdProcessName) out.push(` BFD process name = ${g.bfdProcessName}`);
  if (g.routerId) out.push(` Router ID = ${g.routerId}`);
  if (g.smtpServer) {
    out.push(` Smtp server = ${g.smtpServer.host}`);
    out.push(` Smtp server port = ${g.smtpServer.port}`);
  }
  if (g.smtpHeloName) out.push(` Smtp HELO name = ${g.smtpHeloName}`);
  const smtpTimeoutS = g.smtpConnectTimeout ? Math.floor(g.smtpConnectTimeout / 1e6) : g.smtpServer ? DEFAULT_SMTP_CONNECT_TIMEOUT_S : 0;
  if (smtpTimeoutS) out.push(` Smtp server connection timeout = ${smtpTimeoutS}`);
  if (g.notificationEmailFrom) {
    out.push(` Email notification from = ${g.notificationEmailFrom}`);
    out.push(' Email notification to:');
    for (const e of g.notificationEmail) out.push(`   ${e}`);
  }
  out.push(` Default smtp_alert = ${onOffUnset(g.smtpAlert)}`);
  out.push(` Default smtp_alert_vrrp = ${onOffUnset(g.smtpAlertVrrp)}`);
  out.push(` Default smtp_alert_checker = ${onOffUnset(g.smtpAlertChecker)}`);
  out.push(` Checkers log all failures = ${tf(g.checkerLogAllFailures)}`);
  out.push(g.reloadCheckConfig ? ` Test config before reload, log to ${g.reloadCheckConfig}` : ' No test config before reload');
  if (g.reloadTimeFile) {
    out.push(` Reload time file = ${g.reloadTimeFile}${g.reloadRepeat ? ' (repeat)' : ''}`);
    out.push(' No reload scheduled');
  }
  if (g.reloadFile) out.push(` Reload_file = ${g.reloadFile === 'default' ? DEFAULT_RELOAD_FILE : g.reloadFile}`);
  if (g.tmpConfigDirectory) out.push(` config save directory = ${g.tmpConfigDirectory}`);
  if (g.dataUseInstance) out.push(' Use instance name in data dumps');
  parentScript(out, 'Startup', g.startupScript, g.startupScriptTimeout, true);
  parentScript(out, 'Shutdown', g.shutdownScript, g.shutdownScriptTimeout, false);
  out.push(` Dynamic interfaces = ${tf(g.dynamicInterfaces)}`);
  if (g.dynamicInterfaces) out.push(` Allow interface changes = ${tf(g.allowIfChanges)}`);
  if (g.noEmailFaults) out.push(' Send emails for fault transitions = off');
  if (g.lvsTimeouts.tcp) out.push(` LVS TCP timeout = ${g.lvsTimeouts.tcp}`);
  if (g.lvsTimeouts.tcpFin) out.push(` LVS TCP FIN timeout = ${g.lvsTimeouts.tcpFin}`);
  // keepalived 2.2.7 labels the UDP timeout "TCP" too
  if (g.lvsTimeouts.udp) out.push(` LVS TCP timeout = ${g.lvsTimeouts.udp}`);
  out.push(` Default interface = ${g.defaultInterface ?? DEFAULT_INTERFACE}`);
  out.push(` Disable local IGMP = ${g.disableLocalIgmp ? 'yes' : 'no'}`);
  const sd = g.lvsSyncDaemon;
  if (sd) {
    if (sd.vrrpInstance) out.push(` LVS syncd vrrp instance = ${sd.vrrpInstance}`);
    out.push(` LVS syncd interface = ${sd.interface}`);
    const syncId = sd.syncId ?? (sd.vrrpInstance ? ctx.instanceVrid?.(sd.vrrpInstance) : undefined) ?? 0;
    out.push(` LVS syncd syncid = ${syncId}`);
    if (sd.maxlen) out.push(` LVS syncd maxlen = ${sd.maxlen}`);
    if (sd.group) out.push(` LVS mcast group ${sd.group}`);
    if (sd.port) out.push(` LVS syncd mcast port = ${sd.port}`);
    if (sd.ttl) out.push(` LVS syncd mcast ttl = ${sd.ttl}`);
  }
  out.push(` LVS flush = ${tf(g.lvsFlush)}`);
  out.push(` LVS flush on stop = ${g.lvsFlushOnStop === 'full' ? 'full' : g.lvsFlushOnStop === 'vs' ? 'VS' : 'disabled'}`);
  fifoLines(out, 'Global notify fifo', g.notifyFifo);
  fifoLines(out, 'VRRP notify fifo', g.vrrpNotifyFifo);
  fifoLines(out, 'LVS notify fifo', g.lvsNotifyFifo);
  out.push(` FIFO write vrrp states on reload = ${tf(g.fifoWriteVrrpStatesOnReload)}`);
  out.push(` VRRP notify priority changes = ${tf(g.vrrpNotifyPriorityChanges)}`);
  out.push(` VRRP IPv4 mcast group = ${g.vrrpMcastGroup4}`);
  out.push(` VRRP IPv6 mcast group = ${g.vrrpMcastGroup6}`);
  out.push(` Gratuitous ARP delay = ${Math.floor(g.vrrpGarpMasterDelay / 1e6)}`);
  out.push(` Gratuitous ARP repeat = ${g.vrrpGarpMasterRepeat}`);
  out.push(` Gratuitous ARP refresh timer = ${g.vrrpGarpMasterRefresh}`);
  out.push(` Gratuitous ARP refresh repeat = ${g.vrrpGarpMasterRefreshRepeat}`);
  // unset lower-priority values take the master values once the VRRP config is complete
  out.push(` Gratuitous ARP lower priority delay = ${Math.floor((g.vrrpGarpLowerPrioDelay ?? g.vrrpGarpMasterDelay) / 1e6)}`);
  out.push(` Gratuitous ARP lower priority repeat = ${g.vrrpGarpLowerPrioRepeat ?? g.vrrpGarpMasterRepeat}`);
  out.push(` Num adverts before down = ${g.vrrpDownTimerAdverts}`);
  out.push(` Gratuitous ARP for each secondary ${g.vrrpGarpExtraIfAll ? 'i/f' : 'VMAC'} = ${g.vrrpGarpExtraIf}s`);
  out.push(` Send advert after receive lower priority advert = ${tf(!g.vrrpLowerPrioNoAdvert)}`);
  out.push(` Send advert after receive higher priority advert = ${tf(g.vrrpHigherPrioSendAdvert)}`);
  out.push(` Gratuitous ARP interval = ${formatF(g.vrrpGarpInterval / 1e6)}`);
  out.push(` Gratuitous NA interval = ${formatF(g.vrrpGnaInterval / 1e6)}`);
  out.push(` VRRP default protocol version = ${g.vrrpVersion}`);
  if (g.nftables) {
    out.push(` nftables table name = ${g.nftables}`);
    out.push(` nftables base chain priority = ${g.nftablesPriority}`);
    out.push(` nftables ${g.nftablesIfindex ? '' : "don't "}force use ifindex for link local IPv6`);
  }
  if (g.nftablesIpvs) {
    out.push(` ipvs nftables table name = ${g.nftablesIpvs}`);
    out.push(` ipvs nftables base chain priority = ${g.nftablesIpvsPriority}`);
    out.push(` ipvs nftables start fwmark = ${g.nftablesIpvsStartFwmark ?? 1000}`);
  }
  out.push(` nftables with${g.nftablesCounters ? '' : 'out'} counters`);
  out.push(` VRRP check unicast_src = ${tf(g.vrrpCheckUnicastSrc)}`);
  out.push(` VRRP skip check advert addresses = ${tf(g.vrrpSkipCheckAdvAddr)}`);
  out.push(` VRRP strict mode = ${tf(g.vrrpStrict)}`);
  out.push(g.maxAutoPriority === -1 ? ' Max auto priority = Disabled' : ` Max auto priority = ${g.maxAutoPriority}`);
  out.push(` Min auto priority delay = ${g.minAutoPriorityDelay} usecs`);
  processLines(out, 'VRRP', g.vrrpProcess);
  processLines(out, 'Checker', g.checkerProcess);
  processLines(out, 'BFD', g.bfdProcess);
  const ed = (b: boolean) => (b ? 'enabled' : 'disabled');
  out.push(` SNMP vrrp ${ed(g.enableSnmpVrrp)}`);
  out.push(` SNMP checker ${ed(g.enableSnmpChecker)}`);
  out.push(` SNMP RFCv2 ${ed(g.enableSnmpRfcv2)}`);
  out.push(` SNMP RFCv3 ${ed(g.enableSnmpRfcv3)}`);
  out.push(` SNMP traps ${ed(g.enableTraps)}`);
  out.push(` SNMP socket = ${g.snmpSocket ?? DEFAULT_SNMP_SOCKET}`);
  out.push(` DBus ${ed(g.enableDbus)}`);
  out.push(` DBus service name = ${g.dbusServiceName ?? ''}`);
  out.push(` Script security ${ed(g.enableScriptSecurity)}`);
  if (ctx.defaultScriptIds) out.push(` Default script uid:gid ${ctx.defaultScriptIds.uid}:${ctx.defaultScriptIds.gid}`);
  const n = (b: boolean) => (b ? 1 : 0);
  out.push(` vrrp_netlink_cmd_rcv_bufs = ${g.vrrpNetlinkCmdRcvBufs}`);
  out.push(` vrrp_netlink_cmd_rcv_bufs_force = ${n(g.vrrpNetlinkCmdRcvBufsForce)}`);
  out.push(` vrrp_netlink_monitor_rcv_bufs = ${g.vrrpNetlinkMonitorRcvBufs}`);
  out.push(` vrrp_netlink_monitor_rcv_bufs_force = ${n(g.vrrpNetlinkMonitorRcvBufsForce)}`);
  out.push(` process_monitor_rcv_bufs = ${g.processMonitorRcvBufs}`);
  out.push(` process_monitor_rcv_bufs_force = ${n(g.processMonitorRcvBufsForce)}`);
  out.push(` lvs_netlink_cmd_rcv_bufs = ${g.lvsNetlinkCmdRcvBufs}`);
  out.push(` lvs_netlink_cmd_rcv_bufs_force = ${n(g.lvsNetlinkCmdRcvBufsForce)}`);
  out.push(` lvs_netlink_monitor_rcv_bufs = ${g.lvsNetlinkMonitorRcvBufs}`);
  out.push(` lvs_netlink_monitor_rcv_bufs_force = ${n(g.lvsNetlinkMonitorRcvBufsForce)}`);
  out.push(` rs_init_notifies = ${n(g.rsInitNotifies)}`);
  out.push(` no_checker_emails = ${n(g.noCheckerEmails)}`);
  const rx = g.vrrpRxBufsPolicy;
  if (rx.mtu) out.push(' rx_bufs_policy = MTU');
  else if (rx.advert) out.push(' rx_bufs_policy = ADVERT');
  else if (rx.size !== undefined) out.push(` rx_bufs_size = ${rx.size}`);
  out.push(` rx_bufs_multiples = ${g.vrrpRxBufsMultiplier}`);
  out.push(` umask = 0${(ctx.umask ?? g.umask ?? DEFAULT_UMASK).toString(8)}`);
  if (g.vrrpStartupDelay) out.push(` vrrp_startup_delay = ${formatG(g.vrrpStartupDelay / 1e6)}`);
  if (g.logUnknownVrids) out.push(' log_unknown_vrids');
  if (g.vmacPrefix) out.push(` VMAC prefix = ${g.vmacPrefix}`);
  if (g.vmacAddrPrefix) out.push(` VMAC address prefix = ${g.vmacAddrPrefix}`);
  return out;
}

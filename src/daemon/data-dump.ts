/**
 * keepalived.data, the VRRP process's text dump on SIGUSR1 (DATA), in the shape and wording of
 * keepalived 2.2.7's dump_data_vrrp(): the global definitions, static addresses/routes/rules, the
 * VRRP topology (one block per instance: state, timers, priorities, VIPs …) and the sync groups.
 * keepalived calls it "not a stable format"; the sections about its own internals (socket pool,
 * interface queue, track script run states) are left out, and the password is masked.
 */
import { MASK } from '../config/dump.js';
import type { GlobalConfig } from '../config/model/global.js';
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry, VrrpConfig } from '../config/model/vrrp.js';
import type { ScriptSpec } from '../config/model/script.js';
import { ctimeUs, formatG, formatTimeval, localTimeZone, type TimeZone } from './c-format.js';
import { globalDumpLines, type GlobalDumpContext } from './data-dump-global.js';
import { formatIpAddress, formatIpRoute, formatIpRule, instanceAddressState, type AddressState } from './ip-entry-format.js';
import { scriptCommandText, shownScript } from './script-text.js';
import type { SyncGroupSnapshot, VrrpInstanceSnapshot, VrrpSnapshot } from './vrrp-snapshot.js';

export interface DataDumpInput {
  readonly global: GlobalConfig;
  /** The config's static addresses, routes and rules. */
  readonly vrrp: Pick<VrrpConfig, 'staticAddresses' | 'staticRoutes' | 'staticRules'>;
  readonly snapshot: VrrpSnapshot;
  readonly globalContext?: GlobalDumpContext;
  /** Time zone of the human-readable times (default: the process's local time, as keepalived). */
  readonly timeZone?: TimeZone;
}

const STATE_TEXT: Readonly<Record<string, string>> = { INIT: 'INIT', BACKUP: 'BACKUP', MASTER: 'MASTER', FAULT: 'FAULT' };
const stateText = (s: string) => STATE_TEXT[s] ?? 'unknown';

function addressLines(out: string[], list: readonly IpAddressEntry[], st?: AddressState): void {
  for (const a of list) out.push(`     ${formatIpAddress(a, st)}`);
}
function routeLines(out: string[], list: readonly IpRouteEntry[]): void {
  for (const r of list) out.push(`     ${formatIpRoute(r)}`);
}
function ruleLines(out: string[], list: readonly IpRuleEntry[]): void {
  for (const r of list) out.push(`     ${formatIpRule(r)}`);
}

function notifyLine(out: string[], label: string, s: ScriptSpec | undefined): void {
  const shown = shownScript(s);
  if (shown) out.push(`   ${label} state transition script = ${scriptCommandText(shown)}, uid:gid ${shown.uid ?? 0}:${shown.gid ?? 0}`);
}

function trackerLines(
  out: string[],
  c: Pick<VrrpInstanceSnapshot['config'], 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds'>,
  processHeader: string,
): void {
  const rev = (r: boolean) => (r ? ' reverse' : '');
  if (c.trackInterfaces.length) {
    out.push('   Tracked interfaces :');
    for (const t of c.trackInterfaces) out.push(`     ${t.name} weight ${t.weight}${rev(t.reverse)}`);
  }
  if (c.trackScripts.length) {
    out.push('   Tracked scripts :');
    for (const t of c.trackScripts) out.push(`     ${t.name} weight ${t.weight}${rev(t.reverse)}`);
  }
  if (c.trackFiles.length) {
    out.push('   Tracked files :');
    for (const t of c.trackFiles) out.push(`     ${t.name}, weight ${t.weight}${rev(t.reverse)}`);
  }
  if (c.trackProcesses.length) {
    out.push(`   ${processHeader} :`);
    for (const t of c.trackProcesses) out.push(`     ${t.name}, weight ${t.weight}${rev(t.reverse)}`);
  }
  if (c.trackBfds.length) {
    out.push('   Tracked BFDs :');
    for (const t of c.trackBfds) out.push(`     ${t.name}: weight ${t.weight}${rev(t.reverse)}`);
  }
}

/** keepalived's vrrp->flags is non-zero when any of these options is in effect ("Flags: none" otherwise). */
function hasFlags(v: VrrpInstanceSnapshot): boolean {
  const c = v.config;
  const otherFamilyEvip = c.evips.some((a) => a.family !== (c.family ?? 'inet'));
  return (
    c.unicastConfigured ||
    (c.unicast ?? false) ||
    c.unicastFaultNoPeer ||
    c.dontTrackPrimary ||
    c.linkbeatUsePolling ||
    c.skipCheckAdvAddr ||
    c.srcIp !== undefined ||
    c.trackSrcIp ||
    c.checkUnicastSrc ||
    c.promoteSecondaries ||
    otherFamilyEvip ||
    c.nopreempt ||
    c.useVmac !== undefined ||
    c.useVmacAddr ||
    c.useIpvlan !== undefined
  );
}

function instanceLines(out: string[], v: VrrpInstanceSnapshot, tz: TimeZone): void {
  const c = v.config;
  const s = v.settings;
  const unicast = c.unicast ?? s.unicastPeers.length > 0;
  out.push(` VRRP Instance = ${c.name}`);
  out.push(`   VRRP Version = ${s.version}`);
  if (c.syncGroup) out.push(`   Sync group = ${c.syncGroup}`);
  if (s.family === 'inet6') out.push('   Using Native IPv6');
  out.push(`   State = ${stateText(v.state)}`);
  if (v.state === 'BACKUP') {
    // before any advert keepalived prints an unset address; show the family's zero address
    out.push(`   Master router = ${v.masterAddress ?? (s.family === 'inet6' ? '::' : '0.0.0.0')}`);
    out.push(`   Master priority = ${v.masterPriority}`);
    if (s.version === 3) out.push(`   Master advert int = ${(v.masterAdverIntUs / 1e6).toFixed(2)} sec`);
  }
  if (hasFlags(v)) {
    out.push('   Flags:');
    if (unicast) out.push('     Using unicast');
    else if (c.unicastConfigured) out.push('     Unicast config option specified but using multicast');
    if (c.unicastFaultNoPeer) out.push('     If unicast go to fault state if no peers');
  } else out.push('   Flags: none');
  out.push(`   Wantstate = ${stateText(v.wantstate)}`);
  out.push(`   Number of config faults = ${c.configFaults}`);
  out.push(`   Number of interface and track script faults = ${v.numScriptIfFault}`);
  out.push(`   Number of track scripts init = ${v.numScriptInit}`);
  out.push(`   Last transition = ${formatTimeval(v.lastTransitionUs)} (${ctimeUs(v.lastTransitionUs, tz)})`);
  if (v.readTimeoutUs === undefined) out.push('   Read timeout = DISABLED');
  else out.push(`   Read timeout = ${formatTimeval(v.readTimeoutUs)} (${ctimeUs(v.readTimeoutUs, tz)})`);
  out.push(`   Master down timer = ${v.msDownTimerUs >>> 0} usecs`);
  const vmacName = c.useVmac?.ifname;
  if (c.useVmac) {
    out.push(`   Use VMAC, i/f name ${vmacName ?? ''}, is_up = ${tf(v.runtime.vmacUp ?? false)}, xmit_base = ${tf(c.vmacXmitBase)}`);
    if (c.useVmac.mac) out.push(`     MAC = ${c.useVmac.mac}`);
  }
  if (c.useVmacAddr) out.push('   Use VMAC for VIPs on other interfaces');
  if (c.useVmac && vmacName && c.interface)
    out.push(`   Interface = ${vmacName}, vmac on ${c.interface}${c.vmacXmitBase ? ', xmit base i/f' : ''}`);
  else out.push(`   Interface = ${c.interface ?? 'not configured'}`);
  if (c.vrf) out.push(`   VRF = ${c.vrf}`);
  if (c.dontTrackPrimary) out.push('   VRRP interface tracking disabled');
  if (c.skipCheckAdvAddr) out.push('   Skip checking advert IP addresses');
  if (s.strictMode) out.push('   Enforcing strict VRRP compliance');
  out.push(`   Using src_ip = ${v.sourceAddress ?? '(none)'}${c.srcIp ? ' (from configuration)' : ''}`);
  if (!unicast) {
    const group = s.mcastGroup ?? (s.family === 'inet' ? '224.0.0.18' : 'ff02::12');
    out.push(s.family === 'inet' ? `   Multicast address ${group}` : `   Multicast address ${group}, ifindex ${v.runtime.mcastIfindex ?? 0}`);
  }
  out.push(`   Gratuitous ARP delay = ${Math.floor(s.garpMasterDelay / 1e6)}`);
  out.push(`   Gratuitous ARP repeat = ${s.garpMasterRepeat}`);
  out.push(`   Gratuitous ARP refresh = ${c.garpMasterRefresh}`);
  out.push(`   Gratuitous ARP refresh repeat = ${s.garpMasterRefreshRepeat}`);
  out.push(`   Gratuitous ARP lower priority delay = ${Math.floor(s.garpLowerPrioDelay / 1e6)}`);
  out.push(`   Gratuitous ARP lower priority repeat = ${s.garpLowerPrioRepeat}`);
  out.push(`   Down timer adverts = ${s.downTimerAdverts}`);
  if (c.garpExtraIf?.interval) out.push(`   Gratuitous ARP for each secondary ${c.garpExtraIf.all ? 'i/f' : 'VMAC'} = ${c.garpExtraIf.interval}`);
  out.push(`   Send advert after receive lower priority advert = ${tf(!s.lowerPrioNoAdvert)}`);
  out.push(`   Send advert after receive higher priority advert = ${tf(s.higherPrioSendAdvert)}`);
  out.push(`   Virtual Router ID = ${s.vrid}`);
  out.push(`   Priority = ${v.basePriority}`);
  out.push(`   Effective priority = ${v.effectivePriority}`);
  out.push(`   Total priority = ${v.totalPriority}`);
  out.push(s.version === 2 ? `   Advert interval = ${Math.floor(s.advertInt / 1e6)} sec` : `   Advert interval = ${Math.floor(s.advertInt / 1000)} milli-sec`);
  if (v.state === 'BACKUP' && s.version === 3) out.push(`   Master advert interval = ${Math.floor(v.masterAdverIntUs / 1000)} milli-sec`);
  out.push(`   Accept = ${s.accept ? 'enabled' : 'disabled'}`);
  out.push(`   Preempt = ${s.nopreempt ? 'disabled' : 'enabled'}`);
  if (s.preemptDelay) out.push(`   Preempt delay = ${formatG(s.preemptDelay / 1e6)} secs`);
  out.push(`   Promote_secondaries = ${c.promoteSecondaries ? 'enabled' : 'disabled'}`);
  if (c.authType) {
    out.push(`   Authentication type = ${c.authType === 'AH' ? 'IPSEC_AH' : 'SIMPLE_PASSWORD'}`);
    if (c.authType !== 'AH') out.push(`   Password = ${MASK}`);
  } else if (s.version === 2) out.push('   Authentication type = none');
  if (c.kernelRxBufSize) out.push(`   Kernel rx buffer size = ${c.kernelRxBufSize}`);
  if (c.debug) out.push(`   Debug level = ${c.debug}`);
  const st = instanceAddressState(v);
  if (c.vips.length) {
    out.push(`   Virtual IP (${c.vips.length}):`);
    addressLines(out, c.vips, st);
  }
  if (c.evips.length) {
    out.push('   Virtual IP Excluded :');
    addressLines(out, c.evips, st);
  }
  if (unicast) {
    if (c.unicastTtl !== undefined && c.unicastTtl !== -1) out.push(`   Unicast TTL = ${c.unicastTtl}`);
    out.push(`   Check unicast src : ${c.checkUnicastSrc ? 'yes' : 'no'}`);
    out.push('   Unicast Peer :');
    for (const p of c.unicastPeers) out.push(`     ${p.address} min_ttl ${p.minTtl} max_ttl ${p.maxTtl}`);
    const compat = v.runtime.unicastChecksumCompat ?? c.oldUnicastChecksum ?? 'none';
    out.push(`   Unicast checksum compatibility = ${compat === 'none' ? 'no' : compat}`);
  }
  if (v.runtime.sockets) out.push(`   fd_in ${v.runtime.sockets.fdIn}, fd_out ${v.runtime.sockets.fdOut}`);
  if (c.virtualRoutes.length) {
    out.push('   Virtual Routes :');
    routeLines(out, c.virtualRoutes);
  }
  if (c.virtualRules.length) {
    out.push('   Virtual Rules :');
    ruleLines(out, c.virtualRules);
  }
  trackerLines(out, c, 'Tracked processes');
  out.push(`   Using smtp notification = ${c.smtpAlert ? 'yes' : 'no'}`);
  out.push(`   Notify deleted = ${c.notifyDeleted ? 'Deleted' : 'Fault'}`);
  notifyLine(out, 'Backup', c.notifyBackup);
  notifyLine(out, 'Master', c.notifyMaster);
  notifyLine(out, 'Fault', c.notifyFault);
  notifyLine(out, 'Stop', c.notifyStop);
  notifyLine(out, 'Deleted', c.notifyDeletedScript);
  notifyLine(out, 'Generic', c.notify);
  notifyLine(out, 'Master rx lower pri', c.notifyMasterRxLowerPri);
  out.push(`   Notify priority changes = ${tf(s.notify.priorityChanges)}`);
}

function syncGroupLines(out: string[], g: SyncGroupSnapshot): void {
  const c = g.config;
  out.push(` VRRP Sync Group = ${c.name}, ${stateText(g.state)}`);
  out.push(`   Num member fault ${g.numMemberFault}, num member init ${g.numMemberInit}`);
  if (g.members.length) {
    out.push('   VRRP member instances :');
    for (const m of g.members) out.push(`     ${m}`);
  }
  if (c.trackingWeight) out.push('   sync group tracking weight set');
  out.push(`   Using smtp notification = ${c.smtpAlert ? 'yes' : 'no'}`);
  if (c.notifyPriorityChanges !== undefined) out.push(`   Notify priority changes = ${c.notifyPriorityChanges ? 'yes' : 'no'}`);
  trackerLines(out, c, 'Tracked process');
  notifyLine(out, 'Backup', c.notifyBackup);
  notifyLine(out, 'Master', c.notifyMaster);
  notifyLine(out, 'Fault', c.notifyFault);
  notifyLine(out, 'Stop', c.notifyStop);
  notifyLine(out, 'Generic', c.notify);
}

const tf = (b: boolean) => (b ? 'true' : 'false');

/** The whole file. */
export function formatDataDump(input: DataDumpInput): string {
  const tz = input.timeZone ?? localTimeZone;
  const out = globalDumpLines(input.global, {
    instanceVrid: (name) => input.snapshot.instances.find((i) => i.config.name === name)?.settings.vrid,
    ...input.globalContext,
  });
  const v = input.vrrp;
  if (v.staticAddresses.length) {
    out.push('------< Static Addresses >------');
    addressLines(out, v.staticAddresses);
  }
  if (v.staticRoutes.length) {
    out.push('------< Static Routes >------');
    routeLines(out, v.staticRoutes);
  }
  if (v.staticRules.length) {
    out.push('------< Static Rules >------');
    ruleLines(out, v.staticRules);
  }
  if (input.snapshot.instances.length) {
    out.push('------< VRRP Topology >------');
    for (const i of input.snapshot.instances) instanceLines(out, i, tz);
  }
  if (input.snapshot.groups.length) {
    out.push('------< VRRP Sync groups >------');
    for (const g of input.snapshot.groups) syncGroupLines(out, g);
  }
  return out.map((l) => `${l}\n`).join('');
}

/**
 * Post-parse checks and default resolution of the vrrp area, in keepalived 2.2.7's order
 * (vrrp_daemon.c start_vrrp → vrrp.c vrrp_complete_init, as far as `keepalived -t` goes):
 *   non-existent interfaces → script security → chk_min_cfg → sync groups (vrrp_sync.c) →
 *   vrrp_complete_instance for each instance → VRID conflicts → sync group tracking.
 * keepalived stops at the first instance it cannot complete; so do we.
 */
import { ConfigErr } from '../diagnostics.js';
import type { ValidationContext } from './context.js';
import type { VrrpInstance, VrrpSyncGroup } from '../model/vrrp.js';
import { SC, checkNotifyScriptSecure, checkScriptSecure, reportScriptViolation, vrrpGlobalScripts } from './script-security.js';
import { isIPv6LinkLocal } from '../entries/inet.js';
import { TIMER_HZ } from '../values.js';

const GE = ConfigErr.GENERAL_ERROR;
const OWNER = 255;
const TIMER_CENTI_HZ = 10000;
const DEFAULT_MTU = 1500;

export function validateVrrp(ctx: ValidationContext): void {
  const vrrp = ctx.config.vrrp;

  // start_vrrp(): a referenced interface that does not exist stops the VRRP side before
  // vrrp_complete_init() (keepalived -t prints nothing more for VRRP).
  if (vrrp.missingInterfaces.length) {
    ctx.report(ConfigErr.BAD_IF, 'Non-existent interface specified in configuration');
    return;
  }

  checkVrrpScriptSecurity(ctx);

  // chk_min_cfg(): no instance is unicast yet at this point, so an instance without interface fails
  for (const i of vrrp.instances) {
    if (i.vrid === undefined) {
      ctx.report(GE, `(${i.name}) the virtual router id must be set`);
      return;
    }
    if (i.interface === undefined) {
      ctx.report(GE, `(${i.name}) Unknown interface!`);
      return;
    }
  }

  // sync groups (vrrp_sync_set_group)
  vrrp.syncGroups = vrrp.syncGroups.filter((g) => {
    if (!g.group) {
      ctx.report(GE, `Sync group ${g.name} has no virtual router(s). removing`);
      return false;
    }
    return setSyncGroup(ctx, g);
  });

  for (const i of vrrp.instances) {
    if (!completeInstance(ctx, i)) return;
  }

  if (checkVridConflicts(ctx)) return;

  syncGroupTracking(ctx);
}

/** check_vrrp_script_security(): only when there is a vrrp_instance. */
function checkVrrpScriptSecurity(ctx: ValidationContext): void {
  const vrrp = ctx.config.vrrp;
  if (!vrrp.instances.length) return;
  let flags = 0;
  for (const s of vrrp.scripts) {
    if (s.insecure || !s.script) continue;
    const f = checkScriptSecure(ctx, s.script);
    if (f & SC.INHIBIT) {
      ctx.report(GE, `Disabling track script ${s.name} due to insecure`);
      s.insecure = true;
    } else if (f & SC.NOTFOUND) {
      ctx.report(GE, `Disabling track script ${s.name} since not found/accessible`);
      s.insecure = true;
    } else if (!(f & (SC.EXECUTABLE | SC.SYSTEM))) s.insecure = true;
    flags |= f;
  }
  const insecure = new Set(vrrp.scripts.filter((s) => s.insecure).map((s) => s.name));
  const fields = ['notifyBackup', 'notifyMaster', 'notifyFault', 'notifyStop', 'notifyDeletedScript', 'notify', 'notifyMasterRxLowerPri'] as const;
  for (const i of vrrp.instances) {
    for (const f of fields) flags |= checkNotifyScriptSecure(ctx, i[f]);
    i.trackScripts = i.trackScripts.filter((t) => !insecure.has(t.name));
  }
  const gfields = ['notifyBackup', 'notifyMaster', 'notifyFault', 'notifyStop', 'notify'] as const;
  for (const g of vrrp.syncGroups) {
    for (const f of gfields) flags |= checkNotifyScriptSecure(ctx, g[f]);
    g.trackScripts = g.trackScripts.filter((t) => !insecure.has(t.name));
  }
  for (const s of vrrpGlobalScripts(ctx.config)) flags |= checkNotifyScriptSecure(ctx, s);
  reportScriptViolation(ctx, 'vrrp', flags);
  vrrp.scripts = vrrp.scripts.filter((s) => !s.insecure);
}

function setSyncGroup(ctx: ValidationContext, g: VrrpSyncGroup): boolean {
  const instances = ctx.config.vrrp.instances;
  let state: 'INIT' | 'MASTER' | 'BACKUP' = 'INIT';
  for (const name of g.group ?? []) {
    const v = instances.find((i) => i.name === name);
    if (!v) {
      ctx.report(GE, `Virtual router ${name} specified in sync group ${g.name} doesn't exist - ignoring`);
      continue;
    }
    if (v.syncGroup !== undefined) {
      ctx.report(GE, `Virtual router ${name} cannot exist in more than one sync group; ignoring ${g.name}`);
      continue;
    }
    g.members.push(name);
    v.syncGroup = g.name;
    if (state === 'MASTER' && v.state === 'BACKUP')
      ctx.report(GE, `Sync group ${g.name} has some member(s) as address owner and some not as address owner. This won't work.`);
    if (state !== 'BACKUP') state = v.state === 'MASTER' && v.priority === OWNER ? 'MASTER' : 'BACKUP';
  }
  if (!g.members.length) {
    ctx.report(GE, `Sync group ${g.name}, no matching virtual router found in group declaration - removing`);
    return false;
  }
  if (g.members.length === 1) ctx.report(GE, `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`);
  return true;
}

/** C printf("%f") / ("%.2f") of µs as seconds. */
const secs = (us: number, digits: number) => (us / TIMER_HZ).toFixed(digits);

/** vrrp_complete_instance(): false stops the whole VRRP configuration. */
function completeInstance(ctx: ValidationContext, v: VrrpInstance): boolean {
  const c = ctx.config;
  const R = (m: string, level: ConfigErr = GE) => ctx.report(level, m);
  const ifFacts = v.interface !== undefined ? ctx.host.interface(v.interface) : undefined;

  v.strictMode ??= c.global.vrrpStrict;
  if (v.family === 'inet6') {
    if (v.version === 2 && v.strictMode) {
      R(`(${v.name}) cannot use IPv6 with VRRP version 2; setting version 3`);
      v.version = 3;
    } else v.version ??= 3;
  }
  v.family ??= 'inet';
  v.version ??= v.family === 'inet6' ? 3 : c.global.vrrpVersion;
  if (v.family === 'inet' && v.unicastTtl === undefined) v.unicastTtl = 255;

  if (v.vips.length === 0) {
    if (v.version === 3 || v.strictMode) {
      R(`(${v.name}) No VIP specified; at least one is required`);
      return false;
    }
    R(`(${v.name}) No VIP specified; at least one is sensible`);
  }

  v.priority ??= v.state === 'MASTER' ? OWNER : 100;
  if (v.state === undefined) v.state = v.priority === OWNER ? 'MASTER' : 'BACKUP';
  else if (v.strictMode && (v.state === 'MASTER') !== (v.priority === OWNER)) {
    R(`(${v.name}) State MASTER must match being address owner`);
    v.state = v.priority === OWNER ? 'MASTER' : 'BACKUP';
  }

  if (v.authType !== undefined) {
    if (v.strictMode) {
      R(`(${v.name}) Strict mode does not support authentication. Ignoring.`);
      delete v.authType;
    } else if (v.version === 3) {
      R(`(${v.name}) VRRP version 3 does not support authentication. Ignoring.`);
      delete v.authType;
    } else if (!v.authPass || v.authPass[0] === 0) {
      R(`(${v.name}) Authentication specified but no password given. Ignoring`);
      delete v.authType;
    } else if (v.family === 'inet6' && v.authType === 'AH') {
      R(`(${v.name}) Cannot use AH authentication with IPv6. ignoring`);
      delete v.authType;
    } else if (v.authType === 'AH' && v.state === 'MASTER' && v.priority !== OWNER) {
      R(`(${v.name}) Initial state master is incompatible with AH authentication - clearing`);
      v.state = 'BACKUP';
    }
  }

  // (VRRP_FLAG_UNICAST is not set yet here, so strict mode's unicast check never fires in 2.2.7)
  if (v.interface === undefined) {
    if (v.srcIp === undefined) {
      R(`(${v.name}): Unicast instances must have unicast_src_ip or interface`);
      return false;
    }
    if (v.family === 'inet6' && isIPv6LinkLocal(v.srcIp.address)) {
      R(`(${v.name}) Non link-local address required if interface omitted`);
      return false;
    }
  }

  v.unicast = false;
  if (v.unicastConfigured) {
    if (v.unicastPeers.length) v.unicast = true;
    else if (v.unicastFaultNoPeer) v.configFaults++; // "Cannot use unicast without any peers - going to fault state" (logged)
    else
      R(
        `(${v.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`,
        ConfigErr.DEPRECATED,
      );
  }

  if (v.strictMode && v.useVmac?.mac !== undefined) {
    R(`(${v.name}): cannot specify MAC address with strict mode - clearing`);
    delete v.useVmac.mac;
  }

  if (ifFacts && !ifFacts.multicast && !v.unicast) {
    R(`(${v.name}) interface ${ifFacts.name} does not support multicast, specify unicast peers - disabling`);
    v.configFaults++;
  }

  if (v.family === 'inet6' && !v.unicast && v.vips.length && !isIPv6LinkLocal(v.vips[0]!.address) && v.strictMode)
    R(`(${v.name}) the first IPv6 VIP address must be link local`);

  if (v.vrf !== undefined && (v.interface !== undefined || !v.unicast)) {
    R(`(${v.name}) vrf can only be specified with${v.interface !== undefined ? 'out interface' : ' unicast'} - clearing`);
    delete v.vrf;
  }

  // Can the VIPs fit in an advert? (ether 14 + ip 20/40 + vrrp 8 [+ auth 8 [+ AH 24]])
  const mtu = ifFacts?.mtu ?? DEFAULT_MTU;
  let maxAddr: number;
  if (v.family === 'inet') {
    let hdr = 14 + 20 + 8;
    if (v.version === 2) hdr += 8 + (v.authType === 'AH' ? 24 : 0);
    maxAddr = Math.floor((mtu - hdr) / 4);
  } else maxAddr = Math.floor((mtu - (14 + 40 + 8)) / 16);
  maxAddr = Math.min(maxAddr, 255);
  if (v.vips.length > maxAddr) {
    R(`(${v.name}) Number of VIPs (${v.vips.length}) exceeds maximum/space available in packet (max ${maxAddr} addresses) - excess moved to eVIPs`);
    v.evips.push(...v.vips.splice(maxAddr));
  }

  if (v.priority === OWNER && v.nopreempt) {
    R(`(${v.name}) nopreempt is incompatible with priority 255. resetting nopreempt`);
    v.nopreempt = false;
  }
  if (v.state === 'MASTER') {
    if (v.nopreempt) {
      R(`(${v.name}) Warning - nopreempt will not work with initial state MASTER - clearing`);
      v.nopreempt = false;
    }
    if (v.preemptDelay) {
      R(`(${v.name}) Warning - preempt delay will not work with initial state MASTER - clearing`);
      v.preemptDelay = 0;
    }
  }
  if (v.preemptDelay) {
    if (v.strictMode) {
      R(`(${v.name}) preempt_delay is incompatible with strict mode - resetting`);
      v.preemptDelay = 0;
    }
    if (v.nopreempt) {
      R(`(${v.name}) preempt_delay is incompatible with nopreempt mode - resetting`);
      v.preemptDelay = 0;
    }
  }
  if (v.downTimerAdverts !== 3 && v.strictMode) {
    R(`(${v.name}) down_timer_adverts is incompatible with strict mode - resetting`);
    v.downTimerAdverts = 3;
  }

  v.accept ??= v.priority === OWNER ? true : !v.strictMode;
  if (v.accept && v.priority !== OWNER && v.strictMode && v.version === 2) {
    R(`(${v.name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`);
    v.accept = false;
  }

  if (!v.unicast && v.mcastDstIp === undefined) {
    v.mcastDstIp =
      v.family === 'inet'
        ? { family: 'inet', address: c.global.vrrpMcastGroup4 }
        : { family: 'inet6', address: c.global.vrrpMcastGroup6 };
  } else if (v.unicast && v.mcastDstIp !== undefined) {
    R(`(${v.name}) multicast destination specified with unicast - ignoring`);
    delete v.mcastDstIp;
  }

  // vrrp_complete_init(): the global lower-priority GARP settings default to the master ones
  const gLowerRepeat = c.global.vrrpGarpLowerPrioRepeat ?? c.global.vrrpGarpMasterRepeat;
  const gLowerDelay = c.global.vrrpGarpLowerPrioDelay ?? c.global.vrrpGarpMasterDelay;
  if (v.garpLowerPrioRepeat === undefined) v.garpLowerPrioRepeat = v.strictMode ? 0 : gLowerRepeat;
  else if (v.strictMode && v.garpLowerPrioRepeat) {
    R(`(${v.name}) Strict mode requires no repeat garps. resetting`);
    v.garpLowerPrioRepeat = 0;
  }
  if (v.garpLowerPrioDelay === undefined) v.garpLowerPrioDelay = v.strictMode ? 0 : gLowerDelay;
  else if (v.strictMode && v.garpLowerPrioDelay) {
    R(`(${v.name}) Strict mode requires no repeat garp delay. resetting`);
    v.garpLowerPrioDelay = 0;
  }
  if (v.lowerPrioNoAdvert === undefined) v.lowerPrioNoAdvert = v.strictMode ? true : c.global.vrrpLowerPrioNoAdvert;
  else if (v.strictMode && !v.lowerPrioNoAdvert) {
    R(`(${v.name}) Strict mode requires no lower priority advert. resetting`);
    v.lowerPrioNoAdvert = true;
  }
  if (v.higherPrioSendAdvert === undefined) v.higherPrioSendAdvert = v.strictMode ? false : c.global.vrrpHigherPrioSendAdvert;
  else if (v.strictMode && v.higherPrioSendAdvert) {
    R(`(${v.name}) strict mode requires higher_prio_send_advert to be clear. resetting`);
    v.higherPrioSendAdvert = false;
  }

  if (v.smtpAlert === undefined) {
    v.smtpAlert = c.global.smtpAlertVrrp ?? c.global.smtpAlert ?? false;
  }
  if (v.notifyPriorityChanges === undefined) {
    const sg = c.vrrp.syncGroups.find((g) => g.name === v.syncGroup);
    v.notifyPriorityChanges = sg?.notifyPriorityChanges ?? c.global.vrrpNotifyPriorityChanges;
  }

  // advert interval
  let adv = v.advertInt ?? TIMER_HZ;
  if (v.version === 2) {
    if (adv >= 256 * TIMER_HZ) {
      R(`(${v.name}) VRRPv2 advertisement interval ${secs(adv, 2)}s is out of range. Must be less than 256s. Setting to 255s`);
      adv = 255 * TIMER_HZ;
    } else if (adv % TIMER_HZ) {
      R(`(${v.name}) VRRPv2 advertisement interval ${secs(adv, 6)}s must be an integer. rounding`);
      adv += TIMER_HZ / 2;
      adv -= adv % TIMER_HZ;
      if (adv === 0) adv = TIMER_HZ;
    }
  } else if (adv >= 4096 * TIMER_CENTI_HZ) {
    R(`(${v.name}) VRRPv3 advertisement interval ${secs(adv, 2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`);
    adv = 4095 * TIMER_CENTI_HZ;
  } else if (adv % TIMER_CENTI_HZ) {
    R(`(${v.name}) VRRPv3 advertisement interval ${secs(adv, 6)}s must be in units of 10ms - rounding`);
    adv += TIMER_CENTI_HZ / 2;
    adv -= adv % TIMER_CENTI_HZ;
    if (adv === 0) adv = TIMER_CENTI_HZ;
  }
  v.advertInt = adv;

  if (v.srcIp === undefined) v.trackSrcIp = false;

  if (v.useVmac || v.useIpvlan) {
    if (v.useVmac) {
      v.useVmac.ifname ??= `${c.global.vmacPrefix ?? 'vrrp'}.${v.vrid}`;
      if (v.strictMode && v.vmacXmitBase) {
        R(`(${v.name}) xmit_base is incompatible with strict mode - resetting`);
        v.vmacXmitBase = false;
      }
    }
    if (v.promoteSecondaries) {
      R(`(${v.name}) promote_secondaries is automatically set for vmacs - ignoring`);
      v.promoteSecondaries = false;
    }
  }
  if (v.useIpvlan) {
    if (v.family === 'inet' && !v.useIpvlan.address) {
      R(`(${v.name}) IPv4 ipvlan requires a source ip address to be configured. setting instance to fault state`);
      v.configFaults++;
    } else if (v.useIpvlan.address && v.useIpvlan.address.family !== v.family) {
      R(`(${v.name}) IPv4 ipvlan address family does not match instance. setting instance to fault state`);
      v.configFaults++;
    }
  }

  // track_interface on our own interface
  if (v.interface !== undefined) {
    v.trackInterfaces = v.trackInterfaces.filter((t) => {
      if (t.name !== v.interface) return true;
      R(`(${v.name}) Ignoring track_interface ${t.name} since own interface`);
      return false;
    });
  }
  if (v.vmacXmitBase && !v.useVmac) {
    R(`(${v.name}) vmac_xmit_base is only valid with a vmac`);
    v.vmacXmitBase = false;
  }

  // VIP/eVIP interfaces
  for (const list of [v.vips, v.evips]) {
    for (const a of list) {
      if (a.useVmac) {
        a.useVmac = false;
        if ((a.dev === undefined || a.dev === v.interface) && v.useVmac && a.family === v.family)
          R(`(${v.name}) use_vmac specified for VIP/eVIP ${a.address} and vrrp instance`);
        else if (((a.dev !== undefined && a.dev !== v.interface) || a.family !== v.family) && v.useVmacAddr)
          R(`(${v.name}) use_vmac_addr specified and use_vmac specified for VIP/eVIP ${a.address}`);
        else a.useVmac = true;
      }
      a.dev ??= v.interface;
    }
  }

  if (v.garpExtraIf === undefined) v.garpExtraIf = { interval: c.global.vrrpGarpExtraIf, all: c.global.vrrpGarpExtraIfAll };
  // no GARPs on extra interfaces when there are none
  if (v.garpExtraIf.interval) {
    const addrs = [...v.vips, ...v.evips];
    const extraVmac = addrs.some((a) => a.useVmac);
    const extraIf = addrs.some((a) => !a.useVmac && a.dev !== v.interface);
    if ((!extraIf && !extraVmac) || (!extraVmac && !v.garpExtraIf.all)) v.garpExtraIf.interval = 0;
  }

  if (v.vips.length === 0) {
    if (v.version === 3 || v.family === 'inet6' || v.strictMode) {
      R(`(${v.name}) No VIP specified; at least one is required`);
      return false;
    }
    R(`(${v.name}) No VIP specified; at least one is sensible`, ConfigErr.WARNING);
  }

  // Weights inside a sync group (without sync_group_tracking_weight) or for the address owner
  const sg = c.vrrp.syncGroups.find((g) => g.name === v.syncGroup);
  const syncNoWeight = !!sg && !sg.trackingWeight;
  if (syncNoWeight || v.priority === OWNER) {
    const why = syncNoWeight ? 'SYNC group' : 'address owner';
    const why2 = syncNoWeight ? 'SYNC group' : 'address_owner';
    v.trackInterfaces = v.trackInterfaces.filter((t) => {
      if (!t.weight) return true;
      R(`(${v.name}) ignoring ${t.name} tracked interface ${syncNoWeight ? 'weight ' : ''}due to ${why}`);
      if (syncNoWeight) {
        t.weight = 0;
        return true;
      }
      return false;
    });
    v.trackScripts = v.trackScripts.filter((t) => {
      if (!t.weight) return true;
      R(`(${v.name}) ignoring tracked script ${t.name} with weights due to ${why2}`);
      return false;
    });
    v.trackFiles = v.trackFiles.filter((t) => {
      if (t.weight === 1) {
        R(`(${v.name}) ignoring weight from tracked file ${t.name} due to ${why2}. specify weight 0`);
        t.weight = 0;
        return true;
      }
      if (t.weight) {
        R(`(${v.name}) ignoring tracked file ${t.name} with weight ${t.weight} due to ${why2}`);
        return false;
      }
      return true;
    });
    v.trackBfds = v.trackBfds.filter((t) => {
      if (!t.weight) return true;
      R(`(${v.name}) ignoring tracked bfd ${t.name} with weight ${t.weight} due to ${why2}`);
      return false;
    });
  }
  v.trackScripts = v.trackScripts.filter((t) => {
    if (v.priority === OWNER && t.weight) {
      R(`(${v.name}) Cannot have weighted track script '${t.name}' with priority 255`);
      return false;
    }
    return true;
  });
  return true;
}

/** check_vrid_conflicts(): true when keepalived gives up. */
function checkVridConflicts(ctx: ValidationContext): boolean {
  const list = ctx.config.vrrp.instances;
  let hadError = false;
  for (let a = 0; a < list.length; a++) {
    for (let b = a + 1; b < list.length; b++) {
      const v = list[a]!;
      const w = list[b]!;
      if (v.family !== w.family || v.vrid !== w.vrid) continue;
      if (!!v.unicast !== !!w.unicast) continue;
      if (v.unicast) {
        if (v.interface !== undefined && w.interface !== undefined && v.interface !== w.interface) continue;
        const src = (i: VrrpInstance) => i.srcIp?.address ?? (i.interface ? ctx.host.interface(i.interface)?.[i.family === 'inet6' ? 'ipv6' : 'ipv4'][0] : undefined);
        const sv = src(v);
        const sw = src(w);
        if (sv === undefined || sw === undefined || sv !== sw) continue;
        if (!v.unicastPeers.some((p) => w.unicastPeers.some((q) => q.address === p.address))) continue;
        ctx.report(GE, `(${v.name}) duplicate VRID conflict with ${w.name} VRID ${v.vrid}`);
        hadError = true;
        continue;
      }
      if (v.interface !== w.interface) continue;
      if (v.mcastDstIp?.address !== w.mcastDstIp?.address) continue;
      if (v.interface !== undefined && ctx.host.interface(v.interface)) {
        ctx.report(GE, `${v.name} and ${w.name} both use VRID ${v.vrid} with IPv${v.family === 'inet' ? 4 : 6} on interface ${v.interface}`);
        hadError = true;
      }
    }
  }
  return hadError;
}

/** sync_group_tracking_init(): group trackers with an address-owner member lose their weight. */
function syncGroupTracking(ctx: ValidationContext): void {
  const c = ctx.config;
  for (const g of c.vrrp.syncGroups) {
    const owner = g.members.some((m) => c.vrrp.instances.find((i) => i.name === m)?.priority === OWNER);
    if (owner) {
      for (const t of g.trackScripts)
        if (t.weight) {
          ctx.report(GE, `(${g.name}) Cannot have weighted track script '${t.name}' with member having priority 255 - clearing weight`);
          t.weight = 0;
        }
      for (const t of g.trackFiles)
        if (t.weight) {
          ctx.report(GE, `(${g.name}) Cannot have weighted track file '${t.name}' with member having priority 255 - setting weight 0`);
          t.weight = 0;
        }
      for (const t of g.trackProcesses)
        if (t.weight) {
          ctx.report(GE, `(${g.name}) Cannot have weighted track process '${t.name}' with member having priority 255 - setting weight 0`);
          t.weight = 0;
        }
      for (const t of g.trackBfds)
        if (t.weight) {
          ctx.report(GE, `(${g.name}) Cannot have weighted track bfd '${t.name}' with member having priority 255 - setting weight 0`);
          t.weight = 0;
        }
      for (const t of g.trackInterfaces)
        if (t.weight) {
          ctx.report(GE, `(${g.name}) Cannot have weighted track interface '${t.name}' with member having priority 255 - clearing weight`);
          t.weight = 0;
        }
    }
    if (g.smtpAlert === undefined) {
      g.smtpAlert = c.global.smtpAlertVrrp ?? c.global.smtpAlert ?? false;
    }
  }
}

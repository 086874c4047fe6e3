/**
 * Post-parse checks and default resolution of the lvs area, in keepalived's order
 * (check_daemon.c start_check): link_vsg_to_vs() (ipwrapper.c), then validate_check_config()
 * (check_data.c) — protocol / scheduler / forwarding defaults with their warnings, duplicate
 * real servers, quorum and hysteresis capping, port corrections, and the VS → RS → checker
 * inheritance of alpha, retry, connect_timeout, delay_loop, warmup, delay_before_retry and
 * inhibit_on_failure.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { Forwarding, LvsAddress, RealServer, VirtualServer, VirtualServerGroup } from '../model/lvs.js';
import type { ScriptSpec } from '../model/script.js';
import { formatTrio, sameAddress } from '../keywords/lvs-address.js';
import { DEFAULT_TUNNEL } from '../keywords/lvs-forwarding.js';
import { IPVS_SVC_PERSISTENT_TIMEOUT } from '../keywords/lvs-virtual-server.js';
import type { ValidationContext } from './context.js';
import { checkGlobalScripts, checkScriptGroup } from './script-security.js';

export const IPVS_DEF_SCHED = 'wlc';

const ZERO_ADDRESS: LvsAddress = { family: 'inet', address: '0.0.0.0', port: 0 };

/** keepalived tests vs->vfwmark, so `virtual_server fwmark 0` behaves as an address service. */
function isFwmark(vs: VirtualServer): boolean {
  return vs.kind === 'fwmark' && vs.fwmark !== 0;
}

/** FMT_VS(): `[group]:N`, `FWM n` or `[ip]:proto:port`. */
export function formatVs(vs: VirtualServer): string {
  if (vs.kind === 'group') return `[${vs.groupName}]:${vs.groupIndex ?? 0}`;
  if (isFwmark(vs)) return `FWM ${vs.fwmark}`;
  return formatTrio(vs.address ?? ZERO_ADDRESS, vs.protocol);
}

function formatRs(rs: RealServer, vs: VirtualServer): string {
  return formatTrio(rs.address, vs.protocol);
}

function withPort(a: LvsAddress, port: number): LvsAddress {
  return { ...a, port };
}

/** link_vsg_to_vs(): groups are looked up by name; mismatching virtual servers are dropped (logged only). */
function linkGroups(vss: VirtualServer[], groups: readonly VirtualServerGroup[]): void {
  for (const vs of [...vss]) {
    if (vs.kind !== 'group') continue;
    const vsg = groups.find((g) => g.name === vs.groupName);
    const drop = () => vss.splice(vss.indexOf(vs), 1);
    if (!vsg) {
      // "Virtual server group %s specified but not configured - ignoring virtual server %s"
      drop();
      continue;
    }
    const vsgAf = vsg.haveIpv4 === vsg.haveIpv6 ? undefined : vsg.haveIpv4 ? 'inet' : 'inet6';
    if (vsg.haveIpv4 && vsg.haveIpv6 && vs.family !== undefined) drop();
    else if ((vsg.haveIpv4 && vs.family === 'inet6') || (vsg.haveIpv6 && vs.family === 'inet')) drop();
    else if (vsgAf !== undefined) {
      if (vs.family === undefined) vs.family = vsgAf;
      else if (vs.family !== vsgAf) drop();
    }
    // else: "address family cannot be determined, defaulting to IPv4" (logged)
  }
  for (const g of groups) {
    let n = 0;
    for (const vs of vss) if (vs.kind === 'group' && vs.groupName === g.name) vs.groupIndex = n++;
  }
}

function copyForwarding(f: Forwarding): Forwarding {
  return { ...f };
}

function defaultForwarding(ctx: ValidationContext, vs: VirtualServer): Forwarding {
  if (!vs.forwarding) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: no forwarding method set, setting default NAT`);
    vs.forwarding = { method: 'NAT', ...DEFAULT_TUNNEL };
  }
  return vs.forwarding;
}

function validateVirtualServer(ctx: ValidationContext, config: KeepalivedConfig, vs: VirtualServer): void {
  const vsg = vs.kind === 'group' ? config.lvs.virtualServerGroups.find((g) => g.name === vs.groupName) : undefined;
  const vsgRanges = vsg ? vsg.entries.filter((e) => e.kind === 'range') : [];
  const vsgFwmarks = vsg ? vsg.entries.filter((e) => e.kind === 'fwmark') : [];
  const global = config.global;

  if (vs.haSuspend && (isFwmark(vs) || vsgFwmarks.length > 0)) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: cannot use ha_suspend with fwmarks - clearing ha_suspend`);
    vs.haSuspend = false;
  }

  if ((vsg && vsgRanges.length > 0) || (!vsg && !isFwmark(vs))) {
    if (!vs.protocol) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: no protocol set - defaulting to UDP`);
      vs.protocol = 'UDP';
    }
    if (vs.flags.includes('ops') && vs.protocol !== 'UDP') {
      ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: one packet scheduling requires UDP - resetting`);
      vs.flags = vs.flags.filter((f) => f !== 'ops');
    }
    if (!vs.persistenceTimeout && !vsg && !isFwmark(vs) && !(vs.address?.port ?? 0)) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: zero port only valid for persistent services - setting`);
      vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
    }
  }

  if (!vs.persistenceTimeout && vsg && vsgRanges.some((e) => e.port === 0)) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: zero port only valid for persistent services - setting`);
    vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
  }

  if (vs.protocol && ((vsg && vsgRanges.length === 0 && vsgFwmarks.length > 0) || (!vsg && isFwmark(vs)))) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Warning: Virtual server ${formatVs(vs)}: protocol specified for fwmark - protocol will be ignored`);
    delete vs.protocol;
  }

  if (!vs.scheduler) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: no scheduler set, setting default '${IPVS_DEF_SCHED}'`);
    vs.scheduler = IPVS_DEF_SCHED;
  }

  if (vs.smtpAlert === undefined) vs.smtpAlert = global.smtpAlertChecker ?? global.smtpAlert ?? false;

  let weightSum = 0;
  const kept: RealServer[] = [];
  for (const rs of vs.realServers) {
    if (kept.some((r) => sameAddress(r.address, rs.address))) {
      ctx.report(ConfigErr.GENERAL_ERROR, `VS ${formatVs(vs)}: real server ${formatRs(rs, vs)} is duplicated - removing second rs`);
      continue;
    }
    kept.push(rs);
    if (!rs.forwarding) rs.forwarding = copyForwarding(defaultForwarding(ctx, vs));
    rs.alpha ??= vs.alpha;
    rs.inhibitOnFailure ??= vs.inhibitOnFailure;
    if (rs.retry === undefined && vs.retry !== undefined) rs.retry = vs.retry;
    rs.connectTimeout ??= vs.connectTimeout;
    rs.delayLoop ??= vs.delayLoop;
    if (rs.warmup === undefined && vs.warmup !== undefined) rs.warmup = vs.warmup;
    if (rs.delayBeforeRetry === undefined && vs.delayBeforeRetry !== undefined) rs.delayBeforeRetry = vs.delayBeforeRetry;
    rs.weight ??= vs.weight;
    rs.smtpAlert ??= global.smtpAlertChecker ?? global.smtpAlert ?? true;
    weightSum += rs.weight;
    if (vs.sorryServer && sameAddress(vs.sorryServer.address, rs.address)) {
      if (vs.sorryServer.inhibit !== rs.inhibitOnFailure) {
        ctx.report(
          ConfigErr.GENERAL_ERROR,
          `Virtual server ${formatVs(vs)}: real server ${formatRs(rs, vs)} matches sorry server, but inhibit setting differs, ${rs.inhibitOnFailure ? 'sett' : 'clear'}ing on sorry server`,
        );
        vs.sorryServer.inhibit = rs.inhibitOnFailure;
      }
      vs.sorryServer.duplicatesRealServer = true;
    }
  }
  vs.realServers = kept;

  if (vs.sorryServer && !vs.sorryServer.forwarding) vs.sorryServer.forwarding = copyForwarding(defaultForwarding(ctx, vs));

  if (vs.quorum > weightSum) {
    ctx.report(
      ConfigErr.GENERAL_ERROR,
      `Warning - quorum ${vs.quorum} for ${formatVs(vs)} exceeds total weight of real servers ${weightSum}, reducing quorum to ${weightSum}`,
    );
    vs.quorum = weightSum;
  }
  if (vs.hysteresis >= vs.quorum) {
    const h = (vs.quorum - 1) >>> 0;
    ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)}: hysteresis ${vs.hysteresis} >= quorum ${vs.quorum}; setting hysteresis to ${h}`);
    vs.hysteresis = h;
  }

  checkPorts(ctx, vs, vsg);
}

/** Unless NAT, real/sorry server ports must match the service port (and be absent for fwmarks). */
function checkPorts(ctx: ValidationContext, vs: VirtualServer, vsg: VirtualServerGroup | undefined): void {
  const ss = vs.sorryServer;
  if (vsg) {
    if (vsg.entries.some((e) => e.kind === 'fwmark')) {
      for (const rs of vs.realServers) {
        if (rs.forwarding!.method === 'NAT') continue;
        if (rs.address.port)
          ctx.report(
            ConfigErr.GENERAL_ERROR,
            `WARNING - fwmark virtual server ${formatVs(vs)}, real server ${formatRs(rs, vs)} has port specified - port will be ignored`,
          );
      }
      if (ss && ss.forwarding!.method !== 'NAT' && ss.address.port)
        ctx.report(ConfigErr.GENERAL_ERROR, `WARNING - fwmark virtual server ${formatVs(vs)}, sorry server has port specified - port will be ignored`);
    }
    for (const e of vsg.entries) {
      if (e.kind !== 'range') continue;
      const vsge = e.start !== e.end ? `${e.start}-${e.end},${e.port}` : `${e.start},${e.port}`;
      for (const rs of vs.realServers) {
        if (rs.forwarding!.method === 'NAT') continue;
        if (rs.address.port && e.port !== rs.address.port)
          ctx.report(
            ConfigErr.GENERAL_ERROR,
            `virtual server ${formatVs(vs)}:[${vsge}] and real server ${formatRs(rs, vs)} ports don't match`,
          );
      }
      if (ss && ss.forwarding!.method !== 'NAT' && ss.address.port && e.port !== ss.address.port)
        ctx.report(ConfigErr.GENERAL_ERROR, `WARNING - virtual server ${formatVs(vs)}, sorry server has port specified - port will be ignored`);
    }
    return;
  }
  const vsPort = vs.address?.port ?? 0;
  for (const rs of vs.realServers) {
    if (rs.forwarding!.method === 'NAT') {
      if (!isFwmark(vs) && !rs.address.port) rs.address = withPort(rs.address, vsPort);
      continue;
    }
    if (isFwmark(vs)) {
      if (rs.address.port) {
        ctx.report(
          ConfigErr.GENERAL_ERROR,
          `WARNING - fwmark virtual server ${formatVs(vs)}, real server ${formatRs(rs, vs)} has port specified - clearing`,
        );
        rs.address = withPort(rs.address, 0);
      }
    } else if (!rs.address.port) rs.address = withPort(rs.address, vsPort);
    else if (vsPort !== rs.address.port) {
      ctx.report(
        ConfigErr.GENERAL_ERROR,
        `WARNING - virtual server ${formatVs(vs)} and real server ${formatRs(rs, vs)} ports don't match - resetting`,
      );
      rs.address = withPort(rs.address, vsPort);
    }
  }
  if (ss && ss.forwarding!.method !== 'NAT') {
    if (isFwmark(vs)) {
      if (ss.address.port) {
        ctx.report(ConfigErr.GENERAL_ERROR, `WARNING - virtual server ${formatVs(vs)}, sorry server has port specified - clearing`);
        ss.address = withPort(ss.address, 0);
      }
    } else if (!ss.address.port) ss.address = withPort(ss.address, vsPort);
    else if (vsPort !== ss.address.port) {
      ctx.report(ConfigErr.GENERAL_ERROR, `WARNING - virtual server ${formatVs(vs)} and sorry server ports don't match - resetting`);
      ss.address = withPort(ss.address, vsPort);
    }
  }
}

/** Checker defaults: checker → real server → checker type default (validate_check_config's checker loop). */
function resolveCheckers(vs: VirtualServer): void {
  for (const rs of vs.realServers) {
    for (const c of rs.checkers) {
      c.alpha ??= rs.alpha;
      if (c.type === 'BFD_CHECK') continue; // no launch function: only alpha is inherited
      c.retry ??= rs.retry ?? c.defaultRetry;
      if (c.connection && c.connection.connectTimeout === undefined) c.connection.connectTimeout = rs.connectTimeout;
      c.delayLoop ??= rs.delayLoop;
      c.warmup ??= rs.warmup ?? c.delayLoop;
      c.delayBeforeRetry ??= rs.delayBeforeRetry ?? (c.defaultDelayBeforeRetry || c.delayLoop);
    }
  }
}

/** Every script the checker process would run: MISC_CHECK scripts, quorum_up/down, notify_up/down. */
export function lvsScripts(config: KeepalivedConfig): ScriptSpec[] {
  const out: ScriptSpec[] = [];
  for (const vs of config.lvs.virtualServers) {
    for (const rs of vs.realServers)
      for (const c of rs.checkers) if (c.type === 'MISC_CHECK' && c.script) out.push(c.script);
  }
  for (const vs of config.lvs.virtualServers) {
    if (vs.quorumUp) out.push(vs.quorumUp);
    if (vs.quorumDown) out.push(vs.quorumDown);
    for (const rs of vs.realServers) {
      if (rs.notifyUp) out.push(rs.notifyUp);
      if (rs.notifyDown) out.push(rs.notifyDown);
    }
  }
  return out;
}

export function validateLvs(ctx: ValidationContext): void {
  const config = ctx.config;
  const vss = config.lvs.virtualServers;
  linkGroups(vss, config.lvs.virtualServerGroups);
  for (const vs of [...vss]) {
    if (vs.realServers.length === 0) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server ${formatVs(vs)} has no real servers - ignoring`);
      vss.splice(vss.indexOf(vs), 1);
      continue;
    }
    validateVirtualServer(ctx, config, vs);
  }
  for (const vs of vss) resolveCheckers(vs);
  // keepalived's check_check_script_security(): the checker process's scripts and its FIFO readers
  if (vss.length) checkScriptGroup(ctx, 'check', [...lvsScripts(config), ...checkGlobalScripts(config)]);
}

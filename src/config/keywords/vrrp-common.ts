/**
 * Helpers shared by the VRRP keyword tables: interface lookup with keepalived's
 * if_get_by_ifname() semantics, the entry-parser context, settings read from other areas of the
 * model, and the track_* list entries (vrrp_track.c alloc_track_*, track_file.c).
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, Strvec } from '../keyword-table.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { TrackedInterface, TrackedRef, VrrpInstance, VrrpSyncGroup } from '../model/vrrp.js';
import type { EntryContext } from '../entries/context.js';
import { need, readInt } from '../values.js';

/** A track_file (global `track_file` / `vrrp_track_file` block) by name. */
/** A track_file (global `track_file` / `vrrp_track_file` block) by name. */
export function findTrackFile(config: KeepalivedConfig, name: string): { weight: number; reverse: boolean } | undefined {
  const f = config.global.trackFiles.find((x) => x.name === name);
  return f ? { weight: f.weight, reverse: f.weightReverse } : undefined;
}

/** A bfd_instance by name (keepalived's vrrp_tracked_bfd, made from each bfd_instance). */
export function findTrackBfd(config: KeepalivedConfig, name: string): { weight: number; reverse: boolean } | undefined {
  const b = config.bfd.instances.find((x) => x.name === name);
  return b ? { weight: b.weight, reverse: b.weightReverse } : undefined;
}

/* ---- interfaces ---- */

const DYN_KEY = 'vrrp.dynamicInterfaces';

function createdInterfaces(ctx: KeywordContext): Set<string> {
  let s = ctx.scratch.get(DYN_KEY) as Set<string> | undefined;
  if (!s) {
    s = new Set();
    ctx.scratch.set(DYN_KEY, s);
  }
  return s;
}

/** if_get_by_ifname(name, IF_NO_CREATE). */
export function interfaceExists(ctx: KeywordContext, name: string): boolean {
  return ctx.host.interface(name) !== undefined || createdInterfaces(ctx).has(name);
}

/**
 * if_get_by_ifname(name, IF_CREATE_IF_DYNAMIC): with dynamic_interfaces a missing interface is
 * created (and usable); otherwise it is recorded as non-existent, which makes keepalived refuse
 * the VRRP configuration after parsing.
 */
export function interfaceUsable(ctx: KeywordContext, name: string): boolean {
  if (interfaceExists(ctx, name)) return true;
  if (ctx.config.global.dynamicInterfaces) {
    createdInterfaces(ctx).add(name);
    return true;
  }
  if (!ctx.config.vrrp.missingInterfaces.includes(name)) ctx.config.vrrp.missingInterfaces.push(name);
  return false;
}

/** The entry parsers' view of the parse. */
export function entryContext(ctx: KeywordContext): EntryContext {
  return {
    report: (level, message) => ctx.report(level, message),
    get position() {
      return ctx.position;
    },
    interfaceUsable: (name) => interfaceUsable(ctx, name),
    interfaceExists: (name) => interfaceExists(ctx, name),
    defaultInterface: () => {
      const name = ctx.config.global.defaultInterface ?? 'eth0';
      return interfaceUsable(ctx, name) ? name : undefined;
    },
    trackGroupExists: (name) => ctx.config.vrrp.trackGroups.some((g) => g.name === name),
    nextRulePriority: (family) => {
      const key = `vrrp.nextRulePriority.${family}`;
      const n = (ctx.scratch.get(key) as number | undefined) ?? 16384;
      ctx.scratch.set(key, n - 1);
      return n;
    },
  };
}

/* ---- the current block ---- */

export const currentInstance = (ctx: KeywordContext): VrrpInstance => ctx.config.vrrp.instances[ctx.config.vrrp.instances.length - 1]!;
export const currentSyncGroup = (ctx: KeywordContext): VrrpSyncGroup => ctx.config.vrrp.syncGroups[ctx.config.vrrp.syncGroups.length - 1]!;

/* ---- track_* entries ---- */

/** alloc_track_if(): `IF [weight W [reverse]]`. */
export function trackInterfaceEntry(ctx: KeywordContext, owner: string, list: TrackedInterface[], strvec: Strvec): void {
  const tracked = need(ctx, strvec, 0);
  if (!interfaceUsable(ctx, tracked)) {
    ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) tracked interface ${tracked} doesn't exist`);
    return;
  }
  if (list.some((t) => t.name === tracked)) {
    ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) duplicate track_interface ${tracked} - ignoring`);
    return;
  }
  let weight = 0;
  let reverse = false;
  if (strvec.length >= 2) {
    if (strvec[1] !== 'weight') {
      ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) unknown track_interface ${tracked} option ${strvec[1]} - ignoring`);
      return;
    }
    if (strvec.length === 2) {
      ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) weight without value specified for track_interface ${tracked} - ignoring`);
      return;
    }
    const w = readInt(ctx, strvec[2]!, -254, 254);
    if (w === undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) weight ${strvec[2]} for ${tracked} must be between [-253..253] inclusive. Ignoring...`);
      weight = 0;
    } else if (w === -254 || w === 254) {
      ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) weight for ${tracked} cannot be +/-254. Setting to +/-253`);
      weight = w < 0 ? -253 : 253;
    } else weight = w;
    if (strvec.length >= 4) {
      if (strvec[3] === 'reverse') reverse = true;
      else ctx.report(ConfigErr.GENERAL_ERROR, `(${owner}) unknown track_interace ${tracked} weight option ${strvec[3]} - ignoring`);
    }
  }
  list.push({ at: ctx.position, name: tracked, weight, reverse });
}

type RefKind = 'script' | 'file' | 'process' | 'bfd';

/** alloc_track_script / vrrp_alloc_track_file / alloc_track_process / alloc_track_bfd. */
export function trackRefEntry(ctx: KeywordContext, kind: RefKind, owner: string, list: TrackedRef[], strvec: Strvec): void {
  const tracked = need(ctx, strvec, 0);
  const R = (m: string) => ctx.report(ConfigErr.GENERAL_ERROR, m);
  let target: { weight: number; reverse: boolean } | undefined;
  if (kind === 'script') {
    const s = ctx.config.vrrp.scripts.find((x) => x.name === tracked);
    if (s) target = { weight: s.weight, reverse: s.reverse };
  } else if (kind === 'process') {
    const p = ctx.config.vrrp.trackProcesses.find((x) => x.name === tracked);
    if (p) target = { weight: p.weight, reverse: p.reverse };
  } else if (kind === 'file') target = findTrackFile(ctx.config, tracked);
  else target = findTrackBfd(ctx.config, tracked);

  if (!target) {
    R(`(${owner}) track ${kind} ${tracked} not found, ignoring...`);
    return;
  }
  if (list.some((t) => t.name === tracked)) {
    R(`(${owner}) duplicate track_${kind} ${tracked} - ignoring`);
    return;
  }
  let { weight, reverse } = target;
  if (strvec.length >= 2) {
    if (strvec[1] !== 'weight') {
      R(kind === 'bfd' ? `(${owner}) unknown track bfd ${tracked} option ${strvec[1]} - ignoring` : `(${owner}) unknown track ${kind} option ${strvec[1]} - ignoring`);
      return;
    }
    if (strvec.length === 2) {
      R(`(${owner}) weight without value specified for track ${kind} ${tracked} - ignoring`);
      return;
    }
    const limit = kind === 'bfd' ? 253 : 254;
    const w = readInt(ctx, strvec[2]!, -limit, limit);
    if (w === undefined) {
      if (kind === 'script') R(`(${owner}) track script ${tracked}: weight must be between [-253..253] inclusive, ignoring...`);
      else if (kind === 'process') R(`(${owner}) weight for track process ${tracked} must be in [-254..254] inclusive. Ignoring...`);
      else if (kind === 'file') R(`(${owner}) weight for track file ${tracked} must be in [-254..254] inclusive. Ignoring...`);
      else R(`(${owner}) weight for track bfd ${tracked} must be in [-253..253] inclusive. Ignoring...`);
    } else if (kind === 'script' && (w === -254 || w === 254)) {
      R(`(${owner}) weight for ${tracked} cannot be +/-254. Setting to +/-253`);
      weight = w < 0 ? -253 : 253;
    } else weight = w;
    if (strvec.length >= 4) {
      if (strvec[3] === 'reverse') reverse = true;
      else if (strvec[3] === 'noreverse') reverse = false;
      else {
        const what = { script: 'track_script', process: 'track_process', file: 'track file', bfd: 'track bfd' }[kind];
        R(`(${owner}) unknown ${what} ${tracked} weight option ${strvec[3]} - ignoring`);
        if (kind === 'file' || kind === 'bfd') return;
      }
    }
  }
  list.push({ at: ctx.position, name: tracked, weight, reverse });
}

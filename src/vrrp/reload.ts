/**
 * Config reload (SIGHUP) as keepalived 2.2.7 does it: a diff, not a restart (vrrp.c vrrp_exist,
 * clear_diff_vrrp, clear_diff_vrrp_vip, restore_vrrp_state, the reload paths of vrrp_complete_init,
 * vrrp_init_state and vrrp_init_sands; vrrp_daemon.c sigreload_vrrp / reload_vrrp_thread).
 *
 * - An old instance matches a new one by VRID, family, interface, unicast-ness, unicast source
 *   address, VMAC flags and multicast group — not by name (vrrp_exist).
 * - A matched instance keeps its MASTER/BACKUP state (a MASTER does not flap: no state change, no
 *   notify, no priority-0 advert; it adverts at once), its stats and AH sequence number (those
 *   live in the driver: ReloadResult.matched says which old name became which new name).
 * - VIPs/eVIPs/routes/rules of a kept MASTER: removed ones are deleted, new ones added (with
 *   GARPs when addresses were added). Changed settings (priority, advert_int, trackers …) apply.
 * - Removed instances: a MASTER sends priority 0 and releases; DELETED is reported (as FAULT
 *   unless notify_deleted). New instances start as at startup.
 */
import type { IpAddressEntry } from '../config/model/vrrp.js';
import type { InstanceSettings } from './instance-settings.js';
import type { Action, TrackerInit, VrrpStateName } from './instance-types.js';
import type { VrrpInstanceCore } from './instance.js';
import type { SyncGroupCore } from './sync-group.js';

/** How a driver describes the running system to a reload (as to a start). */
export interface ReloadInit {
  /** Per (new) instance name: tracker states (default: the matched old instance's). */
  readonly trackers?: Record<string, readonly TrackerInit[]>;
  /** Per (new) instance name: the interface's primary address (default: the matched old one's). */
  readonly primaryAddress?: Record<string, string>;
}

export interface ReloadMatch {
  readonly old: string;
  readonly new: string;
  /** Settings identical apart from the name and source positions (such an instance must not flap). */
  readonly unchanged: boolean;
}

export interface ReloadResult {
  /** All actions, in order: `before` then `after`. */
  readonly actions: Action[];
  /** Actions of the old instances (owners are old names): adverts before the reload, removed instances leaving. */
  readonly before: Action[];
  /** Actions of the new instances (owners are new names). */
  readonly after: Action[];
  readonly matched: readonly ReloadMatch[];
  /** New instances (no old instance matched them). */
  readonly added: readonly string[];
  /** Old instances the new config no longer has. */
  readonly removed: readonly string[];
}

/* ------------------------------------------------------------------ entry diffs */

/** An entry without its source position, as text (keepalived compares the entries' contents). */
export function entryKey(e: object): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'at' ? undefined : v instanceof Uint8Array ? [...v] : v));
}

/** Entries of `next` that `prev` does not have. */
export function addedEntries<T extends object>(prev: readonly T[], next: readonly T[]): T[] {
  const have = new Set(prev.map(entryKey));
  return next.filter((e) => !have.has(entryKey(e)));
}

/** Entries of `prev` that `next` no longer has. */
export function removedEntries<T extends object>(prev: readonly T[], next: readonly T[]): T[] {
  return addedEntries(next, prev);
}

/** Settings equal apart from the instance name and source positions. */
export function sameSettings(a: InstanceSettings, b: InstanceSettings): boolean {
  return entryKey({ ...a, name: '' }) === entryKey({ ...b, name: '' });
}

/* ------------------------------------------------------------------ matching */

function defaultGroup(family: 'inet' | 'inet6'): string {
  return family === 'inet' ? '224.0.0.18' : 'ff02::12';
}

/**
 * vrrp_exist(): the new instance an old one continues as, if any. `newSource` gives a new
 * instance's source address (configured, else the interface's primary address).
 */
export function vrrpExist(
  old: VrrpInstanceCore,
  candidates: readonly VrrpInstanceCore[],
  newSource: (n: VrrpInstanceCore) => string | undefined,
): VrrpInstanceCore | undefined {
  const o = old.settings;
  for (const n of candidates) {
    const s = n.settings;
    if (s.vrid !== o.vrid || s.family !== o.family || (s.interface ?? '') !== (o.interface ?? '')) continue;
    const uo = o.unicastPeers.length > 0;
    const un = s.unicastPeers.length > 0;
    if (uo !== un) continue;
    if (un) {
      if ((old.source ?? o.sourceAddress) !== newSource(n)) continue;
      return n;
    }
    // keepalived gives up (returns NULL) on a VMAC or multicast group mismatch
    if (!!s.useVmac !== !!o.useVmac || !!s.vmacAddr !== !!o.vmacAddr) return undefined;
    if ((s.mcastGroup ?? defaultGroup(s.family)).toLowerCase() !== (o.mcastGroup ?? defaultGroup(o.family)).toLowerCase()) return undefined;
    return n;
  }
  return undefined;
}

/* ------------------------------------------------------------------ removal diff of a kept instance */

/**
 * clear_diff_vrrp_vrules / _vroutes / _vip for a matched instance whose old incarnation had its
 * VIPs set: delete what the new config no longer has; switch the no_accept firewall rules if
 * accept mode changes (owner = the new name).
 */
export function clearDiffActions(old: VrrpInstanceCore, next: InstanceSettings): Action[] {
  const out: Action[] = [];
  if (!old.vipset) return out;
  const o = old.settings;
  const owner = next.name;
  const rules = removedEntries(o.virtualRules, next.virtualRules);
  if (rules.length) out.push({ type: 'remove-rules', owner, rules });
  const routes = removedEntries(o.virtualRoutes, next.virtualRoutes);
  if (routes.length) out.push({ type: 'remove-routes', owner, routes });
  const newAddrs = [...next.vips, ...next.evips];
  const goneVips: IpAddressEntry[] = removedEntries(o.vips, newAddrs);
  const goneEvips: IpAddressEntry[] = removedEntries(o.evips, newAddrs);
  const oldOpen = old.basePriority === 255 || o.accept;
  const newOpen = next.priority === 255 || next.accept;
  if (oldOpen !== newOpen) out.push({ type: 'firewall-drop', owner, add: !newOpen });
  if (goneVips.length) out.push({ type: 'remove-vips', owner, excluded: false, addresses: goneVips });
  if (goneEvips.length) out.push({ type: 'remove-vips', owner, excluded: true, addresses: goneEvips });
  return out;
}

/* ------------------------------------------------------------------ the whole reload */

export interface ReloadInput {
  readonly oldInstances: readonly VrrpInstanceCore[];
  readonly oldGroups: readonly SyncGroupCore[];
  /** Fresh cores built from the new config (not started), and their sync groups. */
  readonly instances: readonly VrrpInstanceCore[];
  readonly groups: readonly SyncGroupCore[];
}

/** Run a reload over fresh cores; the caller then drives the new cores (VrrpEngine.reload does). */
export function reloadCores(input: ReloadInput, now: number, init: ReloadInit = {}): ReloadResult {
  const out: Action[] = [];
  // sigreload_vrrp(): every MASTER sends an advert before the reload starts
  for (const o of input.oldInstances) {
    if (o.state !== 'MASTER') continue;
    o.bindSink(out, now);
    o.sendAdv(o.effectivePriority);
  }

  const newSource = (n: VrrpInstanceCore, old?: VrrpInstanceCore) =>
    n.settings.sourceAddress ?? init.primaryAddress?.[n.name] ?? old?.source;
  const oldOf = new Map<VrrpInstanceCore, VrrpInstanceCore>(); // new → old
  const matched: ReloadMatch[] = [];
  const removed: string[] = [];
  const taken = new Set<VrrpInstanceCore>();
  for (const o of input.oldInstances) {
    const free = input.instances.filter((n) => !taken.has(n));
    const n = vrrpExist(o, free, (c) => newSource(c, o));
    if (!n) continue;
    taken.add(n);
    oldOf.set(n, o);
    matched.push({ old: o.name, new: n.name, unchanged: sameSettings(o.settings, n.settings) });
  }

  // clear_diff_vrrp(): removed instances first, then the removals of the kept ones
  for (const o of input.oldInstances) {
    if ([...oldOf.values()].includes(o)) continue;
    removed.push(o.name);
    out.push(...o.reloadDelete(now));
  }
  const before = out.splice(0);
  for (const [n, o] of oldOf) out.push(...clearDiffActions(o, n.settings));

  // trackers and source addresses carry over from the matched instance unless the driver says
  const trackers: Record<string, readonly TrackerInit[]> = {};
  const primaryAddress: Record<string, string> = {};
  for (const n of input.instances) {
    const o = oldOf.get(n);
    const given = init.trackers?.[n.name] ?? [];
    const carried = o ? o.trackerInits().filter((t) => !given.some((g) => g.kind === t.kind && g.name === t.name)) : [];
    trackers[n.name] = [...carried, ...given];
    const p = init.primaryAddress?.[n.name] ?? (o && n.settings.interface === o.settings.interface ? o.source : undefined);
    if (p !== undefined) primaryAddress[n.name] = p;
  }

  // vrrp_init_state / vrrp_init_sands: groups first, then lone instances (as at startup)
  for (const g of input.groups) {
    const old = new Map<string, VrrpInstanceCore>();
    for (const m of g.members) {
      const o = oldOf.get(m);
      if (o) old.set(m.name, o);
    }
    const og = input.oldGroups.find((x) => x.name === g.name);
    const oldState: VrrpStateName | undefined = og?.state;
    out.push(...g.reload(now, { trackers, primaryAddress }, { old, ...(oldState !== undefined ? { oldState } : {}) }));
  }
  for (const n of input.instances) {
    if (n.sync) continue;
    out.push(...n.reloadStart(now, oldOf.get(n), trackers[n.name] ?? [], primaryAddress[n.name]));
  }
  const added = input.instances.filter((n) => !oldOf.has(n)).map((n) => n.name);
  return { actions: [...before, ...out], before, after: out, matched, added, removed };
}

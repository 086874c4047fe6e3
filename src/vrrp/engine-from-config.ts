/**
 * A VrrpEngine built from a loaded keepalived.conf model, the way a driver builds it: one core per
 * vrrp_instance (settings derived from the model), one SyncGroupCore per vrrp_sync_group.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import { VrrpEngine } from './engine.js';
import { VrrpInstanceCore, type InstanceOptions } from './instance.js';
import { deriveInstanceSettings, deriveSyncGroupSettings } from './instance-settings.js';
import { SyncGroupCore } from './sync-group.js';

/** `options` reach every instance core (e.g. -D, which changes what they log and a v3 timing). */
export function engineFromConfig(config: KeepalivedConfig, options: InstanceOptions = {}): VrrpEngine {
  const g = config.global;
  const v = config.vrrp;
  const cores = v.instances.map(
    (inst) =>
      new VrrpInstanceCore(
        deriveInstanceSettings(inst, g, {
          scripts: v.scripts,
          ...(inst.syncGroup !== undefined ? { syncGroup: v.syncGroups.find((s) => s.name === inst.syncGroup)! } : {}),
        }),
        options,
      ),
  );
  const groups: SyncGroupCore[] = [];
  for (const sg of v.syncGroups) {
    const members = sg.members.map((m) => cores.find((c) => c.name === m)).filter((c): c is VrrpInstanceCore => c !== undefined);
    if (members.length) groups.push(new SyncGroupCore(deriveSyncGroupSettings(sg, g), members));
  }
  return new VrrpEngine(cores, groups);
}

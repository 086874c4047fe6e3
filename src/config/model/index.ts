/**
 * The typed model of a keepalived.conf, with keepalived's defaults resolved after validation.
 * Each area has its own file; this one assembles them. Every block object records where it
 * was written (`at`), so that later tools (lint, status) can point at the user's line.
 */
import { emptyGlobalConfig, type GlobalConfig } from './global.js';
import { emptyVrrpConfig, type VrrpConfig } from './vrrp.js';
import { emptyLvsConfig, type LvsConfig } from './lvs.js';
import { emptyBfdConfig, type BfdConfig } from './bfd.js';

export interface KeepalivedConfig {
  /** global_defs and the root-level global keywords (net_namespace, instance, …), plus track_file etc. */
  global: GlobalConfig;
  /** vrrp_script, vrrp_track_process, vrrp_sync_group, garp_group, vrrp_instance, static_*. */
  vrrp: VrrpConfig;
  /** virtual_server_group, virtual_server, SSL. */
  lvs: LvsConfig;
  /** bfd_instance. */
  bfd: BfdConfig;
}

export function emptyConfig(hostname: string): KeepalivedConfig {
  return {
    global: emptyGlobalConfig(hostname),
    vrrp: emptyVrrpConfig(),
    lvs: emptyLvsConfig(),
    bfd: emptyBfdConfig(),
  };
}

/**
 * keepalived.stats, the file the VRRP process writes on SIGUSR2 (STATS) and SIGRTMAX-1
 * (STATS_CLEAR), in keepalived 2.2.7's exact format (vrrp_print_stats(), a build with
 * VRRP authentication). Users and monitoring scripts parse it line by line.
 */
import type { VrrpInstanceStats } from './vrrp-stats.js';

export interface NamedStats {
  readonly name: string;
  readonly stats: VrrpInstanceStats;
}

/** The whole file: one block per instance, in configuration order. */
export function formatStatsFile(instances: readonly NamedStats[]): string {
  let out = '';
  for (const { name, stats: s } of instances) {
    out +=
      `VRRP Instance: ${name}\n` +
      `  Advertisements:\n` +
      `    Received: ${s.advert_rcvd}\n` +
      `    Sent: ${s.advert_sent}\n` +
      `  Became master: ${s.become_master}\n` +
      `  Released master: ${s.release_master}\n` +
      `  Packet Errors:\n` +
      `    Length: ${s.packet_len_err}\n` +
      `    TTL: ${s.ip_ttl_err}\n` +
      `    Invalid Type: ${s.invalid_type_rcvd}\n` +
      `    Advertisement Interval: ${s.advert_interval_err}\n` +
      `    Address List: ${s.addr_list_err}\n` +
      `  Authentication Errors:\n` +
      `    Invalid Type: ${s.invalid_authtype}\n` +
      `    Type Mismatch: ${s.authtype_mismatch}\n` +
      `    Failure: ${s.auth_failure}\n` +
      `  Priority Zero:\n` +
      `    Received: ${s.pri_zero_rcvd}\n` +
      `    Sent: ${s.pri_zero_sent}\n`;
  }
  return out;
}

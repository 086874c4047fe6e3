/**
 * Events in and actions out of the VRRP instance core (instance.ts) and the sync group core
 * (sync-group.ts). Every event carries the current time `now` in integer microseconds.
 */
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry } from '../config/model/vrrp.js';
import type { TrackerKind } from './instance-settings.js';

/** DELETED: only in the state-changed action of an instance a reload removed. */
export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'DELETED';

/** An advert that reached this instance and passed every receive check (see receive-checks.ts). */
export interface ReceivedAdvert {
  /** Source IP address of the packet. */
  readonly source: string;
  readonly priority: number;
  /** As carried: centiseconds for v3 (12 bits), whole seconds for v2. */
  readonly advertInterval: number;
  readonly vips: readonly string[];
  readonly version: 2 | 3;
}

/** Initial state of a tracker at start (anything not listed: interfaces/processes/bfd up, files 0, scripts not yet reported). */
export interface TrackerInit {
  readonly kind: TrackerKind;
  readonly name: string;
  readonly up?: boolean;
  readonly value?: number;
}

export type InstanceEvent =
  | {
      readonly type: 'start';
      readonly now: number;
      readonly trackers?: readonly TrackerInit[];
      /** The interface's primary address, used when no mcast_src_ip/unicast_src_ip is configured. */
      readonly primaryAddress?: string;
    }
  | { readonly type: 'timer'; readonly now: number }
  | { readonly type: 'advert'; readonly now: number; readonly advert: ReceivedAdvert }
  /** A packet for this VRID that failed the receive checks (keepalived still reschedules on it). */
  | { readonly type: 'advert-rejected'; readonly now: number }
  | { readonly type: 'interface'; readonly now: number; readonly name: string; readonly up: boolean }
  /** A tracker's new state: up/down for scripts (after rise/fall), processes (quorum), bfd, interfaces; value for files. */
  | { readonly type: 'tracker'; readonly now: number; readonly kind: TrackerKind; readonly name: string; readonly up?: boolean; readonly value?: number }
  | { readonly type: 'vip-deleted'; readonly now: number; readonly address: string }
  /** Change the configured (base) priority at run time. */
  | { readonly type: 'set-priority'; readonly now: number; readonly priority: number }
  /**
   * keepalived-ts extension (settings.majorityRequired, see src/split-brain/): whether this
   * director now holds a majority of its group's votes, i.e. may be MASTER.
   */
  | { readonly type: 'majority'; readonly now: number; readonly held: boolean; readonly reason: string }
  | { readonly type: 'stop'; readonly now: number };

/** keepalived's per-instance statistics counter names (vrrp_stats). */
export type StatCounter =
  | 'advert_rcvd'
  | 'advert_sent'
  | 'become_master'
  | 'release_master'
  | 'pri_zero_rcvd'
  | 'pri_zero_sent'
  | 'packet_len_err'
  | 'invalid_type_rcvd'
  | 'addr_list_err'
  | 'auth_failure';

export type NotifyKind =
  | 'notify_master'
  | 'notify_backup'
  | 'notify_fault'
  | 'notify_stop'
  | 'notify_deleted'
  | 'notify'
  | 'notify_master_rx_lower_pri';

export type Action =
  /** Send an advert carrying `priority` (0 = "I am leaving"). To every unicast peer, or multicast. */
  | { readonly type: 'send-advert'; readonly owner: string; readonly priority: number }
  | { readonly type: 'add-vips'; readonly owner: string; readonly excluded: boolean; readonly addresses: readonly IpAddressEntry[] }
  | { readonly type: 'remove-vips'; readonly owner: string; readonly excluded: boolean; readonly addresses: readonly IpAddressEntry[] }
  | { readonly type: 'add-routes'; readonly owner: string; readonly routes: readonly IpRouteEntry[] }
  | { readonly type: 'remove-routes'; readonly owner: string; readonly routes: readonly IpRouteEntry[] }
  | { readonly type: 'add-rules'; readonly owner: string; readonly rules: readonly IpRuleEntry[] }
  | { readonly type: 'remove-rules'; readonly owner: string; readonly rules: readonly IpRuleEntry[] }
  /** no_accept: install (add) or remove the firewall rules dropping traffic to the VIPs. */
  | { readonly type: 'firewall-drop'; readonly owner: string; readonly add: boolean }
  /**
   * GARP (IPv4) / unsolicited NA (IPv6): `repeat` rounds, each round one per address in
   * order (VIPs then eVIPs), spaced by vrrp_garp_interval / vrrp_gna_interval by the driver.
   */
  | { readonly type: 'send-garp'; readonly owner: string; readonly addresses: readonly IpAddressEntry[]; readonly repeat: number }
  /** Run a notify script with exactly this argv (timeout in µs: 1 s for STOP scripts). */
  | { readonly type: 'run-script'; readonly owner: string; readonly kind: NotifyKind; readonly argv: readonly string[]; readonly timeout?: number }
  /** One line for notify_fifo / vrrp_notify_fifo (with its trailing newline). */
  | { readonly type: 'fifo'; readonly owner: string; readonly line: string }
  | { readonly type: 'stat'; readonly owner: string; readonly counter: StatCounter }
  | { readonly type: 'log'; readonly owner: string; readonly message: string }
  | {
      readonly type: 'state-changed';
      readonly owner: string;
      readonly group: boolean;
      readonly from: VrrpStateName;
      readonly to: VrrpStateName;
      readonly reason: string;
    };

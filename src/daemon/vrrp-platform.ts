/**
 * What the VRRP driver needs from the operating system, as narrow interfaces: packets in and
 * out per interface, neighbour announcements, addresses/routes/rules, the link and address
 * view, and trackers. linux-vrrp-platform.ts implements them with raw sockets, rtnetlink and
 * processes.
 */
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry } from '../config/model/vrrp.js';

export interface VrrpPacket {
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  readonly payload: Uint8Array;
}

export interface PacketPort {
  joinGroup(group: string): void;
  leaveGroup(group: string): void;
  /** False when the kernel refused the packet (queue full, link down …). */
  /** `source`: for IPv6, the address the encoder put in the checksum's pseudo-header. */
  send(frame: { destination: string; ttl: number; payload: Uint8Array; source?: string }): boolean;
  onPacket(cb: (p: VrrpPacket) => void): void;
  close(): void;
}

export type AddressChange = 'added' | 'exists' | 'removed' | 'absent';

export interface AddressPort {
  addAddress(e: IpAddressEntry, ifname: string): AddressChange;
  deleteAddress(e: IpAddressEntry, ifname: string): AddressChange;
  addRoute(r: IpRouteEntry): void;
  deleteRoute(r: IpRouteEntry): void;
  addRule(r: IpRuleEntry): void;
  deleteRule(r: IpRuleEntry): void;
}

export type LinkEvent =
  | { readonly type: 'link'; readonly name: string; readonly up: boolean }
  | { readonly type: 'address'; readonly added: boolean; readonly ifname: string; readonly address: string };

export interface LinkView {
  /** Up and running (carrier), undefined when there is no such link. */
  linkUp(name: string): boolean | undefined;
  /** keepalived's choice of the link's own address; `exclude`: addresses that are not (our VIPs). */
  primaryAddress(ifname: string, family: 'inet' | 'inet6', exclude?: (address: string) => boolean): string | undefined;
  hasAddress(ifname: string, address: string): boolean;
  onEvent(cb: (e: LinkEvent) => void): void;
}

/** no_accept: drop traffic to and from these addresses (add) or stop dropping it. */
export interface FirewallPort {
  dropTraffic(addresses: readonly string[], add: boolean): void;
}

/** A packet on a link that claims an address for a MAC (ARP, neighbour discovery): VIP conflict detection. */
export interface NeighbourClaimSeen {
  readonly ifname: string;
  readonly address: string;
  readonly mac: string;
  readonly how: import('../vrrp/vip-conflict.js').SightingKind;
}

/** VIP conflict detection: ARP probes / DAD NSs out, other hosts' address claims in. */
export interface NeighbourPort {
  /** Receive ARP (inet) or neighbour discovery (inet6) on the interface. Idempotent; throws when it cannot. */
  watch(ifname: string, family: 'inet' | 'inet6'): void;
  /** One probe for `address` on `ifname`; false when nothing was sent (lastError says why). */
  probe(ifname: string, address: string): boolean;
  onClaim(cb: (c: NeighbourClaimSeen) => void): void;
  readonly lastError: string | undefined;
  close(): void;
}

export interface VrrpPlatform {
  packets(family: 'inet' | 'inet6', ifname: string, protocol: 112 | 51): PacketPort;
  readonly firewall: FirewallPort;
  announce(ifname: string, address: string): boolean;
  /** VIP conflict detection (absent: not available, the driver does none). */
  readonly neighbours?: NeighbourPort;
  readonly addresses: AddressPort;
  readonly links: LinkView;
  close(): void;
}

/** vrrp_script, track_file and vrrp_track_process results, as the cores want them. */
export interface TrackerHub {
  /** The trackers' current results (for the start and reload events). */
  initial(): import('../vrrp/instance-types.js').TrackerInit[];
  onChange(cb: (t: { kind: 'script' | 'file' | 'process'; name: string; up?: boolean; value?: number }) => void): void;
  /** A new config: trackers still configured keep running and keep their results. */
  reload(config: import('../config/model/index.js').KeepalivedConfig): void;
  close(): void;
}

/** Notify scripts and FIFO lines. */
export interface NotifyPort {
  run(owner: string, kind: string, argv: readonly string[], timeoutUs: number | undefined): void;
  fifo(line: string): void;
  /** Wait (at most `timeoutMs`) for running notify scripts — at stop, the STOP scripts. */
  drain(timeoutMs: number): Promise<void>;
  reload(config: import('../config/model/index.js').KeepalivedConfig): void;
  close(): void;
}

/**
 * The desired load-balancing table, as the LVS core computes it from config and health, and as
 * every data plane (proxy, nft, ipvs) applies it. Plain data: two tables are compared to apply
 * only the difference.
 */
export type ServiceProtocol = 'TCP' | 'UDP' | 'SCTP';

export type ServiceKey =
  | { readonly kind: 'address'; readonly family: 'inet' | 'inet6'; readonly address: string; readonly port: number; readonly protocol: ServiceProtocol }
  | { readonly kind: 'fwmark'; readonly family: 'inet' | 'inet6'; readonly fwmark: number };

export interface DesiredDestination {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly port: number;
  /** 0 = no new connections (inhibit_on_failure, or draining). */
  readonly weight: number;
  readonly forwarding: 'NAT' | 'DR' | 'TUN';
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  /** This destination is the sorry server. */
  readonly sorry?: boolean;
}

export interface DesiredService {
  /** Stable text form of the key, e.g. "TCP 10.0.0.1:80" or "FWM 5" (ipvsadm's notation). */
  readonly id: string;
  readonly key: ServiceKey;
  readonly scheduler: string;
  readonly flags: readonly string[];
  /** persistence_timeout in seconds, and the granularity (netmask / prefix length). */
  readonly persistence?: { readonly timeout: number; readonly granularity?: string | number };
  readonly destinations: readonly DesiredDestination[];
}

export interface DesiredTable {
  readonly services: readonly DesiredService[];
}

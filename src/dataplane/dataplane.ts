/**
 * One interface, several backends (proxy, nft, ipvs): a data plane is given the desired table
 * and makes the host forward accordingly, changing only what differs from what it has.
 */
import type { DesiredTable } from '../lvs/table-types.js';

export interface DestinationStats {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly activeConnections: number;
  readonly inactiveConnections: number;
  readonly connections: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface ServiceStats {
  readonly id: string;
  readonly scheduler: string;
  readonly connections: number;
  /** Service totals of packets (optional: a backend without them shows the destinations' sum). */
  readonly packetsIn?: number;
  readonly packetsOut?: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly destinations: readonly DestinationStats[];
}

export interface DataPlane {
  readonly name: 'proxy' | 'nft' | 'ipvs';
  /** Make the host match `table` (idempotent; only differences are applied). */
  apply(table: DesiredTable): Promise<void>;
  /** A VIP appeared on / left this host (the proxy listens only while the VIP is here). */
  vipChanged(address: string, present: boolean): void;
  stats(): readonly ServiceStats[];
  /** Stop forwarding; with `keep` (-I) leave what the kernel holds in place. */
  close(keep?: boolean): Promise<void>;
}

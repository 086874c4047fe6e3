/**
 * The LVS table with its counters as `ipvsadm -Ln --stats` (ipvsadm 1.31) prints it, and the same
 * data as JSON, for `keepalived-ts lvs [--json]`. Works on any data plane's ServiceStats.
 *
 * Layout (ipvsadm's print_title / print_service_entry / print_largenum, numeric form):
 *   "IP Virtual Server version 1.2.1 (size=4096)"
 *   "Prot LocalAddress:Port" padded to 33, then five right-aligned columns of 8 behind one space;
 *   "  -> RemoteAddress:Port";
 *   a service line: "TCP  10.0.0.1:80" padded to 33 (IPv4 names cut at 33), then each counter
 *   right-aligned in 9 columns, scaled to K/M/G/T past 10^8 (or exact with --exact);
 *   a destination line: "  -> " + name padded to 28 (IPv4 names cut at 28), then the counters.
 * Services sort as libipvs does (fwmark services last; then family, protocol number, address,
 * port), destinations by family, address, port.
 *
 * Packets: data planes that cannot see packets count something else: the proxy counts socket reads
 * (TCP chunks, UDP datagrams) as packets. A service without its own packet totals shows the sum of
 * its listed destinations.
 */
import type { DestinationStats, ServiceStats } from '../dataplane.js';
import { parseIPv4, parseIPv6 } from '../../config/entries/inet.js';

export const IPVS_VERSION = '1.2.1';
export const IPVS_TABLE_SIZE = 4096;

export interface LvsTextOptions {
  /** ipvsadm --exact: full numbers instead of K/M/G/T. */
  readonly exact?: boolean;
  /** The "(size=N)" of the title (the kernel's connection hash table size). */
  readonly tableSize?: number;
}

/** A service id taken apart ("TCP 10.0.0.1:80", "UDP [fd00::1]:53", "FWM 5", "FWM 5 IPv6"). */
export interface ParsedServiceId {
  readonly kind: 'address' | 'fwmark' | 'unknown';
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly family: 'inet' | 'inet6';
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
}

const PROTOCOL_NUMBER: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

export function parseServiceId(id: string): ParsedServiceId {
  const fwm = /^FWM\s+(\d+)(?:\s+(IPv6|inet6))?$/i.exec(id.trim());
  if (fwm) return { kind: 'fwmark', fwmark: Number(fwm[1]), family: fwm[2] ? 'inet6' : 'inet' };
  const addr = /^(TCP|UDP|SCTP)\s+(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d+)$/i.exec(id.trim());
  if (addr) {
    const protocol = addr[1]!.toUpperCase() as 'TCP' | 'UDP' | 'SCTP';
    return addr[2] !== undefined
      ? { kind: 'address', protocol, family: 'inet6', address: addr[2], port: Number(addr[4]) }
      : { kind: 'address', protocol, family: 'inet', address: addr[3]!, port: Number(addr[4]) };
  }
  return { kind: 'unknown', family: 'inet' };
}

/** Address as a number list for ordering (IPv4 before IPv6 is decided by family first). */
function addressKey(address: string | undefined): number[] {
  if (address === undefined) return [];
  return parseIPv4(address) ?? parseIPv6(address) ?? [];
}

function compareLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function serviceOrder(a: ParsedServiceId, b: ParsedServiceId): number {
  const kindRank = (p: ParsedServiceId) => (p.kind === 'address' ? 0 : p.kind === 'fwmark' ? 1 : 2);
  return (
    kindRank(a) - kindRank(b) ||
    (a.fwmark ?? 0) - (b.fwmark ?? 0) ||
    (a.family === b.family ? 0 : a.family === 'inet' ? -1 : 1) ||
    (PROTOCOL_NUMBER[a.protocol ?? ''] ?? 0) - (PROTOCOL_NUMBER[b.protocol ?? ''] ?? 0) ||
    compareLists(addressKey(a.address), addressKey(b.address)) ||
    (a.port ?? 0) - (b.port ?? 0)
  );
}

function destinationOrder(a: DestinationStats, b: DestinationStats): number {
  const fa = a.address.includes(':') ? 1 : 0;
  const fb = b.address.includes(':') ? 1 : 0;
  return fa - fb || compareLists(addressKey(a.address), addressKey(b.address)) || a.port - b.port;
}

/** ipvsadm's print_largenum(). */
export function formatLargeNumber(n: number, exact = false): string {
  const v = Math.max(0, Math.floor(n));
  if (exact) {
    const text = String(v);
    return text.padStart(text.length <= 8 ? 9 : text.length + 1);
  }
  if (v < 1e8) return String(v).padStart(9);
  if (v < 1e9) return `${String(Math.floor(v / 1e3)).padStart(8)}K`;
  if (v < 1e11) return `${String(Math.floor(v / 1e6)).padStart(8)}M`;
  if (v < 1e14) return `${String(Math.floor(v / 1e9)).padStart(8)}G`;
  return `${String(Math.floor(v / 1e12)).padStart(8)}T`;
}

function serviceName(id: ParsedServiceId, raw: string): string {
  if (id.kind === 'fwmark') return id.family === 'inet6' ? `FWM  ${id.fwmark} IPv6` : `FWM  ${id.fwmark}`;
  if (id.kind === 'unknown') return raw;
  const host = id.family === 'inet6' ? `[${id.address}]` : id.address!;
  const name = `${id.protocol}  ${host}:${id.port}`;
  return id.family === 'inet6' ? name : name.slice(0, 33);
}

function destinationName(d: DestinationStats): string {
  return d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`.slice(0, 28);
}

const sum = (list: readonly DestinationStats[], pick: (d: DestinationStats) => number) => list.reduce((t, d) => t + pick(d), 0);

function sortedServices(services: readonly ServiceStats[]): { stats: ServiceStats; id: ParsedServiceId }[] {
  return services
    .map((stats) => ({ stats, id: parseServiceId(stats.id) }))
    .sort((a, b) => serviceOrder(a.id, b.id));
}

/** The whole `ipvsadm -Ln --stats` output for these services. */
export function formatLvsStats(services: readonly ServiceStats[], options: LvsTextOptions = {}): string {
  const exact = options.exact ?? false;
  const num = (n: number) => formatLargeNumber(n, exact);
  const lines: string[] = [
    `IP Virtual Server version ${IPVS_VERSION} (size=${options.tableSize ?? IPVS_TABLE_SIZE})`,
    `${'Prot LocalAddress:Port'.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => h.padStart(8)).join(' ')}`,
    '  -> RemoteAddress:Port',
  ];
  for (const { stats, id } of sortedServices(services)) {
    const dests = stats.destinations;
    const packetsIn = stats.packetsIn ?? sum(dests, (d) => d.packetsIn);
    const packetsOut = stats.packetsOut ?? sum(dests, (d) => d.packetsOut);
    lines.push(
      serviceName(id, stats.id).padEnd(33) +
        num(stats.connections) + num(packetsIn) + num(packetsOut) + num(stats.bytesIn) + num(stats.bytesOut),
    );
    for (const d of [...dests].sort(destinationOrder)) {
      lines.push(
        `  -> ${destinationName(d).padEnd(28)}` +
          num(d.connections) + num(d.packetsIn) + num(d.packetsOut) + num(d.bytesIn) + num(d.bytesOut),
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** A destination in `keepalived-ts lvs --json`: the data plane's own counters, as they are. */
export type LvsJsonDestination = DestinationStats;

export interface LvsJsonService {
  readonly id: string;
  readonly kind: 'address' | 'fwmark' | 'unknown';
  readonly family: 'inet' | 'inet6';
  readonly protocol?: string;
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly scheduler: string;
  readonly connections: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly destinations: readonly LvsJsonDestination[];
}

export interface LvsJson {
  readonly version: string;
  readonly size: number;
  /** The data plane the figures come from (proxy, nft, ipvs), when known. */
  readonly dataPlane?: string;
  readonly services: readonly LvsJsonService[];
}

/** The JSON form: the same services in the same order, exact numbers, parsed service keys. */
export function lvsStatsJson(services: readonly ServiceStats[], options: LvsTextOptions & { dataPlane?: string } = {}): LvsJson {
  return {
    version: IPVS_VERSION,
    size: options.tableSize ?? IPVS_TABLE_SIZE,
    ...(options.dataPlane ? { dataPlane: options.dataPlane } : {}),
    services: sortedServices(services).map(({ stats, id }) => ({
      id: stats.id,
      kind: id.kind,
      family: id.family,
      ...(id.protocol ? { protocol: id.protocol } : {}),
      ...(id.address !== undefined ? { address: id.address, port: id.port } : {}),
      ...(id.fwmark !== undefined ? { fwmark: id.fwmark } : {}),
      scheduler: stats.scheduler,
      connections: stats.connections,
      packetsIn: stats.packetsIn ?? sum(stats.destinations, (d) => d.packetsIn),
      packetsOut: stats.packetsOut ?? sum(stats.destinations, (d) => d.packetsOut),
      bytesIn: stats.bytesIn,
      bytesOut: stats.bytesOut,
      destinations: [...stats.destinations].sort(destinationOrder).map((d) => ({
        address: d.address,
        port: d.port,
        weight: d.weight,
        activeConnections: d.activeConnections,
        inactiveConnections: d.inactiveConnections,
        connections: d.connections,
        packetsIn: d.packetsIn,
        packetsOut: d.packetsOut,
        bytesIn: d.bytesIn,
        bytesOut: d.bytesOut,
      })),
    })),
  };
}

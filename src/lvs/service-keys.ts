/**
 * The IPVS services one `virtual_server` stands for: one for an address or fwmark service, and
 * one per address of every range entry and per fwmark entry for `virtual_server group NAME`
 * (keepalived's ipvs_group_cmd walks the group the same way). Ranges are inclusive and vary the
 * last IPv4 octet (a.b.c.d-e), the whole IPv4 number (a.b.c.d-e.f.g.h, /nn), or the last IPv6
 * group.
 */
import type { LvsConfig, VirtualServer, VsgEntry } from '../config/model/lvs.js';
import { formatIPv6 } from '../config/entries/inet.js';
import { ipv4Number, ipv6Groups } from './schedulers/address-fold.js';
import type { ServiceKey, ServiceProtocol } from './table-types.js';

/** Ranges larger than this are cut (keepalived would install them all; a typo must not exhaust memory). */
export const MAX_RANGE_ADDRESSES = 65536;

export function serviceId(key: ServiceKey): string {
  if (key.kind === 'fwmark') return key.family === 'inet6' ? `FWM ${key.fwmark} IPv6` : `FWM ${key.fwmark}`;
  const host = key.family === 'inet6' ? `[${key.address}]` : key.address;
  return `${key.protocol} ${host}:${key.port}`;
}

function ipv4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The addresses of a range entry, in order; [start] when it is a single address or unparseable. */
export function rangeAddresses(entry: Extract<VsgEntry, { kind: 'range' }>): string[] {
  if (entry.family === 'inet') {
    const a = ipv4Number(entry.start);
    const b = ipv4Number(entry.end);
    if (a === undefined || b === undefined || b <= a) return [entry.start];
    const out: string[] = [];
    for (let n = a; n <= b && out.length < MAX_RANGE_ADDRESSES; n++) out.push(ipv4Text(n));
    return out;
  }
  const a = ipv6Groups(entry.start);
  const b = ipv6Groups(entry.end);
  if (!a || !b || a.slice(0, 7).join(':') !== b.slice(0, 7).join(':') || b[7]! <= a[7]!) return [entry.start];
  const out: string[] = [];
  for (let g = a[7]!; g <= b[7]!; g++) out.push(formatIPv6([...a.slice(0, 7), g]));
  return out;
}

export interface ExpandedService {
  readonly key: ServiceKey;
  readonly id: string;
}

/** The services of one virtual server, in keepalived's order (group: address ranges, then fwmarks). */
export function expandVirtualServer(vs: VirtualServer, lvs: LvsConfig): ExpandedService[] {
  const protocol: ServiceProtocol = vs.protocol ?? 'UDP';
  const keys: ServiceKey[] = [];
  if (vs.kind === 'group') {
    const group = lvs.virtualServerGroups.find((g) => g.name === vs.groupName);
    for (const entry of group?.entries ?? []) {
      if (entry.kind !== 'range') continue;
      for (const address of rangeAddresses(entry)) {
        keys.push({ kind: 'address', family: entry.family, address, port: entry.port, protocol });
      }
    }
    for (const entry of group?.entries ?? []) {
      if (entry.kind !== 'fwmark') continue;
      keys.push({ kind: 'fwmark', family: entry.family ?? vs.family ?? 'inet', fwmark: entry.fwmark });
    }
  } else if (vs.kind === 'fwmark' && vs.fwmark) {
    keys.push({ kind: 'fwmark', family: vs.family ?? 'inet', fwmark: vs.fwmark });
  } else if (vs.address && vs.address.family) {
    keys.push({ kind: 'address', family: vs.address.family, address: vs.address.address, port: vs.address.port, protocol });
  }
  return keys.map((key) => ({ key, id: serviceId(key) }));
}

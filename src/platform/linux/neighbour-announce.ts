/**
 * Tells the link that an address has moved to us: gratuitous ARP for IPv4, an unsolicited
 * Neighbour Advertisement for IPv6, both as whole Ethernet frames (neighbour-frames.ts) on one
 * AF_PACKET socket, as keepalived does.
 *
 * The socket is opened with protocol 0, so the kernel hands it no incoming frames: it only sends.
 * One socket serves every interface (the interface is named per frame by sockaddr_ll).
 * keepalived sends the NA this way too rather than through an ICMPv6 socket: the IPv6 source is
 * the announced address itself, so nothing depends on the interface's link-local address being
 * usable yet (it may still be tentative right after the link came up).
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import {
  AF_PACKET,
  closeFd,
  describeErrno,
  errnoName,
  ETH_P_ARP,
  ETH_P_IPV6,
  ifNameToIndex,
  sendTo,
  sockaddrLl,
  socket,
  SOCK_RAW,
  SyscallError,
} from './libc.js';
import { ALL_NODES_MAC, ARPHRD_ETHER, ETHER_BROADCAST, garpFrame, parseMac, unsolicitedNa } from './neighbour-frames.js';

const IFF_NOARP = 0x80;

/** What announcing on an interface needs to know about it. */
export interface InterfaceFacts {
  readonly ifindex: number;
  /** ARPHRD_* (1 = Ethernet). */
  readonly type: number;
  readonly flags: number;
  readonly mac: Uint8Array;
  /** net.ipv6.conf.IF.forwarding: the NA then carries the Router flag (keepalived's gna_router). */
  readonly ipv6Forwarding: boolean;
}

/**
 * The interface as this process's network namespace sees it. The MAC and flags come from
 * /sys/class/net, which shows the namespace /sys was mounted in (`ip netns exec` remounts it);
 * a caller that switches namespaces itself must pass its own facts reader.
 */
export function readInterfaceFacts(ifname: string): InterfaceFacts {
  if (ifname.includes('/') || ifname === '.' || ifname === '..') throw new RangeError(`bad interface name: ${ifname}`);
  const sys = (f: string) => readFileSync(`/sys/class/net/${ifname}/${f}`, 'utf8').trim();
  let forwarding = false;
  try {
    forwarding = readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() !== '0';
  } catch {
    // IPv6 disabled on the interface: no NA will be sent anyway
  }
  return {
    ifindex: ifNameToIndex(ifname),
    type: Number(sys('type')),
    flags: Number(sys('flags')),
    mac: parseMac(sys('address')),
    ipv6Forwarding: forwarding,
  };
}

export interface AnnouncerCounters {
  sent: number;
  /** The frame could not be sent (link down, queue full, interface gone, …). */
  sendErrors: number;
  /** Not sent on purpose: the interface is not Ethernet or has NOARP (keepalived skips those too), or bad input. */
  skipped: number;
}

export interface GratuitousAnnouncerOptions {
  /** Default readInterfaceFacts (sysfs + procfs). */
  readonly interfaceFacts?: (ifname: string) => InterfaceFacts;
  /** How long facts read for an interface are reused (ms; default 1000, 0 = read every time). */
  readonly factsTtlMs?: number;
}

export class GratuitousAnnouncer {
  readonly counters: AnnouncerCounters = { sent: 0, sendErrors: 0, skipped: 0 };
  private fd = -1;
  private closed = false;
  private lastFailure: string | undefined;
  private readonly facts: (ifname: string) => InterfaceFacts;

  /** Facts read recently: a takeover announces every VIP several times in a row, and reading them costs ~0.3 ms. */
  private readonly recent = new Map<string, { facts: InterfaceFacts; at: number }>();
  private readonly factsTtlMs: number;

  constructor(opts: GratuitousAnnouncerOptions = {}) {
    this.facts = opts.interfaceFacts ?? readInterfaceFacts;
    this.factsTtlMs = opts.factsTtlMs ?? 1000;
  }

  private factsOf(ifname: string): InterfaceFacts {
    const now = performance.now();
    const hit = this.recent.get(ifname);
    if (hit && now - hit.at < this.factsTtlMs) return hit.facts;
    const facts = this.facts(ifname);
    this.recent.set(ifname, { facts, at: now });
    return facts;
  }

  /**
   * Sends one gratuitous ARP (IPv4 `address`) or unsolicited NA (IPv6 `address`) on `ifname`.
   * False when nothing was sent; lastError says why. Never throws: a missed announcement is
   * logged and the next one (garp_master_repeat / refresh) may succeed.
   */
  announce(ifname: string, address: string): boolean {
    const v4 = isIPv4(address);
    if (!v4 && !isIPv6(address)) return this.skip(`${address} is not an IP address`);
    if (this.closed) return this.failed(`cannot announce ${address} on ${ifname}: announcer closed`);
    let facts: InterfaceFacts;
    try {
      facts = this.factsOf(ifname);
    } catch (e) {
      return this.failed(`cannot announce ${address} on ${ifname}: ${(e as Error).message}`);
    }
    if (facts.type !== ARPHRD_ETHER) return this.skip(`${ifname} is not an Ethernet interface (type ${facts.type})`);
    if (facts.flags & IFF_NOARP) return this.skip(`${ifname} has NOARP set`);
    let frame: Uint8Array;
    try {
      frame = v4 ? garpFrame(facts.mac, address) : unsolicitedNa(facts.mac, address, facts.ipv6Forwarding);
    } catch (e) {
      return this.skip(`cannot build the frame for ${address} on ${ifname}: ${(e as Error).message}`);
    }
    const to = sockaddrLl(facts.ifindex, v4 ? ETH_P_ARP : ETH_P_IPV6, v4 ? ETHER_BROADCAST : ALL_NODES_MAC);
    const what = `${v4 ? 'gratuitous ARP' : 'unsolicited neighbour advert'} on ${ifname} for ${address}`;
    try {
      const r = sendTo(this.socket(), frame, to);
      if (typeof r !== 'number') return this.failed(`Error ${r.errno} (${errnoName(r.errno)}: ${describeErrno(r.errno)}) sending ${what}`);
    } catch (e) {
      const detail = e instanceof SyscallError ? `Error ${e.errno} (${e.code}: ${describeErrno(e.errno)})` : (e as Error).message;
      return this.failed(`${detail} sending ${what}`);
    }
    this.counters.sent++;
    return true;
  }

  /** Why the last announce() returned false. */
  get lastError(): string | undefined {
    return this.lastFailure;
  }

  /** Closes the socket. Idempotent; announce() afterwards returns false. */
  close(): void {
    this.closed = true;
    if (this.fd >= 0) closeFd(this.fd);
    this.fd = -1;
  }

  private socket(): number {
    if (this.fd < 0) this.fd = socket(AF_PACKET, SOCK_RAW, 0);
    return this.fd;
  }

  private skip(reason: string): false {
    this.counters.skipped++;
    this.lastFailure = reason;
    return false;
  }

  private failed(reason: string): false {
    this.counters.sendErrors++;
    this.lastFailure = reason;
    return false;
  }
}

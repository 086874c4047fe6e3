/**
 * VIP conflict detection on a real link: sends the probes (ARP probe, duplicate address
 * detection NS; neighbour-probe-frames.ts) and reads the ARP and neighbour discovery traffic of
 * the interfaces whose VIPs are watched, reporting every packet that claims an address for a MAC
 * other than the interface's own.
 *
 * One AF_PACKET socket per interface and family, bound to the interface: ARP sockets take every
 * ARP frame (there are few); IPv6 sockets carry a BPF filter that lets only NS/NA through, so the
 * VIPs' own traffic is never copied to user space. Sockets are created with protocol 0 (nothing
 * is queued), filtered, then bound to the protocol, so no unfiltered frame slips in between.
 * Frames this host sent are seen too (PACKET_OUTGOING): they are skipped, as is anything from the
 * interface's own MAC. Probes go out on one send-only socket, as the gratuitous announcements do.
 */
import { isIPv4, isIPv6 } from 'node:net';
import {
  AF_PACKET,
  attachFilter,
  bindTo,
  closeFd,
  describeErrno,
  errnoName,
  ETH_P_ARP,
  ETH_P_IPV6,
  PACKET_OUTGOING,
  recvFrom,
  sendTo,
  SOCKADDR_LL_PKTTYPE,
  sockaddrLl,
  socket,
  SOCK_RAW,
  SyscallError,
  type BpfInstruction,
} from './libc.js';
import { watchReadable, type FdWatch } from './fd-poller.js';
import { readInterfaceFacts, type InterfaceFacts } from './neighbour-announce.js';
import { ARPHRD_ETHER, ETHER_BROADCAST, ETHER_HEADER_LEN } from './neighbour-frames.js';
import { arpProbeFrame, dadNeighbourSolicitation, macText, parseNeighbourFrame, solicitedNode, type NeighbourClaim } from './neighbour-probe-frames.js';
import { addressToBytes } from '../../vrrp/packet.js';

const IFF_NOARP = 0x80;
const IPPROTO_ICMPV6 = 58;
/** Frames read per readiness callback: a flood cannot hold the event loop (the poll fires again). */
const MAX_FRAMES_PER_WAKEUP = 64;
/** Big enough for any ARP / ND frame we parse; longer frames arrive truncated and are still parsed. */
const FRAME_BUFFER = 1600;

const BPF_LD_B_ABS = 0x30;
const BPF_JEQ_K = 0x15;
const BPF_RET_K = 0x06;

/**
 * Let through only ICMPv6 neighbour solicitations and advertisements without extension headers
 * (offsets in the Ethernet frame: next header at 14 + 6, ICMPv6 type at 14 + 40).
 */
export const ND_ONLY_FILTER: readonly BpfInstruction[] = [
  { code: BPF_LD_B_ABS, jt: 0, jf: 0, k: ETHER_HEADER_LEN + 6 },
  { code: BPF_JEQ_K, jt: 0, jf: 4, k: IPPROTO_ICMPV6 },
  { code: BPF_LD_B_ABS, jt: 0, jf: 0, k: ETHER_HEADER_LEN + 40 },
  { code: BPF_JEQ_K, jt: 1, jf: 0, k: 136 },
  { code: BPF_JEQ_K, jt: 0, jf: 1, k: 135 },
  { code: BPF_RET_K, jt: 0, jf: 0, k: 0xffff },
  { code: BPF_RET_K, jt: 0, jf: 0, k: 0 },
];

export interface ClaimOnLink extends NeighbourClaim {
  readonly ifname: string;
}

export interface NeighbourWatchCounters {
  probesSent: number;
  /** A probe could not be sent (link down, queue full, interface gone, …). */
  probeErrors: number;
  /** Not sent on purpose: not Ethernet, NOARP, or not an address. */
  probesSkipped: number;
  framesRead: number;
  /** Frames from this host (outgoing, or from the interface's own MAC). */
  ownFrames: number;
  malformed: number;
  claims: number;
  receiveErrors: number;
}

export interface NeighbourWatchOptions {
  /** Default readInterfaceFacts (sysfs + procfs). */
  readonly interfaceFacts?: (ifname: string) => InterfaceFacts;
  /** Problems worth a log line (a socket that failed, a malformed frame); each distinct text once a minute at most. */
  readonly report?: (message: string) => void;
}

interface Listener {
  readonly fd: number;
  readonly ifindex: number;
  readonly poll: FdWatch;
}

export class NeighbourWatch {
  readonly counters: NeighbourWatchCounters = { probesSent: 0, probeErrors: 0, probesSkipped: 0, framesRead: 0, ownFrames: 0, malformed: 0, claims: 0, receiveErrors: 0 };
  private readonly listeners = new Map<string, Listener>();
  private readonly callbacks: ((c: ClaimOnLink) => void)[] = [];
  private readonly facts: (ifname: string) => InterfaceFacts;
  private readonly recentFacts = new Map<string, { facts: InterfaceFacts; at: number }>();
  private readonly reported = new Map<string, number>();
  private readonly buf = Buffer.alloc(FRAME_BUFFER);
  private sendFd = -1;
  private closed = false;
  private lastFailure: string | undefined;

  constructor(private readonly opts: NeighbourWatchOptions = {}) {
    this.facts = opts.interfaceFacts ?? readInterfaceFacts;
  }

  onClaim(cb: (c: ClaimOnLink) => void): void {
    this.callbacks.push(cb);
  }

  get lastError(): string | undefined {
    return this.lastFailure;
  }

  /**
   * Read ARP (inet) or NS/NA (inet6) on `ifname` from now on. Idempotent; an interface that was
   * re-created (new index) gets a new socket. Throws (SyscallError, or the facts reader's error)
   * when the interface cannot be watched.
   */
  watch(ifname: string, family: 'inet' | 'inet6'): void {
    if (this.closed) throw new Error('neighbour watch closed');
    const key = `${family}/${ifname}`;
    const known = this.listeners.get(key);
    const facts = this.factsOf(ifname, !known);
    if (known && known.ifindex === facts.ifindex) return;
    if (known) this.unlisten(key, known);
    const fd = socket(AF_PACKET, SOCK_RAW, 0);
    try {
      if (family === 'inet6') attachFilter(fd, ND_ONLY_FILTER);
      bindTo(fd, sockaddrLl(facts.ifindex, family === 'inet' ? ETH_P_ARP : ETH_P_IPV6, new Uint8Array(0)));
    } catch (e) {
      closeFd(fd);
      throw e;
    }
    const poll = watchReadable(fd, () => this.drain(ifname, fd));
    poll.unref();
    this.listeners.set(key, { fd, ifindex: facts.ifindex, poll });
  }

  /** One ARP probe (IPv4) or DAD NS (IPv6) for `address` on `ifname`. False when nothing was sent; never throws. */
  probe(ifname: string, address: string): boolean {
    const v4 = isIPv4(address);
    if (!v4 && !isIPv6(address)) return this.skip(`${address} is not an IP address`);
    if (this.closed) return this.failed(`cannot probe ${address} on ${ifname}: closed`);
    let facts: InterfaceFacts;
    try {
      facts = this.factsOf(ifname, false);
    } catch (e) {
      return this.failed(`cannot probe ${address} on ${ifname}: ${(e as Error).message}`);
    }
    if (facts.type !== ARPHRD_ETHER) return this.skip(`${ifname} is not an Ethernet interface (type ${facts.type})`);
    if (facts.flags & IFF_NOARP) return this.skip(`${ifname} has NOARP set`);
    let frame: Uint8Array;
    let to: Buffer;
    try {
      if (v4) {
        frame = arpProbeFrame(facts.mac, address);
        to = sockaddrLl(facts.ifindex, ETH_P_ARP, ETHER_BROADCAST);
      } else {
        frame = dadNeighbourSolicitation(facts.mac, address);
        to = sockaddrLl(facts.ifindex, ETH_P_IPV6, solicitedNode(addressToBytes('inet6', address)).mac);
      }
    } catch (e) {
      return this.skip(`cannot build the probe for ${address} on ${ifname}: ${(e as Error).message}`);
    }
    const what = `${v4 ? 'ARP probe' : 'duplicate address NS'} on ${ifname} for ${address}`;
    try {
      if (this.sendFd < 0) this.sendFd = socket(AF_PACKET, SOCK_RAW, 0);
      const r = sendTo(this.sendFd, frame, to);
      if (typeof r !== 'number') return this.failed(`Error ${r.errno} (${errnoName(r.errno)}: ${describeErrno(r.errno)}) sending ${what}`);
    } catch (e) {
      const detail = e instanceof SyscallError ? `Error ${e.errno} (${e.code}: ${describeErrno(e.errno)})` : (e as Error).message;
      return this.failed(`${detail} sending ${what}`);
    }
    this.counters.probesSent++;
    return true;
  }

  /** Closes every socket. Idempotent. */
  close(): void {
    this.closed = true;
    for (const [key, l] of this.listeners) this.unlisten(key, l);
    if (this.sendFd >= 0) closeFd(this.sendFd);
    this.sendFd = -1;
  }

  private unlisten(key: string, l: Listener): void {
    l.poll.close();
    closeFd(l.fd);
    this.listeners.delete(key);
  }

  /** Facts are cached for a second (a probe round touches every VIP); `fresh` re-reads them. */
  private factsOf(ifname: string, fresh: boolean): InterfaceFacts {
    const now = performance.now();
    const hit = this.recentFacts.get(ifname);
    if (!fresh && hit && now - hit.at < 1000) return hit.facts;
    const facts = this.facts(ifname);
    this.recentFacts.set(ifname, { facts, at: now });
    return facts;
  }

  private drain(ifname: string, fd: number): void {
    for (let n = 0; n < MAX_FRAMES_PER_WAKEUP && !this.closed; n++) {
      let got;
      try {
        got = recvFrom(fd, this.buf);
      } catch (e) {
        // ENETDOWN and the like: the link went away under the socket; nothing to read now
        this.counters.receiveErrors++;
        this.tell(`reading ARP/ND on ${ifname}: ${(e as Error).message}`);
        return;
      }
      if (!got) return;
      this.counters.framesRead++;
      this.onFrame(ifname, got.from, this.buf.subarray(0, got.length));
    }
  }

  private onFrame(ifname: string, from: Buffer, frame: Uint8Array): void {
    if (from.length > SOCKADDR_LL_PKTTYPE && from[SOCKADDR_LL_PKTTYPE] === PACKET_OUTGOING) {
      this.counters.ownFrames++;
      return;
    }
    const parsed = parseNeighbourFrame(frame);
    if (parsed.kind === 'other') return;
    if (parsed.kind === 'malformed') {
      this.counters.malformed++;
      this.tell(`malformed ARP/ND frame on ${ifname} from ${frame.length >= 12 ? macText(frame, 6) : '?'}: ${parsed.reason}`);
      return;
    }
    let own: string | undefined;
    try {
      own = macText(this.factsOf(ifname, false).mac);
    } catch {
      own = undefined;
    }
    const c = parsed.claim;
    if (own !== undefined && (c.mac === own || macText(frame, 6) === own)) {
      this.counters.ownFrames++;
      return;
    }
    this.counters.claims++;
    const seen: ClaimOnLink = { ...c, ifname };
    for (const cb of this.callbacks) cb(seen);
  }

  private tell(message: string): void {
    const now = performance.now();
    const last = this.reported.get(message);
    if (last !== undefined && now - last < 60_000) return;
    if (this.reported.size >= 256) this.reported.clear(); // distinct junk must not grow memory
    this.reported.set(message, now);
    this.opts.report?.(message);
  }

  private skip(reason: string): false {
    this.counters.probesSkipped++;
    this.lastFailure = reason;
    return false;
  }

  private failed(reason: string): false {
    this.counters.probeErrors++;
    this.lastFailure = reason;
    return false;
  }
}

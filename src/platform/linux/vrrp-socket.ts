/**
 * Raw VRRP sockets for one (interface, family), set up the way keepalived 2.2.7 sets up its own
 * (vrrp.c open_vrrp_send_socket() / open_vrrp_read_socket(), vrrp_if.c if_setsockopt_*()).
 *
 * Like keepalived, two descriptors:
 * - a send socket: IPv4 with IP_HDRINCL (the codec builds the whole IP packet: tos 0xc0, DF
 *   clear, keepalived's IP id), IPv6 with IPV6_CHECKSUM so the kernel writes the checksum; tied
 *   to the interface (SO_BINDTODEVICE, multicast interface), multicast loop off so our own
 *   adverts never come back to us, and a drop-all filter because nothing is read from it;
 * - a receive socket: tied to the interface, IP(V6)_MULTICAST_ALL off so only the groups joined
 *   here arrive, IPv6 hop limit and destination as control messages, IPv6 checksums verified by
 *   the kernel.
 * Two sockets keep the send-side options (bound source, hops, loop) from changing what is
 * received, and the receive-side binding from changing the source of what is sent.
 *
 * Packets with our own source are not filtered here: keepalived does not filter them either,
 * since with the multicast loop off they never arrive.
 */
import {
  AF_INET,
  AF_INET6,
  attachDropAllFilter,
  bindTo,
  bindToDevice,
  closeFd,
  describeErrno,
  errnoName,
  ifNameToIndex,
  in6Pktinfo,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_ALL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_TOS,
  ipMreqn,
  ipv6Mreq,
  IPV6_CHECKSUM,
  IPV6_HOPLIMIT,
  IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP,
  IPV6_MULTICAST_ALL,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_PKTINFO,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  MessageReader,
  MessageWriter,
  MSG_DONTROUTE,
  setsockoptBytes,
  setsockoptInt,
  sockaddrIn,
  sockaddrIn6,
  socket,
  SOCK_RAW,
  SOL_SOCKET,
  SO_RCVBUF,
  type ControlMessage,
  type ReceivedMessage,
} from './libc.js';
import { watchReadable, type FdWatch } from './fd-poller.js';
import { addressToBytes, bytesToAddress } from '../../vrrp/packet.js';
import { IPV4_HEADER_LEN, isIPv4MulticastBytes, isIPv6MulticastBytes, VRRP_IP_TOS } from '../../vrrp/ipv4-header.js';

export type VrrpSocketFamily = 'inet' | 'inet6';

export interface VrrpSocketOptions {
  readonly family: VrrpSocketFamily;
  readonly ifname: string;
  /** 112 (VRRP), or 51 for VRRPv2 with auth_type AH (the IP protocol is then IPsec AH). Default 112. */
  readonly protocol?: 112 | 51;
  /**
   * Bind the receive socket to this address so only packets sent to it are read: keepalived
   * binds to the multicast group for multicast instances and to unicast_src_ip for unicast
   * ones. Default: unbound (the joined groups and every unicast packet of the protocol that
   * reaches the interface; the receive checks sort multicast from unicast).
   */
  readonly bindAddress?: string;
  /** SO_RCVBUF of the receive socket (keepalived's vrrp_rx_bufs_*); default: the kernel's. */
  readonly receiveBufferSize?: number;
}

/** What to send: an OutFrame of src/vrrp/wire.ts, plus the IPv6 source. */
export interface VrrpSendFrame {
  readonly destination: string;
  /** IPv6: the hop limit put on the packet. IPv4: informational (the TTL is in the payload's IP header). */
  readonly ttl: number;
  /** IPv4: the whole IP packet. IPv6: the VRRP message (the kernel fills its checksum). */
  readonly payload: Uint8Array;
  /**
   * IPv6: the source address, which must be the one the encoder used in the pseudo-header
   * (sent as IPV6_PKTINFO, as keepalived does). Absent: the kernel chooses. IPv4: ignored
   * (the source is in the payload's IP header).
   */
  readonly source?: string;
}

/** A received packet in the shape src/vrrp/wire.ts receiveAdvert() takes. */
export interface VrrpReceivedPacket {
  readonly source: string;
  readonly destination: string;
  /** IPv4: the header's TTL. IPv6: the IPV6_HOPLIMIT control message, −1 when it was missing. */
  readonly ttl: number;
  /** IPv4: the whole IP packet. IPv6: the VRRP message. */
  readonly payload: Uint8Array;
}

export interface VrrpSocketCounters {
  sent: number;
  /** Sends that failed (EAGAIN, ENOBUFS, ENETDOWN, …): the advert is lost, the instance carries on. */
  sendErrors: number;
  received: number;
  /** recvmsg() failures other than "nothing waiting". */
  receiveErrors: number;
  /** Datagrams longer than the receive buffer: dropped, as keepalived drops them. */
  truncated: number;
  /** Exceptions thrown by onPacket listeners (caught so one bad listener cannot stop reception). */
  listenerErrors: number;
}

/** Why a send failed: the errno and its name, for the caller's log line. */
export interface VrrpSendError {
  readonly errno: number;
  readonly code: string;
  readonly message: string;
}

export type VrrpPacketListener = (packet: VrrpReceivedPacket) => void;

/** Receive and send buffers: larger than any IP datagram, so nothing real is ever truncated. */
const MAX_DATAGRAM = 65536;
/**
 * Packets read per readiness callback. The poll is level-triggered, so whatever is left is
 * read on the next loop turn; the cap only keeps a flood from starving timers (keepalived
 * stops its own read loop early for the same reason).
 */
const MAX_PACKETS_PER_WAKEUP = 64;

export class VrrpSocket {
  readonly counters: VrrpSocketCounters = { sent: 0, sendErrors: 0, received: 0, receiveErrors: 0, truncated: 0, listenerErrors: 0 };
  private readonly groups = new Set<string>();
  private readonly listeners: VrrpPacketListener[] = [];
  private readonly reader: MessageReader;
  private readonly writer: MessageWriter;
  private readonly watch: FdWatch;
  private closed = false;
  private lastSendFailure: VrrpSendError | undefined;
  private lastReceiveFailure: Error | undefined;

  private constructor(
    readonly family: VrrpSocketFamily,
    readonly ifname: string,
    readonly ifindex: number,
    readonly protocol: number,
    private readonly sendFd: number,
    private readonly receiveFd: number,
  ) {
    this.reader = new MessageReader(MAX_DATAGRAM);
    this.writer = new MessageWriter(MAX_DATAGRAM);
    this.watch = watchReadable(receiveFd, () => this.drain());
  }

  /**
   * Opens the send and receive sockets on `ifname`. Throws (with the interface, family and the
   * failing call in the message) when the interface does not exist or the process lacks
   * CAP_NET_RAW: the caller puts the instance in FAULT, as keepalived does.
   */
  static open(opts: VrrpSocketOptions): VrrpSocket {
    const protocol = opts.protocol ?? 112;
    const what = `VRRP ${opts.family} socket (protocol ${protocol}) on ${opts.ifname}`;
    let sendFd = -1;
    let receiveFd = -1;
    try {
      const ifindex = ifNameToIndex(opts.ifname);
      sendFd = openSendSocket(opts.family, protocol, opts.ifname, ifindex);
      receiveFd = openReceiveSocket(opts, protocol, ifindex);
      return new VrrpSocket(opts.family, opts.ifname, ifindex, protocol, sendFd, receiveFd);
    } catch (e) {
      if (sendFd >= 0) closeFd(sendFd);
      if (receiveFd >= 0) closeFd(receiveFd);
      throw new Error(`cannot open ${what}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Joins a multicast group on this interface (224.0.0.18, ff02::12, mcast_dst_ip, …). Idempotent. */
  joinGroup(group: string): void {
    const key = this.groupKey(group);
    if (this.groups.has(key)) return;
    this.membership(group, 'join');
    this.groups.add(key);
  }

  /** Leaves a group joined with joinGroup(). Idempotent. */
  leaveGroup(group: string): void {
    const key = this.groupKey(group);
    if (!this.groups.has(key)) return;
    this.groups.delete(key);
    this.membership(group, 'leave');
  }

  /** The groups joined, in canonical text. */
  joinedGroups(): string[] {
    return [...this.groups];
  }

  /**
   * Sends one frame. False when the packet could not be sent (full queue, link down, no route,
   * source address not configured, socket closed, bad address text): counted and kept in
   * lastSendError for the caller to log; never thrown, since the next advert may well succeed.
   */
  send(frame: VrrpSendFrame): boolean {
    if (this.closed) return this.sendFailed(9, 'socket closed');
    let dst: Uint8Array;
    let src: Uint8Array | undefined;
    try {
      dst = addressToBytes(this.family, frame.destination);
      if (this.family === 'inet6' && frame.source !== undefined) src = addressToBytes('inet6', frame.source);
    } catch (e) {
      return this.sendFailed(22, (e as Error).message);
    }
    let r: number | { errno: number };
    if (this.family === 'inet') {
      // keepalived sends multicast with MSG_DONTROUTE: the group is on the link, never routed
      r = this.writer.send(this.sendFd, frame.payload, sockaddrIn(dst), [], isIPv4MulticastBytes(dst) ? MSG_DONTROUTE : 0);
    } else {
      const control: ControlMessage[] = [];
      if (src) control.push({ level: IPPROTO_IPV6, type: IPV6_PKTINFO, data: in6Pktinfo(src, this.ifindex) });
      if (Number.isInteger(frame.ttl) && frame.ttl >= 0 && frame.ttl <= 255) {
        const hops = Buffer.alloc(4);
        hops.writeInt32LE(frame.ttl);
        control.push({ level: IPPROTO_IPV6, type: IPV6_HOPLIMIT, data: hops });
      }
      r = this.writer.send(this.sendFd, frame.payload, sockaddrIn6(dst, this.ifindex), control, isIPv6MulticastBytes(dst) ? MSG_DONTROUTE : 0);
    }
    if (typeof r !== 'number') return this.sendFailed(r.errno);
    this.counters.sent++;
    return true;
  }

  /** Why the last failed send failed (undefined before any failure). */
  get lastSendError(): VrrpSendError | undefined {
    return this.lastSendFailure;
  }

  /** The last receive failure or listener exception (undefined before any). */
  get lastReceiveError(): Error | undefined {
    return this.lastReceiveFailure;
  }

  /** Calls `listener` for every packet read from now on; returns a function that removes it. */
  onPacket(listener: VrrpPacketListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Stops reading and closes both sockets (group memberships go with them). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch.close();
    closeFd(this.receiveFd);
    closeFd(this.sendFd);
    this.reader.dispose();
    this.writer.dispose();
    this.listeners.length = 0;
    this.groups.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /* ------------------------------------------------------------ internals */

  private groupKey(group: string): string {
    return bytesToAddress(this.family, this.groupBytes(group));
  }

  private groupBytes(group: string): Uint8Array {
    const b = addressToBytes(this.family, group);
    const multicast = this.family === 'inet' ? isIPv4MulticastBytes(b) : isIPv6MulticastBytes(b);
    if (!multicast) throw new RangeError(`${group} is not a multicast address`);
    return b;
  }

  private membership(group: string, op: 'join' | 'leave'): void {
    if (this.closed) throw new Error(`cannot ${op} ${group}: the VRRP socket on ${this.ifname} is closed`);
    const g = this.groupBytes(group);
    try {
      if (this.family === 'inet') {
        setsockoptBytes(this.receiveFd, IPPROTO_IP, op === 'join' ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, ipMreqn(g, this.ifindex));
      } else {
        setsockoptBytes(this.receiveFd, IPPROTO_IPV6, op === 'join' ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, ipv6Mreq(g, this.ifindex));
      }
    } catch (e) {
      const name = this.family === 'inet' ? (op === 'join' ? 'IP_ADD_MEMBERSHIP' : 'IP_DROP_MEMBERSHIP') : op === 'join' ? 'IPV6_JOIN_GROUP' : 'IPV6_LEAVE_GROUP';
      throw new Error(`(${this.ifname}) cannot do ${name} ${group}: ${(e as Error).message}`, { cause: e });
    }
  }

  private sendFailed(errno: number, detail?: string): false {
    this.counters.sendErrors++;
    this.lastSendFailure = { errno, code: errnoName(errno), message: detail ?? describeErrno(errno) };
    return false;
  }

  private drain(): void {
    for (let n = 0; n < MAX_PACKETS_PER_WAKEUP && !this.closed; n++) {
      let m: ReceivedMessage | undefined;
      try {
        m = this.reader.read(this.receiveFd);
      } catch (e) {
        this.counters.receiveErrors++;
        this.lastReceiveFailure = e as Error;
        return;
      }
      if (!m) return;
      if (m.truncated) {
        this.counters.truncated++;
        continue;
      }
      this.counters.received++;
      // a plain Uint8Array: the codec relies on slice() copying, which a Buffer's does not
      const data = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.length);
      const packet = this.family === 'inet' ? ipv4Packet(m, data) : ipv6Packet(m, data);
      for (const listener of [...this.listeners]) {
        try {
          listener(packet);
        } catch (e) {
          this.counters.listenerErrors++;
          this.lastReceiveFailure = e instanceof Error ? e : new Error(String(e));
        }
      }
    }
  }
}

function openSendSocket(family: VrrpSocketFamily, protocol: number, ifname: string, ifindex: number): number {
  const fd = socket(family === 'inet' ? AF_INET : AF_INET6, SOCK_RAW, protocol);
  try {
    // nothing is read from this socket
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, 0);
    if (family === 'inet') {
      setsockoptInt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
      setsockoptInt(fd, IPPROTO_IP, IP_HDRINCL, 1);
      bindToDevice(fd, ifname);
      setsockoptBytes(fd, IPPROTO_IP, IP_MULTICAST_IF, ipMreqn(null, ifindex));
      setsockoptInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      setsockoptInt(fd, IPPROTO_IP, IP_TOS, VRRP_IP_TOS);
    } else {
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, 6);
      // defaults; every frame also carries its hop limit as IPV6_HOPLIMIT
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
      bindToDevice(fd, ifname);
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_TCLASS, VRRP_IP_TOS);
    }
    attachDropAllFilter(fd);
    return fd;
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

function openReceiveSocket(opts: VrrpSocketOptions, protocol: number, ifindex: number): number {
  const inet = opts.family === 'inet';
  const fd = socket(inet ? AF_INET : AF_INET6, SOCK_RAW, protocol);
  try {
    if (opts.receiveBufferSize !== undefined) setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, opts.receiveBufferSize);
    setsockoptInt(fd, inet ? IPPROTO_IP : IPPROTO_IPV6, inet ? IP_MULTICAST_ALL : IPV6_MULTICAST_ALL, 0);
    if (opts.bindAddress !== undefined) {
      const a = addressToBytes(opts.family, opts.bindAddress);
      // a link-local address (or link-scope group) is only meaningful with its interface
      const linkScoped = !inet && ((a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) || (a[0] === 0xff && (a[1]! & 0x0f) === 0x02));
      bindTo(fd, inet ? sockaddrIn(a) : sockaddrIn6(a, linkScoped ? ifindex : 0));
    }
    if (!inet) {
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
      setsockoptInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    }
    bindToDevice(fd, opts.ifname);
    // the kernel verifies the pseudo-header checksum and drops bad packets
    if (!inet) setsockoptInt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, 6);
    return fd;
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

/** An IPv4 raw socket returns the whole packet: addresses and TTL come from its header. */
function ipv4Packet(m: ReceivedMessage, d: Uint8Array): VrrpReceivedPacket {
  if (d.length >= IPV4_HEADER_LEN) {
    return { source: bytesToAddress('inet', d, 12), destination: bytesToAddress('inet', d, 16), ttl: d[8]!, payload: d };
  }
  // cannot happen on a raw socket; delivered anyway so the receive checks count and reject it
  const source = m.from.length >= 8 ? bytesToAddress('inet', m.from, 4) : '0.0.0.0';
  return { source, destination: '0.0.0.0', ttl: -1, payload: d };
}

/** IPv6: the source from msg_name, destination and hop limit from the control messages. */
function ipv6Packet(m: ReceivedMessage, payload: Uint8Array): VrrpReceivedPacket {
  const source = m.from.length >= 24 ? bytesToAddress('inet6', m.from, 8) : '::';
  let destination = '::';
  let ttl = -1;
  for (const c of m.control) {
    if (c.level !== IPPROTO_IPV6) continue;
    if (c.type === IPV6_HOPLIMIT && c.data.length >= 4) ttl = c.data.readInt32LE(0);
    else if (c.type === IPV6_PKTINFO && c.data.length >= 20) destination = bytesToAddress('inet6', c.data, 0);
  }
  return { source, destination, ttl, payload };
}

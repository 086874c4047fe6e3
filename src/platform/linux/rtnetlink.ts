/**
 * Addresses, routes and rules through one rtnetlink request socket, synchronously: rtnetlink
 * handles a request inside sendmsg(), so its acknowledgement (or the first part of a dump) is
 * already queued when sendmsg returns and a non-blocking read finds it. No `ip` process is
 * spawned (that costs 19–28 ms, too slow for a failover).
 *
 * The socket belongs to the network namespace the thread was in when the RtNetlink was
 * created (see net-namespace.ts).
 */
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry } from '../../config/model/vrrp.js';
import {
  AF_NETLINK,
  EAGAIN,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
  SO_RCVBUF,
  SyscallError,
  bindTo,
  closeFd,
  describeErrno,
  errnoName,
  recvFrom,
  sendTo,
  setsockoptInt,
  sockaddrNl,
  socket,
} from './libc.js';
import {
  type AddressInfo,
  type LinkInfo,
  type NetlinkMessage,
  AF_UNSPEC,
  IFLA_EXT_MASK,
  IFLA_IFNAME,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  RTEXT_FILTER_SKIP_STATS,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  attrString,
  attrU32,
  decodeMessages,
  encodeIfAddrMsg,
  encodeIfInfoMsg,
  parseAddressMessage,
  parseDone,
  parseError,
  parseLinkMessage,
} from './netlink-codec.js';
import { type RequestSpec, addressRequest, encodeRequest, routeRequest, ruleRequest } from './rtnetlink-requests.js';

export type { AddressInfo, LinkInfo } from './netlink-codec.js';
export { UnsupportedFieldError } from './rtnetlink-requests.js';

const NETLINK_ROUTE = 0;
const ENODEV = 19;
const EEXIST = 17;
const ENOENT = 2;
const ESRCH = 3;
const EADDRNOTAVAIL = 99;
const DUMP_ATTEMPTS = 5;

/** The kernel refused a request; `syscall` says which request, `kernelMessage` why (when it said). */
export class NetlinkError extends SyscallError {
  constructor(
    request: string,
    errno: number,
    readonly kernelMessage?: string,
  ) {
    super(request, errno, errnoName(errno));
    if (kernelMessage) this.message += `: ${kernelMessage}`;
  }
}

/** What an add did: `exists` when the kernel already had it (EEXIST). */
export type AddResult = 'added' | 'exists';
/** What a delete did: `absent` when the kernel did not have it (EADDRNOTAVAIL, ESRCH, ENOENT). */
export type DeleteResult = 'removed' | 'absent';

/** A link by name (looked up in the socket's namespace) or by index. */
export type LinkRef = string | number;

export interface RtNetlinkOptions {
  /** SO_RCVBUF for replies (dumps); the kernel default otherwise. */
  readonly receiveBufferSize?: number;
}

export class RtNetlink {
  private fd: number;
  private seq: number;
  private readonly buf = Buffer.alloc(64 * 1024);
  private readonly kernel = sockaddrNl(0, 0);
  /** Replies that answered no request of ours (a request that timed out before, …). */
  strayMessages = 0;

  constructor(options: RtNetlinkOptions = {}) {
    this.fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    try {
      bindTo(this.fd, sockaddrNl(0, 0));
      if (options.receiveBufferSize !== undefined) setsockoptInt(this.fd, SOL_SOCKET, SO_RCVBUF, options.receiveBufferSize);
      // best effort: short error echoes and the kernel's explanation; older kernels lack them
      for (const opt of [NETLINK_CAP_ACK, NETLINK_EXT_ACK]) {
        try {
          setsockoptInt(this.fd, SOL_NETLINK, opt, 1);
        } catch {
          /* not essential */
        }
      }
    } catch (e) {
      closeFd(this.fd);
      throw e;
    }
    // like keepalived, start from the clock so replies to a previous process's socket never match
    this.seq = Math.floor(Date.now() / 1000) >>> 0;
  }

  /* ------------------------------------------------------------ addresses, routes, rules */

  addAddress(e: IpAddressEntry, dev: LinkRef): AddResult {
    const { index, name } = this.resolve(dev, () => `RTM_NEWADDR ${e.address}/${e.prefixLen} dev ${dev}`);
    return this.add(addressRequest('add', e, index, name));
  }

  deleteAddress(e: IpAddressEntry, dev: LinkRef): DeleteResult {
    const { index, name } = this.resolve(dev, () => `RTM_DELADDR ${e.address}/${e.prefixLen} dev ${dev}`);
    return this.delete(addressRequest('delete', e, index, name), [EADDRNOTAVAIL]);
  }

  addRoute(r: IpRouteEntry): AddResult {
    return this.add(routeRequest('add', r, (name) => this.indexOf(name, `route dev ${name}`)));
  }

  deleteRoute(r: IpRouteEntry): DeleteResult {
    return this.delete(
      routeRequest('delete', r, (name) => this.indexOf(name, `route dev ${name}`)),
      [ESRCH],
    );
  }

  addRule(r: IpRuleEntry): AddResult {
    return this.add(ruleRequest('add', r));
  }

  deleteRule(r: IpRuleEntry): DeleteResult {
    return this.delete(ruleRequest('delete', r), [ENOENT]);
  }

  /* ------------------------------------------------------------ links and addresses */

  links(): LinkInfo[] {
    const header = encodeIfInfoMsg({ family: AF_UNSPEC, type: 0, index: 0, flags: 0, change: 0 });
    return this.dump({ type: RTM_GETLINK, flags: NLM_F_REQUEST | NLM_F_DUMP, header, attrs: [attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)], describe: 'RTM_GETLINK dump' })
      .filter((m) => m.type === RTM_NEWLINK)
      .map(parseLinkMessage);
  }

  addresses(): AddressInfo[] {
    const header = encodeIfAddrMsg({ family: AF_UNSPEC, prefixLen: 0, flags: 0, scope: 0, index: 0 });
    const out: AddressInfo[] = [];
    for (const m of this.dump({ type: RTM_GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, header, attrs: [], describe: 'RTM_GETADDR dump' })) {
      if (m.type !== RTM_NEWADDR) continue;
      const a = parseAddressMessage(m);
      if (a) out.push(a);
    }
    return out;
  }

  /** One link by name, or undefined when there is none. */
  link(name: string): LinkInfo | undefined {
    const header = encodeIfInfoMsg({ family: AF_UNSPEC, type: 0, index: 0, flags: 0, change: 0 });
    try {
      const replies = this.transact({
        type: RTM_GETLINK,
        flags: NLM_F_REQUEST | NLM_F_ACK,
        header,
        attrs: [attrString(IFLA_IFNAME, name), attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)],
        describe: `RTM_GETLINK ${name}`,
      });
      const m = replies.find((r) => r.type === RTM_NEWLINK);
      return m ? parseLinkMessage(m) : undefined;
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return undefined;
      throw e;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeFd(this.fd);
    this.fd = -1;
  }

  /* ------------------------------------------------------------ plumbing */

  private resolve(dev: LinkRef, request: () => string): { index: number; name: string } {
    if (typeof dev === 'number') return { index: dev, name: `#${dev}` };
    return { index: this.indexOf(dev, request()), name: dev };
  }

  private indexOf(name: string, request: string): number {
    const l = this.link(name);
    if (!l) throw new NetlinkError(request, ENODEV, `no interface ${name}`);
    return l.index;
  }

  private add(spec: RequestSpec): AddResult {
    try {
      this.transact(spec);
      return 'added';
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === EEXIST) return 'exists';
      throw e;
    }
  }

  private delete(spec: RequestSpec, absent: readonly number[]): DeleteResult {
    try {
      this.transact(spec);
      return 'removed';
    } catch (e) {
      if (e instanceof NetlinkError && absent.includes(e.errno)) return 'absent';
      throw e;
    }
  }

  /** A dump, repeated when the kernel says it was interrupted by a change (NLM_F_DUMP_INTR). */
  private dump(spec: RequestSpec): NetlinkMessage[] {
    for (let attempt = 1; ; attempt++) {
      const replies = this.transact(spec);
      if (!replies.some((m) => m.flags & NLM_F_DUMP_INTR) || attempt >= DUMP_ATTEMPTS) return replies;
    }
  }

  /**
   * Send one request and read until its acknowledgement (NLMSG_ERROR, 0 = success) or, for a
   * dump, NLMSG_DONE. Returns the data messages that answered it. Throws NetlinkError.
   */
  private transact(spec: RequestSpec): NetlinkMessage[] {
    if (this.fd < 0) throw new Error(`${spec.describe}: the netlink socket is closed`);
    this.seq = (this.seq + 1) >>> 0;
    const seq = this.seq;
    const sent = sendTo(this.fd, encodeRequest(spec, seq), this.kernel);
    if (typeof sent !== 'number') throw new NetlinkError(spec.describe, sent.errno);
    const replies: NetlinkMessage[] = [];
    for (;;) {
      const rx = recvFrom(this.fd, this.buf);
      if (!rx) throw new NetlinkError(spec.describe, EAGAIN, `no reply from the kernel (${describeErrno(EAGAIN)})`);
      if (rx.truncated) throw new Error(`${spec.describe}: reply longer than ${this.buf.length} bytes`);
      for (const m of decodeMessages(this.buf.subarray(0, rx.length))) {
        if (m.seq !== seq) {
          this.strayMessages++;
          continue;
        }
        if (m.type === NLMSG_ERROR) {
          const err = parseError(m);
          if (err.errno === 0) return replies;
          throw new NetlinkError(spec.describe, err.errno, err.message);
        }
        if (m.type === NLMSG_DONE) {
          const errno = parseDone(m);
          if (errno) throw new NetlinkError(spec.describe, errno);
          return replies;
        }
        if (m.type !== NLMSG_NOOP) replies.push({ ...m, payload: Buffer.from(m.payload) });
      }
    }
  }
}

/**
 * Watches links and addresses: a netlink socket subscribed to link and IPv4/IPv6 address
 * notifications, read when libuv says it is readable, keeps a LinkAddressView current and
 * emits its changes. It starts from a dump (no events for what already exists).
 *
 * When notifications come faster than the loop reads them the kernel drops some and the next
 * read fails with ENOBUFS. keepalived 2.2.7 only logs that ("Receive buffer overrun"); here the
 * watcher also drops what is queued, dumps links and addresses again and emits the differences
 * against its last view, so its view and its listeners never stay wrong.
 */
import { AF_NETLINK, ENOBUFS, SOCK_RAW, SOL_SOCKET, SO_RCVBUF, SyscallError, bindTo, closeFd, recvFrom, setsockoptInt, sockaddrNl, socket } from './libc.js';
import { type FdWatch, watchReadable } from './fd-poller.js';
import {
  type AddressInfo,
  type Family,
  type LinkInfo,
  type NetlinkMessage,
  AF_UNSPEC,
  NetlinkFormatError,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTMGRP_IPV4_IFADDR,
  RTMGRP_IPV6_IFADDR,
  RTMGRP_LINK,
  decodeIfInfoMsg,
  decodeMessages,
  parseAddressMessage,
  parseLinkMessage,
} from './netlink-codec.js';
import { LinkAddressView, type WatchEvent } from './link-address-view.js';
import { RtNetlink } from './rtnetlink.js';

export type { AddressEvent, LinkEvent, WatchEvent } from './link-address-view.js';

const NETLINK_ROUTE = 0;
/** Datagrams read per readiness callback, so a flood cannot hold the loop forever. */
const READS_PER_WAKEUP = 512;

export interface LinkWatcherOptions {
  /** SO_RCVBUF of the monitor socket (keepalived's vrrp_netlink_monitor_rcv_bufs); the kernel default otherwise. */
  readonly receiveBufferSize?: number;
  /** Where problems go (overruns, unreadable messages, failing listeners). */
  readonly report?: (message: string) => void;
}

export interface LinkWatcherStats {
  /** Notifications applied. */
  messages: number;
  /** Messages that could not be read (counted and skipped). */
  malformed: number;
  /** Times the monitor socket overran (ENOBUFS). */
  overruns: number;
  /** Full re-dumps done (after overruns, or asked for). */
  resyncs: number;
  /** Exceptions thrown by listeners (caught). */
  listenerErrors: number;
  /** Messages not sent by the kernel (ignored). */
  foreign: number;
  /** Reads that failed for another reason than an overrun (reported, survived). */
  readErrors: number;
}

export class LinkWatcher {
  private fd: number;
  private readonly requests: RtNetlink;
  private readonly view = new LinkAddressView();
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  private readonly buf = Buffer.alloc(64 * 1024);
  private watch: FdWatch | undefined;
  private readonly report: (message: string) => void;
  readonly stats: LinkWatcherStats = { messages: 0, malformed: 0, overruns: 0, resyncs: 0, listenerErrors: 0, foreign: 0, readErrors: 0 };

  /** Opens both sockets in the thread's current network namespace and loads the initial view. */
  constructor(options: LinkWatcherOptions = {}) {
    this.report = options.report ?? (() => {});
    this.fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    try {
      if (options.receiveBufferSize !== undefined) setsockoptInt(this.fd, SOL_SOCKET, SO_RCVBUF, options.receiveBufferSize);
      // subscribe before the dump, so nothing that happens in between is missed
      bindTo(this.fd, sockaddrNl(0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR));
      this.requests = new RtNetlink();
    } catch (e) {
      closeFd(this.fd);
      throw e;
    }
    try {
      this.view.replaceAll(this.requests.links(), this.requests.addresses());
      this.watch = watchReadable(this.fd, () => this.onReadable());
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Calls `listener` for every change; returns the function that stops that. */
  onEvent(listener: (e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Do not keep the process alive for this watcher alone. */
  unref(): void {
    this.watch?.unref();
  }

  /* ------------------------------------------------------------ the view */

  link(name: string): LinkInfo | undefined {
    return this.view.link(name);
  }

  linkByIndex(index: number): LinkInfo | undefined {
    return this.view.linkByIndex(index);
  }

  links(): LinkInfo[] {
    return this.view.links();
  }

  addresses(): AddressInfo[] {
    return this.view.addresses();
  }

  addressesOf(ifname: string): AddressInfo[] {
    return this.view.addressesOf(ifname);
  }

  /** See LinkAddressView.primaryAddress (`exclude`: e.g. the VIPs, which keepalived never takes as the link's own). */
  primaryAddress(ifname: string, family: Family, exclude?: (address: string) => boolean): string | undefined {
    return this.view.primaryAddress(ifname, family, exclude);
  }

  /* ------------------------------------------------------------ reading */

  /** Applies whatever notifications are queued now (the event loop calls this when the socket is readable). */
  poll(): void {
    for (let i = 0; i < READS_PER_WAKEUP && this.fd >= 0; i++) {
      let rx;
      try {
        rx = recvFrom(this.fd, this.buf);
      } catch (e) {
        if (e instanceof SyscallError && e.errno === ENOBUFS) {
          this.overrun();
          continue;
        }
        throw e;
      }
      if (!rx) return;
      if (rx.from.length >= 8 && rx.from.readUInt32LE(4) !== 0) {
        this.stats.foreign++;
        continue;
      }
      if (rx.truncated) {
        this.malformed(`notification longer than ${this.buf.length} bytes`);
        continue;
      }
      let messages: NetlinkMessage[];
      try {
        messages = decodeMessages(this.buf.subarray(0, rx.length));
      } catch (e) {
        this.malformed((e as Error).message);
        continue;
      }
      for (const m of messages) this.apply(m);
    }
  }

  /** From the event loop: nothing may escape into it (it would become an uncaught exception). */
  private onReadable(): void {
    try {
      this.poll();
    } catch (e) {
      this.stats.readErrors++;
      this.report(`Netlink: reading the monitor socket failed: ${(e as Error).message}`);
    }
  }

  /** Drops what is queued, dumps links and addresses, and emits the differences. */
  resync(): void {
    this.stats.resyncs++;
    this.drain();
    this.emit(this.view.replaceAll(this.requests.links(), this.requests.addresses()));
  }

  close(): void {
    this.watch?.close();
    this.watch = undefined;
    if (this.fd >= 0) closeFd(this.fd);
    this.fd = -1;
    this.requests?.close();
    this.listeners.clear();
  }

  /* ------------------------------------------------------------ internals */

  private overrun(): void {
    this.stats.overruns++;
    this.report('Netlink: Receive buffer overrun on monitor socket - re-reading links and addresses');
    try {
      this.resync();
    } catch (e) {
      this.report(`Netlink: re-reading links and addresses after an overrun failed: ${(e as Error).message}`);
    }
  }

  /** Discards the queued notifications: the dump that follows supersedes them. */
  private drain(): void {
    for (;;) {
      try {
        if (!recvFrom(this.fd, this.buf)) return;
      } catch (e) {
        if (e instanceof SyscallError && e.errno === ENOBUFS) continue;
        throw e;
      }
    }
  }

  private apply(m: NetlinkMessage): void {
    try {
      let events: WatchEvent[];
      switch (m.type) {
        case RTM_NEWLINK:
        case RTM_DELLINK: {
          // a bridge reports its ports with family AF_BRIDGE; a DELLINK of that kind only means
          // "no longer a port", so only AF_UNSPEC messages describe the link itself
          const h = decodeIfInfoMsg(m.payload);
          if (h.family !== AF_UNSPEC) return;
          events = m.type === RTM_NEWLINK ? this.view.linkChanged(parseLinkMessage(m)) : this.view.linkRemoved(h.index);
          break;
        }
        case RTM_NEWADDR:
        case RTM_DELADDR: {
          const a = parseAddressMessage(m);
          if (!a) return;
          events = m.type === RTM_NEWADDR ? this.view.addressAdded(a) : this.view.addressRemoved(a);
          break;
        }
        default:
          return;
      }
      this.stats.messages++;
      this.emit(events);
    } catch (e) {
      if (e instanceof NetlinkFormatError) this.malformed(e.message);
      else throw e;
    }
  }

  private malformed(why: string): void {
    this.stats.malformed++;
    this.report(`Netlink: ignoring an unreadable notification (${why})`);
  }

  private emit(events: readonly WatchEvent[]): void {
    for (const e of events)
      for (const listener of this.listeners) {
        try {
          listener(e);
        } catch (err) {
          this.stats.listenerErrors++;
          this.report(`link watcher listener failed on ${e.type} event: ${(err as Error).stack ?? String(err)}`);
        }
      }
  }
}

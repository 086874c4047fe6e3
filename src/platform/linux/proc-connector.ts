/**
 * The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC): fork, exec, comm
 * change and exit of every process on the host, as keepalived's track_process uses them.
 *
 * Needs CAP_NET_ADMIN and the initial network namespace (the connector only exists there:
 * in another namespace the subscription fails with ECONNREFUSED), and CONFIG_PROC_EVENTS.
 * `open` throws when any of that is missing; the caller then polls /proc instead.
 *
 * Each datagram carries exactly one event: nlmsghdr (16 bytes), cn_msg (20), proc_event.
 */
import * as libc from './libc.js';
import { watchReadable, type FdWatch } from './fd-poller.js';

const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const NLMSG_DONE = 3;
const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const PROC_CN_MCAST_LISTEN = 1;
const PROC_CN_MCAST_IGNORE = 2;

const PROC_EVENT_NONE = 0;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_COMM = 0x200;
const PROC_EVENT_EXIT = 0x80000000;

const NLMSG_HDR = 16;
const CN_MSG = 20;
const EVENT = NLMSG_HDR + CN_MSG;
/** proc_event: what, cpu, timestamp_ns, then the per-event data. */
const EVENT_DATA = EVENT + 16;

export type ProcEvent =
  /** The kernel confirmed the subscription. */
  | { readonly type: 'ack' }
  /** Only processes (child pid == child tgid); new threads are dropped here. */
  | { readonly type: 'fork'; readonly parent: number; readonly child: number }
  | { readonly type: 'exec'; readonly pid: number }
  | { readonly type: 'comm'; readonly pid: number; readonly comm: string }
  | { readonly type: 'exit'; readonly pid: number }
  /** The socket overflowed: events were lost, a rescan is needed. */
  | { readonly type: 'lost' }
  /** A receive error other than an overflow (reported, then the socket is read again on the next wake-up). */
  | { readonly type: 'error'; readonly message: string };

/** Decode one received datagram; undefined for what track_process ignores (threads, uid changes, …). */
export function parseProcEvent(msg: Buffer): ProcEvent | undefined {
  if (msg.length < EVENT_DATA) return undefined;
  const nlType = msg.readUInt16LE(4);
  if (nlType === NLMSG_ERROR || nlType === NLMSG_NOOP) return undefined;
  if (msg.readUInt32LE(NLMSG_HDR) !== CN_IDX_PROC || msg.readUInt32LE(NLMSG_HDR + 4) !== CN_VAL_PROC) return undefined;
  const ack = msg.readUInt32LE(NLMSG_HDR + 12);
  const what = msg.readUInt32LE(EVENT);
  // an ack is exactly the PROC_EVENT_NONE message
  if ((what === PROC_EVENT_NONE) !== (ack !== 0)) return undefined;
  const d = EVENT_DATA;
  switch (what) {
    case PROC_EVENT_NONE:
      return { type: 'ack' };
    case PROC_EVENT_FORK: {
      if (msg.length < d + 16) return undefined;
      const childPid = msg.readInt32LE(d + 8);
      const childTgid = msg.readInt32LE(d + 12);
      if (childPid !== childTgid) return undefined;
      return { type: 'fork', parent: msg.readInt32LE(d + 4), child: childTgid };
    }
    case PROC_EVENT_EXEC:
    case PROC_EVENT_EXIT: {
      if (msg.length < d + 8) return undefined;
      const pid = msg.readInt32LE(d);
      const tgid = msg.readInt32LE(d + 4);
      if (pid !== tgid) return undefined;
      return { type: what === PROC_EVENT_EXEC ? 'exec' : 'exit', pid: tgid };
    }
    case PROC_EVENT_COMM: {
      if (msg.length < d + 8 + 16) return undefined;
      const pid = msg.readInt32LE(d);
      const tgid = msg.readInt32LE(d + 4);
      if (pid !== tgid) return undefined;
      const raw = msg.subarray(d + 8, d + 24);
      const z = raw.indexOf(0);
      return { type: 'comm', pid: tgid, comm: (z === -1 ? raw : raw.subarray(0, z)).toString() };
    }
    default:
      return undefined;
  }
}

function subscription(op: number): Buffer {
  const m = Buffer.alloc(EVENT + 4);
  m.writeUInt32LE(m.length, 0);
  m.writeUInt16LE(NLMSG_DONE, 4);
  m.writeUInt32LE(CN_IDX_PROC, NLMSG_HDR);
  m.writeUInt32LE(CN_VAL_PROC, NLMSG_HDR + 4);
  m.writeUInt16LE(4, NLMSG_HDR + 16);
  m.writeUInt32LE(op, EVENT);
  return m;
}

export class ProcConnector {
  private readonly buf = Buffer.alloc(1024);
  private watch: FdWatch | undefined;

  private constructor(
    private fd: number,
    private readonly onEvent: (e: ProcEvent) => void,
  ) {}

  /** Subscribe to process events; throws (SyscallError) when the connector cannot be used here. */
  static open(onEvent: (e: ProcEvent) => void, receiveBuffer?: { size: number; force: boolean }): ProcConnector {
    const fd = libc.socket(libc.AF_NETLINK, libc.SOCK_DGRAM, NETLINK_CONNECTOR);
    try {
      libc.bindTo(fd, libc.sockaddrNl(0, CN_IDX_PROC));
      if (receiveBuffer && receiveBuffer.size > 0) {
        libc.setsockoptInt(fd, libc.SOL_SOCKET, receiveBuffer.force ? libc.SO_RCVBUFFORCE : libc.SO_RCVBUF, receiveBuffer.size);
      }
      const sent = libc.sendTo(fd, subscription(PROC_CN_MCAST_LISTEN), libc.sockaddrNl(0, 0));
      if (typeof sent !== 'number') throw new libc.SyscallError('sendto', sent.errno, libc.errnoName(sent.errno));
    } catch (e) {
      libc.closeFd(fd);
      throw e;
    }
    const c = new ProcConnector(fd, onEvent);
    c.watch = watchReadable(fd, () => c.drain());
    return c;
  }

  close(): void {
    if (this.fd === -1) return;
    try {
      libc.sendTo(this.fd, subscription(PROC_CN_MCAST_IGNORE), libc.sockaddrNl(0, 0));
    } catch {
      /* closing anyway */
    }
    this.watch?.close();
    this.watch = undefined;
    libc.closeFd(this.fd);
    this.fd = -1;
  }

  private drain(): void {
    while (this.fd !== -1) {
      let r: libc.Received | undefined;
      try {
        r = libc.recvFrom(this.fd, this.buf);
      } catch (e) {
        if (e instanceof libc.SyscallError && e.errno === libc.ENOBUFS) {
          this.onEvent({ type: 'lost' });
          continue;
        }
        this.onEvent({ type: 'error', message: (e as Error).message });
        return;
      }
      if (!r) return;
      // only the kernel (netlink port 0) sends process events
      if (r.from.length >= 8 && r.from.readUInt32LE(4) !== 0) continue;
      const e = parseProcEvent(this.buf.subarray(0, r.length));
      if (e) this.onEvent(e);
    }
  }
}

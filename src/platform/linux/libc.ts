/**
 * The only door to libc: the few socket calls Node lacks (raw IP, AF_PACKET, netlink sockets),
 * bound once through koffi. Every call is synchronous and non-blocking (sockets are created
 * with SOCK_NONBLOCK); readiness comes from libuv through `pollReadable` (fd-poller.ts).
 *
 * koffi's `.async` calls are deliberately not used: they run on libuv's thread pool and do
 * not keep Buffer arguments alive (see shared platform notes). Buffers passed here are only
 * used for the duration of the call.
 */
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';

const require = createRequire(import.meta.url);

type Koffi = typeof KoffiModule;
type NativeFn = (...args: unknown[]) => unknown;

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SO_BINDTODEVICE = 25;
export const IPPROTO_IP = 0;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_RAW = 255;
export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_HDRINCL = 3;
export const IP_MTU_DISCOVER = 10;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_DROP_MEMBERSHIP = 36;
export const IP_MULTICAST_ALL = 49;
export const IPV6_CHECKSUM = 7;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_JOIN_GROUP = 20;
export const IPV6_LEAVE_GROUP = 21;
export const IPV6_RECVPKTINFO = 49;
export const IPV6_PKTINFO = 50;
export const IPV6_RECVHOPLIMIT = 51;
export const IPV6_HOPLIMIT = 52;
export const IPV6_TCLASS = 67;
export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_NO_ENOBUFS = 5;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;

export const EAGAIN = 11;
export const EINTR = 4;
export const ENOBUFS = 105;

/** A failed system call, with the errno name Node uses for its own errors (`code`). */
export class SyscallError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(`${syscall}: ${code} (${describeErrno(errno)})`);
  }
}

interface Bindings {
  readonly koffi: Koffi;
  readonly socket: NativeFn;
  readonly setsockopt: NativeFn;
  readonly bind: NativeFn;
  readonly sendto: NativeFn;
  readonly recvfrom: NativeFn;
  readonly recvmsg: NativeFn;
  readonly close: NativeFn;
  readonly ifNameToIndex: NativeFn;
  readonly strerror: NativeFn;
}

let bindings: Bindings | undefined;
let loadError: Error | undefined;

function lib(): Bindings {
  if (bindings) return bindings;
  if (loadError) throw loadError;
  try {
    const koffi = require('koffi') as Koffi;
    const c = koffi.load('libc.so.6');
    bindings = {
      koffi,
      socket: c.func('int socket(int domain, int type, int protocol)') as NativeFn,
      setsockopt: c.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)') as NativeFn,
      bind: c.func('int bind(int fd, const void *addr, uint32_t len)') as NativeFn,
      sendto: c.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)') as NativeFn,
      recvfrom: c.func('long recvfrom(int fd, _Out_ void *buf, size_t len, int flags, _Out_ void *addr, _Inout_ uint32_t *addrlen)') as NativeFn,
      recvmsg: c.func('long recvmsg(int fd, void *msghdr, int flags)') as NativeFn,
      close: c.func('int close(int fd)') as NativeFn,
      ifNameToIndex: c.func('unsigned int if_nametoindex(const char *name)') as NativeFn,
      strerror: c.func('const char *strerror(int errnum)') as NativeFn,
    };
    return bindings;
  } catch (e) {
    loadError = new Error(`cannot load libc through koffi (raw sockets unavailable): ${(e as Error).message}`);
    throw loadError;
  }
}

/** Why raw sockets cannot be used in this process, or undefined when they can. */
export function nativeUnavailableReason(): string | undefined {
  try {
    lib();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function koffi(): Koffi {
  return lib().koffi;
}

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 4: 'EINTR', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST',
  19: 'ENODEV', 22: 'EINVAL', 24: 'EMFILE', 90: 'EMSGSIZE', 92: 'ENOPROTOOPT', 93: 'EPROTONOSUPPORT', 95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT', 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 100: 'ENETDOWN', 101: 'ENETUNREACH', 105: 'ENOBUFS',
  113: 'EHOSTUNREACH', 3: 'ESRCH', 6: 'ENXIO', 61: 'ENODATA',
};

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

export function describeErrno(errno: number): string {
  try {
    return String(lib().strerror(errno));
  } catch {
    return `errno ${errno}`;
  }
}

function check(syscall: string, r: unknown): number {
  const n = Number(r);
  if (n < 0) {
    const e = lib().koffi.errno();
    throw new SyscallError(syscall, e, errnoName(e));
  }
  return n;
}

/** The result, or the errno when the call failed with one of `tolerated` (e.g. EAGAIN). */
function checkOr(syscall: string, r: unknown, tolerated: readonly number[]): number | { errno: number } {
  const n = Number(r);
  if (n >= 0) return n;
  const e = lib().koffi.errno();
  if (tolerated.includes(e)) return { errno: e };
  throw new SyscallError(syscall, e, errnoName(e));
}

export function socket(domain: number, type: number, protocol: number): number {
  return check('socket', lib().socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
}

export function closeFd(fd: number): void {
  lib().close(fd);
}

export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  setsockoptBytes(fd, level, name, b);
}

export function setsockoptBytes(fd: number, level: number, name: number, value: Uint8Array): void {
  check(`setsockopt(${level},${name})`, lib().setsockopt(fd, level, name, value, value.length));
}

export function bindTo(fd: number, address: Uint8Array): void {
  check('bind', lib().bind(fd, address, address.length));
}

/** SO_BINDTODEVICE. */
export function bindToDevice(fd: number, ifname: string): void {
  setsockoptBytes(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${ifname}\0`));
}

/** Bytes sent; `{errno}` for EAGAIN/ENOBUFS (a full queue is a dropped packet, not an error). */
export function sendTo(fd: number, data: Uint8Array, address: Uint8Array | null): number | { errno: number } {
  return checkOr('sendto', lib().sendto(fd, data, data.length, 0, address, address ? address.length : 0), [EAGAIN, ENOBUFS, EINTR]);
}

export interface Received {
  readonly length: number;
  /** The sender's socket address (raw sockaddr bytes). */
  readonly from: Buffer;
  /** The datagram was longer than the buffer. */
  readonly truncated: boolean;
}

/** One datagram into `buf`, or undefined when none is waiting (EAGAIN). ENOBUFS is thrown (netlink overrun). */
export function recvFrom(fd: number, buf: Buffer): Received | undefined {
  const from = Buffer.alloc(128);
  const len = [from.length];
  const r = checkOr('recvfrom', lib().recvfrom(fd, buf, buf.length, MSG_DONTWAIT | MSG_TRUNC, from, len), [EAGAIN, EINTR]);
  if (typeof r !== 'number') return undefined;
  return { length: Math.min(r, buf.length), from: from.subarray(0, len[0]), truncated: r > buf.length };
}

export function ifNameToIndex(name: string): number {
  const i = Number(lib().ifNameToIndex(name));
  if (i === 0) {
    const e = lib().koffi.errno();
    throw new SyscallError(`if_nametoindex(${name})`, e, errnoName(e));
  }
  return i;
}

/* ---------------------------------------------------------------- socket addresses */

export function sockaddrIn(address: Uint8Array, port = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  b.set(address, 4);
  return b;
}

export function sockaddrIn6(address: Uint8Array, scopeId = 0, port = 0): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  b.set(address, 8);
  b.writeUInt32LE(scopeId, 24);
  return b;
}

/** sockaddr_ll for sending a frame out of `ifindex`. */
export function sockaddrLl(ifindex: number, protocol: number, mac: Uint8Array): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(protocol, 2);
  b.writeInt32LE(ifindex, 4);
  b.writeUInt8(mac.length, 11);
  b.set(mac, 12);
  return b;
}

export function sockaddrNl(pid = 0, groups = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(AF_NETLINK, 0);
  b.writeUInt32LE(pid, 4);
  b.writeUInt32LE(groups, 8);
  return b;
}

/* ---------------------------------------------------------------- recvmsg with control messages */

export interface ReceivedMessage {
  readonly data: Buffer;
  readonly from: Buffer;
  readonly truncated: boolean;
  /** Control messages: level, type and data. */
  readonly control: readonly { level: number; type: number; data: Buffer }[];
}

/** One native arena for recvmsg()/sendmsg(): struct msghdr, iovec, address, control and data, at fixed offsets. */
const MSG_ARENA = { IOV: 56, NAME: 72, NAME_LEN: 128, CTRL: 200, CTRL_LEN: 256, DATA: 456 } as const;

/**
 * A recvmsg() reader with its msghdr, iovec, address and control buffers in one native arena
 * (koffi.alloc: memory that never moves), reused for every call on one socket.
 */
export class MessageReader {
  private readonly arena: unknown;
  private readonly view: Buffer;

  constructor(private readonly dataLength = 65536) {
    const k = lib().koffi;
    const size = MSG_ARENA.DATA + dataLength;
    this.arena = k.alloc('uint8_t', size);
    this.view = Buffer.from(k.view(this.arena, size));
    const base = k.address(this.arena);
    const v = this.view;
    // struct msghdr (x86-64 / aarch64 LP64 layout)
    v.writeBigUInt64LE(base + BigInt(MSG_ARENA.NAME), 0); // msg_name
    v.writeUInt32LE(MSG_ARENA.NAME_LEN, 8); // msg_namelen
    v.writeBigUInt64LE(base + BigInt(MSG_ARENA.IOV), 16); // msg_iov
    v.writeBigUInt64LE(1n, 24); // msg_iovlen
    v.writeBigUInt64LE(base + BigInt(MSG_ARENA.CTRL), 32); // msg_control
    v.writeBigUInt64LE(BigInt(MSG_ARENA.CTRL_LEN), 40); // msg_controllen
    v.writeInt32LE(0, 48); // msg_flags
    // struct iovec
    v.writeBigUInt64LE(base + BigInt(MSG_ARENA.DATA), MSG_ARENA.IOV);
    v.writeBigUInt64LE(BigInt(dataLength), MSG_ARENA.IOV + 8);
  }

  /** One message (copied out of the arena), or undefined when none is waiting. */
  read(fd: number): ReceivedMessage | undefined {
    const v = this.view;
    v.writeUInt32LE(MSG_ARENA.NAME_LEN, 8);
    v.writeBigUInt64LE(BigInt(MSG_ARENA.CTRL_LEN), 40);
    v.writeInt32LE(0, 48);
    const r = checkOr('recvmsg', lib().recvmsg(fd, this.arena, MSG_DONTWAIT | MSG_TRUNC), [EAGAIN, EINTR]);
    if (typeof r !== 'number') return undefined;
    const nameLen = v.readUInt32LE(8);
    const ctrlLen = Number(v.readBigUInt64LE(40));
    const control: { level: number; type: number; data: Buffer }[] = [];
    let off = 0;
    while (off + 16 <= ctrlLen) {
      const at = MSG_ARENA.CTRL + off;
      const len = Number(v.readBigUInt64LE(at));
      if (len < 16 || off + len > ctrlLen) break;
      control.push({ level: v.readInt32LE(at + 8), type: v.readInt32LE(at + 12), data: Buffer.from(v.subarray(at + 16, at + len)) });
      off += (len + 7) & ~7;
    }
    const n = Math.min(r, this.dataLength);
    return {
      data: Buffer.from(v.subarray(MSG_ARENA.DATA, MSG_ARENA.DATA + n)),
      from: Buffer.from(v.subarray(MSG_ARENA.NAME, MSG_ARENA.NAME + Math.min(nameLen, MSG_ARENA.NAME_LEN))),
      truncated: r > this.dataLength,
      control,
    };
  }

  dispose(): void {
    lib().koffi.free(this.arena);
  }
}

/* ---------------------------------------------------------------- sendmsg, multicast requests, send-only sockets */

export const SO_ATTACH_FILTER = 26;
export const IPV6_MULTICAST_ALL = 29;
export const MSG_DONTROUTE = 0x4;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ENETDOWN = 100;

/** struct ip_mreqn (IP_ADD_MEMBERSHIP / IP_MULTICAST_IF): group, local address (any), ifindex. */
export function ipMreqn(group: Uint8Array | null, ifindex: number, local: Uint8Array | null = null): Buffer {
  const b = Buffer.alloc(12);
  if (group) b.set(group, 0);
  if (local) b.set(local, 4);
  b.writeInt32LE(ifindex, 8);
  return b;
}

/** struct ipv6_mreq (IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP). */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  b.set(group, 0);
  b.writeUInt32LE(ifindex, 16);
  return b;
}

/** struct in6_pktinfo (the IPV6_PKTINFO control message): source/destination address and ifindex. */
export function in6Pktinfo(address: Uint8Array, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  b.set(address, 0);
  b.writeUInt32LE(ifindex, 16);
  return b;
}

/**
 * A classic BPF program that accepts nothing, so a socket used only for sending never queues
 * what the kernel would otherwise hand every raw socket of its protocol.
 */
export function attachDropAllFilter(fd: number): void {
  const k = lib().koffi;
  // struct sock_fprog { u16 len; struct sock_filter *filter } at 0, one sock_filter at 16
  const arena = k.alloc('uint8_t', 24);
  try {
    const v = Buffer.from(k.view(arena, 24));
    v.fill(0);
    v.writeUInt16LE(1, 0);
    v.writeBigUInt64LE(k.address(arena) + 16n, 8);
    v.writeUInt16LE(0x06, 16); // BPF_RET | BPF_K, k = 0: keep 0 bytes of the packet
    check('setsockopt(SO_ATTACH_FILTER)', lib().setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, arena, 16));
  } finally {
    k.free(arena);
  }
}

export interface ControlMessage {
  readonly level: number;
  readonly type: number;
  readonly data: Uint8Array;
}

let sendmsgFn: NativeFn | undefined;
function sendmsgNative(): NativeFn {
  sendmsgFn ??= lib().koffi.load('libc.so.6').func('long sendmsg(int fd, const void *msghdr, int flags)') as NativeFn;
  return sendmsgFn;
}

/**
 * A sendmsg() writer (the counterpart of MessageReader): msghdr, iovec, address, control
 * messages and a copy of the data in one native arena, reused for every call on one socket.
 */
export class MessageWriter {
  private readonly arena: unknown;
  private readonly view: Buffer;
  private readonly base: bigint;

  constructor(readonly maxDataLength = 65536) {
    const k = lib().koffi;
    const size = MSG_ARENA.DATA + maxDataLength;
    this.arena = k.alloc('uint8_t', size);
    this.view = Buffer.from(k.view(this.arena, size));
    this.base = k.address(this.arena);
  }

  /**
   * Bytes sent, or the errno of a failed call: every failure is returned, never thrown, since
   * whether it matters (a full queue, a link going down) is the caller's call. Data, address or
   * control messages larger than the arena are EMSGSIZE.
   */
  send(fd: number, data: Uint8Array, address: Uint8Array | null, control: readonly ControlMessage[] = [], flags = 0): number | { errno: number } {
    const v = this.view;
    const ctrlSpace = control.reduce((n, c) => n + ((16 + c.data.length + 7) & ~7), 0);
    if (data.length > this.maxDataLength || (address?.length ?? 0) > MSG_ARENA.NAME_LEN || ctrlSpace > MSG_ARENA.CTRL_LEN) {
      return { errno: 90 }; // EMSGSIZE
    }
    v.fill(0, 0, MSG_ARENA.DATA);
    if (address) {
      v.set(address, MSG_ARENA.NAME);
      v.writeBigUInt64LE(this.base + BigInt(MSG_ARENA.NAME), 0); // msg_name
      v.writeUInt32LE(address.length, 8); // msg_namelen
    }
    v.writeBigUInt64LE(this.base + BigInt(MSG_ARENA.IOV), 16); // msg_iov
    v.writeBigUInt64LE(1n, 24); // msg_iovlen
    if (control.length > 0) {
      let off = MSG_ARENA.CTRL;
      for (const c of control) {
        v.writeBigUInt64LE(BigInt(16 + c.data.length), off); // cmsg_len
        v.writeInt32LE(c.level, off + 8);
        v.writeInt32LE(c.type, off + 12);
        v.set(c.data, off + 16);
        off += (16 + c.data.length + 7) & ~7;
      }
      v.writeBigUInt64LE(this.base + BigInt(MSG_ARENA.CTRL), 32); // msg_control
      v.writeBigUInt64LE(BigInt(ctrlSpace), 40); // msg_controllen
    }
    v.writeBigUInt64LE(this.base + BigInt(MSG_ARENA.DATA), MSG_ARENA.IOV); // iov_base
    v.writeBigUInt64LE(BigInt(data.length), MSG_ARENA.IOV + 8); // iov_len
    v.set(data, MSG_ARENA.DATA);
    const r = Number(sendmsgNative()(fd, this.arena, flags));
    if (r >= 0) return r;
    return { errno: lib().koffi.errno() };
  }

  dispose(): void {
    lib().koffi.free(this.arena);
  }
}

/* ---------------------------------------------------------------- files: inotify, FIFOs, raw reads */

export const IN_NONBLOCK = 0o4000;
export const IN_CLOEXEC = 0o2000000;
export const IN_MODIFY = 0x2;
export const IN_CLOSE_WRITE = 0x8;
export const IN_MOVED_FROM = 0x40;
export const IN_MOVED_TO = 0x80;
export const IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO;
export const IN_CREATE = 0x100;
export const IN_DELETE = 0x200;
export const IN_DELETE_SELF = 0x400;
export const IN_MOVE_SELF = 0x800;
export const IN_Q_OVERFLOW = 0x4000;
export const IN_IGNORED = 0x8000;
export const IN_ISDIR = 0x40000000;
export const EEXIST = 17;

interface FileBindings {
  readonly inotifyInit1: NativeFn;
  readonly inotifyAddWatch: NativeFn;
  readonly inotifyRmWatch: NativeFn;
  readonly read: NativeFn;
  readonly mkfifo: NativeFn;
}

let fileBindings: FileBindings | undefined;

/* Bound separately from the socket calls so that this block only appends to the module. */
function fileLib(): FileBindings {
  if (fileBindings) return fileBindings;
  const c = lib().koffi.load('libc.so.6');
  fileBindings = {
    inotifyInit1: c.func('int inotify_init1(int flags)') as NativeFn,
    inotifyAddWatch: c.func('int inotify_add_watch(int fd, const char *path, uint32_t mask)') as NativeFn,
    inotifyRmWatch: c.func('int inotify_rm_watch(int fd, int wd)') as NativeFn,
    read: c.func('long read(int fd, _Out_ void *buf, size_t len)') as NativeFn,
    mkfifo: c.func('int mkfifo(const char *path, uint32_t mode)') as NativeFn,
  };
  return fileBindings;
}

/** A non-blocking, close-on-exec inotify instance. */
export function inotifyInit(): number {
  return check('inotify_init1', fileLib().inotifyInit1(IN_NONBLOCK | IN_CLOEXEC));
}

/** The watch descriptor (the same one again when `path` is already watched on this fd). */
export function inotifyAddWatch(fd: number, path: string, mask: number): number {
  return check(`inotify_add_watch(${path})`, fileLib().inotifyAddWatch(fd, path, mask));
}

export function inotifyRmWatch(fd: number, wd: number): void {
  fileLib().inotifyRmWatch(fd, wd);
}

/** Bytes read into `buf`, or undefined when nothing is waiting (EAGAIN) on a non-blocking fd. */
export function readFd(fd: number, buf: Buffer): number | undefined {
  const r = checkOr('read', fileLib().read(fd, buf, buf.length), [EAGAIN, EINTR]);
  return typeof r === 'number' ? r : undefined;
}

/** mkfifo(3); the mode is still filtered by the process umask. Throws SyscallError (EEXIST when the path exists). */
export function mkfifo(path: string, mode: number): void {
  check(`mkfifo(${path})`, fileLib().mkfifo(path, mode));
}

/* ---------------------------------------------------------------- rtnetlink extras and network namespaces */

/** Error acknowledgements echo only the request's header, not its whole payload. */
export const NETLINK_CAP_ACK = 10;
/** Error acknowledgements carry the kernel's explanation (extended ack). */
export const NETLINK_EXT_ACK = 11;
export const CLONE_NEWNET = 0x40000000;

let setnsFn: NativeFn | undefined;

/**
 * setns(fd, CLONE_NEWNET): move the calling thread into the network namespace `fd` refers to
 * (an open /run/netns/NAME or /proc/…/ns/net). Sockets created afterwards belong to it and
 * stay there after the thread moves back.
 */
export function setNetworkNamespace(fd: number): void {
  setnsFn ??= lib().koffi.load('libc.so.6').func('int setns(int fd, int nstype)') as NativeFn;
  check('setns', setnsFn(fd, CLONE_NEWNET));
}

/* ---------------------------------------------------------------- connected datagram sockets (UDP/DNS/ICMP checkers) */

export const SO_MARK = 36;
export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const EACCES = 13;
export const EPERM = 1;
export const ECONNREFUSED = 111;
ERRNO_NAMES[ECONNREFUSED] = 'ECONNREFUSED';

let connectFn: NativeFn | undefined;

/** connect(): for a datagram socket, fixes the peer (replies from others are dropped; ICMP errors become socket errors). */
export function connectTo(fd: number, address: Uint8Array): void {
  connectFn ??= lib().koffi.load('libc.so.6').func('int connect(int fd, const void *addr, uint32_t len)') as NativeFn;
  check('connect', connectFn(fd, address, address.length));
}

/* ---------------------------------------------------------------- non-blocking stream connects (TCP_CHECK) */

export const SO_ERROR = 4;
export const ECONNRESET = 104;
export const ECONNABORTED = 103;
export const ETIMEDOUT = 110;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;
export const EINPROGRESS = 115;
export const EALREADY = 114;
export const EISCONN = 106;
ERRNO_NAMES[ECONNRESET] = 'ECONNRESET';
ERRNO_NAMES[ECONNABORTED] = 'ECONNABORTED';
ERRNO_NAMES[ETIMEDOUT] = 'ETIMEDOUT';
ERRNO_NAMES[EHOSTDOWN] = 'EHOSTDOWN';
ERRNO_NAMES[EINPROGRESS] = 'EINPROGRESS';
ERRNO_NAMES[EALREADY] = 'EALREADY';
ERRNO_NAMES[EISCONN] = 'EISCONN';
ERRNO_NAMES[111] = 'ECONNREFUSED';
ERRNO_NAMES[23] = 'ENFILE';

let getsockoptFn: NativeFn | undefined;
/* getsockopt's value and length, reused: every call is synchronous and reads them back at once. */
const sockoptValue = Buffer.alloc(4);
const sockoptLength = Buffer.alloc(4);

/**
 * connect() without throwing: 0 when connected at once, otherwise the errno. On a non-blocking
 * stream socket EINPROGRESS means "wait until writable, then read socketError()"; the caller
 * decides what any other errno means (failure of the peer or of the attempt).
 */
export function connectStart(fd: number, address: Uint8Array): number {
  connectFn ??= lib().koffi.load('libc.so.6').func('int connect(int fd, const void *addr, uint32_t len)') as NativeFn;
  if (Number(connectFn(fd, address, address.length)) === 0) return 0;
  return lib().koffi.errno();
}

/** getsockopt(SO_ERROR): the socket's pending error (0 when none), cleared by reading it. Throws SyscallError (e.g. EBADF). */
export function socketError(fd: number): number {
  getsockoptFn ??= lib().koffi.load('libc.so.6').func('int getsockopt(int fd, int level, int name, void *value, void *len)') as NativeFn;
  sockoptLength.writeUInt32LE(4, 0);
  check('getsockopt(SO_ERROR)', getsockoptFn(fd, SOL_SOCKET, SO_ERROR, sockoptValue, sockoptLength));
  return sockoptValue.readInt32LE(0);
}

/* ---------------------------------------------------------------- listening stream sockets (benchmarks and test servers) */

export const SO_REUSEADDR = 2;

let listenFn: NativeFn | undefined;
let accept4Fn: NativeFn | undefined;

export function listenOn(fd: number, backlog: number): void {
  listenFn ??= lib().koffi.load('libc.so.6').func('int listen(int fd, int backlog)') as NativeFn;
  check('listen', listenFn(fd, backlog));
}

/** The next pending connection (non-blocking, close-on-exec), or undefined when none is waiting. */
export function acceptConnection(fd: number): number | undefined {
  accept4Fn ??= lib().koffi.load('libc.so.6').func('int accept4(int fd, void *addr, void *len, int flags)') as NativeFn;
  const r = checkOr('accept4', accept4Fn(fd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC), [EAGAIN, EINTR]);
  return typeof r === 'number' ? r : undefined;
}

/* ---------------------------------------------------------------- epoll (many short-lived sockets behind one libuv watch) */

export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLONESHOT = 1 << 30;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
/** struct epoll_event is packed on x86-64 (u32 events, u64 data: 12 bytes) and naturally aligned elsewhere (16). */
export const EPOLL_EVENT_SIZE = process.arch === 'x64' ? 12 : 16;
const EPOLL_DATA_OFFSET = process.arch === 'x64' ? 4 : 8;

interface EpollBindings {
  readonly create1: NativeFn;
  readonly ctl: NativeFn;
  readonly wait: NativeFn;
}
let epollBindings: EpollBindings | undefined;
function epollLib(): EpollBindings {
  if (epollBindings) return epollBindings;
  const c = lib().koffi.load('libc.so.6');
  epollBindings = {
    create1: c.func('int epoll_create1(int flags)') as NativeFn,
    ctl: c.func('int epoll_ctl(int epfd, int op, int fd, void *event)') as NativeFn,
    wait: c.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)') as NativeFn,
  };
  return epollBindings;
}
const epollEvent = Buffer.alloc(16);

/** A close-on-exec epoll instance. */
export function epollCreate(): number {
  return check('epoll_create1', epollLib().create1(SOCK_CLOEXEC));
}

/** epoll_ctl with `data` (a u32 pair: low, high) handed back with every event of `fd`. Throws SyscallError. */
export function epollControl(epfd: number, op: number, fd: number, events: number, dataLow: number, dataHigh = 0): void {
  epollEvent.writeUInt32LE(events >>> 0, 0);
  epollEvent.writeUInt32LE(dataLow >>> 0, EPOLL_DATA_OFFSET);
  epollEvent.writeUInt32LE(dataHigh >>> 0, EPOLL_DATA_OFFSET + 4);
  check('epoll_ctl', epollLib().ctl(epfd, op, fd, epollEvent));
}

/**
 * Ready events without waiting (timeout 0) into `events` (room for events.length / EPOLL_EVENT_SIZE);
 * read them with epollEventAt. Returns how many; 0 on EINTR.
 */
export function epollWaitNow(epfd: number, events: Buffer): number {
  const r = checkOr('epoll_wait', epollLib().wait(epfd, events, Math.floor(events.length / EPOLL_EVENT_SIZE), 0), [EINTR]);
  return typeof r === 'number' ? r : 0;
}

/** Event `i` of an epollWaitNow buffer: its event bits and the two halves of its data. */
export function epollEventAt(events: Buffer, i: number): { events: number; dataLow: number; dataHigh: number } {
  const at = i * EPOLL_EVENT_SIZE;
  return { events: events.readUInt32LE(at), dataLow: events.readUInt32LE(at + EPOLL_DATA_OFFSET), dataHigh: events.readUInt32LE(at + EPOLL_DATA_OFFSET + 4) };
}

export const SO_LINGER = 13;
export const TCP_QUICKACK = 12;

/* ---------------------------------------------------------------- packet sockets: filters, packet types */

/** sockaddr_ll.sll_pkttype of a frame this host sent (a packet socket sees those too). */
export const PACKET_OUTGOING = 4;
/** Offset of sll_pkttype in a struct sockaddr_ll. */
export const SOCKADDR_LL_PKTTYPE = 10;

/** One classic BPF instruction (struct sock_filter). */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/**
 * Attach a classic BPF program (SO_ATTACH_FILTER), so the kernel queues only what it accepts:
 * a packet socket on a busy interface then never copies the traffic nobody reads.
 */
export function attachFilter(fd: number, program: readonly BpfInstruction[]): void {
  const k = lib().koffi;
  // struct sock_fprog { u16 len; struct sock_filter *filter } at 0, the instructions from 16 (8 bytes each)
  const size = 16 + 8 * program.length;
  const arena = k.alloc('uint8_t', size);
  try {
    const v = Buffer.from(k.view(arena, size));
    v.fill(0);
    v.writeUInt16LE(program.length, 0);
    v.writeBigUInt64LE(k.address(arena) + 16n, 8);
    program.forEach((ins, i) => {
      const at = 16 + 8 * i;
      v.writeUInt16LE(ins.code, at);
      v.writeUInt8(ins.jt, at + 2);
      v.writeUInt8(ins.jf, at + 3);
      v.writeUInt32LE(ins.k >>> 0, at + 4);
    });
    check('setsockopt(SO_ATTACH_FILTER)', lib().setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, arena, 16));
  } finally {
    k.free(arena);
  }
}

/* adjtimex(2), read-only (modes 0), for the clock check of `doctor`. */
const TIMEX_SIZE = 208; // struct timex on LP64 (its trailing padding included)
const TIME_ERROR = 5;
let adjtimexFn: NativeFn | undefined;

/** Whether the kernel considers its clock synchronised (adjtimex returns TIME_ERROR when not). Throws SyscallError. */
export function kernelClockSynchronized(): boolean {
  adjtimexFn ??= lib().koffi.load('libc.so.6').func('int adjtimex(void *buf)') as NativeFn;
  const state = check('adjtimex', adjtimexFn(Buffer.alloc(TIMEX_SIZE)));
  return state !== TIME_ERROR;
}

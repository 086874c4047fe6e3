/**
 * ICMP and ICMPv6 echo messages for PING_CHECK. Pure: builds requests, parses what a socket hands
 * back (with or without the IPv4 header, depending on the socket) and says whether it is the
 * reply to our request. Every length is checked before it is read: the peer is not trusted.
 */
import { internetChecksum } from '../vrrp/checksum.js';

export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
const ECHO_HEADER_LENGTH = 8;
const IPV4_MIN_HEADER = 20;

/** keepalived's echo payload length (ICMP_BUFSIZE). */
export const ECHO_PAYLOAD_LENGTH = 128;

export interface EchoRequest {
  readonly id: number;
  readonly sequence: number;
  readonly payload: Uint8Array;
}

/**
 * An echo request. IPv4 carries its checksum (raw sockets need it; ping sockets recompute it);
 * ICMPv6's checksum covers a pseudo-header with addresses we may not know, and the kernel fills
 * it for both raw ICMPv6 and ping sockets, so it stays 0 here.
 */
export function buildEchoRequest(family: 'inet' | 'inet6', req: EchoRequest): Buffer {
  const b = Buffer.alloc(ECHO_HEADER_LENGTH + req.payload.length);
  b[0] = family === 'inet' ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST;
  b[1] = 0;
  b.writeUInt16BE(req.id & 0xffff, 4);
  b.writeUInt16BE(req.sequence & 0xffff, 6);
  b.set(req.payload, ECHO_HEADER_LENGTH);
  if (family === 'inet') b.writeUInt16BE(internetChecksum(b), 2);
  return b;
}

export interface IcmpMessage {
  readonly type: number;
  readonly code: number;
  readonly id: number;
  readonly sequence: number;
  readonly payload: Buffer;
}

/**
 * The ICMP message in a datagram. `withIpHeader`: raw IPv4 sockets deliver the IP header first
 * (IPv6 raw sockets and ping sockets never do). Returns a string saying what is wrong otherwise.
 */
export function parseIcmpMessage(datagram: Uint8Array, withIpHeader: boolean): IcmpMessage | string {
  let at = 0;
  if (withIpHeader) {
    if (datagram.length < IPV4_MIN_HEADER) return `short IPv4 packet (${datagram.length} bytes)`;
    if (datagram[0]! >> 4 !== 4) return `not an IPv4 packet (version ${datagram[0]! >> 4})`;
    const headerLength = (datagram[0]! & 0x0f) * 4;
    if (headerLength < IPV4_MIN_HEADER || headerLength > datagram.length) return `bad IPv4 header length ${headerLength}`;
    at = headerLength;
  }
  if (datagram.length - at < ECHO_HEADER_LENGTH) return `short ICMP packet (${datagram.length - at} bytes)`;
  const view = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  return {
    type: view[at]!,
    code: view[at + 1]!,
    id: view.readUInt16BE(at + 4),
    sequence: view.readUInt16BE(at + 6),
    payload: Buffer.from(view.subarray(at + ECHO_HEADER_LENGTH)),
  };
}

/**
 * Whether `msg` answers `req`. `checkId` is false on ping sockets, where the kernel replaces our
 * id with the socket's own and only delivers replies carrying it.
 */
export function isEchoReplyTo(family: 'inet' | 'inet6', msg: IcmpMessage, req: EchoRequest, checkId: boolean): boolean {
  const replyType = family === 'inet' ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY;
  if (msg.type !== replyType || msg.code !== 0) return false;
  if (checkId && msg.id !== (req.id & 0xffff)) return false;
  if (msg.sequence !== (req.sequence & 0xffff)) return false;
  return Buffer.compare(msg.payload, Buffer.from(req.payload.buffer, req.payload.byteOffset, req.payload.byteLength)) === 0;
}

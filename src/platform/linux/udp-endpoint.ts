/**
 * One UDP socket (node:dgram) for keepalived-ts's split-brain messages: the witness listens on
 * it; a director sends its votes and requests from it and receives votes, grants and denies on
 * it. IPv6 sockets are dual-stack, so one socket per process covers both families.
 */
import * as dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface UdpEndpoint {
  /** Fire and forget: a failed send is counted, never thrown (the next period sends again). */
  send(address: string, port: number, payload: Uint8Array): void;
  close(): Promise<void>;
  readonly local: { readonly address: string; readonly port: number };
  readonly sendErrors: number;
}

export async function openUdpEndpoint(opts: {
  readonly host: string;
  readonly port: number;
  readonly onMessage: (payload: Uint8Array, from: { address: string; port: number }) => void;
  readonly onError?: (e: Error) => void;
}): Promise<UdpEndpoint> {
  const v6 = isIPv6(opts.host);
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only: false });
  let sendErrors = 0;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (e) => opts.onError?.(e));
  socket.on('message', (msg, rinfo) => {
    // an IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d
    const address = rinfo.address.startsWith('::ffff:') && rinfo.address.includes('.') ? rinfo.address.slice(7) : rinfo.address;
    opts.onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address, port: rinfo.port });
  });
  const bound = socket.address();
  return {
    local: { address: bound.address, port: bound.port },
    get sendErrors() {
      return sendErrors;
    },
    send(address, port, payload) {
      const to = v6 && !isIPv6(address) ? `::ffff:${address}` : address;
      socket.send(payload, port, to, (e) => {
        if (e) {
          sendErrors++;
          opts.onError?.(e);
        }
      });
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Loopback backends, clients and tables for the proxy data plane tests (127.0.0.x, dynamic ports). */
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import type { DesiredDestination, DesiredService, DesiredTable } from '../../../src/lvs/table-types.js';

/** A TCP backend: sends "<name>\n" on connect, then echoes what it receives. */
export interface TcpBackend {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly accepted: number;
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

export async function startTcpBackend(name: string, address = '127.0.0.1', behaviour: 'greet' | 'silent' | 'reset' = 'greet'): Promise<TcpBackend> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    if (behaviour === 'greet') {
      s.write(`${name}\n`);
      s.pipe(s);
    } else if (behaviour === 'reset') {
      s.once('data', () => s.resetAndDestroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    name, address, port, sockets,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free on `address` a moment ago. */
export async function freePort(address: string, type: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (type === 'udp') {
    const s = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => s.bind(0, address, resolve));
    const port = s.address().port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A client connection that has read the backend's greeting line. */
export interface GreetedClient {
  readonly socket: net.Socket;
  readonly backend: string;
  /** Send text and wait for it to come back (echo). */
  roundTrip(text: string): Promise<string>;
}

export function connectAndGreet(address: string, port: number, localAddress?: string): Promise<GreetedClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, ...(localAddress ? { localAddress } : {}) });
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      const backend = buffer.slice(0, nl);
      resolve({
        socket,
        backend,
        roundTrip: (text) =>
          new Promise((res, rej) => {
            let got = '';
            const onEcho = (c: Buffer) => {
              got += c.toString();
              if (got.length >= text.length) {
                socket.off('data', onEcho);
                socket.pause();
                res(got);
              }
            };
            socket.on('data', onEcho);
            socket.once('error', rej);
            socket.resume();
            socket.write(text);
          }),
      });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before greeting')));
  });
}

/** Connect, read the greeting, close: which backend served this connection. */
export async function whoServes(address: string, port: number, localAddress?: string): Promise<string> {
  const c = await connectAndGreet(address, port, localAddress);
  await closeClient(c.socket);
  return c.backend;
}

export function closeClient(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.end();
    socket.resume();
  });
}

/** What happens to a connection: the first line, or how it ended. */
export function connectOutcome(address: string, port: number, send?: string): Promise<{ line?: string; error?: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    let buffer = '';
    socket.on('connect', () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on('data', (c: Buffer) => {
      buffer += c.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        socket.destroy();
        resolve({ line: buffer.slice(0, nl), closed: false });
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, closed: true }));
    socket.on('close', () => resolve({ closed: true }));
  });
}

export function dest(address: string, port: number, weight = 1, extra: Partial<DesiredDestination> = {}): DesiredDestination {
  return { family: 'inet', address, port, weight, forwarding: 'NAT', ...extra };
}

export function tcpService(vip: string, port: number, scheduler: string, destinations: DesiredDestination[], extra: Partial<DesiredService> = {}): DesiredService {
  return {
    id: `TCP ${vip}:${port}`,
    key: { kind: 'address', family: 'inet', address: vip, port, protocol: 'TCP' },
    scheduler,
    flags: [],
    destinations,
    ...extra,
  };
}

export function udpService(vip: string, port: number, scheduler: string, destinations: DesiredDestination[]): DesiredService {
  return {
    id: `UDP ${vip}:${port}`,
    key: { kind: 'address', family: 'inet', address: vip, port, protocol: 'UDP' },
    scheduler,
    flags: [],
    destinations,
  };
}

export const table = (...services: DesiredService[]): DesiredTable => ({ services });

/** Wait until `predicate` holds (bounded; never asserts durations). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function openFdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** A per-run VIP in 127.0.0.0/8, distinct from 127.0.0.1 where the backends listen. */
export function runVip(n: number): string {
  return `127.${(process.pid >> 8) & 0xff || 1}.${process.pid & 0xff}.${10 + n}`;
}

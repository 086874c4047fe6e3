/**
 * One TCP virtual service of the proxy data plane: a listener on VIP:port (open only while the VIP
 * is here) and the connections it relays to the destinations its pool chooses.
 *
 * A relayed connection: the client socket is accepted paused (so nothing is read before a
 * destination is connected), a destination is chosen and connected, then bytes are copied both
 * ways with backpressure (a side whose peer's write buffer is full is paused until 'drain'), and a
 * FIN is passed on as a FIN (half-close kept). An error on either side resets the other (RST),
 * as a client of IPVS would see the real server's reset. Idle connections are closed after
 * `tcpIdleTimeoutMs`.
 *
 * Failed connect: IPVS never retries (the client sees the real server's RST or a timeout). A proxy
 * has already accepted the client, so a refused / unreachable / timed-out connect would otherwise
 * look like an accepted-then-reset connection; with `failoverOnConnectError` (the default) the
 * connection gets one more destination, chosen by the scheduler among the others, before the client
 * is reset. Nothing has been sent to the client then, so the retry is invisible to it.
 */
import * as net from 'node:net';
import type { DestinationPool, PoolDestination } from './destination-pool.js';
import type { ProxyContext } from './proxy-context.js';

/** Connect errors after which another destination is worth a try. */
const RETRYABLE_CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EADDRNOTAVAIL']);

interface Relay {
  readonly client: net.Socket;
  readonly clientAddress: string;
  readonly clientPort: number;
  backend: net.Socket | undefined;
  destination: PoolDestination | undefined;
  persistenceKey: string | undefined;
  /** The destination pool was told about this attempt and must be told when it ends. */
  counted: boolean;
  clientClosed: boolean;
  backendClosed: boolean;
  failedOver: boolean;
  /** One side has sent its FIN: the connection counts as inactive, under the FIN timeout. */
  halfClosed: boolean;
  finished: boolean;
}

function reset(socket: net.Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

export class TcpProxyService {
  private server: net.Server | undefined;
  private readonly relays = new Set<Relay>();

  constructor(
    readonly address: string,
    readonly port: number,
    readonly pool: DestinationPool,
    private readonly ctx: ProxyContext,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Open relayed connections (including ones still connecting). */
  get openConnections(): number {
    return this.relays.size;
  }

  /** Listen on VIP:port; rejects with the listen error (EADDRNOTAVAIL while the VIP is not here, …). */
  async startListening(): Promise<void> {
    if (this.server) return;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen({ host: this.address, port: this.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (e) => {
      this.ctx.counters.listenerErrors++;
      this.ctx.log('error', `proxy: TCP listener ${this.label()}: ${(e as Error).message}`);
    });
    this.server = server;
  }

  /** Stop accepting; established connections continue (they are not reset by a VIP change). */
  async stopListening(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Reset every relayed connection (shutdown). */
  destroyAll(): void {
    for (const r of [...this.relays]) {
      r.client.destroy();
      r.backend?.destroy();
    }
  }

  private label(): string {
    return this.address.includes(':') ? `[${this.address}]:${this.port}` : `${this.address}:${this.port}`;
  }

  private accept(client: net.Socket): void {
    const clientAddress = client.remoteAddress;
    const clientPort = client.remotePort;
    client.on('error', () => {
      /* handled on 'close' (an error is always followed by it) */
    });
    if (clientAddress === undefined || clientPort === undefined) {
      client.destroy();
      return;
    }
    const relay: Relay = {
      client, clientAddress, clientPort, backend: undefined, destination: undefined, persistenceKey: undefined,
      counted: false, clientClosed: false, backendClosed: false, failedOver: false, halfClosed: false, finished: false,
    };
    this.relays.add(relay);
    client.on('close', () => {
      relay.clientClosed = true;
      // Nobody is left to read what the destination still sends: stop it. A destination whose
      // reply is complete (its side ended) may still be taking the client's last bytes.
      if (relay.backend && !relay.backend.readableEnded) relay.backend.destroy();
      if (!relay.backend || relay.backendClosed) this.finish(relay);
    });
    this.connect(relay, undefined);
  }

  private connect(relay: Relay, exclude: ReadonlySet<string> | undefined): void {
    const choice = this.pool.choose(relay.clientAddress, relay.clientPort, this.address, this.port, this.ctx.nowUs(), exclude);
    if (!choice) {
      this.ctx.counters.noDestination++;
      reset(relay.client);
      return;
    }
    const dest = choice.destination;
    relay.destination = dest;
    relay.persistenceKey = choice.persistenceKey;
    relay.counted = true;
    relay.backendClosed = false;
    this.pool.opened(dest, !relay.failedOver);

    const backend = net.connect({ host: dest.address, port: dest.port, allowHalfOpen: true, noDelay: true });
    relay.backend = backend;
    let connected = false;
    backend.setTimeout(this.ctx.settings.connectTimeoutMs, () => {
      if (!connected) backend.destroy(Object.assign(new Error(`connect timed out after ${this.ctx.settings.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    backend.on('error', (e: NodeJS.ErrnoException) => {
      if (connected) {
        this.ctx.counters.connectionErrors++;
        reset(relay.client);
        return;
      }
      this.ctx.counters.connectFailures++;
      this.ctx.log('detail', `proxy: ${this.label()} connect to ${dest.id} failed: ${e.code ?? e.message}`);
    });
    backend.on('close', () => {
      if (relay.backend !== backend) return;
      relay.backendClosed = true;
      if (!connected) {
        this.release(relay);
        relay.backend = undefined;
        const retry = this.ctx.settings.failoverOnConnectError && !relay.failedOver && !relay.clientClosed;
        const code = (backend.errored as NodeJS.ErrnoException | null)?.code ?? '';
        if (retry && RETRYABLE_CONNECT_ERRORS.has(code)) {
          relay.failedOver = true;
          this.ctx.counters.failovers++;
          this.connect(relay, new Set([dest.id]));
          return;
        }
        reset(relay.client);
        if (relay.clientClosed) this.finish(relay);
        return;
      }
      if (!relay.client.readableEnded) relay.client.destroy();
      if (relay.clientClosed) this.finish(relay);
    });
    backend.once('connect', () => {
      connected = true;
      backend.setTimeout(0);
      if (relay.clientClosed) {
        backend.destroy();
        return;
      }
      this.pipe(relay, backend, dest);
    });
  }

  private pipe(relay: Relay, backend: net.Socket, dest: PoolDestination): void {
    const { client } = relay;
    const pool = this.pool;
    client.on('data', (chunk: Buffer) => {
      pool.countIn(dest, chunk.length);
      if (!backend.write(chunk)) client.pause();
    });
    backend.on('drain', () => client.resume());
    backend.on('data', (chunk: Buffer) => {
      pool.countOut(dest, chunk.length);
      if (!client.write(chunk)) backend.pause();
    });
    client.on('drain', () => backend.resume());
    client.on('end', () => {
      backend.end();
      this.halfClose(relay);
    });
    backend.on('end', () => {
      client.end();
      this.halfClose(relay);
    });
    client.on('error', () => {
      this.ctx.counters.connectionErrors++;
      reset(backend);
    });
    const idle = this.ctx.settings.tcpIdleTimeoutMs;
    // The socket's timer restarts on reads and writes, so the client side sees traffic both ways.
    client.on('timeout', () => {
      this.ctx.counters.idleTimeouts++;
      client.destroy();
      backend.destroy();
    });
    if (idle > 0) client.setTimeout(idle);
    client.resume();
  }

  /** The first FIN of a connection: it turns inactive and gets the (shorter) FIN timeout. */
  private halfClose(relay: Relay): void {
    if (relay.halfClosed || !relay.counted || !relay.destination) return;
    relay.halfClosed = true;
    this.pool.halfClosed(relay.destination);
    const fin = this.ctx.settings.tcpFinTimeoutMs;
    if (fin > 0) relay.client.setTimeout(fin);
  }

  private release(relay: Relay): void {
    if (!relay.counted || !relay.destination) return;
    relay.counted = false;
    this.pool.closed(relay.destination, relay.persistenceKey, this.ctx.nowUs(), relay.halfClosed);
  }

  private finish(relay: Relay): void {
    if (relay.finished) return;
    relay.finished = true;
    this.release(relay);
    this.relays.delete(relay);
  }
}

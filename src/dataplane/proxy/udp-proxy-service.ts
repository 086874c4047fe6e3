/**
 * One UDP virtual service of the proxy data plane: a socket bound to VIP:port (only while the VIP
 * is here) and one session per client address:port. A session is a socket connected to the
 * destination chosen for the client's first datagram; what the destination sends back is relayed
 * to the client from the VIP socket, so the client sees replies from VIP:port. A session ends when
 * idle for `udpIdleTimeoutMs` in both directions (IPVS's udp timeout, 300 s by default), or on an
 * error from its destination (ICMP port unreachable arrives as ECONNREFUSED on the connected
 * socket): the client's next datagram is then scheduled afresh.
 *
 * Sessions count as active connections of their destination (IPVS counts UDP entries as active).
 * A destination removed from the table keeps its sessions until they go idle (drain).
 */
import * as dgram from 'node:dgram';
import type { DestinationPool, PoolDestination } from './destination-pool.js';
import type { ProxyContext } from './proxy-context.js';

interface UdpSession {
  readonly key: string;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly destination: PoolDestination;
  readonly persistenceKey: string | undefined;
  readonly socket: dgram.Socket;
  /** Datagrams received while the session socket was still connecting. */
  pending: Buffer[] | undefined;
  timer: NodeJS.Timeout;
  closed: boolean;
}

export class UdpProxyService {
  private socket: dgram.Socket | undefined;
  private readonly sessions = new Map<string, UdpSession>();

  constructor(
    readonly address: string,
    readonly port: number,
    readonly family: 'inet' | 'inet6',
    readonly pool: DestinationPool,
    private readonly ctx: ProxyContext,
  ) {}

  get listening(): boolean {
    return this.socket !== undefined;
  }

  get openConnections(): number {
    return this.sessions.size;
  }

  async startListening(): Promise<void> {
    if (this.socket) return;
    const socket = dgram.createSocket({ type: this.family === 'inet6' ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        socket.close();
        reject(e);
      };
      socket.once('error', onError);
      socket.bind({ address: this.address, port: this.port, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    socket.on('error', (e) => {
      this.ctx.counters.listenerErrors++;
      this.ctx.log('error', `proxy: UDP socket ${this.label()}: ${e.message}`);
    });
    socket.on('message', (msg, rinfo) => this.fromClient(msg, rinfo.address, rinfo.port));
    this.socket = socket;
  }

  /** Stop receiving on the VIP; sessions are left to expire (their replies are dropped meanwhile). */
  async stopListening(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  destroyAll(): void {
    for (const s of [...this.sessions.values()]) this.endSession(s);
  }

  private label(): string {
    return this.family === 'inet6' ? `[${this.address}]:${this.port}` : `${this.address}:${this.port}`;
  }

  private fromClient(msg: Buffer, clientAddress: string, clientPort: number): void {
    const key = `${clientAddress}|${clientPort}`;
    let session = this.sessions.get(key);
    if (!session) {
      if (this.sessions.size >= this.ctx.settings.maxUdpSessions) {
        this.ctx.counters.udpDropped++;
        return;
      }
      session = this.openSession(key, clientAddress, clientPort);
      if (!session) return;
    }
    session.timer.refresh();
    this.pool.countIn(session.destination, msg.length);
    if (session.pending) {
      if (session.pending.length >= this.ctx.settings.udpPendingDatagrams) this.ctx.counters.udpDropped++;
      else session.pending.push(msg);
      return;
    }
    this.sendToDestination(session, msg);
  }

  private openSession(key: string, clientAddress: string, clientPort: number): UdpSession | undefined {
    const choice = this.pool.choose(clientAddress, clientPort, this.address, this.port, this.ctx.nowUs());
    if (!choice) {
      this.ctx.counters.noDestination++;
      this.ctx.counters.udpDropped++;
      return undefined;
    }
    const dest = choice.destination;
    const socket = dgram.createSocket(dest.family === 'inet6' ? 'udp6' : 'udp4');
    const session: UdpSession = {
      key, clientAddress, clientPort, destination: dest, persistenceKey: choice.persistenceKey, socket,
      pending: [], closed: false,
      timer: setTimeout(() => this.endSession(session), this.ctx.settings.udpIdleTimeoutMs),
    };
    session.timer.unref();
    this.sessions.set(key, session);
    this.pool.opened(dest);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.ctx.counters.udpSessionErrors++;
      this.ctx.log('detail', `proxy: UDP ${this.label()} session ${clientAddress}:${clientPort} -> ${dest.id}: ${e.code ?? e.message}`);
      this.endSession(session);
    });
    socket.on('message', (reply) => this.fromDestination(session, reply));
    socket.connect(dest.port, dest.address, () => {
      const queued = session.pending ?? [];
      session.pending = undefined;
      for (const m of queued) this.sendToDestination(session, m);
    });
    return session;
  }

  private sendToDestination(session: UdpSession, msg: Buffer): void {
    if (session.closed) return;
    try {
      session.socket.send(msg);
    } catch {
      this.ctx.counters.udpDropped++;
    }
  }

  private fromDestination(session: UdpSession, reply: Buffer): void {
    if (session.closed) return;
    session.timer.refresh();
    this.pool.countOut(session.destination, reply.length);
    const vip = this.socket;
    if (!vip) {
      this.ctx.counters.udpDropped++;
      return;
    }
    vip.send(reply, session.clientPort, session.clientAddress, (err) => {
      if (err) this.ctx.counters.udpDropped++;
    });
  }

  private endSession(session: UdpSession): void {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.timer);
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    try {
      session.socket.close();
    } catch {
      /* already closed */
    }
    this.pool.closed(session.destination, session.persistenceKey, this.ctx.nowUs());
  }
}

/**
 * `keepalived-ts witness`: the lease table (split-brain/lease-table.ts) behind a UDP socket.
 * Every request gets a grant or a deny back to where it came from; releases free a lease; bad or
 * unauthenticated datagrams are counted and dropped. It logs when a group's holder changes, not
 * every renewal, and never the secret.
 */
import { LeaseTable } from '../split-brain/lease-table.js';
import { decodeMessage, encodeMessage } from '../split-brain/messages.js';
import { openUdpEndpoint, type UdpEndpoint } from '../platform/linux/udp-endpoint.js';

export interface WitnessServerOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** Longest lease granted (and the start-up quiet period), µs. */
  readonly maxLeaseUs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

export interface WitnessCounters {
  received: number;
  replies: number;
  released: number;
  rejected: Record<string, number>;
}

export class WitnessServer {
  private endpoint: UdpEndpoint | undefined;
  private table: LeaseTable | undefined;
  private readonly holders = new Map<string, string>();
  readonly counters: WitnessCounters = { received: 0, replies: 0, released: 0, rejected: {} };

  constructor(private readonly o: WitnessServerOptions) {}

  async start(): Promise<{ address: string; port: number }> {
    this.table = new LeaseTable({ maxLeaseUs: this.o.maxLeaseUs, startedAt: this.o.now() });
    this.endpoint = await openUdpEndpoint({
      host: this.o.host,
      port: this.o.port,
      onMessage: (payload, from) => this.onMessage(payload, from),
      onError: (e) => this.o.log(`witness: socket error: ${e.message}`),
    });
    this.o.log(
      `witness: listening on ${this.endpoint.local.address}:${this.endpoint.local.port}; no grants for the first ${this.o.maxLeaseUs / 1e6}s (leases of a previous run may still be held)`,
    );
    return this.endpoint.local;
  }

  async close(): Promise<void> {
    await this.endpoint?.close();
    this.endpoint = undefined;
  }

  leases() {
    return this.table?.view(this.o.now()) ?? [];
  }

  get tableCounters() {
    return this.table?.counters;
  }

  private reject(reason: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
  }

  private onMessage(payload: Uint8Array, from: { address: string; port: number }): void {
    const table = this.table;
    const ep = this.endpoint;
    if (!table || !ep) return;
    this.counters.received++;
    const r = decodeMessage(payload, this.o.secret);
    if (!r.ok) {
      this.reject(r.reason);
      return;
    }
    const m = r.message;
    const now = this.o.now();
    if (m.type === 'release') {
      if (table.release(now, m)) {
        this.counters.released++;
        this.holders.delete(m.group);
        this.o.log(`witness: ${m.group} released by ${m.node}`);
      }
      return;
    }
    if (m.type !== 'request') {
      this.reject('not-for-witness');
      return;
    }
    const reply = table.request(now, m);
    if (reply.type === 'grant' && this.holders.get(m.group) !== m.node) {
      this.holders.set(m.group, m.node);
      this.o.log(`witness: ${m.group} granted to ${m.node} for ${reply.lease / 1e6}s`);
    }
    this.counters.replies++;
    ep.send(from.address, from.port, encodeMessage(reply, this.o.secret));
  }
}

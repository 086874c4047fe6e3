/**
 * The simulator's side of keepalived-ts's split-brain protocol: a guard per director built from
 * its config, its datagrams as frames on the simulated network (a `port` marks them as UDP), and
 * the witness as a node of its own with the real lease table.
 */
import type { KeepalivedConfig } from '../../config/model/index.js';
import type { VrrpEngine } from '../../vrrp/engine.js';
import { SplitBrainGuard, type Datagram } from '../../split-brain/guard.js';
import { LeaseTable } from '../../split-brain/lease-table.js';
import { decodeMessage, encodeMessage } from '../../split-brain/messages.js';
import type { VirtualClock } from './clock.js';
import type { Endpoint, Frame, SimNetwork } from './network.js';

/** The node's guard when its config names a witness (else undefined: plain keepalived behaviour). */
export function guardFor(config: KeepalivedConfig, engine: VrrpEngine, nonceSeed: string, previous?: SplitBrainGuard): SplitBrainGuard | undefined {
  const w = config.global.witness;
  if (!w || w.secret === undefined) return undefined;
  return new SplitBrainGuard(engine, { secret: w.secret, witness: true, leaseUs: w.leaseUs, votePeers: w.votePeers }, nonceSeed, previous);
}

/** Put a director's datagrams on the network, out of each of its up interfaces (only the segment holding the address delivers). */
export function sendGuardDatagrams(
  net: SimNetwork,
  node: { readonly config: KeepalivedConfig; readonly endpoints: ReadonlyMap<string, Endpoint> },
  datagrams: readonly Datagram[],
): void {
  const w = node.config.global.witness;
  if (!w) return;
  for (const d of datagrams) {
    const destination = d.to === 'witness' ? w.address : d.to;
    for (const ep of node.endpoints.values()) {
      const source = [...ep.addresses].find((a) => a.includes(':') === destination.includes(':'));
      if (source === undefined) continue;
      net.send(ep, { source, destination, ttl: 64, payload: d.payload, port: w.port });
    }
  }
}

export interface SimWitnessSpec {
  readonly name: string;
  readonly segment: string;
  readonly address: string;
  readonly port: number;
  readonly secret: string;
  /** Longest lease granted, µs (also its start-up quiet period). */
  readonly maxLeaseUs: number;
}

/** `keepalived-ts witness` on a simulated host: crashes lose its table (the quiet period covers that). */
export class SimWitness {
  private table: LeaseTable | undefined;
  private endpoint: Endpoint | undefined;
  readonly counters = { received: 0, rejected: 0, replies: 0 };

  constructor(
    readonly spec: SimWitnessSpec,
    private readonly net: SimNetwork,
    private readonly clock: VirtualClock,
  ) {}

  get running(): boolean {
    return this.table !== undefined;
  }

  start(): void {
    if (this.table) return;
    this.table = new LeaseTable({ maxLeaseUs: this.spec.maxLeaseUs, startedAt: this.clock.now });
    this.endpoint = this.net.attach({
      node: this.spec.name,
      ifname: 'eth0',
      segment: this.spec.segment,
      addresses: new Set([this.spec.address]),
      receive: (frame) => this.receive(frame),
    });
  }

  crash(): void {
    this.table = undefined;
    this.endpoint = undefined;
    this.net.detachNode(this.spec.name);
  }

  leases() {
    return this.table?.view(this.clock.now) ?? [];
  }

  private receive(frame: Frame): void {
    const table = this.table;
    const ep = this.endpoint;
    if (!table || !ep || frame.port !== this.spec.port) return;
    this.counters.received++;
    const r = decodeMessage(frame.payload, this.spec.secret);
    if (!r.ok) {
      this.counters.rejected++;
      return;
    }
    const m = r.message;
    if (m.type === 'release') table.release(this.clock.now, m);
    else if (m.type === 'request') {
      this.counters.replies++;
      const reply = table.request(this.clock.now, m);
      this.net.send(ep, { source: this.spec.address, destination: frame.source, ttl: 64, payload: encodeMessage(reply, this.spec.secret), port: this.spec.port });
    } else this.counters.rejected++;
  }
}

/**
 * Simulated L2 segments for the cluster simulator: each node attaches interfaces (with addresses)
 * to segments; a frame sent to a multicast group reaches every other up interface on the segment,
 * a frame sent to a unicast address reaches the interface holding it. Links have latency and loss;
 * delivery between two nodes can be cut in one direction or both (partitions), and an interface
 * can go down. Payloads are opaque to the network: the VRRP packets of the real codec.
 *
 * A cut is either of everything (`all`: a broken link) or of VRRP only (`vrrp`: a firewall that
 * drops protocol 112, a dead heartbeat path — the hosts still reach each other, and clients still
 * reach both). The neighbour traffic of VIP conflict detection (ARP, ND) crosses a `vrrp` cut.
 */
import type { VirtualClock } from './clock.js';
import type { Prng } from './prng.js';

export interface Frame {
  readonly source: string;
  /** A multicast group (224.0.0.18, ff02::12) or a unicast address. */
  readonly destination: string;
  readonly ttl: number;
  readonly payload: Uint8Array;
  /** A UDP datagram to this port (keepalived-ts's split-brain messages); absent: a VRRP packet. */
  readonly port?: number;
}

export interface Endpoint {
  readonly node: string;
  readonly ifname: string;
  readonly segment: string;
  /** Addresses that unicast frames are delivered to (VIPs are added while held). */
  readonly addresses: Set<string>;
  up: boolean;
  receive: (frame: Frame) => void;
}

export interface LinkProperties {
  /** One-way delay in µs (default 100). */
  latencyUs: number;
  /** Probability a frame is lost, 0..1 (default 0). */
  loss: number;
}

export interface DeliveryStats {
  sent: number;
  delivered: number;
  lost: number;
  blocked: number;
}

const isMulticast = (a: string) => /^(22[4-9]|23\d)\./.test(a) || /^ff/i.test(a);

/** What a cut stops: every frame, or VRRP only. */
export type CutScope = 'all' | 'vrrp';

export class SimNetwork {
  private readonly endpoints: Endpoint[] = [];
  private readonly blocked = new Set<string>();
  /** Cuts of VRRP only (a subset of what `isBlocked` reports). */
  private readonly vrrpBlocked = new Set<string>();
  /** Segments whose switch carries nothing (a dead heartbeat cable, say). */
  private readonly cutSegments = new Set<string>();
  private readonly links = new Map<string, LinkProperties>();
  readonly stats: DeliveryStats = { sent: 0, delivered: 0, lost: 0, blocked: 0 };

  constructor(
    private readonly clock: VirtualClock,
    private readonly prng: Prng,
    private readonly defaults: LinkProperties = { latencyUs: 100, loss: 0 },
  ) {}

  attach(endpoint: Omit<Endpoint, 'up'> & { up?: boolean }): Endpoint {
    const e: Endpoint = { ...endpoint, up: endpoint.up ?? true };
    this.endpoints.push(e);
    return e;
  }

  /** The hosts attached now (simulated directors and others, e.g. a witness). */
  nodeNames(): string[] {
    return [...new Set(this.endpoints.map((e) => e.node))];
  }

  detachNode(node: string): void {
    for (let i = this.endpoints.length - 1; i >= 0; i--) if (this.endpoints[i]!.node === node) this.endpoints.splice(i, 1);
  }

  /** Frames from `from` no longer reach `to` (one way); with scope `vrrp`, VRRP frames only. */
  block(from: string, to: string, scope: CutScope = 'all'): void {
    (scope === 'all' ? this.blocked : this.vrrpBlocked).add(`${from}>${to}`);
  }

  unblock(from: string, to: string): void {
    this.blocked.delete(`${from}>${to}`);
    this.vrrpBlocked.delete(`${from}>${to}`);
  }

  /** Cut both directions between two groups of nodes. */
  partition(a: readonly string[], b: readonly string[], scope: CutScope = 'all'): void {
    for (const x of a) for (const y of b) (this.block(x, y, scope), this.block(y, x, scope));
  }

  heal(): void {
    this.blocked.clear();
    this.vrrpBlocked.clear();
    this.cutSegments.clear();
  }

  /** Nothing crosses `segment` until restored or healed. */
  cutSegment(segment: string): void {
    this.cutSegments.add(segment);
  }

  restoreSegment(segment: string): void {
    this.cutSegments.delete(segment);
  }

  isSegmentCut(segment: string): boolean {
    return this.cutSegments.has(segment);
  }

  /** Do VRRP frames from `from` fail to reach `to` (a cut of either scope)? */
  isBlocked(from: string, to: string): boolean {
    return this.blocked.has(`${from}>${to}`) || this.vrrpBlocked.has(`${from}>${to}`);
  }

  /** Do ARP / ND frames from `from` fail to reach `to` (a cut of everything)? */
  isLinkCut(from: string, to: string): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  /**
   * The up endpoints of other nodes on `sender`'s segment that its neighbour traffic (ARP, ND)
   * reaches now, with the link's latency; no loss is drawn, so the seeded loss of VRRP frames
   * stays the same whether or not conflict detection runs.
   */
  neighbours(sender: Endpoint): { endpoint: Endpoint; latencyUs: number }[] {
    if (!sender.up || this.cutSegments.has(sender.segment)) return [];
    const out: { endpoint: Endpoint; latencyUs: number }[] = [];
    for (const target of this.endpoints) {
      if (target.node === sender.node || target.segment !== sender.segment || !target.up) continue;
      if (this.isLinkCut(sender.node, target.node)) continue;
      out.push({ endpoint: target, latencyUs: this.link(sender.node, target.node).latencyUs });
    }
    return out;
  }

  setLink(from: string, to: string, props: Partial<LinkProperties>): void {
    this.links.set(`${from}>${to}`, { ...this.link(from, to), ...props });
  }

  link(from: string, to: string): LinkProperties {
    return this.links.get(`${from}>${to}`) ?? this.defaults;
  }

  /** Send a frame out of `sender`; it is delivered after the link's latency, unless lost or blocked. */
  send(sender: Endpoint, frame: Frame): void {
    this.stats.sent++;
    if (!sender.up) return;
    if (this.cutSegments.has(sender.segment)) {
      this.stats.blocked++;
      return;
    }
    const multicast = isMulticast(frame.destination);
    for (const target of this.endpoints) {
      if (target === sender || target.segment !== sender.segment) continue;
      if (!multicast && !target.addresses.has(frame.destination)) continue;
      if (target.node === sender.node) continue;
      // a VRRP-only cut lets every other frame through (the witness's UDP, say)
      if (frame.port === undefined ? this.isBlocked(sender.node, target.node) : this.isLinkCut(sender.node, target.node)) {
        this.stats.blocked++;
        continue;
      }
      const link = this.link(sender.node, target.node);
      if (link.loss > 0 && this.prng.chance(link.loss)) {
        this.stats.lost++;
        continue;
      }
      this.clock.after(link.latencyUs, () => {
        if (!target.up || !this.endpoints.includes(target)) return;
        this.stats.delivered++;
        target.receive(frame);
      });
    }
  }

  /** The nodes that can currently hear `node` directly (not blocked, interface up, same segment). */
  reachable(node: string): Set<string> {
    const out = new Set<string>();
    for (const a of this.endpoints) {
      if (a.node !== node || !a.up || this.cutSegments.has(a.segment)) continue;
      for (const b of this.endpoints)
        if (b.node !== node && b.up && b.segment === a.segment && !this.isBlocked(node, b.node)) out.add(b.node);
    }
    return out;
  }
}

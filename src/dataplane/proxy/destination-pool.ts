/**
 * The destinations of one proxied service and the decision of where a new connection goes: the
 * service's scheduler over the destinations that may take new connections, persistence templates
 * first, IPVS's overload thresholds, and draining of removed destinations. Pure: no sockets, no
 * timers; time comes in as µs.
 *
 * Semantics (IPVS's, unless said otherwise):
 * - A destination removed from the table takes no new connection and stays here, draining, until
 *   its last connection closes; it is no longer listed in stats. Re-adding it revives it.
 * - Weight 0 (inhibit_on_failure, quiescent): no new connection, existing ones continue.
 * - upper/lower thresholds: a destination with `active >= upperThreshold` is overloaded (offered to
 *   the scheduler with its OVERLOAD flag) until `active < lowerThreshold`, or, without a lower threshold,
 *   until `active * 4 < upperThreshold * 3`.
 * - Persistence: a client (masked by the granularity) goes back to its template's destination while
 *   the template is fresh and the destination is in the table with a weight above 0. IPVS's default
 *   (expire_quiescent_template = 0) would keep sending persistent clients to a weight-0
 *   destination; here weight 0 means "failed" (inhibit_on_failure), so such templates expire unless
 *   `keepQuiescentTemplates` is set. Overload does not break persistence (as in IPVS).
 * - Active connections: TCP connections with both directions open, and live UDP sessions (IPVS
 *   counts UDP entries as active). Inactive: TCP connections one side of which has closed (the
 *   proxy's half-closed relays, IPVS's FIN_WAIT/CLOSE_WAIT entries); they end at the latest after
 *   the FIN timeout. Thresholds and the *lc schedulers count both, as IPVS does.
 */
import type { DesiredDestination, DesiredService } from '../../lvs/table-types.js';
import type { Scheduler, SchedulerDestination } from '../../lvs/schedulers/scheduler.js';
import { clientMask, type ClientMask } from './client-mask.js';
import { PersistenceTable } from './persistence-table.js';

export interface PoolDestination {
  readonly id: string;
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly port: number;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  sorry: boolean;
  /** false: removed from the table, draining its connections. */
  inTable: boolean;
  overloaded: boolean;
  /** Open connections with both directions open (and UDP sessions). */
  active: number;
  /** TCP connections one side of which has closed (FIN passed on), as IPVS counts FIN_WAIT & co. */
  inactive: number;
  connections: number;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface PoolChoice {
  readonly destination: PoolDestination;
  /** The persistence template key the connection is bound to (release it on close). */
  readonly persistenceKey?: string;
}

export interface PoolOptions {
  /** Keep templates pointing at weight-0 destinations (IPVS's expire_quiescent_template = 0). */
  readonly keepQuiescentTemplates?: boolean;
  readonly maxTemplates?: number;
}

/** "10.0.0.5:80", "[fd00::5]:80": the identity of a destination within its service. */
export function destinationId(family: 'inet' | 'inet6', address: string, port: number): string {
  return family === 'inet6' ? `[${address}]:${port}` : `${address}:${port}`;
}

export class DestinationPool {
  /** Table order first (the scheduler sees destinations in the order the table lists them). */
  private readonly byId = new Map<string, PoolDestination>();
  private order: PoolDestination[] = [];
  private persistence: PersistenceTable | undefined;
  private mask: ClientMask | undefined;
  /** Service totals: they keep what destinations that were removed since had counted. */
  connections = 0;
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    service: DesiredService,
    private scheduler: Scheduler,
    private readonly options: PoolOptions = {},
  ) {
    this.update(service);
  }

  get schedulerName(): string {
    return this.scheduler.name;
  }

  setScheduler(scheduler: Scheduler): void {
    this.scheduler = scheduler;
  }

  /** Take the service's new destinations, weights and persistence; connections are untouched. */
  update(service: DesiredService): void {
    const seen = new Set<string>();
    const order: PoolDestination[] = [];
    for (const d of service.destinations) {
      const id = destinationId(d.family, d.address, d.port);
      if (seen.has(id)) continue;
      seen.add(id);
      const existing = this.byId.get(id);
      const dest = existing ?? this.create(id, d);
      dest.weight = Math.max(0, d.weight);
      dest.upperThreshold = d.upperThreshold ?? 0;
      dest.lowerThreshold = d.lowerThreshold ?? 0;
      dest.sorry = d.sorry ?? false;
      dest.inTable = true;
      this.refreshOverload(dest);
      this.byId.set(id, dest);
      order.push(dest);
    }
    for (const dest of this.byId.values()) {
      if (seen.has(dest.id)) continue;
      dest.inTable = false;
      if (dest.active + dest.inactive === 0) this.byId.delete(dest.id);
    }
    this.order = order;

    const p = service.persistence;
    if (p && p.timeout > 0) {
      const family = service.key.family;
      this.mask = clientMask(family, p.granularity);
      if (this.persistence) this.persistence.setTimeoutUs(p.timeout * 1e6);
      else this.persistence = new PersistenceTable(p.timeout * 1e6, this.options.maxTemplates);
    } else {
      this.persistence = undefined;
      this.mask = undefined;
    }
  }

  private create(id: string, d: DesiredDestination): PoolDestination {
    return {
      id, family: d.family, address: d.address, port: d.port,
      weight: 0, upperThreshold: 0, lowerThreshold: 0, sorry: false, inTable: true, overloaded: false,
      active: 0, inactive: 0, connections: 0, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0,
    };
  }

  private refreshOverload(dest: PoolDestination): void {
    const total = dest.active + dest.inactive;
    if (dest.upperThreshold > 0 && total >= dest.upperThreshold) dest.overloaded = true;
    else if (!dest.overloaded) return;
    else if (dest.lowerThreshold > 0) dest.overloaded = total >= dest.lowerThreshold;
    else if (dest.upperThreshold > 0) dest.overloaded = total * 4 >= dest.upperThreshold * 3;
    else dest.overloaded = false;
  }

  /** Destinations listed in the table (draining ones are not). */
  listed(): readonly PoolDestination[] {
    return this.order;
  }

  /** Every destination with state, draining ones included. */
  all(): IterableIterator<PoolDestination> {
    return this.byId.values();
  }

  get templates(): number {
    return this.persistence?.size ?? 0;
  }

  private takesNew(dest: PoolDestination): boolean {
    return dest.inTable && dest.weight > 0;
  }

  /**
   * Where a new connection from this client goes, or undefined when no destination can take it.
   * `exclude`: destinations that just failed for this connection (a proxy's one failover).
   */
  choose(clientAddress: string, clientPort: number, serviceAddress: string, servicePort: number, nowUs: number, exclude?: ReadonlySet<string>): PoolChoice | undefined {
    const key = this.persistence && this.mask ? this.mask(clientAddress) : undefined;
    if (key !== undefined && this.persistence && !exclude?.size) {
      const id = this.persistence.lookup(key, nowUs);
      const dest = id === undefined ? undefined : this.byId.get(id);
      if (dest && dest.inTable && (dest.weight > 0 || this.options.keepQuiescentTemplates)) {
        this.persistence.bind(key, dest.id, nowUs);
        return { destination: dest, persistenceKey: key };
      }
    }
    // Weights are passed as configured (a weight change resets rr/wrr cursors, as in IPVS); a
    // destination that just failed for this connection is offered as overloaded: skipped this once.
    const offered: SchedulerDestination[] = this.order.map((d) => ({
      id: d.id,
      address: d.address,
      port: d.port,
      weight: d.weight,
      activeConnections: d.active,
      inactiveConnections: d.inactive,
      overloaded: d.overloaded || (exclude?.has(d.id) ?? false),
    }));
    const picked = this.scheduler.pick(offered, { clientAddress, clientPort, serviceAddress, servicePort, now: nowUs });
    const dest = picked ? this.byId.get(picked.id) : undefined;
    if (!dest || !this.takesNew(dest) || dest.overloaded || exclude?.has(dest.id)) return undefined;
    if (key !== undefined && this.persistence) {
      this.persistence.bind(key, dest.id, nowUs);
      return { destination: dest, persistenceKey: key };
    }
    return { destination: dest };
  }

  /**
   * A connection (or UDP session) to `dest` was opened. `newClientConnection` is false for the
   * second attempt of a connection that failed over: the service counts the client once.
   */
  opened(dest: PoolDestination, newClientConnection = true): void {
    if (newClientConnection) this.connections++;
    dest.active++;
    dest.connections++;
    this.refreshOverload(dest);
  }

  /** One direction of a TCP connection to `dest` closed: it now counts as inactive. */
  halfClosed(dest: PoolDestination): void {
    if (dest.active > 0) dest.active--;
    dest.inactive++;
  }

  /** A connection to `dest` ended (or its connect failed); `wasHalfClosed`: it was counted inactive. */
  closed(dest: PoolDestination, persistenceKey: string | undefined, nowUs: number, wasHalfClosed = false): void {
    if (wasHalfClosed) {
      if (dest.inactive > 0) dest.inactive--;
    } else if (dest.active > 0) dest.active--;
    this.refreshOverload(dest);
    if (persistenceKey !== undefined) this.persistence?.release(persistenceKey, nowUs);
    if (!dest.inTable && dest.active + dest.inactive === 0 && this.byId.get(dest.id) === dest) this.byId.delete(dest.id);
  }

  /** Count traffic on the destination and on the service. */
  countIn(dest: PoolDestination, bytes: number): void {
    dest.packetsIn++;
    dest.bytesIn += bytes;
    this.packetsIn++;
    this.bytesIn += bytes;
  }

  countOut(dest: PoolDestination, bytes: number): void {
    dest.packetsOut++;
    dest.bytesOut += bytes;
    this.packetsOut++;
    this.bytesOut += bytes;
  }

  sweepTemplates(nowUs: number): void {
    this.persistence?.sweep(nowUs);
  }
}

/**
 * The user-space data plane ('proxy'): every TCP and UDP virtual service of the desired table is
 * served by a Node.js proxy listening on VIP:port while the VIP is on this host. It needs no
 * kernel support and no privileges beyond binding the port (the embedded default; DESIGN.md §4).
 *
 * - apply(table) changes only what differs: a service that stays keeps its listener, connections,
 *   counters and persistence templates; a changed scheduler (name or flags) gets a new scheduler
 *   instance; destinations are added, re-weighted or drained (see destination-pool.ts).
 * - A removed service stops listening; its established connections finish on their own.
 * - fwmark and SCTP services cannot be proxied: each is reported once and skipped.
 * - Listening follows VIP presence: vipChanged(address, true/false) opens/closes the listeners of
 *   that address. Until presence is reported for an address, a service listens when the address is
 *   local at apply time (`isLocalAddress`). A failed listen (the address is not there yet, the
 *   port is taken) is logged, counted and retried with backoff while still wanted.
 * - close(keep): a user-space proxy holds nothing in the kernel, so `keep` changes nothing: the
 *   listeners close and open connections are reset.
 */
import type { DataPlane, DestinationStats, ServiceStats } from '../dataplane.js';
import type { DesiredService, DesiredTable } from '../../lvs/table-types.js';
import type { Scheduler, SchedulerOptions } from '../../lvs/schedulers/scheduler.js';
import { createScheduler as createKernelScheduler } from '../../lvs/schedulers/index.js';
import { inetPton, familyOf } from '../../config/entries/inet.js';
import { silentLog, type LogFn } from '../../platform/linux/driver-log.js';
import { DestinationPool, type PoolDestination } from './destination-pool.js';
import { isLocalAddress } from './local-address.js';
import { newProxyCounters, type ProxyContext, type ProxyCounters, type ProxySettings } from './proxy-context.js';
import { TcpProxyService } from './tcp-proxy-service.js';
import { UdpProxyService } from './udp-proxy-service.js';

export interface ProxyDataPlaneOptions extends Partial<ProxySettings> {
  readonly log?: LogFn;
  /** Whether an address is on this host now (default: os.networkInterfaces(), plus 127/8). */
  readonly isLocalAddress?: (address: string) => boolean;
  /** Scheduler factory (default: src/lvs/schedulers). */
  readonly createScheduler?: (name: string, options: SchedulerOptions) => Scheduler;
  /** Keep persistence templates of weight-0 destinations (IPVS expire_quiescent_template = 0). */
  readonly keepQuiescentTemplates?: boolean;
  /** Monotonic clock in µs. */
  readonly nowUs?: () => number;
  /** First delay before retrying a failed listen (ms); doubles up to 30 s. */
  readonly listenRetryMs?: number;
}

export const PROXY_DEFAULTS: ProxySettings = {
  connectTimeoutMs: 5_000,
  tcpIdleTimeoutMs: 900_000,
  tcpFinTimeoutMs: 120_000,
  udpIdleTimeoutMs: 300_000,
  failoverOnConnectError: true,
  maxUdpSessions: 16_384,
  udpPendingDatagrams: 64,
};

const MAX_LISTEN_RETRY_MS = 30_000;
const TEMPLATE_SWEEP_MS = 10_000;

type ServiceDriver = TcpProxyService | UdpProxyService;

interface ServiceRuntime {
  service: DesiredService;
  readonly address: string;
  readonly driver: ServiceDriver;
  schedulerSignature: string;
  /** Listener changes of one service run one after the other. */
  queue: Promise<void>;
  retryTimer: NodeJS.Timeout | undefined;
  retryDelayMs: number;
  /** The last listen error, so a retry loop logs it once. */
  lastListenError: string | undefined;
  removed: boolean;
}

/** Plain address text of a VIP as VRRP may report it ("10.0.0.1/24" → "10.0.0.1"). */
function canonicalAddress(text: string): string {
  const bare = text.replace(/\/\d+$/, '').replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return inetPton(familyOf(bare), bare) ?? bare;
}

function schedulerSignature(service: DesiredService): string {
  return `${service.scheduler}|${service.flags.join(',')}`;
}

export class ProxyDataPlane implements DataPlane {
  readonly name = 'proxy' as const;
  private readonly services = new Map<string, ServiceRuntime>();
  /** Removed services whose connections are still finishing. */
  private readonly retired = new Set<ServiceRuntime>();
  private readonly vipPresence = new Map<string, boolean>();
  private readonly reportedUnsupported = new Set<string>();
  private readonly ctx: ProxyContext;
  private readonly isLocal: (address: string) => boolean;
  private readonly makeScheduler: (name: string, options: SchedulerOptions) => Scheduler;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: ProxyDataPlaneOptions = {}) {
    const settings: ProxySettings = {
      connectTimeoutMs: options.connectTimeoutMs ?? PROXY_DEFAULTS.connectTimeoutMs,
      tcpIdleTimeoutMs: options.tcpIdleTimeoutMs ?? PROXY_DEFAULTS.tcpIdleTimeoutMs,
      tcpFinTimeoutMs: options.tcpFinTimeoutMs ?? PROXY_DEFAULTS.tcpFinTimeoutMs,
      udpIdleTimeoutMs: options.udpIdleTimeoutMs ?? PROXY_DEFAULTS.udpIdleTimeoutMs,
      failoverOnConnectError: options.failoverOnConnectError ?? PROXY_DEFAULTS.failoverOnConnectError,
      maxUdpSessions: options.maxUdpSessions ?? PROXY_DEFAULTS.maxUdpSessions,
      udpPendingDatagrams: options.udpPendingDatagrams ?? PROXY_DEFAULTS.udpPendingDatagrams,
    };
    this.ctx = {
      settings,
      counters: newProxyCounters(),
      log: options.log ?? silentLog,
      nowUs: options.nowUs ?? (() => Math.round(performance.now() * 1000)),
    };
    this.isLocal = options.isLocalAddress ?? isLocalAddress;
    this.makeScheduler = options.createScheduler ?? createKernelScheduler;
    this.sweepTimer = setInterval(() => this.sweep(), TEMPLATE_SWEEP_MS);
    this.sweepTimer.unref();
  }

  /** Error counters (see proxy-context.ts). */
  counters(): Readonly<ProxyCounters> {
    return { ...this.ctx.counters };
  }

  /** Whether the service with this id is listening now. */
  isListening(id: string): boolean {
    return this.services.get(id)?.driver.listening ?? false;
  }

  /** Resolves once every pending listener change has run (tests, orderly shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.services.values()].map((rt) => rt.queue));
  }

  async apply(table: DesiredTable): Promise<void> {
    if (this.closed) throw new Error('proxy data plane is closed');
    const wanted = new Set<string>();
    for (const service of table.services) {
      if (!this.supported(service)) continue;
      if (wanted.has(service.id)) continue;
      wanted.add(service.id);
      const rt = this.services.get(service.id);
      if (rt) this.update(rt, service);
      else this.create(service);
    }
    for (const [id, rt] of this.services) {
      if (wanted.has(id)) continue;
      this.services.delete(id);
      rt.removed = true;
      if (rt.retryTimer) clearTimeout(rt.retryTimer);
      rt.queue = rt.queue.then(() => rt.driver.stopListening());
      this.retired.add(rt);
    }
    for (const rt of this.services.values()) this.reconcile(rt);
    await Promise.all([...this.services.values(), ...this.retired].map((rt) => rt.queue));
    this.pruneRetired();
  }

  vipChanged(address: string, present: boolean): void {
    if (this.closed) return;
    const canonical = canonicalAddress(address);
    this.vipPresence.set(canonical, present);
    for (const rt of this.services.values()) {
      if (rt.address !== canonical) continue;
      rt.retryDelayMs = this.options.listenRetryMs ?? 1_000;
      this.reconcile(rt);
    }
  }

  stats(): readonly ServiceStats[] {
    const out: ServiceStats[] = [];
    for (const rt of this.services.values()) {
      const pool = rt.driver.pool;
      out.push({
        id: rt.service.id,
        scheduler: rt.service.scheduler,
        connections: pool.connections,
        packetsIn: pool.packetsIn,
        packetsOut: pool.packetsOut,
        bytesIn: pool.bytesIn,
        bytesOut: pool.bytesOut,
        destinations: pool.listed().map(destinationStats),
      });
    }
    return out;
  }

  async close(_keep?: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    const all = [...this.services.values(), ...this.retired];
    this.services.clear();
    this.retired.clear();
    for (const rt of all) {
      rt.removed = true;
      if (rt.retryTimer) clearTimeout(rt.retryTimer);
      rt.driver.destroyAll();
    }
    await Promise.all(all.map((rt) => rt.queue.then(() => rt.driver.stopListening())));
  }

  private supported(service: DesiredService): boolean {
    const key = service.key;
    let reason: string | undefined;
    if (key.kind === 'fwmark') reason = 'fwmark services need a kernel data plane (nft or ipvs)';
    else if (key.protocol === 'SCTP') reason = 'SCTP services need a kernel data plane (nft or ipvs)';
    if (!reason) return true;
    if (!this.reportedUnsupported.has(service.id)) {
      this.reportedUnsupported.add(service.id);
      this.ctx.counters.unsupportedServices++;
      this.ctx.log('warning', `proxy: virtual server ${service.id} not served: ${reason}`);
    }
    return false;
  }

  private newScheduler(service: DesiredService): Scheduler | undefined {
    try {
      return this.makeScheduler(service.scheduler, { flags: service.flags });
    } catch (e) {
      this.ctx.log('error', `proxy: virtual server ${service.id}: scheduler ${service.scheduler}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private create(service: DesiredService): void {
    const key = service.key;
    if (key.kind !== 'address') return;
    const scheduler = this.newScheduler(service);
    if (!scheduler) return;
    const pool = new DestinationPool(service, scheduler, { keepQuiescentTemplates: this.options.keepQuiescentTemplates ?? false });
    const address = canonicalAddress(key.address);
    const driver =
      key.protocol === 'UDP'
        ? new UdpProxyService(address, key.port, key.family, pool, this.ctx)
        : new TcpProxyService(address, key.port, pool, this.ctx);
    this.services.set(service.id, {
      service, address, driver, schedulerSignature: schedulerSignature(service), queue: Promise.resolve(),
      retryTimer: undefined, retryDelayMs: this.options.listenRetryMs ?? 1_000, lastListenError: undefined, removed: false,
    });
  }

  private update(rt: ServiceRuntime, service: DesiredService): void {
    const signature = schedulerSignature(service);
    if (signature !== rt.schedulerSignature) {
      const scheduler = this.newScheduler(service);
      if (scheduler) {
        rt.driver.pool.setScheduler(scheduler);
        rt.schedulerSignature = signature;
      }
    }
    rt.service = service;
    rt.driver.pool.update(service);
  }

  private wantsListener(rt: ServiceRuntime): boolean {
    if (rt.removed || this.closed) return false;
    return this.vipPresence.get(rt.address) ?? this.isLocal(rt.address);
  }

  /** Queue a listener change bringing the service to what VIP presence asks. */
  private reconcile(rt: ServiceRuntime): void {
    rt.queue = rt.queue.then(async () => {
      const want = this.wantsListener(rt);
      if (!want) {
        if (rt.retryTimer) clearTimeout(rt.retryTimer);
        rt.retryTimer = undefined;
        rt.lastListenError = undefined;
        if (rt.driver.listening) {
          await rt.driver.stopListening();
          this.ctx.log('info', `proxy: stopped listening on ${rt.service.id}`);
        }
        return;
      }
      if (rt.driver.listening) return;
      try {
        await rt.driver.startListening();
        rt.lastListenError = undefined;
        rt.retryDelayMs = this.options.listenRetryMs ?? 1_000;
        this.ctx.log('info', `proxy: listening on ${rt.service.id}`);
      } catch (e) {
        this.ctx.counters.listenErrors++;
        const message = (e as Error).message;
        if (message !== rt.lastListenError) this.ctx.log('error', `proxy: cannot listen on ${rt.service.id}: ${message} (retrying)`);
        rt.lastListenError = message;
        this.scheduleRetry(rt);
      }
    });
  }

  private scheduleRetry(rt: ServiceRuntime): void {
    if (rt.retryTimer) return;
    const delay = rt.retryDelayMs;
    rt.retryDelayMs = Math.min(MAX_LISTEN_RETRY_MS, delay * 2);
    rt.retryTimer = setTimeout(() => {
      rt.retryTimer = undefined;
      if (this.services.get(rt.service.id) === rt) this.reconcile(rt);
    }, delay);
    rt.retryTimer.unref();
  }

  private pruneRetired(): void {
    for (const rt of this.retired) if (rt.driver.openConnections === 0) this.retired.delete(rt);
  }

  private sweep(): void {
    const now = this.ctx.nowUs();
    for (const rt of this.services.values()) rt.driver.pool.sweepTemplates(now);
    this.pruneRetired();
  }
}

function destinationStats(d: PoolDestination): DestinationStats {
  return {
    address: d.address,
    port: d.port,
    weight: d.weight,
    activeConnections: d.active,
    inactiveConnections: d.inactive,
    connections: d.connections,
    packetsIn: d.packetsIn,
    packetsOut: d.packetsOut,
    bytesIn: d.bytesIn,
    bytesOut: d.bytesOut,
  };
}

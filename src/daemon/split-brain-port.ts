/**
 * The daemon's side of keepalived-ts's split-brain protocol: the guard (split-brain/guard.ts)
 * next to the VRRP driver's engine, and one UDP socket on the witness port for votes, requests,
 * grants and denies. The driver calls sync() after every engine dispatch and tick() on its timer;
 * datagrams that arrive are handed to the guard and the resulting engine actions back to the
 * driver. Created only when the config names a witness.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { VrrpEngine } from '../vrrp/engine.js';
import type { Action } from '../vrrp/instance-types.js';
import { SplitBrainGuard, type GuardCounters, type GuardResult } from '../split-brain/guard.js';
import type { MajoritySnapshot } from '../split-brain/majority.js';
import { openUdpEndpoint, type UdpEndpoint } from '../platform/linux/udp-endpoint.js';
import type { Logger } from './logger.js';
import { randomBytes } from 'node:crypto';

export interface SplitBrainDeps {
  readonly log: Logger;
  readonly now: () => number;
  /** Carry out engine actions a datagram caused (then the driver re-arms its timer). */
  readonly deliver: (actions: Action[]) => void;
}

export type MajorityStatus = MajoritySnapshot & { readonly group: string };

export class DaemonSplitBrain {
  private guard: SplitBrainGuard;
  private endpoint: UdpEndpoint | undefined;
  private closed = false;
  /** Per process life: a grant for a request of an earlier life is never taken for ours. */
  private readonly nonceSeed = randomBytes(6).toString('hex');

  private constructor(
    private config: KeepalivedConfig,
    engine: VrrpEngine,
    private readonly deps: SplitBrainDeps,
  ) {
    this.guard = this.guardFor(engine);
  }

  /** undefined when the config has no (complete) witness. */
  static create(config: KeepalivedConfig, engine: VrrpEngine, deps: SplitBrainDeps): DaemonSplitBrain | undefined {
    const w = config.global.witness;
    if (!w || w.secret === undefined) return undefined;
    const sb = new DaemonSplitBrain(config, engine, deps);
    void sb.open();
    return sb;
  }

  private guardFor(engine: VrrpEngine, previous?: SplitBrainGuard): SplitBrainGuard {
    const w = this.config.global.witness!;
    return new SplitBrainGuard(engine, { secret: w.secret!, witness: true, leaseUs: w.leaseUs, votePeers: w.votePeers }, this.nonceSeed, previous);
  }

  /** Bind the witness port on every address (dual-stack); until then datagrams wait for the next period. */
  private async open(): Promise<void> {
    const port = this.config.global.witness!.port;
    const onMessage = (payload: Uint8Array) => {
      if (this.closed) return;
      this.deps.deliver(this.carry(this.guard.receive(this.deps.now(), payload)));
    };
    const onError = (e: Error) => this.deps.log.detail(`witness: socket error: ${e.message}`);
    for (const host of ['::', '0.0.0.0']) {
      try {
        const ep = await openUdpEndpoint({ host, port, onMessage, onError });
        if (this.closed) {
          await ep.close();
          return;
        }
        this.endpoint = ep;
        return;
      } catch (e) {
        if (host === '0.0.0.0') this.deps.log.info(`witness: cannot bind UDP port ${port}: ${(e as Error).message} - no votes can be exchanged`);
      }
    }
  }

  /**
   * A reload built new instance cores: the guard follows them; groups whose settings did not
   * change keep their votes and grants. (A config that drops the witness, or changes its port,
   * takes effect at the next start.)
   */
  reload(config: KeepalivedConfig, engine: VrrpEngine): void {
    if (!config.global.witness?.secret) return;
    this.config = { ...config, global: { ...config.global, witness: { ...config.global.witness, port: this.config.global.witness!.port } } };
    this.guard = this.guardFor(engine, this.guard);
  }

  sync(now: number): Action[] {
    return this.carry(this.guard.sync(now));
  }

  tick(now: number): Action[] {
    return this.carry(this.guard.tick(now));
  }

  nextWakeup(): number | undefined {
    return this.guard.nextWakeup();
  }

  snapshot(now: number): Record<string, MajorityStatus> {
    return this.guard.snapshot(now);
  }

  get counters(): GuardCounters {
    return this.guard.counters;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.endpoint?.close();
    this.endpoint = undefined;
  }

  private carry(r: GuardResult): Action[] {
    const w = this.config.global.witness!;
    const ep = this.endpoint;
    if (ep) for (const d of r.datagrams) ep.send(d.to === 'witness' ? w.address : d.to, w.port, d.payload);
    return r.actions;
  }
}

/**
 * Client-visible availability of a VIP for the integration lab (lab.ts `probeVip`): the results
 * of lab-udp-prober.ts, read from its output, and the outages they show.
 */
import { pollFor, type LabProcess } from './lab-process.js';

export interface ProbeResult {
  readonly seq: number;
  /** Epoch ms when the probe was sent (see epochMs()). */
  readonly sentAt: number;
  readonly ok: boolean;
  readonly rttMs?: number;
  /** The node whose echo responder answered. */
  readonly responder?: string;
  /** 'timeout' or the send error's code (e.g. ENETUNREACH). */
  readonly error?: string;
}

/** A run of consecutive lost probes. */
export interface Outage {
  /** sentAt of the last answered probe before the run (undefined if none was answered before). */
  readonly lastOkAt?: number;
  readonly firstLostAt: number;
  readonly lastLostAt: number;
  /** sentAt of the first answered probe after the run (undefined while still failing). */
  readonly recoveredAt?: number;
  readonly lost: number;
}

/**
 * Probes a VIP from the client: a UDP datagram every `everyMs`, answered by a tiny echo responder
 * on every director (whichever holds the VIP answers, and says who it is). Note what a client
 * sees: a SIGKILLed keepalived leaves its VIPs on the interface, so that host's kernel keeps
 * answering until the new master's GARP moves the client; only a host/link failure (linkDown)
 * makes the old holder go silent.
 */
export class VipProbe {
  constructor(
    readonly client: string,
    readonly vip: string,
    readonly everyMs: number,
    private readonly proc: LabProcess,
  ) {}

  /** Every probe whose fate is known so far, by sequence number. */
  results(): ProbeResult[] {
    const out: ProbeResult[] = [];
    for (const line of this.proc.lines) {
      if (!line.startsWith('{"seq"')) continue;
      try {
        out.push(JSON.parse(line) as ProbeResult);
      } catch {
        /* a truncated line at exit: ignore */
      }
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Maximal runs of lost probes, oldest first. */
  outages(): Outage[] {
    const outages: Outage[] = [];
    let lastOkAt: number | undefined;
    let run: ProbeResult[] = [];
    const close = (recoveredAt: number | undefined): void => {
      if (run.length === 0) return;
      outages.push({
        ...(lastOkAt !== undefined ? { lastOkAt } : {}),
        firstLostAt: run[0]!.sentAt,
        lastLostAt: run[run.length - 1]!.sentAt,
        ...(recoveredAt !== undefined ? { recoveredAt } : {}),
        lost: run.length,
      });
      run = [];
    };
    for (const r of this.results()) {
      if (r.ok) {
        close(r.sentAt);
        lastOkAt = r.sentAt;
      } else run.push(r);
    }
    close(undefined);
    return outages;
  }

  /** Wait until `predicate(results())` holds (e.g. a probe answered by 'd2'). */
  async waitFor(predicate: (results: ProbeResult[]) => boolean, timeoutMs = 15_000): Promise<ProbeResult[]> {
    return pollFor(
      async () => {
        const results = this.results();
        return predicate(results) ? results : undefined;
      },
      timeoutMs,
      Math.max(10, this.everyMs),
      async () => {
        const last = this.results().slice(-5);
        return `probe of ${this.vip} from ${this.client}: condition not met within ${timeoutMs} ms; last results: ${JSON.stringify(last)}`;
      },
    );
  }

  /** Stop probing; the results stay readable. */
  async stop(): Promise<ProbeResult[]> {
    if (this.proc.running) await this.proc.stop({ timeoutMs: 5_000 });
    return this.results();
  }
}

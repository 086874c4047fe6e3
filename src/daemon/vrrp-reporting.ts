/**
 * What the VRRP process tells the outside: counters (fed by the driver's observer), the status
 * object for `keepalived-ts status`, and keepalived's dump files on USR1 / USR2 / STATS_CLEAR /
 * JSON signals.
 */
import type { Logger } from './logger.js';
import { monotonicMicros } from './monotonic-clock.js';
import { writeSignalDump, type DumpSignal } from './signal-dumps.js';
import { buildStatus, type DaemonStatus } from './status.js';
import type { DriverObserver, VrrpDriver } from './vrrp-driver.js';
import { snapshotEngine, type VrrpSnapshot } from './vrrp-snapshot.js';
import { VrrpStatsBook } from './vrrp-stats.js';

export class VrrpReporting {
  private driver: VrrpDriver | undefined;
  readonly book = new VrrpStatsBook({ stateOf: (name) => this.driver?.instances.find((i) => i.name === name)?.state });

  readonly observer: DriverObserver = {
    stat: (owner, counter) => this.book.stat(owner, counter),
    rejected: (owner, check, reason) => void this.book.rejected(owner, check, reason),
    transition: (owner, group, t) => this.book.transition(owner, group, t),
    reloaded: (matched, removed) => this.book.reload(matched, removed),
  };

  attach(driver: VrrpDriver): void {
    this.driver = driver;
  }

  private snapshot(): VrrpSnapshot {
    const d = this.driver!;
    return snapshotEngine(d.currentEngine, d.currentConfig, this.book, { coreNowUs: monotonicMicros(), wallNowUs: Date.now() * 1000 });
  }

  status(): DaemonStatus {
    if (!this.driver) return { instances: [] };
    const s = buildStatus(this.snapshot().instances);
    // the addresses this node holds now, not the configured list
    const d = this.driver;
    return {
      instances: s.instances.map((i) => {
        const majority = d.majorityOf(i.name);
        const heartbeatPaths = d.heartbeatPathsOf(i.name);
        return {
          ...i,
          vips: i.state === 'MASTER' ? i.vips : [],
          conflicts: d.conflictsOf(i.name),
          ...(majority ? { majority } : {}),
          ...(heartbeatPaths ? { heartbeatPaths } : {}),
        };
      }),
    };
  }

  dump(signal: DumpSignal, log: Logger): void {
    if (!this.driver) return;
    const r = writeSignalDump(signal, { config: this.driver.currentConfig, snapshot: this.snapshot(), book: this.book });
    if (r && !r.ok) log.error(`Can't open ${r.path} (${r.error})`);
  }
}

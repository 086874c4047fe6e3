/**
 * The VRRP child process (keepalived's Keepalived_vrrp): reads the config, runs the VRRP driver
 * on the real host, and answers signals — TERM/INT stop, HUP reload, USR1/USR2/JSON dumps — and
 * the supervisor's status requests. Started by supervisor.ts with the daemon options in the
 * environment.
 */
import { onSignalNumber } from '../platform/linux/realtime-signals.js';
import { createLogger } from './logger.js';
import { monotonicMicros } from './monotonic-clock.js';
import type { ChildRequest } from './options.js';
import { childOptions, runChildLifecycle, sendToSupervisor, startChild } from './child-lifecycle.js';
import { SIGNAL_JSON, SIGNAL_STATS_CLEAR } from './supervisor.js';
import { VrrpDriver } from './vrrp-driver.js';
import { openLinuxVrrpPlatform } from './linux-vrrp-platform.js';
import { LinuxTrackerHub } from './linux-trackers.js';
import { LinuxNotifier } from './linux-notifier.js';
import { VrrpReporting } from './vrrp-reporting.js';

/** The VRRP child reports the config's diagnostics for the whole daemon. */
const reportsDiagnostics = (): boolean => true;

async function main(): Promise<void> {
  const o = childOptions();
  process.title = 'keepalived-ts: vrrp';
  const log = createLogger({ ident: 'Keepalived_vrrp', console: o.logConsole, syslog: !o.noSyslog, facility: o.logFacility, detail: o.logDetail });
  const config = startChild(o, log, o.vrrpPidFile, reportsDiagnostics);
  const platform = openLinuxVrrpPlatform(log, config.global);
  const trackers = new LinuxTrackerHub(config, log);
  const notify = new LinuxNotifier(config, log);
  const reporting = new VrrpReporting();
  const driver = new VrrpDriver(config, {
    log,
    platform,
    trackers,
    notify,
    now: monotonicMicros,
    dontRelease: o.dontReleaseVrrp,
    addressMonitoring: o.addressMonitoring,
    observer: reporting.observer,
  });
  reporting.attach(driver);

  runChildLifecycle(o, log, o.vrrpPidFile, reportsDiagnostics, {
    async stop() {
      await driver.stop();
      trackers.close();
      notify.close();
      platform.close();
    },
    reload: (next) => driver.reload(next),
  });
  process.on('SIGUSR1', () => reporting.dump('data', log));
  process.on('SIGUSR2', () => reporting.dump('stats', log));
  onSignalNumber(SIGNAL_STATS_CLEAR, () => reporting.dump('stats-clear', log));
  onSignalNumber(SIGNAL_JSON, () => reporting.dump('json', log));
  process.on('message', (m: ChildRequest) => {
    if (m && m.type === 'status') sendToSupervisor({ type: 'status', id: m.id, status: reporting.status() });
  });
  driver.start();
  sendToSupervisor({ type: 'ready' });
}

void main();

/**
 * The VRRP child process (keepalived's Keepalived_vrrp): reads the config, runs the VRRP driver
 * on the real host, and answers signals — TERM/INT stop, HUP reload, USR1/USR2/JSON dumps — and
 * the supervisor's status requests. Started by supervisor.ts with the daemon options in the
 * environment.
 */
import { linuxHostFacts } from '../config/linux-host-facts.js';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import { onSignalNumber } from '../platform/linux/realtime-signals.js';
import { createLogger, type Logger } from './logger.js';
import { monotonicMicros } from './monotonic-clock.js';
import type { ChildReply, ChildRequest, DaemonOptions } from './options.js';
import { removePidfile, writePidfile } from './pidfile.js';
import { SIGNAL_JSON, SIGNAL_STATS_CLEAR } from './supervisor.js';
import { VrrpDriver } from './vrrp-driver.js';
import { openLinuxVrrpPlatform } from './linux-vrrp-platform.js';
import { LinuxTrackerHub } from './linux-trackers.js';
import { LinuxNotifier } from './linux-notifier.js';
import { VrrpReporting } from './vrrp-reporting.js';

function send(m: ChildReply): void {
  if (process.send && process.connected) process.send(m);
}

function load(o: DaemonOptions, log: Logger): KeepalivedConfig | undefined {
  const r = loadConfig(o.configFile, { host: linuxHostFacts(), allConfig: o.allConfig, ...(o.configId !== undefined ? { configId: o.configId } : {}) });
  if (!r.found) {
    log.error(`Unable to find configuration file ${o.configFile}`);
    return undefined;
  }
  for (const d of r.diagnostics.list) log.warn(formatDiagnostic(d));
  return r.config;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.env.KEEPALIVED_TS_DAEMON ?? '{}') as DaemonOptions;
  process.title = 'keepalived-ts: vrrp';
  const log = createLogger({ ident: 'Keepalived_vrrp', console: o.logConsole, syslog: !o.noSyslog, facility: o.logFacility, detail: o.logDetail });
  const config = load(o, log);
  if (!config) {
    send({ type: 'fatal', message: `configuration file ${o.configFile} missing` });
    process.exit(2);
  }
  writePidfile(o.vrrpPidFile, process.pid);
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

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await driver.stop();
    trackers.close();
    notify.close();
    platform.close();
    removePidfile(o.vrrpPidFile, process.pid);
    log.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('SIGPIPE', () => {});
  process.on('SIGHUP', () => {
    if (stopping) return;
    log.info('Reloading');
    const next = load(o, log);
    if (!next) {
      log.error('Reload abandoned: keeping the running configuration');
      return;
    }
    driver.reload(next);
  });
  process.on('SIGUSR1', () => reporting.dump('data', log));
  process.on('SIGUSR2', () => reporting.dump('stats', log));
  onSignalNumber(SIGNAL_STATS_CLEAR, () => reporting.dump('stats-clear', log));
  onSignalNumber(SIGNAL_JSON, () => reporting.dump('json', log));
  process.on('message', (m: ChildRequest) => {
    if (m && m.type === 'status') send({ type: 'status', id: m.id, status: reporting.status() });
  });
  // the supervisor is gone (killed): a VRRP child must not run unsupervised
  process.on('disconnect', () => void stop());
  process.on('uncaughtException', (e) => {
    log.error(`keepalived-ts internal error: ${e.stack ?? e.message}`);
    process.exit(70);
  });

  driver.start();
  send({ type: 'ready' });
}

void main();

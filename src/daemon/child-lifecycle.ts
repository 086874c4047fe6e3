/**
 * What every daemon child process (VRRP, health checkers) does the same way: its options from
 * the supervisor, reading the config, the pidfile, and the lifecycle — TERM/INT stop once and
 * exit 0, HUP re-reads the config and hands it over (keeping the running one if it cannot be
 * read), a vanished supervisor stops the child, an internal error exits 70 to be respawned.
 */
import { linuxHostFacts } from '../config/linux-host-facts.js';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import type { Logger } from './logger.js';
import type { ChildReply, DaemonOptions } from './options.js';
import { removePidfile, writePidfile } from './pidfile.js';

export function sendToSupervisor(m: ChildReply): void {
  if (process.send && process.connected) process.send(m);
}

/** The daemon options the supervisor put in this child's environment. */
export function childOptions(): DaemonOptions {
  return JSON.parse(process.env.KEEPALIVED_TS_DAEMON ?? '{}') as DaemonOptions;
}

/** Whether this child logs the config's diagnostics (one child reports them for the daemon). */
export type ReportsDiagnostics = (config: KeepalivedConfig) => boolean;

/** The config, its diagnostics logged when this child reports them; undefined when the file is missing. */
export function loadChildConfig(o: DaemonOptions, log: Logger, reportDiagnostics: ReportsDiagnostics): KeepalivedConfig | undefined {
  const r = loadConfig(o.configFile, { host: linuxHostFacts(), allConfig: o.allConfig, ...(o.configId !== undefined ? { configId: o.configId } : {}) });
  if (!r.found) {
    log.error(`Unable to find configuration file ${o.configFile}`);
    return undefined;
  }
  if (reportDiagnostics(r.config)) for (const d of r.diagnostics.list) log.warn(formatDiagnostic(d));
  return r.config;
}

/** The first config of a child: a missing file is a permanent error the supervisor must not respawn. */
export function startChild(o: DaemonOptions, log: Logger, pidFile: string, reportDiagnostics: ReportsDiagnostics): KeepalivedConfig {
  const config = loadChildConfig(o, log, reportDiagnostics);
  if (!config) {
    sendToSupervisor({ type: 'fatal', message: `configuration file ${o.configFile} missing` });
    process.exit(2);
  }
  writePidfile(pidFile, process.pid);
  return config;
}

export interface ChildHooks {
  /** Release what the subsystem holds (the pidfile, the log and the exit are done here). */
  stop(): Promise<void>;
  reload(config: KeepalivedConfig): void;
  /** Log lines after the subsystem stopped, before the log closes. */
  readonly stoppedMessage?: string;
}

export function runChildLifecycle(o: DaemonOptions, log: Logger, pidFile: string, reportDiagnostics: ReportsDiagnostics, hooks: ChildHooks): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await hooks.stop();
    removePidfile(pidFile, process.pid);
    if (hooks.stoppedMessage) log.info(hooks.stoppedMessage);
    log.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('SIGPIPE', () => {});
  process.on('SIGHUP', () => {
    if (stopping) return;
    log.info('Reloading');
    const next = loadChildConfig(o, log, reportDiagnostics);
    if (!next) {
      log.error('Reload abandoned: keeping the running configuration');
      return;
    }
    hooks.reload(next);
  });
  // the supervisor is gone (killed): a child must not run unsupervised
  process.on('disconnect', () => void stop());
  process.on('uncaughtException', (e) => {
    log.error(`keepalived-ts internal error: ${e.stack ?? e.message}`);
    process.exit(70);
  });
}

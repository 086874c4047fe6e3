/**
 * The health-checker child process (keepalived's Keepalived_healthcheckers): reads the config,
 * runs the virtual servers (lvs-service.ts) on the user-space proxy data plane, and answers
 * signals — TERM/INT stop (omega notifies, data plane closed), HUP reload, USR1 a summary in the
 * log — and the supervisor's `status` / `lvs` requests. Its own process, so that slow or numerous
 * checks never delay a VRRP advert. Started by supervisor.ts with the daemon options in the
 * environment.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import { selectDataPlane } from '../dataplane/select.js';
import { onSignalNumber } from '../platform/linux/realtime-signals.js';
import { createLogger } from './logger.js';
import type { ChildRequest, DaemonOptions } from './options.js';
import { childOptions, runChildLifecycle, sendToSupervisor, startChild } from './child-lifecycle.js';
import { SIGNAL_JSON, SIGNAL_STATS_CLEAR } from './supervisor.js';
import { LinuxAddressSource, type AddressSource } from './address-presence.js';
import { LvsService } from './lvs-service.js';

/** The VRRP child reports the config's diagnostics; without one they are reported here. */
const reportsDiagnostics = (c: KeepalivedConfig, o: DaemonOptions): boolean => o.checkOnly || !(o.all || c.vrrp.haveVrrpConfig);

async function main(): Promise<void> {
  const o = childOptions();
  process.title = 'keepalived-ts: checker';
  const log = createLogger({ ident: 'Keepalived_healthcheckers', console: o.logConsole, syslog: !o.noSyslog, facility: o.logFacility, detail: o.logDetail });
  const logFn = (level: 'error' | 'warning' | 'info' | 'detail', message: string): void => log.log(level, message);
  const reports = (c: KeepalivedConfig) => reportsDiagnostics(c, o);
  const config = startChild(o, log, o.checkersPidFile, reports);

  let addresses: AddressSource | undefined;
  try {
    addresses = new LinuxAddressSource((m) => log.warn(m));
  } catch (e) {
    log.error(`Cannot watch this host's addresses (${(e as Error).message}): virtual servers are served on addresses found local when they are installed`);
  }
  const dataPlane = selectDataPlane(o.dataPlane ?? 'auto', logFn);
  const service = new LvsService(config, { log: logFn, dataPlane, ...(addresses ? { addresses } : {}) });

  runChildLifecycle(o, log, o.checkersPidFile, reports, {
    stop: () => service.stop(),
    reload: (next) => service.reload(next),
    stoppedMessage: 'Stopped',
  });
  // USR1: keepalived writes its checker data; here a summary goes to the log
  process.on('SIGUSR1', () => {
    log.info(`Printing checker data for process(${process.pid}) on signal`);
    for (const vs of service.virtualServers()) {
      log.info(` VS ${vs.id} quorum ${vs.quorum}${vs.sorryServer ? `, sorry server ${vs.sorryServer.address}:${vs.sorryServer.port}${vs.sorryServer.active ? ' (active)' : ''}` : ''}`);
      for (const rs of vs.realServers) log.info(`   RS ${rs.address}:${rs.port} ${rs.alive ? 'alive' : 'down'} weight ${rs.weight}`);
    }
  });
  // the VRRP process's dump signals mean nothing here; they must not take their default action
  process.on('SIGUSR2', () => {});
  onSignalNumber(SIGNAL_STATS_CLEAR, () => {});
  onSignalNumber(SIGNAL_JSON, () => {});
  process.on('message', (m: ChildRequest) => {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'status') sendToSupervisor({ type: 'status', id: m.id, status: { virtualServers: service.virtualServers() } });
    else if (m.type === 'lvs') sendToSupervisor({ type: 'status', id: m.id, status: service.lvsSnapshot() });
  });
  service.start();
  sendToSupervisor({ type: 'ready' });
}

void main();

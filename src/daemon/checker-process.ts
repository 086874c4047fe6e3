/**
 * The health-checker child process (keepalived's Keepalived_healthcheckers): reads the config,
 * runs the virtual servers (lvs-service.ts) on the user-space proxy data plane, and answers
 * signals — TERM/INT stop (omega notifies, data plane closed), HUP reload, USR1 a summary in the
 * log — and the supervisor's `status` / `lvs` requests. Its own process, so that slow or numerous
 * checks never delay a VRRP advert. Started by supervisor.ts with the daemon options in the
 * environment.
 */
import { linuxHostFacts } from '../config/linux-host-facts.js';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import { ProxyDataPlane } from '../dataplane/proxy/proxy-dataplane.js';
import { onSignalNumber } from '../platform/linux/realtime-signals.js';
import { createLogger, type Logger } from './logger.js';
import type { ChildReply, ChildRequest, DaemonOptions } from './options.js';
import { removePidfile, writePidfile } from './pidfile.js';
import { SIGNAL_JSON, SIGNAL_STATS_CLEAR } from './supervisor.js';
import { LinuxAddressSource, type AddressSource } from './address-presence.js';
import { LvsService } from './lvs-service.js';

function send(m: ChildReply): void {
  if (process.send && process.connected) process.send(m);
}

function load(o: DaemonOptions, log: Logger): KeepalivedConfig | undefined {
  const r = loadConfig(o.configFile, { host: linuxHostFacts(), allConfig: o.allConfig, ...(o.configId !== undefined ? { configId: o.configId } : {}) });
  if (!r.found) {
    log.error(`Unable to find configuration file ${o.configFile}`);
    return undefined;
  }
  // the VRRP child reports the config's diagnostics; without one they are reported here
  const vrrpChildRuns = !o.checkOnly && (o.all || r.config.vrrp.haveVrrpConfig);
  if (!vrrpChildRuns) for (const d of r.diagnostics.list) log.warn(formatDiagnostic(d));
  return r.config;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.env.KEEPALIVED_TS_DAEMON ?? '{}') as DaemonOptions;
  process.title = 'keepalived-ts: checker';
  const log = createLogger({ ident: 'Keepalived_healthcheckers', console: o.logConsole, syslog: !o.noSyslog, facility: o.logFacility, detail: o.logDetail });
  const logFn = (level: 'error' | 'warning' | 'info' | 'detail', message: string): void => log.log(level, message);
  const config = load(o, log);
  if (!config) {
    send({ type: 'fatal', message: `configuration file ${o.configFile} missing` });
    process.exit(2);
  }
  writePidfile(o.checkersPidFile, process.pid);

  let addresses: AddressSource | undefined;
  try {
    addresses = new LinuxAddressSource((m) => log.warn(m));
  } catch (e) {
    log.error(`Cannot watch this host's addresses (${(e as Error).message}): virtual servers are served on addresses found local when they are installed`);
  }
  const dataPlane = new ProxyDataPlane({ log: logFn });
  const service = new LvsService(config, { log: logFn, dataPlane, ...(addresses ? { addresses } : {}) });

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    removePidfile(o.checkersPidFile, process.pid);
    log.info('Stopped');
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
    service.reload(next);
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
    if (m.type === 'status') send({ type: 'status', id: m.id, status: { virtualServers: service.virtualServers() } });
    else if (m.type === 'lvs') send({ type: 'status', id: m.id, status: service.lvsSnapshot() });
  });
  // the supervisor is gone (killed): the checkers must not run unsupervised
  process.on('disconnect', () => void stop());
  process.on('uncaughtException', (e) => {
    log.error(`keepalived-ts internal error: ${e.stack ?? e.message}`);
    process.exit(70);
  });

  service.start();
  send({ type: 'ready' });
}

void main();

/**
 * The daemon's parent process, as keepalived's: it owns the pidfile, starts the VRRP child and
 * the health-checker child (each its own process, so nothing slow in one subsystem can delay an
 * advert), restarts a child that dies, forwards signals, answers `keepalived-ts status` and
 * `keepalived-ts lvs` on a root-only socket, and at SIGTERM stops the children and waits for them
 * before exiting.
 */
import { childDeathLine } from './child-exit.js';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { linuxHostFacts } from '../config/linux-host-facts.js';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { packageVersion } from '../cli/version.js';
import { onSignalNumber } from '../platform/linux/realtime-signals.js';
import { createLogger, type Logger } from './logger.js';
import type { ChildReply, ChildRequest, DaemonOptions } from './options.js';
import { removePidfile, runningPid, writePidfile } from './pidfile.js';
import { StatusServer } from './status-server.js';

/** keepalived's child_wait_time default: how long a stopping child may take. */
const CHILD_WAIT_MS = 5000;
/** Signals keepalived's parent forwards to its children. */
const FORWARDED = ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;
/** Signals only the VRRP child acts on (keepalived's propagate_signal sends them nowhere else). */
const VRRP_ONLY: ReadonlySet<NodeJS.Signals | number> = new Set<NodeJS.Signals | number>(['SIGUSR2', 36, 63]);
export const SIGNAL_JSON = 36;
export const SIGNAL_STATS_CLEAR = 63;

export const EXIT_OK = 0;
export const EXIT_CONFIG = 2;
export const EXIT_NO_CONFIG = 6;

class Child {
  process: ChildProcess | undefined;
  startedAt = 0;
  restarts = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (status: unknown) => void>();

  constructor(
    readonly name: string,
    /** Its syslog ident, as keepalived's children name themselves. */
    readonly ident: string,
    readonly module: string,
  ) {}

  request(kind: ChildRequest['type'], timeoutMs: number): Promise<unknown> {
    const p = this.process;
    if (!p || !p.connected) return Promise.reject(new Error(`the ${this.name} process is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the ${this.name} process did not answer`));
      }, timeoutMs);
      this.pending.set(id, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      p.send({ type: kind, id } satisfies ChildRequest);
    });
  }

  answer(reply: ChildReply): void {
    if (reply.type !== 'status') return;
    const done = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    done?.(reply.status);
  }
}

/** Without -n: start a detached copy with -n and return (keepalived forks into the background). */
function daemonize(argv: readonly string[]): number {
  const script = process.argv[1]!;
  const child = spawn(process.execPath, [script, ...argv, '--dont-fork'], { detached: true, stdio: 'ignore' });
  child.unref();
  return EXIT_OK;
}

export async function runDaemon(o: DaemonOptions, argv: readonly string[]): Promise<number> {
  if (!o.dontFork) return daemonize(argv);
  if (o.umask !== undefined) process.umask(o.umask);
  const log = createLogger({ ident: 'Keepalived', console: o.logConsole, syslog: !o.noSyslog, facility: o.logFacility, detail: o.logDetail });
  log.info(`Starting keepalived-ts v${packageVersion()} (keepalived 2.2.7 compatible)`);
  log.info(`Running on ${process.platform} ${process.version} (pid ${process.pid})`);
  const already = runningPid(o.pidFile);
  if (already !== undefined) {
    log.info(`daemon is already running (pid ${already}, ${o.pidFile})`);
    log.close();
    return EXIT_OK;
  }

  const loaded = loadConfig(o.configFile, { host: linuxHostFacts(), allConfig: o.allConfig, ...(o.configId !== undefined ? { configId: o.configId } : {}) });
  if (!loaded.found) {
    log.error(`Unable to find configuration file ${o.configFile}`);
    log.close();
    return EXIT_NO_CONFIG;
  }
  writePidfile(o.pidFile, process.pid);

  const children: Child[] = [];
  const wantVrrp = !o.checkOnly && (o.all || loaded.config.vrrp.haveVrrpConfig);
  if (wantVrrp) children.push(new Child('VRRP', 'Keepalived_vrrp', fileURLToPath(new URL('./vrrp-process.js', import.meta.url))));
  const wantCheckers = !o.vrrpOnly && (loaded.config.lvs.virtualServers.length > 0 || o.all);
  if (wantCheckers) children.push(new Child('Healthcheck', 'Keepalived_healthcheckers', fileURLToPath(new URL('./checker-process.js', import.meta.url))));
  if (children.length === 0) {
    // the children report the config's problems; without a child, say them here
    for (const d of loaded.diagnostics.list) log.warn(formatDiagnostic(d));
    log.warn('No VRRP or virtual server configuration: nothing to run');
  }

  let stopping = false;
  let exitCode = EXIT_OK;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));

  const start = (c: Child): void => {
    const proc = fork(c.module, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
      env: { ...process.env, KEEPALIVED_TS_DAEMON: JSON.stringify(o) },
    });
    c.process = proc;
    c.startedAt = Date.now();
    log.info(`Starting ${c.name} child process, pid=${proc.pid}`);
    let fatal: string | undefined;
    proc.on('message', (m: ChildReply) => {
      if (m.type === 'fatal') fatal = m.message;
      else c.answer(m);
    });
    proc.on('exit', (code, signal) => {
      if (c.process === proc) c.process = undefined;
      const how = signal ? `due to signal ${signal}` : `with status ${code}`;
      if (stopping) {
        log.info(`${c.name} child process(${proc.pid}) exited ${how}`);
        if (children.every((x) => !x.process)) resolveDone();
        return;
      }
      if (fatal !== undefined || code === EXIT_CONFIG) {
        log.error(`${c.name} child process(${proc.pid}) exited with permanent error CONFIG${fatal ? ` (${fatal})` : ''}. Terminating`);
        exitCode = EXIT_CONFIG;
        void shutdown();
        return;
      }
      // keepalived's words (report_child_status, log_child_died), so that log watchers keep working
      const death = childDeathLine(c.ident, code, signal);
      if (death) log.info(death);
      if (o.dontRespawn) {
        log.error(`${c.name} child process(${proc.pid}) died: Exiting`);
        void shutdown();
        return;
      }
      // a child that keeps dying right after start is restarted with growing delays (at most 30 s)
      const quick = Date.now() - c.startedAt < 2000;
      c.restarts = quick ? c.restarts + 1 : 0;
      const delay = quick ? Math.min(30_000, 250 * 2 ** Math.min(7, c.restarts)) : 0;
      log.error(`${c.name} child process(${proc.pid}) died: Respawning`);
      if (delay) log.info(`Restart of ${c.name} process delayed ${delay} ms to limit respawn rate`);
      setTimeout(() => {
        if (!stopping) start(c);
      }, delay);
    });
  };

  const forward = (signal: NodeJS.Signals | number): void => {
    // process.kill, not ChildProcess.kill: only the former takes signal numbers Node cannot name (36, 63)
    for (const c of children)
      if (c.process?.pid && (c.name === 'VRRP' || !VRRP_ONLY.has(signal)))
        try {
          process.kill(c.process.pid, signal);
        } catch {
          /* it has just exited; its exit handler deals with it */
        }
  };

  const vrrpChild = children.find((c) => c.name === 'VRRP');
  const checkerChild = children.find((c) => c.name === 'Healthcheck');
  const status = new StatusServer(
    o.statusSocket,
    async () => {
      const [vrrp, checkers] = await Promise.all([
        vrrpChild ? (vrrpChild.request('status', 3000) as Promise<{ instances: unknown[] }>) : undefined,
        checkerChild ? (checkerChild.request('status', 3000) as Promise<{ virtualServers: unknown[] }>) : undefined,
      ]);
      return { pid: process.pid, version: packageVersion(), instances: vrrp?.instances ?? [], ...(checkers ? { virtualServers: checkers.virtualServers } : {}) };
    },
    log,
    {
      lvs: async () => {
        if (!checkerChild) throw new Error('this daemon runs no virtual servers (no health-checker process)');
        return checkerChild.request('lvs', 3000);
      },
    },
  );

  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info('Stopping');
    status.close();
    if (children.some((c) => c.process)) {
      forward('SIGTERM');
      const timer = setTimeout(() => {
        for (const c of children)
          if (c.process) {
            log.warn(`${c.name} child process(${c.process.pid}) did not stop within ${CHILD_WAIT_MS / 1000} s; killing it`);
            c.process.kill('SIGKILL');
          }
      }, CHILD_WAIT_MS);
      await done;
      clearTimeout(timer);
    } else resolveDone();
    removePidfile(o.pidFile, process.pid);
    log.info(`Stopped keepalived-ts v${packageVersion()}`);
    log.close();
  }

  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.on('SIGPIPE', () => {});
  for (const s of FORWARDED) process.on(s, () => forward(s));
  const rt = [SIGNAL_JSON, SIGNAL_STATS_CLEAR].map((n) => onSignalNumber(n, () => forward(n)));

  try {
    await status.listen();
  } catch (e) {
    log.error(`status socket ${o.statusSocket}: ${(e as Error).message}; \`keepalived-ts status\` will not reach this daemon`);
  }
  for (const c of children) start(c);
  if (children.length === 0) {
    // keepalived stays up without children only with --all; there is nothing to supervise
    await shutdown();
  }
  await done;
  for (const w of rt) w.stop();
  return exitCode;
}

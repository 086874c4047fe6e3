/**
 * The NotifyPort of a real host: notify scripts run as the user their config line names, and
 * notify lines go to the configured FIFOs (notify_fifo and vrrp_notify_fifo both get VRRP lines).
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { ScriptSpec } from '../config/model/script.js';
import { NotifyRunner } from '../platform/linux/script-runner.js';
import { ConfiguredFifos } from './configured-fifos.js';
import type { Logger } from './logger.js';
import type { NotifyPort } from './vrrp-platform.js';

const SPEC_FIELD = {
  notify_master: 'notifyMaster',
  notify_backup: 'notifyBackup',
  notify_fault: 'notifyFault',
  notify_stop: 'notifyStop',
  notify_deleted: 'notifyDeletedScript',
  notify: 'notify',
  notify_master_rx_lower_pri: 'notifyMasterRxLowerPri',
} as const;

export class LinuxNotifier implements NotifyPort {
  private readonly runner: NotifyRunner;
  private readonly fifos: ConfiguredFifos;
  private config: KeepalivedConfig;
  private readonly logFn: (level: 'error' | 'warning' | 'info' | 'detail', message: string) => void;

  constructor(
    config: KeepalivedConfig,
    private readonly log: Logger,
  ) {
    this.config = config;
    this.logFn = (level, message) => log.log(level, message);
    this.runner = new NotifyRunner({
      log: this.logFn,
      credentials: (a) => {
        const spec = a.owner !== undefined ? this.specOf(a.owner, a.kind) : undefined;
        return spec ? { ...(spec.uid !== undefined ? { uid: spec.uid } : {}), ...(spec.gid !== undefined ? { gid: spec.gid } : {}) } : undefined;
      },
    });
    this.fifos = new ConfiguredFifos('vrrp', this.logFn);
    this.fifos.configure(config.global);
  }

  private specOf(owner: string, kind: string): ScriptSpec | undefined {
    const field = SPEC_FIELD[kind as keyof typeof SPEC_FIELD];
    if (!field) return undefined;
    const inst = this.config.vrrp.instances.find((i) => i.name === owner);
    if (inst) return inst[field];
    const group = this.config.vrrp.syncGroups.find((g) => g.name === owner) as unknown as Record<string, ScriptSpec | undefined> | undefined;
    return group?.[field];
  }

  run(owner: string, kind: string, argv: readonly string[], timeoutUs: number | undefined): void {
    const spec = this.specOf(owner, kind);
    if (spec?.insecure) {
      this.log.warn(`(${owner}) ${kind} script ${argv[0]} is disabled by script security: not run`);
      return;
    }
    this.runner.runAction({ owner, kind, argv, ...(timeoutUs !== undefined ? { timeout: timeoutUs } : {}) });
  }

  fifo(line: string): void {
    this.fifos.write(line);
  }

  /** At stop: the STOP scripts just started may finish (their own timeout still applies), then the rest is terminated. */
  async drain(timeoutMs: number): Promise<void> {
    if (!(await this.runner.waitIdle(timeoutMs))) await this.runner.stopAll(1000);
  }

  reload(config: KeepalivedConfig): void {
    this.config = config;
    this.fifos.configure(config.global);
  }

  close(): void {
    this.fifos.close();
  }
}

/**
 * The NotifyPort of a real host: notify scripts run as the user their config line names, and
 * notify lines go to the configured FIFOs (notify_fifo and vrrp_notify_fifo both get VRRP lines).
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { ScriptSpec } from '../config/model/script.js';
import type { NotifyFifo as FifoConfig } from '../config/model/global.js';
import { NotifyRunner } from '../platform/linux/script-runner.js';
import { NotifyFifo } from '../platform/linux/notify-fifo.js';
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
  private fifos: { key: string; fifo: NotifyFifo }[] = [];
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
    this.openFifos();
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
    for (const f of this.fifos) f.fifo.write(line);
  }

  /** At stop: the STOP scripts just started may finish (their own timeout still applies), then the rest is terminated. */
  async drain(timeoutMs: number): Promise<void> {
    if (!(await this.runner.waitIdle(timeoutMs))) await this.runner.stopAll(1000);
  }

  reload(config: KeepalivedConfig): void {
    this.config = config;
    const wanted = this.fifoConfigs().map((f) => f.key).join('|');
    if (wanted !== this.fifos.map((f) => f.key).join('|')) {
      for (const f of this.fifos) f.fifo.close();
      this.openFifos();
    }
  }

  private fifoConfigs(): { key: string; type: '' | 'vrrp_'; cfg: FifoConfig }[] {
    const g = this.config.global;
    const out: { key: string; type: '' | 'vrrp_'; cfg: FifoConfig }[] = [];
    for (const [type, cfg] of [['', g.notifyFifo], ['vrrp_', g.vrrpNotifyFifo]] as const)
      if (cfg.name) out.push({ key: `${type}${cfg.name} ${cfg.script?.argv.join(' ') ?? ''}`, type, cfg });
    return out;
  }

  private openFifos(): void {
    this.fifos = this.fifoConfigs().map(({ key, type, cfg }) => {
      const fifo = new NotifyFifo({
        path: cfg.name!,
        ...(cfg.uid !== undefined ? { uid: cfg.uid } : {}),
        ...(cfg.gid !== undefined ? { gid: cfg.gid } : {}),
        ...(cfg.script
          ? { script: { argv: cfg.script.argv, ...(cfg.script.uid !== undefined ? { uid: cfg.script.uid } : {}), ...(cfg.script.gid !== undefined ? { gid: cfg.script.gid } : {}) } }
          : {}),
        type,
        process: 'vrrp',
        log: this.logFn,
      });
      fifo.open();
      return { key, fifo };
    });
  }

  close(): void {
    for (const f of this.fifos) f.fifo.close();
    this.fifos = [];
  }
}

/**
 * The notify FIFOs a daemon process writes to: the global notify_fifo plus its own
 * (vrrp_notify_fifo for the VRRP process, lvs_notify_fifo for the checker process), each with
 * its reader script. A reload reopens them only when their configuration changed.
 */
import type { GlobalConfig, NotifyFifo as FifoConfig } from '../config/model/global.js';
import type { LogFn } from '../platform/linux/driver-log.js';
import { NotifyFifo } from '../platform/linux/notify-fifo.js';

export class ConfiguredFifos {
  private fifos: { key: string; fifo: NotifyFifo }[] = [];

  constructor(
    private readonly process: 'vrrp' | 'lvs',
    private readonly log: LogFn,
  ) {}

  private wanted(global: GlobalConfig): { key: string; type: '' | 'vrrp_' | 'lvs_'; cfg: FifoConfig }[] {
    const own = this.process === 'vrrp' ? (['vrrp_', global.vrrpNotifyFifo] as const) : (['lvs_', global.lvsNotifyFifo] as const);
    const out: { key: string; type: '' | 'vrrp_' | 'lvs_'; cfg: FifoConfig }[] = [];
    for (const [type, cfg] of [['', global.notifyFifo] as const, own])
      if (cfg.name) out.push({ key: `${type}${cfg.name} ${cfg.script?.argv.join(' ') ?? ''}`, type, cfg });
    return out;
  }

  /** Open the configured FIFOs (first call), or reopen them if the configuration changed. */
  configure(global: GlobalConfig): void {
    const wanted = this.wanted(global);
    if (this.fifos.length && wanted.map((f) => f.key).join('|') === this.fifos.map((f) => f.key).join('|')) return;
    this.close();
    this.fifos = wanted.map(({ key, type, cfg }) => {
      const script = cfg.script;
      const fifo = new NotifyFifo({
        path: cfg.name!,
        ...(cfg.uid !== undefined ? { uid: cfg.uid } : {}),
        ...(cfg.gid !== undefined ? { gid: cfg.gid } : {}),
        ...(script ? { script: { argv: script.argv, ...(script.uid !== undefined ? { uid: script.uid } : {}), ...(script.gid !== undefined ? { gid: script.gid } : {}) } } : {}),
        type,
        process: this.process,
        log: this.log,
      });
      fifo.open();
      return { key, fifo };
    });
  }

  write(line: string): void {
    for (const f of this.fifos) f.fifo.write(line);
  }

  close(): void {
    for (const f of this.fifos) f.fifo.close();
    this.fifos = [];
  }
}

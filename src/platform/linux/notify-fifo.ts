/**
 * notify_fifo / vrrp_notify_fifo / lvs_notify_fifo, as keepalived 2.2.7 opens them
 * (lib/notify.c fifo_open/fifo_close):
 *
 * - mkfifo with mode 0644 (less the umask); a path that already exists is used as it is.
 *   A FIFO we created is chowned to the fifo's user/group when they differ from ours, and
 *   unlinked when we close — before closing, so a reader that loops reopening it cannot.
 * - The notify_fifo_script, if any, is started first with the FIFO's path appended to its
 *   argv, never timed out: it is the reader.
 * - The FIFO is opened O_RDWR|O_NONBLOCK. Opening for reading as well means the open never
 *   waits for a reader and a write never fails with EPIPE when there is none; lines simply
 *   queue in the pipe. Once the pipe is full (no reader), a write fails with EAGAIN and the
 *   line is dropped and counted: the daemon is never blocked.
 */
import * as fs from 'node:fs';
import * as libc from './libc.js';
import { silentLog, type LogFn } from './driver-log.js';
import { runScript, type RunScript, type ScriptHandle } from './script-runner.js';

export interface NotifyFifoOptions {
  readonly path: string;
  /** Owner for a FIFO we create (the fifo's `user [group]`, or the default script user). */
  readonly uid?: number;
  readonly gid?: number;
  /** The notify_fifo_script: argv without the FIFO path (added here), and its own uid/gid. */
  readonly script?: { readonly argv: readonly string[]; readonly uid?: number; readonly gid?: number };
  /** '' (notify_fifo), 'vrrp_' or 'lvs_': keepalived's log wording. */
  readonly type?: '' | 'vrrp_' | 'lvs_';
  /** The process the FIFO belongs to (the global notify_fifo is opened by both): 'vrrp' by default. */
  readonly process?: 'vrrp' | 'lvs';
  readonly log?: LogFn;
  readonly run?: RunScript;
}

export interface NotifyFifoStats {
  written: number;
  /** Lines dropped because the pipe was full (no reader) or the write failed. */
  dropped: number;
}

export class NotifyFifo {
  readonly stats: NotifyFifoStats = { written: 0, dropped: 0 };
  private fd = -1;
  private created = false;
  private script: ScriptHandle | undefined;
  private readonly log: LogFn;
  private warnedFull = false;

  constructor(private readonly options: NotifyFifoOptions) {
    this.log = options.log ?? silentLog;
  }

  get isOpen(): boolean {
    return this.fd !== -1;
  }

  /** We made the FIFO (and will remove it on close). */
  get createdFifo(): boolean {
    return this.created;
  }

  /** The reader script, while it runs. */
  get scriptPid(): number | undefined {
    return this.script?.running ? this.script.pid : undefined;
  }

  /** Create (if needed), start the reader script, open. False, after logging, when the FIFO cannot be used. */
  open(): boolean {
    if (this.fd !== -1) return true;
    const { path, type = '' } = this.options;
    try {
      libc.mkfifo(path, 0o644);
      this.created = true;
      this.chownIfNeeded();
    } catch (e) {
      if (!(e instanceof libc.SyscallError && e.errno === libc.EEXIST)) {
        this.log('info', `Unable to create ${type}notify fifo ${path} (${(e as Error).message})`);
        return false;
      }
    }
    if (this.options.script) this.startScript();
    try {
      const c = fs.constants;
      this.fd = fs.openSync(path, c.O_RDWR | c.O_NONBLOCK | c.O_NOFOLLOW);
    } catch (e) {
      this.log('info', `Unable to open ${type}notify fifo ${path} - ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      if (this.created) {
        this.unlink();
        this.created = false;
      }
      return false;
    }
    try {
      if (!fs.fstatSync(this.fd).isFIFO()) this.log('warning', `${type}notify fifo ${path} exists and is not a FIFO - writing to it anyway`);
    } catch {
      /* only a diagnostic */
    }
    return true;
  }

  /** Write one line (with its newline); false when it was dropped. */
  write(line: string): boolean {
    if (this.fd === -1) {
      this.stats.dropped++;
      return false;
    }
    const data = Buffer.from(line);
    try {
      const n = fs.writeSync(this.fd, data);
      if (n !== data.length) throw Object.assign(new Error(`short write (${n} of ${data.length} bytes)`), { code: 'EAGAIN' });
      this.stats.written++;
      this.warnedFull = false;
      return true;
    } catch (e) {
      this.stats.dropped++;
      const code = (e as NodeJS.ErrnoException).code;
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.log('warning', `${this.options.type ?? ''}notify fifo ${this.options.path}: ${code === 'EAGAIN' ? 'full (no reader?)' : (e as Error).message} - dropping lines`);
      }
      return false;
    }
  }

  /**
   * Remove the FIFO if we created it, then close it. The reader script gets SIGTERM (as all of
   * keepalived's children do at shutdown), and SIGKILL after `graceMs` if still there.
   */
  close(graceMs = 1000): void {
    if (this.created) this.unlink();
    this.created = false;
    if (this.fd !== -1) fs.closeSync(this.fd);
    this.fd = -1;
    const s = this.script;
    this.script = undefined;
    if (s?.running) {
      s.kill('SIGTERM');
      const t = setTimeout(() => s.kill('SIGKILL'), graceMs);
      t.unref();
    }
  }

  private startScript(): void {
    const { script, path } = this.options;
    if (!script) return;
    const run = this.options.run ?? runScript;
    this.script = run(
      {
        argv: [...script.argv, path],
        ...(script.uid !== undefined ? { uid: script.uid } : {}),
        ...(script.gid !== undefined ? { gid: script.gid } : {}),
        log: this.log,
      },
      (r) => {
        if (r.spawnError !== undefined) this.log('error', `Error exec-ing command '${script.argv[0] ?? ''}', error ${r.spawnError}`);
        else this.log('info', `${this.options.process ?? 'vrrp'} notify fifo script terminated`);
      },
    );
  }

  private chownIfNeeded(): void {
    const { uid, gid, path } = this.options;
    const ourUid = process.getuid?.() ?? -1;
    const ourGid = process.getgid?.() ?? -1;
    const wantUid = uid !== undefined && uid !== ourUid ? uid : -1;
    const wantGid = gid !== undefined && gid !== ourGid ? gid : -1;
    if (wantUid === -1 && wantGid === -1) return;
    try {
      fs.chownSync(path, wantUid, wantGid);
    } catch {
      this.log('info', `Failed to set uid:gid for fifo ${path}`);
    }
  }

  private unlink(): void {
    try {
      fs.unlinkSync(this.options.path);
    } catch {
      /* already gone */
    }
  }
}

/**
 * syslog(3) through libc, so messages go where the system's logger expects them (journald or
 * rsyslog via /dev/log) with the facility and ident keepalived users configure. Node has no
 * AF_UNIX datagram sockets; libc's own client also handles a logger that restarts.
 */
import { koffi } from './libc.js';

export const LOG_ERR = 3;
export const LOG_WARNING = 4;
export const LOG_NOTICE = 5;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;
const LOG_PID = 0x01;

/** keepalived's -S: 0-7 → local0-7, or user/daemon (default daemon). */
export function facilityCode(name: string | undefined): number {
  if (name === undefined || name === 'daemon') return 3 << 3;
  if (name === 'user') return 1 << 3;
  const m = /^(?:local)?([0-7])$/.exec(name);
  return m ? (16 + Number(m[1])) << 3 : 3 << 3;
}

type NativeFn = (...args: unknown[]) => unknown;

export class Syslog {
  private readonly write: NativeFn;
  private readonly close: NativeFn;
  /** openlog keeps the ident pointer: it must outlive the connection, so it lives in native memory. */
  private readonly ident: unknown;

  constructor(ident: string, facility: number) {
    const k = koffi();
    const c = k.load('libc.so.6');
    const open = c.func('void openlog(const void *ident, int option, int facility)') as NativeFn;
    this.write = c.func('void syslog(int priority, const char *format, ...)') as NativeFn;
    this.close = c.func('void closelog(void)') as NativeFn;
    const bytes = Buffer.from(`${ident}\0`);
    this.ident = k.alloc('uint8_t', bytes.length);
    Buffer.from(k.view(this.ident, bytes.length)).set(bytes);
    open(this.ident, LOG_PID, facility);
  }

  log(priority: number, message: string): void {
    this.write(priority, '%s', 'const char *', message);
  }

  dispose(): void {
    this.close();
  }
}

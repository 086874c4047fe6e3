/**
 * The daemon's log: keepalived's wording comes from the cores; this decides where it goes —
 * the console with -l (keepalived's "%c: message" lines on stderr), syslog unless -G — and
 * filters detail messages without -D.
 */
import { facilityCode, LOG_ERR, LOG_INFO, LOG_WARNING, LOG_DEBUG, Syslog } from '../platform/linux/syslog.js';

export type LogLevel = 'error' | 'warning' | 'info' | 'detail';

export interface Logger {
  log(level: LogLevel, message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Only with -D (keepalived's LOG_DETAIL). */
  detail(message: string): void;
  readonly detailed: boolean;
  close(): void;
}

export interface LoggerOptions {
  /** syslog ident, e.g. "Keepalived_vrrp" as keepalived's children. */
  readonly ident: string;
  readonly console: boolean;
  readonly syslog: boolean;
  readonly facility?: string;
  readonly detail: boolean;
  /** Where console lines go (tests). */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime("%c") in the C locale, local time: "Sun Nov 29 17:04:05 2026". */
export function cLocaleTimestamp(d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

export function createLogger(o: LoggerOptions): Logger {
  let sys: Syslog | undefined;
  if (o.syslog) {
    try {
      sys = new Syslog(o.ident, facilityCode(o.facility));
    } catch (e) {
      (o.write ?? ((l) => process.stderr.write(l)))(`${o.ident}: syslog unavailable (${(e as Error).message}); logging to the console only\n`);
    }
  }
  const write = o.write ?? ((line: string) => process.stderr.write(line));
  const now = o.now ?? (() => new Date());
  const priority: Record<LogLevel, number> = { error: LOG_ERR, warning: LOG_WARNING, info: LOG_INFO, detail: LOG_DEBUG };
  const logger: Logger = {
    detailed: o.detail,
    log(level, message) {
      if (level === 'detail' && !o.detail) return;
      if (o.console || !sys) write(`${cLocaleTimestamp(now())}: ${message}\n`);
      sys?.log(priority[level], message);
    },
    info: (m) => logger.log('info', m),
    warn: (m) => logger.log('warning', m),
    error: (m) => logger.log('error', m),
    detail: (m) => logger.log('detail', m),
    close: () => sys?.dispose(),
  };
  return logger;
}

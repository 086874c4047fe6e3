/**
 * What track_process needs to know about a process, read from /proc: its name (comm, from
 * /proc/PID/stat), parent, whether it is a zombie, and — only when some tracker matches on
 * the full command — its command line (/proc/PID/cmdline, NUL-separated arguments).
 */
import * as fs from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** The kernel's 15-character process name. */
  readonly comm: string;
  readonly zombie: boolean;
  /** argv as the kernel holds it ("arg0\0arg1\0…"); undefined when not asked for. */
  readonly cmdline?: Buffer;
}

export interface ScanOptions {
  readonly cmdline: boolean;
  /** For tests; "/proc" by default. */
  readonly procRoot?: string;
}

/** One process, or undefined when it is gone (or unreadable). */
export function readProcess(pid: number, options: ScanOptions): ProcessInfo | undefined {
  const root = options.procRoot ?? '/proc';
  let stat: string;
  try {
    stat = fs.readFileSync(`${root}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // "PID (comm) S PPID …": comm may itself contain ") ", so the last ')' ends it
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  const comm = Buffer.from(stat.slice(open + 1, close), 'latin1').toString();
  const rest = stat.slice(close + 2).split(' ');
  const state = rest[0] ?? '';
  const ppid = Number(rest[1] ?? 0);
  let cmdline: Buffer | undefined;
  if (options.cmdline) {
    try {
      cmdline = fs.readFileSync(`${root}/${pid}/cmdline`);
    } catch {
      return undefined;
    }
  }
  return { pid, ppid, comm, zombie: state === 'Z', ...(cmdline !== undefined ? { cmdline } : {}) };
}

/** Every process now (threads are not listed in /proc's top level). */
export function scanProcesses(options: ScanOptions): Map<number, ProcessInfo> {
  const root = options.procRoot ?? '/proc';
  const out = new Map<number, ProcessInfo>();
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return out;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c <= 48 || c > 57) continue; // keepalived's filter: starts with 1-9
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const info = readProcess(pid, options);
    if (info) out.set(pid, info);
  }
  return out;
}

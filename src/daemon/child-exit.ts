/**
 * How the supervisor words a child's death, as keepalived 2.2.7's report_child_status() does:
 * "<ident> exited with status N" (nothing for status 0), "<ident> exited due to signal N (text)",
 * with its rlimit_rttime hint after SIGKILL and its segmentation fault wording.
 */
import { constants } from 'node:os';

/** strsignal()'s text for the signals a child can plausibly die of (glibc wording). */
const SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded',
};

export function childDeathLine(ident: string, code: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (signal) {
    if (signal === 'SIGSEGV') return `${ident} exited due to segmentation fault (SIGSEGV).`;
    const n = constants.signals[signal] ?? 0;
    return `${ident} exited due to signal ${n} (${SIGNAL_TEXT[signal] ?? `Unknown signal ${n}`})${signal === 'SIGKILL' ? ' - has rlimit_rttime been exceeded?' : ''}`;
  }
  return code ? `${ident} exited with status ${code}` : undefined;
}

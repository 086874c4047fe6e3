/**
 * `--signum=NAME`: the signal numbers keepalived uses for its control functions
 * (lib/signals.c, get_signum). Scripts run `kill -s $(keepalived --signum=RELOAD)`, so the
 * numbers must be keepalived's on Linux/glibc: SIGRTMIN is 34 and SIGRTMAX 64 there.
 */
export const SIGNALS: Readonly<Record<string, number>> = {
  STOP: 15, // SIGTERM
  RELOAD: 1, // SIGHUP
  DATA: 10, // SIGUSR1
  STATS: 12, // SIGUSR2
  STATS_CLEAR: 63, // SIGSTATS_CLEAR = SIGRTMAX - 1
  JSON: 36, // SIGJSON = SIGRTMIN + 2
};

/** The signal number for a keepalived signal function name (exact, case-sensitive), or undefined. */
export function signum(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(SIGNALS, name) ? SIGNALS[name] : undefined;
}

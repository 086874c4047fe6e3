/**
 * The timer functions the script and tracker drivers use, passed in so that tests can drive
 * the delays (rise/fall ticks, fork/terminate delays) by hand instead of waiting.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};


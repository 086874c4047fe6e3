/** The daemon's time for the cores: integer microseconds from a monotonic clock (never jumps with NTP). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * keepalived 2.2.7's VRRP timer arithmetic (include/vrrp.h), in integer microseconds,
 * with the same unsigned integer divisions.
 */
export const TIMER_HZ = 1_000_000;
export const TIMER_CENTI_HZ = 10_000;

/** VRRP_TIMER_SKEW_CALC(svr, priVal): v2 ignores the advert interval (RFC 3768). */
export function skewCalc(version: 2 | 3, masterAdverInt: number, priVal: number): number {
  if (version === 3) return Math.floor((priVal * Math.floor(masterAdverInt / TIMER_CENTI_HZ) * 625) / 16);
  return Math.floor((priVal * TIMER_HZ) / 256);
}

/** Skew_Time: VRRP_TIMER_SKEW = SKEW_CALC(256 − effective_priority). */
export function skewTime(version: 2 | 3, masterAdverInt: number, effectivePriority: number): number {
  return skewCalc(version, masterAdverInt, 256 - effectivePriority);
}

/** VRRP_TIMER_SKEW_MIN = SKEW_CALC(1). */
export function skewMin(version: 2 | 3, masterAdverInt: number): number {
  return skewCalc(version, masterAdverInt, 1);
}

/** Master_Down_Interval: down_timer_adverts × master_adver_int + Skew_Time. */
export function masterDownInterval(
  version: 2 | 3,
  downTimerAdverts: number,
  masterAdverInt: number,
  effectivePriority: number,
): number {
  return downTimerAdverts * masterAdverInt + skewTime(version, masterAdverInt, effectivePriority);
}

/** The advert interval a v3 advert carries (12-bit centiseconds), in µs. */
export function v3AdvertIntervalMicros(centiseconds: number): number {
  return (centiseconds & 0x0fff) * TIMER_CENTI_HZ;
}

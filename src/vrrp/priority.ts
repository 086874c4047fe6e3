/**
 * Tracker weights → priority contributions and faults, as keepalived 2.2.7's vrrp_track.c,
 * track_file.c and keepalived_netlink.c apply them incrementally to total_priority. The
 * incremental updates there always equal the sums computed here from the current states.
 */
import type { TrackerSettings } from './instance-settings.js';
import { trackFileStatus } from '../config/model/trackers.js';

/** Current state of a tracker: 'init' (a script that has not reported), up/down, or a file value. */
export type TrackerStatus = { readonly kind: 'init' } | { readonly kind: 'up' } | { readonly kind: 'down' } | { readonly kind: 'value'; readonly value: number };

export const FILE_FAULT_STATUS = -254;

const VRRP_FILE_RANGE = { fault: FILE_FAULT_STATUS, max: 253 };

/** track_file status (track_file.c): weight 0 → non-zero value (zero with reverse) is a fault. */
export function fileStatus(t: TrackerSettings, value: number): number {
  return trackFileStatus(value, t.weight, t.reverse, VRRP_FILE_RANGE);
}

/** Is this tracker currently putting the instance in FAULT? */
export function trackerFaulty(t: TrackerSettings, s: TrackerStatus): boolean {
  if (s.kind === 'init') return false;
  if (t.kind === 'file') return fileStatus(t, s.kind === 'value' ? s.value : 0) <= FILE_FAULT_STATUS;
  if (t.weight !== 0) return false;
  const up = s.kind === 'up';
  return up !== !t.reverse;
}

/** Priority contribution: weight×multiplier while in the state the sign of the weight selects. */
export function trackerContribution(t: TrackerSettings, s: TrackerStatus): number {
  if (s.kind === 'init') return 0;
  const mult = t.reverse ? -1 : 1;
  if (t.kind === 'file') {
    if (t.weight === 0) return 0;
    const st = fileStatus(t, s.kind === 'value' ? s.value : 0);
    return st <= FILE_FAULT_STATUS ? 0 : st;
  }
  if (t.weight === 0) return 0;
  const up = s.kind === 'up';
  return up === t.weight > 0 ? t.weight * mult : 0;
}

/** vrrp_set_effective_priority(): clamp to 1..254; the address owner never changes. */
export function effectivePriorityOf(basePriority: number, total: number): number {
  if (basePriority === 255) return 255;
  return total < 1 ? 1 : total >= 255 ? 254 : total;
}

/** track_file / vrrp_track_file blocks (keepalived/trackers/track_file.c). */
import type { SourcePosition } from '../diagnostics.js';

export interface TrackFile {
  /** The name other blocks use in their track_file lists. */
  readonly name: string;
  /** `file PATH`: the file whose integer content is tracked. */
  filePath: string | undefined;
  /** `weight N [reverse]`, -254..254, default 1. */
  weight: number;
  weightReverse: boolean;
  /**
   * `init_file [VALUE] [overwrite]`: create the file with VALUE (default 0) if missing
   * ('create'), or always write it ('overwrite'). Undefined: no init_file.
   */
  init: { mode: 'create' | 'overwrite'; value: number } | undefined;
  /** Written as the deprecated `vrrp_track_file`. */
  readonly deprecatedKeyword: boolean;
  readonly at: SourcePosition;
}

/**
 * What a track_file's value means to one object tracking it (track_file.c update_track_file_status):
 * with weight 0 a non-zero value (a zero one with `reverse`) is a fault; otherwise value × weight
 * (negated by `reverse`) is the status, clamped to the tracker's range, its lowest value meaning
 * fault. VRRP instances use −254..253, FILE_CHECK real servers the int32 range.
 */
export function trackFileStatus(value: number, weight: number, reverse: boolean, range: { readonly fault: number; readonly max: number }): number {
  if (weight === 0) return (value !== 0) !== reverse ? range.fault : 0;
  const status = value * weight * (reverse ? -1 : 1);
  return status < range.fault ? range.fault : status > range.max ? range.max : status;
}

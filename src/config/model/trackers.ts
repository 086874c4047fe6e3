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

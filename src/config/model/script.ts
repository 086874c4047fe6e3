import type { SourcePosition } from '../diagnostics.js';

/** A script keyword (notify*, script, misc_path, quorum_up/down, startup_script, …) as argv. */
export interface ScriptSpec {
  /** argv[0] is the program as written; the rest are its arguments (shell-like quoting undone). */
  readonly argv: readonly string[];
  /** `user[:group]` written after the command, or the global script_user default (resolved in validation). */
  user?: string;
  group?: string;
  uid?: number;
  gid?: number;
  /** Set by validation: the program's resolved path, and whether it is insecure under script security. */
  resolvedPath?: string;
  insecure?: boolean;
  readonly at: SourcePosition;
}

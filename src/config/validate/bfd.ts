/**
 * Post-parse part of the bfd area. keepalived's bfd_validate_config() only starts the BFD
 * process (which reads the config, see keywords/bfd.ts); bfd_complete_init() sets up session
 * state. All of keepalived's checks happen while the blocks are read, so nothing is left to
 * report here; this drops nothing either: disabled instances stay in the model, flagged.
 */
import type { ValidationContext } from './context.js';

export function validateBfd(ctx: ValidationContext): void {
  void ctx;
}

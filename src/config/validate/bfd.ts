/** Post-parse checks and default resolution of the bfd area (keepalived's *_validate_config). */
import type { ValidationContext } from './context.js';

export function validateBfd(ctx: ValidationContext): void {
  void ctx;
}

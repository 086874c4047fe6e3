/** Post-parse checks and default resolution of the global area (keepalived's *_validate_config). */
import type { ValidationContext } from './context.js';

export function validateGlobal(ctx: ValidationContext): void {
  void ctx;
}

/** Post-parse checks and default resolution of the lvs area (keepalived's *_validate_config). */
import type { ValidationContext } from './context.js';

export function validateLvs(ctx: ValidationContext): void {
  void ctx;
}

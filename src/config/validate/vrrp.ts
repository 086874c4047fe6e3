/** Post-parse checks and default resolution of the vrrp area (keepalived's *_validate_config). */
import type { ValidationContext } from './context.js';

export function validateVrrp(ctx: ValidationContext): void {
  void ctx;
}

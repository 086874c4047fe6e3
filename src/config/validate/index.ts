/**
 * Post-parse validation in keepalived's order (keepalived/core/main.c validate_config():
 * checker, then vrrp, then bfd). Global settings are completed first, as keepalived's
 * init_global_data does right after reading.
 */
import type { ValidationContext } from './context.js';
import { validateGlobal } from './global.js';
import { validateLvs } from './lvs.js';
import { validateVrrp } from './vrrp.js';
import { validateBfd } from './bfd.js';

export { validateGlobal, validateLvs, validateVrrp, validateBfd };

export function validateConfig(ctx: ValidationContext): void {
  validateGlobal(ctx);
  validateLvs(ctx);
  validateVrrp(ctx);
  validateBfd(ctx);
}

/**
 * The root keyword table, in keepalived's installation order (global, vrrp, check, bfd:
 * keepalived/core/main.c global_init_keywords) — the first matching name wins.
 */
import type { KeywordDef } from '../keyword-table.js';
import { globalRootKeywords } from './global.js';
import { vrrpRootKeywords } from './vrrp.js';
import { lvsRootKeywords } from './lvs.js';
import { bfdRootKeywords } from './bfd.js';

export const rootKeywords: readonly KeywordDef[] = [
  ...globalRootKeywords,
  ...vrrpRootKeywords,
  ...lvsRootKeywords,
  ...bfdRootKeywords,
];

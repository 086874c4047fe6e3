/** Keywords of the vrrp area. */
import type { KeywordDef } from '../keyword-table.js';

export const vrrpRootKeywords: readonly KeywordDef[] = [];

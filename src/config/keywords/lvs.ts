/** Keywords of the lvs area. */
import type { KeywordDef } from '../keyword-table.js';

export const lvsRootKeywords: readonly KeywordDef[] = [];

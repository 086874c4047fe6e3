/** Keywords of the global area. */
import type { KeywordDef } from '../keyword-table.js';

export const globalRootKeywords: readonly KeywordDef[] = [];

/** Keywords of the bfd area. */
import type { KeywordDef } from '../keyword-table.js';

export const bfdRootKeywords: readonly KeywordDef[] = [];

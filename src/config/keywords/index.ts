/**
 * The root keyword tables.
 *
 * keepalived reads the config once per process that would run, each time with a different set of
 * keyword groups active (keepalived/core/main.c, vrrp_parser.c, check_parser.c): the parent reads
 * global settings only; the checker process the virtual servers, BFD and track files; the VRRP
 * process the VRRP blocks, BFD and track files. Inactive blocks are skipped by counting braces.
 * `allActiveKeywords` reads everything at once, which gives the same result whenever the braces of
 * the config are well formed; the per-process tables reproduce keepalived exactly when they are not.
 */
import type { KeywordDef } from '../keyword-table.js';
import { globalRootKeywords, trackFileRootKeywords } from './global.js';
import { vrrpRootKeywords } from './vrrp.js';
import { lvsRootKeywords } from './lvs.js';
import { bfdRootKeywords } from './bfd.js';

export type KeywordGroup = 'global' | 'vrrp' | 'check' | 'bfd' | 'trackFile';

const GROUPS: readonly (readonly [KeywordGroup, readonly KeywordDef[]])[] = [
  ['global', globalRootKeywords],
  ['vrrp', vrrpRootKeywords],
  ['check', lvsRootKeywords],
  ['bfd', bfdRootKeywords],
  ['trackFile', trackFileRootKeywords],
];

/** The root table with only `active` groups acting; the others' blocks are skipped. */
export function rootKeywordsFor(active: ReadonlySet<KeywordGroup>): readonly KeywordDef[] {
  return GROUPS.flatMap(([group, keywords]) => (active.has(group) ? keywords : keywords.map((k) => ({ ...k, inactive: true }))));
}

export const allActiveKeywords: readonly KeywordDef[] = rootKeywordsFor(new Set(GROUPS.map(([g]) => g)));

/** The passes keepalived -t makes, in its order (parent, then checker, then VRRP). */
export const keepalivedPasses = {
  parent: rootKeywordsFor(new Set<KeywordGroup>(['global'])),
  checker: rootKeywordsFor(new Set<KeywordGroup>(['check', 'bfd', 'trackFile'])),
  vrrp: rootKeywordsFor(new Set<KeywordGroup>(['vrrp', 'bfd', 'trackFile'])),
} as const;

/** Every root keyword, active, for documentation and lookups. */
export const rootKeywords: readonly KeywordDef[] = allActiveKeywords;

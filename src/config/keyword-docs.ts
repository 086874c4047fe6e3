/**
 * Documentation generated from the keyword table (the same table that drives parsing): the
 * list of every keyword keepalived-ts reads, where it may appear, its arguments, default,
 * deprecation, and whether keepalived-ts acts on it yet.
 */
import type { KeywordDef } from './keyword-table.js';
import { rootKeywords } from './keywords/index.js';

export interface KeywordEntry {
  /** The blocks it appears in, outermost first ("" for the top level). */
  readonly block: string;
  readonly keyword: KeywordDef;
}

/** Every keyword with its block path, in table order (a block reached twice is listed once). */
export function allKeywordEntries(root: readonly KeywordDef[] = rootKeywords): KeywordEntry[] {
  const out: KeywordEntry[] = [];
  const seen = new Set<readonly KeywordDef[]>();
  const walk = (block: readonly KeywordDef[], path: string) => {
    if (seen.has(block)) return;
    seen.add(block);
    for (const k of block) {
      out.push({ block: path, keyword: k });
      if (k.sub) walk(k.sub, path ? `${path} > ${k.name}` : k.name);
    }
  };
  walk(root, '');
  return out;
}

const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/keywords.md */
export function keywordReferenceMarkdown(): string {
  const entries = allKeywordEntries();
  const blocks = new Map<string, KeywordEntry[]>();
  for (const e of entries) {
    const list = blocks.get(e.block) ?? [];
    list.push(e);
    blocks.set(e.block, list);
  }
  const supported = entries.filter((e) => e.keyword.support === 'supported').length;
  const lines = [
    '# keepalived.conf keywords',
    '',
    '<!-- Generated from the keyword table (src/config/keywords/) by `npm run docs`; do not edit. -->',
    '',
    `keepalived-ts reads ${entries.length} keyword entries in ${blocks.size} blocks: every keyword of keepalived 2.2.7.`,
    `Support: **supported** = keepalived-ts acts on it; **parsed** = read, checked with keepalived's`,
    `diagnostics and defaults, and shown by \`dump\`, but not acted on yet. A block keyword is supported`,
    `when keepalived-ts acts on its block; the keywords inside it say for themselves.`,
    `Supported now: ${supported} of ${entries.length} (parsed only: ${entries.length - supported}).`,
    '',
  ];
  for (const [block, list] of blocks) {
    lines.push(`## ${block === '' ? 'Top level' : block}`, '');
    lines.push('| keyword | arguments | default | support | notes |', '|---|---|---|---|---|');
    for (const { keyword: k } of list) {
      const notes = [
        k.summary,
        k.aliasOf ? `alias of \`${k.aliasOf}\`` : undefined,
        k.deprecatedBy ? `deprecated: use \`${k.deprecatedBy}\`` : undefined,
      ]
        .filter(Boolean)
        .join('; ');
      lines.push(`| \`${cell(k.name)}\` | ${cell(k.args)} | ${cell(k.default)} | ${k.support ?? 'parsed'} | ${cell(notes)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

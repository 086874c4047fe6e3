/**
 * One director as lint sees it: its loaded config, what keepalived said about it, and a way to
 * find the line of a keyword inside a block (the model records where blocks start, not where
 * each keyword is written).
 */
import type { Diagnostic, SourcePosition } from '../config/diagnostics.js';
import type { KeepalivedConfig } from '../config/model/index.js';

export interface LintNode {
  /** How the user named this director on the command line (FILE or FILE@ID): used in messages. */
  readonly label: string;
  /** The main config file, as given. */
  readonly file: string;
  /** The config id the file was read with (keepalived's -i): which @ID lines are this director's. */
  readonly configId?: string;
  readonly config: KeepalivedConfig;
  readonly diagnostics: readonly Diagnostic[];
}

/** The lines of a config file (main or included), when lint can read it. */
export type SourceLines = (file: string) => readonly string[] | undefined;

export const noSources: SourceLines = () => undefined;

/**
 * The text of a line as the director with `configId` reads it: without its @ID / @^ID prefix, or
 * nothing when the line is another director's; up to a comment ('#' and '!' start one).
 */
function code(line: string, configId: string | undefined): string {
  const m = /^\s*@(\^?)(\S+)\s+(.*)$/.exec(line);
  if (m) line = (m[1] === '^') !== (m[2] === configId) ? m[3]! : '';
  const cut = line.search(/[#!]/);
  return cut >= 0 ? line.slice(0, cut) : line;
}

/**
 * Where the first of `keywords` that is written inside the block that starts at `block` is; the
 * block's own line when none is written there (a default, or a value that came from global_defs) or the file is not
 * readable. Keywords in nested blocks count (auth_pass inside authentication { }).
 */
export function keywordLine(sources: SourceLines, block: SourcePosition, keywords: readonly string[], configId?: string): SourcePosition {
  const lines = sources(block.file);
  if (!lines) return block;
  for (const keyword of keywords) {
    const found = lineInBlock(lines, block, keyword, configId);
    if (found) return found;
  }
  return block;
}

/** The first line inside the block whose keyword is `keyword`. */
function lineInBlock(lines: readonly string[], block: SourcePosition, keyword: string, configId: string | undefined): SourcePosition | undefined {
  let depth = 0;
  let opened = false;
  for (let i = block.line - 1; i < lines.length; i++) {
    const text = code(lines[i]!, configId);
    const first = text.trim().split(/\s+/)[0] ?? '';
    if (i > block.line - 1 && first === keyword) return { file: block.file, line: i + 1 };
    for (const ch of text) {
      if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') depth--;
    }
    if (opened && depth <= 0) break;
  }
  return undefined;
}

/**
 * The keyword table: the single description of keepalived.conf that drives parsing,
 * validation, `dump` and the documentation. Each block is a list of KeywordDef; a keyword with
 * `sub` opens a block of its own. Handlers receive the keyword's words (strvec, word 0 is the
 * keyword itself, braces already split off as keepalived does) and a KeywordContext through which
 * they report problems (positioned at the current line) and reach the model under construction.
 */
import type { ConfigErr, SourcePosition } from './diagnostics.js';
import type { KeepalivedConfig } from './model/index.js';
import type { HostFacts } from './host-facts.js';
import type { Reporter, Strvec } from './values.js';

export type { Strvec } from './values.js';

/** What a handler may know about and do to the parse in progress. */
export interface KeywordContext extends Reporter {
  report(level: ConfigErr, message: string): void;
  /** The current line's position (file as given, line number in that file). */
  readonly position: SourcePosition;
  /**
   * The current logical line as keepalived's parser holds it (comments stripped, definitions
   * substituted, braces split off). Script keywords re-split it with shell-like quoting.
   */
  readonly rawLine: string;
  /** The model being built. Handlers append to it and complete its objects. */
  readonly config: KeepalivedConfig;
  readonly host: HostFacts;
  /** The config id used for @id lines (-i/--config-id). */
  readonly configId: string;
  /**
   * keepalived's alloc_value_block(): reads the `{ ... }` block that follows `strvec` and calls
   * `entry` with the words of each line inside it (entries are not keywords).
   */
  readValueBlock(strvec: Strvec, entry: (words: Strvec) => void): void;
  /** keepalived's read_value_block(): all words of the block, flattened. */
  readValueWords(strvec: Strvec): string[];
  /** keepalived's skip_block(): ignore the rest of the current block (or the next one). */
  skipBlock(needBlockStart: boolean): void;
  /** The include checks in force (-e, or `include_check`, restored at the end of each include). */
  includeCheck(): number;
  /** Set by `include_check` in global_defs; applies to the includes that follow. */
  setIncludeCheck(flags: number): void;
  /** Set by `random_seed`: seeds ${_RANDOM}. */
  setRandomSeed(seed: number): void;
  /** Per-parse scratch space for handlers that need to remember something between lines. */
  readonly scratch: Map<string, unknown>;
}

export type KeywordHandler = (strvec: Strvec, ctx: KeywordContext) => void;

/** How far keepalived-ts acts on a keyword today (drives the README compatibility list). */
export type Support = 'supported' | 'parsed';

export interface KeywordDef {
  readonly name: string;
  readonly handler?: KeywordHandler;
  /** Keywords of the block this keyword opens. */
  readonly sub?: readonly KeywordDef[];
  /** Runs when the block this keyword opened is closed (keepalived's sub_close_handler). */
  readonly close?: (ctx: KeywordContext) => void;
  /** An inactive keyword's line and block are skipped (keepalived: keyword not active). */
  readonly inactive?: boolean;
  /** Argument grammar for docs, e.g. "<1..255>", "<BOOL>", "\"cmd\" [user [:group]]". */
  readonly args?: string;
  /** Default value as keepalived documents it, for docs and dump. */
  readonly default?: string;
  /** Set when keepalived marks the keyword deprecated: the keyword to use instead. */
  readonly deprecatedBy?: string;
  /** This name is an alias of another keyword (the canonical name). */
  readonly aliasOf?: string;
  /** Whether keepalived-ts acts on it yet. Defaults to 'parsed'. */
  readonly support?: Support;
  /** One line: what it means. */
  readonly summary?: string;
}

const blockIndexes = new WeakMap<readonly KeywordDef[], Map<string, KeywordDef>>();

/** Find a keyword in a block: exact, case-sensitive, first match wins (keepalived's strcmp). */
export function findKeyword(block: readonly KeywordDef[], word: string): KeywordDef | undefined {
  let index = blockIndexes.get(block);
  if (!index) {
    index = new Map();
    for (const k of block) if (!index.has(k.name)) index.set(k.name, k);
    blockIndexes.set(block, index);
  }
  return index.get(word);
}

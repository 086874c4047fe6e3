/**
 * keepalived's parser engine (lib/parser.c process_stream() and alloc_value_block()): pulls
 * logical lines from the LineReader, matches each line's first word against the keyword table of
 * the current block, runs the keyword's handler, descends into its block, and reproduces
 * keepalived's handling of braces, unknown keywords and skipped blocks — including its quirks
 * (an unknown keyword's block is not skipped: its lines are read as keywords of the current block).
 */
import { ConfigAbort, ConfigErr, type Diagnostics, type SourcePosition } from './diagnostics.js';
import type { HostFacts } from './host-facts.js';
import { findKeyword, type KeywordContext, type KeywordDef, type Strvec } from './keyword-table.js';
import type { LineReader } from './line-reader.js';
import type { KeepalivedConfig } from './model/index.js';
import { splitWords } from './tokenizer.js';

export interface ParseState {
  config: KeepalivedConfig;
  host: HostFacts;
  configId: string;
  diagnostics: Diagnostics;
}

/** Prefix of the diagnostic for a keyword handler that failed unexpectedly (a bug of ours). */
export const INTERNAL_ERROR = 'keepalived-ts internal error';

const BOB = '{';
const NO_KEYWORDS: readonly KeywordDef[] = [];
const EOB = '}';

class Engine implements KeywordContext {
  /** keepalived's skip_sublevel: -1 waiting for the '{' of a skipped block, >0 depth inside one. */
  private skipSublevel = 0;
  private kwLevel = 0;
  rawLine = '';
  readonly scratch = new Map<string, unknown>();

  constructor(
    private readonly reader: LineReader,
    private readonly state: ParseState,
  ) {}

  get config(): KeepalivedConfig {
    return this.state.config;
  }
  get host(): HostFacts {
    return this.state.host;
  }
  get configId(): string {
    return this.state.configId;
  }
  get position(): SourcePosition {
    return this.reader.position ?? { file: '', line: 0 };
  }

  report(level: ConfigErr, message: string): void {
    this.state.diagnostics.add(level, message, this.reader.position);
  }

  includeCheck(): number {
    return this.reader.getIncludeCheck();
  }
  setIncludeCheck(flags: number): void {
    this.reader.setIncludeCheck(flags);
  }
  setRandomSeed(seed: number): void {
    this.reader.setRandomSeed(seed);
  }
  skipBlock(needBlockStart: boolean): void {
    this.skipSublevel = needBlockStart ? -1 : 1;
  }

  /** The next line split into words; empty lines (only quotes, say) are passed over. */
  private nextWords(): Strvec | undefined {
    for (;;) {
      const line = this.reader.next();
      if (line === undefined) return undefined;
      const words = splitWords(line, this);
      if (!words.length) continue;
      this.rawLine = line;
      return words;
    }
  }

  /** process_stream(): returns true when it stopped at the end of a skipped nested block. */
  processStream(keywords: readonly KeywordDef[], needBob: boolean): boolean {
    let words: Strvec | undefined;
    while ((words = this.nextWords())) {
      let str = words[0]!;

      if (this.skipSublevel === -1) {
        if (str === BOB) {
          this.skipSublevel = 1;
          needBob = false;
          continue;
        }
        this.skipSublevel = 0;
      }
      if (this.skipSublevel) {
        for (const w of words) {
          str = w;
          if (w === BOB) this.skipSublevel++;
          else if (w === EOB && --this.skipSublevel === 0) break;
        }
        if (str === EOB && this.skipSublevel === 0 && this.kwLevel > 0) return true;
        continue;
      }

      if (needBob) {
        needBob = false;
        if (str === BOB && this.kwLevel > 0) continue;
        this.report(ConfigErr.MISSING_BOB, "Missing '{' at beginning of configuration block");
      } else if (str === BOB) {
        this.report(ConfigErr.UNEXPECTED_BOB, "Unexpected '{' - ignoring");
        continue;
      }

      if (str === EOB && this.kwLevel > 0) break;

      const keyword = findKeyword(keywords, str);
      if (!keyword) {
        this.report(ConfigErr.UNKNOWN_KEYWORD, `Unknown keyword '${str}'`);
        continue;
      }
      this.runKeyword(keyword, words);
    }
    return false;
  }

  private runKeyword(keyword: KeywordDef, lineWords: Strvec): void {
    if (keyword.inactive) {
      // keepalived installs no sub-keywords under an inactive root keyword: its block is skipped
      // by counting braces, starting here (or at the next line's '{')
      this.skipSublevel = lineWords[lineWords.length - 1] === BOB ? 1 : -1;
      return;
    }
    let words = lineWords;
    let bobNeeded = false;
    if (keyword.sub) {
      if (words[words.length - 1] === BOB) words = words.slice(0, -1);
      else bobNeeded = true;
    }
    if (keyword.handler) this.runHandler(keyword, () => keyword.handler!(words, this));
    if (keyword.sub) {
      // A handler that refused its block (skip_block) leaves nothing for the block's keywords to
      // fill: the block is skipped as keepalived skips it; if no '{' follows after all, keepalived
      // would run the block's handlers on nothing (and crash), so we read those lines as unknown.
      const refused = this.skipSublevel === -1;
      this.kwLevel++;
      const skipped = this.processStream(refused ? NO_KEYWORDS : keyword.sub, bobNeeded);
      this.kwLevel--;
      if (!skipped && !refused && keyword.close) this.runHandler(keyword, () => keyword.close!(this));
    }
  }

  /**
   * A handler that fails unexpectedly must not take the whole parse (or the daemon) down: the
   * failure becomes a diagnostic at the line, and reading goes on. (Fuzzing asserts it never happens.)
   */
  private runHandler(keyword: KeywordDef, run: () => void): void {
    try {
      run();
    } catch (e) {
      if (e instanceof ConfigAbort) throw e;
      this.report(ConfigErr.GENERAL_ERROR, `${INTERNAL_ERROR} while reading '${keyword.name}': ${(e as Error).message}`);
    }
  }

  readValueBlock(strvec: Strvec, entry: (words: Strvec) => void): void {
    let needBob = true;
    if (strvec.length > 1) {
      if (strvec[1] === BOB) {
        needBob = false;
        if (strvec.length > 2) {
          // words after '{' on the keyword line itself (only possible with quoted braces)
          let first = strvec.slice(2);
          const hadEob = first[first.length - 1] === EOB;
          if (hadEob) first = first.slice(0, -1);
          if (first.length) entry(first);
          if (hadEob) return;
        }
      } else {
        this.report(ConfigErr.GENERAL_ERROR, `Block ${strvec[0]} has extra parameters ${strvec[1]} ...`);
      }
    }
    let words: Strvec | undefined;
    while ((words = this.nextWords())) {
      let vec: Strvec = words;
      if (needBob) {
        needBob = false;
        if (vec[0] === BOB) {
          if (vec.length === 1) continue;
          vec = vec.slice(1);
        } else {
          // keepalived only logs this; it is not a config error
          this.report(ConfigErr.OK, `'{' missing from beginning of block ${strvec[0]}`);
          this.state.diagnostics.passesMayDiffer = true;
        }
      }
      let hadEob = false;
      if (vec[vec.length - 1] === EOB) {
        if (vec.length === 1) break;
        hadEob = true;
        vec = vec.slice(0, -1);
      }
      if (vec.length) entry(vec);
      if (hadEob) break;
    }
  }

  readValueWords(strvec: Strvec): string[] {
    const all: string[] = [];
    this.readValueBlock(strvec, (words) => all.push(...words));
    return all;
  }
}

/** Parse everything the reader yields with the given root keyword table. */
export function parseStream(reader: LineReader, keywords: readonly KeywordDef[], state: ParseState): void {
  const engine = new Engine(reader, state);
  engine.processStream(keywords, false);
  reader.finish();
}

/**
 * keepalived's config line reader (lib/parser.c read_line() and friends), as a pull reader.
 *
 * Each call to next() returns the next logical line exactly as keepalived's parser would see it:
 * physical lines read from the include stack, comments removed (decomment), `@id` / `@^id`
 * conditionals applied, `$NAME=` definitions recorded (also multi-line ones), `~SEQ` / `~LST`
 * repetitions expanded, `$NAME` / `${NAME}` substituted, `include*` lines followed, and `{` / `}`
 * split off into lines of their own. The parser engine (parser.ts) pulls lines from here.
 *
 * Deliberate differences from keepalived 2.2.7, all in favour of a clear verdict:
 * - a recursive include (a file including itself, directly or not) is reported and not followed
 *   (keepalived recurses until it runs out of file descriptors);
 * - a physical line longer than keepalived's buffer (1023 bytes) is reported and ignored
 *   (keepalived silently reads it as several lines);
 * - a self-referencing definition is reported and its expansion stopped (keepalived hangs);
 * - `${_ENV NAME}` is supported (keepalived 2.4.0+).
 */
import * as path from 'node:path';
import type { ConfigFileSystem } from './config-fs.js';
import { ConfigErr, type Diagnostics, type SourcePosition } from './diagnostics.js';
import { globFiles, hasBrace } from './glob.js';
import { Random } from './random.js';
import { parseList, parseSequence, type Sequence } from './sequences.js';
import {
  decomment,
  firstBraceOutsideQuotes,
  INCLUDE_ALL,
  INCLUDE_B,
  INCLUDE_M,
  INCLUDE_R,
  INCLUDE_W,
  parseInclude,
  skipBlanks,
  trimBlanksEnd,
} from './line-text.js';

/** keepalived's line buffer (MAXBUF) holds 1023 characters and a NUL. */
export const MAX_LINE_BYTES = 1023;
/** Guard against definitions that expand into themselves. */
const MAX_SUBSTITUTIONS_PER_LINE = 1000;
const DEF_LINE_END = '\n';

export interface LineReaderOptions {
  fs: ConfigFileSystem;
  diagnostics: Diagnostics;
  configId: string;
  env: (name: string) => string | undefined;
  /** -e: every include must be readable and match (include_check with all bits). */
  allConfig: boolean;
  /** Seed of ${_RANDOM} until the config sets random_seed (keepalived seeds from the time). */
  randomSeed: number;
  /**
   * Read as keepalived's checker and VRRP processes do: they read a copy of the config that the
   * parent wrote with every line already decommented, and decomment it again — so an escaped
   * \# or \! that the parent kept as text starts a comment for them.
   */
  copyPass?: boolean;
}

interface OpenFile {
  /** The name as glob produced it (relative names stay relative, as keepalived prints them). */
  readonly name: string;
  /** Absolute path, for recursion detection. */
  readonly absolute: string;
  /**
   * The file's text; lines are cut from it one at a time as they are read, so that a large
   * config is not held as tens of thousands of line strings for the whole parse.
   */
  readonly text: string;
  /** Offset of the next line in `text`. */
  next: number;
  /** `next` at the end of the file: a last line without a newline is still a line. */
  readonly end: number;
  lineNo: number;
  /** The directory relative includes resolve against while this file is read. */
  readonly dir: string;
}

interface IncludeFrame {
  readonly pattern: string;
  readonly includeType: number;
  readonly savedIncludeCheck: number;
  readonly matches: string[];
  nextMatch: number;
  numMatches: number;
  /** The directory that was current when the include was read. */
  readonly baseDir: string;
  file: OpenFile | undefined;
}

interface Definition {
  readonly name: string;
  value: string;
  multiline: boolean;
  /** Built-in definitions compute their value. */
  fn?: (params: string | undefined) => string;
  readonly maxParams: number;
  /** `${_ENV NAME}` takes a word, not numbers. */
  readonly wordParam?: boolean;
}

export class LineReader {
  private readonly stack: IncludeFrame[] = [];
  private includeCheck: number;
  private readonly defs = new Map<string, Definition>();
  private readonly seqs: Sequence[] = [];
  private multilineSeqDepth = 0;
  private readonly multilineStack: { ptr: string; seqDepth: number }[] = [];
  private nextPtr: string | undefined;
  private residue: string | undefined;
  private multilineDef: Definition | undefined;
  private blockDepth = 0;
  private random: Random;
  /** Position of the last line handed out, kept after the stack empties (end of file). */
  /** Set when replaceParams gave up (self-reference, line too long): no further rescans. */
  private substitutionStopped = false;

  constructor(private readonly options: LineReaderOptions) {
    this.includeCheck = options.allConfig ? INCLUDE_ALL : 0;
    this.random = new Random(options.randomSeed >>> 0);
    this.addStandardDefinitions();
  }

  /** Position of the current line, or undefined once reading is over (post-parse checks). */
  get position(): SourcePosition | undefined {
    for (const frame of this.stack) if (frame.file) return { file: frame.file.name, line: frame.file.lineNo };
    return undefined;
  }

  setIncludeCheck(flags: number): void {
    this.includeCheck = flags;
  }

  getIncludeCheck(): number {
    return this.includeCheck;
  }

  setRandomSeed(seed: number): void {
    this.random = new Random(seed >>> 0);
  }

  /** Diagnostics reported by the reader itself, at the current line when there is one. */
  private report(level: ConfigErr, message: string): void {
    this.options.diagnostics.add(level, message, this.position);
  }

  /**
   * keepalived's file_config_error(): an include problem is only an error (FILE_NOT_FOUND) when
   * the include's checks ask for it; otherwise it is said but changes no verdict.
   */
  private fileError(errorType: number, includeType: number, message: string): void {
    const flags = this.includeCheck | includeType;
    this.options.diagnostics.add(flags & errorType ? ConfigErr.FILE_NOT_FOUND : ConfigErr.OK, message, this.position);
    if (flags & errorType) this.options.diagnostics.includeFailed = true;
  }

  /**
   * Open the main config file (a glob pattern, as keepalived allows). Returns false, after
   * reporting, when nothing readable matched.
   */
  openMain(pattern: string): boolean {
    const cwd = this.options.fs.cwd();
    const glob = globFiles(pattern, cwd, this.options.fs);
    const readable = glob.matches.filter((m) => !m.endsWith('/') && this.options.fs.stat(this.abs(m, cwd))?.isFile);
    if (readable.length === 0) {
      this.options.diagnostics.add(ConfigErr.FILE_NOT_FOUND, `Config files missing '${pattern}'.`);
      return false;
    }
    if (readable.length > 1) {
      this.options.diagnostics.add(
        ConfigErr.MULTIPLE_FILES,
        `WARNING, multiple configuration file matches of ${pattern}, starting with ${readable[0]}`,
      );
    }
    return this.openGlob(pattern, INCLUDE_R | INCLUDE_M | INCLUDE_W, cwd, glob.matches);
  }

  private abs(p: string, dir: string): string {
    return path.isAbsolute(p) ? path.normalize(p) : path.join(dir, p);
  }

  private currentDir(): string {
    for (const frame of this.stack) if (frame.file) return frame.file.dir;
    return this.options.fs.cwd();
  }

  /** keepalived's open_glob_file() for `include` lines. */
  private include(pattern: string, includeType: number): void {
    const baseDir = this.currentDir();
    const glob = globFiles(pattern, baseDir, this.options.fs);
    const flags = this.includeCheck | includeType;
    if (glob.matches.length === 0) {
      if (glob.missingFiles || glob.missingDirectories)
        this.fileError(hasBrace(pattern) ? INCLUDE_B : INCLUDE_M, includeType, `Config files missing '${pattern}'.`);
      else if (glob.haveWildcards && flags & INCLUDE_W)
        this.fileError(INCLUDE_W, includeType, `No config files matched '${pattern}'.`);
      return;
    }
    if (glob.missingFiles || glob.missingDirectories) {
      this.fileError(INCLUDE_B, includeType, `Some config files missing: "${pattern}".`);
      if (flags & INCLUDE_B) return;
    }
    this.openGlob(pattern, includeType, baseDir, glob.matches);
  }

  private openGlob(pattern: string, includeType: number, baseDir: string, matches: string[]): boolean {
    const frame: IncludeFrame = {
      pattern,
      includeType,
      savedIncludeCheck: this.includeCheck,
      matches,
      nextMatch: 0,
      numMatches: 0,
      baseDir,
      file: undefined,
    };
    this.stack.unshift(frame);
    if (!this.openNextMatch(frame)) {
      if (!matches.length) this.fileError(INCLUDE_R, includeType, `${pattern} - no matching file`);
      this.stack.shift();
      return false;
    }
    return true;
  }

  /** keepalived's open_conf_file(): the next usable file of a glob. */
  private openNextMatch(frame: IncludeFrame): boolean {
    const fs = this.options.fs;
    while (frame.nextMatch < frame.matches.length) {
      const name = frame.matches[frame.nextMatch++]!;
      if (name.endsWith('/')) {
        this.fileError(INCLUDE_R, frame.includeType, `Configuration file '${name}' is a directory - skipping`);
        continue;
      }
      const absolute = this.abs(name, frame.baseDir);
      const st = fs.stat(absolute);
      if (!st || !st.isFile || st.mode & 0o111) {
        this.fileError(
          INCLUDE_R,
          frame.includeType,
          `Configuration file '${name}' is not a regular non-executable file - skipping`,
        );
        continue;
      }
      if (this.stack.some((f) => f.file?.absolute === absolute)) {
        this.report(ConfigErr.FATAL, `Configuration file '${name}' includes itself (recursive include) - skipping`);
        continue;
      }
      let data: Buffer;
      try {
        data = fs.readFile(absolute);
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'error';
        this.fileError(
          INCLUDE_R,
          frame.includeType,
          `Configuration file '${name}' open problem (${describeErrno(code)}) - skipping`,
        );
        continue;
      }
      const text = data.toString('utf8');
      frame.file = {
        name,
        absolute,
        text,
        next: 0,
        end: text.endsWith('\n') ? text.length : text.length + 1,
        lineNo: 0,
        dir: name.includes('/') ? path.dirname(absolute) : frame.baseDir,
      };
      frame.numMatches++;
      return true;
    }
    return false;
  }

  /** keepalived's get_next_file(): close the current file, go on with the glob or pop it. */
  private nextFile(): boolean {
    const frame = this.stack[0]!;
    this.includeCheck = frame.savedIncludeCheck;
    frame.file = undefined;
    if (this.openNextMatch(frame)) return true;
    this.stack.shift();
    return this.stack.length > 0;
  }

  /** Read the next non-empty decommented physical line, or undefined at the end of all files. */
  private readPhysical(): string | undefined {
    while (this.stack.length) {
      const frame = this.stack[0]!;
      const file = frame.file;
      if (!file || file.next >= file.end) {
        if (!this.nextFile()) return undefined;
        continue;
      }
      let lineEnd = file.text.indexOf('\n', file.next);
      if (lineEnd < 0) lineEnd = file.text.length;
      let raw = file.text.slice(file.next, lineEnd);
      file.next = lineEnd + 1;
      // keepalived's checker and VRRP passes read a consolidated copy in which every line ends
      // with a newline, so a last line without one is still counted
      file.lineNo++;
      if (raw.endsWith('\r')) raw = raw.replace(/[\r\n]+$/, '');
      const nul = raw.indexOf('\0');
      if (nul >= 0) {
        this.report(ConfigErr.WARNING, 'Line contains a NUL byte - the rest of the line is ignored');
        raw = raw.slice(0, nul);
      }
      // a UTF-16 code unit is at most 3 UTF-8 bytes: only long lines need measuring
      if (raw.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(raw) > MAX_LINE_BYTES) {
        this.report(
          ConfigErr.GENERAL_ERROR,
          `Line too long (${Buffer.byteLength(raw)} bytes, at most ${MAX_LINE_BYTES}) - ignoring`,
        );
        continue;
      }
      if (raw.length === 0) {
        if (this.multilineDef) this.endMultilineDefinition();
        continue;
      }
      let line = this.decomment(raw);
      if (this.options.copyPass) line = this.decomment(line);
      if (line.length) return line;
    }
    return undefined;
  }

  private endMultilineDefinition(): void {
    const def = this.multilineDef!;
    this.multilineDef = undefined;
    if (!def.value.length) def.multiline = false;
  }

  /** decomment() with keepalived's report of an open quote. */
  private decomment(input: string): string {
    const d = decomment(input);
    if (d.unterminatedQuote) this.report(ConfigErr.GENERAL_ERROR, `Unterminated quote '${input.replace(/^[ \t]+/, '')}'`);
    if (d.escapedCommentChar) this.options.diagnostics.passesMayDiffer = true;
    return d.text;
  }

  /**
   * The next logical line, or undefined at the end of the configuration.
   * Also reports an extra '}' as keepalived does (it counts braces as it reads).
   */
  next(): string | undefined {
    let buf: string | undefined;
    for (;;) {
      buf = this.nextRaw();
      if (buf === undefined) return undefined;
      buf = this.preprocess(buf);
      if (buf === '') continue;
      const include = parseInclude(buf);
      if (include) {
        this.include(include.pattern, include.type);
        continue;
      }
      break;
    }
    return this.splitBraces(buf);
  }

  /** End-of-parse check (keepalived's init_data): unbalanced '{'. */
  finish(): void {
    if (this.blockDepth > 0)
      this.options.diagnostics.add(
        ConfigErr.MISSING_EOB,
        `There are ${this.blockDepth} missing '}'s or extra '{'s`,
      );
  }

  /** Where the next line comes from: residue, sequences, multi-line expansion, or the files. */
  private nextRaw(): string | undefined {
    for (;;) {
      let buf: string;
      if (this.residue !== undefined) {
        buf = this.residue;
        this.residue = undefined;
      } else if (this.seqs.length > this.multilineSeqDepth) {
        buf = this.nextFromSequence();
      } else if (this.nextPtr !== undefined) {
        const end = this.nextPtr.indexOf(DEF_LINE_END);
        if (end < 0) {
          buf = this.nextPtr;
          const popped = this.multilineStack.pop();
          if (popped) {
            this.nextPtr = popped.ptr;
            this.multilineSeqDepth = popped.seqDepth;
          } else {
            this.nextPtr = undefined;
            this.multilineSeqDepth = 0;
          }
        } else {
          buf = this.nextPtr.slice(0, end);
          this.nextPtr = this.nextPtr.slice(end + 1);
        }
      } else {
        const line = this.readPhysical();
        if (line === undefined) return undefined;
        buf = line;
      }

      if (this.multilineDef) {
        this.continueMultilineDefinition(buf);
        continue;
      }
      if (buf.length === 0) continue;
      return buf;
    }
  }

  private continueMultilineDefinition(line: string): void {
    const def = this.multilineDef!;
    let text = line;
    let more = false;
    if (text.endsWith('\\')) {
      text = text.slice(0, -1).replace(/[ \t]+$/, '') + DEF_LINE_END;
      more = true;
    } else {
      this.endMultilineDefinition();
    }
    if (text.length >= 2 || (text.length && !more)) def.value += text;
  }

  private nextFromSequence(): string {
    const seq = this.seqs[this.seqs.length - 1]!;
    if (seq.variable !== undefined) {
      this.setDefinition(seq.variable, seq.hex ? seq.next.toString(16) : String(seq.next));
      seq.next += seq.step;
      if ((seq.step > 0 && seq.next > seq.last) || (seq.step < 0 && seq.next < seq.last)) this.seqs.pop();
      return seq.text;
    }
    const values = seq.listValues![seq.listIndex]!;
    seq.listParams!.forEach((name, i) => this.setDefinition(name, values[i] ?? ''));
    seq.listIndex++;
    if (seq.listIndex >= seq.listValues!.length) this.seqs.pop();
    return seq.text;
  }

  /** Conditionals, definitions, sequences and substitution (the inner loop of read_line). */
  private preprocess(input: string): string {
    let buf = input;
    let recheck: boolean;
    do {
      recheck = false;
      if (buf[0] === '@') {
        const reverse = buf[1] === '^';
        const ofs = reverse ? 2 : 1;
        const space = buf.slice(ofs).search(/[ \t]/);
        if (space < 0) return '';
        const id = buf.slice(ofs, ofs + space);
        if ((id !== this.options.configId) !== reverse) return '';
        buf = buf.slice(ofs + space).replace(/^[ \t]+/, '');
      }
      if (buf[0] === '$') {
        const def = this.checkDefinition(buf);
        if (def) {
          if (def.multiline) this.multilineDef = def;
          return '';
        }
      }
      if (buf.startsWith('~SEQ') || buf.startsWith('~LST')) {
        const report = (level: ConfigErr, message: string) => this.report(level, message);
        const seq = buf[1] === 'S' ? parseSequence(buf, report, (args) => this.substituteSequenceArgs(args)) : parseList(buf, report);
        if (seq) this.seqs.push(seq);
        else this.report(ConfigErr.GENERAL_ERROR, `Invalid ${buf.slice(0, 4)} specification '${buf}'`);
        return '';
      }
      if (buf[0] === '~') break;
      if (this.defs.size && buf.includes('$')) {
        this.substitutionStopped = false;
        const replaced = this.replaceParams(buf);
        if (replaced === undefined) break;
        buf = this.decomment(replaced);
        if (this.substitutionStopped) break;
        if (buf[0] === '@' || buf.includes('$')) recheck = true;
      }
    } while (recheck);
    return buf;
  }

  /** Split off a '{' or '}' not inside double quotes; the rest becomes the next line. */
  private splitBraces(input: string): string {
    // (plain string scans, not regular expressions: this runs for every line, mostly before V8
    // has optimised it)
    let buf = input;
    const p = buf[0] === '{' || buf[0] === '}' ? 0 : firstBraceOutsideQuotes(buf);
    if (p >= 0) {
      // a leading brace is cut off with the blanks after it; any other brace starts the residue
      const cut = p === 0 ? skipBlanks(buf, 1) : p;
      const rest = trimBlanksEnd(buf.slice(cut));
      if (rest.length) {
        this.residue = rest;
        buf = buf.slice(0, cut);
      }
    }
    buf = trimBlanksEnd(buf);
    if (buf === '{') this.blockDepth++;
    else if (buf === '}') {
      if (this.blockDepth-- < 1) {
        this.report(ConfigErr.UNEXPECTED_EOB, "Extra '}' found");
        this.blockDepth = 0;
      }
    }
    return buf;
  }

  // ---- definitions ----

  private addStandardDefinitions(): void {
    const std = (name: string, value: string, fn?: Definition['fn'], maxParams = 0, wordParam = false) =>
      this.defs.set(name, { name, value, multiline: false, ...(fn ? { fn } : {}), maxParams, wordParam });
    std('_PWD', '', () => this.currentDir());
    std('_INSTANCE', '', () => this.options.configId);
    std('_RANDOM', '', (params) => this.randomValue(params), 2);
    std('_HASH', '#');
    std('_BANG', '!');
    std('_ENV', '', (params) => this.options.env(params ?? '') ?? '', 1, true);
  }

  private randomValue(params: string | undefined): string {
    let min = 0;
    let max = 32767;
    if (params) {
      const nums = params.trim().split(/\s+/).map((n) => parseInt(n, 10));
      min = nums[0] ?? 0;
      if (nums.length > 1) max = nums[1]!;
    }
    const span = max - min + 1;
    return String(span > 0 ? (this.random.next() % span) + min : min);
  }

  private setDefinition(name: string, value: string): void {
    const def = this.defs.get(name);
    if (def && !def.multiline) {
      def.value = value;
      delete def.fn;
    } else if (!def) this.defs.set(name, { name, value, multiline: false, maxParams: 0 });
  }

  /** `$NAME=VALUE` (no blank before '='); a trailing '\' starts a multi-line definition. */
  private checkDefinition(buf: string): Definition | undefined {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=/.exec(buf);
    if (!m) return undefined;
    const name = m[1]!;
    let value = buf.slice(m[0].length).replace(/^[ \t]+/, '');
    let multiline = false;
    if (value.endsWith('\\')) {
      value = value.slice(0, -1).replace(/[ \t]+$/, '');
      value = value.length ? value + DEF_LINE_END : '';
      multiline = true;
    }
    let def = this.defs.get(name);
    if (def) {
      def.value = value;
      def.multiline = multiline;
      delete def.fn;
    } else {
      def = { name, value, multiline, maxParams: 0 };
      this.defs.set(name, def);
    }
    return def;
  }

  /**
   * A reference at buf[pos] ('$'): `$NAME` followed by a blank, ',', ')' or the end, or
   * `${NAME}` / `${NAME params}`. Multi-line definitions only expand when the reference ends the line.
   */
  private findReference(buf: string, pos: number): { def: Definition; end: number; params?: string } | undefined {
    let i = pos + 1;
    const braces = buf[i] === '{';
    if (braces) i++;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(buf.slice(i));
    if (!m) return undefined;
    const name = m[0];
    let j = i + name.length;
    let params: string | undefined;
    if (braces) {
      const def = this.defs.get(name);
      const close = buf.indexOf('}', j);
      if (close < 0) return undefined;
      const inner = buf.slice(j, close);
      if (inner.length) {
        const valid = def?.wordParam ? /^ +[A-Za-z_][A-Za-z0-9_]*$/.test(inner) : /^[ 0-9]*[0-9]$/.test(inner);
        if (!valid) return undefined;
        params = inner.trim();
      }
      j = close + 1;
    } else if (j < buf.length && !' \t,)'.includes(buf[j]!)) return undefined;
    const def = this.defs.get(name);
    if (!def) return undefined;
    const atEnd = j >= buf.length;
    if (def.multiline && !atEnd) return undefined;
    if (params !== undefined && !def.maxParams) return undefined;
    return params !== undefined ? { def, end: j, params } : { def, end: j };
  }

  /** Definitions in ~SEQ's numbers; undefined when one is a multi-line definition (not allowed). */
  private substituteSequenceArgs(args: string): string | undefined {
    const saved = this.nextPtr;
    const replaced = this.replaceParams(args);
    if (this.nextPtr !== saved) {
      this.nextPtr = saved;
      return undefined;
    }
    return replaced ?? args;
  }

  /** keepalived's replace_param(): substitute references; undefined when nothing was replaced. */
  private replaceParams(input: string): string | undefined {
    let buf = input;
    let pos = 0;
    let found = false;
    let count = 0;
    while ((pos = buf.indexOf('$', pos)) >= 0 && pos + 1 < buf.length) {
      const ref = this.findReference(buf, pos);
      if (!ref) {
        pos++;
        continue;
      }
      if (++count > MAX_SUBSTITUTIONS_PER_LINE) {
        this.report(ConfigErr.GENERAL_ERROR, `Definition $${ref.def.name} refers to itself - substitution stopped`);
        this.substitutionStopped = true;
        return buf;
      }
      found = true;
      const def = ref.def;
      let replacement: string;
      if (def.multiline) {
        if (this.nextPtr !== undefined) this.multilineStack.push({ ptr: this.nextPtr, seqDepth: this.multilineSeqDepth });
        this.multilineSeqDepth = this.seqs.length;
        const end = def.value.indexOf(DEF_LINE_END);
        replacement = end < 0 ? def.value : def.value.slice(0, end);
        this.nextPtr = end < 0 ? '' : def.value.slice(end + 1);
      } else {
        replacement = def.fn ? def.fn(ref.params) : def.value;
      }
      const next = buf.slice(0, pos) + replacement + buf.slice(ref.end);
      if (Buffer.byteLength(next) > MAX_LINE_BYTES) {
        this.report(ConfigErr.GENERAL_ERROR, `Parameter substitution on line '${buf}' would exceed maximum line length`);
        this.substitutionStopped = true;
        return buf;
      }
      buf = next;
      if (def.value.replace(/^[ \t]+/, '')[0] === '~') break;
    }
    return found ? buf : undefined;
  }

  // ---- ~SEQ and ~LST ----


}

function describeErrno(code: string): string {
  switch (code) {
    case 'EACCES':
      return 'Permission denied';
    case 'ENOENT':
      return 'No such file or directory';
    case 'EISDIR':
      return 'Is a directory';
    default:
      return code;
  }
}

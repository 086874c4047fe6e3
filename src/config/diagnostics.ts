/**
 * Configuration diagnostics, with keepalived's severity scale.
 *
 * keepalived keeps one "config status" for a whole parse: every reported problem raises it to
 * the problem's level if that level is numerically higher (lib/parser.c, vreport_config_error).
 * The numeric order is therefore part of the observable behaviour: `keepalived -t` exits with a
 * code derived from the highest level seen, so a warning reported after an unknown interface
 * turns exit 4 into exit 5. We keep the same scale so our verdicts agree with keepalived's.
 */
export enum ConfigErr {
  OK = 0,
  /* keepalived cannot run the config */
  FILE_NOT_FOUND,
  BAD_IF,
  FATAL,
  /* errors, but keepalived would still run */
  MULTIPLE_FILES,
  UNKNOWN_KEYWORD,
  UNEXPECTED_BOB,
  MISSING_BOB,
  UNEXPECTED_EOB,
  MISSING_EOB,
  UNMATCHED_QUOTE,
  MISSING_PARAMETER,
  INVALID_NUMBER,
  GENERAL_ERROR,
  WARNING,
  DEPRECATED,
  /* scripts configured without enable_script_security */
  SECURITY_ERROR,
}

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

export interface Diagnostic {
  readonly level: ConfigErr;
  readonly message: string;
  /** Absent for problems found after parsing (keepalived prints no "Line N" for those). */
  readonly at?: SourcePosition;
}

/** Exit codes of `keepalived -t` (lib/scheduler.h, enum chk_exit_code). */
export const CONFIG_TEST_EXIT = {
  OK: 0,
  CANNOT_RUN: 4,
  ERRORS: 5,
  SECURITY: 6,
  /** keepalived exits the parse at once when a keyword misses a parameter (KEEPALIVED_EXIT_CONFIG). */
  ABORTED: 2,
  /**
   * An include that its checks (-e, include_check, includer/m/w/b/a) require is missing or
   * unreadable: keepalived stops right after reading the files (KEEPALIVED_EXIT_NO_CONFIG), before
   * the config test proper.
   */
  INCLUDE_FAILED: 6,
} as const;

/**
 * Thrown by a keyword handler when keepalived would abort the whole parse
 * (a keyword missing a parameter: keepalived's null_strvec() calls exit()).
 */
export class ConfigAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigAbort';
  }
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  private worstLevel: ConfigErr = ConfigErr.OK;
  aborted = false;
  /** Set when a checked include failed (keepalived's config_file_error). */
  includeFailed = false;
  /**
   * Set when keepalived's separate reads of the config (parent, checker, VRRP) can see different
   * things: the block structure is off (a '{' or '}' out of place, a block without its '{'), or a
   * line uses \# or \! (the checker and VRRP reads see them as comments: see LineReader).
   */
  passesMayDiffer = false;
  private readonly seen: Set<string> | undefined;

  /** With `unique`, a diagnostic identical to an earlier one is not added again. */
  constructor(options: { unique?: boolean } = {}) {
    this.seen = options.unique ? new Set() : undefined;
  }

  add(level: ConfigErr, message: string, at?: SourcePosition): void {
    if (this.seen) {
      const key = `${level}\0${at?.file ?? ''}\0${at?.line ?? ''}\0${message}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    if (level >= ConfigErr.UNEXPECTED_BOB && level <= ConfigErr.MISSING_EOB) this.passesMayDiffer = true;
    this.list.push(at ? { level, message, at } : { level, message });
    if (this.worstLevel === ConfigErr.OK || this.worstLevel < level) this.worstLevel = level;
  }

  get status(): ConfigErr {
    return this.worstLevel;
  }

  /** The exit code `keepalived -t` would give for what was reported. */
  exitCode(): number {
    if (this.aborted) return CONFIG_TEST_EXIT.ABORTED;
    if (this.includeFailed) return CONFIG_TEST_EXIT.INCLUDE_FAILED;
    switch (this.worstLevel) {
      case ConfigErr.OK:
        return CONFIG_TEST_EXIT.OK;
      case ConfigErr.FILE_NOT_FOUND:
      case ConfigErr.BAD_IF:
      case ConfigErr.FATAL:
        return CONFIG_TEST_EXIT.CANNOT_RUN;
      case ConfigErr.SECURITY_ERROR:
        return CONFIG_TEST_EXIT.SECURITY;
      default:
        return CONFIG_TEST_EXIT.ERRORS;
    }
  }
}

/** One diagnostic as keepalived prints it: `(FILE: Line N) message`, or the bare message. */
export function formatDiagnostic(d: Diagnostic): string {
  return d.at ? `(${d.at.file}: Line ${d.at.line}) ${d.message}` : d.message;
}

/**
 * The `regex` of an HTTP_GET / SSL_GET url: keepalived compiles it with PCRE2; here it becomes a
 * JavaScript RegExp. The translation keeps PCRE2's meaning or refuses the pattern — it never
 * silently matches something else (JavaScript reads an unknown escape such as \Q as a literal).
 *
 * Supported: everything JavaScript and PCRE2 share, plus
 * - regex_options caseless (i), multiline (m), dotall (s), utf / ucp (u: the body is decoded as
 *   UTF-8; without it every byte is one character, as PCRE2's 8-bit library does), extended
 *   (whitespace and # comments outside classes dropped), firstline (the match must start in the
 *   first line), dollar_endonly; no-ops for matching: no_auto_capture, no_auto_possess,
 *   no_dotstar_anchor, no_start_optimize, never_ucp, never_utf, never_backslash_c, dupnames,
 *   auto_callout, use_offset_limit;
 * - PCRE2's `$` (end, or before a final newline, unless dollar_endonly or multiline), \A \z \Z,
 *   \h \H \v \V, \e \a, (?#comments), and leading inline options (?i) (?m) (?s) (?x).
 * Refused (reported as an invalid regex): possessive quantifiers and atomic groups, \Q…\E, \K, \G,
 * \R, \X, \C, \N, \g, \o, \p without utf, inline options elsewhere than at the start, and the
 * options ungreedy, alt_bsux, alt_circumflex, alt_verbnames, allow_empty_class, match_unset_backref.
 * Not reproduced: PCRE2's match limits (a pathological pattern on a hostile body can take long —
 * the body is capped by the response parser).
 */

export interface HttpRegex {
  readonly regex: RegExp;
  /** Decode the body as UTF-8 (utf/ucp) instead of one character per byte. */
  readonly utf8: boolean;
  /** firstline: the match must start before the first newline. */
  readonly firstLine: boolean;
}

const NO_EFFECT = new Set([
  'no_auto_capture', 'no_auto_possess', 'no_dotstar_anchor', 'no_start_optimize', 'never_ucp', 'never_utf',
  'never_backslash_c', 'dupnames', 'auto_callout', 'use_offset_limit',
]);
const UNSUPPORTED = new Set(['ungreedy', 'alt_bsux', 'alt_circumflex', 'alt_verbnames', 'allow_empty_class', 'match_unset_backref']);
const REFUSED_ESCAPES = new Set(['Q', 'E', 'K', 'G', 'R', 'X', 'C', 'N', 'g', 'o']);

/** Compiles keepalived's regex + regex_options; a string is the reason it cannot be used. */
export function compileHttpRegex(pattern: string, options: readonly string[]): HttpRegex | string {
  const opts = new Set(options);
  for (const o of opts) if (UNSUPPORTED.has(o)) return `regex option ${o} is not supported`;
  for (const o of opts) {
    if (!NO_EFFECT.has(o) && !UNSUPPORTED.has(o) && !['caseless', 'multiline', 'dotall', 'utf', 'ucp', 'extended', 'firstline', 'dollar_endonly'].includes(o)) {
      return `unknown regex option ${o}`;
    }
  }
  let src = pattern;
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    for (const c of lead[1]!) opts.add(c === 'i' ? 'caseless' : c === 'm' ? 'multiline' : c === 's' ? 'dotall' : 'extended');
    src = src.slice(lead[0].length);
  }
  const utf8 = opts.has('utf') || opts.has('ucp');
  const translated = translate(src, {
    extended: opts.has('extended'),
    dollarEndOnly: opts.has('dollar_endonly') || opts.has('multiline'),
    utf8,
  });
  if (typeof translated !== 'string') return translated.error;
  let flags = 'g';
  if (opts.has('caseless')) flags += 'i';
  if (opts.has('multiline')) flags += 'm';
  if (opts.has('dotall')) flags += 's';
  if (utf8) flags += 'u';
  try {
    return { regex: new RegExp(translated, flags), utf8, firstLine: opts.has('firstline') };
  } catch (e) {
    return (e as Error).message;
  }
}

interface TranslateOptions {
  extended: boolean;
  dollarEndOnly: boolean;
  utf8: boolean;
}

function translate(p: string, o: TranslateOptions): string | { error: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return { error: 'pattern ends with a backslash' };
      i++;
      if (REFUSED_ESCAPES.has(n)) return { error: `\\${n} is not supported` };
      if ((n === 'p' || n === 'P') && !o.utf8) return { error: `\\${n} needs regex_options utf` };
      if (!inClass) {
        if (n === 'A') { out += '(?<![\\s\\S])'; continue; }
        if (n === 'z') { out += '(?![\\s\\S])'; continue; }
        if (n === 'Z') { out += '(?=\\n?(?![\\s\\S]))'; continue; }
      } else if (n === 'A' || n === 'z' || n === 'Z') {
        return { error: `\\${n} inside a character class` };
      }
      if (n === 'h') { out += inClass ? '\\t \\xa0' : '[\\t \\xa0]'; continue; }
      if (n === 'v') { out += inClass ? '\\n\\v\\f\\r\\x85' : '[\\n\\v\\f\\r\\x85]'; continue; }
      if (n === 'H' || n === 'V') {
        if (inClass) return { error: `\\${n} inside a character class is not supported` };
        out += n === 'H' ? '[^\\t \\xa0]' : '[^\\n\\v\\f\\r\\x85]';
        continue;
      }
      if (n === 'e') { out += '\\x1b'; continue; }
      if (n === 'a') { out += '\\x07'; continue; }
      out += '\\' + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a ']' right after '[' or '[^' is a literal in PCRE2; JavaScript needs it escaped
      if (p[i + 1] === '^') { out += '^'; i++; }
      if (p[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (o.extended && /[ \t\n\r\f\v]/.test(c)) continue;
    if (o.extended && c === '#') {
      while (i + 1 < p.length && p[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const n = p[i + 2];
      if (n === '#') {
        const end = p.indexOf(')', i);
        if (end < 0) return { error: 'unterminated (?# comment' };
        i = end;
        continue;
      }
      if (n === '>') return { error: 'atomic groups are not supported' };
      if (n === 'P') return { error: '(?P…) groups are not supported' };
      if (n !== undefined && /[a-zA-Z^-]/.test(n) && !/^\(\?<[a-zA-Z_]/.test(p.slice(i))) {
        return { error: 'inline options are only supported at the start of the pattern' };
      }
    }
    if ((c === '+') && i > 0 && /[*+?}]/.test(p[i - 1]!) && p[i - 2] !== '\\') {
      return { error: 'possessive quantifiers are not supported' };
    }
    if (c === '$' && !o.dollarEndOnly) {
      out += '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    out += c;
  }
  if (inClass) return { error: 'missing terminating ] for character class' };
  return out;
}

/**
 * Does the body match, as keepalived's check_regex decides: the first match at or after
 * regex_min_offset, accepted only when it starts at or before regex_max_offset.
 */
export function httpRegexMatches(compiled: HttpRegex, body: Uint8Array, minOffset = 0, maxOffset?: number): boolean {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString(compiled.utf8 ? 'utf8' : 'latin1');
  const re = compiled.regex;
  re.lastIndex = Math.min(minOffset, text.length);
  const m = re.exec(text);
  re.lastIndex = 0;
  if (!m) return false;
  if (maxOffset !== undefined && m.index > maxOffset) return false;
  if (compiled.firstLine) {
    const nl = text.indexOf('\n');
    if (nl >= 0 && m.index > nl) return false;
  }
  return true;
}

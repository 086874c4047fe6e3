/**
 * Text operations of keepalived's line reader (lib/parser.c) that need no reader state:
 * decomment(), the '{'/'}' scan that splits lines, and recognising `include*` lines.
 */

/** include flags (keepalived include_t) */
export const INCLUDE = 0;
export const INCLUDE_R = 0x01;
export const INCLUDE_M = 0x02;
export const INCLUDE_W = 0x04;
export const INCLUDE_B = 0x08;
export const INCLUDE_ALL = INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;


export interface DecommentResult {
  readonly text: string;
  /** A double quote was left open (keepalived: "Unterminated quote"). */
  readonly unterminatedQuote: boolean;
  /** A \# or \! outside quotes was turned into a literal character. */
  readonly escapedCommentChar: boolean;
}

/** keepalived's decomment(): strip leading/trailing blanks and a #/! comment outside quotes. */
export function decomment(input: string): DecommentResult {
  if (!SPECIAL_FOR_DECOMMENT.test(input)) return { text: trimBlanks(input), unterminatedQuote: false, escapedCommentChar: false };
  let s = input.replace(/^[ \t]+/, '');
  let quote = false;
  let cont = false;
  let cut = -1;
  let escaped = false;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      if (cut < 0) quote = !quote;
      out += c;
      continue;
    }
    if (c === '\\') {
      if (i + 1 < s.length) {
        const n = s[i + 1]!;
        if (!quote && (n === '#' || n === '!')) {
          out += n;
          escaped = true;
        } else {
          out += c + n;
        }
        i++;
        continue;
      }
      cont = true;
      break;
    }
    if (!quote && cut < 0 && (c === '!' || c === '#')) cut = out.length;
    out += c;
  }
  s = cut >= 0 ? out.slice(0, cut) : out;
  s = s.replace(/[ \t]+$/, '');
  if (cont) s += '\\';
  return { text: s, unterminatedQuote: quote, escapedCommentChar: escaped };
}

/** Index of the first '{' or '}' not inside double quotes, or -1. */
export function firstBraceOutsideQuotes(buf: string): number {
  let from = 0;
  for (;;) {
    const open = buf.indexOf('{', from);
    const close = buf.indexOf('}', from);
    const brace = open < 0 ? close : close < 0 ? open : Math.min(open, close);
    const quote = buf.indexOf('"', from);
    if (quote < 0 || (brace >= 0 && brace < quote)) return brace;
    const end = buf.indexOf('"', quote + 1);
    if (end < 0) return -1;
    from = end + 1;
  }
}

const SPECIAL_FOR_DECOMMENT = /[!#"\\]/;

export function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index of the first character at or after `from` that is not a blank (space or tab). */
export function skipBlanks(s: string, from: number): number {
  let i = from;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

export function trimBlanksEnd(s: string): string {
  let b = s.length;
  while (b > 0 && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return b === s.length ? s : s.slice(0, b);
}

/** keepalived's is_include()/check_include(): `include`, `includer`, `includem`, … */
export function parseInclude(buf: string): { pattern: string; type: number } | undefined {
  if (!buf.startsWith('include') || buf.length < 8) return undefined;
  const c = buf[7]!;
  if (c === ' ' || c === '\t') return { pattern: buf.slice(8).replace(/^[ \t]+/, ''), type: INCLUDE };
  if (!(buf[8] === ' ' || buf[8] === '\t') || !'rmwba'.includes(c)) return undefined;
  const type =
    c === 'r'
      ? INCLUDE_R
      : c === 'a'
        ? INCLUDE_ALL
        : c === 'w'
          ? INCLUDE_R | INCLUDE_M | INCLUDE_W
          : c === 'm'
            ? INCLUDE_R | INCLUDE_M
            : INCLUDE_R | INCLUDE_B;
  return { pattern: buf.slice(9).replace(/^[ \t]+/, ''), type };
}


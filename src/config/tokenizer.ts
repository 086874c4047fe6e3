/**
 * Splitting a logical config line into words, the two ways keepalived does it (lib/parser.c):
 * - ordinary keywords: whitespace separates, only double quotes group and are removed, no escapes;
 * - script keywords: shell-like quoting (' and ", mixable inside a word) and backslash escapes.
 */
import { ConfigErr } from './diagnostics.js';
import type { Reporter } from './values.js';

/** keepalived's WHITE_SPACE: " \t\f\n\r\v" */
const isWhiteCode = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isWhite = (c: string | undefined) => c !== undefined && isWhiteCode(c.charCodeAt(0));

/** keepalived's alloc_strvec_r(): words of an ordinary line. An empty line gives []. */
export function splitWords(line: string, r: Reporter): string[] {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  while (true) {
    while (i < n && isWhiteCode(line.charCodeAt(i))) i++;
    if (i >= n) break;
    if (line.charCodeAt(i) === 34 /* " */) {
      const close = line.indexOf('"', i + 1);
      if (close < 0) {
        r.report(ConfigErr.UNMATCHED_QUOTE, `Unmatched quote: '${line}'`);
        break;
      }
      words.push(line.slice(i + 1, close));
      i = close + 1;
    } else {
      const start = i;
      for (let c = line.charCodeAt(i); i < n && !isWhiteCode(c) && c !== 34; c = line.charCodeAt(++i));
      words.push(line.slice(start, i));
    }
  }
  return words;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);
const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';

/**
 * keepalived's alloc_strvec_quoted_escaped(): argv of a script command. `'` and `"` quote (and
 * may be mixed within one word: ab"c d"e is one word "abc de"); escapes \a \b \E \f \n \r \t \v,
 * \NNN octal, \xHH hex, \cX control characters, and \C for a literal C.
 * Returns undefined for an empty command or an unusable one (after reporting as keepalived does).
 */
export function splitQuotedEscaped(text: string, r: Reporter): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isWhite(text[i])) i++;
    if (i >= n) break;
    let word = '';
    let quote: string | undefined;
    /** keepalived only notices an open quote when some text follows it on the line */
    let textAfterQuote = false;
    while (i < n) {
      const c = text[i]!;
      if (quote) textAfterQuote = true;
      if (c === '\\') {
        i++;
        if (i >= n) {
          // keepalived logs this (not a config error) and drops the whole command
          return undefined;
        }
        const e = text[i]!;
        if (e === 'x' && isHex(text[i + 1])) {
          let v = 0;
          i++;
          while (i < n && isHex(text[i])) v = ((v << 4) | parseInt(text[i++]!, 16)) & 0xff;
          word += String.fromCharCode(v);
        } else if (e === 'c' && i + 1 < n) {
          word += String.fromCharCode(text.charCodeAt(i + 1) & 0x1f);
          i += 2;
        } else if (isOctal(e)) {
          let v = 0;
          for (let k = 0; k < 3 && isOctal(text[i]); k++) v = ((v << 3) + (text.charCodeAt(i++) - 48)) & 0xff;
          word += String.fromCharCode(v);
        } else {
          word += SIMPLE_ESCAPES[e] ?? e;
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === quote) quote = undefined;
        else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        textAfterQuote = false;
        i++;
        continue;
      }
      if (isWhite(c)) break;
      word += c;
      i++;
    }
    if (quote && textAfterQuote) {
      r.report(ConfigErr.UNMATCHED_QUOTE, `String '${text}': missing terminating ${quote}`);
      return undefined;
    }
    words.push(word);
  }
  return words.length ? words : undefined;
}

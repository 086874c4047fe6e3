/**
 * Reading keyword arguments the way keepalived does (lib/parser.c: read_int, read_unsigned,
 * read_decimal_unsigned, read_timer, check_true_false, strvec_slot). The wording of each
 * complaint is keepalived's, because users grep for it and our config test is compared with
 * keepalived's line by line.
 */
import { ConfigAbort, ConfigErr } from './diagnostics.js';

export interface Reporter {
  report(level: ConfigErr, message: string): void;
}

export type Strvec = readonly string[];

/** Timer resolution: keepalived keeps times in microseconds. */
export const TIMER_HZ = 1_000_000;
export const TIMER_HZ_DIGITS = 6;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;
const ULONG_MAX = 18446744073709551615n;

/**
 * The word at `index`, as keepalived's strvec_slot(): a missing word aborts the whole parse
 * (keepalived reports it and exits with KEEPALIVED_EXIT_CONFIG).
 */
export function need(r: Reporter, strvec: Strvec, index: number): string {
  const word = strvec[index];
  if (word !== undefined) return word;
  const message =
    index > 0 && index - 1 < strvec.length
      ? `*** Configuration line starting \`${strvec[0] ?? '***MISSING ***'}\` is missing a parameter after keyword \`${strvec[index - 1]}\` at word position ${index + 1}`
      : `*** Configuration line starting \`${strvec[0] ?? '***MISSING ***'}\` is missing a parameter at word position ${index + 1}`;
  r.report(ConfigErr.MISSING_PARAMETER, message);
  throw new ConfigAbort(message);
}

const WHITE = /^[ \t\f\r\v\n]*/;
/** The common case, an ordinary decimal that a double holds exactly. */
const PLAIN_DECIMAL = /^[0-9]{1,15}$/;
const PLAIN_FIXED = /^([0-9]{1,9})(?:\.([0-9]{1,6}))?$/;

/** C strtol/strtoul prefix parse: returns the value and whether the whole string was used. */
function parseCInteger(text: string, base: number): { value: bigint; complete: boolean; empty: boolean } {
  if (base === 10 && PLAIN_DECIMAL.test(text)) return { value: BigInt(Number(text)), complete: true, empty: false };
  let s = text.replace(WHITE, '');
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  let radix = base;
  if ((radix === 0 || radix === 16) && /^0[xX][0-9a-fA-F]/.test(s)) {
    s = s.slice(2);
    radix = 16;
  } else if (radix === 0) {
    radix = s[0] === '0' ? 8 : 10;
  }
  const digits = radix === 16 ? /^[0-9a-fA-F]+/ : radix === 8 ? /^[0-7]+/ : /^[0-9]+/;
  const m = digits.exec(s);
  if (!m) return { value: 0n, complete: text.length === 0 ? true : false, empty: true };
  let value = 0n;
  for (const ch of m[0]) value = value * BigInt(radix) + BigInt(parseInt(ch, radix));
  if (negative) value = -value;
  return { value, complete: m[0].length === s.length, empty: false };
}

/**
 * The range checks of read_int()/read_unsigned() on a plain decimal (PLAIN_DECIMAL), which a
 * double holds exactly: the common case, read without the BigInt arithmetic of parseCInteger().
 */
function plainInRange(r: Reporter, word: string, limit: number, limitName: string, min: number, max: number): number | undefined {
  const n = Number(word);
  if (n > limit) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside ${limitName} range`);
    return undefined;
  }
  if (n < min || n > max) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside range [${min}, ${max}]`);
    return undefined;
  }
  return n;
}

/** read_int(): a signed decimal in [min, max]. Returns undefined (after reporting) when invalid. */
export function readInt(r: Reporter, word: string, min: number, max: number, base = 10): number | undefined {
  if (base === 10 && PLAIN_DECIMAL.test(word)) return plainInRange(r, word, INT_MAX, 'integer', min, max);
  const { value, complete, empty } = parseCInteger(word, base);
  // strtol with no digits consumes nothing: endptr points at the start, so any text is "invalid"
  if (!complete || (empty && word.length > 0)) {
    r.report(ConfigErr.INVALID_NUMBER, `invalid number '${word}'`);
    return undefined;
  }
  if (value < BigInt(INT_MIN) || value > BigInt(INT_MAX)) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside integer range`);
    return undefined;
  }
  const n = Number(value);
  if (n < min || n > max) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside range [${min}, ${max}]`);
    return undefined;
  }
  return n;
}

/** read_unsigned(): an unsigned number in [min, max]. */
export function readUnsigned(r: Reporter, word: string, min: number, max: number, base = 10): number | undefined {
  if (base === 10 && PLAIN_DECIMAL.test(word)) return plainInRange(r, word, UINT_MAX, 'unsigned integer', min, max);
  const offset = WHITE.exec(word)?.[0].length ?? 0;
  const { value, complete, empty } = parseCInteger(word.slice(offset), base);
  if (word[offset] === '-') {
    r.report(ConfigErr.INVALID_NUMBER, `negative number '${word}'`);
    return undefined;
  }
  if (!complete || (empty && word.length > offset)) {
    r.report(ConfigErr.INVALID_NUMBER, `invalid number '${word}'`);
    return undefined;
  }
  if (value > BigInt(UINT_MAX)) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside unsigned integer range`);
    return undefined;
  }
  const n = Number(value);
  if (n < min || n > max) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside range [${min}, ${max}]`);
    return undefined;
  }
  return n;
}

/** read_unsigned64(): as readUnsigned, with a 64-bit range. Returns a bigint. */
export function readUnsigned64(r: Reporter, word: string, min: bigint, max: bigint): bigint | undefined {
  const offset = WHITE.exec(word)?.[0].length ?? 0;
  const { value, complete, empty } = parseCInteger(word.slice(offset), 10);
  if (word[offset] === '-') {
    r.report(ConfigErr.INVALID_NUMBER, `negative number '${word}'`);
    return undefined;
  }
  if (!complete || (empty && word.length > offset)) {
    r.report(ConfigErr.INVALID_NUMBER, `invalid number '${word}'`);
    return undefined;
  }
  if (value > ULONG_MAX) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside unsigned 64 bit range`);
    return undefined;
  }
  if (value < min || value > max) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside range [${min}, ${max}]`);
    return undefined;
  }
  return value;
}

/**
 * read_decimal_unsigned(): a decimal with at most `shift` fractional digits, returned as an
 * integer scaled by 10^shift (so 2.5 with shift 6 is 2500000). min/max are in scaled units.
 * Too many decimals is reported but the value is rounded and still range-checked, as keepalived.
 * With `ignoreError` (keepalived's ignore_error, used by every timer keyword), a malformed number
 * is reported and yet the digits C's strtoull could read are used when they are in range: "5x"
 * as a timer is 5 µs and "x" is 0 — keepalived 2.2.7 does this even under -t.
 */
export function readDecimal(
  r: Reporter,
  word: string,
  min: number,
  max: number | bigint,
  shift: number,
  ignoreError = false,
): number | undefined {
  const plain = shift === TIMER_HZ_DIGITS ? PLAIN_FIXED.exec(word) : null;
  if (plain) {
    const frac = plain[2] ?? '';
    const v = Number(plain[1]) * 10 ** shift + Number(frac.padEnd(shift, '0') || '0');
    if (v >= min && v <= max) return v; // exact: v is an integer below 2^53, max a number or bigint
  }
  if (word[0] === '-') {
    r.report(ConfigErr.INVALID_NUMBER, `negative number '${word}'`);
    return undefined;
  }
  const dot = word.indexOf('.');
  const intPart = dot >= 0 ? word.slice(0, dot) : word;
  let frac = dot >= 0 ? word.slice(dot + 1) : '';
  let roundUp = false;
  if (frac.length > shift) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' has too many decimal places`);
    roundUp = frac[shift]! >= '5';
    frac = frac.slice(0, shift);
  }
  const digits = intPart + frac + '0'.repeat(shift - frac.length);
  const lead = /^[ \t\n\v\f\r]*\+?([0-9]*)/.exec(digits)!;
  const valid = lead[0].length === digits.length && lead[1]!.length > 0;
  const scaled = BigInt(lead[1] || '0') + (roundUp ? 1n : 0n);
  const lo = BigInt(min);
  const hi = BigInt(max);
  const inRange = scaled >= lo && scaled <= hi;
  if (!valid) {
    r.report(ConfigErr.INVALID_NUMBER, `invalid number '${word}'`);
    return ignoreError && inRange && scaled <= ULONG_MAX ? Number(scaled) : undefined;
  }
  if (scaled > ULONG_MAX) {
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside unsigned decimal range`);
    return undefined;
  }
  if (!inRange) {
    const unit = 10n ** BigInt(shift);
    const fmt = (v: bigint) => `${v / unit}.${String(v % unit).padStart(shift, '0')}`;
    r.report(ConfigErr.INVALID_NUMBER, `number '${word}' outside range [${fmt(lo)}, ${fmt(hi)}]`);
    return undefined;
  }
  return Number(scaled);
}

/** keepalived's TIMER_MAXIMUM (ULONG_MAX - 1), the bound of a timer read with no maximum. */
export const TIMER_MAXIMUM = ULONG_MAX - 1n;

/**
 * read_timer(): decimal seconds with microsecond resolution; result in microseconds.
 * A maximum of 0 means no maximum (keepalived's TIMER_MAXIMUM).
 */
export function readTimer(r: Reporter, word: string, minUs: number, maxUs: number, ignoreError = false): number | undefined {
  return readDecimal(r, word, minUs, maxUs || TIMER_MAXIMUM, TIMER_HZ_DIGITS, ignoreError);
}

/** check_true_false(): true|on|yes → true, false|off|no → false, anything else → undefined. */
export function checkTrueFalse(word: string): boolean | undefined {
  if (word === 'true' || word === 'on' || word === 'yes') return true;
  if (word === 'false' || word === 'off' || word === 'no') return false;
  return undefined;
}

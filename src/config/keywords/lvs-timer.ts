/**
 * read_timer(..., ignore_error = true) as keepalived 2.2.7 behaves even under `-t`: after
 * reporting "invalid number" it still accepts the digits it could read (strtoull of the
 * decimal-shifted text, so "5x" is 5 µs and "x" is 0) when that value is in range. Every timer
 * keyword of the check parser reads this way. Reporting is values.ts readTimer's.
 */
import type { Reporter } from '../values.js';
import { readTimer, TIMER_HZ_DIGITS } from '../values.js';

export function readTimerLenient(r: Reporter, word: string, minUs: number, maxUs: number): number | undefined {
  const v = readTimer(r, word, minUs, maxUs);
  if (v !== undefined || word[0] === '-') return v;
  const dot = word.indexOf('.');
  let text = word;
  let roundUp = false;
  if (dot >= 0) {
    let frac = word.slice(dot + 1);
    if (frac.length > TIMER_HZ_DIGITS) {
      roundUp = frac[TIMER_HZ_DIGITS]! >= '5';
      frac = frac.slice(0, TIMER_HZ_DIGITS);
    }
    text = word.slice(0, dot) + frac + '0'.repeat(TIMER_HZ_DIGITS - frac.length);
  } else text = word + '0'.repeat(TIMER_HZ_DIGITS);
  const m = /^[ \t\n\v\f\r]*\+?([0-9]*)/.exec(text)!;
  if (m[0].length === text.length) return undefined; // a valid number: it failed on range
  const value = (m[1] ? Number(m[1]) : 0) + (roundUp ? 1 : 0);
  const max = maxUs || Number.MAX_SAFE_INTEGER;
  return value >= minUs && value <= max ? value : undefined;
}

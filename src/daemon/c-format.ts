/**
 * The few C printf/time conversions keepalived's dumps use, so that our dumps print numbers and
 * times exactly as keepalived 2.2.7 does (%g, %f, ctime with microseconds).
 */

/** printf("%g", x): 6 significant digits, trailing zeros dropped, exponent form outside 1e-4..1e6. */
export function formatG(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Number(x.toExponential(5).split('e')[1]);
  if (exp < -4 || exp >= 6) {
    const [mant, e] = x.toExponential(5).split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${stripZeros(mant)}e${sign}${digits}`;
  }
  return stripZeros(x.toFixed(5 - exp));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** printf("%.Nf", x) (N = 6 for a bare "%f"). */
export function formatF(x: number, decimals = 6): string {
  return x.toFixed(decimals);
}

/**
 * An epoch time in integer microseconds as keepalived prints a timeval ("%ld.%6.6ld"); also what
 * "%f" of the same time as a double gives (a double keeps microseconds of today's epoch exact).
 */
export function formatTimeval(epochUs: number): string {
  const sec = Math.floor(epochUs / 1_000_000);
  const usec = epochUs - sec * 1_000_000;
  return `${sec}.${String(usec).padStart(6, '0')}`;
}

/** Broken-down time, as localtime_r() gives it. */
export interface BrokenDownTime {
  /** 0 = Sunday. */
  readonly weekday: number;
  /** 0 = January. */
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly year: number;
}

/** Converts epoch milliseconds to the local (or another) time zone's fields. */
export type TimeZone = (epochMs: number) => BrokenDownTime;

/** The process's local time zone (honours TZ), as localtime_r(). */
export const localTimeZone: TimeZone = (ms) => {
  const d = new Date(ms);
  return {
    weekday: d.getDay(),
    month: d.getMonth(),
    day: d.getDate(),
    hours: d.getHours(),
    minutes: d.getMinutes(),
    seconds: d.getSeconds(),
    year: d.getFullYear(),
  };
};

export const utcTimeZone: TimeZone = (ms) => {
  const d = new Date(ms);
  return {
    weekday: d.getUTCDay(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
    year: d.getUTCFullYear(),
  };
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** keepalived's ctime_us_r(): asctime() with ".USEC" after the seconds, e.g. "Sun Nov 29 17:00:04.756234 2026". */
export function ctimeUs(epochUs: number, tz: TimeZone = localTimeZone): string {
  const sec = Math.floor(epochUs / 1_000_000);
  const usec = epochUs - sec * 1_000_000;
  const t = tz(sec * 1000);
  const day = String(t.day).padStart(2, ' ');
  return `${WEEKDAYS[t.weekday]} ${MONTHS[t.month]} ${day} ${two(t.hours)}:${two(t.minutes)}:${two(t.seconds)}.${String(usec).padStart(6, '0')} ${t.year}`;
}

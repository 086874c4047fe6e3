/**
 * keepalived's line repetitions (lib/parser.c add_seq/add_lst): `~SEQ(var, start, step, end)`,
 * `~SEQx(…)` (hexadecimal values) and `~LST(var, v1, v2, …)` / `~LST({A,B}, {1,2}, …)`.
 * Parsing only; the reader replays the text with the variables set.
 */
import { ConfigErr } from './diagnostics.js';

type Report = (level: ConfigErr, message: string) => void;

export interface Sequence {
  readonly text: string;
  /** ~SEQ */
  readonly variable?: string;
  next: number;
  readonly step: number;
  readonly last: number;
  readonly hex: boolean;
  /** ~LST */
  readonly listParams?: string[];
  readonly listValues?: string[][];
  listIndex: number;
}

export function parseSequence(buf: string, report: Report, substitute: (args: string) => string | undefined): Sequence | undefined {
  let p = 4;
  let hex = false;
  if (buf[p] === 'x') {
    hex = true;
    p++;
  }
  const m = /^[ \t]*\([ \t]*/.exec(buf.slice(p));
  if (!m) return undefined;
  p += m[0].length;
  const varStart = p;
  while (p < buf.length && !' \t,)'.includes(buf[p]!)) p++;
  const variable = buf.slice(varStart, p);
  while (buf[p] === ' ' || buf[p] === '\t') p++;
  if (p >= buf.length || buf[p] === ')' || variable === '') {
    report(ConfigErr.GENERAL_ERROR, `Invalid ~SEQ definition '${buf}'`);
    return undefined;
  }
  p++;
  const close = buf.indexOf(')', p);
  if (close < 0) {
    report(ConfigErr.GENERAL_ERROR, `Invalid ~SEQ definition '${buf}'`);
    return undefined;
  }
  let args = buf.slice(p, close + 1);
  if (args.includes('$')) {
    const replaced = substitute(args);
    if (replaced === undefined) {
      report(ConfigErr.GENERAL_ERROR, `~SEQ parameter is multiline definition '${buf}'`);
      return undefined;
    }
    args = replaced;
  }
  const nums = args
    .slice(0, -1)
    .split(',')
    .map((s) => s.trim());
  const parsed = nums.map(parseCLong);
  if (parsed.some((n) => n === undefined) || parsed.length > 3) {
    report(ConfigErr.GENERAL_ERROR, `Invalid ~SEQ definition '${buf}'`);
    return undefined;
  }
  let start: number;
  let step: number;
  let end: number;
  if (parsed.length === 1) {
    end = parsed[0]!;
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else if (parsed.length === 2) {
    start = parsed[0]!;
    end = parsed[1]!;
    step = start <= end ? 1 : -1;
  } else {
    [start, step, end] = parsed as [number, number, number];
    if (!step || (start < end && step < 0) || (start > end && step > 0)) {
      report(ConfigErr.GENERAL_ERROR, `Invalid ~SEQ values '${buf}'`);
      return undefined;
    }
  }
  if (hex && (start < 0 || end < 0)) {
    report(ConfigErr.GENERAL_ERROR, `~SEQx is only valid for positive numbers '${buf}'`);
    return undefined;
  }
  const text = buf.slice(close + 1).replace(/^[ \t]+/, '');
  return { text, variable, next: start, step, last: end, hex, listIndex: 0 };
}


export function parseList(buf: string, report: Report): Sequence | undefined {
  const body = /^~LST[ \t]*\((.*)$/.exec(buf);
  if (!body) return undefined;
  let s = body[1]!;
  // variables: NAME or {NAME, NAME}
  const vars = /^[ \t]*(?:\{([^}]*)\}|([^ \t,)]+))[ \t]*,/.exec(s);
  if (!vars) return undefined;
  const params = (vars[1] ?? vars[2]!).split(',').map((v) => v.trim());
  if (params.some((v) => v === '' || /[ \t]/.test(v))) return undefined;
  s = s.slice(vars[0].length);
  const values: string[][] = [];
  for (;;) {
    s = s.replace(/^[ \t]+/, '');
    let set: string[];
    const group = /^\{([^}]*)\}[ \t]*/.exec(s);
    if (group) {
      set = group[1]!.split(',').map((v) => v.trim());
      s = s.slice(group[0].length);
    } else {
      const one = /^([^ \t,)]*)[ \t]*/.exec(s)!;
      set = [one[1]!];
      s = s.slice(one[0].length);
    }
    if (set.length > params.length) {
      report(ConfigErr.GENERAL_ERROR, `~LST specification has too many values '${buf}'`);
      return undefined;
    }
    while (set.length < params.length) set.push('');
    values.push(set);
    if (s[0] === ')') break;
    if (s[0] !== ',') return undefined;
    s = s.slice(1);
  }
  if (!values.length) return undefined;
  const text = s.slice(1).replace(/^[ \t]+/, '');
  return { text, next: 0, step: 0, last: 0, hex: false, listParams: params, listValues: values, listIndex: 0 };
}
/** strtol(s, &end, 0) on a whole field: decimal, 0x hex or 0 octal; an empty field is 0. */
function parseCLong(field: string): number | undefined {
  if (field === '') return 0;
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(field);
  if (!m) return undefined;
  const digits = m[2]!;
  const v = /^0[xX]/.test(digits) ? parseInt(digits, 16) : digits.length > 1 && digits[0] === '0' ? parseInt(digits, 8) : parseInt(digits, 10);
  return m[1] === '-' ? -v : v;
}

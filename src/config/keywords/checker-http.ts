/**
 * HTTP_GET { } and SSL_GET { } (check_http.c install_http_ssl_check_keyword): url blocks with
 * path, digest, status_code, virtualhost and the regex keywords; http_protocol, virtualhost,
 * enable_sni, fast_recovery and the deprecated nb_get_retry.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import type { HttpChecker, HttpUrl } from '../model/lvs.js';
import { splitQuotedEscaped } from '../tokenizer.js';
import { checkTrueFalse, need, readUnsigned } from '../values.js';
import { allCommonKeywordsExcept, checkConnectionOptions, checkerCommonKeywords, checkerConnection, newCheckerBase, startChecker } from './checker-common.js';
import { currentChecker, currentRs, dequeueChecker } from './lvs-state.js';

const UINT_MAX = 4294967295;
const STATUS_MIN = 100;
const STATUS_MAX = 599;

/** PCRE2 compile options keepalived accepts in regex_options (unknown words are silently ignored). */
export const REGEX_OPTIONS: readonly string[] = [
  'allow_empty_class', 'alt_bsux', 'auto_callout', 'caseless', 'dollar_endonly', 'dotall', 'dupnames',
  'extended', 'firstline', 'match_unset_backref', 'multiline', 'never_ucp', 'never_utf',
  'no_auto_capture', 'no_auto_possess', 'no_dotstar_anchor', 'no_start_optimize', 'ucp', 'ungreedy',
  'utf', 'never_backslash_c', 'alt_circumflex', 'alt_verbnames', 'use_offset_limit',
];

function http(ctx: KeywordContext): HttpChecker | undefined {
  const c = currentChecker(ctx);
  return c && (c.type === 'HTTP_GET' || c.type === 'SSL_GET') ? c : undefined;
}

function url(ctx: KeywordContext): HttpUrl | undefined {
  const h = http(ctx);
  return h?.urls[h.urls.length - 1];
}

/** strtoul(str, &end, 10) prefix: value and the rest. */
function strtoul(s: string): { value: number; rest: string } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s)!;
  if (m[2] === '') return { value: 0, rest: s };
  let v = Number(m[2]);
  if (m[1] === '-') v = -v >>> 0;
  return { value: v, rest: s.slice(m[0].length) };
}

function bool(ctx: KeywordContext, strvec: Strvec, what: string): boolean | undefined {
  if (strvec.length < 2) return true;
  const v = checkTrueFalse(strvec[1]!);
  if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid ${what} parameter ${strvec[1]}`);
  return v;
}

/** Merge status code ranges into a sorted, disjoint list. */
function addStatusRange(list: Array<[number, number]>, min: number, max: number): Array<[number, number]> {
  const all = [...list, [min, max] as [number, number]].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** regex_min_offset / regex_max_offset value (logged only, never a config error). */
function regexOffset(strvec: Strvec): number {
  if (strvec.length !== 2) return 0;
  const { value, rest } = strtoul(strvec[1]!);
  return rest === '' ? value : 0;
}

const urlKeywords: KeywordDef[] = ([
  {
    name: 'path',
    support: 'supported',
    args: '<PATH>',
    summary: 'Path requested.',
    handler: (strvec, ctx) => {
      const p = need(ctx, strvec, 1);
      const u = url(ctx);
      if (u) u.path = p;
    },
  },
  {
    name: 'digest',
    support: 'supported',
    args: '<MD5HEX>',
    summary: 'Expected MD5 of the response body (see genhash).',
    handler: (strvec, ctx) => {
      const digest = need(ctx, strvec, 1);
      const u = url(ctx);
      if (u?.digest !== undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Digest '${digest}' is a duplicate`);
        return;
      }
      if (digest.length !== 32) {
        ctx.report(ConfigErr.GENERAL_ERROR, `digest '${digest}' character length should be 32 rather than ${digest.length}`);
        return;
      }
      // keepalived parses from the last byte backwards with strtoul (which also takes a
      // leading blank or sign), cutting the string as it goes
      const bytes: string[] = [];
      for (let i = 15; i >= 0; i--) {
        const pair = digest.slice(2 * i, 2 * i + 2);
        const m = /^(?:([0-9a-fA-F]{2})|[ \t\n\v\f\r]([0-9a-fA-F])|([+-])([0-9a-fA-F]))$/.exec(pair);
        if (!m) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Unable to interpret hex digit in '${digest.slice(0, 2 * i + 2)}' at offset ${2 * i}/${2 * i + 1}`);
          return;
        }
        let v = parseInt(m[1] ?? m[2] ?? m[4]!, 16);
        if (m[3] === '-') v = (256 - v) & 0xff;
        bytes.unshift(v.toString(16).padStart(2, '0'));
      }
      if (u) u.digest = bytes.join('');
    },
  },
  {
    name: 'status_code',
    support: 'supported',
    args: '<CODE|MIN-MAX> ...',
    default: '200-299',
    summary: 'Accepted HTTP status codes.',
    handler: (strvec, ctx) => {
      const u = url(ctx);
      for (let i = 1; i < strvec.length; i++) {
        const str = strvec[i]!;
        const a = strtoul(str);
        let min = a.value;
        let max = min;
        let rest = a.rest;
        if (rest[0] === '-') {
          const b = strtoul(rest.slice(1));
          max = b.value;
          rest = b.rest;
        }
        if (rest !== '' || min < STATUS_MIN || min > STATUS_MAX || max < STATUS_MIN || max > STATUS_MAX || min > max) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid HTTP_GET status code '${str}'`);
          continue;
        }
        if (u) u.statusCodes = addStatusRange(u.statusCodes, min, max);
      }
    },
  },
  {
    name: 'virtualhost',
    support: 'supported',
    args: '<HOST>',
    summary: 'Host header for this url.',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, 'Missing HTTP_GET virtualhost name');
        return;
      }
      const u = url(ctx);
      if (u) u.virtualhost = strvec[1]!;
    },
  },
  {
    name: 'regex',
    support: 'supported',
    args: '<PCRE2 PATTERN>',
    summary: 'The body must match this regular expression.',
    handler: (_strvec, ctx) => {
      const words = splitQuotedEscaped(ctx.rawLine, ctx);
      if (!words || words.length !== 2) return; // "regex missing or too many fields" (logged)
      const u = url(ctx);
      if (u) u.regex = words[1]!;
    },
  },
  {
    name: 'regex_no_match',
    support: 'supported',
    summary: 'Succeed when the regex does not match.',
    handler: (_strvec, ctx) => {
      const u = url(ctx);
      if (u) u.regexNoMatch = true;
    },
  },
  {
    name: 'regex_options',
    support: 'supported',
    args: '<OPTION> ...',
    summary: 'PCRE2 options (caseless, multiline, …).',
    handler: (strvec, ctx) => {
      const u = url(ctx);
      for (const w of strvec.slice(1)) if (REGEX_OPTIONS.includes(w) && u && !u.regexOptions.includes(w)) u.regexOptions.push(w);
    },
  },
  {
    name: 'regex_min_offset',
    support: 'supported',
    args: '<N>',
    summary: 'The match must start at or after this offset.',
    handler: (strvec, ctx) => {
      const u = url(ctx);
      if (u) u.regexMinOffset = regexOffset(strvec);
    },
  },
  {
    name: 'regex_max_offset',
    support: 'supported',
    args: '<N>',
    summary: 'The match must start at or before this offset.',
    handler: (strvec, ctx) => {
      const u = url(ctx);
      if (u) u.regexMaxOffset = regexOffset(strvec);
    },
  },
  {
    name: 'regex_stack',
    args: '<START> <MAX>',
    summary: 'PCRE2 JIT stack sizes.',
    handler: (strvec, ctx) => {
      if (strvec.length !== 3) return; // logged only
      const a = strtoul(strvec[1]!);
      const b = strtoul(strvec[2]!);
      if (a.rest !== '' || b.rest !== '' || a.value > b.value) return;
      const u = url(ctx);
      if (u) u.regexStack = { start: a.value, max: b.value };
    },
  },
] as KeywordDef[]).map((d) => ({ support: 'parsed' as const, ...d }));

/** url_check(): a url without path is dropped; default status codes; regex consistency. */
function urlEnd(ctx: KeywordContext): void {
  const h = http(ctx);
  const u = h?.urls[h.urls.length - 1];
  if (!h || !u) return;
  if (u.path === undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'HTTP/SSL_GET checker url has no path - ignoring');
    h.urls.pop();
    return;
  }
  if (u.statusCodes.length === 0) u.statusCodes = [[200, 299]];
  if (u.regex === undefined) {
    // "regex parameters specified without regex" (logged): the regex settings are dropped
    u.regexOptions = [];
    u.regexNoMatch = false;
    delete u.regexMinOffset;
    delete u.regexMaxOffset;
    delete u.regexStack;
  }
  // "regex min offset > regex_max_offset - ignoring" (logged)
  if (u.regexMaxOffset !== undefined && (u.regexMinOffset ?? 0) >= u.regexMaxOffset + 1) {
    delete u.regexMinOffset;
    delete u.regexMaxOffset;
  }
}

function httpEnd(ctx: KeywordContext): void {
  const h = http(ctx);
  if (h && h.urls.length === 0) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'HTTP/SSL_GET checker has no urls specified - ignoring');
    dequeueChecker(ctx);
  }
  if (!checkConnectionOptions(ctx, currentChecker(ctx)?.connection)) dequeueChecker(ctx);
}

function httpKeyword(name: 'HTTP_GET' | 'SSL_GET'): KeywordDef {
  const sub: KeywordDef[] = [
    // node:net cannot set SO_BINDTODEVICE / SO_MARK (see check/http-check.ts)
    ...checkerCommonKeywords(true, checkerConnection, allCommonKeywordsExcept('bind_if', 'fwmark')),
    {
      name: 'nb_get_retry',
      support: 'supported',
      args: '<N>',
      deprecatedBy: 'retry',
      summary: 'Deprecated spelling of retry.',
      handler: (strvec, ctx) => {
        ctx.report(ConfigErr.GENERAL_ERROR, "nb_get_retry is deprecated - please use 'retry'");
        const word = need(ctx, strvec, 1);
        const v = readUnsigned(ctx, word, 0, UINT_MAX);
        if (v === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid nb_get_retry value '${word}'`);
          return;
        }
        const c = currentChecker(ctx);
        if (c) c.retry = v;
      },
    },
    {
      name: 'virtualhost',
      support: 'supported',
      args: '<HOST>',
      default: 'real server / virtual server virtualhost, else ip:port',
      summary: 'Host header for all urls of this checker.',
      handler: (strvec, ctx) => {
        if (strvec.length < 2) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'HTTP_GET virtualhost name missing');
          return;
        }
        const h = http(ctx);
        if (h) h.virtualhost = strvec[1]!;
      },
    },
    {
      name: 'http_protocol',
      support: 'supported',
      args: '1.0|1.0C|1.1',
      default: '1.0',
      summary: 'HTTP version of the request (1.0C: 1.0 with Connection: close).',
      handler: (strvec, ctx) => {
        if (strvec.length < 2) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'Missing http_protocol version');
          return;
        }
        const v = strvec[1]!;
        const proto = v === '1.0' ? '1.0' : v === '1.1' ? '1.1' : v === '1.0C' || v === '1.0c' ? '1.0C' : undefined;
        if (!proto) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid http_protocol version ${v}`);
          return;
        }
        const h = http(ctx);
        if (h) h.httpProtocol = proto;
      },
    },
    {
      name: 'enable_sni',
      args: '[<BOOL>]',
      // only a TLS connection has a server name to send
      support: name === 'SSL_GET' ? 'supported' : 'parsed',
      default: 'false',
      summary: 'Send the TLS server name indication (SSL_GET).',
      handler: (strvec, ctx) => {
        const v = bool(ctx, strvec, 'enable_sni');
        const h = http(ctx);
        if (v !== undefined && h) h.enableSni = v;
      },
    },
    {
      name: 'fast_recovery',
      support: 'supported',
      args: '[<BOOL>]',
      default: 'false',
      summary: 'After a failure, re-check at delay_before_retry rather than delay_loop.',
      handler: (strvec, ctx) => {
        const v = bool(ctx, strvec, 'fast_recovery');
        const h = http(ctx);
        if (v !== undefined && h) h.fastRecovery = v;
      },
    },
    {
      name: 'url',
      support: 'supported',
      args: '{ ... }',
      summary: 'One URL to fetch; every url must pass.',
      handler: (_strvec, ctx) => {
        const h = http(ctx);
        if (h) h.urls.push({ at: ctx.position, statusCodes: [], regexNoMatch: false, regexOptions: [] });
      },
      sub: urlKeywords,
      close: urlEnd,
    },
  ];
  return {
    name,
    args: '{ ... }',
    support: 'supported',
    summary: name === 'HTTP_GET' ? 'Health check: fetch urls over HTTP.' : 'Health check: fetch urls over HTTPS.',
    handler: (_strvec, ctx) => {
      const checker = newCheckerBase(ctx, name, currentRs(ctx), true) as HttpChecker;
      checker.urls = [];
      checker.httpProtocol = '1.0';
      checker.enableSni = false;
      checker.fastRecovery = false;
      checker.defaultDelayBeforeRetry = 3_000_000;
      if (name === 'SSL_GET') ctx.config.lvs.sslRequired = true;
      startChecker(ctx, checker);
    },
    sub: sub.map((d) => ({ support: 'parsed' as const, ...d })),
    close: httpEnd,
  };
}

export const httpGetKeyword = httpKeyword('HTTP_GET');
export const sslGetKeyword = httpKeyword('SSL_GET');

/**
 * Keywords every checker block shares (check_api.c install_checker_common_keywords): the
 * connection keywords (not for MISC_CHECK) and retry/delay/warmup/alpha/log_all_failures.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec, Support } from '../keyword-table.js';
import type { CheckerBase, CheckerType, ConnectionOptions, LvsAddress, RealServer } from '../model/lvs.js';
import { checkTrueFalse, need, readTimer, readUnsigned } from '../values.js';
import { canonicalAddress, ipv6Groups, isInetAddress } from './lvs-address.js';
import { currentChecker, dequeueChecker, queueChecker } from './lvs-state.js';

const UINT_MAX = 4294967295;

/** A new checker's base fields (queue_checker defaults). */
export function newCheckerBase(ctx: KeywordContext, type: CheckerType, rs: RealServer | undefined, withConnection: boolean): CheckerBase {
  const base: CheckerBase = {
    at: ctx.position,
    type,
    logAllFailures: false,
    defaultRetry: 1,
    defaultDelayBeforeRetry: 1_000_000,
  };
  if (withConnection && rs) base.connection = { dst: { ...rs.address } };
  return base;
}

/** Queue a checker on the current real server (keepalived has no checker outside a real_server). */
export function startChecker(ctx: KeywordContext, checker: CheckerBase): void {
  queueChecker(ctx, checker as never);
}

/** The current checker's connection options (CHECKER_GET_CO()), or a host block's while one is open. */
export type ConnectionSelector = (ctx: KeywordContext) => ConnectionOptions | undefined;

export const checkerConnection: ConnectionSelector = (ctx) => currentChecker(ctx)?.connection;

/** inet_stosockaddr(ip, NULL, &addr) on an existing address: family and address change, port stays. */
function setAddress(addr: LvsAddress | undefined, ip: string): LvsAddress | undefined {
  const family = ip.includes(':') ? 'inet6' : 'inet';
  const cut = ip.indexOf('-') >= 0 ? ip.indexOf('-') : ip.indexOf('/');
  const bare = cut >= 0 ? ip.slice(0, cut) : ip;
  if (!isInetAddress(family, bare)) return undefined;
  return { family, address: canonicalAddress(family, bare), port: addr?.port ?? 0 };
}

/** check_conn_opts(): an IPv6 link-local destination needs bind_if. */
export function checkConnectionOptions(ctx: KeywordContext, co: ConnectionOptions | undefined): boolean {
  if (co && co.dst.family === 'inet6' && (ipv6Groups(co.dst.address)[0]! & 0xffc0) === 0xfe80 && !co.bindIf) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Checker link local address ${co.dst.address} requires a bind_if`);
    return false;
  }
  return true;
}

/** The common end-of-block handler of most checkers: drop the checker on bad connection options. */
export function endWithConnectionCheck(ctx: KeywordContext): void {
  if (!checkConnectionOptions(ctx, currentChecker(ctx)?.connection)) dequeueChecker(ctx);
}

function connectionKeywords(co: ConnectionSelector): KeywordDef[] {
  return [
    {
      name: 'connect_ip',
      args: '<IP>',
      default: 'the real server address',
      summary: 'Address the checker connects to.',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const ip = need(ctx, strvec, 1);
        if (!c) return;
        const a = setAddress(c.dst, ip);
        if (!a) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid connect_ip address ${ip} - ignoring`);
          c.dst = { ...c.dst, family: undefined };
        } else if (c.bindto && c.bindto.family !== undefined && c.bindto.family !== a.family) {
          ctx.report(ConfigErr.GENERAL_ERROR, `connect_ip address ${ip} does not match address family of bindto - skipping`);
          c.dst = { ...a, family: undefined };
        } else c.dst = a;
      },
    },
    {
      name: 'connect_port',
      args: '<1..65535>',
      default: 'the real server port',
      summary: 'Port the checker connects to.',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const word = need(ctx, strvec, 1);
        const port = readUnsigned(ctx, word, 1, 65535);
        if (port === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid checker connect_port '${word}'`);
          return;
        }
        if (c) c.dst = { ...c.dst, port };
      },
    },
    {
      name: 'bindto',
      args: '<IP>',
      summary: 'Source address of the checker connection.',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const ip = need(ctx, strvec, 1);
        if (!c) return;
        const a = setAddress(c.bindto, ip);
        if (!a) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid bindto address ${ip} - ignoring`);
          c.bindto = { address: c.bindto?.address ?? '', port: c.bindto?.port ?? 0, family: undefined };
        } else if (c.dst.family !== undefined && c.dst.family !== a.family) {
          ctx.report(ConfigErr.GENERAL_ERROR, `bindto address ${ip} does not match address family of connect_ip - skipping`);
          c.bindto = { ...a, family: undefined };
        } else c.bindto = a;
      },
    },
    {
      name: 'bind_port',
      args: '<1..65535>',
      summary: 'Source port of the checker connection.',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const word = need(ctx, strvec, 1);
        const port = readUnsigned(ctx, word, 1, 65535);
        if (port === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid checker bind_port '${word}'`);
          return;
        }
        if (c) c.bindto = { family: c.bindto?.family, address: c.bindto?.address ?? '', port };
      },
    },
    {
      name: 'bind_if',
      args: '<IFNAME>',
      summary: 'Interface to bind the checker to (needed for IPv6 link-local).',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const name = need(ctx, strvec, 1);
        if (name.length > 15) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Interface name ${name} is too long - ignoring`);
          return;
        }
        if (c) c.bindIf = name;
      },
    },
    {
      name: 'connect_timeout',
      args: '<SECONDS>',
      default: 'real server / virtual server connect_timeout (5)',
      summary: 'Connection timeout.',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const word = need(ctx, strvec, 1);
        const t = readTimer(ctx, word, 1, UINT_MAX, true);
        if (t === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `connect_timeout ${word} invalid - ignoring`);
          return;
        }
        if (c) c.connectTimeout = t;
      },
    },
    {
      name: 'fwmark',
      args: '<0..4294967295>',
      summary: 'SO_MARK set on the checker packets.',
      handler: (strvec, ctx) => {
        const c = co(ctx);
        const word = need(ctx, strvec, 1);
        const mark = readUnsigned(ctx, word, 0, UINT_MAX);
        if (mark === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid fwmark connection value '${word}'`);
          return;
        }
        if (c) c.fwmark = mark;
      },
    },
  ];
}

function checkerBool(ctx: KeywordContext, strvec: Strvec, what: string): boolean | undefined {
  if (strvec.length < 2) return true;
  const v = checkTrueFalse(strvec[1]!);
  if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid ${what} parameter ${strvec[1]}`);
  return v;
}

const retryKeywords: KeywordDef[] = [
  {
    name: 'retry',
    args: '<0..4294967295>',
    default: 'real server retry, else 1 (MISC_CHECK 0, DNS_CHECK 3)',
    summary: 'Extra attempts before the checker declares the server down.',
    handler: (strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 0, UINT_MAX);
      if (v === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid retry connection value '${word}'`);
        return;
      }
      const c = currentChecker(ctx);
      if (c) c.retry = v;
    },
  },
  {
    name: 'delay_before_retry',
    args: '<SECONDS>',
    default: 'real server value, else 1 (HTTP_GET/SSL_GET 3, DNS_CHECK delay_loop)',
    summary: 'Delay between retries.',
    handler: (strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readTimer(ctx, word, 0, 0, true);
      if (v === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid delay_before_retry connection value '${word}'`);
        return;
      }
      const c = currentChecker(ctx);
      if (c) c.delayBeforeRetry = v;
    },
  },
  {
    name: 'warmup',
    args: '<SECONDS>',
    default: 'real server value, else delay_loop',
    summary: 'Random delay (0..warmup) before the first check.',
    handler: (strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readTimer(ctx, word, 0, 0, true);
      if (v === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid warmup connection value '${word}'`);
        return;
      }
      const c = currentChecker(ctx);
      if (c) c.warmup = v;
    },
  },
  {
    name: 'delay_loop',
    args: '<SECONDS>',
    default: 'real server / virtual server delay_loop (60)',
    summary: 'Interval between checks.',
    handler: (strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readTimer(ctx, word, 1, 0, true);
      if (v === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `delay_loop '${word}' is invalid - ignoring`);
        return;
      }
      const c = currentChecker(ctx);
      if (c) c.delayLoop = v;
    },
  },
  {
    name: 'alpha',
    args: '[<BOOL>]',
    default: 'real server alpha',
    summary: 'Start with this checker failed.',
    handler: (strvec, ctx) => {
      const v = checkerBool(ctx, strvec, 'alpha');
      const c = currentChecker(ctx);
      if (v !== undefined && c) c.alpha = v;
    },
  },
  {
    name: 'log_all_failures',
    args: '[<BOOL>]',
    default: 'false',
    summary: 'Log every failed check, not only state changes.',
    handler: (strvec, ctx) => {
      const v = checkerBool(ctx, strvec, 'log_all_failures');
      const c = currentChecker(ctx);
      if (v !== undefined && c) c.logAllFailures = v;
    },
  },
];

/** Which common keywords a checker kind acts on: a function of the keyword name. */
export type CommonKeywordSupport = (name: string) => Support;

/** The checker kind acts on every common keyword except `names` (read and checked only). */
export function allCommonKeywordsExcept(...names: string[]): CommonKeywordSupport {
  return (name) => (names.includes(name) ? 'parsed' : 'supported');
}

/** install_checker_common_keywords(connection_keywords). */
export function checkerCommonKeywords(
  withConnection: boolean,
  co: ConnectionSelector = checkerConnection,
  support: CommonKeywordSupport = allCommonKeywordsExcept(),
): KeywordDef[] {
  const defs = withConnection ? [...connectionKeywords(co), ...retryKeywords] : [...retryKeywords];
  return defs.map((d) => ({ ...d, support: support(d.name) }));
}

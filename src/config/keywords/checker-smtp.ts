/**
 * SMTP_CHECK { } (check_smtp.c): banner, HELO, QUIT. helo_name, the common keywords and the
 * deprecated `host { }` blocks (each one more connection to check, with its own common keywords).
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef } from '../keyword-table.js';
import type { ConnectionOptions, SmtpChecker } from '../model/lvs.js';
import { allCommonKeywordsExcept, checkConnectionOptions, checkerCommonKeywords, newCheckerBase, startChecker } from './checker-common.js';
import { currentChecker, currentCheckerOwner, currentRs, dequeueChecker } from './lvs-state.js';

export const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';

/** While a host block is open, the connection keywords apply to it (keepalived swaps checker->co). */
const HOST_CO = 'lvs.smtpHostConnection';
/** Whether any connection keyword was given at the SMTP_CHECK level. */
function smtp(ctx: KeywordContext): SmtpChecker | undefined {
  const c = currentChecker(ctx);
  return c?.type === 'SMTP_CHECK' ? c : undefined;
}

const smtpConnection = (ctx: KeywordContext): ConnectionOptions | undefined =>
  (ctx.scratch.get(HOST_CO) as ConnectionOptions | undefined) ?? currentChecker(ctx)?.connection;

/** An SMTP_CHECK's own connection options start empty: "has anything been set?" is tested at the end. */
const UNSET_DST = { family: undefined, address: '', port: 0 };

function smtpEnd(ctx: KeywordContext): void {
  const c = smtp(ctx);
  const owner = currentCheckerOwner(ctx);
  if (!c || !owner) return;
  const co = c.connection!;
  // "The SMTP_CHECK host block is deprecated. Please define additional checkers." (logged)
  const configured =
    co.dst.family !== undefined ||
    co.dst.port !== 0 ||
    co.bindto !== undefined ||
    co.bindIf !== undefined ||
    co.fwmark !== undefined ||
    co.connectTimeout !== undefined ||
    c.hosts.length === 0;
  if (configured) {
    const savedPort = co.dst.port;
    if (co.dst.family === undefined) co.dst = { ...owner.rs.address, port: savedPort || owner.rs.address.port };
    if (!savedPort) co.dst = { ...co.dst, port: owner.rs.address.port };
    if (!checkConnectionOptions(ctx, co)) {
      dequeueChecker(ctx);
      return;
    }
  } else {
    // the first host's connection becomes the checker's own
    const first = c.hosts.shift()!;
    c.connection = first.connection;
  }
  // keepalived fills in the connect timeout here (RS, else VS) when not given
  const conn = owner.rs.connectTimeout ?? owner.vs.connectTimeout;
  if (c.connection!.connectTimeout === undefined) c.connection!.connectTimeout = conn;
  // each remaining host becomes a checker of its own, a copy of this one with the host's connection
  // (a host's connect timeout stays as its block left it: keepalived zeroes a host's conn_opts)
  for (const host of c.hosts.splice(0)) owner.rs.checkers.push({ ...c, at: host.at, connection: host.connection, hosts: [] });
}

export const smtpCheckKeyword: KeywordDef = {
  name: 'SMTP_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Health check: SMTP banner, HELO and QUIT.',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'SMTP_CHECK', currentRs(ctx), true) as SmtpChecker;
    checker.connection = { dst: { ...UNSET_DST } };
    checker.heloName = SMTP_DEFAULT_HELO;
    checker.hosts = [];
    startChecker(ctx, checker);
  },
  sub: [
    {
      name: 'helo_name',
      args: '<NAME>',
      default: SMTP_DEFAULT_HELO,
      support: 'supported',
      summary: 'Name sent with HELO.',
      handler: (strvec, ctx) => {
        if (strvec.length < 2) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'SMTP_CHECK helo name missing');
          return;
        }
        const c = smtp(ctx);
        if (c) c.heloName = strvec[1]!;
      },
    },
    // node:net cannot set SO_BINDTODEVICE / SO_MARK (see check/smtp-check.ts)
    ...checkerCommonKeywords(true, smtpConnection, allCommonKeywordsExcept('bind_if', 'fwmark')),
    {
      name: 'host',
      args: '{ ... }',
      deprecatedBy: 'SMTP_CHECK',
      support: 'supported',
      summary: 'Deprecated: one more server to check (define more SMTP_CHECKs instead).',
      handler: (_strvec, ctx) => {
        const rs = currentCheckerOwner(ctx)?.rs;
        // keepalived zeroes the new conn_opts: its connect timeout stays 0 unless given
        ctx.scratch.set(HOST_CO, { dst: rs ? { ...rs.address } : { ...UNSET_DST }, connectTimeout: undefined });
        ctx.scratch.set('lvs.smtpHostAt', ctx.position);
      },
      sub: checkerCommonKeywords(true, smtpConnection, allCommonKeywordsExcept('bind_if', 'fwmark')),
      close: (ctx) => {
        const co = ctx.scratch.get(HOST_CO) as ConnectionOptions;
        const at = ctx.scratch.get('lvs.smtpHostAt') as SmtpChecker['at'];
        ctx.scratch.delete(HOST_CO);
        const c = smtp(ctx);
        if (co.connectTimeout === undefined) co.connectTimeout = 0;
        if (checkConnectionOptions(ctx, co) && c) c.hosts.push({ at, connection: co });
      },
    },
  ],
  close: smtpEnd,
};

/** BFD_CHECK { } (check_bfd.c): the real server follows a bfd_instance's state. */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef } from '../keyword-table.js';
import type { BfdChecker } from '../model/lvs.js';
import { checkTrueFalse } from '../values.js';
import { newCheckerBase, startChecker } from './checker-common.js';
import { currentCheckerOwner, currentRs, dequeueChecker, fmtRs } from './lvs-state.js';

const BFD_INAME_MAX = 32;
/** keepalived's new_checker: the BFD_CHECK being read, cleared when it is dropped. */
const CURRENT = 'lvs.bfdChecker';

function bfd(ctx: KeywordContext): BfdChecker | undefined {
  return ctx.scratch.get(CURRENT) as BfdChecker | undefined;
}

function bfdInstanceNames(ctx: KeywordContext): string[] {
  return (ctx.config.bfd.instances as Array<{ name?: unknown }>).map((i) => i.name).filter((n): n is string => typeof n === 'string');
}

function where(ctx: KeywordContext): string {
  const o = currentCheckerOwner(ctx);
  return o ? fmtRs(o.rs, o.vs) : '';
}

function drop(ctx: KeywordContext): void {
  dequeueChecker(ctx);
  ctx.scratch.delete(CURRENT);
}

export const bfdCheckKeyword: KeywordDef = {
  name: 'BFD_CHECK',
  args: '{ ... }',
  support: 'parsed',
  summary: 'The real server follows a BFD session.',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'BFD_CHECK', currentRs(ctx), false) as BfdChecker;
    startChecker(ctx, checker);
    ctx.scratch.set(CURRENT, checker);
  },
  sub: [
    {
      name: 'name',
      args: '<BFD_INSTANCE>',
      support: 'parsed',
      summary: 'The bfd_instance (defined earlier) to follow.',
      handler: (strvec, ctx) => {
        const c = bfd(ctx);
        if (!c) return;
        const name = strvec[1];
        let error = true;
        if (strvec.length !== 2 || name === undefined)
          ctx.report(ConfigErr.GENERAL_ERROR, `(${where(ctx)}) BFD_CHECK - No or too many names specified - skipping checker`);
        else if (!bfdInstanceNames(ctx).includes(name))
          ctx.report(ConfigErr.GENERAL_ERROR, `(${where(ctx)}) BFD_CHECK - BFD ${name} not configured`);
        else if (c.name !== undefined)
          ctx.report(ConfigErr.GENERAL_ERROR, `(${where(ctx)}) BFD_CHECK - BFD ${name} already specified as ${c.name}`);
        else if (name.length >= BFD_INAME_MAX) ctx.report(ConfigErr.GENERAL_ERROR, `(${where(ctx)}) BFD_CHECK - BFD name ${name} too long`);
        else error = false;
        if (!error) {
          const rs = currentCheckerOwner(ctx)?.rs;
          if (rs?.checkers.some((x) => x !== c && x.type === 'BFD_CHECK' && x.name === name)) {
            ctx.report(ConfigErr.GENERAL_ERROR, `(${where(ctx)}) BFD_CHECK - RS already monitoring ${name}`);
            error = true;
          }
        }
        if (error) {
          drop(ctx);
          return;
        }
        c.name = name;
      },
    },
    {
      name: 'alpha',
      args: '[<BOOL>]',
      support: 'parsed',
      summary: 'Start with the real server down.',
      handler: (strvec, ctx) => {
        const c = bfd(ctx);
        if (!c) return;
        let v: boolean | undefined = true;
        if (strvec.length >= 2) {
          v = checkTrueFalse(strvec[1]!);
          if (v === undefined) {
            ctx.report(ConfigErr.GENERAL_ERROR, `Invalid alpha parameter ${strvec[1]}`);
            return;
          }
        }
        c.alpha = v;
      },
    },
  ],
  close: (ctx) => {
    const c = bfd(ctx);
    if (!c) return;
    if (c.name === undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, `(${where(ctx)}) No name has been specified for BFD_CHECKER - skipping`);
      drop(ctx);
      return;
    }
    ctx.scratch.delete(CURRENT);
  },
};

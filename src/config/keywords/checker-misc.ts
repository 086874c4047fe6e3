/**
 * MISC_CHECK { } (check_misc.c): an external script decides. misc_path, misc_timeout,
 * misc_dynamic, user; the common retry keywords only (no connection keywords). Default retry 0.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef } from '../keyword-table.js';
import type { MiscChecker } from '../model/lvs.js';
import { getDefaultScriptUser, lookupScriptUser, scriptCommandLine } from '../script.js';
import { splitQuotedEscaped } from '../tokenizer.js';
import { need, readUnsigned } from '../values.js';
import { checkerCommonKeywords, newCheckerBase, startChecker } from './checker-common.js';
import { currentRs, dequeueChecker } from './lvs-state.js';

const UINT_MAX = 4294967295;
const TIMER_HZ = 1_000_000;

/** keepalived's new_misck_checker: the MISC_CHECK being read, cleared when it is dropped. */
const CURRENT = 'lvs.miscChecker';
const USER_SET = 'lvs.miscUserSet';

function misc(ctx: KeywordContext): MiscChecker | undefined {
  return ctx.scratch.get(CURRENT) as MiscChecker | undefined;
}

function cmd(m: MiscChecker): string {
  return m.script ? scriptCommandLine(m.script) : '';
}

const miscKeywords: KeywordDef[] = [
  {
    name: 'misc_path',
    args: '"<COMMAND> [ARGS...]"',
    summary: 'Script to run: exit 0 = up, 1 = down (misc_dynamic: 2..255 = up with weight code-2).',
    handler: (_strvec, ctx) => {
      const m = misc(ctx);
      if (!m) return;
      const words = splitQuotedEscaped(ctx.rawLine, ctx);
      if (!words || words.length < 2) return;
      const argv = splitQuotedEscaped(words[1]!, ctx);
      if (!argv) return;
      m.script = { argv, at: ctx.position };
    },
  },
  {
    name: 'misc_timeout',
    args: '<SECONDS>',
    default: 'the checker delay_loop',
    summary: 'The script is killed after this time.',
    handler: (strvec, ctx) => {
      const m = misc(ctx);
      if (!m) return;
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 0, Math.floor(UINT_MAX / TIMER_HZ));
      if (v === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid misc_timeout value '${word}'`);
        return;
      }
      m.timeout = v * TIMER_HZ;
    },
  },
  {
    name: 'misc_dynamic',
    summary: 'Exit codes 2..255 set the real server weight to code-2.',
    handler: (_strvec, ctx) => {
      const m = misc(ctx);
      if (m) m.dynamic = true;
    },
  },
  {
    name: 'user',
    args: '<USER> [<GROUP>]',
    default: 'the default script user',
    summary: 'User (and group) to run the script as.',
    handler: (strvec, ctx) => {
      const m = misc(ctx);
      if (!m) return;
      if (strvec.length < 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, `No user specified for misc checker script ${cmd(m)}`);
        return;
      }
      const id = lookupScriptUser(ctx.host, strvec[1]!, strvec[2]);
      if (!id) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Failed to set uid/gid for misc checker script ${cmd(m)} - removing`);
        dequeueChecker(ctx);
        ctx.scratch.delete(CURRENT);
        return;
      }
      m.user = id.user;
      if (id.group !== undefined) m.group = id.group;
      if (m.script) {
        m.script.user = id.user;
        m.script.uid = id.uid;
        m.script.gid = id.gid;
        if (id.group !== undefined) m.script.group = id.group;
      }
      ctx.scratch.set(USER_SET, id);
    },
  },
];

function miscEnd(ctx: KeywordContext): void {
  const m = misc(ctx);
  if (!m) return;
  ctx.scratch.delete(CURRENT);
  if (!m.script) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'No script path has been specified for MISC_CHECKER - skipping');
    dequeueChecker(ctx);
    return;
  }
  const userSet = ctx.scratch.get(USER_SET) as ReturnType<typeof lookupScriptUser>;
  const id = userSet ?? getDefaultScriptUser(ctx);
  if (!id) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Unable to set default user for misc script ${cmd(m)} - removing`);
    dequeueChecker(ctx);
    return;
  }
  m.script.user = id.user;
  m.script.uid = id.uid;
  m.script.gid = id.gid;
  if (id.group !== undefined) m.script.group = id.group;
}

export const miscCheckKeyword: KeywordDef = {
  name: 'MISC_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Health check: run a script.',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'MISC_CHECK', currentRs(ctx), false) as MiscChecker;
    checker.dynamic = false;
    checker.defaultRetry = 0;
    startChecker(ctx, checker);
    ctx.scratch.set(CURRENT, checker);
    ctx.scratch.delete(USER_SET);
  },
  sub: [...checkerCommonKeywords(false), ...miscKeywords.map((d) => ({ support: 'supported' as const, ...d }))],
  close: miscEnd,
};

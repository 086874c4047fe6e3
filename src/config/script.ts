/** Script keywords → ScriptSpec (keepalived lib/notify.c notify_script_init). (Being written.) */
import type { KeywordContext, Strvec } from './keyword-table.js';
import type { ScriptSpec } from './model/script.js';

/**
 * Parse the script keyword on the current line: the command (re-split from ctx.rawLine with
 * keepalived's shell-like quoting) and the optional `user [:group]` that follows it.
 * `kind` names the script in diagnostics ("notify_master", "vrrp_script", …).
 * Returns undefined (after reporting as keepalived does) when the line has no usable script.
 */
export function parseScript(ctx: KeywordContext, strvec: Strvec, kind: string): ScriptSpec | undefined {
  void ctx;
  void strvec;
  void kind;
  return undefined;
}

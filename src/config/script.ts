/**
 * Script keywords → ScriptSpec, as keepalived's lib/notify.c notify_script_init() does it:
 *
 * 1. the whole current line is re-split with shell-like quoting (alloc_strvec_quoted_escaped);
 * 2. word 1 of that split (the command as one quoted word) is split again the same way into argv
 *    (set_script_params_array) — so `notify "/bin/x 'a b'"` gives argv ["/bin/x", "a b"];
 * 3. words 2 and 3 are the user and group (set_script_uid_gid); without them the default script
 *    user applies: `script_user` if given, else keepalived_script if it exists, else root
 *    (get_default_script_user — and with enable_script_security, a missing keepalived_script is
 *    a config error).
 *
 * keepalived only *logs* (not a config error) when a user/group is unknown; the script is then
 * dropped, so parseScript returns undefined and the caller reports what keepalived reports
 * ("Invalid startup script", …).
 */
import { ConfigErr } from './diagnostics.js';
import type { HostFacts } from './host-facts.js';
import type { KeywordContext, Strvec } from './keyword-table.js';
import type { ScriptSpec } from './model/script.js';
import { splitQuotedEscaped } from './tokenizer.js';
import { need } from './values.js';

/** keepalived runs as root: our_uid/our_gid. */
const OUR_UID = 0;
const OUR_GID = 0;
const DEFAULT_SCRIPT_USER = 'keepalived_script';

export interface ScriptIdentity {
  user: string;
  group: string | undefined;
  uid: number;
  gid: number;
}

interface DefaultUserState {
  set: boolean;
  fail: boolean;
  identity: ScriptIdentity;
}

const STATE_KEY = 'script.defaultUser';

function state(ctx: KeywordContext): DefaultUserState {
  let s = ctx.scratch.get(STATE_KEY) as DefaultUserState | undefined;
  if (!s) {
    s = { set: false, fail: false, identity: rootIdentity(ctx.host) };
    ctx.scratch.set(STATE_KEY, s);
  }
  return s;
}

function rootIdentity(host: HostFacts): ScriptIdentity {
  const u = host.user(String(OUR_UID));
  return { user: u?.name ?? 'root', group: undefined, uid: OUR_UID, gid: OUR_GID };
}

/**
 * keepalived's set_uid_gid(): getpwnam/getgrnam by NAME (a numeric id is not accepted).
 * Returns undefined when the user or group does not exist (keepalived logs it, no config error).
 */
export function lookupScriptUser(host: HostFacts, user: string, group: string | undefined): ScriptIdentity | undefined {
  const u = host.user(user);
  if (!u || u.name !== user) return undefined;
  let gid = u.gid;
  if (group !== undefined) {
    const g = host.group(group);
    if (!g || g.name !== group) return undefined;
    gid = g.gid;
  }
  return { user, group, uid: u.uid, gid };
}

/** keepalived's set_default_script_user() (script_user keyword). Returns false on failure. */
export function setDefaultScriptUser(ctx: KeywordContext, user: string, group: string | undefined): boolean {
  const s = state(ctx);
  s.set = true;
  const id = lookupScriptUser(ctx.host, user, group);
  if (id) s.identity = id;
  else s.fail = true;
  return !s.fail;
}

/**
 * keepalived's get_default_script_user(): resolved once, at the first script without a user.
 * Returns undefined when it cannot be set (the script is then dropped).
 */
export function getDefaultScriptUser(ctx: KeywordContext): ScriptIdentity | undefined {
  const s = state(ctx);
  if (s.fail) return undefined;
  if (!s.set) {
    s.set = true;
    s.identity = rootIdentity(ctx.host);
    const id = lookupScriptUser(ctx.host, DEFAULT_SCRIPT_USER, undefined);
    if (id) s.identity = id;
    else if (ctx.config.global.enableScriptSecurity) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Unable to set default user ${DEFAULT_SCRIPT_USER} for script`);
      s.fail = true;
      return undefined;
    }
  }
  return { ...s.identity };
}

/**
 * The user/group written after something at `offset` (set_script_uid_gid), or the default
 * script user when there is none. Used by scripts and by the notify fifos.
 */
export function scriptUserAt(ctx: KeywordContext, words: Strvec, offset: number): ScriptIdentity | undefined {
  if (words.length > offset) return lookupScriptUser(ctx.host, words[offset]!, words[offset + 1]);
  return getDefaultScriptUser(ctx);
}

/**
 * Parse the script keyword on the current line: the command (re-split from ctx.rawLine with
 * keepalived's shell-like quoting) and the optional `user [group]` that follows it.
 * `kind` names the script in keepalived's log messages ("notify_master", "vrrp_script", …).
 * Returns undefined (after reporting as keepalived does) when the line has no usable script.
 */
export function parseScript(ctx: KeywordContext, strvec: Strvec, kind: string): ScriptSpec | undefined {
  void strvec;
  void kind;
  const line = splitQuotedEscaped(ctx.rawLine, ctx);
  if (!line) return undefined; // "Unable to parse notify script" (logged)
  // set_script_params_array: a line without a command word aborts, as keepalived's strvec_slot
  const command = line.length >= 2 ? line[1]! : need(ctx, line, 1);
  const argv = splitQuotedEscaped(command, ctx);
  if (!argv || argv.length === 0) return undefined; // "Unable to parse script '%s' - ignoring" (logged)
  // "Invalid user/group for %s script %s - ignoring" / "Failed to set default user …" (logged)
  const id = scriptUserAt(ctx, line, 2);
  if (!id) return undefined;
  const spec: ScriptSpec = { argv, user: id.user, uid: id.uid, gid: id.gid, at: ctx.position };
  if (id.group !== undefined) spec.group = id.group;
  return spec;
}

/**
 * keepalived's cmd_str(): the command line as keepalived prints it in messages — each word in
 * single quotes, except a first word starting with '<' or '>' (a bash redirection-only script).
 */
export function scriptCommandLine(script: ScriptSpec): string {
  return script.argv.map((w, i) => (i === 0 && (w[0] === '<' || w[0] === '>') ? w : `'${w}'`)).join(' ');
}

/**
 * keepalived's script security check (lib/notify.c check_script_secure / check_security /
 * check_notify_script_secure, and the SECURITY VIOLATION reports of vrrp.c, check_data.c and
 * main.c). All file facts come from ctx.host.
 *
 * API for the area validators (call from your validate/<area>.ts, in keepalived's order):
 *
 *   const flags = checkScriptGroup(ctx, 'vrrp', scripts)
 *
 * runs check_notify_script_secure() on each script (marking `script.insecure = true` when
 * keepalived would drop it, and setting `script.resolvedPath` for a PATH-searched command), ORs
 * the SC_* flags and reports, once for the group, keepalived's
 *   "SECURITY VIOLATION - [check |start/shutdown ]scripts are being executed but script_security
 *    not enabled.[ There are insecure scripts.]"   (ConfigErr.SECURITY_ERROR → exit 6).
 * keepalived makes one such report per group: 'vrrp' (vrrp_validate_config, only when there is
 * at least one vrrp_instance: vrrp_scripts, instance and sync-group notify scripts, plus the
 * global notify_fifo and vrrp_notify_fifo scripts — use vrrpGlobalScripts(config)), 'check'
 * (check_validate_config, only when there is at least one virtual_server: MISC_CHECK scripts,
 * quorum_up/down, notify_up/down, plus notify_fifo and lvs_notify_fifo scripts — use
 * checkGlobalScripts(config)), and 'startstop' (the parent, before validate_config; done by
 * validate/global.ts).
 *
 * Scripts that keepalived treats specially (vrrp_script track scripts, MISC_CHECK) can use
 * checkScriptSecure() to get the raw flags, then reportScriptViolation() with the OR of them.
 * Track scripts: SC_INHIBIT → "Disabling track script %s due to insecure", SC_NOTFOUND →
 * "Disabling track script %s since not found/accessible" (GENERAL_ERROR, reported by the caller).
 */
import { ConfigErr } from '../diagnostics.js';
import type { FileFacts } from '../host-facts.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { ScriptSpec } from '../model/script.js';
import type { ValidationContext } from './context.js';

export const SC = {
  INSECURE: 0x01,
  ISSCRIPT: 0x02,
  INHIBIT: 0x04,
  NOTFOUND: 0x08,
  EXECUTABLE: 0x10,
  EXECABLE: 0x20,
  SYSTEM: 0x40,
} as const;

export type ScriptGroup = 'vrrp' | 'check' | 'startstop';

const S_IXUSR = 0o100;
const S_IXGRP = 0o010;
const S_IXOTH = 0o001;
const S_IWGRP = 0o020;
const S_IWOTH = 0o002;
const S_ISVTX = 0o1000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

function isExecutable(st: FileFacts, uid: number, gid: number): boolean {
  return (
    (uid === 0 && (st.mode & (S_IXUSR | S_IXGRP | S_IXOTH)) !== 0) ||
    (uid === st.uid && (st.mode & S_IXUSR) !== 0) ||
    (uid !== st.uid && ((gid === st.gid && (st.mode & S_IXGRP) !== 0) || (gid !== st.gid && (st.mode & S_IXOTH) !== 0)))
  );
}

/** check_security(): every component of the path must be root-owned and not writable by others. */
function checkPathSecurity(ctx: ValidationContext, filename: string, scriptSecurity: boolean): number {
  const parts: string[] = ['/'];
  const comps = filename.split('/');
  for (let i = 1; i < comps.length; i++) parts.push(comps.slice(0, i + 1).join('/'));
  if (!filename.startsWith('/')) parts.splice(0, 1, comps[0]!);
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const st = ctx.host.stat(parts[i]!);
    if (!st || !st.exists) return SC.NOTFOUND; // "check_script_secure could not find script '%s' - disabling" (logged)
    if ((!last && !st.isDirectory) || (last && !st.isFile)) return SC.INHIBIT; // "Wrong file type found in script path" (logged)
    if (
      st.uid !== 0 ||
      (((st.isDirectory && !(st.mode & S_ISVTX)) || st.isFile) && ((st.gid !== 0 && (st.mode & S_IWGRP) !== 0) || (st.mode & S_IWOTH) !== 0))
    )
      return SC.INSECURE | (scriptSecurity ? SC.INHIBIT : 0); // "Unsafe permissions found for script" (logged)
  }
  return 0;
}

/** check_script_secure(): the SC_* flags of one script. Sets script.resolvedPath. */
export function checkScriptSecure(ctx: ValidationContext, script: ScriptSpec): number {
  const scriptSecurity = ctx.config.global.enableScriptSecurity;
  const cmd = script.argv[0] ?? '';
  // "</path" checks that a file can be opened: nothing is executed
  if (/^<[ \t]*\//.test(cmd)) return SC.SYSTEM;
  const uid = script.uid ?? 0;
  const gid = script.gid ?? 0;
  let path = cmd;
  if (!cmd.includes('/')) {
    // find_path(): "WARNING - script `%s` resolved by path search to `%s`" (logged)
    const found = cmd ? ctx.host.which(cmd) : undefined;
    const st = found ? ctx.host.stat(found) : undefined;
    if (!found || !st || !st.isFile || !isExecutable(st, uid, gid)) return SC.NOTFOUND;
    path = found;
  }
  script.resolvedPath = path;
  const st = ctx.host.stat(path);
  if (!st || !st.exists) return SC.NOTFOUND; // "Script %s cannot be accessed" (logged)
  let flags: number = SC.ISSCRIPT;
  let needProtection = false;
  if (isExecutable(st, uid, gid)) {
    flags |= SC.EXECUTABLE;
    if (
      uid === 0 ||
      gid === 0 ||
      (st.uid === 0 && (st.mode & S_IXUSR) !== 0 && (st.mode & S_ISUID) !== 0) ||
      (st.gid === 0 && (st.mode & S_IXGRP) !== 0 && (st.mode & S_ISGID) !== 0)
    )
      needProtection = true;
  } // else "WARNING - script '%s' is not executable for uid:gid %u:%u - disabling." (logged)
  if (!needProtection) return flags;
  return flags | checkPathSecurity(ctx, path, scriptSecurity);
}

/** check_notify_script_secure(): flags, and script.insecure = true when keepalived drops the script. */
export function checkNotifyScriptSecure(ctx: ValidationContext, script: ScriptSpec | undefined): number {
  if (!script) return 0;
  const flags = checkScriptSecure(ctx, script);
  script.insecure = (flags & (SC.INHIBIT | SC.NOTFOUND)) !== 0 || !(flags & SC.EXECUTABLE);
  return flags;
}

/** The start/stop variant (main.c check_start_stop_script_secure): SC_SYSTEM scripts are kept. */
export function checkStartStopScriptSecure(ctx: ValidationContext, script: ScriptSpec | undefined): number {
  if (!script) return 0;
  const flags = checkScriptSecure(ctx, script);
  script.insecure = (flags & (SC.INHIBIT | SC.NOTFOUND)) !== 0 || !(flags & (SC.EXECUTABLE | SC.SYSTEM));
  return flags;
}

const GROUP_TEXT: Readonly<Record<ScriptGroup, string>> = { vrrp: '', check: 'check ', startstop: 'start/shutdown ' };

/** The SECURITY VIOLATION report of a group, given the OR of its scripts' flags. */
export function reportScriptViolation(ctx: ValidationContext, group: ScriptGroup, flags: number): void {
  if (ctx.config.global.enableScriptSecurity || !(flags & SC.ISSCRIPT)) return;
  ctx.report(
    ConfigErr.SECURITY_ERROR,
    `SECURITY VIOLATION - ${GROUP_TEXT[group]}scripts are being executed but script_security not enabled.${
      flags & SC.INSECURE ? ' There are insecure scripts.' : ''
    }`,
  );
}

/** Check a group of notify-style scripts and report the group's violation. Returns the OR of the flags. */
export function checkScriptGroup(ctx: ValidationContext, group: ScriptGroup, scripts: readonly (ScriptSpec | undefined)[]): number {
  let flags = 0;
  for (const s of scripts) flags |= group === 'startstop' ? checkStartStopScriptSecure(ctx, s) : checkNotifyScriptSecure(ctx, s);
  reportScriptViolation(ctx, group, flags);
  return flags;
}

/** Global scripts keepalived adds to the vrrp group (notify_fifo_script, vrrp_notify_fifo_script). */
export function vrrpGlobalScripts(config: KeepalivedConfig): (ScriptSpec | undefined)[] {
  return [config.global.notifyFifo.script, config.global.vrrpNotifyFifo.script];
}

/** Global scripts keepalived adds to the check group (notify_fifo_script, lvs_notify_fifo_script). */
export function checkGlobalScripts(config: KeepalivedConfig): (ScriptSpec | undefined)[] {
  return [config.global.notifyFifo.script, config.global.lvsNotifyFifo.script];
}

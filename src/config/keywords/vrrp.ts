/**
 * Keywords of the vrrp area, in keepalived 2.2.7's installation order (vrrp_parser.c
 * init_vrrp_keywords): track_group, static_ipaddress/routes/rules, vrrp_sync_group, garp_group,
 * linkbeat_interfaces, vrrp_instance, vrrp_script, vrrp_track_process, interface_up_down_delays.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import { getDefaultScriptUser, lookupScriptUser, parseScript, scriptCommandLine, type ScriptIdentity } from '../script.js';
import { splitQuotedEscaped } from '../tokenizer.js';
import { checkTrueFalse, need, readDecimal, readInt, readTimer, readUnsigned, TIMER_HZ } from '../values.js';
import type { GarpGroup, VrrpScript, VrrpSyncGroup, VrrpTrackProcess } from '../model/vrrp.js';
import { parseIpAddressEntry } from '../entries/ip-address.js';
import { parseIpRouteEntry } from '../entries/ip-route.js';
import { parseIpRuleEntry } from '../entries/ip-rule.js';
import { currentSyncGroup, entryContext, interfaceExists, interfaceUsable, trackInterfaceEntry, trackRefEntry } from './vrrp-common.js';
import { vrrpInstanceRoot } from './vrrp-instance.js';

const GE = ConfigErr.GENERAL_ERROR;
const UINT_MAX = 4294967295;
const INT_MAX = 2147483647;

/**
 * The NAME of a `KEYWORD NAME {` block, or undefined — reported, and the block skipped, as
 * keepalived does — when the name is missing (or not alone) or already defined.
 */
function newBlockName(
  ctx: KeywordContext,
  strvec: Strvec,
  missing: string,
  existing: readonly { readonly name: string }[],
  duplicate: (name: string) => string,
): string | undefined {
  const name = strvec.length === 2 ? strvec[1]! : undefined;
  const problem = name === undefined ? missing : existing.some((e) => e.name === name) ? duplicate(name) : undefined;
  if (problem === undefined) return name;
  ctx.report(GE, problem);
  ctx.skipBlock(true);
  return undefined;
}

/* ---- track_group ---- */

const trackGroupRoot: KeywordDef = {
  name: 'track_group',
  args: 'NAME { group { INSTANCE … } }',
  summary: 'instances put in FAULT when a static address/route/rule with this track_group goes',
  handler: (strvec, ctx) => {
    const name = newBlockName(ctx, strvec, 'track_group must have a name - skipping', ctx.config.vrrp.trackGroups, (n) => `track_group ${n} already defined`);
    if (name !== undefined) ctx.config.vrrp.trackGroups.push({ at: ctx.position, name });
  },
  sub: [
    {
      name: 'group',
      args: '{ INSTANCE … }',
      summary: 'the vrrp instances of the track group',
      handler: (strvec, ctx) => {
        const g = ctx.config.vrrp.trackGroups[ctx.config.vrrp.trackGroups.length - 1]!;
        if (g.group) {
          ctx.report(GE, `Group list already specified for sync group ${g.name}`);
          ctx.skipBlock(true);
          return;
        }
        const words = ctx.readValueWords(strvec);
        if (words.length) g.group = words;
        else ctx.report(GE, `Warning - track group ${g.name} has empty group block`);
      },
    },
  ],
};

/* ---- static_* ---- */

/** A static_* block: each line is an entry parsed as its VRRP counterpart, kept in `target`. */
function staticBlock<T>(
  name: string,
  args: string,
  summary: string,
  parse: (e: ReturnType<typeof entryContext>, words: Strvec, isStatic: boolean) => T | undefined,
  target: (ctx: KeywordContext) => T[],
): KeywordDef {
  return {
    name,
    args,
    summary,
    handler: (strvec, ctx) => {
      ctx.config.vrrp.haveVrrpConfig = true;
      const e = entryContext(ctx);
      ctx.readValueBlock(strvec, (w) => {
        const entry = parse(e, w, true);
        if (entry) target(ctx).push(entry);
      });
    },
  };
}

const staticRoots: KeywordDef[] = [
  staticBlock(
    'static_ipaddress',
    '{ ADDR[/PREFIX] [dev IF] … [track_group G] }',
    'addresses configured at startup, never moved by VRRP',
    parseIpAddressEntry,
    (ctx) => ctx.config.vrrp.staticAddresses,
  ),
  staticBlock('static_routes', '{ ip route syntax … }', 'routes configured at startup', parseIpRouteEntry, (ctx) => ctx.config.vrrp.staticRoutes),
  staticBlock('static_rules', '{ ip rule syntax … }', 'rules configured at startup', parseIpRuleEntry, (ctx) => ctx.config.vrrp.staticRules),
];

/* ---- vrrp_sync_group ---- */

type SgNotify = 'notifyBackup' | 'notifyMaster' | 'notifyFault' | 'notifyStop' | 'notify';

function sgNotify(name: string, field: SgNotify, summary: string): KeywordDef {
  return {
    name,
    args: '"CMD [ARGS]" [USER [GROUP]]',
    support: 'supported',
    summary,
    handler: (strvec, ctx) => {
      const g = currentSyncGroup(ctx);
      if (g[field] !== undefined) {
        ctx.report(GE, `vrrp group ${g.name}: ${name} script already specified - ignoring ${need(ctx, strvec, 1)}`);
        return;
      }
      const s = parseScript(ctx, strvec, name);
      if (s) g[field] = s;
    },
  };
}

const sgTrack = (kind: 'interface' | 'script' | 'file' | 'process' | 'bfd') => (strvec: Strvec, ctx: KeywordContext) => {
  const g = currentSyncGroup(ctx);
  ctx.readValueBlock(strvec, (words) => {
    if (kind === 'interface') trackInterfaceEntry(ctx, g.name, g.trackInterfaces, words);
    else trackRefEntry(ctx, kind, g.name, { script: g.trackScripts, file: g.trackFiles, process: g.trackProcesses, bfd: g.trackBfds }[kind], words);
  });
};

function optBool(strvec: Strvec, ctx: KeywordContext, msg: (w: string) => string): boolean | undefined {
  if (strvec.length < 2) return true;
  const r = checkTrueFalse(strvec[1]!);
  if (r === undefined) ctx.report(GE, msg(strvec[1]!));
  return r;
}

const syncGroupRoot: KeywordDef = {
  name: 'vrrp_sync_group',
  support: 'supported',
  args: 'NAME { group { INSTANCE … } … }',
  summary: 'instances that change state together',
  handler: (strvec, ctx) => {
    const name = newBlockName(ctx, strvec, 'vrrp_sync_group must have a name - skipping', ctx.config.vrrp.syncGroups, (n) => `vrrp sync group ${n} already defined`);
    if (name === undefined) return;
    const g: VrrpSyncGroup = {
      at: ctx.position,
      name,
      members: [],
      trackInterfaces: [],
      trackScripts: [],
      trackFiles: [],
      trackProcesses: [],
      trackBfds: [],
      trackingWeight: false,
    };
    ctx.config.vrrp.syncGroups.push(g);
  },
  sub: [
    {
      name: 'group',
      support: 'supported',
      args: '{ INSTANCE … }',
      summary: 'the member instances',
      handler: (strvec, ctx) => {
        const g = currentSyncGroup(ctx);
        if (g.group) {
          ctx.report(GE, `Group list already specified for sync group ${g.name}`);
          ctx.skipBlock(true);
          return;
        }
        const words = ctx.readValueWords(strvec);
        if (words.length) g.group = words;
        else ctx.report(GE, `Warning - sync group ${g.name} has empty group block`);
      },
    },
    { name: 'track_interface', support: 'supported', args: '{ IF [weight W [reverse]] … }', summary: 'interfaces tracked by the whole group', handler: sgTrack('interface') },
    { name: 'track_script', support: 'supported', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'scripts tracked by the whole group', handler: sgTrack('script') },
    { name: 'track_file', support: 'supported', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'track files tracked by the whole group', handler: sgTrack('file') },
    { name: 'track_process', support: 'supported', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'processes tracked by the whole group', handler: sgTrack('process') },
    { name: 'track_bfd', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'BFD sessions tracked by the whole group', handler: sgTrack('bfd') },
    sgNotify('notify_backup', 'notifyBackup', 'script run when the group enters BACKUP'),
    sgNotify('notify_master', 'notifyMaster', 'script run when the group enters MASTER'),
    sgNotify('notify_fault', 'notifyFault', 'script run when the group enters FAULT'),
    sgNotify('notify_stop', 'notifyStop', 'script run when the group stops'),
    sgNotify('notify', 'notify', 'script run on every group state change (GROUP name STATE 0 appended)'),
    {
      name: 'smtp_alert',
      args: '[BOOL]',
      summary: 'send email on group state changes',
      handler: (strvec, ctx) => {
        const b = optBool(strvec, ctx, (w) => `Invalid vrrp_group smtp_alert parameter ${w}`);
        if (b !== undefined) currentSyncGroup(ctx).smtpAlert = b;
      },
    },
    {
      name: 'global_tracking',
      support: 'supported',
      deprecatedBy: 'sync_group_tracking_weight',
      summary: 'use member tracker weights (deprecated)',
      handler: (_s, ctx) => {
        const g = currentSyncGroup(ctx);
        ctx.report(GE, `(${g.name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`);
        g.trackingWeight = true;
      },
    },
    { name: 'sync_group_tracking_weight', support: 'supported', summary: 'use member tracker weights', handler: (_s, ctx) => void (currentSyncGroup(ctx).trackingWeight = true) },
    {
      name: 'notify_priority_changes',
      support: 'supported',
      args: '[BOOL]',
      summary: 'notify on member priority changes',
      handler: (strvec, ctx) => {
        const g = currentSyncGroup(ctx);
        const b = optBool(strvec, ctx, (w) => `(${g.name}) Invalid value '${w}' for sync group notify_priority_changes specified`);
        if (b !== undefined) g.notifyPriorityChanges = b;
      },
    },
  ],
};

/* ---- garp_group ---- */

const currentGarp = (ctx: KeywordContext): GarpGroup => ctx.config.vrrp.garpGroups[ctx.config.vrrp.garpGroups.length - 1]!;

/** Which garp group an interface already belongs to (ifp->garp_delay). */
const garpOwner = (ctx: KeywordContext, ifname: string) => ctx.config.vrrp.garpGroups.find((g) => g.interfaces.includes(ifname));

const garpGroupRoot: KeywordDef = {
  name: 'garp_group',
  support: 'supported',
  args: '{ garp_interval S; gna_interval S; interface IF | interfaces { … } }',
  summary: 'GARP/NA rate limits per interface group',
  handler: (_s, ctx) => void ctx.config.vrrp.garpGroups.push({ at: ctx.position, interfaces: [], aggregationGroup: 0 }),
  close: (ctx) => {
    const g = currentGarp(ctx);
    if (g.garpInterval === undefined && g.gnaInterval === undefined) {
      ctx.report(GE, `garp group ${g.aggregationGroup} does not have any delay set - removing`);
      ctx.config.vrrp.garpGroups.pop();
    }
  },
  sub: [
    ...(['garp_interval', 'gna_interval'] as const).map((name): KeywordDef => ({
      name,
      support: 'supported',
      args: 'SECONDS',
      summary: name === 'garp_interval' ? 'minimum interval between GARPs' : 'minimum interval between unsolicited NAs',
      handler: (strvec, ctx) => {
        const g = currentGarp(ctx);
        const w = need(ctx, strvec, 1);
        const v = readDecimal(ctx, w, 0, INT_MAX, 6);
        if (v === undefined) return ctx.report(GE, `garp_group ${name} '${w}' invalid`);
        if (name === 'garp_interval') g.garpInterval = v;
        else g.gnaInterval = v;
      },
    })),
    {
      name: 'interface',
      support: 'supported',
      args: 'IFNAME',
      summary: 'the interface of this group',
      handler: (strvec, ctx) => {
        const name = need(ctx, strvec, 1);
        if (!interfaceUsable(ctx, name)) return ctx.report(GE, `WARNING - interface ${name} specified for garp_group doesn't exist`);
        if (garpOwner(ctx, name)) return ctx.report(GE, `garp_group already specified for ${name} - ignoring`);
        currentGarp(ctx).interfaces.push(name);
      },
    },
    {
      name: 'interfaces',
      support: 'supported',
      args: '{ IFNAME … }',
      summary: 'the interfaces of this aggregation group',
      handler: (strvec, ctx) => {
        const g = currentGarp(ctx);
        const names = ctx.readValueWords(strvec);
        if (!names.length) return ctx.report(GE, 'Warning - empty garp_group interfaces block');
        g.aggregationGroup = 1 + ctx.config.vrrp.garpGroups.filter((o) => o !== g && o.aggregationGroup).length;
        for (const name of names) {
          if (!interfaceUsable(ctx, name)) {
            if (!ctx.config.global.dynamicInterfaces) ctx.report(GE, `WARNING - interface ${name} specified for garp_group doesn't exist`);
            continue;
          }
          // keepalived names the block's second word here, whatever the duplicate was
          if (garpOwner(ctx, name)) {
            ctx.report(GE, `garp_group already specified for ${names[1] ?? '(null)'} - ignoring`);
            continue;
          }
          g.interfaces.push(name);
        }
      },
    },
  ],
};

/* ---- linkbeat_interfaces / interface_up_down_delays ---- */

/** if_get_by_ifname(name, dynamic_interfaces ? IF_CREATE_IF_DYNAMIC : IF_NO_CREATE). */
const ifFound = (ctx: KeywordContext, name: string) =>
  ctx.config.global.dynamicInterfaces ? interfaceUsable(ctx, name) : interfaceExists(ctx, name);

const linkbeatRoot: KeywordDef = {
  name: 'linkbeat_interfaces',
  args: '{ IFNAME [MII|ETHTOOL|IOCTL] … }',
  summary: 'interfaces whose link state is polled',
  handler: (strvec, ctx) => {
    ctx.readValueBlock(strvec, (w) => {
      const name = need(ctx, w, 0);
      if (!ifFound(ctx, name)) return ctx.report(ConfigErr.FATAL, `unknown interface ${name} specified for linkbeat interface`);
      let type: 'MII' | 'ETHTOOL' | 'IOCTL' | undefined;
      if (w.length > 1) {
        if (w[1] === 'MII' || w[1] === 'ETHTOOL' || w[1] === 'IOCTL') type = w[1];
        if (!type || w.length > 2) ctx.report(GE, `extra characters ${w[1]} in linkbeat interface`);
      }
      const entry = ctx.config.vrrp.linkbeatInterfaces.find((l) => l.name === name);
      if (entry) {
        if (type) entry.type = type;
        else delete entry.type;
      } else ctx.config.vrrp.linkbeatInterfaces.push(type ? { at: ctx.position, name, type } : { at: ctx.position, name });
    });
  },
};

const upDownDelaysRoot: KeywordDef = {
  name: 'interface_up_down_delays',
  args: '{ IFNAME DOWN_DELAY [UP_DELAY] … }',
  summary: 'debounce interface link changes (seconds, µs resolution)',
  handler: (strvec, ctx) => {
    ctx.readValueBlock(strvec, (w) => {
      const name = need(ctx, w, 0);
      if (!ifFound(ctx, name)) return ctx.report(ConfigErr.FATAL, `unknown interface ${name} specified for up/down delay`);
      if (w.length < 2) return; // "No timeouts specified" (logged)
      const down = readTimer(ctx, w[1]!, 0, 255 * TIMER_HZ);
      if (down === undefined) return; // "Invalid down delay" (logged)
      let up = 0;
      if (w.length > 2) {
        const u = readTimer(ctx, w[2]!, 0, 255 * TIMER_HZ);
        if (u === undefined) return; // "Invalid up delay" (logged)
        up = u;
      }
      const list = ctx.config.vrrp.interfaceUpDownDelays;
      const i = list.findIndex((d) => d.name === name);
      const entry = { at: ctx.position, name, downDelay: down, upDelay: up };
      if (i >= 0) list[i] = entry;
      else list.push(entry);
    });
  },
};

/* ---- vrrp_script ---- */

const SCRIPT_STATE = 'vrrp.scriptState';
interface ScriptState {
  script: VrrpScript;
  /** The `user` keyword's identity (keepalived's script_user_set). */
  identity?: ScriptIdentity;
  remove: boolean;
}
const scriptState = (ctx: KeywordContext) => ctx.scratch.get(SCRIPT_STATE) as ScriptState;

/** vrrp_script `rise` / `fall`: a count ≥ 1, keepalived's message and default 1 when invalid. */
function scriptCountKeyword(name: 'rise' | 'fall', summary: string): KeywordDef {
  return {
    name,
    args: 'N',
    default: '1',
    support: 'supported',
    summary,
    handler: (strvec, ctx) => {
      const s = scriptState(ctx).script;
      const w = need(ctx, strvec, 1);
      const n = readUnsigned(ctx, w, 1, INT_MAX);
      if (n === undefined) ctx.report(GE, `(${s.name}): vrrp script ${name} value '${w}' invalid, defaulting to 1`);
      s[name] = n ?? 1;
    },
  };
}

const vrrpScriptRoot: KeywordDef = {
  name: 'vrrp_script',
  support: 'supported',
  args: 'NAME { script …; interval …; … }',
  summary: 'a tracking script',
  handler: (strvec, ctx) => {
    const s: VrrpScript = {
      at: ctx.position,
      name: need(ctx, strvec, 1),
      interval: TIMER_HZ,
      timeout: 0,
      weight: 0,
      reverse: false,
      rise: 1,
      fall: 1,
      initFail: false,
    };
    ctx.config.vrrp.scripts.push(s);
    ctx.scratch.set(SCRIPT_STATE, { script: s, remove: false } satisfies ScriptState);
  },
  close: (ctx) => {
    const st = scriptState(ctx);
    const s = st.script;
    if (!s.script || s.script.argv.length === 0) {
      ctx.report(GE, `No script set for vrrp_script ${s.name} - removing`);
      st.remove = true;
    } else if (!st.remove) {
      const id = st.identity ?? getDefaultScriptUser(ctx);
      if (!id) {
        ctx.report(GE, `Unable to set default user for vrrp script ${s.name} - removing`);
        st.remove = true;
      } else {
        s.script.user = id.user;
        s.script.uid = id.uid;
        s.script.gid = id.gid;
        if (id.group !== undefined) s.script.group = id.group;
      }
    }
    if (st.remove) {
      const list = ctx.config.vrrp.scripts;
      list.splice(list.indexOf(s), 1);
    }
  },
  sub: [
    {
      name: 'script',
      support: 'supported',
      args: '"CMD [ARGS]"',
      summary: 'the command; exit 0 means OK',
      handler: (strvec, ctx) => {
        const s = scriptState(ctx).script;
        const line = splitQuotedEscaped(ctx.rawLine, ctx);
        if (!line || line.length < 2) {
          delete s.script;
          return;
        }
        const argv = splitQuotedEscaped(line[1]!, ctx);
        if (!argv) return;
        s.script = { argv, at: ctx.position };
        void strvec;
      },
    },
    {
      name: 'interval',
      support: 'supported',
      args: 'SECONDS',
      default: '1',
      summary: 'how often the script runs',
      handler: (strvec, ctx) => {
        const s = scriptState(ctx).script;
        const w = need(ctx, strvec, 1);
        const max = Math.floor(UINT_MAX / TIMER_HZ);
        const n = readUnsigned(ctx, w, 0, max);
        if (n === undefined) return ctx.report(GE, `(${s.name}): vrrp script interval '${w}' must be between 1 and ${max} - ignoring`);
        if (n === 0) ctx.report(GE, `(${s.name}): vrrp script interval must be greater than 0, setting to 1`);
        s.interval = (n || 1) * TIMER_HZ;
      },
    },
    {
      name: 'timeout',
      support: 'supported',
      args: 'SECONDS',
      default: 'the interval',
      summary: 'the script is killed after this and counts as failed',
      handler: (strvec, ctx) => {
        const s = scriptState(ctx).script;
        const w = need(ctx, strvec, 1);
        const n = readUnsigned(ctx, w, 0, Math.floor(UINT_MAX / TIMER_HZ));
        if (n === undefined) return ctx.report(GE, `(${s.name}): vrrp script timeout '${w}' invalid - ignoring`);
        if (n === 0) ctx.report(GE, `(${s.name}): vrrp script timeout must be greater than 0, setting to 1`);
        s.timeout = (n || 1) * TIMER_HZ;
      },
    },
    {
      name: 'weight',
      support: 'supported',
      args: '<-253..253> [reverse]',
      default: '0',
      summary: 'priority change while OK (>0) or failed (<0); 0 means FAULT on failure',
      handler: (strvec, ctx) => {
        const s = scriptState(ctx).script;
        const w = need(ctx, strvec, 1);
        const n = readInt(ctx, w, -253, 253);
        if (n === undefined) {
          ctx.report(GE, `vrrp_script ${s.name} weight ${w} must be in [-253, 253]`);
          // keepalived still stores what strtol read
          const m = /^[ \t]*([+-]?[0-9]+)/.exec(w);
          const v = m ? Number(m[1]) : 0;
          s.weight = v < -2147483648 || v > 2147483647 ? (v < 0 ? -2147483648 : 2147483647) : v;
        } else s.weight = n;
        if (strvec.length >= 3) {
          if (strvec[2] === 'reverse') s.reverse = true;
          else ctx.report(GE, `vrrp_script ${s.name} unknown weight option ${strvec[2]}`);
        }
      },
    },
    scriptCountKeyword('rise', 'successes needed to become OK'),
    scriptCountKeyword('fall', 'failures needed to become KO'),
    {
      name: 'user',
      support: 'supported',
      args: 'USER [GROUP]',
      default: 'global script_user',
      summary: 'user (and group) the script runs as',
      handler: (strvec, ctx) => {
        const st = scriptState(ctx);
        const s = st.script;
        const id = lookupScriptUser(ctx.host, need(ctx, strvec, 1), strvec[2]);
        if (!id) {
          ctx.report(GE, `Unable to set uid/gid for script ${s.script ? scriptCommandLine(s.script) : ''}`);
          st.remove = true;
          return;
        }
        st.remove = false;
        st.identity = id;
        s.user = id.user;
        if (id.group !== undefined) s.group = id.group;
        else delete s.group;
      },
    },
    { name: 'init_fail', support: 'supported', summary: 'start in the failed state', handler: (_s, ctx) => void (scriptState(ctx).script.initFail = true) },
  ],
};

/* ---- vrrp_track_process ---- */

const currentProcess = (ctx: KeywordContext): VrrpTrackProcess => ctx.config.vrrp.trackProcesses[ctx.config.vrrp.trackProcesses.length - 1]!;

function processDelay(kind: 'delay' | 'terminate_delay' | 'fork_delay'): KeywordDef {
  return {
    name: kind,
    args: 'SECONDS',
    support: 'supported',
    summary: kind === 'delay' ? 'sets both terminate_delay and fork_delay' : kind === 'fork_delay' ? 'delay before a new process counts' : 'delay before a terminated process counts',
    handler: (strvec, ctx) => {
      const p = currentProcess(ctx);
      const w = need(ctx, strvec, 1);
      const v = readDecimal(ctx, w, 1, 3600 * TIMER_HZ, 6);
      if (v === undefined) {
        const prefix = kind === 'delay' ? '' : kind.replace('delay', '');
        return ctx.report(GE, `${prefix}delay (${w}) for vrrp_track_process ${p.name} must be between [0.000001..3600] inclusive. Ignoring...`);
      }
      if (kind !== 'fork_delay') p.terminateDelay = v;
      if (kind !== 'terminate_delay') p.forkDelay = v;
    },
  };
}

const trackProcessRoot: KeywordDef = {
  name: 'vrrp_track_process',
  support: 'supported',
  args: 'NAME { process …; … }',
  summary: 'a process watched through the proc connector',
  handler: (strvec, ctx) => {
    ctx.config.vrrp.trackProcesses.push({
      at: ctx.position,
      name: need(ctx, strvec, 1),
      paramMatch: 'none',
      weight: 0,
      reverse: false,
      quorum: 1,
      quorumMax: UINT_MAX,
      terminateDelay: 0,
      forkDelay: 0,
      fullCommand: false,
    });
  },
  close: (ctx) => {
    const p = currentProcess(ctx);
    if (p.process === undefined) {
      ctx.report(GE, `track process '${p.name}' process name not specified`);
      ctx.config.vrrp.trackProcesses.pop();
    }
  },
  sub: [
    {
      name: 'process',
      support: 'supported',
      args: 'NAME [ARGS…]',
      summary: 'process name (comm), or command line when args are given',
      handler: (strvec, ctx) => {
        const p = currentProcess(ctx);
        if (p.process !== undefined) return ctx.report(GE, `Process already set for track process ${p.name} - ignoring ${need(ctx, strvec, 1)}`);
        p.process = need(ctx, strvec, 1);
        if (strvec.length > 2) {
          p.params = strvec.slice(2);
          if (p.paramMatch === 'none') p.paramMatch = 'exact';
          p.fullCommand = true;
        }
      },
    },
    {
      name: 'param_match',
      support: 'supported',
      args: '[initial|partial]',
      summary: 'how the arguments are matched',
      handler: (strvec, ctx) => {
        const p = currentProcess(ctx);
        if (strvec.length === 1) p.paramMatch = 'exact';
        else if (strvec[1] === 'initial' || strvec[1] === 'partial') p.paramMatch = strvec[1];
        else return ctx.report(GE, `Invalid param_match type ${strvec[1]} - ignoring`);
        p.fullCommand = true;
      },
    },
    {
      name: 'weight',
      support: 'supported',
      args: '<-254..254> [reverse]',
      default: '0',
      summary: 'priority change; 0 means FAULT when the quorum is lost',
      handler: (strvec, ctx) => {
        const p = currentProcess(ctx);
        if (strvec.length < 2) return ctx.report(GE, `No weight specified for track process ${p.name} - ignoring`);
        if (p.weight) return ctx.report(GE, `Weight already set for track process ${p.name} - ignoring ${strvec[1]}`);
        const n = readInt(ctx, strvec[1]!, -254, 254);
        if (n === undefined) return ctx.report(GE, `Weight (${strvec[1]}) for vrrp_track_process ${p.name} must be between [-254..254] inclusive. Ignoring...`);
        if (strvec.length >= 3) {
          if (strvec[2] === 'reverse') p.reverse = true;
          else ctx.report(GE, `vrrp_track_process ${p.name} unknown weight option ${strvec[2]}`);
        }
        p.weight = n;
      },
    },
    {
      name: 'quorum',
      support: 'supported',
      args: '<1..65535>',
      default: '1',
      summary: 'processes needed to be up',
      handler: (strvec, ctx) => {
        const p = currentProcess(ctx);
        const w = need(ctx, strvec, 1);
        const n = readUnsigned(ctx, w, 1, 65535);
        if (n === undefined) return ctx.report(GE, `Quorum (${w}) for vrrp_track_process ${p.name} must be between [1..65535] inclusive. Ignoring...`);
        if (n > p.quorumMax) return ctx.report(GE, 'Quorum is greater than quorum_max - ignoring');
        p.quorum = n;
      },
    },
    {
      name: 'quorum_max',
      support: 'supported',
      args: '<0..65535>',
      summary: 'more processes than this is a failure',
      handler: (strvec, ctx) => {
        const p = currentProcess(ctx);
        const w = need(ctx, strvec, 1);
        const n = readUnsigned(ctx, w, 0, 65535);
        if (n === undefined) return ctx.report(GE, `quorum_max (${w}) for vrrp_track_process ${p.name} must be between [0..65535] inclusive. Ignoring...`);
        if ((n || p.quorum > 1) && n < p.quorum) return ctx.report(GE, 'quorum_max is less than quorum - ignoring');
        p.quorumMax = n;
        if (n === 0) p.quorum = 0;
        else if (!p.quorum) p.quorum = 1;
      },
    },
    processDelay('delay'),
    processDelay('terminate_delay'),
    processDelay('fork_delay'),
    { name: 'full_command', support: 'supported', summary: 'match the whole command line', handler: (_s, ctx) => void (currentProcess(ctx).fullCommand = true) },
  ],
};

/** Keywords that do not say `support: 'supported'` are 'parsed' (read and checked, not acted on). */
function parsed(defs: readonly KeywordDef[]): KeywordDef[] {
  return defs.map((d) => ({ support: 'parsed', ...d, ...(d.sub ? { sub: parsed(d.sub) } : {}) }));
}

export const vrrpRootKeywords: readonly KeywordDef[] = parsed([
  trackGroupRoot,
  ...staticRoots,
  syncGroupRoot,
  garpGroupRoot,
  linkbeatRoot,
  vrrpInstanceRoot,
  vrrpScriptRoot,
  trackProcessRoot,
  upDownDelaysRoot,
]);

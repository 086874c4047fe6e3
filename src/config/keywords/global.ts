/**
 * Keywords of the global area, as keepalived 2.2.7 installs them (keepalived/core/global_parser.c
 * init_global_keywords, for this build: VRRP, LVS, BFD, VMAC, nftables (no iptables/ipsets),
 * SNMP, DBus, track_process, linkbeat), plus the track_file / vrrp_track_file blocks
 * (keepalived/trackers/track_file.c). Messages are keepalived's wording; log-only messages of
 * keepalived (log_message) are not config diagnostics and are not reported.
 */
import { ConfigErr } from '../diagnostics.js';
import { INCLUDE_B, INCLUDE_M, INCLUDE_R, INCLUDE_W } from '../line-text.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import type { GlobalConfig, NotifyFifo, ProcessTuning } from '../model/global.js';
import type { TrackFile } from '../model/trackers.js';
import { parseScript, scriptUserAt, setDefaultScriptUser } from '../script.js';
import { witnessKeywords } from './witness.js';
import { checkTrueFalse, need, readDecimal, readInt, readUnsigned, TIMER_HZ, TIMER_HZ_DIGITS } from '../values.js';
import { inetAton, isIPv4Multicast, isIPv6MulticastLinkLocal, parseIPv6, parseSockaddr } from '../entries/inet.js';

const UINT_MAX = 4294967295;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
/** sched_get_priority_min/max(SCHED_RR) on Linux. */
const RR_PRIO_MIN = 1;
const RR_PRIO_MAX = 99;
const TASK_COMM_LEN = 16;
const LVS_MAX_TIMEOUT = 86400 * 31;
const IP_VS_IFNAME_MAXLEN = 16;
/** linux/netfilter/nf_tables.h NFT_TABLE_MAXNAMELEN (NFT_NAME_MAXLEN) with current headers. */
const NFT_TABLE_MAXNAMELEN = 256;
const PATH_MAX = 4096;
const IGMP_LINK_LOCAL_MCAST_REPORTS = '/proc/sys/net/ipv4/igmp_link_local_mcast_reports';


const g = (ctx: KeywordContext): GlobalConfig => ctx.config.global;
const err = (ctx: KeywordContext, msg: string) => ctx.report(ConfigErr.GENERAL_ERROR, msg);

/* ------------------------------------------------------------------------------------------ */
/* small keyword builders                                                                      */

type BoolField = { [K in keyof GlobalConfig]: GlobalConfig[K] extends boolean ? K : never }[keyof GlobalConfig];

/** A keyword that just sets a flag (its words are ignored). */
function flag(name: string, field: BoolField, summary: string, extra: Partial<KeywordDef> = {}): KeywordDef {
  return {
    name,
    handler: (_s, ctx) => {
      g(ctx)[field] = true;
    },
    args: '',
    default: 'off',
    support: 'parsed',
    summary,
    ...extra,
  };
}

/**
 * `KEYWORD [BOOL]`: no word means true; an invalid word is reported with keepalived's
 * "Invalid value '%s' for global %s specified" (or a custom message) and changes nothing.
 */
function optionalBool(
  name: string,
  set: (gc: GlobalConfig, v: boolean) => void,
  summary: string,
  message: (word: string) => string = (w) => `Invalid value '${w}' for global ${name} specified`,
): KeywordDef {
  return {
    name,
    handler: (strvec, ctx) => {
      let v = true;
      if (strvec.length >= 2) {
        const r = checkTrueFalse(strvec[1]!);
        if (r === undefined) {
          err(ctx, message(strvec[1]!));
          return;
        }
        v = r;
      }
      set(g(ctx), v);
    },
    args: '[<BOOL>]',
    default: 'off',
    support: 'parsed',
    summary,
  };
}

/** set_value(): word 1 (missing aborts, as strvec_slot). */
const setValue = (strvec: Strvec): string => strvec[1]!;

/* ------------------------------------------------------------------------------------------ */
/* process names and tuning                                                                    */

function saveProcessName(ctx: KeywordContext, src: string): string {
  if (src.length >= TASK_COMM_LEN) {
    err(ctx, `Process name ${src} more than ${TASK_COMM_LEN - 1} characters, truncating`);
    return src.slice(0, TASK_COMM_LEN - 1);
  }
  return src;
}

type ProcessKind = 'vrrp' | 'checker' | 'bfd';
const tuning = (ctx: KeywordContext, p: ProcessKind): ProcessTuning =>
  p === 'vrrp' ? g(ctx).vrrpProcess : p === 'checker' ? g(ctx).checkerProcess : g(ctx).bfdProcess;

function processKeywords(p: ProcessKind): KeywordDef[] {
  const label = p;
  return [
    {
      name: `${p}_priority`,
      handler: (strvec, ctx) => {
        // get_priority()
        if (strvec.length < 2) {
          err(ctx, `No ${label} process priority specified`);
          tuning(ctx, p).priority = 0;
          return;
        }
        const v = readInt(ctx, strvec[1]!, -20, 19);
        if (v === undefined) {
          err(ctx, `Invalid ${label} process priority specified`);
          tuning(ctx, p).priority = 0;
          return;
        }
        tuning(ctx, p).priority = v;
      },
      args: '<-20..19>',
      default: '0',
      support: 'parsed',
      summary: `nice priority of the ${label} process`,
    },
    {
      name: `${p}_no_swap`,
      handler: (_s, ctx) => {
        tuning(ctx, p).noSwap = true;
      },
      args: '',
      default: 'off',
      support: 'parsed',
      summary: `lock the ${label} process in memory`,
    },
    {
      name: `${p}_rt_priority`,
      handler: (strvec, ctx) => {
        // get_realtime_priority()
        if (strvec.length < 2) {
          err(ctx, `No ${label} process real-time priority specified`);
          return;
        }
        let v = readInt(ctx, strvec[1]!, INT_MIN, INT_MAX);
        if (v === undefined) {
          err(ctx, `${label} process real-time priority '${strvec[1]}' invalid`);
          return;
        }
        if (v < RR_PRIO_MIN) {
          err(ctx, `${label} process real-time priority ${v} less than minimum ${RR_PRIO_MIN} - setting to minimum`);
          v = RR_PRIO_MIN;
        } else if (v > RR_PRIO_MAX) {
          err(ctx, `${label} process real-time priority ${v} greater than maximum ${RR_PRIO_MAX} - setting to maximum`);
          v = RR_PRIO_MAX;
        }
        tuning(ctx, p).rtPriority = v;
      },
      args: `<${RR_PRIO_MIN}..${RR_PRIO_MAX}>`,
      support: 'parsed',
      summary: `SCHED_RR real-time priority of the ${label} process`,
    },
    {
      name: `${p}_cpu_affinity`,
      handler: (strvec, ctx) => {
        // get_cpu_affinity()
        if (strvec.length < 2) {
          err(ctx, `No ${label} cpu_id set specified`);
          return;
        }
        const maxCpu = cpuCount(ctx) - 1;
        const cpus: number[] = [];
        for (let i = 1; i < strvec.length; i++) {
          const v = readInt(ctx, strvec[i]!, 0, maxCpu);
          if (v === undefined) {
            const shown = /^-?[0-9]+$/.test(strvec[i]!) ? Number(strvec[i]) : 0;
            err(ctx, `Invalid cpu_id:${shown} specified for ${label} process`);
            tuning(ctx, p).cpuAffinity = undefined;
            return;
          }
          if (!cpus.includes(v)) cpus.push(v);
        }
        tuning(ctx, p).cpuAffinity = cpus.sort((a, b) => a - b);
      },
      args: '<CPU_ID>...',
      support: 'parsed',
      summary: `CPUs the ${label} process may run on`,
    },
    rlimitKeyword(p, `${p}_rlimit_rttime`),
    rlimitKeyword(p, `${p}_rlimit_rtime`, `${p}_rlimit_rttime`),
  ];
}

/** The number of online CPUs: from the host facts when they provide it (cpuCount), else no upper bound. */
function cpuCount(ctx: KeywordContext): number {
  const n = ctx.host.cpuCount;
  return n !== undefined && n > 0 ? n : INT_MAX;
}

function rlimitKeyword(p: ProcessKind, name: string, deprecatedBy?: string): KeywordDef {
  return {
    name,
    handler: (strvec, ctx) => {
      // get_rt_rlimit(); the deprecation of *_rlimit_rtime is only logged by keepalived
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 1, UINT_MAX);
      if (v === undefined) {
        err(ctx, `Invalid ${p} real-time limit - ${strvec[1]}`);
        tuning(ctx, p).rlimitRttime = 0;
        return;
      }
      tuning(ctx, p).rlimitRttime = v === 1 ? 2 : v;
    },
    args: '<MICROSECONDS>',
    default: '10000',
    ...(deprecatedBy ? { deprecatedBy } : {}),
    support: 'parsed',
    summary: `RLIMIT_RTTIME of the ${p} process (µs)`,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* scripts and fifos                                                                           */

function startupShutdownScript(startup: boolean): KeywordDef {
  const type = startup ? 'startup' : 'shutdown';
  return {
    name: `${type}_script`,
    handler: (strvec, ctx) => {
      const gc = g(ctx);
      if ((startup ? gc.startupScript : gc.shutdownScript) !== undefined) {
        err(ctx, `${type} script already specified`);
        return;
      }
      if (strvec.length < 2) {
        err(ctx, `${type} script missing`);
        return;
      }
      const script = parseScript(ctx, strvec, type);
      if (!script) {
        err(ctx, `Invalid ${type} script`);
        return;
      }
      if (startup) {
        gc.startupScript = script;
        if (!gc.startupScriptTimeout) gc.startupScriptTimeout = 10;
      } else {
        gc.shutdownScript = script;
        if (!gc.shutdownScriptTimeout) gc.shutdownScriptTimeout = 10;
      }
    },
    args: '"<COMMAND>" [<USER> [<GROUP>]]',
    support: 'parsed',
    summary: `script the parent process runs at ${type}`,
  };
}

function startupShutdownTimeout(startup: boolean): KeywordDef {
  const type = startup ? 'startup' : 'shutdown';
  return {
    name: `${type}_script_timeout`,
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, `${type}_script_timeout requires value`);
        return;
      }
      const v = readUnsigned(ctx, strvec[1]!, 1, 1000);
      if (v === undefined) {
        err(ctx, `${type}_script_timeout '${strvec[1]}' must be in [1, 1000] - ignoring`);
        return;
      }
      if (startup) g(ctx).startupScriptTimeout = v;
      else g(ctx).shutdownScriptTimeout = v;
    },
    args: '<1..1000>',
    default: '10',
    support: 'parsed',
    summary: `seconds to wait for the ${type} script`,
  };
}

function fifoKeywords(prefix: '' | 'vrrp_' | 'lvs_', get: (gc: GlobalConfig) => NotifyFifo, what: string): KeywordDef[] {
  return [
    {
      name: `${prefix}notify_fifo`,
      handler: (strvec, ctx) => {
        const fifo = get(g(ctx));
        if (strvec.length < 2) {
          err(ctx, `No ${prefix}notify_fifo name specified`);
          return;
        }
        if (fifo.name !== undefined) {
          err(ctx, `${prefix}notify_fifo already specified - ignoring ${strvec[1]}`);
          return;
        }
        // "Invalid user/group for %s fifo %s - ignoring" / "Failed to set default user …" are logged only
        const id = scriptUserAt(ctx, strvec, 2);
        if (!id) return;
        fifo.user = id.user;
        fifo.group = id.group;
        fifo.uid = id.uid;
        fifo.gid = id.gid;
        fifo.name = strvec[1]!;
      },
      args: '<PATH> [<USER> [<GROUP>]]',
      support: 'supported',
      summary: `FIFO receiving ${what} state changes`,
    },
    {
      name: `${prefix}notify_fifo_script`,
      handler: (strvec, ctx) => {
        const fifo = get(g(ctx));
        if (strvec.length < 2) {
          err(ctx, `No ${prefix}notify_fifo_script specified`);
          return;
        }
        if (fifo.script !== undefined) {
          err(ctx, `${prefix}notify_fifo_script already specified - ignoring ${strvec[1]}`);
          return;
        }
        fifo.script = parseScript(ctx, strvec, `${prefix}notify_fifo`);
      },
      args: '"<COMMAND>" [<USER> [<GROUP>]]',
      support: 'supported',
      summary: `script reading the ${prefix}notify_fifo`,
    },
  ];
}

/* ------------------------------------------------------------------------------------------ */
/* netlink buffers                                                                             */

function rcvBufs(type: string, set: (gc: GlobalConfig, v: number) => void): KeywordDef {
  return {
    name: `${type}_rcv_bufs`,
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, `${type}_rcv_bufs size missing`);
        return;
      }
      const v = readUnsigned(ctx, strvec[1]!, 0, UINT_MAX);
      if (v === undefined) {
        err(ctx, `${type}_rcv_bufs size (${strvec[1]}) invalid`);
        return;
      }
      if (v) set(g(ctx), v);
    },
    args: '<BYTES>',
    support: 'parsed',
    summary: `netlink ${type.replace(/_/g, ' ')} socket receive buffer size`,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* handlers with more logic                                                                    */

function smtpServerHandler(strvec: Strvec, ctx: KeywordContext): void {
  const host = need(ctx, strvec, 1);
  const port = strvec.length >= 3 ? strvec[2]! : '25';
  let ok = true;
  const portNum = readUnsigned(ctx, port, 1, 65535);
  if (portNum === undefined) ok = false;
  let isAddress = false;
  if (ok && !/[-/]/.test(host)) isAddress = parseSockaddr(host) !== undefined;
  if (ok && !isAddress) {
    // domain_stosockaddr(): keepalived resolves the name with getaddrinfo(), which also takes
    // inet_aton's numeric forms ("65536" is 0.1.0.0); keepalived-ts takes any well-formed host
    // name (resolution is a run-time matter).
    ok =
      inetAton(host) !== undefined ||
      (/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host) && !/^[0-9.]+$/.test(host));
  }
  if (!ok) {
    err(ctx, `Invalid smtp server ${host} ${port}`);
    return;
  }
  g(ctx).smtpServer = { host, port, isAddress };
}

function smtpConnectTimeoutHandler(strvec: Strvec, ctx: KeywordContext): void {
  const max = Math.floor(UINT_MAX / TIMER_HZ);
  let v = readUnsigned(ctx, need(ctx, strvec, 1), 0, max);
  if (v === undefined) {
    err(ctx, `smtp_connect_timeout '${strvec[1]}' must be in [0, ${max}] - ignoring`);
    return;
  }
  if (v === 0) {
    // sic: keepalived's spelling
    err(ctx, 'smtp_conect_timeout must be greater than 0, setting to 1');
    v = 1;
  }
  g(ctx).smtpConnectTimeout = v * TIMER_HZ;
}

function maxAutoPriorityHandler(strvec: Strvec, ctx: KeywordContext): void {
  if (strvec.length < 2) {
    g(ctx).maxAutoPriority = RR_PRIO_MAX;
    return;
  }
  const v = readInt(ctx, strvec[1]!, -1, RR_PRIO_MAX);
  if (v === undefined) {
    err(ctx, `max_auto_priority '${strvec[1]}' must be in [0, ${RR_PRIO_MAX}] (or -1 to disable) - ignoring`);
    return;
  }
  g(ctx).maxAutoPriority = v;
}

function lvsTimeoutsHandler(strvec: Strvec, ctx: KeywordContext): void {
  if (strvec.length < 3) {
    err(ctx, 'lvs_timeouts requires at least one option');
    return;
  }
  const t = g(ctx).lvsTimeouts;
  for (let i = 1; i < strvec.length; i++) {
    const word = strvec[i]!;
    const key = word === 'tcp' ? 'tcp' : word === 'tcpfin' ? 'tcpFin' : word === 'udp' ? 'udp' : undefined;
    if (!key) {
      err(ctx, `Unknown option ${word} specified for lvs_timeouts`);
      continue;
    }
    if (i === strvec.length - 1) {
      err(ctx, `No value specified for lvs_timeout ${word} - ignoring`);
      continue;
    }
    const v = readUnsigned(ctx, strvec[i + 1]!, 0, LVS_MAX_TIMEOUT);
    if (v === undefined) err(ctx, `Invalid lvs_timeout ${word} (${strvec[i + 1]}) - ignoring`);
    else t[key] = v;
    i++;
  }
}

function lvsSyncDaemonHandler(strvec: Strvec, ctx: KeywordContext): void {
  const gc = g(ctx);
  if (gc.lvsSyncDaemon) {
    err(ctx, `lvs_sync_daemon has already been specified as ${gc.lvsSyncDaemon.interface} ${gc.lvsSyncDaemon.vrrpInstance ?? ''} - ignoring`);
    return;
  }
  if (strvec.length < 2) {
    err(ctx, 'lvs_sync_daemon requires interface');
    return;
  }
  if (strvec[1]!.length >= IP_VS_IFNAME_MAXLEN) {
    err(ctx, `lvs_sync_daemon interface name '${strvec[1]}' too long - ignoring`);
    return;
  }
  const sd = (gc.lvsSyncDaemon = {
    interface: strvec[1]!,
    vrrpInstance: undefined as string | undefined,
    syncId: undefined as number | undefined,
    maxlen: undefined as number | undefined,
    port: undefined as number | undefined,
    ttl: undefined as number | undefined,
    group: undefined as string | undefined,
    at: ctx.position,
  });
  const last = strvec.length - 1;
  for (let i = 2; i < strvec.length; i++) {
    const word = strvec[i]!;
    const valued = (what: string, min: number, max: number, set: (v: number) => void, invalid: string): void => {
      if (i === last) {
        err(ctx, `No value specified for lvs_sync_daemon ${what}`);
        return;
      }
      const v = readUnsigned(ctx, strvec[i + 1]!, min, max);
      if (v === undefined) err(ctx, invalid.replace('%s', strvec[i + 1]!));
      else set(v);
      i++;
    };
    if (word === 'inst') {
      const name = need(ctx, strvec, i + 1);
      if (sd.vrrpInstance !== undefined)
        err(ctx, `lvs_sync_daemon vrrp instance has already been specified as ${sd.vrrpInstance} - ignoring`);
      else sd.vrrpInstance = name;
      i++;
      continue;
    }
    if (word === 'id') {
      if (i === last) {
        err(ctx, 'No value specified for lvs_sync_daemon id, defaulting to vrid');
        continue;
      }
      const v = readUnsigned(ctx, strvec[i + 1]!, 0, 255);
      if (v === undefined) err(ctx, `Invalid syncid (${strvec[i + 1]}) - defaulting to vrid`);
      else sd.syncId = v;
      i++;
      continue;
    }
    if (word === 'maxlen') {
      valued('maxlen - ignoring', 1, 65535 - 20 - 8, (v) => (sd.maxlen = v), 'Invalid lvs_sync_daemon maxlen (%s) - ignoring');
      continue;
    }
    if (word === 'port') {
      valued('port - ignoring', 1, 65535, (v) => (sd.port = v), 'Invalid lvs_sync_daemon port (%s) - ignoring');
      continue;
    }
    if (word === 'ttl') {
      valued('ttl - ignoring', 1, 255, (v) => (sd.ttl = v), 'Invalid lvs_sync_daemon ttl (%s) - ignoring');
      continue;
    }
    if (word === 'group') {
      if (i === last) {
        err(ctx, 'No value specified for lvs_sync_daemon group - ignoring');
        continue;
      }
      const text = strvec[i + 1]!;
      const a = parseSockaddr(text);
      if (!a) err(ctx, `Invalid lvs_sync_daemon group (${text}) - ignoring`);
      else if ((a.family === 'inet' && !isIPv4Multicast(a.address)) || (a.family === 'inet6' && !isIPv6Multicast(a.address)))
        err(ctx, `lvs_sync_daemon group address ${text} is not multicast - ignoring`);
      else sd.group = a.address;
      i++;
      continue;
    }
    // backward compatibility: lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]
    if (i === 2) {
      sd.vrrpInstance = word;
      continue;
    }
    if (i === 3) {
      const v = readUnsigned(ctx, word, 0, 255);
      if (v === undefined) err(ctx, `Invalid syncid (${word}) - defaulting to vrid`);
      else {
        err(ctx, 'Please use keyword "id" before lvs_sync_daemon SYNCID');
        sd.syncId = v;
      }
      continue;
    }
    err(ctx, `Unknown option ${word} specified for lvs_sync_daemon`);
  }
}

function isIPv6Multicast(address: string): boolean {
  const grp = parseIPv6(address);
  return !!grp && (grp[0]! & 0xff00) === 0xff00;
}

function mcastGroupHandler(v6: boolean): (strvec: Strvec, ctx: KeywordContext) => void {
  const name = v6 ? 'vrrp_mcast_group6' : 'vrrp_mcast_group4';
  return (strvec, ctx) => {
    const text = need(ctx, strvec, 1);
    const a = parseSockaddr(text);
    if (!a) {
      err(ctx, `Can't parse ${name} [${text}]. Skipping`);
      return;
    }
    if (a.family !== (v6 ? 'inet6' : 'inet')) {
      err(ctx, `${name} [${text}] is not ${v6 ? 'IPv6' : 'IPv4'}. Skipping`);
      return;
    }
    if (v6 ? !isIPv6Multicast(a.address) : !isIPv4Multicast(a.address)) {
      err(ctx, `${name} [${text}] is not multicast. Skipping`);
      return;
    }
    if (v6) {
      if (!isIPv6MulticastLinkLocal(a.address)) ctx.report(ConfigErr.WARNING, `${name} [${text}] should be link-local multicast.`);
      g(ctx).vrrpMcastGroup6 = a.address;
    } else g(ctx).vrrpMcastGroup4 = a.address;
  };
}

/** vrrp_garp_master_delay / vrrp_garp_lower_prio_delay: whole seconds → µs. */
function garpSeconds(name: string, set: (gc: GlobalConfig, us: number) => void, message: (w: string) => string): KeywordDef['handler'] {
  void name;
  return (strvec, ctx) => {
    const v = readUnsigned(ctx, need(ctx, strvec, 1), 0, Math.floor(UINT_MAX / TIMER_HZ));
    if (v === undefined) {
      err(ctx, message(strvec[1]!));
      return;
    }
    set(g(ctx), v * TIMER_HZ);
  };
}

/** A repeat count where 0 is raised to 1 (kept for compatibility with keepalived < 2.0.7). */
function repeatAtLeastOne(name: string, set: (gc: GlobalConfig, v: number) => void): KeywordDef['handler'] {
  return (strvec, ctx) => {
    let v = readUnsigned(ctx, need(ctx, strvec, 1), 0, UINT_MAX);
    if (v === undefined) {
      err(ctx, `${name} '${strvec[1]}' invalid - ignoring`);
      return;
    }
    if (v === 0) {
      err(ctx, `${name} must be greater than 0, setting to 1`);
      v = 1;
    }
    set(g(ctx), v);
  };
}

function garpIntervalHandler(name: 'vrrp_garp_interval' | 'vrrp_gna_interval'): KeywordDef['handler'] {
  return (strvec, ctx) => {
    const v = readDecimal(ctx, need(ctx, strvec, 1), 1, UINT_MAX, TIMER_HZ_DIGITS);
    if (v === undefined) err(ctx, `${name} '${strvec[1]}' is invalid`);
    else if (name === 'vrrp_garp_interval') g(ctx).vrrpGarpInterval = v;
    else g(ctx).vrrpGnaInterval = v;
    // "The … is very large" is only logged
  };
}

function vrrpMinGarpHandler(strvec: Strvec, ctx: KeywordContext): void {
  if (strvec.length >= 2) {
    const r = checkTrueFalse(strvec[1]!);
    if (r === undefined) {
      err(ctx, 'Invalid value for vrrp_min_garp specified');
      return;
    }
    if (!r) return;
  }
  const gc = g(ctx);
  // only the values still at their defaults are changed
  if (gc.vrrpGarpMasterRepeat === 5) gc.vrrpGarpMasterRepeat = 1;
  if (gc.vrrpGarpMasterRefresh === 0) gc.vrrpGarpMasterRefresh = 0;
  if (gc.vrrpGarpMasterRefreshRepeat === 1) gc.vrrpGarpMasterRefreshRepeat = 0;
  if (gc.vrrpGarpMasterDelay === 5 * TIMER_HZ) gc.vrrpGarpMasterDelay = 0;
}

function garpExtraIfHandler(strvec: Strvec, ctx: KeywordContext): void {
  const cmd = strvec[0]!;
  if (cmd === 'vrrp_vmac_garp_intvl')
    ctx.report(ConfigErr.DEPRECATED, 'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"');
  let delay = 0;
  for (let i = 1; i < strvec.length; i++) {
    if (strvec[i] === 'all') g(ctx).vrrpGarpExtraIfAll = true;
    else {
      const v = readUnsigned(ctx, strvec[i]!, 1, 86400);
      if (v === undefined) {
        err(ctx, `${cmd} '${strvec[i]}' invalid - ignoring`);
        return;
      }
      delay = v;
    }
  }
  if (!delay) {
    err(ctx, `${cmd} specified without time - ignoring`);
    return;
  }
  g(ctx).vrrpGarpExtraIf = delay;
}

function boolOrTrue(name: string, set: (gc: GlobalConfig, v: boolean) => void): KeywordDef['handler'] {
  // vrrp_lower_prio_no_advert / vrrp_higher_prio_send_advert
  return (strvec, ctx) => {
    if (strvec.length >= 2) {
      const r = checkTrueFalse(strvec[1]!);
      if (r === undefined) err(ctx, `Invalid value for ${name} specified`);
      else set(g(ctx), r);
    } else set(g(ctx), true);
  };
}

function nftablesHandler(ipvs: boolean): KeywordDef['handler'] {
  return (strvec, ctx) => {
    const gc = g(ctx);
    if ((ipvs ? gc.nftablesIpvs : gc.nftables) !== undefined) {
      err(ctx, ipvs ? 'ipvs nftables already specified - ignoring' : 'nftables already specified - ignoring');
      return;
    }
    let name = ipvs ? 'keepalived_ipvs' : 'keepalived';
    if (strvec.length >= 2) {
      if (strvec[1]!.length >= NFT_TABLE_MAXNAMELEN) {
        err(ctx, ipvs ? 'ipvs nftables table name too long - ignoring' : 'nftables table name too long - ignoring');
        return;
      }
      name = strvec[1]!;
    }
    if (ipvs) {
      gc.nftablesIpvs = name;
      gc.nftablesIpvsPriority = -1;
      gc.nftablesIpvsStartFwmark = 1000;
    } else {
      gc.nftables = name;
      gc.nftablesPriority = -1;
    }
  };
}

function umaskHandler(strvec: Strvec, ctx: KeywordContext): void {
  const mask = need(ctx, strvec, 1);
  let bits = 0;
  if (/^[0-9]/.test(mask)) {
    if (strvec.length !== 2) {
      err(ctx, `${strvec.length === 1 ? 'Missing' : 'Extra'} parameter(s) to umask option`);
      return;
    }
    // strtol(mask, &end, 0)
    const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(mask);
    const v = m ? (/^0[xX]/.test(mask) ? parseInt(mask.slice(2), 16) : mask[0] === '0' ? parseInt(mask, 8) : parseInt(mask, 10)) : NaN;
    if (!m || v < 0 || v & ~0o777) {
      err(ctx, `invalid umask value ${mask}`);
      return;
    }
    bits = v & 0o777;
  } else {
    const names: Readonly<Record<string, number>> = {
      IRUSR: 0o400, IWUSR: 0o200, IXUSR: 0o100, IRGRP: 0o040, IWGRP: 0o020, IXGRP: 0o010, IROTH: 0o004, IWOTH: 0o002, IXOTH: 0o001,
    };
    let needOr = false;
    for (let i = 1; i < strvec.length; i++) {
      const word = strvec[i]!;
      let p = 0;
      while (p < word.length) {
        if (needOr) {
          if (word[p] === '|') {
            needOr = false;
            p++;
            continue;
          }
          err(ctx, `Invalid umask syntax ${word}`);
          return;
        }
        const bit = names[word.slice(p, p + 5)];
        if (bit === undefined) {
          err(ctx, `Unknown umask bit ${word.slice(p)}`);
          return;
        }
        bits |= bit;
        p += 5;
        needOr = true;
      }
    }
    if (!needOr) {
      err(ctx, 'umask missing bit value');
      return;
    }
  }
  g(ctx).umask = bits;
}

function rxBufsPolicyHandler(strvec: Strvec, ctx: KeywordContext): void {
  if (strvec.length < 2) {
    err(ctx, 'vrrp_rx_bufs_policy missing');
    return;
  }
  const p = g(ctx).vrrpRxBufsPolicy;
  for (let i = 1; i < strvec.length; i++) {
    const w = strvec[i]!.toUpperCase();
    if (w === 'MTU') p.mtu = true;
    else if (w === 'ADVERT') p.advert = true;
    else {
      // sic: keepalived reads word 1 here whatever word it is looking at
      const v = readUnsigned(ctx, strvec[1]!, 0, UINT_MAX);
      if (v === undefined) err(ctx, `Invalid vrrp_rx_bufs_policy ${strvec[i]}`);
      else p.size = v;
    }
  }
  if (p.size !== undefined && (p.mtu || p.advert)) {
    err(ctx, 'Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy');
    p.mtu = false;
    p.advert = false;
  } else if (p.mtu && p.advert) {
    err(ctx, 'Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT');
    p.advert = false;
  }
}

function includeCheckHandler(strvec: Strvec, ctx: KeywordContext): void {
  let flags = ctx.includeCheck();
  if (strvec.length > 1) {
    for (let i = 1; i < strvec.length; i++) {
      const word = strvec[i]!;
      let mode: -1 | 0 | 1 = 0;
      let offset = 1;
      if (word[0] === '-') mode = -1;
      else if (word[0] === '+') mode = 1;
      else {
        offset = 0;
        if (i === 1) flags = 0;
        else {
          err(ctx, `Duplicate include_check '${word}' specified - ignoring`);
          continue;
        }
      }
      const name = word.slice(offset);
      const bit =
        name === 'read' ? INCLUDE_R : name === 'match' ? INCLUDE_M : name === 'wildcard_match' ? INCLUDE_W : name === 'brace_match' ? INCLUDE_B : 0;
      if (!bit) err(ctx, `Unknown include_check type '${name}' - ignoring`);
      else if (mode === 0) flags = INCLUDE_R | bit;
      else if (mode === 1) flags |= bit;
      else flags &= ~bit;
    }
  } else flags = INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;
  g(ctx).includeCheck = flags;
  ctx.setIncludeCheck(flags);
}

function configSaveDirHandler(strvec: Strvec, ctx: KeywordContext): void {
  const dir = need(ctx, strvec, 1);
  const st = ctx.host.stat(dir);
  if (st && !st.isDirectory) {
    err(ctx, `config_save_dir ${dir} exists and is not a directory`);
    return;
  }
  // a missing directory is created by keepalived's parent process
  g(ctx).configSaveDir = dir.length > 0 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/* ------------------------------------------------------------------------------------------ */
/* global_defs                                                                                 */

const processNameKeyword = (name: string, field: 'processName' | 'vrrpProcessName' | 'checkerProcessName' | 'bfdProcessName', summary: string, deprecatedBy?: string): KeywordDef => ({
  name,
  handler: (strvec, ctx) => {
    g(ctx)[field] = saveProcessName(ctx, need(ctx, strvec, 1));
  },
  args: '<NAME>',
  ...(deprecatedBy ? { deprecatedBy } : {}),
  support: 'parsed',
  summary,
});

export const globalDefsKeywords: readonly KeywordDef[] = [
  {
    name: 'process_names',
    handler: (_s, ctx) => {
      const gc = g(ctx);
      gc.vrrpProcessName = 'keepalived_vrrp';
      gc.checkerProcessName = 'keepalived_lvs';
      gc.bfdProcessName = 'keepalived_bfd';
    },
    args: '',
    support: 'parsed',
    summary: 'name the child processes keepalived_vrrp, keepalived_lvs and keepalived_bfd',
  },
  processNameKeyword('process_name', 'processName', 'name of the parent process'),
  processNameKeyword('vrrp_process_name', 'vrrpProcessName', 'name of the VRRP process'),
  processNameKeyword('checker_process_name', 'checkerProcessName', 'name of the checker process'),
  processNameKeyword('lvs_process_name', 'checkerProcessName', 'name of the checker process', 'checker_process_name'),
  processNameKeyword('bfd_process_name', 'bfdProcessName', 'name of the BFD process'),
  ...witnessKeywords,
  {
    name: 'router_id',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'routerid name missing - ignoring');
        return;
      }
      g(ctx).routerId = setValue(strvec);
    },
    args: '<STRING>',
    default: 'the host name',
    support: 'parsed',
    summary: 'identifies this machine in notification emails',
  },
  {
    name: 'notification_email_from',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'emailfrom missing - ignoring');
        return;
      }
      g(ctx).notificationEmailFrom = setValue(strvec);
    },
    args: '<EMAIL>',
    default: '<user>@<host name> (with smtp_server)',
    support: 'parsed',
    summary: 'sender address of notification emails',
  },
  { name: 'smtp_server', handler: smtpServerHandler, args: '<IP|NAME> [<PORT>]', support: 'parsed', summary: 'SMTP server for notification emails' },
  {
    name: 'smtp_helo_name',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) return;
      g(ctx).smtpHeloName = strvec[1]!;
    },
    args: '<NAME>',
    default: 'the host name (with smtp_server)',
    support: 'parsed',
    summary: 'name sent in the SMTP HELO',
  },
  { name: 'smtp_connect_timeout', handler: smtpConnectTimeoutHandler, args: '<SECONDS>', default: '30', support: 'parsed', summary: 'SMTP connection timeout' },
  {
    name: 'notification_email',
    handler: (strvec, ctx) => {
      const words = ctx.readValueWords(strvec);
      if (words.length === 0) {
        err(ctx, 'Warning - empty notification_email block');
        return;
      }
      g(ctx).notificationEmail.push(...words);
    },
    args: '{ <EMAIL> ... }',
    support: 'parsed',
    summary: 'recipients of notification emails',
  },
  optionalBool('smtp_alert', (gc, v) => (gc.smtpAlert = v), 'send email alerts (default for vrrp and checker)'),
  startupShutdownScript(true),
  startupShutdownTimeout(true),
  startupShutdownScript(false),
  startupShutdownTimeout(false),
  { name: 'max_auto_priority', handler: maxAutoPriorityHandler, args: '[<-1..99>]', default: '0', support: 'parsed', summary: 'highest real-time priority keepalived may set itself' },
  {
    name: 'min_auto_priority_delay',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'min_auto_priority_delay requires delay time');
        return;
      }
      const v = readInt(ctx, strvec[1]!, 1, 10000000);
      if (v === undefined) {
        err(ctx, `min_auto_priority_delay '${strvec[1]}' must be in [1, 10000000] - ignoring`);
        return;
      }
      g(ctx).minAutoPriorityDelay = v;
    },
    args: '<MICROSECONDS>',
    default: '1000000',
    support: 'parsed',
    summary: 'scheduling delay that triggers raising the priority',
  },
  optionalBool('smtp_alert_vrrp', (gc, v) => (gc.smtpAlertVrrp = v), 'send email alerts for VRRP'),
  optionalBool('smtp_alert_checker', (gc, v) => (gc.smtpAlertChecker = v), 'send email alerts for checkers'),
  { ...optionalBool('checker_log_all_failures', (gc, v) => (gc.checkerLogAllFailures = v), 'log every checker failure', () => 'Invalid value for checker_log_all_failures specified'), support: 'supported' },
  {
    name: 'dynamic_interfaces',
    handler: (strvec, ctx) => {
      g(ctx).dynamicInterfaces = true;
      if (strvec.length >= 2) {
        if (strvec[1] === 'allow_if_changes') g(ctx).allowIfChanges = true;
        else err(ctx, `Unknown dynamic_interfaces option '${strvec[1]}'`);
      }
    },
    args: '[allow_if_changes]',
    default: 'off',
    support: 'parsed',
    summary: 'allow interfaces that do not exist yet',
  },
  flag('no_email_faults', 'noEmailFaults', 'no email for FAULT state'),
  {
    name: 'default_interface',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'default_interface requires interface name');
        return;
      }
      g(ctx).defaultInterface = setValue(strvec);
    },
    args: '<INTERFACE>',
    default: 'eth0',
    support: 'parsed',
    summary: 'interface for static addresses without dev',
  },
  {
    name: 'disable_local_igmp',
    handler: (_s, ctx) => {
      if (!ctx.host.stat(IGMP_LINK_LOCAL_MCAST_REPORTS)) {
        err(ctx, `kernel does not support ${IGMP_LINK_LOCAL_MCAST_REPORTS}`);
        return;
      }
      g(ctx).disableLocalIgmp = true;
    },
    args: '',
    default: 'off',
    support: 'parsed',
    summary: 'stop the kernel sending IGMP reports for link-local groups',
  },
  { name: 'lvs_timeouts', handler: lvsTimeoutsHandler, args: '[tcp <S>] [tcpfin <S>] [udp <S>]', support: 'parsed', summary: 'IPVS connection timeouts' },
  flag('lvs_flush', 'lvsFlush', 'flush all IPVS config at startup'),
  {
    name: 'lvs_flush_on_stop',
    handler: lvsFlushOnStop,
    args: '[VS]',
    default: 'off',
    support: 'parsed',
    summary: 'flush IPVS config at shutdown (all, or only our virtual servers)',
  },
  { name: 'lvs_flush_onstop', handler: lvsFlushOnStop, args: '[VS]', deprecatedBy: 'lvs_flush_on_stop', support: 'parsed', summary: 'old name of lvs_flush_on_stop' },
  {
    name: 'lvs_sync_daemon',
    handler: lvsSyncDaemonHandler,
    args: '<INTERFACE> [inst <VRRP_INSTANCE>] [id <0..255>] [maxlen <N>] [port <N>] [ttl <N>] [group <IP>]',
    support: 'parsed',
    summary: 'run the IPVS connection sync daemon',
  },
  { name: 'vrrp_mcast_group4', handler: mcastGroupHandler(false), args: '<IPV4_MCAST>', default: '224.0.0.18', support: 'supported', summary: 'IPv4 VRRP multicast group' },
  { name: 'vrrp_mcast_group6', handler: mcastGroupHandler(true), args: '<IPV6_MCAST>', default: 'ff02::12', support: 'supported', summary: 'IPv6 VRRP multicast group' },
  {
    name: 'vrrp_garp_master_delay',
    handler: garpSeconds('vrrp_garp_master_delay', (gc, v) => (gc.vrrpGarpMasterDelay = v), (w) => `vrrp_garp_master_delay '${w}' invalid - ignoring`),
    args: '<SECONDS>',
    default: '5',
    support: 'supported',
    summary: 'delay of the second gratuitous ARP burst after becoming master',
  },
  {
    name: 'vrrp_garp_master_repeat',
    handler: repeatAtLeastOne('vrrp_garp_master_repeat', (gc, v) => (gc.vrrpGarpMasterRepeat = v)),
    args: '<N>',
    default: '5',
    support: 'supported',
    summary: 'gratuitous ARPs per burst on becoming master',
  },
  {
    name: 'vrrp_garp_master_refresh',
    handler: (strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 0, UINT_MAX);
      if (v === undefined) {
        err(ctx, `Invalid vrrp_garp_master_refresh '${strvec[1]}' - ignoring`);
        g(ctx).vrrpGarpMasterRefresh = 0;
      } else g(ctx).vrrpGarpMasterRefresh = v;
    },
    args: '<SECONDS>',
    default: '0 (no refresh)',
    support: 'supported',
    summary: 'interval of gratuitous ARP refreshes while master',
  },
  {
    name: 'vrrp_garp_master_refresh_repeat',
    handler: repeatAtLeastOne('vrrp_garp_master_refresh_repeat', (gc, v) => (gc.vrrpGarpMasterRefreshRepeat = v)),
    args: '<N>',
    default: '1',
    support: 'supported',
    summary: 'gratuitous ARPs per refresh',
  },
  {
    name: 'vrrp_garp_lower_prio_delay',
    handler: garpSeconds('vrrp_garp_lower_prio_delay', (gc, v) => (gc.vrrpGarpLowerPrioDelay = v), (w) => `vrrp_garp_lower_prio_delay '${w}' invalid - ignoring`),
    args: '<SECONDS>',
    support: 'supported',
    summary: 'delay of gratuitous ARPs after a lower priority advert',
  },
  {
    name: 'vrrp_garp_lower_prio_repeat',
    handler: (strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 0, INT_MAX);
      if (v === undefined) {
        err(ctx, `Invalid vrrp_garp_lower_prio_repeat '${strvec[1]}'`);
        return;
      }
      g(ctx).vrrpGarpLowerPrioRepeat = v;
    },
    args: '<N>',
    support: 'supported',
    summary: 'gratuitous ARPs after a lower priority advert',
  },
  {
    name: 'vrrp_down_timer_adverts',
    handler: (strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 1, 100);
      if (v === undefined) {
        err(ctx, `Invalid vrrp_down_timer_adverts [1:100] '${strvec[1]}'`);
        return;
      }
      g(ctx).vrrpDownTimerAdverts = v;
    },
    args: '<1..100>',
    default: '3',
    support: 'supported',
    summary: 'adverts missed before the master is declared down',
  },
  { name: 'vrrp_garp_interval', handler: garpIntervalHandler('vrrp_garp_interval'), args: '<SECONDS>', default: '0', support: 'supported', summary: 'delay between gratuitous ARPs on one interface' },
  { name: 'vrrp_gna_interval', handler: garpIntervalHandler('vrrp_gna_interval'), args: '<SECONDS>', default: '0', support: 'supported', summary: 'delay between unsolicited NAs on one interface' },
  { name: 'vrrp_min_garp', handler: vrrpMinGarpHandler, args: '[<BOOL>]', default: 'off', support: 'supported', summary: 'send one gratuitous ARP only, no repeats or refresh' },
  { name: 'vrrp_garp_extra_if', handler: garpExtraIfHandler, args: '[all] <SECONDS>', support: 'parsed', summary: 'gratuitous ARP refresh on the VMAC base interface' },
  { name: 'vrrp_vmac_garp_intvl', handler: garpExtraIfHandler, args: '[all] <SECONDS>', deprecatedBy: 'vrrp_garp_extra_if', support: 'parsed', summary: 'old name of vrrp_garp_extra_if' },
  {
    name: 'vrrp_lower_prio_no_advert',
    handler: boolOrTrue('vrrp_lower_prio_no_advert', (gc, v) => (gc.vrrpLowerPrioNoAdvert = v)),
    args: '[<BOOL>]',
    default: 'off',
    support: 'supported',
    summary: 'do not answer a lower priority advert',
  },
  {
    name: 'vrrp_higher_prio_send_advert',
    handler: boolOrTrue('vrrp_higher_prio_send_advert', (gc, v) => (gc.vrrpHigherPrioSendAdvert = v)),
    args: '[<BOOL>]',
    default: 'off',
    support: 'supported',
    summary: 'send an advert before yielding to a higher priority',
  },
  {
    name: 'vrrp_version',
    handler: (strvec, ctx) => {
      const v = readInt(ctx, need(ctx, strvec, 1), 2, 3);
      if (v === undefined) {
        err(ctx, 'VRRP Error: Version must be either 2 or 3');
        return;
      }
      g(ctx).vrrpVersion = v as 2 | 3;
    },
    args: '<2|3>',
    default: '2',
    support: 'supported',
    summary: 'default VRRP version',
  },
  {
    name: 'vrrp_iptables',
    handler: (_s, ctx) => {
      // this build has nftables and no iptables
      err(ctx, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option");
      g(ctx).nftables = 'keepalived';
      g(ctx).nftablesPriority = -1;
    },
    args: '[<IN_CHAIN> [<OUT_CHAIN>]]',
    deprecatedBy: 'nftables',
    support: 'parsed',
    summary: 'legacy iptables firewall rules (nftables is used instead)',
  },
  { name: 'nftables', handler: nftablesHandler(false), args: '[<TABLE>]', default: 'keepalived', support: 'supported', summary: 'nftables table for VRRP firewall rules' },
  {
    name: 'nftables_priority',
    handler: (strvec, ctx) => {
      const v = readInt(ctx, need(ctx, strvec, 1), INT_MIN, INT_MAX);
      if (v === undefined) ctx.report(ConfigErr.INVALID_NUMBER, `invalid nftables chain priority '${strvec[1]}'`);
      else g(ctx).nftablesPriority = v;
    },
    args: '<INT>',
    default: '-1',
    support: 'supported',
    summary: 'priority of the nftables chains',
  },
  flag('nftables_ifindex', 'nftablesIfindex', 'match interfaces by index in nftables rules'),
  { name: 'nftables_ipvs', handler: nftablesHandler(true), args: '[<TABLE>]', default: 'keepalived_ipvs', support: 'parsed', summary: 'nftables table for IPVS fwmarks' },
  {
    name: 'nftables_ipvs_priority',
    handler: (strvec, ctx) => {
      const v = readInt(ctx, need(ctx, strvec, 1), INT_MIN, INT_MAX);
      if (v === undefined) ctx.report(ConfigErr.INVALID_NUMBER, `invalid ipvs nftables chain priority '${strvec[1]}'`);
      else g(ctx).nftablesIpvsPriority = v;
    },
    args: '<INT>',
    default: '-1',
    support: 'parsed',
    summary: 'priority of the IPVS nftables chains',
  },
  {
    name: 'nftables_ipvs_start_fwmark',
    handler: (strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 1, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.INVALID_NUMBER, `invalid ipvs nftables start_fwmark priority '${strvec[1]}'`);
      else g(ctx).nftablesIpvsStartFwmark = v;
    },
    args: '<FWMARK>',
    default: '1000',
    support: 'parsed',
    summary: 'first fwmark used for IPVS nftables rules',
  },
  flag('nftables_counters', 'nftablesCounters', 'add counters to nftables rules'),
  flag('vrrp_check_unicast_src', 'vrrpCheckUnicastSrc', 'check the source of unicast adverts', { support: 'supported' }),
  flag('vrrp_skip_check_adv_addr', 'vrrpSkipCheckAdvAddr', 'skip checking addresses in adverts from the same master', { support: 'supported' }),
  flag('vrrp_strict', 'vrrpStrict', 'strict RFC compliance', { support: 'supported' }),
  ...processKeywords('vrrp'),
  ...fifoKeywords('', (gc) => gc.notifyFifo, 'all'),
  ...fifoKeywords('vrrp_', (gc) => gc.vrrpNotifyFifo, 'VRRP'),
  { ...optionalBool('vrrp_notify_priority_changes', (gc, v) => (gc.vrrpNotifyPriorityChanges = v), 'report priority changes on the FIFO'), support: 'supported' },
  flag('fifo_write_vrrp_states_on_reload', 'fifoWriteVrrpStatesOnReload', 'write all VRRP states to the FIFO on reload'),
  ...fifoKeywords('lvs_', (gc) => gc.lvsNotifyFifo, 'checker'),
  ...processKeywords('checker'),
  ...processKeywords('bfd'),
  {
    name: 'snmp_socket',
    handler: (strvec, ctx) => {
      if (strvec.length > 2) {
        err(ctx, 'Too many parameters specified for snmp_socket - ignoring');
        return;
      }
      if (strvec.length < 2) {
        err(ctx, 'SNMP error : snmp socket name missing');
        return;
      }
      if (strvec[1]!.length > PATH_MAX - 1) {
        err(ctx, 'SNMP error : snmp socket name too long - ignored');
        return;
      }
      const gc = g(ctx);
      if (gc.snmpSocket !== undefined) {
        err(ctx, `SNMP socket already set to ${gc.snmpSocket} - ignoring`);
        return;
      }
      gc.snmpSocket = strvec[1]!;
    },
    args: '<SOCKET>',
    support: 'parsed',
    summary: 'AgentX socket of the SNMP master agent',
  },
  flag('enable_traps', 'enableTraps', 'send SNMP traps'),
  flag('enable_snmp_vrrp', 'enableSnmpVrrp', 'keepalived VRRP SNMP MIB'),
  flag('enable_snmp_keepalived', 'enableSnmpVrrp', 'old name of enable_snmp_vrrp', { deprecatedBy: 'enable_snmp_vrrp' }),
  {
    name: 'enable_snmp_rfc',
    handler: (_s, ctx) => {
      g(ctx).enableSnmpRfcv2 = true;
      g(ctx).enableSnmpRfcv3 = true;
    },
    args: '',
    default: 'off',
    support: 'parsed',
    summary: 'RFC VRRP SNMP MIBs (v2 and v3)',
  },
  flag('enable_snmp_rfcv2', 'enableSnmpRfcv2', 'RFC 2787 VRRP SNMP MIB'),
  flag('enable_snmp_rfcv3', 'enableSnmpRfcv3', 'RFC 6527 VRRPv3 SNMP MIB'),
  flag('enable_snmp_checker', 'enableSnmpChecker', 'keepalived checker SNMP MIB'),
  flag('enable_dbus', 'enableDbus', 'DBus interface'),
  {
    name: 'dbus_service_name',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'dbus_service_name missing - ignoring');
        return;
      }
      g(ctx).dbusServiceName = setValue(strvec);
    },
    args: '<NAME>',
    default: 'org.keepalived.Vrrp1',
    support: 'parsed',
    summary: 'DBus service name',
  },
  {
    name: 'script_user',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'No script username specified');
        return;
      }
      const group = strvec.length > 2 ? strvec[2] : undefined;
      g(ctx).scriptUser = { user: strvec[1]!, group };
      if (!setDefaultScriptUser(ctx, strvec[1]!, group)) err(ctx, 'Error setting global script uid/gid');
    },
    args: '<USER> [<GROUP>]',
    default: 'keepalived_script if it exists, else root',
    support: 'supported',
    summary: 'default user scripts run as',
  },
  flag('enable_script_security', 'enableScriptSecurity', 'refuse to run scripts that non-root users could modify', { support: 'supported' }),
  rcvBufs('vrrp_netlink_cmd', (gc, v) => (gc.vrrpNetlinkCmdRcvBufs = v)),
  optionalBool('vrrp_netlink_cmd_rcv_bufs_force', (gc, v) => (gc.vrrpNetlinkCmdRcvBufsForce = v), 'force the netlink command buffer size'),
  rcvBufs('vrrp_netlink_monitor', (gc, v) => (gc.vrrpNetlinkMonitorRcvBufs = v)),
  optionalBool('vrrp_netlink_monitor_rcv_bufs_force', (gc, v) => (gc.vrrpNetlinkMonitorRcvBufsForce = v), 'force the netlink monitor buffer size'),
  rcvBufs('process_monitor', (gc, v) => (gc.processMonitorRcvBufs = v)),
  optionalBool('process_monitor_rcv_bufs_force', (gc, v) => (gc.processMonitorRcvBufsForce = v), 'force the process monitor buffer size'),
  rcvBufs('lvs_netlink_cmd', (gc, v) => (gc.lvsNetlinkCmdRcvBufs = v)),
  optionalBool('lvs_netlink_cmd_rcv_bufs_force', (gc, v) => (gc.lvsNetlinkCmdRcvBufsForce = v), 'force the checker netlink command buffer size'),
  rcvBufs('lvs_netlink_monitor', (gc, v) => (gc.lvsNetlinkMonitorRcvBufs = v)),
  optionalBool('lvs_netlink_monitor_rcv_bufs_force', (gc, v) => (gc.lvsNetlinkMonitorRcvBufsForce = v), 'force the checker netlink monitor buffer size'),
  { ...optionalBool('rs_init_notifies', (gc, v) => (gc.rsInitNotifies = v), 'notify the initial state of real servers'), support: 'supported' },
  optionalBool('no_checker_emails', (gc, v) => (gc.noCheckerEmails = v), 'no emails for checker state changes'),
  { name: 'vrrp_rx_bufs_policy', handler: rxBufsPolicyHandler, args: '<MTU|ADVERT|SIZE>', support: 'parsed', summary: 'receive buffer sizing of VRRP sockets' },
  {
    name: 'vrrp_rx_bufs_multiplier',
    handler: (strvec, ctx) => {
      if (strvec.length !== 2) {
        err(ctx, 'Invalid vrrp_rx_bufs_multiplier');
        return;
      }
      const v = readUnsigned(ctx, strvec[1]!, 1, UINT_MAX);
      if (v === undefined) err(ctx, `Invalid vrrp_rx_bufs_multiplier ${strvec[1]}`);
      else g(ctx).vrrpRxBufsMultiplier = v;
    },
    args: '<N>',
    default: '3',
    support: 'parsed',
    summary: 'multiplier of the VRRP receive buffer size',
  },
  {
    name: 'vrrp_startup_delay',
    handler: (strvec, ctx) => {
      const v = readDecimal(ctx, need(ctx, strvec, 1), TIMER_HZ / 1000, UINT_MAX, TIMER_HZ_DIGITS);
      if (v === undefined) err(ctx, `vrrp_startup_delay '${strvec[1]}' is invalid`);
      else g(ctx).vrrpStartupDelay = v;
    },
    args: '<SECONDS>',
    default: '0',
    support: 'supported',
    summary: 'delay before VRRP starts after keepalived starts',
  },
  flag('log_unknown_vrids', 'logUnknownVrids', 'log adverts for unknown VRIDs'),
  {
    name: 'vmac_prefix',
    handler: (strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      if (g(ctx).vmacPrefix !== undefined) {
        err(ctx, `vmac prefix has already been specified - ignoring ${word}`);
        return;
      }
      g(ctx).vmacPrefix = word;
    },
    args: '<PREFIX>',
    default: 'vrrp',
    support: 'parsed',
    summary: 'name prefix of VMAC interfaces',
  },
  {
    name: 'vmac_addr_prefix',
    handler: (strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      if (g(ctx).vmacAddrPrefix !== undefined) {
        err(ctx, `vmac_addr prefix has already been specified - ignoring ${word}`);
        return;
      }
      g(ctx).vmacAddrPrefix = word;
    },
    args: '<PREFIX>',
    default: 'vrrp',
    support: 'parsed',
    summary: 'name prefix of VMAC address interfaces',
  },
  { name: 'umask', handler: umaskHandler, args: '<NUMBER>|<BIT>[|<BIT>...]', support: 'parsed', summary: 'umask for files keepalived creates' },
  {
    name: 'random_seed',
    handler: (strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 0, UINT_MAX);
      if (v === undefined) {
        err(ctx, `random_seed ${strvec[1]} invalid`);
        return;
      }
      g(ctx).randomSeed = v;
      ctx.setRandomSeed(v);
    },
    args: '<UNSIGNED>',
    support: 'supported',
    summary: 'seed of ${_RANDOM}',
  },
  {
    name: 'reload_check_config',
    handler: (strvec, ctx) => {
      g(ctx).reloadCheckConfig = strvec.length >= 2 ? setValue(strvec) : '/dev/null';
    },
    args: '[<LOG_FILE>]',
    support: 'parsed',
    summary: 'check the new config in a child before reloading',
  },
  {
    name: 'reload_time_file',
    handler: (strvec, ctx) => {
      if (strvec.length !== 2) {
        err(ctx, 'reload_time_file invalid');
        return;
      }
      g(ctx).reloadTimeFile = strvec[1]!;
    },
    args: '<FILE>',
    support: 'parsed',
    summary: 'file holding a scheduled reload time',
  },
  flag('reload_repeat', 'reloadRepeat', 'repeat the scheduled reload every day'),
  {
    name: 'reload_file',
    handler: (strvec, ctx) => {
      g(ctx).reloadFile = strvec.length >= 2 ? strvec[1]! : 'default';
    },
    args: '[<FILE>]',
    support: 'parsed',
    summary: 'file created while a reload is in progress',
  },
  {
    name: 'include_check',
    handler: includeCheckHandler,
    args: '[[+|-]read|match|wildcard_match|brace_match ...]',
    support: 'supported',
    summary: 'which include problems are errors',
  },
  { name: 'config_save_dir', handler: configSaveDirHandler, args: '<DIR>', support: 'parsed', summary: 'directory for copies of configs that failed to load' },
  {
    name: 'tmp_config_directory',
    handler: (strvec, ctx) => {
      if (g(ctx).tmpConfigDirectory !== undefined) {
        err(ctx, `${strvec[0]} already specified - ignoring`);
        return;
      }
      if (strvec.length >= 2) g(ctx).tmpConfigDirectory = strvec[1]!;
      else err(ctx, `${strvec[0]} missing directory name`);
    },
    args: '<DIR>',
    support: 'parsed',
    summary: 'directory for the consolidated config copy',
  },
  // sic: keepalived's message says "date_use_instance"
  optionalBool('data_use_instance', (gc, v) => (gc.dataUseInstance = v), 'add the instance name to data dump files', (w) => `Invalid value '${w}' for global date_use_instance specified`),
  /* keepalived-ts extensions: keepalived 2.2.7 warns "Unknown keyword" and runs the config anyway */
  {
    name: 'vip_conflict_probe_interval',
    handler: (strvec, ctx) => {
      const v = readDecimal(ctx, need(ctx, strvec, 1), 0, 3600 * TIMER_HZ, TIMER_HZ_DIGITS);
      if (v === undefined) err(ctx, `vip_conflict_probe_interval '${strvec[1]}' is invalid (0 to 3600 seconds)`);
      else g(ctx).vipConflictProbeInterval = v;
    },
    args: '<SECONDS>',
    default: '2',
    support: 'supported',
    summary: 'keepalived-ts extension: a MASTER probes its VIPs (ARP / duplicate address NS) this often and reports another holder; 0 = off',
  },
];

function lvsFlushOnStop(strvec: Strvec, ctx: KeywordContext): void {
  if (strvec.length === 1) g(ctx).lvsFlushOnStop = 'full';
  else if (strvec[1] === 'VS') g(ctx).lvsFlushOnStop = 'vs';
  else err(ctx, `Unknown lvs_flush_on_stop type ${strvec[1]}`);
}

/* ------------------------------------------------------------------------------------------ */
/* track_file                                                                                  */

const TRACK_FILE_KEY = 'global.currentTrackFile';
const currentTrackFile = (ctx: KeywordContext) => ctx.scratch.get(TRACK_FILE_KEY) as TrackFile | undefined;

const trackFileSub: readonly KeywordDef[] = [
  {
    name: 'file',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'track file file name missing');
        return;
      }
      const tf = currentTrackFile(ctx);
      if (!tf) return;
      if (tf.filePath !== undefined) {
        err(ctx, `File already set for track file ${tf.name} - ignoring ${strvec[1]}`);
        return;
      }
      tf.filePath = setValue(strvec);
    },
    args: '<PATH>',
    support: 'supported',
    summary: 'the file holding the tracked value',
  },
  {
    name: 'weight',
    handler: (strvec, ctx) => {
      const tf = currentTrackFile(ctx);
      if (strvec.length < 2) {
        err(ctx, `No weight specified for track file ${tf?.name} - ignoring`);
        return;
      }
      if (!tf) return;
      if (tf.weight !== 1) {
        err(ctx, `Weight already set for track file ${tf.name} - ignoring ${strvec[1]}`);
        return;
      }
      let w = readInt(ctx, strvec[1]!, -254, 254);
      if (w === undefined) {
        err(ctx, `Weight (${strvec[1]}) for track_file ${tf.name} must be between [-254..254] inclusive. Ignoring...`);
        w = 1;
      }
      tf.weight = w;
      if (strvec.length >= 3) {
        if (strvec[2] === 'reverse') tf.weightReverse = true;
        else err(ctx, `track_file ${tf.name} unknown weight option ${strvec[2]}`);
      }
    },
    args: '<-254..254> [reverse]',
    default: '1',
    support: 'supported',
    summary: 'multiplier of the file value',
  },
  {
    name: 'init_file',
    handler: (strvec, ctx) => {
      const tf = currentTrackFile(ctx);
      if (!tf) return;
      const init: { mode: 'create' | 'overwrite'; value: number } = { mode: 'create', value: 0 };
      for (let i = 1; i < strvec.length; i++) {
        const word = strvec[i]!.replace(/^[ \t\f\n\r\v]+/, '');
        if (/^[0-9-]/.test(word)) {
          let v = readInt(ctx, strvec[i]!, INT_MIN, INT_MAX);
          if (v === undefined) {
            err(ctx, `Track file ${tf.name} init value ${word} is invalid`);
            v = 0;
          } else if (v < -254 || v > 254) {
            err(ctx, `Track file ${tf.name} init value ${v} is outside sensible range [-254, 254]`);
          }
          init.value = v;
        } else if (word === 'overwrite') init.mode = 'overwrite';
        else err(ctx, `Unknown track file init option ${word}`);
      }
      tf.init = init;
    },
    args: '[<VALUE>] [overwrite]',
    support: 'supported',
    summary: 'create (or overwrite) the file at startup',
  },
];

function trackFileOpen(deprecated: boolean): KeywordDef['handler'] {
  return (strvec, ctx) => {
    // "vrrp_track_file is deprecated" is only logged by keepalived
    const tf: TrackFile = {
      name: need(ctx, strvec, 1),
      filePath: undefined,
      weight: 1,
      weightReverse: false,
      init: undefined,
      deprecatedKeyword: deprecated,
      at: ctx.position,
    };
    ctx.scratch.set(TRACK_FILE_KEY, tf);
  };
}

function trackFileClose(ctx: KeywordContext): void {
  const tf = currentTrackFile(ctx);
  if (!tf) return;
  ctx.scratch.delete(TRACK_FILE_KEY);
  if (tf.filePath === undefined) {
    err(ctx, `No file set for track_file ${tf.name} - ignoring`);
    return;
  }
  ctx.config.global.trackFiles.push(tf);
  if (tf.init?.mode === 'overwrite') {
    const st = ctx.host.stat(tf.filePath);
    if (st && !st.isFile) err(ctx, `Cannot initialise track file ${tf.name} - it is not a regular file`);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* root                                                                                        */

export const globalRootKeywords: readonly KeywordDef[] = [
  flag('linkbeat_use_polling', 'linkbeatUsePolling', 'poll interface link state instead of netlink'),
  {
    name: 'net_namespace',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'net_namespace name missing - ignoring');
        return;
      }
      const gc = g(ctx);
      if (gc.netNamespace === undefined) {
        gc.netNamespace = setValue(strvec);
        gc.usePidDir = true;
      } else err(ctx, `Duplicate net_namespace definition ${strvec[1]} - ignoring`);
    },
    args: '<NAME>',
    support: 'parsed',
    summary: 'run keepalived in this network namespace',
  },
  {
    name: 'net_namespace_ipvs',
    handler: (strvec, ctx) => {
      const gc = g(ctx);
      if (gc.netNamespaceIpvs !== undefined) {
        err(ctx, `Duplicate net_namespace_ipvs definition ${need(ctx, strvec, 1)} - ignoring`);
        return;
      }
      gc.netNamespaceIpvs = strvec.length < 2 ? '' : setValue(strvec);
    },
    args: '[<NAME>]',
    support: 'parsed',
    summary: 'network namespace of IPVS (none: the default namespace)',
  },
  flag('namespace_with_ipsets', 'namespaceWithIpsets', 'allow ipsets in a namespace on old kernels'),
  flag('use_pid_dir', 'usePidDir', 'put pid files in /run/keepalived/'),
  {
    name: 'instance',
    handler: (strvec, ctx) => {
      if (strvec.length < 2) {
        err(ctx, 'instance name missing - ignoring');
        return;
      }
      const gc = g(ctx);
      if (gc.instanceName === undefined) {
        gc.instanceName = setValue(strvec);
        gc.usePidDir = true;
      } else err(ctx, `Duplicate instance definition ${strvec[1]} - ignoring`);
    },
    args: '<NAME>',
    support: 'parsed',
    summary: 'instance name (pid and data file names)',
  },
  {
    name: 'child_wait_time',
    handler: (strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), 0, UINT_MAX);
      if (v === undefined) {
        err(ctx, `Invalid child_wait_time ${strvec[1]}`);
        return;
      }
      g(ctx).childWaitTime = v;
    },
    args: '<SECONDS>',
    default: '5',
    support: 'parsed',
    summary: 'how long the parent waits for children to stop',
  },
  { name: 'global_defs', sub: globalDefsKeywords, args: '{ ... }', support: 'supported', summary: 'global settings' },
];

/**
 * track_file blocks (keepalived/trackers/track_file.c): read by keepalived's VRRP and checker
 * processes, not by its parent.
 */
export const trackFileRootKeywords: readonly KeywordDef[] = [
  {
    name: 'track_file',
    handler: trackFileOpen(false),
    sub: trackFileSub,
    close: trackFileClose,
    args: '<NAME> { ... }',
    support: 'supported',
    summary: 'a file whose value adjusts priorities / weights',
  },
  {
    name: 'vrrp_track_file',
    handler: trackFileOpen(true),
    sub: trackFileSub,
    close: trackFileClose,
    args: '<NAME> { ... }',
    deprecatedBy: 'track_file',
    support: 'supported',
    summary: 'old name of track_file',
  },
];

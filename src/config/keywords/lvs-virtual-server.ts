/**
 * virtual_server IP [PORT] | fwmark N | group NAME { ... } (check_parser.c vs_* handlers,
 * check_data.c alloc_vs, alloc_ssvr).
 */
import { isIPv4 } from 'node:net';
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import type { ServiceFlag, VirtualServer } from '../model/lvs.js';
import { parseScript } from '../script.js';
import { checkTrueFalse, need, readTimer, readUnsigned } from '../values.js';
import { formatIp, nonZeroPort, parseSockAddr } from './lvs-address.js';
import { parseForwarding } from './lvs-forwarding.js';
import { IPVS_WEIGHT_LIMIT, realServerKeyword } from './lvs-real-server.js';
import { currentVs } from './lvs-state.js';

const UINT_MAX = 4294967295;
export const LVS_SCHEDULERS: readonly string[] = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos'];
export const KEEPALIVED_DEFAULT_DELAY = 60_000_000;
export const IPVS_SVC_PERSISTENT_TIMEOUT = 360;
const LVS_MAX_TIMEOUT = 86400 * 31;
const IP_VS_PENAME_MAXLEN = 16;

function onVs(fn: (vs: VirtualServer, strvec: Strvec, ctx: KeywordContext) => void) {
  return (strvec: Strvec, ctx: KeywordContext) => {
    const vs = currentVs(ctx);
    if (vs) fn(vs, strvec, ctx);
  };
}

function addFlag(vs: VirtualServer, f: ServiceFlag): void {
  if (!vs.flags.includes(f)) vs.flags.push(f);
}

/** lbflags_handler(): ops, flag-1..3, and the sh-/mh- flags that only apply to their scheduler. */
const flagHandler = onVs((vs, strvec, ctx) => {
  const str = strvec[0]!;
  if (str === 'ops' || str === 'flag-1' || str === 'flag-2' || str === 'flag-3') addFlag(vs, str);
  else if (vs.scheduler === 'sh') {
    if (str === 'sh-port' || str === 'sh-fallback') addFlag(vs, str);
  } else if (vs.scheduler === 'mh') {
    if (str === 'mh-port' || str === 'mh-fallback') addFlag(vs, str);
  } else ctx.report(ConfigErr.GENERAL_ERROR, `${str} only applies to sh scheduler - ignoring`);
});

function vsTimer(
  field: 'connectTimeout' | 'delayLoop' | 'delayBeforeRetry' | 'warmup',
  min: number,
  max: number,
  message: (w: string) => string,
) {
  return onVs((vs, strvec, ctx) => {
    const word = need(ctx, strvec, 1);
    const v = readTimer(ctx, word, min, max, true);
    if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, message(word));
    else vs[field] = v;
  });
}

function vsBool(ctx: KeywordContext, strvec: Strvec, message: string): boolean | undefined {
  if (strvec.length < 2) return true;
  const v = checkTrueFalse(strvec[1]!);
  if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `${message} ${strvec[1]}`);
  return v;
}

/** getaddrinfo(AI_NUMERICHOST, AF_INET): also takes inet_aton forms ("255.255.255"). */
function parseInetAton(text: string): string | undefined {
  if (isIPv4(text)) return text;
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => !/^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.test(p))) return undefined;
  const nums = parts.map((p) => (/^0x/i.test(p) ? parseInt(p, 16) : /^0./.test(p) ? parseInt(p, 8) : Number(p)));
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let v = last;
  nums.forEach((n, i) => (v += n * 2 ** (8 * (3 - i))));
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

const virtualServerKeywords: KeywordDef[] = [
  {
    name: 'ip_family',
    args: 'inet|inet6',
    summary: 'Address family (for fwmark services whose real servers are all tunnelled).',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const af = word === 'inet' ? 'inet' : word === 'inet6' ? 'inet6' : undefined;
      if (!af) {
        ctx.report(ConfigErr.GENERAL_ERROR, `unknown address family ${word}`);
        return;
      }
      if (vs.family !== undefined && vs.family !== af) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server specified family ${word} conflicts with server family`);
        return;
      }
      vs.family = af;
    }),
  },
  {
    name: 'retry',
    support: 'supported',
    args: '<1..4294967295>',
    default: 'per checker (1; MISC_CHECK 0; DNS_CHECK 3)',
    summary: 'Default retry of the checkers.',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 1, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `retry value invalid - ${word}`);
      else vs.retry = v;
    }),
  },
  {
    name: 'delay_before_retry',
    support: 'supported',
    args: '<SECONDS>',
    default: 'per checker (1; HTTP_GET/SSL_GET 3; DNS_CHECK delay_loop)',
    summary: 'Default delay between checker retries.',
    handler: vsTimer('delayBeforeRetry', 0, 0, (w) => `virtual server delay before retry '${w}' invalid - ignoring`),
  },
  {
    name: 'warmup',
    support: 'supported',
    args: '<SECONDS>',
    default: 'delay_loop',
    summary: 'Checkers start after a random delay in [0, warmup].',
    handler: vsTimer('warmup', 0, 0, (w) => `virtual server warmup '${w}' invalid - ignoring`),
  },
  {
    name: 'connect_timeout',
    support: 'supported',
    args: '<SECONDS>',
    default: '5',
    summary: 'Default checker connection timeout.',
    handler: vsTimer('connectTimeout', 1, UINT_MAX, (w) => `virtual server connect_timeout ${w} invalid - ignoring`),
  },
  {
    name: 'delay_loop',
    support: 'supported',
    args: '<SECONDS>',
    default: '60',
    summary: 'Default interval between checks.',
    handler: vsTimer('delayLoop', 1, 0, (w) => `virtual server delay loop '${w}' invalid - ignoring`),
  },
  {
    name: 'inhibit_on_failure',
    support: 'supported',
    summary: 'Failed real servers get weight 0 instead of being removed.',
    handler: onVs((vs) => {
      vs.inhibitOnFailure = true;
    }),
  },
  ...['lb_algo', 'lvs_sched'].map(
    (name): KeywordDef => ({
      name,
      support: 'supported',
      args: LVS_SCHEDULERS.join('|'),
      default: 'wlc',
      ...(name === 'lvs_sched' ? { aliasOf: 'lb_algo' } : {}),
      summary: 'IPVS scheduler.',
      handler: onVs((vs, strvec, ctx) => {
        const word = need(ctx, strvec, 1);
        if (!LVS_SCHEDULERS.includes(word)) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid lvs_scheduler '${word}' - ignoring`);
          return;
        }
        vs.scheduler = word;
      }),
    }),
  ),
  {
    name: 'hashed',
    summary: 'Legacy flag, accepted and ignored with the sh/mh schedulers.',
    handler: flagHandler,
  },
  { name: 'ops', summary: 'One-packet scheduling (UDP).', handler: flagHandler },
  { name: 'flag-1', support: 'supported', summary: 'Scheduler flag 1.', handler: flagHandler },
  { name: 'flag-2', support: 'supported', summary: 'Scheduler flag 2.', handler: flagHandler },
  { name: 'flag-3', summary: 'Scheduler flag 3.', handler: flagHandler },
  { name: 'sh-port', support: 'supported', summary: 'sh scheduler: hash the port too.', handler: flagHandler },
  { name: 'sh-fallback', support: 'supported', summary: 'sh scheduler: fall back to another server when one is unavailable.', handler: flagHandler },
  { name: 'mh-port', support: 'supported', summary: 'mh scheduler: hash the port too.', handler: flagHandler },
  { name: 'mh-fallback', support: 'supported', summary: 'mh scheduler: fall back to another server when one is unavailable.', handler: flagHandler },
  ...['lb_kind', 'lvs_method'].map(
    (name): KeywordDef => ({
      name,
      args: 'NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]',
      default: 'NAT',
      ...(name === 'lb_kind' ? {} : { aliasOf: 'lb_kind' }),
      summary: 'Forwarding method, default of the real servers.',
      handler: onVs((vs, strvec, ctx) => {
        const f = parseForwarding(ctx, strvec, 'virtual', vs.forwarding);
        if (f) vs.forwarding = f;
      }),
    }),
  ),
  {
    name: 'persistence_engine',
    args: '<NAME>',
    summary: 'IPVS persistence engine (sip).',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      if (word.length > IP_VS_PENAME_MAXLEN - 1)
        ctx.report(ConfigErr.GENERAL_ERROR, `persistence_name too long, truncating - ${word}`);
      vs.persistenceEngine = word.slice(0, IP_VS_PENAME_MAXLEN - 1);
    }),
  },
  {
    name: 'persistence_timeout',
    support: 'supported',
    args: `[<1..${LVS_MAX_TIMEOUT}>]`,
    default: `${IPVS_SVC_PERSISTENT_TIMEOUT} when given without a value`,
    summary: 'Persistent service timeout (seconds).',
    handler: onVs((vs, strvec, ctx) => {
      if (strvec.length < 2) {
        vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
        return;
      }
      const v = readUnsigned(ctx, strvec[1]!, 1, LVS_MAX_TIMEOUT);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, 'persistence_timeout invalid');
      else vs.persistenceTimeout = v;
    }),
  },
  {
    name: 'persistence_granularity',
    support: 'supported',
    args: '<NETMASK|1..128>',
    summary: 'Persistence granularity: IPv4 netmask or IPv6 prefix length.',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const af = vs.family ?? (word.includes('.') ? 'inet' : 'inet6');
      if (af === 'inet6') {
        const v = readUnsigned(ctx, word, 1, 128);
        if (v === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid IPv6 persistence_granularity specified - ${word}`);
          return;
        }
        vs.persistenceGranularity = v;
      } else {
        const mask = parseInetAton(word);
        if (mask === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid IPv4 persistence_granularity specified - ${word}`);
          return;
        }
        vs.persistenceGranularity = mask;
      }
      if (vs.family === undefined) vs.family = af;
      if (!vs.persistenceTimeout) vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
    }),
  },
  {
    name: 'protocol',
    support: 'supported',
    args: 'TCP|UDP|SCTP',
    default: 'UDP (with a warning)',
    summary: 'Service protocol (case-insensitive; ignored for fwmark services).',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const p = word.toUpperCase();
      if (p === 'TCP' || p === 'UDP' || p === 'SCTP') vs.protocol = p;
      else ctx.report(ConfigErr.GENERAL_ERROR, `Unknown protocol ${word} - ignoring`);
    }),
  },
  {
    name: 'ha_suspend',
    support: 'supported',
    summary: 'Suspend the checkers while the virtual address is not on this host.',
    handler: onVs((vs) => {
      vs.haSuspend = true;
    }),
  },
  {
    name: 'smtp_alert',
    args: '[<BOOL>]',
    default: 'global smtp_alert_checker / smtp_alert, else false',
    summary: 'Send email alerts for this service.',
    handler: onVs((vs, strvec, ctx) => {
      const v = vsBool(ctx, strvec, 'Invalid virtual_server smtp_alert parameter');
      if (v !== undefined) vs.smtpAlert = v;
    }),
  },
  {
    name: 'virtualhost',
    support: 'supported',
    args: '<HOST>',
    summary: 'Default Host header for HTTP/SSL checks.',
    handler: onVs((vs, strvec, ctx) => {
      if (strvec.length < 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, 'virtual server virtualhost missing');
        return;
      }
      vs.virtualhost = strvec[1]!;
    }),
  },
  {
    name: 'snmp_name',
    args: '<NAME>',
    summary: 'Name of this service in SNMP.',
    handler: onVs((vs, strvec, ctx) => {
      if (strvec.length !== 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, 'virtual server snmp_name missing or extra parameters');
        return;
      }
      vs.snmpName = strvec[1]!;
    }),
  },
  {
    name: 'alpha',
    support: 'supported',
    summary: 'Start with every real server considered down.',
    handler: onVs((vs) => {
      vs.alpha = true;
    }),
  },
  {
    name: 'omega',
    support: 'supported',
    summary: 'Run the quorum_down / notify_down scripts at shutdown.',
    handler: onVs((vs) => {
      vs.omega = true;
    }),
  },
  {
    name: 'quorum_up',
    support: 'supported',
    args: '"<COMMAND>" [<USER> [<GROUP>]]',
    summary: 'Script run when the quorum is gained.',
    handler: onVs((vs, strvec, ctx) => {
      if (vs.quorumUp) {
        ctx.report(ConfigErr.GENERAL_ERROR, `(${vs.groupName ?? '(null)'}) quorum_up script already specified - ignoring ${need(ctx, strvec, 1)}`);
        return;
      }
      const s = parseScript(ctx, strvec, 'quorum');
      if (s) vs.quorumUp = s;
    }),
  },
  {
    name: 'quorum_down',
    support: 'supported',
    args: '"<COMMAND>" [<USER> [<GROUP>]]',
    summary: 'Script run when the quorum is lost.',
    handler: onVs((vs, strvec, ctx) => {
      if (vs.quorumDown) {
        ctx.report(ConfigErr.GENERAL_ERROR, `(${vs.groupName ?? '(null)'}) quorum_down script already specified - ignoring ${need(ctx, strvec, 1)}`);
        return;
      }
      const s = parseScript(ctx, strvec, 'quorum');
      if (s) vs.quorumDown = s;
    }),
  },
  {
    name: 'quorum',
    support: 'supported',
    args: '<1..4294967295>',
    default: '1',
    summary: 'Minimum total weight of live real servers.',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 1, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Quorum ${word} must be in [1, ${UINT_MAX}]. Setting to 1.`);
      vs.quorum = v ?? 1;
    }),
  },
  {
    name: 'hysteresis',
    support: 'supported',
    args: '<0..4294967295>',
    default: '0',
    summary: 'Quorum hysteresis.',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 0, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Hysteresis ${word} must be in [0, ${UINT_MAX}] - ignoring`);
      else vs.hysteresis = v;
    }),
  },
  {
    name: 'weight',
    support: 'supported',
    args: `<1..${IPVS_WEIGHT_LIMIT}>`,
    default: '1',
    summary: 'Default real server weight.',
    handler: onVs((vs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 1, IPVS_WEIGHT_LIMIT);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Virtual server weight ${word} is outside range 1-${IPVS_WEIGHT_LIMIT}`);
      else vs.weight = v;
    }),
  },
  {
    name: 'sorry_server',
    support: 'supported',
    args: '<IP> [<PORT>]',
    summary: 'Server put in service when the quorum is lost.',
    handler: onVs((vs, strvec, ctx) => {
      const ip = need(ctx, strvec, 1);
      const addr = parseSockAddr(ctx, ip, nonZeroPort(strvec[2]));
      if (!addr) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid sorry server IP address ${ip} - skipping`);
        return;
      }
      vs.sorryServer = { at: ctx.position, address: addr, inhibit: false };
      if (vs.forwarding) vs.sorryServer.forwarding = { ...vs.forwarding };
    }),
  },
  {
    name: 'sorry_server_inhibit',
    support: 'supported',
    summary: 'Inhibit (weight 0) rather than remove the sorry server.',
    handler: onVs((vs, _strvec, ctx) => {
      if (vs.sorryServer) vs.sorryServer.inhibit = true;
      else ctx.report(ConfigErr.GENERAL_ERROR, 'Ignoring sorry_server inhibit used before or without sorry_server');
    }),
  },
  {
    name: 'sorry_server_lvs_method',
    args: 'NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]',
    default: 'virtual server lb_kind',
    summary: 'Forwarding method of the sorry server.',
    handler: onVs((vs, strvec, ctx) => {
      if (!vs.sorryServer) {
        ctx.report(ConfigErr.GENERAL_ERROR, 'sorry_server forwarding used without sorry_server');
        return;
      }
      const f = parseForwarding(ctx, strvec, 'sorry', vs.sorryServer.forwarding);
      if (f) vs.sorryServer.forwarding = f;
    }),
  },
];

/** vs_end_handler(): settle the address family from the sorry server and real servers. */
function virtualServerEnd(ctx: KeywordContext): void {
  const vs = currentVs(ctx);
  if (!vs) return;
  const ss = vs.sorryServer;
  if (ss && ss.forwarding?.method !== 'TUN') {
    if (vs.family === undefined) vs.family = ss.address.family;
    else if (vs.family !== ss.address.family) {
      ctx.report(
        ConfigErr.GENERAL_ERROR,
        `Address family of virtual server and sorry server ${formatIp(ss.address)} don't match - skipping sorry server.`,
      );
      delete vs.sorryServer;
    }
  }
  if (vs.family === undefined && vs.groupName === undefined) {
    // fwmark service whose real/sorry servers are all tunnelled: take their family if they agree, else IPv4
    let af = vs.sorryServer?.address.family;
    let mixed = false;
    for (const rs of vs.realServers) {
      if (af === undefined) af = rs.address.family;
      else if (af !== rs.address.family) {
        mixed = true;
        break;
      }
    }
    vs.family = mixed || af === undefined ? 'inet' : af;
  }
}

export const virtualServerKeyword: KeywordDef = {
  name: 'virtual_server',
  args: '<IP> [<PORT>] | fwmark <N> | group <NAME> { ... }',
  support: 'supported',
  summary: 'An IPVS virtual service with its real servers and health checks.',
  handler: (strvec, ctx) => {
    const p1 = need(ctx, strvec, 1);
    const p2 = strvec[2];
    const base = {
      at: ctx.position,
      family: undefined,
      flags: [],
      delayLoop: KEEPALIVED_DEFAULT_DELAY,
      connectTimeout: 5_000_000,
      inhibitOnFailure: false,
      alpha: false,
      omega: false,
      quorum: 1,
      hysteresis: 0,
      haSuspend: false,
      weight: 1,
      realServers: [],
    };
    let vs: VirtualServer;
    if (p1 === 'group') {
      vs = { ...base, kind: 'group', groupName: need(ctx, strvec, 2) };
    } else if (p1 === 'fwmark') {
      const word = need(ctx, strvec, 2);
      const mark = readUnsigned(ctx, word, 0, UINT_MAX);
      if (mark === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `virtual server fwmark '${word}' must be in [0, ${UINT_MAX}] - ignoring`);
        ctx.skipBlock(true);
        return;
      }
      vs = { ...base, kind: 'fwmark', fwmark: mark };
    } else {
      const port = nonZeroPort(p2);
      const addr = parseSockAddr(ctx, p1, port);
      if (!addr) {
        ctx.report(
          ConfigErr.GENERAL_ERROR,
          `Invalid virtual server IP address${port !== undefined ? '/port' : ''} ${p1}${port !== undefined ? '/' + port : ''} - skipping`,
        );
        ctx.skipBlock(true);
        return;
      }
      vs = { ...base, kind: 'address', address: addr, family: addr.family };
    }
    ctx.config.lvs.virtualServers.push(vs);
  },
  sub: [...virtualServerKeywords.map((d) => ({ support: 'parsed' as const, ...d })), realServerKeyword],
  close: virtualServerEnd,
};

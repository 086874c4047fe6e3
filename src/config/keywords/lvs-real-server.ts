/**
 * real_server IP [PORT] { ... } inside a virtual_server (check_parser.c rs_* handlers), with the
 * checker blocks (check_api.c install_checkers_keyword order).
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import type { RealServer } from '../model/lvs.js';
import { parseScript } from '../script.js';
import { checkTrueFalse, need, readTimer, readUnsigned } from '../values.js';
import { bfdCheckKeyword } from './checker-bfd.js';
import { dnsCheckKeyword } from './checker-dns.js';
import { fileCheckKeyword } from './checker-file.js';
import { httpGetKeyword, sslGetKeyword } from './checker-http.js';
import { miscCheckKeyword } from './checker-misc.js';
import { pingCheckKeyword } from './checker-ping.js';
import { smtpCheckKeyword } from './checker-smtp.js';
import { tcpCheckKeyword } from './checker-tcp.js';
import { udpCheckKeyword } from './checker-udp.js';
import { formatIp, nonZeroPort, parseSockAddr } from './lvs-address.js';
import { parseForwarding } from './lvs-forwarding.js';
import { currentRs, currentVs } from './lvs-state.js';

const UINT_MAX = 4294967295;
export const IPVS_WEIGHT_LIMIT = 2147483647;

/** The checker blocks, in keepalived's installation order. */
export const checkerKeywords: readonly KeywordDef[] = [
  miscCheckKeyword,
  smtpCheckKeyword,
  tcpCheckKeyword,
  pingCheckKeyword,
  udpCheckKeyword,
  httpGetKeyword,
  sslGetKeyword,
  dnsCheckKeyword,
  fileCheckKeyword,
  bfdCheckKeyword,
];

function rsBool(ctx: KeywordContext, strvec: Strvec, message: string): boolean | undefined {
  if (strvec.length < 2) return true;
  const v = checkTrueFalse(strvec[1]!);
  if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `${message} ${strvec[1]}`);
  return v;
}

/** A real_server keyword handler working on the current real server. */
function onRs(fn: (rs: RealServer, strvec: Strvec, ctx: KeywordContext) => void) {
  return (strvec: Strvec, ctx: KeywordContext) => {
    const rs = currentRs(ctx);
    if (rs) fn(rs, strvec, ctx);
  };
}

function timer(
  field: 'connectTimeout' | 'delayLoop' | 'delayBeforeRetry' | 'warmup',
  min: number,
  max: number,
  message: (w: string) => string,
) {
  return onRs((rs, strvec, ctx) => {
    const word = need(ctx, strvec, 1);
    const v = readTimer(ctx, word, min, max, true);
    if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, message(word));
    else rs[field] = v;
  });
}

function vsName(ctx: KeywordContext): string {
  // keepalived prints vs->vsgname, which is NULL ("(null)") unless the VS is a group
  return currentVs(ctx)?.groupName ?? '(null)';
}

/** notify_up / notify_down: one script each; a second one is refused as keepalived does. */
function rsNotifyKeyword(name: 'notify_up' | 'notify_down', field: 'notifyUp' | 'notifyDown', summary: string): KeywordDef {
  return {
    name,
    args: '"<COMMAND>" [<USER> [<GROUP>]]',
    support: 'supported',
    summary,
    handler: onRs((rs, strvec, ctx) => {
      if (rs[field]) {
        ctx.report(ConfigErr.GENERAL_ERROR, `(${vsName(ctx)}) ${name} script already specified - ignoring ${need(ctx, strvec, 1)}`);
        return;
      }
      const s = parseScript(ctx, strvec, 'notify');
      if (s) rs[field] = s;
    }),
  };
}

const realServerKeywords: KeywordDef[] = [
  {
    name: 'weight',
    support: 'supported',
    args: `<0..${IPVS_WEIGHT_LIMIT}>`,
    default: 'virtual server weight (1)',
    summary: 'IPVS weight of this server.',
    handler: onRs((rs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 0, IPVS_WEIGHT_LIMIT);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Real server weight ${word} is outside range 0-${IPVS_WEIGHT_LIMIT}`);
      else rs.weight = v;
    }),
  },
  {
    name: 'lvs_method',
    args: 'NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]',
    default: 'virtual server lb_kind',
    summary: 'Forwarding method for this server.',
    handler: onRs((rs, strvec, ctx) => {
      const f = parseForwarding(ctx, strvec, 'real', rs.forwarding);
      if (f) rs.forwarding = f;
    }),
  },
  {
    name: 'uthreshold',
    support: 'supported',
    args: '<0..4294967295>',
    summary: 'Upper connection limit.',
    handler: onRs((rs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 0, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid real_server uthreshold '${word}' - ignoring`);
      else rs.uthreshold = v;
    }),
  },
  {
    name: 'lthreshold',
    support: 'supported',
    args: '<0..4294967295>',
    summary: 'Lower connection limit.',
    handler: onRs((rs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 0, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid real_server lthreshold '${word}' - ignoring`);
      else rs.lthreshold = v;
    }),
  },
  {
    name: 'inhibit_on_failure',
    support: 'supported',
    args: '[<BOOL>]',
    default: 'virtual server inhibit_on_failure',
    summary: 'On failure set the weight to 0 instead of removing the server.',
    handler: onRs((rs, strvec, ctx) => {
      const v = rsBool(ctx, strvec, 'Invalid inhibit_on_failure parameter');
      if (v !== undefined) rs.inhibitOnFailure = v;
    }),
  },
  rsNotifyKeyword('notify_up', 'notifyUp', 'Script run when the server comes up.'),
  rsNotifyKeyword('notify_down', 'notifyDown', 'Script run when the server goes down.'),
  {
    name: 'alpha',
    support: 'supported',
    args: '[<BOOL>]',
    default: 'virtual server alpha',
    summary: 'Start with the server considered down.',
    handler: onRs((rs, strvec, ctx) => {
      const v = rsBool(ctx, strvec, 'Invalid alpha parameter');
      if (v !== undefined) rs.alpha = v;
    }),
  },
  {
    name: 'retry',
    support: 'supported',
    args: '<1..4294967295>',
    default: 'virtual server retry',
    summary: 'Default retry of this server’s checkers.',
    handler: onRs((rs, strvec, ctx) => {
      const word = need(ctx, strvec, 1);
      const v = readUnsigned(ctx, word, 1, UINT_MAX);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `retry value invalid - ${word}`);
      else rs.retry = v;
    }),
  },
  {
    name: 'delay_before_retry',
    support: 'supported',
    args: '<SECONDS>',
    default: 'virtual server delay_before_retry',
    summary: 'Default delay between checker retries.',
    handler: timer('delayBeforeRetry', 0, 0, (w) => `real server delay_before_retry '${w}' invalid - ignoring`),
  },
  {
    name: 'warmup',
    support: 'supported',
    args: '<SECONDS>',
    default: 'virtual server warmup',
    summary: 'Default checker warmup.',
    handler: timer('warmup', 0, 0, (w) => `real server warmup '${w}' invalid - ignoring`),
  },
  {
    name: 'connect_timeout',
    support: 'supported',
    args: '<SECONDS>',
    default: 'virtual server connect_timeout',
    summary: 'Default checker connection timeout.',
    handler: timer('connectTimeout', 1, UINT_MAX, (w) => `real server connect_timeout ${w} invalid - ignoring`),
  },
  {
    name: 'delay_loop',
    support: 'supported',
    args: '<SECONDS>',
    default: 'virtual server delay_loop',
    summary: 'Default checker interval.',
    handler: timer('delayLoop', 1, 0, (w) => `real server delay_loop '${w}' invalid - ignoring`),
  },
  {
    name: 'smtp_alert',
    args: '[<BOOL>]',
    default: 'global smtp_alert_checker / smtp_alert, else true',
    summary: 'Send email alerts for this server.',
    handler: onRs((rs, strvec, ctx) => {
      const v = rsBool(ctx, strvec, 'Invalid real_server smtp_alert parameter');
      if (v !== undefined) rs.smtpAlert = v;
    }),
  },
  {
    name: 'virtualhost',
    support: 'supported',
    args: '<HOST>',
    default: 'virtual server virtualhost',
    summary: 'Default Host header for HTTP/SSL checks.',
    handler: onRs((rs, strvec, ctx) => {
      if (strvec.length < 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, 'real server virtualhost missing');
        return;
      }
      rs.virtualhost = strvec[1]!;
    }),
  },
  {
    name: 'snmp_name',
    args: '<NAME>',
    summary: 'Name of this server in SNMP.',
    handler: onRs((rs, strvec, ctx) => {
      if (strvec.length !== 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, 'real server snmp_name missing or extra parameters');
        return;
      }
      rs.snmpName = strvec[1]!;
    }),
  },
];

/** rs_end_handler(): the address family of a non-tunnelled real server must match the VS. */
function realServerEnd(ctx: KeywordContext): void {
  const vs = currentVs(ctx);
  const rs = currentRs(ctx);
  if (!vs || !rs) return;
  if (rs.forwarding?.method === 'TUN') return;
  if (vs.family === undefined) vs.family = rs.address.family;
  else if (vs.family !== rs.address.family) {
    ctx.report(
      ConfigErr.GENERAL_ERROR,
      `Address family of virtual server and real server ${formatIp(rs.address)} don't match - skipping real server.`,
    );
    vs.realServers.pop();
  }
}

export const realServerKeyword: KeywordDef = {
  name: 'real_server',
  args: '<IP> [<PORT>] { ... }',
  support: 'supported',
  summary: 'A backend server of the virtual server.',
  handler: (strvec, ctx) => {
    const vs = currentVs(ctx);
    const ip = need(ctx, strvec, 1);
    const port = strvec[2];
    const addr = parseSockAddr(ctx, ip, nonZeroPort(port));
    if (!addr) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Invalid real server ip address/port ${ip}/${port ?? '(null)'} - skipping`);
      ctx.skipBlock(true);
      return;
    }
    if (!vs) return;
    const rs: RealServer = { at: ctx.position, address: addr, checkers: [], fileChecks: [] };
    if (vs.forwarding) rs.forwarding = { ...vs.forwarding };
    vs.realServers.push(rs);
  },
  sub: [...realServerKeywords.map((d) => ({ support: 'parsed' as const, ...d })), ...checkerKeywords],
  close: realServerEnd,
};

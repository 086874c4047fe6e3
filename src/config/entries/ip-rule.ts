/**
 * One rule line of virtual_rules / static_rules (keepalived/vrrp/vrrp_iprule.c alloc_rule()).
 */
import { ConfigErr } from '../diagnostics.js';
import type { Strvec } from '../values.js';
import { need, readUnsigned, readUnsigned64 } from '../values.js';
import type { Family, IpRuleEntry } from '../model/vrrp.js';
import type { EntryContext } from './context.js';
import { findRtDsfield, findRtGroup, findRtTable, findRtnType, getRealms, parseRoutePrefix, RTN, RTPROT_KEEPALIVED } from './inet.js';

class RuleError extends Error {}

const fail = (ctx: EntryContext, msg: string): never => {
  ctx.report(ConfigErr.GENERAL_ERROR, msg);
  throw new RuleError(msg);
};

/** Common IP protocol names (getprotobyname) accepted by `ipproto`. */
const IP_PROTOS: Readonly<Record<string, number>> = { ip: 0, icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, udplite: 136 };

/** C strtoul(s, &end, 0) prefix parse: value and rest. */
function strtoul0(s: string): { value: number; rest: string; digits: boolean } {
  const m = /^[ \t]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return { value: 0, rest: s, digits: false };
  const t = m[1]!;
  const value = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t[0] === '0' ? parseInt(t, 8) : parseInt(t, 10);
  return { value, rest: s.slice(m[0].length), digits: true };
}

/** sscanf("%u-%u"): number of fields matched. */
function scanRange(s: string): { n: number; start: number; end: number } {
  const m = /^[ \t]*\+?([0-9]+)(?:-[ \t]*\+?([0-9]+))?/.exec(s);
  if (!m) return { n: 0, start: 0, end: 0 };
  return { n: m[2] !== undefined ? 2 : 1, start: Number(m[1]), end: Number(m[2] ?? 0) };
}

export function parseIpRuleEntry(ctx: EntryContext, strvec: Strvec, allowTrackGroup: boolean): IpRuleEntry | undefined {
  try {
    return parseRule(ctx, strvec, allowTrackGroup);
  } catch (e) {
    if (e instanceof RuleError) return undefined;
    throw e;
  }
}

function parseRule(ctx: EntryContext, strvec: Strvec, allowTrackGroup: boolean): IpRuleEntry | undefined {
  let family: Family | undefined;
  let action: IpRuleEntry['action'] | undefined;
  let priority: number | undefined;
  let tableOption = false;
  const rule: Partial<IpRuleEntry> & { at: IpRuleEntry['at'] } = { at: ctx.position, not: false, l3mdev: false, noTrack: false };
  const MIXED = 'rule specification has mixed IPv4 and IPv6';
  let i = 0;
  const next = () => need(ctx, strvec, ++i);

  while (i < strvec.length) {
    let str = strvec[i]!;
    // keepalived steps over inet/inet6 twice, so the word after them is skipped (observed with 2.2.7)
    if (str === 'inet6') {
      if (family === undefined) family = 'inet6';
      else if (family !== 'inet6') fail(ctx, 'inet6 specified for IPv4 rule');
      i++;
    } else if (str === 'inet') {
      if (family === undefined) family = 'inet';
      else if (family !== 'inet') fail(ctx, 'inet specified for IPv6 rule');
      i++;
    } else if (str === 'from' || str === 'to') {
      const v = next();
      const p = parseRoutePrefix(ctx, v) ?? fail(ctx, `Invalid rule ${str} address ${v}`);
      if (str === 'from') rule.from = p;
      else rule.to = p;
      if (family === undefined) family = p.family;
      else if (p.family !== family) fail(ctx, MIXED);
    } else if (str === 'table' || str === 'lookup') {
      const v = next();
      const t = findRtTable(v) ?? fail(ctx, `Routing table ${v} not found for rule`);
      if (t === 0) fail(ctx, 'Table 0 is not valid');
      rule.table = t;
      if (action !== undefined) fail(ctx, 'Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable for rule');
      action = 'table';
    } else if (str === 'not') rule.not = true;
    else if (str === 'preference' || str === 'order' || str === 'priority') {
      const v = readUnsigned(ctx, next(), 0, 0xffffffff, 0);
      if (v === undefined) fail(ctx, `Invalid rule preference ${str} specified`);
      priority = v;
    } else if (str === 'tos' || str === 'dsfield') {
      const v = next();
      rule.tos = findRtDsfield(v) ?? fail(ctx, `TOS value ${v} is invalid`);
    } else if (str === 'fwmark') {
      const raw = next();
      const s = raw.replace(/^[ \t\n\v\f\r]*/, '');
      const bad = () => fail(ctx, `Invalid rule fwmark ${s} specified`);
      if (s[0] === '-') bad();
      const a = strtoul0(s);
      if (a.value > 0xffffffff) bad();
      let rest = a.rest;
      let mask: number | undefined;
      if (rest[0] === '/') {
        if (/^[ \t\n\v\f\r-]/.test(rest.slice(1))) bad();
        const b = strtoul0(rest.slice(1));
        if (b.value > 0xffffffff) bad();
        mask = b.value;
        rest = b.rest;
      }
      if (rest.length) bad();
      rule.fwmark = a.value;
      if (mask !== undefined) rule.fwmask = mask;
    } else if (str === 'realms') {
      const v = next();
      rule.realms = getRealms(v) ?? fail(ctx, `invalid realms ${v} for rule`);
      tableOption = true;
      if (family === undefined) family = 'inet';
      else if (family !== 'inet') fail(ctx, 'realms is only valid for IPv4');
    } else if (str === 'suppress_prefixlength' || str === 'sup_pl') {
      const v = readUnsigned(ctx, next(), 0, 0x7fffffff);
      if (v === undefined) fail(ctx, `Invalid suppress_prefixlength ${str} specified`);
      rule.suppressPrefixLength = v;
      tableOption = true;
    } else if (str === 'suppress_ifgroup' || str === 'sup_group') {
      const v = next();
      rule.suppressIfgroup = findRtGroup(v) ?? fail(ctx, `suppress_group ${v} is invalid`);
      tableOption = true;
    } else if (str === 'dev' || str === 'iif' || str === 'oif') {
      const v = next();
      if (!ctx.interfaceUsable(v)) fail(ctx, `WARNING - interface ${v} for rule doesn't exist`);
      if (str === 'oif') rule.oif = v;
      else rule.iif = v;
    } else if (str === 'tunnel-id') {
      const v = readUnsigned64(ctx, next(), 0n, 18446744073709551615n);
      if (v === undefined) fail(ctx, `Invalid tunnel-id ${str} specified`);
      rule.tunnelId = v;
    } else if (str === 'uidrange') {
      const r = scanRange(next());
      if (r.n !== 2) fail(ctx, `Invalid uidrange ${str} specified`);
      rule.uidRange = { start: r.start, end: r.end };
    } else if (str === 'l3mdev') {
      rule.l3mdev = true;
      if (action !== undefined) fail(ctx, 'Cannot specify l3mdev with other action');
      action = 'table';
    } else if (str === 'protocol') {
      const v = readUnsigned(ctx, next(), 0, 255);
      if (v === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid protocol ${strvec[i]}`);
      else rule.protocol = v;
    } else if (str === 'ipproto') {
      const v = next();
      const n = /^[0-9]+$/.test(v) ? Number(v) : IP_PROTOS[v];
      if (n === undefined || n > 255) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid ipproto ${v}`);
      else rule.ipProto = n;
    } else if (str === 'sport' || str === 'dport') {
      const v = next();
      const r = scanRange(v);
      // keepalived copies a single port to the end, then still rejects it (sscanf must match 2 fields)
      if (r.n !== 2 || r.start > 65535 || r.end > 65535) ctx.report(ConfigErr.GENERAL_ERROR, `invalid ${str} range ${v}`);
      else rule[str] = { start: r.start, end: r.end };
    } else if (str === 'no_track') rule.noTrack = true;
    else if (allowTrackGroup && str === 'track_group') {
      const v = next();
      if (rule.trackGroup !== undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `track_group ${v} is a duplicate`);
        break;
      }
      if (ctx.trackGroupExists(v)) rule.trackGroup = v;
      else ctx.report(ConfigErr.GENERAL_ERROR, `track_group ${v} not found`);
    } else {
      let a: IpRuleEntry['action'];
      if (str === 'type') str = next();
      if (str === 'goto') {
        const v = readUnsigned(ctx, next(), 0, 0xffffffff);
        if (v === undefined) fail(ctx, `Invalid target ${str} specified`);
        rule.gotoTarget = v;
        a = 'goto';
      } else if (str === 'nop') a = 'nop';
      else {
        const t = findRtnType(str);
        if (t === undefined) fail(ctx, `Unknown rule option ${str}`);
        if (t === RTN.BLACKHOLE) a = 'blackhole';
        else if (t === RTN.UNREACHABLE) a = 'unreachable';
        else if (t === RTN.PROHIBIT) a = 'prohibit';
        else return fail(ctx, `Invalid rule action ${str}`);
      }
      if (action !== undefined) fail(ctx, 'Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule');
      action = a!;
    }
    i++;
  }

  if (action === 'goto') {
    if (priority !== undefined) {
      if (priority >= rule.gotoTarget!) fail(ctx, `Invalid rule - preference ${priority} >= goto target ${rule.gotoTarget}`);
    } else fail(ctx, `Invalid rule - goto target ${rule.gotoTarget} specified without preference`);
  }
  if (action === undefined) return fail(ctx, 'No action specified for rule - ignoring');
  if (action !== 'table' && tableOption) fail(ctx, 'suppressor/realm specified for non table action - skipping');
  if (rule.table !== undefined && rule.l3mdev) fail(ctx, 'table cannot be specified for l3mdev rules');

  if (!rule.noTrack) {
    if (rule.protocol !== undefined && rule.protocol !== RTPROT_KEEPALIVED)
      ctx.report(ConfigErr.GENERAL_ERROR, `Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(${RTPROT_KEEPALIVED}), resetting protocol`);
    rule.protocol = RTPROT_KEEPALIVED;
  }
  if (rule.trackGroup !== undefined && rule.iif === undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'Static rule cannot have track_group if dev/iif not specified');
    delete rule.trackGroup;
  }
  const fam: Family = family ?? 'inet';
  if (rule.to && rule.to.family === undefined) rule.to.family = fam;
  if (rule.from && rule.from.family === undefined) rule.from.family = fam;
  let priorityDefaulted = false;
  if (priority === undefined) {
    priority = ctx.nextRulePriority(fam);
    priorityDefaulted = true;
    ctx.report(ConfigErr.GENERAL_ERROR, `Rule has no preference specified - setting to ${priority}. This is probably not what you want.`);
  }
  return { ...rule, family: fam, action, priority, priorityDefaulted } as IpRuleEntry;
}

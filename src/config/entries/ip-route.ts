/**
 * One route line of virtual_routes / static_routes (keepalived/vrrp/vrrp_iproute.c alloc_route(),
 * parse_nexthops(), parse_encap*()).
 */
import { ConfigErr } from '../diagnostics.js';
import type { Strvec } from '../values.js';
import { need } from '../values.js';
import type { Family, IpRouteEntry, NextHop, RouteEncap } from '../model/vrrp.js';
import type { EntryContext } from './context.js';
import {
  findRtDsfield, findRtProto, findRtScope, findRtTable, findRtnType, getRealms, getTimeRtt, getUnsigned,
  getUnsigned64, parseIpAddress, parseRoutePrefix, RTN, RT_TABLE_MAIN, RTPROT_KEEPALIVED,
} from './inet.js';

class RouteError extends Error {}

/** goto err after a helper has already reported. */
const drop = (): never => {
  throw new RouteError('dropped');
};

const fail = (ctx: EntryContext, msg: string): never => {
  ctx.report(ConfigErr.GENERAL_ERROR, msg);
  throw new RouteError(msg);
};

/** Returns the route, or undefined (after reporting) when keepalived drops the line. */
export function parseIpRouteEntry(ctx: EntryContext, strvec: Strvec, allowTrackGroup: boolean): IpRouteEntry | undefined {
  try {
    return parseRoute(ctx, strvec, allowTrackGroup);
  } catch (e) {
    if (e instanceof RouteError) return undefined;
    throw e;
  }
}

function parseRoute(ctx: EntryContext, strvec: Strvec, allowTrackGroup: boolean): IpRouteEntry | undefined {
  let family: Family | undefined;
  const route: Omit<IpRouteEntry, 'family' | 'dst'> & { family?: Family; dst?: IpRouteEntry['dst'] } = {
    at: ctx.position,
    type: RTN.UNICAST,
    table: RT_TABLE_MAIN,
    onlink: false,
    featuresEcn: false,
    locked: [],
    mode: 'prepend',
    nexthops: [],
    noTrack: false,
  };
  const setFamily = (f: Family, msg: string) => {
    if (family === undefined) family = f;
    else if (family !== f) fail(ctx, msg);
  };
  const MIX = 'Cannot mix IPv4 and IPv6 addresses for route';
  let doNexthop = false;
  let dest: string | undefined;
  let i = 0;
  const next = () => need(ctx, strvec, ++i);
  const lockable = (name: string) => {
    let v = next();
    if (v === 'lock') {
      route.locked.push(name);
      v = next();
    }
    return v;
  };
  const u32 = (text: string, msg: string) => getUnsigned(ctx, text, 0xffffffff, msg) ?? drop();

  while (i < strvec.length) {
    const str = strvec[i]!;
    // keepalived steps over inet/inet6 twice, so the word after them is skipped (observed with 2.2.7)
    if (str === 'inet6') {
      setFamily('inet6', 'inet6 specified for IPv4 route');
      i++;
    } else if (str === 'inet') {
      setFamily('inet', 'inet specified for IPv6 route');
      i++;
    } else if (str === 'src') {
      const v = next();
      const a = parseIpAddress(ctx, v, false) ?? fail(ctx, `invalid route src address ${v}`);
      route.prefSrc = { family: a.family, address: a.address };
      setFamily(a.family, MIX);
    } else if (str === 'as') {
      if (next() === 'to') i++;
      ctx.report(ConfigErr.GENERAL_ERROR, '"as to" for MPLS only - ignoring');
    } else if (str === 'via' || str === 'gw') {
      if (str === 'gw') ctx.report(ConfigErr.GENERAL_ERROR, '"gw" for routes is deprecated. Please use "via"');
      let v = next();
      let f: Family | undefined = family;
      if (v === 'inet') {
        f = 'inet';
        v = next();
      } else if (v === 'inet6') {
        f = 'inet6';
        v = next();
      }
      if (f !== undefined) setFamily(f, MIX);
      const a = parseIpAddress(ctx, v, false) ?? fail(ctx, `invalid route via address ${strvec[i]}`);
      route.via = { family: a.family, address: a.address };
      setFamily(a.family, MIX);
    } else if (str === 'from') {
      const v = next();
      const p = parseRoutePrefix(ctx, v) ?? fail(ctx, `invalid route from address ${v}`);
      if (p.family !== 'inet6') fail(ctx, `route from address only supported with IPv6 (${v})`);
      route.src = p;
      setFamily('inet6', MIX);
    } else if (str === 'tos' || str === 'dsfield') {
      const v = next();
      route.tos = findRtDsfield(v) ?? fail(ctx, `TOS value ${v} is invalid`);
      route.tos &= 0xff;
    } else if (str === 'table') {
      const v = next();
      route.table = findRtTable(v) ?? fail(ctx, `Routing table ${v} not found for route`);
    } else if (str === 'protocol') {
      const v = next();
      route.protocol = findRtProto(v) ?? fail(ctx, `Protocol ${v} not found or invalid for route`);
    } else if (str === 'scope') {
      const v = next();
      route.scope = findRtScope(v) ?? fail(ctx, `Scope ${v} not found or invalid for route`);
    } else if (str === 'metric' || str === 'priority' || str === 'preference') {
      route.metric = u32(next(), 'Invalid metric %s specified for route');
    } else if (str === 'dev' || str === 'oif') {
      const v = next();
      if (!ctx.interfaceUsable(v)) fail(ctx, `WARNING - interface ${v} for VROUTE nexthop doesn't exist`);
      route.dev = v;
    } else if (str === 'onlink') {
      route.onlink = true;
    } else if (str === 'encap') {
      const r = parseEncap(ctx, strvec, i);
      i = r.i;
      if (r.encap) route.encap = r.encap;
    } else if (str === 'expires') {
      i++;
      if (family === 'inet') fail(ctx, 'expires is only valid for IPv6');
      family = 'inet6';
      route.expires = u32(need(ctx, strvec, i), 'Invalid expires time %s specified for route');
    } else if (str === 'mtu') {
      route.mtu = u32(lockable('mtu'), 'Invalid MTU %s specified for route');
    } else if (str === 'hoplimit') {
      route.hoplimit = getUnsigned(ctx, next(), 255, 'Invalid hoplimit %s specified for route') ?? drop();
    } else if (str === 'advmss') {
      route.advmss = u32(lockable('advmss'), 'Invalid advmss %s specified for route');
    } else if (str === 'rtt') {
      const v = lockable('rtt');
      route.rtt = getTimeRtt(ctx, v, 8) ?? fail(ctx, `Invalid rtt ${v} for route`);
    } else if (str === 'rttvar') {
      const v = lockable('rttvar');
      route.rttvar = getTimeRtt(ctx, v, 4) ?? fail(ctx, `Invalid rttvar ${v} for route`);
    } else if (str === 'reordering') {
      route.reordering = u32(lockable('reordering'), 'Invalid reordering value %s specified for route');
    } else if (str === 'window') {
      route.window = u32(next(), 'Invalid window value %s specified for route');
    } else if (str === 'cwnd') {
      route.cwnd = u32(lockable('cwnd'), 'Invalid cwnd value %s specified for route');
    } else if (str === 'ssthresh') {
      route.ssthresh = u32(lockable('ssthresh'), 'Invalid ssthresh value %s specified for route');
    } else if (str === 'realms') {
      const v = next();
      route.realms = getRealms(v) ?? fail(ctx, `Invalid realms ${v} for route`);
      if (family === 'inet6') fail(ctx, 'realms are only valid for IPv4');
      family = 'inet';
    } else if (str === 'rto_min') {
      const v = lockable('rto_min');
      route.rtoMin = getTimeRtt(ctx, v, 1) ?? fail(ctx, `Invalid rto_min value ${v} specified for route`);
    } else if (str === 'initcwnd') {
      route.initcwnd = u32(next(), 'Invalid initcwnd value %s specified for route');
    } else if (str === 'initrwnd') {
      route.initrwnd = u32(next(), 'Invalid initrwnd value %s specified for route');
    } else if (str === 'features') {
      const v = next();
      if (v === 'ecn') route.featuresEcn = true;
      else ctx.report(ConfigErr.GENERAL_ERROR, `feature ${v} not supported`);
    } else if (str === 'quickack') {
      route.quickack = getUnsigned(ctx, next(), 1, 'Invalid quickack value %s specified for route') ?? drop();
    } else if (str === 'congctl') {
      let v = next();
      if (v === 'lock') {
        route.locked.push('congctl');
        v = next();
      }
      route.congctl = v;
    } else if (str === 'pref') {
      i++;
      if (family === 'inet') fail(ctx, 'pref is only valid for IPv6');
      family = 'inet6';
      const v = need(ctx, strvec, i);
      if (v === 'low') route.pref = 3;
      else if (v === 'medium') route.pref = 0;
      else if (v === 'high') route.pref = 1;
      else route.pref = getUnsigned(ctx, v, 255, 'Invalid pref value %s specified for route') ?? drop();
    } else if (str === 'ttl-propagate') {
      const v = next();
      if (v === 'enabled') route.ttlPropagate = true;
      else if (v === 'disabled') route.ttlPropagate = false;
      else ctx.report(ConfigErr.GENERAL_ERROR, `ttl-propagate value ${v} not recognised`);
    } else if (str === 'fastopen_no_cookie') {
      route.fastopenNoCookie = !!(getUnsigned(ctx, next(), 1, 'Invalid fastopen_no_cookie value %s specified for route') ?? drop());
    } else if (str === 'add') route.mode = 'add';
    else if (str === 'prepend') route.mode = 'prepend';
    else if (str === 'append') route.mode = 'append';
    else if (str === 'or') {
      ctx.report(ConfigErr.GENERAL_ERROR, '"or" for routes is deprecated. Please use "nexthop"');
      if (route.nexthops.length) {
        ctx.report(ConfigErr.GENERAL_ERROR, '"or" route already specified - ignoring subsequent');
        i += 2;
        continue;
      }
      const first: NextHop = { onlink: false };
      if (route.via) first.via = route.via;
      delete route.via;
      route.nexthops.push(first);
      const v = next();
      const a = parseIpAddress(ctx, v, false) ?? fail(ctx, `Invalid "or" address ${v}`);
      route.nexthops.push({ via: { family: a.family, address: a.address }, onlink: false });
    } else if (str === 'nexthop') {
      if (route.nexthops.length) ctx.report(ConfigErr.GENERAL_ERROR, 'Cannot specify nexthops with "or" route');
      else doNexthop = true;
      break;
    } else if (str === 'no_track') route.noTrack = true;
    else if (allowTrackGroup && str === 'track_group') {
      const v = next();
      if (route.trackGroup !== undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `track_group ${v} is a duplicate`);
        break;
      }
      if (ctx.trackGroupExists(v)) route.trackGroup = v;
      else ctx.report(ConfigErr.GENERAL_ERROR, `track_group ${v} not found`);
    } else if (str === 'vrf') {
      // keepalived needs an existing VRF interface (its table is used); host facts do not give the type
      const v = next();
      if (!ctx.interfaceExists(v)) fail(ctx, `VRF ${v} not found for route`);
      route.vrf = v;
    } else {
      if (str === 'to') i++;
      const t = findRtnType(str);
      if (t !== undefined) {
        route.type = t;
        i++;
      }
      dest = need(ctx, strvec, i);
      const p = parseRoutePrefix(ctx, dest) ?? fail(ctx, `unknown route keyword ${dest}`);
      route.dst = p;
      // keepalived compares even an unset (default/any/all) family with the route's family
      if (family === undefined) family = p.family;
      else if (family !== p.family) fail(ctx, `Cannot mix IPv4 and IPv6 addresses for route (${dest})`);
    }
    i++;
  }

  if (doNexthop) {
    const r = parseNexthops(ctx, strvec, i, family, route.nexthops);
    family = r;
  } else if (i < strvec.length) fail(ctx, `Route has trailing nonsense - ${strvec[i]}`);

  if (!route.dst) fail(ctx, 'Route must have a destination');

  if (!route.noTrack) {
    if (route.protocol !== undefined && route.protocol !== RTPROT_KEEPALIVED)
      ctx.report(ConfigErr.GENERAL_ERROR, `Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(${RTPROT_KEEPALIVED}), resetting protocol`);
    route.protocol = RTPROT_KEEPALIVED;
    if (route.dev === undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Warning - cannot track route ${dest} with no interface specified, not tracking`);
      route.noTrack = true;
    }
  }
  if (route.trackGroup !== undefined && route.dev === undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'Static route cannot have track group if no oif specified');
    delete route.trackGroup;
  }
  const fam: Family = family ?? 'inet';
  if (route.dst!.family === undefined) route.dst!.family = fam;
  if (route.src && route.src.family === undefined) route.src.family = fam;
  return { ...route, family: fam, dst: route.dst! };
}

/** parse_nexthops(): returns the route family afterwards. A bad hop drops that hop only. */
function parseNexthops(ctx: EntryContext, strvec: Strvec, start: number, family: Family | undefined, hops: NextHop[]): Family | undefined {
  let i = start;
  let routeFamily = family;
  const next = () => need(ctx, strvec, ++i);
  try {
    while (i < strvec.length && strvec[i] === 'nexthop') {
      i++;
      const nh: NextHop = { onlink: false };
      while (i < strvec.length) {
        const str = strvec[i]!;
        if (str === 'via') {
          let v = next();
          let f: Family | undefined;
          if (v === 'inet') {
            f = 'inet';
            v = next();
          } else if (v === 'inet6') {
            f = 'inet6';
            v = next();
          }
          if (f !== undefined) {
            if (routeFamily === undefined) routeFamily = f;
            else if (routeFamily !== f) fail(ctx, 'IPv4/6 mismatch for nexthop');
          }
          const a = parseIpAddress(ctx, v, false) ?? fail(ctx, `invalid nexthop address ${v}`);
          if (routeFamily !== undefined && a.family !== routeFamily) fail(ctx, 'Address family mismatch for next hop');
          routeFamily ??= a.family;
          nh.via = { family: a.family, address: a.address };
        } else if (str === 'dev') {
          const v = next();
          if (!ctx.interfaceUsable(v)) fail(ctx, `WARNING - interface ${v} for VROUTE nexthop doesn't exist`);
          nh.dev = v;
        } else if (str === 'weight') {
          const v = getUnsigned(ctx, next(), 256, 'Invalid weight %s specified for route') ?? drop();
          if (!v) fail(ctx, 'Invalid weight 0 specified for route');
          nh.weight = v;
        } else if (str === 'onlink') nh.onlink = true;
        else if (str === 'encap') {
          const r = parseEncap(ctx, strvec, i);
          i = r.i;
          if (r.encap) nh.encap = r.encap;
        } else if (str === 'realms') {
          const v = next();
          nh.realms = getRealms(v) ?? fail(ctx, `Invalid realms ${v} for route`);
          if (routeFamily === undefined) routeFamily = 'inet';
          else if (routeFamily !== 'inet') fail(ctx, 'realms are only supported for IPv4');
        } else if (str === 'as') {
          if (next() === 'to') i++;
          fail(ctx, "'as [to]' (nat) not supported");
        } else break;
        i++;
      }
      hops.push(nh);
    }
    if (i < strvec.length) fail(ctx, `Route has trailing nonsense after nexthops - ${strvec[i]}`);
  } catch (e) {
    if (!(e instanceof RouteError)) throw e;
  }
  return routeFamily;
}

/** parse_encap(): `i` is at "encap"; returns the index of the last word used. */
function parseEncap(ctx: EntryContext, strvec: Strvec, start: number): { i: number; encap?: RouteEncap } {
  let i = start + 1;
  if (strvec.length <= i) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'Missing encap type');
    return { i };
  }
  const type = strvec[i++]!;
  const encap: RouteEncap = { type: 'ip' };
  let ok = true;
  if (type === 'ip' || type === 'ip6') {
    encap.type = type;
    const v6 = type === 'ip6';
    while (i + 1 < strvec.length) {
      const str = strvec[i]!;
      const str1 = strvec[i + 1]!;
      if (str === 'id') {
        const v = getUnsigned64(ctx, str1, v6 ? 'id %s value invalid for IPv6 encapsulation' : 'encap id %s value is invalid');
        if (v === undefined) { ok = false; break; }
        encap.id = v;
      } else if (str === 'dst' || str === 'src') {
        const a = parseIpAddress(ctx, str1, false);
        if (!a) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Invalid encap ${type} ${str} ${str1}`);
          ok = false;
          break;
        }
        if (a.family !== (v6 ? 'inet6' : 'inet')) {
          ctx.report(ConfigErr.GENERAL_ERROR, v6 ? `IPv4 address ${str1} not valid for ip6 encapsulation` : `IPv6 address ${str1} not valid for ip encapsulation`);
          ok = false;
          break;
        }
        encap[str] = a.address;
      } else if ((!v6 && str === 'tos') || (v6 && str === 'tc')) {
        const v = findRtDsfield(str1);
        if (v === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, v6 ? `tc value ${str} is invalid for ip6 encapsulation` : `dsfield ${str1} not valid for ip encapsulation`);
          ok = false;
          break;
        }
        encap.tos = v;
      } else if ((!v6 && str === 'ttl') || (v6 && str === 'hoplimit')) {
        const v = getUnsigned(ctx, str1, 255, v6 ? 'Invalid hoplimit %s specified for ip6 encapsulation' : 'ttl %s is not valid for ip encapsulation');
        if (v === undefined) { ok = false; break; }
        encap.ttl = v;
      } else if (str === 'flags') {
        const v = getUnsigned(ctx, str1, 0xffff, `flags %s is not valid for ${v6 ? 'ip6' : 'ip'} encapsulation`);
        if (v === undefined) { ok = false; break; }
        encap.flags = v;
      } else break;
      i += 2;
    }
    if (ok && encap.dst === undefined && encap.id === undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, `address or id missing for ${type} encapsulation`);
      ok = false;
    }
  } else if (type === 'mpls') {
    encap.type = 'mpls';
    if (i >= strvec.length) {
      ctx.report(ConfigErr.GENERAL_ERROR, 'missing address for MPLS encapsulation');
      ok = false;
    } else {
      const str = strvec[i++]!;
      const labels = str.split('/');
      if (labels.length > 16 || labels.some((l) => !/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(l) || Number(l) > 0xfffff)) {
        ctx.report(ConfigErr.GENERAL_ERROR, `invalid mpls address ${str} for encapsulation`);
        ok = false;
      } else encap.labels = labels.map(Number);
    }
  } else if (type === 'ila') {
    encap.type = 'ila';
    if (i >= strvec.length) {
      ctx.report(ConfigErr.GENERAL_ERROR, 'missing locator for ILA encapsulation');
      ok = false;
    } else {
      const str = strvec[i++]!;
      if (!/^[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){3}$/.test(str)) {
        ctx.report(ConfigErr.GENERAL_ERROR, `invalid locator ${str} for ila encapsulation`);
        ok = false;
      } else encap.locator = str;
    }
  } else {
    ctx.report(ConfigErr.GENERAL_ERROR, `Unknown encap type - ${type}`);
    return { i: i - 1 };
  }
  return ok ? { i: i - 1, encap } : { i: i - 1 };
}

/**
 * One address line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress
 * (keepalived/vrrp/vrrp_ipaddress.c alloc_ipaddress()).
 */
import { ConfigErr } from '../diagnostics.js';
import type { Strvec } from '../values.js';
import { need, readUnsigned } from '../values.js';
import type { IpAddressEntry } from '../model/vrrp.js';
import type { EntryContext } from './context.js';
import { findRtScope, inetPton, parseIPv4, parseIpAddress } from './inet.js';

const IFNAMSIZ = 16;
const INFINITY_LIFE_TIME = 0xffffffff;

/** Returns the entry, or undefined (after reporting as keepalived does) when it is dropped. */
/** An address entry with no options: `ADDRESS/PREFIX` as written alone on its line. */
export function plainAddressEntry(at: IpAddressEntry['at'], family: IpAddressEntry['family'], address: string, prefixLen: number): IpAddressEntry {
  return {
    at,
    family,
    address,
    prefixLen,
    scope: 0,
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: false,
    useVmac: false,
  };
}

export function parseIpAddressEntry(ctx: EntryContext, strvec: Strvec, isStatic: boolean): IpAddressEntry | undefined {
  const first = need(ctx, strvec, 0);
  const addr = parseIpAddress(ctx, first, true);
  if (!addr) return undefined;
  const entry = plainAddressEntry(ctx.position, addr.family, addr.address, addr.prefixLen);
  let brdMode: '+' | '-' | undefined;
  let haveBroadcast = false;
  let preferredLftSet = false;
  let missing: string | undefined;
  let i = 1;
  while (i < strvec.length) {
    const str = strvec[i]!;
    const paramAvail = strvec.length >= i + 2;
    const takesParam = ['dev', 'scope', 'broadcast', 'brd', 'label', 'peer', 'preferred_lft'].includes(str) || (isStatic && str === 'track_group');
    if (takesParam && !paramAvail) {
      missing = str;
      break;
    }
    if (str === 'dev') {
      if (entry.dev !== undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Cannot specify ipaddress device more than once for ${first}`);
        return undefined;
      }
      const dev = strvec[++i]!;
      if (!ctx.interfaceUsable(dev)) {
        ctx.report(ConfigErr.GENERAL_ERROR, `WARNING - interface ${dev} for ip address ${first} doesn't exist`);
        return undefined;
      }
      entry.dev = dev;
    } else if (str === 'scope') {
      const name = strvec[++i]!;
      const scope = findRtScope(name);
      if (scope === undefined) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid scope '${name}' specified for ${first} - ignoring`);
      else entry.scope = scope;
    } else if (str === 'broadcast' || str === 'brd') {
      if (entry.family === 'inet6') {
        ctx.report(ConfigErr.GENERAL_ERROR, `VRRP is trying to assign a broadcast ${str} to the IPv6 address ${first} !!?? WTF... skipping VIP...`);
        return undefined;
      }
      haveBroadcast = true;
      const param = strvec[++i]!;
      if (param === '-' || param === '+') brdMode = param;
      else {
        const brd = inetPton('inet', param);
        if (brd === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `VRRP is trying to assign invalid broadcast ${param}. skipping VIP...`);
          return undefined;
        }
        entry.broadcast = brd;
      }
    } else if (str === 'label') {
      const param = strvec[++i]!;
      if (Buffer.byteLength(param) >= IFNAMSIZ) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Address label ${param} is longer than maximum length ${IFNAMSIZ - 1} - removing address`);
        return undefined;
      }
      entry.label = param;
    } else if (str === 'peer') {
      const param = strvec[++i]!;
      if (entry.peer !== undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Peer ${param} - another peer has already been specified`);
        continue; // keepalived does not step over the value: it is then read as an option

      }
      const peer = parseIpAddress(ctx, param, false);
      if (!peer) ctx.report(ConfigErr.GENERAL_ERROR, `Invalid peer address ${param}`);
      else if (peer.family !== entry.family) ctx.report(ConfigErr.GENERAL_ERROR, `Peer address ${param} does not match address family`);
      else {
        if (entry.prefixLen !== (entry.family === 'inet6' ? 128 : 32))
          ctx.report(ConfigErr.GENERAL_ERROR, 'Cannot specify address prefix when specifying peer address - ignoring');
        entry.peer = peer.address;
        entry.prefixLen = peer.prefixLen;
      }
    } else if (str === 'home') entry.home = true;
    else if (str === '-nodad') entry.nodad = true;
    else if (str === 'mngtmpaddr') entry.mngtmpaddr = true;
    else if (str === 'noprefixroute') entry.noprefixroute = true;
    else if (str === 'autojoin') entry.autojoin = true;
    else if (str === 'no_track') entry.noTrack = true;
    else if (str === 'preferred_lft') {
      const param = strvec[++i]!;
      if (param === 'forever') {
        entry.preferredLft = INFINITY_LIFE_TIME;
        preferredLftSet = true;
      } else {
        const v = readUnsigned(ctx, param, 0, 0xffffffff);
        if (v !== undefined) {
          entry.preferredLft = v;
          preferredLftSet = true;
        } else ctx.report(ConfigErr.GENERAL_ERROR, `preferred_lft ${param} is invalid`);
      }
    } else if (isStatic && str === 'track_group') {
      const name = strvec[++i]!;
      if (entry.trackGroup !== undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `track_group ${name} is a duplicate`);
        break;
      }
      if (ctx.trackGroupExists(name)) entry.trackGroup = name;
      else ctx.report(ConfigErr.GENERAL_ERROR, `track_group ${name} not found`);
    } else if (!isStatic && str === 'use_vmac') entry.useVmac = true;
    else ctx.report(ConfigErr.GENERAL_ERROR, `Unknown configuration entry '${str}' for ip address - ignoring`);
    i++;
  }

  if (missing !== undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, `No ${missing} parameter specified for ${first}`);
    return undefined;
  }

  if (haveBroadcast && entry.peer !== undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'Cannot specify broadcast and peer addresses - ignoring broadcast address');
    delete entry.broadcast;
  } else if (brdMode !== undefined && entry.prefixLen <= 30) {
    const base = parseIPv4(entry.peer ?? entry.address)!;
    const value = ((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) >>> 0;
    const mask = entry.prefixLen === 0 ? 0xffffffff : (0xffffffff >>> entry.prefixLen) >>> 0;
    const brd = brdMode === '+' ? (value | mask) >>> 0 : (value & ~mask) >>> 0;
    entry.broadcast = [brd >>> 24, (brd >>> 16) & 0xff, (brd >>> 8) & 0xff, brd & 0xff].join('.');
  } else if (brdMode !== undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, `Address prefix length ${entry.prefixLen} too long for broadcast`);
  }

  if (isStatic && entry.dev === undefined) {
    const dflt = ctx.defaultInterface();
    if (dflt === undefined) {
      ctx.report(ConfigErr.FATAL, `Static address ${first} requires either an interface or default interface must exist`);
      return undefined;
    }
    entry.dev = dflt;
  }

  if (entry.family === 'inet6') {
    if (entry.scope) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Cannot specify scope for IPv6 addresses (${first}) - ignoring scope`);
      entry.scope = 0;
    }
    if (entry.label !== undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Cannot specify label for IPv6 addresses (${first}) - ignoring label`);
      delete entry.label;
    }
    if (!preferredLftSet) entry.preferredLft = entry.prefixLen === 128 ? 0 : INFINITY_LIFE_TIME;
  }

  if (entry.trackGroup !== undefined && entry.dev === undefined) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'Static route cannot have track_group if interface not specified');
    delete entry.trackGroup;
  }
  return entry;
}

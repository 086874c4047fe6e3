/**
 * `vrrp_instance NAME { … }` and every keyword keepalived 2.2.7 installs inside it
 * (keepalived/vrrp/vrrp_parser.c, vrrp_data.c alloc_vrrp / alloc_vrrp_vip / alloc_vrrp_unicast_peer).
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import { parseScript } from '../script.js';
import { checkTrueFalse, need, readDecimal, readInt, readUnsigned, TIMER_HZ } from '../values.js';
import type { VrrpInstance } from '../model/vrrp.js';
import { parseIpAddressEntry } from '../entries/ip-address.js';
import { parseIpRouteEntry } from '../entries/ip-route.js';
import { parseIpRuleEntry } from '../entries/ip-rule.js';
import { isIPv4Multicast, isIPv6MulticastLinkLocal, parseIpAddress, parseSockaddr } from '../entries/inet.js';
import {
  currentInstance, entryContext, interfaceUsable, trackInterfaceEntry, trackRefEntry,
} from './vrrp-common.js';

const IFNAMSIZ = 16;
const UINT_MAX = 4294967295;
const INT_MAX = 2147483647;
const OPEN_KEY = 'vrrp.openInstance';

const GE = ConfigErr.GENERAL_ERROR;

function newInstance(ctx: KeywordContext, name: string): VrrpInstance {
  const c = ctx.config;
  return {
    at: ctx.position,
    name,
    useVmacAddr: false,
    vmacXmitBase: false,
    unicastPeers: [],
    heartbeatPaths: [],
    unicastConfigured: false,
    unicastFaultNoPeer: false,
    checkUnicastSrc: false,
    nativeIpv6: false,
    dontTrackPrimary: false,
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackBfds: [],
    trackSrcIp: false,
    vips: [],
    evips: [],
    promoteSecondaries: false,
    linkbeatUsePolling: false,
    virtualRoutes: [],
    virtualRules: [],
    skipCheckAdvAddr: c.global.vrrpSkipCheckAdvAddr,
    nopreempt: false,
    preemptDelay: 0,
    notifyDeleted: false,
    garpMasterDelay: c.global.vrrpGarpMasterDelay,
    garpMasterRefresh: c.global.vrrpGarpMasterRefresh,
    garpMasterRepeat: c.global.vrrpGarpMasterRepeat,
    garpMasterRefreshRepeat: c.global.vrrpGarpMasterRefreshRepeat,
    downTimerAdverts: c.global.vrrpDownTimerAdverts,
    configFaults: 0,
  };
}

function vrrpInstanceHandler(strvec: Strvec, ctx: KeywordContext): void {
  ctx.config.vrrp.haveVrrpConfig = true;
  ctx.scratch.delete(OPEN_KEY);
  if (strvec.length !== 2) {
    ctx.report(GE, 'vrrp_instance must have a name');
    ctx.skipBlock(true);
    return;
  }
  const name = strvec[1]!;
  if (ctx.config.vrrp.instances.some((v) => v.name === name)) {
    ctx.report(GE, `vrrp instance ${name} already defined`);
    ctx.skipBlock(true);
    return;
  }
  const inst = newInstance(ctx, name);
  ctx.config.vrrp.instances.push(inst);
  ctx.scratch.set(OPEN_KEY, inst);
}

/** vrrp_end_handler(). */
function vrrpInstanceClose(ctx: KeywordContext): void {
  const v = ctx.scratch.get(OPEN_KEY) as VrrpInstance | undefined;
  if (!v) return;
  ctx.scratch.delete(OPEN_KEY);
  if (v.unicastConfigured && (v.useVmac || v.useIpvlan)) {
    if (v.interface === undefined) {
      ctx.report(GE, `(${v.name}): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac`);
      delete v.useVmac;
      delete v.useIpvlan;
    } else if (!v.vmacXmitBase) {
      ctx.report(GE, `(${v.name}) unicast with use_vmac requires vmac_xmit_base - setting`);
      v.vmacXmitBase = true;
    }
  }
  if (v.unicastPeers.length === 0 && v.unicastTtl !== undefined) {
    ctx.report(GE, `(${v.name}): Cannot use unicast_ttl without unicast peers - resetting`);
    v.unicastTtl = 0;
  }
  if (v.interface === undefined) v.linkbeatUsePolling = false;
}

/* ---- small handler factories ---- */

type InstHandler = (v: VrrpInstance, strvec: Strvec, ctx: KeywordContext) => void;
const on = (fn: InstHandler) => (strvec: Strvec, ctx: KeywordContext) => fn(currentInstance(ctx), strvec, ctx);

/** Optional BOOL argument defaulting to true; `msg` reports an invalid word. */
function optBool(strvec: Strvec, ctx: KeywordContext, msg: (word: string) => string): boolean | undefined {
  if (strvec.length < 2) return true;
  const r = checkTrueFalse(strvec[1]!);
  if (r === undefined) ctx.report(GE, msg(strvec[1]!));
  return r;
}

type NotifyField = 'notifyBackup' | 'notifyMaster' | 'notifyFault' | 'notifyStop' | 'notify' | 'notifyMasterRxLowerPri';

function notifyKeyword(name: string, field: NotifyField, summary: string): KeywordDef {
  return {
    name,
    args: '"CMD [ARGS]" [USER [GROUP]]',
    support: 'supported',
    summary,
    handler: on((v, strvec, ctx) => {
      if (v[field] !== undefined) {
        ctx.report(GE, `(${v.name}) ${name === 'notify' ? 'notify' : name} script already specified - ignoring ${need(ctx, strvec, 1)}`);
        return;
      }
      const s = parseScript(ctx, strvec, name);
      if (s) v[field] = s;
    }),
  };
}

/* ---- use_vmac / use_ipvlan ---- */

function devNameValid(name: string): boolean {
  if (name === '' || Buffer.byteLength(name) >= IFNAMSIZ || name === '.' || name === '..') return false;
  return !/[/:\s]/.test(name);
}

/** Parse a VMAC MAC: 6 octets, or 5 (the 6th is then the VRID). undefined when invalid. */
function parseVmacMac(text: string): { octets: number[]; useVrid: boolean } | undefined {
  if (/[^0-9A-Fa-f:]/.test(text)) return undefined;
  const parts = text.split(':');
  if (parts[parts.length - 1] === '' && parts.length === 6) parts.pop();
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  if (parts.some((p) => p.length < 1 || p.length > 2)) return undefined;
  return { octets: parts.map((p) => parseInt(p, 16)), useVrid: parts.length === 5 };
}

const useVmacHandler = on((v, strvec, ctx) => {
  v.useVmac ??= {};
  for (let i = 1; i < strvec.length && i <= 2; i++) {
    const w = strvec[i]!;
    if (w.includes(':')) {
      if (v.useVmac.mac !== undefined) {
        ctx.report(GE, 'VMAC interface address already specified');
        continue;
      }
      if (/[^0-9A-Fa-f:]/.test(w)) {
        ctx.report(GE, `VMAC invalid MAC address ${w}`);
        continue;
      }
      const mac = parseVmacMac(w);
      if (!mac) ctx.report(GE, `VMAC invalid MAC address ${w} - ignored`);
      else if (mac.octets[0]! & 1) ctx.report(GE, `VMAC MAC address is multicast ${w} - ignoring`);
      else if (mac.octets[0] === 0 && mac.octets[1] === 0 && mac.octets[2] === 0x5e && mac.octets[3] === 0 && (mac.octets[4] === 1 || mac.octets[4] === 2))
        ctx.report(GE, `VMAC MAC address not allowed to be RFC5798 address (${w}) - ignoring`);
      else v.useVmac.mac = w;
    } else {
      if (v.useVmac.ifname !== undefined) {
        ctx.report(GE, 'VMAC interface name already specified');
        continue;
      }
      if (!devNameValid(w)) {
        ctx.report(GE, `VMAC interface name '${w}' too long or invalid characters - ignoring`);
        continue;
      }
      const other = ctx.config.vrrp.instances.find((o) => o.useVmac?.ifname === w || o.useIpvlan?.ifname === w);
      if (other) {
        ctx.report(GE, `(${v.name}) VRRP instance ${other.name} is already using ${w} - ignoring name`);
        continue;
      }
      v.useVmac.ifname = w;
    }
  }
});

const useIpvlanHandler = on((v, strvec, ctx) => {
  if (v.useIpvlan) {
    ctx.report(GE, `(${v.name}) use_ipvlan already specified`);
    return;
  }
  const ip: NonNullable<VrrpInstance['useIpvlan']> = {};
  v.useIpvlan = ip;
  let hadFlags = false;
  for (let i = 1; i < strvec.length; i++) {
    const w = strvec[i]!;
    if (w === 'bridge' || w === 'private' || w === 'vepa') {
      if (hadFlags) ctx.report(GE, `(${v.name}) ipvlan type already specified - ignoring '${w}'`);
      else {
        ip.mode = w;
        hadFlags = true;
      }
      continue;
    }
    if (parseSockaddr(w)) {
      const a = parseIpAddress(ctx, w, true)!;
      if (ip.address) {
        ctx.report(GE, `(${v.name}) ipvlan address already specified - ignoring '${w}'`);
        continue;
      }
      if (v.family === undefined) v.family = a.family;
      else if (a.family !== v.family) {
        ctx.report(GE, `(${v.name}) ipvlan address[${w}] MUST match vrrp instance family !!! Skipping...`);
        continue;
      }
      ip.address = { family: a.family, address: a.address, prefixLen: a.prefixLen };
      if (v.srcIp === undefined) v.srcIp = { family: a.family, address: a.address };
      continue;
    }
    if (ip.ifname !== undefined) {
      ctx.report(GE, `(${v.name}) IPVLAN interface already specified - ignoring '${w}'`);
      continue;
    }
    if (Buffer.byteLength(w) >= IFNAMSIZ) {
      ctx.report(GE, `(${v.name}) IPVLAN interface name '${w}' too long - ignoring`);
      continue;
    }
    const other = ctx.config.vrrp.instances.find((o) => o.useVmac?.ifname === w || o.useIpvlan?.ifname === w);
    if (other) {
      ctx.report(GE, `(${v.name}) VRRP instance ${other.name} is already using ${w} - ignoring name`);
      continue;
    }
    ip.ifname = w;
  }
});

/* ---- addresses ---- */

function srcIp(v: VrrpInstance, strvec: Strvec, ctx: KeywordContext): void {
  const w = need(ctx, strvec, 1);
  const a = parseSockaddr(w);
  if (!a) {
    ctx.report(GE, `Configuration error: VRRP instance[${v.name}] malformed src address[${w}]. Skipping...`);
    return;
  }
  if (v.family === undefined) v.family = a.family;
  else if (a.family !== v.family) {
    ctx.report(GE, `Configuration error: VRRP instance[${v.name}] and src address[${w}] MUST be of the same family !!! Skipping...`);
    delete v.srcIp;
    return;
  }
  v.srcIp = a;
}

const mcastDstHandler = on((v, strvec, ctx) => {
  const w = need(ctx, strvec, 1);
  const a = parseSockaddr(w);
  if (!a) {
    ctx.report(GE, `(${v.name}) malformed mcast dest address ${w}. Skipping...`);
    return;
  }
  let fam: string | undefined = a.family;
  if (v.family === undefined) v.family = a.family;
  else if (a.family !== v.family) {
    ctx.report(GE, `(${v.name}) mcast dest address ${w} MUST match VRRP instance family. Skipping...`);
    fam = undefined;
  }
  if ((fam === 'inet' && !isIPv4Multicast(a.address)) || (fam === 'inet6' && !isIPv6MulticastLinkLocal(a.address))) {
    ctx.report(GE, `(${v.name}) mcast_dst_ip ${w} not${fam === 'inet6' ? ' link-local' : ''} multicast. Skipping...`);
    fam = undefined;
  }
  if (fam === undefined) delete v.mcastDstIp;
  else v.mcastDstIp = a;
});

const unicastPeerHandler = (strvec: Strvec, ctx: KeywordContext) => {
  const v = currentInstance(ctx);
  v.unicastConfigured = true;
  ctx.readValueBlock(strvec, (words) => {
    const w = need(ctx, words, 0);
    const a = parseSockaddr(w);
    if (!a) {
      ctx.report(GE, `Configuration error: VRRP instance[${v.name}] malformed unicast peer address[${w}]. Skipping...`);
      return;
    }
    if (v.family === undefined) v.family = a.family;
    else if (a.family !== v.family) {
      ctx.report(GE, `Configuration error: VRRP instance[${v.name}] and unicast peer address[${w}] MUST be of the same family !!! Skipping...`);
      return;
    }
    let minTtl = 0;
    let maxTtl = 255;
    for (let i = 1; i < words.length; i += 2) {
      if (i + 1 >= words.length) {
        ctx.report(GE, `(${v.name}) ${words[i]} is missing a value`);
        break;
      }
      const ttl = readUnsigned(ctx, words[i + 1]!, 0, 255);
      if (ttl !== undefined) {
        if (words[i] === 'min_ttl') minTtl = ttl;
        else if (words[i] === 'max_ttl') maxTtl = ttl;
        else {
          ctx.report(GE, `(${v.name}) unknown unicast_peer option ${words[i]}`);
          break;
        }
        v.checkUnicastSrc = true;
      }
    }
    if (minTtl > maxTtl) ctx.report(GE, `(${v.name}) min_ttl ${minTtl} > max_ttl ${maxTtl} - all packets will be discarded`);
    v.unicastPeers.push({ at: ctx.position, family: a.family, address: a.address, minTtl, maxTtl });
  });
};

/** heartbeat_paths { IFNAME [PEER …] … } (keepalived-ts): more paths for the adverts. */
const heartbeatPathsHandler = (strvec: Strvec, ctx: KeywordContext) => {
  const v = currentInstance(ctx);
  ctx.readValueBlock(strvec, (words) => {
    const ifname = need(ctx, words, 0);
    if (!devNameValid(ifname)) {
      ctx.report(GE, `(${v.name}) heartbeat path interface '${ifname}' too long or invalid - ignoring`);
      return;
    }
    const peers: string[] = [];
    for (const w of words.slice(1)) {
      const a = parseSockaddr(w);
      if (!a) {
        ctx.report(GE, `(${v.name}) heartbeat path ${ifname}: malformed peer address '${w}' - ignoring the path`);
        return;
      }
      if (v.family === undefined) v.family = a.family;
      else if (a.family !== v.family) {
        ctx.report(GE, `(${v.name}) heartbeat path ${ifname}: peer ${w} is not of the instance's address family - ignoring the path`);
        return;
      }
      peers.push(a.address);
    }
    if (v.heartbeatPaths.some((p) => p.interface === ifname)) {
      ctx.report(GE, `(${v.name}) heartbeat path ${ifname} given twice - ignoring the second`);
      return;
    }
    v.heartbeatPaths.push({ at: ctx.position, interface: ifname, peers });
  });
};

const vipHandler = (excluded: boolean) => (strvec: Strvec, ctx: KeywordContext) => {
  const v = currentInstance(ctx);
  const ectx = entryContext(ctx);
  ctx.readValueBlock(strvec, (words) => {
    const e = parseIpAddressEntry(ectx, words, false);
    if (!e) return;
    if (excluded) {
      v.evips.push(e);
      return;
    }
    if (v.family === undefined) v.family = e.family;
    else if (e.family !== v.family) {
      ctx.report(GE, `(${v.name}): address family must match VRRP instance [${words[0]}] - ignoring`);
      return;
    }
    v.vips.push(e);
  });
};

/* ---- the numeric / flag keywords ---- */

function uintKeyword(
  name: string,
  min: number,
  max: number,
  set: (v: VrrpInstance, n: number, ctx: KeywordContext) => void,
  bad: (v: VrrpInstance, word: string) => string,
  extra: Partial<KeywordDef>,
): KeywordDef {
  return {
    name,
    ...extra,
    handler: on((v, strvec, ctx) => {
      const w = need(ctx, strvec, 1);
      const n = readUnsigned(ctx, w, min, max);
      if (n === undefined) {
        const m = bad(v, w);
        if (m) ctx.report(GE, m);
        return;
      }
      set(v, n, ctx);
    }),
  };
}

function boolKeyword(name: string, set: (v: VrrpInstance, b: boolean) => void, extra: Partial<KeywordDef>): KeywordDef {
  return {
    name,
    args: '[BOOL]',
    ...extra,
    handler: on((v, strvec, ctx) => {
      const b = optBool(strvec, ctx, (w) => `(${v.name}) invalid ${name} ${w} specified`);
      if (b !== undefined) set(v, b);
    }),
  };
}

const trackBlock = (kind: 'interface' | 'script' | 'file' | 'process' | 'bfd') => (strvec: Strvec, ctx: KeywordContext) => {
  const v = currentInstance(ctx);
  ctx.readValueBlock(strvec, (words) => {
    if (kind === 'interface') trackInterfaceEntry(ctx, v.name, v.trackInterfaces, words);
    else {
      const list = { script: v.trackScripts, file: v.trackFiles, process: v.trackProcesses, bfd: v.trackBfds }[kind];
      trackRefEntry(ctx, kind, v.name, list, words);
    }
  });
};

const garpExtraIfHandler = on((v, strvec, ctx) => {
  const cmd = strvec[0]!;
  if (cmd === 'vmac_garp_intvl') ctx.report(ConfigErr.DEPRECATED, 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"');
  let delay: number | undefined;
  let all = false;
  for (let i = 1; i < strvec.length; i++) {
    if (strvec[i] === 'all') all = true;
    else {
      const n = readUnsigned(ctx, strvec[i]!, 0, 86400);
      if (n === undefined) {
        ctx.report(GE, `(${v.name}): ${cmd} '${strvec[i]}' invalid - ignoring`);
        return;
      }
      delay = n;
    }
  }
  if (delay === undefined) {
    ctx.report(GE, `(${v.name}): ${cmd} specified without time - ignoring`);
    return;
  }
  v.garpExtraIf = { interval: delay, all: all || (v.garpExtraIf?.all ?? false) };
});

const authenticationKeywords: readonly KeywordDef[] = [
  {
    name: 'auth_type',
    support: 'supported',
    args: 'PASS|AH',
    summary: 'VRRPv2 authentication type',
    handler: on((v, strvec, ctx) => {
      const w = need(ctx, strvec, 1);
      if (w === 'AH' || w === 'PASS') v.authType = w;
      else ctx.report(GE, `(${v.name}) unknown authentication type '${w}'`);
    }),
  },
  {
    name: 'auth_pass',
    support: 'supported',
    args: 'PASSWORD',
    summary: 'VRRPv2 password: only the first 8 bytes are used',
    handler: on((v, strvec, ctx) => {
      const bytes = Buffer.from(need(ctx, strvec, 1), 'utf8');
      if (bytes.length > 8) ctx.report(GE, 'Truncating auth_pass to 8 characters');
      const pass = new Uint8Array(8);
      pass.set(bytes.subarray(0, 8));
      v.authPass = pass;
    }),
  },
];

export const vrrpInstanceKeywords: readonly KeywordDef[] = [
  { name: 'use_vmac', args: '[IFNAME] [MAC]', summary: 'send and receive through a macvlan with the VRRP virtual MAC', handler: useVmacHandler },
  { name: 'use_vmac_addr', summary: 'use the VMAC for VIPs on other interfaces', handler: on((v) => void (v.useVmacAddr = true)) },
  { name: 'vmac_xmit_base', summary: 'send adverts from the base interface, not the VMAC', handler: on((v) => void (v.vmacXmitBase = true)) },
  { name: 'use_ipvlan', args: '[IFNAME] [ADDR[/PREFIX]] [bridge|private|vepa]', summary: 'use an ipvlan interface', handler: useIpvlanHandler },
  { name: 'unicast_peer', support: 'supported', args: '{ ADDR [min_ttl N] [max_ttl N] … }', summary: 'send adverts to these peers instead of multicast', handler: unicastPeerHandler },
  {
    name: 'heartbeat_paths',
    support: 'supported',
    args: '{ IFNAME [PEER …] … }',
    summary: 'keepalived-ts extension: more paths for the adverts (multicast on IFNAME, or unicast to PEERs through it); an advert on any path counts',
    handler: heartbeatPathsHandler,
  },
  { name: 'unicast_fault_no_peer', support: 'supported', summary: 'with no unicast peers, go to FAULT instead of multicast', handler: on((v) => { v.unicastConfigured = true; v.unicastFaultNoPeer = true; }) },
  { name: 'check_unicast_src', support: 'supported', summary: 'only accept adverts from configured unicast peers', handler: on((v) => { v.unicastConfigured = true; v.checkUnicastSrc = true; }) },
  {
    name: 'old_unicast_checksum',
    support: 'supported',
    args: '[never]',
    summary: 'pre-1.3.6 VRRPv3 unicast checksum compatibility',
    handler: on((v, strvec, ctx) => {
      v.unicastConfigured = true;
      if (strvec.length >= 2) {
        if (strvec[1] === 'never') v.oldUnicastChecksum = 'never';
        else ctx.report(GE, `(${v.name}) Unknown old_unicast_chksum mode ${strvec[1]} - ignoring`);
      } else v.oldUnicastChecksum = 'config';
    }),
  },
  {
    name: 'native_ipv6',
    support: 'supported',
    summary: 'IPv6 instance (deprecated: deduced from the addresses)',
    handler: on((v, _s, ctx) => {
      if (v.family === 'inet') {
        ctx.report(GE, `(${v.name}) Cannot specify native_ipv6 with IPv4 addresses`);
        return;
      }
      v.nativeIpv6 = true;
      v.family = 'inet6';
      v.version = 3;
    }),
  },
  {
    name: 'state',
    support: 'supported',
    args: 'MASTER|BACKUP',
    default: 'BACKUP (MASTER when priority is 255)',
    summary: 'initial state wanted',
    handler: on((v, strvec, ctx) => {
      const w = need(ctx, strvec, 1);
      if (w === 'MASTER') v.state = 'MASTER';
      else if (w === 'BACKUP') {
        if (v.state === 'MASTER') ctx.report(GE, `(${v.name}) state previously set as MASTER - ignoring BACKUP`);
        else v.state = 'BACKUP';
      } else {
        ctx.report(GE, `(${v.name}) unknown state '${w}', defaulting to BACKUP`);
        v.state = 'BACKUP';
      }
    }),
  },
  {
    name: 'interface',
    support: 'supported',
    args: 'IFNAME',
    summary: 'interface the instance runs on',
    handler: on((v, strvec, ctx) => {
      const name = need(ctx, strvec, 1);
      if (Buffer.byteLength(name) >= IFNAMSIZ) {
        ctx.report(GE, `Interface name '${name}' too long - ignoring`);
        return;
      }
      delete v.interface;
      if (!interfaceUsable(ctx, name)) ctx.report(GE, `WARNING - interface ${name} for vrrp_instance ${v.name} doesn't exist`);
      else if (ctx.host.interface(name)?.loopback) ctx.report(GE, `(${v.name}) cannot use a loopback interface (${name}) for vrrp - ignoring`);
      else v.interface = name;
    }),
  },
  {
    name: 'vrf',
    args: 'IFNAME',
    summary: 'VRF for a unicast instance without interface',
    handler: on((v, strvec, ctx) => {
      const name = need(ctx, strvec, 1);
      if (Buffer.byteLength(name) >= IFNAMSIZ) return ctx.report(GE, `(${v.name}) VRF interface name '${name}' too long - ignoring`);
      if (v.interface !== undefined) return ctx.report(GE, `(${v.name}) Cannot specify VRF interface and interface - ignoring`);
      if (v.vrf !== undefined) return ctx.report(GE, `(${v.name}) VRF interface already specified as '${v.vrf}' - ignoring`);
      if (!interfaceUsable(ctx, name)) ctx.report(GE, `(${v.name}) WARNING - VRF interface ${name} doesn't exist`);
      else if (ctx.host.interface(name)?.loopback) ctx.report(GE, `(${v.name}) cannot use a loopback interface (${name}) for VRF - ignoring`);
      else v.vrf = name;
    }),
  },
  { name: 'dont_track_primary', support: 'supported', summary: 'ignore faults of the instance interface', handler: on((v) => void (v.dontTrackPrimary = true)) },
  { name: 'track_interface', support: 'supported', args: '{ IF [weight W [reverse]] … }', summary: 'interfaces whose state affects the instance', handler: trackBlock('interface') },
  { name: 'track_script', support: 'supported', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'vrrp_scripts whose result affects the instance', handler: trackBlock('script') },
  { name: 'track_file', support: 'supported', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'track files whose value affects the instance', handler: trackBlock('file') },
  { name: 'track_process', support: 'supported', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'tracked processes that affect the instance', handler: trackBlock('process') },
  { name: 'track_bfd', args: '{ NAME [weight W [reverse|noreverse]] … }', summary: 'BFD sessions that affect the instance', handler: trackBlock('bfd') },
  { name: 'mcast_src_ip', support: 'supported', args: 'ADDR', summary: 'source address of adverts', handler: on(srcIp) },
  { name: 'unicast_src_ip', support: 'supported', args: 'ADDR', summary: 'source address of unicast adverts', handler: on((v, s, c) => { v.unicastConfigured = true; srcIp(v, s, c); }) },
  { name: 'mcast_dst_ip', support: 'supported', args: 'ADDR', default: '224.0.0.18 / ff02::12', summary: 'multicast group for adverts', handler: mcastDstHandler },
  { name: 'track_src_ip', summary: 'go to FAULT if the source address goes away', handler: on((v) => void (v.trackSrcIp = true)) },
  uintKeyword('virtual_router_id', 1, 255, (v, n) => void (v.vrid = n), (v, w) => `(${v.name}): VRID '${w}' not valid - must be between 1 & 255`, { support: 'supported', args: '<1..255>', summary: 'VRID (required)' }),
  uintKeyword('unicast_ttl', 0, 255, (v, n) => void (v.unicastTtl = n), (v, w) => `(${v.name}): TTL '${w}' not valid - must be between 0 & 255`, { support: 'supported', args: '<0..255>', default: '255', summary: 'TTL of unicast adverts' }),
  {
    name: 'version',
    support: 'supported',
    args: '2|3',
    default: 'global vrrp_version (2)',
    summary: 'VRRP protocol version',
    handler: on((v, strvec, ctx) => {
      const n = readInt(ctx, need(ctx, strvec, 1), 2, 3);
      if (n === undefined) return ctx.report(GE, `(${v.name}): Version must be either 2 or 3`);
      if ((v.version !== undefined && v.version !== n) || (n === 2 && v.family === 'inet6'))
        return ctx.report(GE, `(${v.name}) vrrp_version ${n} conflicts with configured or deduced version ${v.version ?? 0}; ignoring.`);
      v.version = n as 2 | 3;
    }),
  },
  {
    name: 'priority',
    support: 'supported',
    args: '<1..255>',
    default: '100 (255 with state MASTER)',
    summary: 'priority; 255 is the address owner',
    handler: on((v, strvec, ctx) => {
      const n = readUnsigned(ctx, need(ctx, strvec, 1), 1, 255);
      if (n === undefined) {
        ctx.report(GE, `(${v.name}) Priority not valid! must be between 1 & 255. Using default 100`);
        v.priority = 100;
      } else v.priority = n;
    }),
  },
  {
    name: 'advert_int',
    support: 'supported',
    args: 'SECONDS',
    default: '1',
    summary: 'advert interval (v2: whole seconds, v3: centiseconds)',
    handler: on((v, strvec, ctx) => {
      const w = need(ctx, strvec, 1);
      const n = readDecimal(ctx, w, TIMER_HZ / 100, 255 * TIMER_HZ, 6);
      if (n === undefined || n <= 0) ctx.report(GE, `(${v.name}) Advert interval (${w}) not valid! Must be > 0 - ignoring`);
      else v.advertInt = n;
    }),
  },
  { name: 'virtual_ipaddress', support: 'supported', args: '{ ADDR[/PREFIX] [dev IF] [brd ADDR] [scope S] [label L] … }', summary: 'addresses moved with mastership and advertised', handler: vipHandler(false) },
  { name: 'virtual_ipaddress_excluded', support: 'supported', args: '{ ADDR … }', summary: 'addresses moved with mastership but not advertised', handler: vipHandler(true) },
  { name: 'promote_secondaries', summary: 'set promote_secondaries on the interface', handler: on((v) => void (v.promoteSecondaries = true)) },
  {
    name: 'linkbeat_use_polling',
    deprecatedBy: 'linkbeat_interfaces',
    summary: 'poll the interface link state (deprecated)',
    handler: on((v, _s, ctx) => {
      v.linkbeatUsePolling = true;
      ctx.report(GE, `(${v.name}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block`);
    }),
  },
  {
    name: 'virtual_routes',
    support: 'supported',
    args: '{ ip route syntax … }',
    summary: 'routes added with mastership',
    handler: (strvec, ctx) => {
      const v = currentInstance(ctx);
      const e = entryContext(ctx);
      ctx.readValueBlock(strvec, (w) => {
        const r = parseIpRouteEntry(e, w, false);
        if (r) v.virtualRoutes.push(r);
      });
    },
  },
  {
    name: 'virtual_rules',
    support: 'supported',
    args: '{ ip rule syntax … }',
    summary: 'rules added with mastership',
    handler: (strvec, ctx) => {
      const v = currentInstance(ctx);
      const e = entryContext(ctx);
      ctx.readValueBlock(strvec, (w) => {
        const r = parseIpRuleEntry(e, w, false);
        if (r) v.virtualRules.push(r);
      });
    },
  },
  { name: 'accept', support: 'supported', summary: 'accept packets to the VIPs when master (default unless strict)', handler: on((v) => void (v.accept = true)) },
  { name: 'no_accept', support: 'supported', summary: 'drop packets to the VIPs (firewall rules)', handler: on((v) => void (v.accept = false)) },
  // keepalived sets the flag for any valid BOOL, even "false"
  boolKeyword('skip_check_adv_addr', (v) => void (v.skipCheckAdvAddr = true), { support: 'supported', summary: 'do not check advert addresses against the VIPs' }),
  boolKeyword('strict_mode', (v, b) => void (v.strictMode = b), { support: 'supported', default: 'global vrrp_strict', summary: 'enforce RFC conformance' }),
  { name: 'preempt', support: 'supported', summary: 'clear nopreempt (backward compatibility)', handler: on((v) => void (v.nopreempt = false)) },
  { name: 'nopreempt', support: 'supported', summary: 'do not take over from a lower-priority master', handler: on((v) => void (v.nopreempt = true)) },
  {
    name: 'preempt_delay',
    support: 'supported',
    args: '<0..1000> seconds',
    default: '0',
    summary: 'delay before preempting a lower-priority master',
    handler: on((v, strvec, ctx) => {
      const n = readDecimal(ctx, need(ctx, strvec, 1), 0, 1000 * TIMER_HZ, 6);
      if (n === undefined) {
        ctx.report(GE, `(${v.name}) Preempt_delay not valid! must be between 0-1000`);
        v.preemptDelay = 0;
      } else v.preemptDelay = n;
    }),
  },
  uintKeyword('debug', 0, 4, (v, n) => void (v.debug = n), (v, w) => `(${v.name}) Debug value '${w}' not valid; must be between 0-4`, { args: '<0..4>', summary: 'debug level (no effect)' }),
  notifyKeyword('notify_backup', 'notifyBackup', 'script run on entering BACKUP'),
  notifyKeyword('notify_master', 'notifyMaster', 'script run on entering MASTER'),
  notifyKeyword('notify_fault', 'notifyFault', 'script run on entering FAULT'),
  notifyKeyword('notify_stop', 'notifyStop', 'script run when the instance stops'),
  {
    name: 'notify_deleted',
    support: 'supported',
    args: '["CMD"]',
    summary: 'report DELETED instead of FAULT when removed; optional script',
    handler: on((v, strvec, ctx) => {
      if (v.notifyDeleted) return ctx.report(GE, `(${v.name}) notify_deleted already specified - ignoring ${strvec[1] ?? ''}`);
      if (strvec.length > 1) {
        const s = parseScript(ctx, strvec, 'notify_deleted');
        if (s) v.notifyDeletedScript = s;
      }
      v.notifyDeleted = true;
    }),
  },
  notifyKeyword('notify', 'notify', 'script run on every state change (INSTANCE name STATE priority appended)'),
  notifyKeyword('notify_master_rx_lower_pri', 'notifyMasterRxLowerPri', 'script run when the master receives a lower-priority advert'),
  {
    name: 'smtp_alert',
    args: '[BOOL]',
    summary: 'send email on state changes',
    handler: on((v, strvec, ctx) => {
      const b = optBool(strvec, ctx, (w) => `Invalid vrrp_instance smtp_alert parameter ${w}`);
      if (b !== undefined) v.smtpAlert = b;
    }),
  },
  {
    name: 'notify_priority_changes',
    support: 'supported',
    args: '[BOOL]',
    summary: 'notify on priority changes',
    handler: on((v, strvec, ctx) => {
      const b = optBool(strvec, ctx, (w) => `(${v.name}) Invalid value '${w}' for notify_priority_changes specified`);
      if (b !== undefined) v.notifyPriorityChanges = b;
    }),
  },
  {
    name: 'lvs_sync_daemon_interface',
    args: 'IFNAME',
    deprecatedBy: 'lvs_sync_daemon',
    summary: 'IPVS sync daemon interface (deprecated: use global lvs_sync_daemon)',
    handler: on((v, strvec, ctx) => {
      ctx.report(GE, `(${v.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`);
      ctx.report(GE, `      ${' '.repeat(Math.abs(v.name.length - 2))}Please use global lvs_sync_daemon`);
      const already = ctx.config.global.lvsSyncDaemon?.interface;
      if (already !== undefined) return ctx.report(GE, `(${v.name}) lvs_sync_daemon_interface has already been specified as ${already} - ignoring`);
      // keepalived stores it as the global lvs_sync_daemon, tied to this instance
      ctx.config.global.lvsSyncDaemon = {
        interface: need(ctx, strvec, 1),
        vrrpInstance: v.name,
        syncId: undefined,
        maxlen: undefined,
        port: undefined,
        ttl: undefined,
        group: undefined,
        at: ctx.position,
      };
      v.lvsSyncDaemonInterface = need(ctx, strvec, 1);
    }),
  },
  uintKeyword('garp_master_delay', 0, Math.floor(UINT_MAX / TIMER_HZ), (v, n) => void (v.garpMasterDelay = n * TIMER_HZ), (v, w) => `(${v.name}): garp_master_delay '${w}' invalid - ignoring`, { support: 'supported', args: 'SECONDS', default: '5', summary: 'delay before the second GARP burst' }),
  {
    name: 'garp_master_refresh',
    support: 'supported',
    args: 'SECONDS',
    default: '0 (off)',
    summary: 'GARP refresh interval while master',
    handler: on((v, strvec, ctx) => {
      const w = need(ctx, strvec, 1);
      const n = readUnsigned(ctx, w, 0, UINT_MAX);
      if (n === undefined) ctx.report(GE, `(${v.name}): Invalid garp_master_refresh '${w}' - ignoring`);
      v.garpMasterRefresh = n ?? 0;
    }),
  },
  uintKeyword('garp_master_repeat', 0, UINT_MAX, (v, n, ctx) => {
    if (n === 0) ctx.report(GE, `(${v.name}): garp_master_repeat must be greater than 0, setting to 1`);
    v.garpMasterRepeat = n || 1;
  }, (v, w) => `(${v.name}): garp_master_repeat '${w}' invalid - ignoring`, { support: 'supported', args: 'N', default: '5', summary: 'GARPs per burst on becoming master' }),
  uintKeyword('garp_master_refresh_repeat', 0, UINT_MAX, (v, n, ctx) => {
    if (n === 0) ctx.report(GE, `(${v.name}): garp_master_refresh_repeat must be greater than 0, setting to 1`);
    v.garpMasterRefreshRepeat = n || 1;
  }, (v, w) => `(${v.name}): garp_master_refresh_repeat '${w}' invalid - ignoring`, { support: 'supported', args: 'N', default: '1', summary: 'GARPs per refresh' }),
  uintKeyword('garp_lower_prio_delay', 0, Math.floor(UINT_MAX / TIMER_HZ), (v, n) => void (v.garpLowerPrioDelay = n * TIMER_HZ), (v, w) => `(${v.name}): garp_lower_prio_delay '${w}' invalid - ignoring`, { support: 'supported', args: 'SECONDS', default: 'garp_master_delay', summary: 'delay of the second GARP burst after a lower-priority advert' }),
  uintKeyword('garp_lower_prio_repeat', 0, INT_MAX, (v, n) => void (v.garpLowerPrioRepeat = n), (v, w) => `(${v.name}): Invalid garp_lower_prio_repeat '${w}'`, { support: 'supported', args: 'N', default: 'garp_master_repeat', summary: 'GARPs sent after a lower-priority advert' }),
  uintKeyword('down_timer_adverts', 1, 100, (v, n) => void (v.downTimerAdverts = n), (v, w) => `(${v.name}): Invalid down_timer_adverts [1:100] '${w}'`, { support: 'supported', args: '<1..100>', default: '3', summary: 'adverts missed before the master is declared down' }),
  { name: 'garp_extra_if', args: '[all] SECONDS', summary: 'GARP interval on other interfaces', handler: garpExtraIfHandler },
  { name: 'vmac_garp_intvl', args: '[all] SECONDS', deprecatedBy: 'garp_extra_if', aliasOf: 'garp_extra_if', summary: 'old name of garp_extra_if', handler: garpExtraIfHandler },
  boolKeyword('lower_prio_no_advert', (v, b) => void (v.lowerPrioNoAdvert = b), { support: 'supported', default: 'false (true in strict mode)', summary: 'do not answer lower-priority adverts with an advert' }),
  boolKeyword('higher_prio_send_advert', (v, b) => void (v.higherPrioSendAdvert = b), { support: 'supported', default: 'false', summary: 'send an advert before yielding to a higher priority' }),
  {
    name: 'kernel_rx_buf_size',
    args: 'BYTES',
    summary: 'socket receive buffer size',
    handler: on((v, strvec, ctx) => {
      if (strvec.length === 2) {
        const n = readUnsigned(ctx, strvec[1]!, 0, UINT_MAX);
        if (n !== undefined) {
          v.kernelRxBufSize = n;
          return;
        }
      }
      ctx.report(GE, `(${v.name}) invalid kernel_rx_buf_size specified`);
    }),
  },
  { name: 'authentication', support: 'supported', args: '{ auth_type PASS|AH; auth_pass PASS }', summary: 'VRRPv2 authentication', sub: authenticationKeywords },
];

export const vrrpInstanceRoot: KeywordDef = {
  name: 'vrrp_instance',
  support: 'supported',
  args: 'NAME { … }',
  summary: 'a VRRP virtual router',
  handler: vrrpInstanceHandler,
  sub: vrrpInstanceKeywords,
  close: vrrpInstanceClose,
};

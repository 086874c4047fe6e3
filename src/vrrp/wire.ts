/**
 * The drivers' one contact point with the VRRP packet codec: a `send-advert` action becomes
 * the real bytes keepalived would put on the wire (IPv4: whole packet with IP header; IPv6: the
 * VRRP message, as a raw IPv6 socket carries it), and a received frame goes through keepalived's
 * receive checks before it becomes an `advert` event (or `advert-rejected`).
 *
 * Per-instance wire state (IP id, AH sequence numbers, the old-unicast-checksum switch) lives in
 * WireState, as it lives in keepalived's vrrp_t.
 */
import type { HeartbeatPath, VrrpInstance } from '../config/model/vrrp.js';
import type { GlobalConfig } from '../config/model/global.js';
import type { InstanceSettings } from './instance-settings.js';
import type { ReceivedAdvert } from './instance-types.js';
import {
  addressToBytes,
  encodeIPv4Advert,
  encodeVrrpMessage,
  locateVrrpHeader,
  VRRP_MCAST_GROUP4,
} from './packet.js';
import { checkReceivedAdvert, type ReceiverContext, type ReceiveCheck, type UnicastChecksumCompat } from './receive-checks.js';
import type { VrrpAuthType } from './auth.js';

/** What the wire needs to know about one instance beyond the core's settings (auth, cast, TTL). */
export interface WireConfig {
  readonly name: string;
  readonly family: 'inet' | 'inet6';
  readonly version: 2 | 3;
  readonly vrid: number;
  /** Configured adver_int, µs (what goes on the wire). */
  readonly advertInt: number;
  readonly vips: readonly string[];
  readonly unicastPeers: readonly { address: string; minTtl: number; maxTtl: number }[];
  readonly authType: VrrpAuthType;
  readonly authData?: Uint8Array;
  readonly mcastGroup: string;
  readonly unicastTtl: number;
  readonly checkUnicastSrc: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly oldUnicastChecksum: boolean;
  /** The instance's interface (a node's endpoint). */
  readonly interface: string;
}

/**
 * heartbeat_paths (keepalived-ts extension): the instance's advert paths — its own first, then one
 * per extra path, the same wire settings on another interface, multicast there or unicast to the
 * path's peers. A path on an interface already used is left out.
 */
export function advertPaths(cfg: WireConfig, paths: readonly HeartbeatPath[]): WireConfig[] {
  const out = [cfg];
  for (const p of paths) {
    if (out.some((x) => x.interface === p.interface)) continue;
    out.push({ ...cfg, interface: p.interface, unicastPeers: p.peers.map((address) => ({ address, minTtl: 0, maxTtl: 255 })) });
  }
  return out;
}

export function wireConfig(settings: InstanceSettings, inst: VrrpInstance, global: GlobalConfig): WireConfig {
  const family = settings.family;
  const group = inst.mcastDstIp?.address ?? (family === 'inet' ? global.vrrpMcastGroup4 : global.vrrpMcastGroup6);
  return {
    name: settings.name,
    family,
    version: settings.version,
    vrid: settings.vrid,
    advertInt: settings.advertInt,
    vips: settings.vips.map((v) => v.address),
    unicastPeers: inst.unicastPeers.map((p) => ({ address: p.address, minTtl: p.minTtl, maxTtl: p.maxTtl })),
    authType: settings.version === 2 && family === 'inet' ? (inst.authType ?? 'none') : 'none',
    ...(inst.authPass ? { authData: inst.authPass } : {}),
    mcastGroup: group,
    unicastTtl: inst.unicastTtl ?? 255,
    checkUnicastSrc: inst.checkUnicastSrc || global.vrrpCheckUnicastSrc,
    skipCheckAdvAddr: inst.skipCheckAdvAddr || global.vrrpSkipCheckAdvAddr,
    oldUnicastChecksum: inst.oldUnicastChecksum === 'config',
    interface: settings.interface ?? 'eth0',
  };
}

export class WireState {
  /** Next IP id (keepalived starts at 1 and skips 0). */
  ipId = 1;
  /** Next AH sequence number to send. */
  ahSeqOut = 1;
  /** Last AH sequence number accepted. */
  ahSeqIn = 0;
  unicastChecksumCompat: UnicastChecksumCompat = 'none';
}

export interface OutFrame {
  readonly destination: string;
  readonly ttl: number;
  readonly payload: Uint8Array;
}

/** The frames one advert becomes: one to the group, or one per unicast peer (sharing the IP id). */
export function encodeAdvert(w: WireConfig, st: WireState, priority: number, source: string): OutFrame[] {
  const unicast = w.unicastPeers.length > 0;
  const dests = unicast ? w.unicastPeers.map((p) => p.address) : [w.mcastGroup];
  const ttl = unicast ? w.unicastTtl : 255;
  const ipId = st.ipId;
  st.ipId = (st.ipId + 1) & 0xffff || 1;
  const ahSeq = st.ahSeqOut;
  if (w.authType === 'AH') st.ahSeqOut++;
  const out: OutFrame[] = [];
  for (const dst of dests) {
    if (w.family === 'inet') {
      out.push({
        destination: dst,
        ttl,
        payload: encodeIPv4Advert({
          version: w.version,
          family: 'inet',
          vrid: w.vrid,
          priority,
          advertIntUs: w.advertInt,
          addresses: w.vips,
          authType: w.authType,
          ...(w.authData ? { authData: w.authData } : {}),
          src: source,
          dst,
          ipId,
          ttl,
          oldUnicastChecksum: w.oldUnicastChecksum || st.unicastChecksumCompat === 'auto',
          mcastGroup: w.family === 'inet' ? w.mcastGroup : VRRP_MCAST_GROUP4,
          ahSeq,
          unicast,
        }),
      });
    } else {
      out.push({
        destination: dst,
        ttl,
        payload: encodeVrrpMessage(
          { version: 3, family: 'inet6', vrid: w.vrid, priority, advertIntUs: w.advertInt, addresses: w.vips },
          { kind: 'ipv6-pseudo', src: source, dst },
        ),
      });
    }
  }
  return out;
}

/** The VRID a received frame claims, or undefined when its header cannot be read. */
export function peekVrid(family: 'inet' | 'inet6', payload: Uint8Array): number | undefined {
  const loc = locateVrrpHeader(family, payload);
  return loc.ok ? payload[loc.value + 1] : undefined;
}

export type ReceiveResult =
  | { readonly kind: 'advert'; readonly advert: ReceivedAdvert }
  | { readonly kind: 'rejected'; readonly check: ReceiveCheck; readonly reason: string }
  /** Not for this instance at all (keepalived never hands it to the state machine). */
  | { readonly kind: 'ignored'; readonly check: ReceiveCheck; readonly reason: string };

/** keepalived's receive checks for one frame arriving at an instance. */
export function receiveAdvert(
  w: WireConfig,
  st: WireState,
  frame: { source: string; destination: string; ttl: number; payload: Uint8Array },
  isNewMaster: boolean,
): ReceiveResult {
  const ctx: ReceiverContext = {
    iname: w.name,
    family: w.family,
    version: w.version,
    vrid: w.vrid,
    authType: w.authType,
    ...(w.authData ? { authData: w.authData } : {}),
    advertIntUs: w.advertInt,
    vips: w.vips,
    unicast: w.unicastPeers.length > 0,
    unicastPeers: w.unicastPeers,
    checkUnicastSrc: w.checkUnicastSrc,
    skipCheckAdvAddr: w.skipCheckAdvAddr,
    isNewMaster,
    unicastChecksumCompat: w.oldUnicastChecksum ? 'config' : st.unicastChecksumCompat,
    mcastGroup4: w.family === 'inet' ? w.mcastGroup : VRRP_MCAST_GROUP4,
    ahSeq: st.ahSeqIn,
  };
  const v = checkReceivedAdvert(
    w.family === 'inet'
      ? { bytes: frame.payload }
      : { bytes: frame.payload, src: frame.source, dst: frame.destination, hopLimit: frame.ttl, verifyIPv6Checksum: true },
    ctx,
  );
  if (v.effects.ahSeq !== undefined) st.ahSeqIn = v.effects.ahSeq;
  if (v.effects.unicastChecksumCompat) st.unicastChecksumCompat = v.effects.unicastChecksumCompat;
  if (!v.ok) {
    const before = v.check === 'header_too_short' || v.check === 'ipv6_kernel_checksum' || v.check === 'unknown_vrid' || v.check === 'ipv6_cast_mismatch';
    return before ? { kind: 'ignored', check: v.check, reason: v.reason } : { kind: 'rejected', check: v.check, reason: v.reason };
  }
  return {
    kind: 'advert',
    advert: { source: v.src, priority: v.advert.priority, advertInterval: v.advert.advertInt, vips: v.advert.addresses, version: w.version },
  };
}

/** Is `text` an address of `family`? (The codec throws on anything else.) */
export function isAddressOf(family: 'inet' | 'inet6', text: string): boolean {
  try {
    addressToBytes(family, text);
    return true;
  } catch {
    return false;
  }
}

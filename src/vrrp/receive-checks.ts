/**
 * keepalived's receive-side validation of a VRRP advert, in keepalived 2.2.7's order, with the
 * counter each rejection increments: vrrp_get_header() and the parts of vrrp_dispatcher_read()
 * that look at the packet (vrrp_scheduler.c), then vrrp_check_packet() and vrrp_in_chk_ipsecah()
 * (vrrp.c). Pure: the caller passes what the instance knows and applies the returned effects.
 *
 * What this does NOT do (the state machine's part): ignoring adverts in FAULT / INIT or during the
 * startup delay, the one-advert-per-VRID-per-read-burst rule, and everything after
 * vrrp_check_packet() returns (priority comparison, preemption, master_adver_int adoption).
 */
import { authTypeFromWire, authTypeToWire, ahIcv, constantTimeEqual, IPSEC_AH_LEN, VRRP_AUTH_LEN, type VrrpAuthType } from './auth.js';
import { internetChecksumRange, ipv4PseudoHeader, ipv6PseudoHeader, onesComplementSum } from './checksum.js';
import { IPPROTO_AH, IPPROTO_VRRP, isIPv4MulticastBytes, isIPv6MulticastBytes, VRRP_IP_TTL } from './ipv4-header.js';
import {
  addressToBytes,
  bytesToAddress,
  decodeVrrpMessage,
  locateVrrpHeader,
  TIMER_HZ,
  VRRP_HEADER_LEN,
  VRRP_MCAST_GROUP4,
  VRRP_TYPE_ADVERT,
  vrrpMessageLength,
  type VrrpAdvert,
  type VrrpFamily,
} from './packet.js';

/** keepalived's per-instance statistics (JSON dump names), plus the SNMP-only chk_err / vers_err. */
export type VrrpCounter =
  | 'advert_rcvd'
  | 'advert_sent'
  | 'become_master'
  | 'release_master'
  | 'packet_len_err'
  | 'advert_interval_err'
  | 'ip_ttl_err'
  | 'invalid_type_rcvd'
  | 'addr_list_err'
  | 'invalid_authtype'
  | 'authtype_mismatch'
  | 'auth_failure'
  | 'pri_zero_rcvd'
  | 'pri_zero_sent'
  | 'chk_err'
  | 'vers_err';

export const VRRP_COUNTERS: readonly VrrpCounter[] = [
  'advert_rcvd',
  'advert_sent',
  'become_master',
  'release_master',
  'packet_len_err',
  'advert_interval_err',
  'ip_ttl_err',
  'invalid_type_rcvd',
  'addr_list_err',
  'invalid_authtype',
  'authtype_mismatch',
  'auth_failure',
  'pri_zero_rcvd',
  'pri_zero_sent',
  'chk_err',
  'vers_err',
];

export type VrrpCounters = Record<VrrpCounter, number>;

export function newCounters(): VrrpCounters {
  return Object.fromEntries(VRRP_COUNTERS.map((c) => [c, 0])) as VrrpCounters;
}

/** The receive checks, in the order they run. */
export const RECEIVE_CHECKS = [
  /** vrrp_get_header(): shorter than IP hdr [+ AH] + 8. Dispatcher stops reading (break). */
  'header_too_short',
  /** IPv6 only, when asked (simulator): the kernel drops a bad checksum before keepalived sees it. */
  'ipv6_kernel_checksum',
  /** Dispatcher: no instance with this VRID on the socket ("Unknown VRID", log_unknown_vrids). */
  'unknown_vrid',
  /** Dispatcher, IPv6: multicast on a unicast instance or the reverse ("discarding ..."). */
  'ipv6_cast_mismatch',
  /** 1. IPv4: AH header present ⇔ auth_type AH. */
  'ah_presence',
  /** 2. Received length ≠ IP hdr + [AH] + 8 + [8 auth if v2/IPv4] + count × (4|16). */
  'packet_length',
  /** 3. Multicast instance: TTL / hop limit ≠ 255. */
  'ttl',
  /** 4. Version ≠ the instance's. */
  'version',
  /** 5. v2: auth type ∉ {0,1,2}. */
  'auth_type_invalid',
  /** 6. v2: auth type ≠ configured. */
  'auth_type_mismatch',
  /** 7. v2 PASS: the 8 bytes at (IP tot_len − 8) differ (constant-time compare). */
  'auth_pass',
  /** 8a. v2 AH: the AH next header is not 112 (DROP, nothing counted or logged). */
  'ah_next_header',
  /** 8b. v2 AH: HMAC-MD5-96 ICV mismatch. */
  'ah_icv',
  /** 8c. v2 AH: SPI ≠ IP source. */
  'ah_spi',
  /** 8d. v2 AH: sequence number ≤ last seen (anti-replay). */
  'ah_seq',
  /** 9. v2: advert interval ≠ configured (DROP; advert_interval_err is NOT incremented). */
  'advert_interval',
  /** 10. Type ≠ 1. */
  'packet_type',
  /** 11. (when checking addresses) count ≠ number of configured VIPs. */
  'address_count',
  /** 12. IPv4: tot_len ≠ received length. */
  'ip_total_length',
  /** 13. IPv4: VRRP checksum (v2 plain; v3 with pseudo-header, old-unicast auto-compat). */
  'checksum',
  /** 14. Destination multicast ⇔ instance unicast. */
  'cast_mismatch',
  /** 15. (after advert_rcvd++) count ≠ VIPs — unreachable after 11, kept for fidelity. */
  'vip_count',
  /** 16. A configured VIP is missing from the advert. */
  'vip_missing',
  /** 17. Unicast + check_unicast_src: source is not a configured peer. */
  'unicast_src',
  /** 18. Unicast + check_unicast_src: TTL outside the peer's min_ttl..max_ttl. */
  'unicast_ttl',
] as const;
export type ReceiveCheck = (typeof RECEIVE_CHECKS)[number];

export interface UnicastPeerInfo {
  address: string;
  /** Default 0. */
  minTtl?: number;
  /** Default 255. */
  maxTtl?: number;
}

/** keepalived's unicast_chksum_compat. 'none' (default) auto-switches to 'auto' on an old-style advert. */
export type UnicastChecksumCompat = 'none' | 'never' | 'config' | 'auto';

/** What the receiving instance knows (from its configuration and state). */
export interface ReceiverContext {
  /** Instance name, for the log wording "(VI_1) ...". */
  iname?: string;
  family: VrrpFamily;
  version: 2 | 3;
  vrid: number;
  /** v2 authentication (v3: 'none'). */
  authType: VrrpAuthType;
  /** The 8-byte auth_data (password truncated / zero padded). Zeros when absent. */
  authData?: Uint8Array;
  /** Configured advert interval, µs (keepalived's adver_int). */
  advertIntUs: number;
  /** Configured VIPs (not eVIPs), canonical text. */
  vips: readonly string[];
  /** The instance has unicast peers. */
  unicast: boolean;
  unicastPeers?: readonly UnicastPeerInfo[];
  /** check_unicast_src in the instance, or global vrrp_check_unicast_src. */
  checkUnicastSrc?: boolean;
  /** skip_check_adv_addr. */
  skipCheckAdvAddr?: boolean;
  /**
   * The advert comes from an address other than the current master's (keepalived's
   * master_saddr). With skip_check_adv_addr, addresses are checked only then. MASTER state:
   * keepalived always checks (vrrp_state_master_rx passes true), so pass true.
   */
  isNewMaster?: boolean;
  /** old_unicast_checksum state. Default 'none'. */
  unicastChecksumCompat?: UnicastChecksumCompat;
  /** Global vrrp_mcast_group4. Default 224.0.0.18. */
  mcastGroup4?: string;
  /** v3_checksum_as_v2 (keepalived ≥ 2.3, not 2.2.7): IPv4 v3 checksum without pseudo-header. */
  v3ChecksumAsV2?: boolean;
  /** AH: the last accepted sequence number (vrrp->ipsecah_counter.seq_number). Default 0. */
  ahSeq?: number;
}

/** One received datagram and its ancillary data. */
export interface ReceivedPacket {
  /** IPv4: the whole packet from the raw socket (IP header included). IPv6: the VRRP payload. */
  bytes: Uint8Array;
  /** Sender (recvmsg msg_name). IPv4: defaults to the IP header's source. Required for IPv6 unicast source checks. */
  src?: string;
  /**
   * Destination. IPv6: the IPV6_PKTINFO address (decides multicast vs unicast; absent ⇒
   * unicast, as keepalived without the cmsg). IPv4: ignored (the IP header's is used).
   */
  dst?: string;
  /** IPv6: the IPV6_HOPLIMIT cmsg; undefined when not received (keepalived's −1). IPv4: ignored (header TTL). */
  hopLimit?: number;
  /** IPv6, simulator only: verify the checksum as the kernel would (needs src and dst). */
  verifyIPv6Checksum?: boolean;
}

/** State changes the instance must apply whatever the verdict. */
export interface VerdictEffects {
  /** New vrrp->ipsecah_counter.seq_number (set by the AH check even if a later check fails). */
  ahSeq?: number;
  /** The instance switches to old-style unicast checksums (send with the group in the pseudo-header). */
  unicastChecksumCompat?: 'auto';
}

export interface AcceptedAdvert {
  ok: true;
  advert: VrrpAdvert;
  /** Sender address (pkt_saddr). */
  src: string;
  /** TTL / hop limit, undefined when unknown. */
  ttl: number | undefined;
  /** Every counter incremented: advert_rcvd, and pri_zero_rcvd for a priority-0 advert. */
  counters: VrrpCounter[];
  effects: VerdictEffects;
  /** Informational log lines keepalived writes while accepting (old-checksum switch). */
  log: string[];
}

export interface RejectedAdvert {
  ok: false;
  /** KO: invalid packet; DROP: not for us. Both mean "ignore the advert". */
  kind: 'KO' | 'DROP';
  check: ReceiveCheck;
  /** The counter this rejection increments, or null when keepalived increments none. */
  counter: VrrpCounter | null;
  /** Every counter incremented (rejections after the advert_rcvd point include advert_rcvd). */
  counters: VrrpCounter[];
  /** keepalived's log line for it (without timestamp). */
  reason: string;
  /** Decoded fields when the header could be read. */
  advert?: VrrpAdvert;
  effects: VerdictEffects;
}

export type ReceiveVerdict = AcceptedAdvert | RejectedAdvert;

const vipBytesCache = new WeakMap<readonly string[], Uint8Array[]>();
function vipBytes(family: VrrpFamily, vips: readonly string[]): Uint8Array[] {
  let v = vipBytesCache.get(vips);
  if (!v) {
    v = vips.map((a) => addressToBytes(family, a));
    vipBytesCache.set(vips, v);
  }
  return v;
}

function sameBytes(a: Uint8Array, aOff: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[aOff + i] !== b[i]) return false;
  return true;
}

/** The uint32 keepalived prints with %u for a network-order address on a little-endian host. */
function leU32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

/** The lenient header decode for the verdict (never throws). */
function peekAdvert(buf: Uint8Array, family: VrrpFamily, off: number): VrrpAdvert | undefined {
  const d = decodeVrrpMessage(buf, family, off);
  return d.ok ? d.value : undefined;
}

/**
 * Runs keepalived's receive checks on one datagram. Never throws on any `rx.bytes` (a malformed
 * context — e.g. a VIP that is not an address — may throw).
 */
export function checkReceivedAdvert(rx: ReceivedPacket, ctx: ReceiverContext): ReceiveVerdict {
  const buf = rx.bytes;
  const len = buf.length;
  const family = ctx.family;
  const v4 = family === 'inet';
  const pfx = ctx.iname !== undefined ? `(${ctx.iname}) ` : '';
  const effects: VerdictEffects = {};
  const counters: VrrpCounter[] = [];
  let advert: VrrpAdvert | undefined;

  const reject = (kind: 'KO' | 'DROP', check: ReceiveCheck, counter: VrrpCounter | null, reason: string): RejectedAdvert => {
    if (counter) counters.push(counter);
    const r: RejectedAdvert = { ok: false, kind, check, counter, counters, reason, effects };
    if (advert) r.advert = advert;
    return r;
  };

  // ---- vrrp_get_header()
  const loc = locateVrrpHeader(family, buf);
  if (!loc.ok) return reject('DROP', 'header_too_short', null, loc.reason);
  const h = loc.value; // VRRP header offset
  const ihl = v4 ? (buf[0]! & 0x0f) << 2 : 0;
  advert = peekAdvert(buf, family, h);

  const verVal = buf[h]! >> 4;
  const typeVal = buf[h]! & 0x0f;
  const vrid = buf[h + 1]!;
  const naddr = buf[h + 3]!;

  const src = v4 ? (rx.src ?? bytesToAddress('inet', buf, 12)) : (rx.src ?? '::');

  // ---- the kernel (IPv6 raw socket with IPV6_CHECKSUM) — simulator only
  if (!v4 && rx.verifyIPv6Checksum) {
    const s = rx.src !== undefined ? safeBytes('inet6', rx.src) : undefined;
    const d = rx.dst !== undefined ? safeBytes('inet6', rx.dst) : undefined;
    if (!s || !d || internetChecksumRange(buf, 0, len, onesComplementSum(ipv6PseudoHeader(s, d, IPPROTO_VRRP, len))) !== 0)
      return reject('DROP', 'ipv6_kernel_checksum', null, 'IPv6 VRRP checksum invalid (dropped by the kernel)');
  }

  // ---- vrrp_dispatcher_read(): demultiplex by VRID
  if (vrid !== ctx.vrid) return reject('DROP', 'unknown_vrid', null, `Unknown VRID(${vrid}) received on interface. ignoring...`);

  // ---- TTL / hop limit and multicast flag as the dispatcher records them
  let rxTtl = -1;
  let multicastPkt: boolean;
  if (v4) {
    rxTtl = buf[8]!;
    multicastPkt = isIPv4MulticastBytes(buf.subarray(16, 20));
  } else {
    if (rx.hopLimit !== undefined) rxTtl = rx.hopLimit;
    const d = rx.dst !== undefined ? safeBytes('inet6', rx.dst) : undefined;
    multicastPkt = d ? isIPv6MulticastBytes(d) : false;
    if (multicastPkt === ctx.unicast)
      return reject(
        'DROP',
        'ipv6_cast_mismatch',
        null,
        `${pfx}discarding ${multicastPkt ? 'mult' : 'un'}icast packet on ${ctx.unicast ? 'un' : 'mult'}icast instance`,
      );
  }

  // ==== vrrp_check_packet()
  let expectedLen = ihl;
  if (v4) {
    const isAh = buf[9] === IPPROTO_AH;
    if (isAh !== (ctx.authType === 'AH')) {
      return reject('KO', 'ah_presence', 'authtype_mismatch', isAh ? `${pfx}Received AH header but auth type not AH` : `${pfx}No AH header but auth type is AH`);
    }
    if (ctx.authType === 'AH') expectedLen += IPSEC_AH_LEN;
  }
  expectedLen += vrrpMessageLength(verVal, family, naddr);
  if (len !== expectedLen)
    return reject('KO', 'packet_length', 'packet_len_err', `${pfx}vrrp packet too ${len > expectedLen ? 'long' : 'short'}, length ${len} and expect ${expectedLen}`);

  if (!ctx.unicast && rxTtl !== -1 && rxTtl !== VRRP_IP_TTL)
    return reject('KO', 'ttl', 'ip_ttl_err', `${pfx}invalid TTL/HL. Received ${rxTtl} and expect ${VRRP_IP_TTL}`);

  if (verVal !== ctx.version) return reject('KO', 'version', 'vers_err', `${pfx}wrong version. Received ${verVal} and expect ${ctx.version}`);

  const authData = ctx.authData ?? new Uint8Array(VRRP_AUTH_LEN);
  if (ctx.version === 2) {
    const at = buf[h + 4]!;
    if (authTypeFromWire(at) === undefined) return reject('KO', 'auth_type_invalid', 'invalid_authtype', `${pfx}Invalid auth type: ${at}`);
    const mine = authTypeToWire(ctx.authType);
    if (at !== mine) return reject('KO', 'auth_type_mismatch', 'authtype_mismatch', `${pfx}received a ${at} auth, expecting ${mine}!`);

    if (ctx.authType === 'PASS') {
      // keepalived reads the password at (ip + ntohs(ip->tot_len) - 8): before it has checked
      // tot_len against the received length. Out-of-range bytes can never match here.
      const totLen = (buf[2]! << 8) | buf[3]!;
      const pwOff = totLen - VRRP_AUTH_LEN;
      const pw = pwOff >= 0 && pwOff + VRRP_AUTH_LEN <= len ? buf.subarray(pwOff, pwOff + VRRP_AUTH_LEN) : undefined;
      // always do the comparison (constant time), even against a dummy when out of range
      const equal = constantTimeEqual(pw ?? invertedCopy(authData), authData);
      if (!equal || !pw) return reject('KO', 'auth_pass', 'auth_failure', `${pfx}received an invalid passwd!`);
    } else if (ctx.authType === 'AH') {
      const a = ihl;
      if (buf[a] !== IPPROTO_VRRP) return reject('DROP', 'ah_next_header', null, `${pfx}AH next header ${buf[a]} is not VRRP (112) - ignoring`);
      const icv = ahIcv(buf, a, authData, ctx.unicast);
      if (!constantTimeEqual(buf.subarray(a + 12, a + 24), icv))
        return reject('KO', 'ah_icv', 'auth_failure', `${pfx}IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !`);
      if (!sameBytes(buf, a + 4, buf.subarray(12, 16)))
        return reject('KO', 'ah_spi', 'auth_failure', `IPSEC AH : invalid IPSEC SPI value. ${leU32(buf, 12)} and expect ${leU32(buf, a + 4)}`);
      const seq = ((buf[a + 8]! << 24) | (buf[a + 9]! << 16) | (buf[a + 10]! << 8) | buf[a + 11]!) >>> 0;
      const last = ctx.ahSeq ?? 0;
      if (seq > last) effects.ahSeq = seq;
      else return reject('KO', 'ah_seq', 'auth_failure', `${pfx}IPSEC-AH : sequence number ${seq} already processed. Packet dropped. Local(${last})`);
    }

    const rcvInt = buf[h + 5]!;
    if (ctx.advertIntUs !== rcvInt * TIMER_HZ)
      return reject(
        'DROP',
        'advert_interval',
        null,
        `${pfx}advertisement interval mismatch mine=${Math.floor(ctx.advertIntUs / TIMER_HZ) >>> 0} sec rcv'd=${rcvInt} sec`,
      );
  }

  if (typeVal !== VRRP_TYPE_ADVERT)
    return reject('KO', 'packet_type', 'invalid_type_rcvd', `${pfx}Invalid packet type. ${typeVal} and expect ${VRRP_TYPE_ADVERT}`);

  const checkVipAddr = !ctx.skipCheckAdvAddr || (ctx.isNewMaster ?? false);
  const vipCnt = ctx.vips.length;
  if (checkVipAddr && naddr !== vipCnt)
    return reject('KO', 'address_count', 'addr_list_err', `${pfx}received an unexpected ip number count ${naddr}, expected ${vipCnt}!`);

  if (v4) {
    const totLen = (buf[2]! << 8) | buf[3]!;
    if (totLen !== len)
      return reject('KO', 'ip_total_length', 'packet_len_err', `${pfx}ip_tot_len mismatch against received length. ${totLen} and received ${len}`);

    // VRRP checksum (IPv6: the kernel's job)
    const vEnd = h + VRRP_HEADER_LEN + naddr * 4 + (ctx.version === 2 ? VRRP_AUTH_LEN : 0);
    if (ctx.version === 3 && !ctx.v3ChecksumAsV2) {
      const compat = ctx.unicastChecksumCompat ?? 'none';
      const group = safeBytes('inet', ctx.mcastGroup4 ?? VRRP_MCAST_GROUP4) ?? Uint8Array.of(224, 0, 0, 18);
      const ipSrc = buf.subarray(12, 16);
      const ipDst = buf.subarray(16, 20);
      const vlen = vEnd - h;
      let pdst = compat === 'none' || compat === 'never' ? ipDst : group;
      let sum = internetChecksumRange(buf, h, vEnd, onesComplementSum(ipv4PseudoHeader(ipSrc, pdst, IPPROTO_VRRP, vlen)));
      if (sum !== 0) {
        let fixed = false;
        if (ctx.unicast && compat === 'none' && !sameBytes(pdst, 0, group)) {
          pdst = group;
          sum = internetChecksumRange(buf, h, vEnd, onesComplementSum(ipv4PseudoHeader(ipSrc, pdst, IPPROTO_VRRP, vlen)));
          if (sum === 0) {
            effects.unicastChecksumCompat = 'auto';
            fixed = true;
          }
        }
        if (!fixed) return reject('KO', 'checksum', 'chk_err', `${pfx}Invalid VRRPv3 checksum`);
      }
    } else {
      if (internetChecksumRange(buf, h, vEnd) !== 0)
        return reject('KO', 'checksum', 'chk_err', `${pfx}Invalid VRRPv${ctx.version === 2 ? 2 : 3} checksum`);
    }
  }

  if (multicastPkt === ctx.unicast) {
    const u = ctx.unicast;
    return reject('KO', 'cast_mismatch', 'addr_list_err', `${pfx}Expected ${u ? 'un' : 'mult'}icast packet but received ${u ? 'mult' : 'un'}icast packet`);
  }

  // Correct type, version, and length. Count as VRRP advertisement
  counters.push('advert_rcvd');
  const log: string[] = [];
  if (effects.unicastChecksumCompat === 'auto') log.push(`${pfx}Setting unicast VRRPv3 checksum to old version`);

  if (checkVipAddr) {
    if (naddr !== vipCnt) return reject('KO', 'vip_count', null, `${pfx}expected ${vipCnt} VIPs but received ${naddr}`);
    const alen = v4 ? 4 : 16;
    const vb = vipBytes(family, ctx.vips);
    for (let k = 0; k < vb.length; k++) {
      let found = false;
      for (let i = 0; i < vipCnt && !found; i++) found = sameBytes(buf, h + VRRP_HEADER_LEN + i * alen, vb[k]!);
      if (!found)
        return reject('KO', 'vip_missing', 'addr_list_err', `${pfx}ip address associated with VRID ${ctx.vrid} not present in MASTER advert: ${bytesToAddress(family, vb[k]!)}`);
    }

    if (ctx.unicast && ctx.checkUnicastSrc) {
      const sb = safeBytes(family, src);
      const peer = sb ? (ctx.unicastPeers ?? []).find((p) => { const pb = safeBytes(family, p.address); return pb !== undefined && sameBytes(pb, 0, sb); }) : undefined;
      if (!peer) return reject('KO', 'unicast_src', null, `${pfx}unicast source address ${src} not a unicast peer`);
      const minTtl = peer.minTtl ?? 0;
      const maxTtl = peer.maxTtl ?? 255;
      if (rxTtl !== -1 && (rxTtl < minTtl || rxTtl > maxTtl))
        return reject('KO', 'unicast_ttl', 'ip_ttl_err', `${pfx}TTL/HL ${rxTtl} not in range ${minTtl} - ${maxTtl}`);
    }
  }

  if (buf[h + 2] === 0) counters.push('pri_zero_rcvd');

  return { ok: true, advert: advert!, src, ttl: rxTtl === -1 ? undefined : rxTtl, counters, effects, log };
}

function safeBytes(family: VrrpFamily, text: string): Uint8Array | undefined {
  try {
    return addressToBytes(family, text);
  } catch {
    return undefined;
  }
}

function invertedCopy(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ~a[i]! & 0xff;
  return out;
}

/** Adds a verdict's counters to a counters record. */
export function applyCounters(target: VrrpCounters, verdict: ReceiveVerdict): void {
  for (const c of verdict.counters) target[c]++;
}

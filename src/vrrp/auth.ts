/**
 * VRRPv2 authentication: simple password (auth_type PASS) and IPSEC-AH (auth_type AH,
 * HMAC-MD5-96, keepalived's vrrp_build_ipsecah() / vrrp_update_pkt() / vrrp_in_chk_ipsecah()).
 * Pure: node:crypto only for HMAC-MD5.
 */
import { createHmac } from 'node:crypto';

/** Wire values of the v2 Auth Type field. */
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_AH = 2;
export type VrrpAuthType = 'none' | 'PASS' | 'AH';

export const VRRP_AUTH_LEN = 8;
/** Size of keepalived's ipsec_ah_t: next header, payload len, reserved(2), SPI(4), seq(4), ICV(12). */
export const IPSEC_AH_LEN = 24;
/** HMAC-MD5 truncated to 96 bits. */
export const HMAC_MD5_TRUNC = 12;
/** AH payload length field: (12*8 + 3*32)/32 - 2. */
export const IPSEC_AH_PLEN = 4;

export function authTypeToWire(t: VrrpAuthType): number {
  return t === 'PASS' ? VRRP_AUTH_PASS : t === 'AH' ? VRRP_AUTH_AH : VRRP_AUTH_NONE;
}

export function authTypeFromWire(n: number): VrrpAuthType | undefined {
  return n === VRRP_AUTH_NONE ? 'none' : n === VRRP_AUTH_PASS ? 'PASS' : n === VRRP_AUTH_AH ? 'AH' : undefined;
}

/**
 * The 8 bytes keepalived keeps as auth_data: auth_pass truncated to 8 bytes, zero padded
 * (strncpy into an 8-byte buffer; a password longer than 8 is silently truncated).
 */
export function authDataFromPassword(password: string | Uint8Array): Uint8Array {
  const bytes = typeof password === 'string' ? new TextEncoder().encode(password) : password;
  const out = new Uint8Array(VRRP_AUTH_LEN);
  // strncpy stops at the first NUL
  for (let i = 0; i < VRRP_AUTH_LEN && i < bytes.length && bytes[i] !== 0; i++) out[i] = bytes[i]!;
  return out;
}

/**
 * Constant-time equality of two byte arrays (keepalived's memcmp_constant_time()): the time
 * depends only on the lengths, never on where the first difference is. Arrays of different
 * lengths are unequal (the length is not secret).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * The AH ICV keepalived computes: HMAC-MD5 keyed with the 8-byte auth_data over
 * (IPv4 header with TOS, frag_off and checksum zeroed, and TTL zeroed for unicast instances)
 * ‖ (AH header with its ICV zeroed) ‖ (the VRRP message), truncated to 96 bits.
 *
 * `packet` is the whole IPv4 packet (header, AH, VRRP); `ahOffset` is where AH starts (the IHL).
 * Only the header bytes are copied; the packet is not modified.
 */
export function ahIcv(packet: Uint8Array, ahOffset: number, authData: Uint8Array, unicast: boolean): Uint8Array {
  const headerLen = ahOffset + IPSEC_AH_LEN;
  // a copy: on a Node Buffer, slice() is a view, and zeroing fields would change the packet itself
  const hdr = Uint8Array.prototype.slice.call(packet, 0, headerLen);
  hdr[1] = 0; // tos
  hdr[6] = 0; // frag_off
  hdr[7] = 0;
  hdr[10] = 0; // check
  hdr[11] = 0;
  if (unicast) hdr[8] = 0; // ttl
  hdr.fill(0, ahOffset + 12, ahOffset + 24); // ICV
  const h = createHmac('md5', authData);
  h.update(hdr);
  h.update(packet.subarray(headerLen));
  return new Uint8Array(h.digest().subarray(0, HMAC_MD5_TRUNC));
}

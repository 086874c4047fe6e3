/**
 * The Internet checksum (RFC 1071) and the pseudo-headers VRRP uses. Pure: no sockets, no clock.
 *
 * keepalived's in_csum() folds a 32-bit accumulator; the one's complement sum is associative, so
 * summing several buffers one after another gives the same result as summing their concatenation
 * as long as every buffer but the last has an even length (all ours do: pseudo-headers are 12 or
 * 40 bytes). An odd-length buffer is padded with a zero byte, as RFC 1071 says.
 */

/** One's complement sum (not complemented, folded to 16 bits) of `data`, added to `initial`. */
export function onesComplementSum(data: Uint8Array, initial = 0, start = 0, end = data.length): number {
  let sum = initial;
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i === last) sum += data[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * Internet checksum of the concatenation of `parts` (each but the last of even length): the
 * 16-bit one's complement of the one's complement sum. Computing it over data that already holds
 * a correct checksum gives 0.
 */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) sum = onesComplementSum(p, sum);
  return ~sum & 0xffff;
}

/** Internet checksum of `data[start, end)` (a sub-range without copying). */
export function internetChecksumRange(data: Uint8Array, start: number, end: number, initial = 0): number {
  return ~onesComplementSum(data, initial, start, end) & 0xffff;
}

/** The 12-byte IPv4 pseudo-header {src, dst, 0, proto, len} (VRRPv3 over IPv4, RFC 5798 §5.2.8). */
export function ipv4PseudoHeader(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  if (src.length !== 4 || dst.length !== 4) throw new RangeError('IPv4 pseudo-header needs 4-byte addresses');
  const h = new Uint8Array(12);
  h.set(src, 0);
  h.set(dst, 4);
  h[8] = 0;
  h[9] = proto & 0xff;
  h[10] = (length >>> 8) & 0xff;
  h[11] = length & 0xff;
  return h;
}

/** The 40-byte IPv6 pseudo-header {src, dst, upper-layer length (32 bit), 0,0,0, next header} (RFC 8200 §8.1). */
export function ipv6PseudoHeader(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): Uint8Array {
  if (src.length !== 16 || dst.length !== 16) throw new RangeError('IPv6 pseudo-header needs 16-byte addresses');
  const h = new Uint8Array(40);
  h.set(src, 0);
  h.set(dst, 16);
  h[32] = (length >>> 24) & 0xff;
  h[33] = (length >>> 16) & 0xff;
  h[34] = (length >>> 8) & 0xff;
  h[35] = length & 0xff;
  h[39] = nextHeader & 0xff;
  return h;
}

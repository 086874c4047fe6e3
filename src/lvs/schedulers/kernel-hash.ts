/**
 * The hash functions the IPVS schedulers use, reproduced bit for bit so that a user-space data
 * plane picks the same real server the kernel would:
 * - hash_32 (include/linux/hash.h): multiply by GOLDEN_RATIO_32, keep the top `bits` bits (sh);
 * - the older multiplicative hash by 2654435761 masked to the table size (dh, lblc, lblcr);
 * - hsiphash (lib/siphash.c) as built on 64-bit kernels, where it is SipHash-1-3 over the
 *   input with a 64-bit key pair, truncated to 32 bits (mh).
 */
export const GOLDEN_RATIO_32 = 0x61c88647;

export function hash32(value: number, bits: number): number {
  return Math.imul(value >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

/** (value * 2654435761) & mask: the low bits of the 64-bit product equal those of the 32-bit one. */
export function multiplicativeHash(value: number, mask: number): number {
  return (Math.imul(value >>> 0, 2654435761 | 0) & mask) >>> 0;
}

const MASK64 = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK64;
}

/**
 * SipHash-c-d of a message shorter than 8 bytes given as its little-endian word (the only
 * shape IPVS hashes), 64-bit result. Exported for the reference test vectors.
 */
export function sipHashShort(compressionRounds: number, finalRounds: number, word: bigint, length: number, key0: bigint, key1: bigint): bigint {
  let v0 = 0x736f6d6570736575n ^ key0;
  let v1 = 0x646f72616e646f6dn ^ key1;
  let v2 = 0x6c7967656e657261n ^ key0;
  let v3 = 0x7465646279746573n ^ key1;
  const round = (): void => {
    v0 = (v0 + v1) & MASK64; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK64; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & MASK64; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & MASK64; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  // No full 8-byte block: the tail word carries the length in its top byte.
  const b = (BigInt(length & 0xff) << 56n) | (word & ((1n << 56n) - 1n));
  v3 ^= b;
  for (let i = 0; i < compressionRounds; i++) round();
  v0 ^= b;
  v2 ^= 0xffn;
  for (let i = 0; i < finalRounds; i++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK64;
}

/** hsiphash(&v, 4, key) on a 64-bit little-endian kernel (SipHash-1-3, low 32 bits); `v` is a host-order u32. */
export function hsiphash32(value: number, key0: bigint, key1: bigint): number {
  return Number(sipHashShort(1, 3, BigInt(value >>> 0), 4, key0, key1) & 0xffffffffn);
}

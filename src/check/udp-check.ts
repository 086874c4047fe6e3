/**
 * UDP_CHECK (check_udp.c + layer4.c): send one datagram to the real server and judge by what
 * comes back within connect_timeout.
 *
 * - An ICMP error about the datagram (port/host unreachable, reported by the kernel on the
 *   connected socket) fails the check.
 * - Silence passes unless `require_reply` is set.
 * - With `require_reply`, the reply's length must be within [min_reply_length,
 *   max_reply_length] and, when reply bytes were configured, its first min(reply, pattern)
 *   bytes must match them outside the wildcard mask.
 *
 * Difference from keepalived 2.2.7: keepalived only applies the length bounds when reply bytes
 * were configured; its documentation (and this checker) apply them whenever a reply is required.
 */
import type { UdpChecker } from '../config/model/lvs.js';
import { registerChecker } from './checker-registry.js';
import type { CheckAttempt, CheckerContext, CheckOutcome } from './checker-types.js';
import { ABORTED, exchangeDatagram, openConnectedSocket, timeoutMs } from './datagram-exchange.js';

/** keepalived sends this filler (UDP_BUFSIZE bytes of a repeated phrase) when no payload is configured. */
const DEFAULT_PAYLOAD_LENGTH = 32;
const FILLER = 'keepalived check - ';

export function fillerBytes(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = FILLER.charCodeAt(i % FILLER.length);
  return b;
}

export function udpPayload(checker: Pick<UdpChecker, 'payload'>): Buffer {
  return checker.payload !== undefined ? Buffer.from(checker.payload, 'hex') : fillerBytes(DEFAULT_PAYLOAD_LENGTH);
}

export interface UdpReplyRule {
  readonly minLength: number;
  readonly maxLength: number;
  /** Expected leading bytes; undefined: any content. */
  readonly data?: Buffer;
  /** Per byte: bits set are "don't care" (x nibbles in the config). */
  readonly mask?: Buffer;
}

export function udpReplyRule(checker: Pick<UdpChecker, 'minReplyLength' | 'maxReplyLength' | 'replyData' | 'replyMask'>): UdpReplyRule {
  return {
    minLength: checker.minReplyLength,
    maxLength: checker.maxReplyLength,
    ...(checker.replyData !== undefined ? { data: Buffer.from(checker.replyData, 'hex') } : {}),
    ...(checker.replyMask !== undefined ? { mask: Buffer.from(checker.replyMask, 'hex') } : {}),
  };
}

/** Why a reply of `length` bytes (the first `reply.length` of them in hand) is not acceptable, or undefined when it is. */
export function udpReplyMismatch(reply: Uint8Array, length: number, rule: UdpReplyRule): string | undefined {
  if (length < rule.minLength) return `reply of ${length} bytes is shorter than min_reply_length ${rule.minLength}`;
  if (length > rule.maxLength) return `reply of ${length} bytes is longer than max_reply_length ${rule.maxLength}`;
  if (!rule.data) return undefined;
  const n = Math.min(reply.length, rule.data.length);
  for (let i = 0; i < n; i++) {
    const careBits = ~(rule.mask?.[i] ?? 0) & 0xff;
    if (((reply[i]! ^ rule.data[i]!) & careBits) !== 0) return `reply data mismatch at byte ${i}`;
  }
  return undefined;
}

export function createUdpCheck(ctx: CheckerContext): CheckAttempt {
  const checker = ctx.checker as UdpChecker;
  const target = ctx.target;
  const payload = udpPayload(checker);
  const rule = udpReplyRule(checker);
  const where = `[${target.address}]:udp:${target.port}`;
  return {
    async run(signal: AbortSignal): Promise<CheckOutcome> {
      if (signal.aborted) return ABORTED;
      let fd: number;
      try {
        fd = openConnectedSocket('udp', target);
      } catch (e) {
        return { ok: false, reason: `UDP connection to ${where} failed: ${(e as Error).message}` };
      }
      // one byte more than the longest acceptable reply, so that a longer one is seen as longer
      const maxDatagram = checker.requireReply ? Math.min(rule.maxLength + 1, 65536) : 1;
      return exchangeDatagram(fd, payload, { timeoutMs: timeoutMs(target.connectTimeout), signal, maxDatagram }, {
        onDatagram(data, truncated) {
          if (!checker.requireReply) return { ok: true, reason: `UDP reply from ${where}` };
          const length = truncated ? Math.max(data.length, rule.maxLength + 1) : data.length;
          const mismatch = udpReplyMismatch(data, length, rule);
          return mismatch ? { ok: false, reason: `UDP check to ${where} ${mismatch}` } : { ok: true, reason: `UDP reply from ${where} accepted` };
        },
        onError(error) {
          return { ok: false, reason: `UDP connection to ${where} failed: ${error.code} (ICMP error)` };
        },
        onTimeout() {
          return checker.requireReply
            ? { ok: false, reason: `UDP check to ${where}: no reply within connect_timeout` }
            : { ok: true, reason: `no ICMP error from ${where} (no reply required)` };
        },
      });
    },
  };
}

registerChecker('UDP_CHECK', (ctx) => createUdpCheck(ctx));

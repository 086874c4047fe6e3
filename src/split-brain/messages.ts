/**
 * keepalived-ts's own split-brain protocol (votes between directors, requests to the witness):
 * one UDP datagram per message, on the witness port.
 *
 *   bytes 0..3   "KTSB"
 *   byte  4      protocol version (1)
 *   bytes 5..36  HMAC-SHA256 over the version byte and the body, keyed with witness_secret
 *   bytes 37..   body: UTF-8 JSON, one of the message shapes below
 *
 * JSON keeps the body readable in a capture and trivially extensible; the fields are validated
 * strictly, so a message is either exactly one of the shapes below or rejected with a reason.
 * Times in messages are durations or the sender's own monotonic clock values (µs), never wall
 * clock: nothing here needs synchronised clocks.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 1;
const MAGIC = Buffer.from('KTSB', 'ascii');
const MAC_LEN = 32;
const HEADER_LEN = MAGIC.length + 1 + MAC_LEN;
/** Far above any real message; a bigger datagram is junk and is not parsed. */
export const MAX_MESSAGE_BYTES = 1400;

/** A director's vote, sent to every peer director of the group every advert interval. */
export interface VoteMessage {
  readonly type: 'vote';
  readonly group: string;
  /** The sender (its VRRP source address for the group). */
  readonly node: string;
  /** The sender's monotonic clock (µs) when it sent this; the receiver echoes it back. */
  readonly stamp: number;
  /** The latest `stamp` the sender received from the addressee (-1: none yet). */
  readonly echo: number;
  /** Whom the sender votes for ('' = abstains). */
  readonly for: string;
  /** The sender is a candidate: it has heard no master for the master-down interval. */
  readonly candidate: boolean;
  /** The sender's effective priority (candidates are ranked like VRRP ranks masters). */
  readonly priority: number;
}

/** Director → witness: grant me (or renew) the group's lease. */
export interface RequestMessage {
  readonly type: 'request';
  readonly group: string;
  readonly node: string;
  /** Random per request: a grant is accepted only for a request still outstanding. */
  readonly nonce: string;
  /** The lease asked for, µs. */
  readonly lease: number;
}

/** Witness → director: the lease is yours for `lease` µs from when the witness read the request. */
export interface GrantMessage {
  readonly type: 'grant';
  readonly group: string;
  readonly node: string;
  readonly nonce: string;
  readonly lease: number;
}

/** Witness → director: another node holds the lease ('' = nobody may have it yet). */
export interface DenyMessage {
  readonly type: 'deny';
  readonly group: string;
  readonly node: string;
  readonly nonce: string;
  readonly holder: string;
  /** µs until the holder's lease (or the witness's start-up quiet period) ends. */
  readonly remaining: number;
}

/** Director → witness: I gave the VIPs up; the lease is free. */
export interface ReleaseMessage {
  readonly type: 'release';
  readonly group: string;
  readonly node: string;
}

export type SplitBrainMessage = VoteMessage | RequestMessage | GrantMessage | DenyMessage | ReleaseMessage;

export type DecodeResult =
  | { readonly ok: true; readonly message: SplitBrainMessage }
  | { readonly ok: false; readonly reason: 'short' | 'magic' | 'version' | 'auth' | 'malformed' };

export function encodeMessage(message: SplitBrainMessage, secret: string | Uint8Array): Uint8Array {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const version = Buffer.from([PROTOCOL_VERSION]);
  const mac = macOf(secret, version, body);
  return new Uint8Array(Buffer.concat([MAGIC, version, mac, body]));
}

/** Never throws: anything that is not one well-formed, authentic message is a reason. */
export function decodeMessage(bytes: Uint8Array, secret: string | Uint8Array): DecodeResult {
  if (bytes.length <= HEADER_LEN || bytes.length > MAX_MESSAGE_BYTES) return { ok: false, reason: 'short' };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return { ok: false, reason: 'magic' };
  const version = buf.subarray(MAGIC.length, MAGIC.length + 1);
  if (version[0] !== PROTOCOL_VERSION) return { ok: false, reason: 'version' };
  const mac = buf.subarray(MAGIC.length + 1, HEADER_LEN);
  const body = buf.subarray(HEADER_LEN);
  if (!timingSafeEqual(mac, macOf(secret, version, body))) return { ok: false, reason: 'auth' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const message = validate(parsed);
  return message ? { ok: true, message } : { ok: false, reason: 'malformed' };
}

function macOf(secret: string | Uint8Array, version: Uint8Array, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(version).update(body).digest();
}

const MAX_TEXT = 200;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;
const isName = (v: unknown): v is string => isText(v) && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function validate(v: unknown): SplitBrainMessage | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const m = v as Record<string, unknown>;
  if (!isName(m.group) || !isName(m.node)) return undefined;
  const base = { group: m.group, node: m.node };
  switch (m.type) {
    case 'vote':
      if (!isTime(m.stamp) || !(m.echo === -1 || isTime(m.echo)) || !isText(m.for) || typeof m.candidate !== 'boolean') return undefined;
      if (typeof m.priority !== 'number' || !Number.isInteger(m.priority) || m.priority < 0 || m.priority > 255) return undefined;
      return { type: 'vote', ...base, stamp: m.stamp, echo: m.echo as number, for: m.for, candidate: m.candidate, priority: m.priority };
    case 'request':
      if (!isName(m.nonce) || !isTime(m.lease) || m.lease === 0) return undefined;
      return { type: 'request', ...base, nonce: m.nonce, lease: m.lease };
    case 'grant':
      if (!isName(m.nonce) || !isTime(m.lease)) return undefined;
      return { type: 'grant', ...base, nonce: m.nonce, lease: m.lease };
    case 'deny':
      if (!isName(m.nonce) || !isText(m.holder) || !isTime(m.remaining)) return undefined;
      return { type: 'deny', ...base, nonce: m.nonce, holder: m.holder, remaining: m.remaining };
    case 'release':
      return { type: 'release', ...base };
    default:
      return undefined;
  }
}

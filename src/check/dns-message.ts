/**
 * The DNS query DNS_CHECK sends and the checks it makes on the answer (check_dns.c). Pure.
 *
 * keepalived's verdict rests on the 12-byte header only: a datagram shorter than a header, with
 * another id, or that is not a response (QR clear) is ignored and the checker keeps waiting until
 * its timeout; a response with a non-zero RCODE fails the check; any other response passes. The
 * answer section is not inspected (a server answering NOERROR with no records is healthy).
 */
import type { DnsType } from '../config/model/lvs.js';

export const DNS_HEADER_LENGTH = 12;
/** keepalived's receive buffer (DNS_BUFFER_SIZE): larger answers are cut, which does not matter for a header check. */
export const DNS_RECEIVE_BUFFER = 768;

const TYPE_CODES: Record<DnsType, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  RRSIG: 46,
  DNSKEY: 48,
};

const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const MAX_LABEL = 63;
const MAX_NAME = 255;

export function dnsTypeCode(type: DnsType): number {
  return TYPE_CODES[type];
}

/**
 * The wire form of a query name: "" and "." are the root; a trailing dot is optional. Labels are
 * the name's UTF-8 bytes between dots. Throws RangeError for what cannot go on the wire (an empty
 * label, a label over 63 bytes, a name over 255 bytes) — keepalived would send it malformed.
 */
export function encodeDnsName(name: string): Buffer {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  const parts: Buffer[] = [];
  if (text !== '') {
    for (const label of text.split('.')) {
      const bytes = Buffer.from(label, 'utf8');
      if (bytes.length === 0) throw new RangeError(`DNS name '${name}' has an empty label`);
      if (bytes.length > MAX_LABEL) throw new RangeError(`DNS name '${name}' has a label longer than ${MAX_LABEL} bytes`);
      parts.push(Buffer.from([bytes.length]), bytes);
    }
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > MAX_NAME) throw new RangeError(`DNS name '${name}' is longer than ${MAX_NAME} bytes on the wire`);
  return wire;
}

/** A standard query (RD set, one question, class IN) with the given 16-bit id. */
export function buildDnsQuery(id: number, name: string, type: DnsType): Buffer {
  const header = Buffer.alloc(DNS_HEADER_LENGTH);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(FLAG_RD, 2);
  header.writeUInt16BE(1, 4); // QDCOUNT; AN/NS/AR counts stay 0
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(dnsTypeCode(type), 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeDnsName(name), tail]);
}

export type DnsReplyVerdict =
  | { readonly kind: 'ignore'; readonly why: string }
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly rcode: number };

/** What one received datagram means for the query with id `queryId`. */
export function judgeDnsReply(queryId: number, reply: Uint8Array): DnsReplyVerdict {
  if (reply.length < DNS_HEADER_LENGTH) return { kind: 'ignore', why: `too small message (${reply.length} bytes)` };
  const id = (reply[0]! << 8) | reply[1]!;
  if (id !== (queryId & 0xffff)) return { kind: 'ignore', why: `ID does not match (${hex4(queryId)} != ${hex4(id)})` };
  const flags = (reply[2]! << 8) | reply[3]!;
  if ((flags & FLAG_QR) === 0) return { kind: 'ignore', why: 'received a query message' };
  const rcode = flags & 0x000f;
  return rcode === 0 ? { kind: 'ok' } : { kind: 'error', rcode };
}

function hex4(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, '0');
}

/**
 * DNS_CHECK: the exact query bytes, keepalived's header checks, and attempts against a scripted
 * DNS responder (node:dgram) on loopback: answers, wrong ids, NXDOMAIN, garbage, a closed port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { buildDnsQuery, encodeDnsName, judgeDnsReply } from '../../src/check/dns-message.js';
import { createDnsCheck } from '../../src/check/dns-check.js';
import { checkerFactory } from '../../src/check/checker-registry.js';
import { nativeUnavailableReason } from '../../src/platform/linux/libc.js';
import { checkerContext, NEVER } from './checker-fixture.js';

test('query names: root, trailing dot, labels; what cannot go on the wire is refused', () => {
  assert.deepEqual([...encodeDnsName('')], [0]);
  assert.deepEqual([...encodeDnsName('.')], [0]);
  const wire = [7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0];
  assert.deepEqual([...encodeDnsName('example.com')], wire);
  assert.deepEqual([...encodeDnsName('example.com.')], wire);
  assert.throws(() => encodeDnsName('a..b'), /empty label/);
  assert.throws(() => encodeDnsName(`${'x'.repeat(64)}.com`), /longer than 63/);
  assert.throws(() => encodeDnsName(Array(60).fill('abcd').join('.')), /longer than 255/);
});

test('the query: id, RD, one question, type and class IN', () => {
  const q = buildDnsQuery(0xbeef, 'www.test', 'AAAA');
  assert.equal(
    q.toString('hex'),
    'beef' + '0100' + '0001' + '0000' + '0000' + '0000' + '03777777' + '0474657374' + '00' + '001c' + '0001',
  );
  assert.equal(buildDnsQuery(0x10000 + 5, '', 'SOA').toString('hex'), '0005010000010000000000000000060001');
});

test('judging a reply: short, other id, query (QR clear) are ignored; rcode decides', () => {
  const header = (id: number, flags: number) => Buffer.from([id >> 8, id & 255, flags >> 8, flags & 255, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(judgeDnsReply(0x1234, Buffer.alloc(11)), { kind: 'ignore', why: 'too small message (11 bytes)' });
  assert.deepEqual(judgeDnsReply(0x1234, header(0x1235, 0x8180)), { kind: 'ignore', why: 'ID does not match (1234 != 1235)' });
  assert.deepEqual(judgeDnsReply(0x1234, header(0x1234, 0x0100)), { kind: 'ignore', why: 'received a query message' });
  assert.deepEqual(judgeDnsReply(0x1234, header(0x1234, 0x8180)), { kind: 'ok' });
  assert.deepEqual(judgeDnsReply(0x1234, header(0x1234, 0x8183)), { kind: 'error', rcode: 3 });
  assert.deepEqual(judgeDnsReply(0x1234, header(0x1234, 0x8402)), { kind: 'error', rcode: 2 });
});

type Responder = (query: Buffer) => Buffer[];

/** A DNS responder on 127.0.0.1: `answer` turns each query into zero or more datagrams. */
async function dnsServer(answer: Responder): Promise<{ port: number; queries: Buffer[]; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const queries: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    queries.push(msg);
    for (const out of answer(msg)) sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, queries, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

/** A response to `q`: same id, QR + RD + RA, the given rcode, the question echoed, one A record when rcode is 0. */
function response(q: Buffer, opts: { rcode?: number; id?: number; qr?: boolean } = {}): Buffer {
  const rcode = opts.rcode ?? 0;
  const h = Buffer.from(q.subarray(0, 12));
  h.writeUInt16BE(opts.id ?? q.readUInt16BE(0), 0);
  h.writeUInt16BE(((opts.qr ?? true) ? 0x8000 : 0) | 0x0180 | rcode, 2);
  h.writeUInt16BE(rcode === 0 ? 1 : 0, 6);
  const answer = rcode === 0 ? Buffer.from('c00c000100010000003c00040a000005', 'hex') : Buffer.alloc(0);
  return Buffer.concat([h, q.subarray(12), answer]);
}

const skip = nativeUnavailableReason();
const block = '    DNS_CHECK {\n      type A\n      name www.test\n    }';
const attempt = (port: number, timeoutUs = 2_000_000, observer = {}) =>
  createDnsCheck(checkerContext(block, { address: '127.0.0.1', port, connectTimeout: timeoutUs }), observer);

test('DNS_CHECK against a responder: an A answer passes, and the query on the wire is the configured one', { skip }, async () => {
  const srv = await dnsServer((q) => [response(q)]);
  try {
    assert.deepEqual(await attempt(srv.port).run(NEVER), { ok: true, reason: 'A query answered' });
    assert.equal(srv.queries.length, 1);
    const q = srv.queries[0]!;
    assert.equal(q.subarray(2).toString('hex'), '0100000100000000000003777777047465737400' + '00010001');
    // a fresh random id per attempt (two equal ids in a row would be a 1/65536 fluke: allow one retry)
    await checkerFactory('DNS_CHECK')!(checkerContext(block, { address: '127.0.0.1', port: srv.port })).run(NEVER);
    await attempt(srv.port).run(NEVER);
    const ids = new Set(srv.queries.map((x) => x.readUInt16BE(0)));
    assert.ok(ids.size >= 2, 'ids vary between attempts');
  } finally {
    await srv.close();
  }
});

test('DNS_CHECK: replies with another id, queries and runts are ignored until the real answer', { skip }, async () => {
  const srv = await dnsServer((q) => [Buffer.from('garbage'), response(q, { id: q.readUInt16BE(0) ^ 1 }), response(q, { qr: false }), response(q)]);
  const ignored: string[] = [];
  try {
    const out = await attempt(srv.port, 2_000_000, { ignored: (w: string) => ignored.push(w) }).run(NEVER);
    assert.equal(out.ok, true);
    assert.equal(ignored.length, 3);
    assert.equal(ignored[0], 'too small message (7 bytes)');
    assert.match(ignored[1]!, /^ID does not match/);
    assert.equal(ignored[2], 'received a query message');
  } finally {
    await srv.close();
  }
});

test('DNS_CHECK: NXDOMAIN fails at once; only wrong ids or garbage end in the read timeout', { skip }, async () => {
  const nx = await dnsServer((q) => [response(q, { rcode: 3 })]);
  const wrong = await dnsServer((q) => [response(q, { id: q.readUInt16BE(0) ^ 0x8000 })]);
  const garbage = await dnsServer(() => [Buffer.from([1, 2, 3]), Buffer.alloc(4000, 0xff)]);
  try {
    assert.deepEqual(await attempt(nx.port).run(NEVER), { ok: false, reason: 'read error occurred. (rcode = 3)' });
    assert.deepEqual(await attempt(wrong.port, 200_000).run(NEVER), { ok: false, reason: 'read timeout from socket' });
    // 0xffff... parses as a header with some id: ignored unless it happens to match ours; either way no success
    const g = await attempt(garbage.port, 200_000).run(NEVER);
    assert.equal(g.ok, false);
  } finally {
    await nx.close();
    await wrong.close();
    await garbage.close();
  }
});

test('DNS_CHECK: a closed port (ICMP port unreachable) fails without waiting for the timeout', { skip }, async () => {
  const tmp = await dnsServer(() => []);
  const port = tmp.port;
  await tmp.close();
  // a 30 s timeout: the reason (not a timing) shows the ICMP error ended the attempt
  const out = await attempt(port, 30_000_000).run(NEVER);
  assert.deepEqual(out, { ok: false, reason: 'failed to read socket; errno 111 (ECONNREFUSED)' });
});

test('DNS_CHECK: abort resolves the attempt', { skip }, async () => {
  const srv = await dnsServer(() => []);
  try {
    const ac = new AbortController();
    const p = attempt(srv.port, 60_000_000).run(ac.signal);
    setTimeout(() => ac.abort(), 30);
    assert.deepEqual(await p, { ok: false, reason: 'check aborted' });
    ac.abort();
    assert.deepEqual(await attempt(srv.port).run(ac.signal), { ok: false, reason: 'check aborted' });
  } finally {
    await srv.close();
  }
});

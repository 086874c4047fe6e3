/**
 * UDP_CHECK: payload bytes, reply matching (data, x-wildcards, length bounds) and attempts against
 * a scripted UDP server on loopback: echo, fixed replies, silence, a closed port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { createUdpCheck, fillerBytes, udpPayload, udpReplyMismatch, udpReplyRule } from '../../src/check/udp-check.js';
import { checkerFactory } from '../../src/check/checker-registry.js';
import type { UdpChecker } from '../../src/config/model/lvs.js';
import { nativeUnavailableReason } from '../../src/platform/linux/libc.js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { namespaceSkipReason, TestNamespace } from '../integration/netns.js';
import { checkerContext, NEVER } from './checker-fixture.js';

const udpBlock = (lines: string[]) => `    UDP_CHECK {\n${lines.map((l) => `      ${l}\n`).join('')}    }`;
const parsed = (lines: string[]) => checkerContext(udpBlock(lines), { address: '127.0.0.1', port: 9 }).checker as UdpChecker;

test('payload: the configured hex bytes, else keepalived\'s 32-byte filler', () => {
  assert.equal(udpPayload(parsed(['payload 01 02 0a ff'])).toString('hex'), '01020aff');
  assert.equal(udpPayload(parsed([])).toString('latin1'), 'keepalived check - keepalived ch');
  assert.equal(fillerBytes(40).toString('latin1'), 'keepalived check - keepalived check - ke');
});

test('reply rule: data with x wildcards, compared over the shorter of reply and pattern; length bounds', () => {
  const rule = udpReplyRule(parsed(['require_reply 4f 4b x1 2x', 'min_reply_length 2', 'max_reply_length 6']));
  assert.equal(rule.data!.toString('hex'), '4f4b0120');
  assert.equal(rule.mask!.toString('hex'), '0000f00f');
  const check = (hex: string) => udpReplyMismatch(Buffer.from(hex, 'hex'), hex.length / 2, rule);
  assert.equal(check('4f4b'), undefined); // shorter than the pattern: only what is there is compared
  assert.equal(check('4f4bf12a'), undefined); // wildcard nibbles
  assert.equal(check('4f4b712fffff'), undefined); // longer than the pattern, within max
  assert.equal(check('4f4b0230'), 'reply data mismatch at byte 2');
  assert.equal(check('4e4b'), 'reply data mismatch at byte 0');
  assert.equal(check('4f'), 'reply of 1 bytes is shorter than min_reply_length 2');
  assert.equal(check('4f4b0120ffffff'), 'reply of 7 bytes is longer than max_reply_length 6');
  // require_reply without data: only the bounds
  const any = udpReplyRule(parsed(['require_reply']));
  assert.equal(any.data, undefined);
  assert.equal(udpReplyMismatch(Buffer.alloc(255), 255, any), undefined);
  assert.equal(udpReplyMismatch(Buffer.alloc(256), 256, any), 'reply of 256 bytes is longer than max_reply_length 255');
});

/** A UDP server on 127.0.0.1: `answer` maps each datagram to zero or more replies. */
async function udpServer(answer: (msg: Buffer) => Buffer[]): Promise<{ port: number; received: Buffer[]; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    received.push(msg);
    for (const out of answer(msg)) sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, received, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

const skip = nativeUnavailableReason();
const attempt = (lines: string[], port: number, timeoutUs = 2_000_000) =>
  createUdpCheck(checkerContext(udpBlock(lines), { address: '127.0.0.1', port, connectTimeout: timeoutUs }));

test('UDP_CHECK against an echo server: payload on the wire, matching and mismatching replies', { skip }, async () => {
  const echo = await udpServer((m) => [m]);
  try {
    const ok = await attempt(['payload 68 65 6c 6c 6f', 'require_reply 68 65 xx xx 6f'], echo.port).run(NEVER);
    assert.deepEqual(ok, { ok: true, reason: `UDP reply from [127.0.0.1]:udp:${echo.port} accepted` });
    assert.deepEqual(echo.received.map((b) => b.toString('latin1')), ['hello']);

    const bad = await attempt(['payload 68 65 6c 6c 6f', 'require_reply 68 69'], echo.port).run(NEVER);
    assert.deepEqual(bad, { ok: false, reason: `UDP check to [127.0.0.1]:udp:${echo.port} reply data mismatch at byte 1` });

    const short = await attempt(['payload 01', 'require_reply', 'min_reply_length 4'], echo.port).run(NEVER);
    assert.deepEqual(short, { ok: false, reason: `UDP check to [127.0.0.1]:udp:${echo.port} reply of 1 bytes is shorter than min_reply_length 4` });

    // no payload configured: the filler goes out, and any reply passes when none is required
    const filler = await checkerFactory('UDP_CHECK')!(checkerContext(udpBlock([]), { address: '127.0.0.1', port: echo.port })).run(NEVER);
    assert.deepEqual(filler, { ok: true, reason: `UDP reply from [127.0.0.1]:udp:${echo.port}` });
    assert.equal(echo.received.at(-1)!.toString('latin1'), 'keepalived check - keepalived ch');
  } finally {
    await echo.close();
  }
});

test('UDP_CHECK: an oversized reply is cut and fails max_reply_length', { skip }, async () => {
  const big = await udpServer(() => [Buffer.alloc(5000, 0x41)]);
  try {
    const out = await attempt(['require_reply 41', 'max_reply_length 100'], big.port).run(NEVER);
    assert.deepEqual(out, { ok: false, reason: `UDP check to [127.0.0.1]:udp:${big.port} reply of 101 bytes is longer than max_reply_length 100` });
  } finally {
    await big.close();
  }
});

test('UDP_CHECK: silence passes unless a reply is required; a closed port fails on the ICMP error', { skip }, async () => {
  const silent = await udpServer(() => []);
  try {
    assert.deepEqual(await attempt([], silent.port, 150_000).run(NEVER), {
      ok: true,
      reason: `no ICMP error from [127.0.0.1]:udp:${silent.port} (no reply required)`,
    });
    assert.deepEqual(await attempt(['require_reply'], silent.port, 150_000).run(NEVER), {
      ok: false,
      reason: `UDP check to [127.0.0.1]:udp:${silent.port}: no reply within connect_timeout`,
    });
  } finally {
    await silent.close();
  }
  const tmp = await udpServer(() => []);
  const closedPort = tmp.port;
  await tmp.close();
  // a 30 s timeout: only the ICMP port unreachable can end this attempt with this reason
  assert.deepEqual(await attempt([], closedPort, 30_000_000).run(NEVER), {
    ok: false,
    reason: `UDP connection to [127.0.0.1]:udp:${closedPort} failed: ECONNREFUSED (ICMP error)`,
  });
});

test('UDP_CHECK over IPv6: echo on ::1', { skip }, async () => {
  const sock = dgram.createSocket('udp6');
  sock.on('message', (m, r) => sock.send(m, r.port, r.address));
  await new Promise<void>((r) => sock.bind(0, '::1', r));
  try {
    const ctx = checkerContext(udpBlock(['payload 0102', 'require_reply 0102']), { address: '::1', port: sock.address().port });
    assert.deepEqual(await createUdpCheck(ctx).run(NEVER), { ok: true, reason: `UDP reply from [::1]:udp:${sock.address().port} accepted` });
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
});

test('UDP_CHECK: bindto/bind_port are applied to the socket', { skip }, async () => {
  const from: Array<{ address: string; port: number }> = [];
  const sock = dgram.createSocket('udp4');
  sock.on('message', (_m, r) => from.push({ address: r.address, port: r.port }));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.3', r));
  const freePort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  try {
    const ctx = checkerContext(udpBlock([]), { address: '127.0.0.1', port: sock.address().port, connectTimeout: 100_000, bindAddress: '127.0.0.3', bindPort: freePort });
    assert.equal((await createUdpCheck(ctx).run(NEVER)).ok, true);
    assert.deepEqual(from, [{ address: '127.0.0.3', port: freePort }]);
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
});

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'datagram-probe.js');

test('UDP_CHECK in a namespace: bind_if reaches a link-local server; fwmark steers the socket by policy routing', { skip: namespaceSkipReason() ?? skip }, () => {
  const ns = TestNamespace.create();
  try {
    ns.ip(['link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
    ns.ip(['addr', 'add', 'fe80::a/64', 'dev', 'va', 'nodad']);
    ns.ip(['addr', 'add', 'fe80::b/64', 'dev', 'vb', 'nodad']);
    ns.ip(['addr', 'add', '10.79.0.1/24', 'dev', 'va']);
    ns.ip(['link', 'set', 'va', 'up']);
    ns.ip(['link', 'set', 'vb', 'up']);
    ns.ip(['neigh', 'add', '10.79.0.3', 'lladdr', '02:00:00:00:00:99', 'dev', 'va', 'nud', 'permanent']);
    // packets marked 0x42 find no route at all
    ns.ip(['rule', 'add', 'pref', '100', 'fwmark', '0x42', 'unreachable']);
    const run = (args: object) => {
      const r = ns.exec(process.execPath, [probe, JSON.stringify({ checker: 'udp', timeoutUs: 1_000_000, ...args })], { timeoutMs: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { ok: boolean; reason: string };
    };
    const ll = run({ address: 'fe80::b', bindInterface: 'va', echo: 'fe80::b%vb' });
    assert.equal(ll.ok, true, ll.reason);
    assert.match(ll.reason, /^UDP reply from \[fe80::b\]:udp:\d+ accepted$/);
    // unmarked, 10.79.0.3 is routed (and silent: a required reply never comes); marked, it has no route
    assert.deepEqual(run({ address: '10.79.0.3', port: 9, timeoutUs: 200_000 }), { ok: false, reason: 'UDP check to [10.79.0.3]:udp:9: no reply within connect_timeout' });
    const marked = run({ address: '10.79.0.3', port: 9, fwmark: 0x42 });
    assert.equal(marked.ok, false);
    assert.match(marked.reason, /^UDP connection to \[10\.79\.0\.3\]:udp:9 failed: connect: E(NET|HOST)UNREACH/);
  } finally {
    ns.destroy();
  }
});

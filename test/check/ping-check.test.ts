/**
 * PING_CHECK: echo request bytes and reply matching (pure), then real echoes: to loopback in this
 * namespace (raw socket, IPv4 and IPv6), and inside a test namespace through a child process: a
 * ping socket once ping_group_range allows it, refused when it does not, an address behind a
 * veth whose peer never answers (timeout), and an unreachable route.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEchoRequest, isEchoReplyTo, parseIcmpMessage } from '../../src/check/icmp-echo.js';
import { createPingCheck } from '../../src/check/ping-check.js';
import { checkerFactory } from '../../src/check/checker-registry.js';
import { internetChecksum } from '../../src/vrrp/checksum.js';
import { nativeUnavailableReason } from '../../src/platform/linux/libc.js';
import { isRoot, namespaceSkipReason, TestNamespace } from '../integration/netns.js';
import { checkerContext, NEVER } from './checker-fixture.js';

const payload = Buffer.from('keepalived check - ');

test('echo request: IPv4 carries a valid checksum, IPv6 leaves it to the kernel', () => {
  const v4 = buildEchoRequest('inet', { id: 0x1234, sequence: 0xabcd, payload });
  assert.equal(v4.subarray(0, 8).toString('hex').replace(/^(....)..../, '$1----'), '0800----1234abcd');
  assert.equal(internetChecksum(v4), 0);
  assert.deepEqual(v4.subarray(8), payload);
  const v6 = buildEchoRequest('inet6', { id: 1, sequence: 0x1_0002, payload });
  assert.equal(v6.subarray(0, 8).toString('hex'), '8000000000010002');
});

test('parsing: the IPv4 header is skipped on raw sockets, and every length is checked', () => {
  const reply = Buffer.from(buildEchoRequest('inet', { id: 7, sequence: 9, payload }));
  reply[0] = 0;
  const ip = Buffer.alloc(24);
  ip[0] = 0x46; // version 4, 24-byte header (with options)
  const msg = parseIcmpMessage(Buffer.concat([ip, reply]), true);
  assert.ok(typeof msg !== 'string');
  assert.deepEqual({ type: msg.type, code: msg.code, id: msg.id, sequence: msg.sequence }, { type: 0, code: 0, id: 7, sequence: 9 });
  assert.deepEqual(msg.payload, payload);
  assert.equal(parseIcmpMessage(Buffer.alloc(10), true), 'short IPv4 packet (10 bytes)');
  assert.equal(parseIcmpMessage(Buffer.from([0x6f, ...Buffer.alloc(30)]), true), 'not an IPv4 packet (version 6)');
  assert.equal(parseIcmpMessage(Buffer.from([0x4f, ...Buffer.alloc(30)]), true), 'bad IPv4 header length 60');
  assert.equal(parseIcmpMessage(Buffer.from([0x44, ...Buffer.alloc(30)]), true), 'bad IPv4 header length 16');
  assert.equal(parseIcmpMessage(Buffer.concat([Buffer.from([0x45]), Buffer.alloc(22)]), true), 'short ICMP packet (3 bytes)');
  assert.equal(parseIcmpMessage(Buffer.alloc(7), false), 'short ICMP packet (7 bytes)');
});

test('matching: type, code, sequence and payload; the id only on raw sockets', () => {
  const req = { id: 7, sequence: 9, payload };
  const reply = (over: Partial<{ type: number; code: number; id: number; sequence: number; payload: Buffer }>) => ({
    type: 0, code: 0, id: 7, sequence: 9, payload, ...over,
  });
  assert.equal(isEchoReplyTo('inet', reply({}), req, true), true);
  assert.equal(isEchoReplyTo('inet', reply({ type: 8 }), req, true), false); // our own request, seen on loopback
  assert.equal(isEchoReplyTo('inet', reply({ code: 1 }), req, true), false);
  assert.equal(isEchoReplyTo('inet', reply({ id: 8 }), req, true), false);
  assert.equal(isEchoReplyTo('inet', reply({ id: 8 }), req, false), true); // ping socket: the kernel owns the id
  assert.equal(isEchoReplyTo('inet', reply({ sequence: 10 }), req, true), false);
  assert.equal(isEchoReplyTo('inet', reply({ payload: payload.subarray(1) }), req, true), false);
  assert.equal(isEchoReplyTo('inet6', reply({ type: 129 }), req, true), true);
  assert.equal(isEchoReplyTo('inet6', reply({}), req, true), false);
});

const rawSkip = nativeUnavailableReason() ?? (isRoot() ? undefined : 'needs root (raw ICMP socket) or a ping_group_range that includes our group');
const pingBlock = '    PING_CHECK {\n    }';

test('PING_CHECK to loopback over a raw socket, IPv4 and IPv6; our own echo request is not taken for the reply', { skip: rawSkip }, async () => {
  const ignored: string[] = [];
  const v4 = createPingCheck(checkerContext(pingBlock, { address: '127.0.0.1', port: 0 }), { socketKinds: ['raw-icmp'], onIgnored: (w) => ignored.push(w) });
  assert.deepEqual(await v4.run(NEVER), { ok: true, reason: 'ICMP echo reply from 127.0.0.1' });
  // the raw socket sees the request going out over lo before the reply
  assert.ok(ignored.some((w) => /^ICMP type 8 code 0 /.test(w)), ignored.join('; '));
  const v6 = createPingCheck(checkerContext(pingBlock, { address: '::1', port: 0 }), { socketKinds: ['raw-icmp'] });
  assert.deepEqual(await v6.run(NEVER), { ok: true, reason: 'ICMPv6 echo reply from ::1' });
  // through the registry, with the default socket order (a ping socket when allowed, else raw)
  assert.equal((await checkerFactory('PING_CHECK')!(checkerContext(pingBlock, { address: '127.0.0.1', port: 0 })).run(NEVER)).ok, true);
});

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'datagram-probe.js');
const nsSkip = namespaceSkipReason() ?? nativeUnavailableReason();

test('PING_CHECK in a namespace: ping socket, refused ping socket, silent address, unreachable route', { skip: nsSkip }, () => {
  const ns = TestNamespace.create();
  try {
    // a veth pair inside the namespace, and a made-up MAC for 10.77.0.2: echoes to it leave on
    // va, arrive on vb for another MAC and are dropped; nobody ever answers
    ns.ip(['link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
    ns.ip(['link', 'set', 'va', 'up']);
    ns.ip(['link', 'set', 'vb', 'up']);
    ns.ip(['addr', 'add', '10.77.0.1/24', 'dev', 'va']);
    ns.ip(['neigh', 'add', '10.77.0.2', 'lladdr', '02:00:00:00:00:99', 'dev', 'va', 'nud', 'permanent']);
    ns.ip(['route', 'add', 'unreachable', '10.78.0.0/24']);
    const run = (args: object) => {
      const r = ns.exec(process.execPath, [probe, JSON.stringify({ checker: 'ping', ...args })], { timeoutMs: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { ok: boolean; reason: string };
    };
    // a new namespace starts with ping_group_range "1 0": nobody may open ping sockets
    assert.deepEqual(run({ address: '127.0.0.1', timeoutUs: 1_000_000, kinds: ['ping'] }), {
      ok: false,
      reason: 'ICMP connect fail to create socket (ping: EACCES): needs net.ipv4.ping_group_range to include our group, or CAP_NET_RAW',
    });
    const set = ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ping_group_range=0 2147483647']);
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(run({ address: '127.0.0.1', timeoutUs: 1_000_000, kinds: ['ping'] }), { ok: true, reason: 'ICMP echo reply from 127.0.0.1' });
    assert.deepEqual(run({ address: '::1', timeoutUs: 1_000_000, kinds: ['ping'] }), { ok: true, reason: 'ICMPv6 echo reply from ::1' });
    // nobody answers: a timeout, for either socket kind
    for (const kinds of [['ping'], ['raw-icmp']]) {
      assert.deepEqual(run({ address: '10.77.0.2', timeoutUs: 300_000, kinds }), { ok: false, reason: 'ICMP connection to address 10.77.0.2 timeout' });
    }
    assert.deepEqual(run({ address: '10.78.0.5', timeoutUs: 300_000 }), { ok: false, reason: 'ICMP connection to 10.78.0.5 failed: EHOSTUNREACH' });
  } finally {
    ns.destroy();
  }
});

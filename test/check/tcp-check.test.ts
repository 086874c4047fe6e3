/**
 * TCP_CHECK attempts against real sockets: a listening port (success, the server sees the
 * connection), a closed port (ECONNREFUSED: failure, not a timeout), a port whose SYNs are dropped
 * by nft in a test namespace (failure by connect_timeout), a bind address that is not local
 * (inconclusive, keepalived's "TCP socket bind failed. Rescheduling."), and abort.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { tcpConnectAttempt } from '../../src/check/tcp-check.js';
import type { CheckTarget } from '../../src/check/checker-types.js';
import { TestNamespace, namespaceSkipReason } from '../integration/netns.js';

const target = (port: number, extra: Partial<CheckTarget> = {}): CheckTarget => ({ family: 'inet', address: '127.0.0.1', port, connectTimeout: 2_000_000, ...extra });

function listen(): Promise<{ server: net.Server; port: number; accepted: () => number }> {
  return new Promise((resolve) => {
    let n = 0;
    const server = net.createServer((s) => {
      n++;
      s.on('error', () => {});
      s.destroy();
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port, accepted: () => n }));
  });
}

async function freePort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('listening port: success, and the server sees exactly one connection', async () => {
  const { server, port, accepted } = await listen();
  try {
    const outcome = await tcpConnectAttempt(target(port), new AbortController().signal);
    assert.equal(outcome.ok, true);
    for (let i = 0; i < 200 && accepted() < 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(accepted(), 1);
  } finally {
    server.close();
  }
});

test('closed port: ECONNREFUSED is a failure, not a timeout', async () => {
  const port = await freePort();
  const outcome = await tcpConnectAttempt(target(port), new AbortController().signal);
  assert.deepEqual([outcome.ok, outcome.timedOut ?? false, outcome.inconclusive ?? false], [false, false, false]);
  assert.match(outcome.reason, /ECONNREFUSED/);
});

test('bindto an address that is not local: inconclusive, as keepalived reschedules', async () => {
  const { server, port } = await listen();
  try {
    const outcome = await tcpConnectAttempt(target(port, { bindAddress: '192.0.2.77' }), new AbortController().signal);
    assert.deepEqual([outcome.ok, outcome.inconclusive], [false, true]);
    assert.equal(outcome.reason, 'TCP socket bind failed. Rescheduling.');
  } finally {
    server.close();
  }
});

test('bindto + bind_port: the server sees the configured source', async () => {
  const sourcePort = await freePort();
  let seen = '';
  const server = net.createServer((s) => {
    seen = `${s.remoteAddress}:${s.remotePort}`;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const p = (server.address() as net.AddressInfo).port;
    const outcome = await tcpConnectAttempt(target(p, { bindAddress: '127.0.0.2', bindPort: sourcePort }), new AbortController().signal);
    assert.equal(outcome.ok, true);
    for (let i = 0; i < 200 && seen === ''; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen, `127.0.0.2:${sourcePort}`);
  } finally {
    server.close();
  }
});

test('abort: resolves at once with an aborted failure', async () => {
  const c = new AbortController();
  const p = tcpConnectAttempt(target(9, { address: '192.0.2.1', connectTimeout: 60_000_000 }), c.signal);
  c.abort();
  const outcome = await p;
  assert.deepEqual([outcome.ok, outcome.reason], [false, 'aborted']);
});

test('silently dropped port (nft drop in a namespace): failure by connect_timeout', { skip: namespaceSkipReason() }, () => {
  const ns = TestNamespace.create();
  try {
    const rules = 'table inet ktscheck {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 9 drop\n }\n}\n';
    const nft = ns.exec('nft', ['-f', '-'], { input: rules });
    assert.equal(nft.status, 0, nft.stderr);
    const child = fileURLToPath(new URL('./tcp-probe-child.js', import.meta.url));
    const r = ns.exec(process.execPath, [child, '127.0.0.1', '9', '300000'], { timeoutMs: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    const outcome = JSON.parse(r.stdout.trim()) as { ok: boolean; timedOut?: boolean };
    assert.deepEqual([outcome.ok, outcome.timedOut], [false, true]);
    // and without the drop rule the same closed port is refused, not timed out
    assert.equal(ns.exec('nft', ['delete', 'table', 'inet', 'ktscheck']).status, 0);
    const r2 = ns.exec(process.execPath, [child, '127.0.0.1', '9', '300000'], { timeoutMs: 20_000 });
    const outcome2 = JSON.parse(r2.stdout.trim()) as { ok: boolean; timedOut?: boolean; reason: string };
    assert.deepEqual([outcome2.ok, outcome2.timedOut ?? false], [false, false]);
    assert.match(outcome2.reason, /ECONNREFUSED/);
  } finally {
    ns.destroy();
  }
});

test("close 'reset' (HAProxy's ending): success, and the server's application never sees the connection", async () => {
  const { server, port, accepted } = await listen();
  try {
    const outcome = await tcpConnectAttempt(target(port), new AbortController().signal, { close: 'reset' });
    assert.equal(outcome.ok, true);
    // a graceful attempt after it: once the server has accepted that one, the reset one (queued first, had it been) is known not to come
    assert.equal((await tcpConnectAttempt(target(port), new AbortController().signal)).ok, true);
    for (let i = 0; i < 200 && accepted() < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(accepted(), 1);
  } finally {
    server.close();
  }
});

test('bind_if: an existing interface connects through it; a missing one is inconclusive', async () => {
  const { server, port } = await listen();
  try {
    if (process.getuid?.() === 0) {
      const through = await tcpConnectAttempt(target(port, { bindInterface: 'lo' }), new AbortController().signal);
      assert.equal(through.ok, true);
    }
    const missing = await tcpConnectAttempt(target(port, { bindInterface: 'ktsnosuch0' }), new AbortController().signal);
    assert.deepEqual([missing.ok, missing.inconclusive, missing.reason], [false, true, 'TCP socket bind failed. Rescheduling.']);
  } finally {
    server.close();
  }
});

test('fwmark is set on the socket (SO_MARK needs CAP_NET_ADMIN: without it the attempt is inconclusive)', async () => {
  const { server, port } = await listen();
  try {
    const outcome = await tcpConnectAttempt(target(port, { fwmark: 42 }), new AbortController().signal);
    if (process.getuid?.() === 0) assert.equal(outcome.ok, true);
    else assert.deepEqual([outcome.ok, outcome.inconclusive], [false, true]);
  } finally {
    server.close();
  }
});

test('many attempts at once through the shared readiness set: each gets its own verdict', async () => {
  const { server, port, accepted } = await listen();
  const closed = await freePort();
  try {
    const signal = new AbortController().signal;
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => tcpConnectAttempt(target(i % 2 === 0 ? port : closed), signal)));
    assert.deepEqual(
      outcomes.map((o) => o.ok),
      outcomes.map((_, i) => i % 2 === 0),
    );
    for (let i = 0; i < 300 && accepted() < 100; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(accepted(), 100);
  } finally {
    server.close();
  }
});

test('one signal shared by many attempts: aborting it ends every pending one at once', async () => {
  const { server, port } = await listen();
  try {
    const c = new AbortController();
    // a non-blocking connect is in progress until the loop sees the socket writable: abort before that
    const pending = Array.from({ length: 5 }, () => tcpConnectAttempt(target(port), c.signal));
    c.abort();
    const outcomes = await Promise.all(pending);
    assert.deepEqual(
      outcomes.map((o) => o.reason),
      Array.from({ length: 5 }, () => 'aborted'),
    );
    // and a later attempt with a fresh signal is not affected
    assert.equal((await tcpConnectAttempt(target(port), new AbortController().signal)).ok, true);
  } finally {
    server.close();
  }
});

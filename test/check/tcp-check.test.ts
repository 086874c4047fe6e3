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

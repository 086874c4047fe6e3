/**
 * TCP_CHECK with settleAtOnce (the daemon's factory): on loopback the handshake completes inside
 * connect(), and the attempt ends inside start() — success for a listening port (the server still
 * sees the connection: graceful ending), ECONNREFUSED for a closed one (a failure, not a timeout),
 * the reset ending unseen by the server's application — with the same verdicts as waiting for
 * writability.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createTcpCheckerFactory, tcpCheckerFactory } from '../../src/check/tcp-check.js';
import type { CheckAttempt, CheckOutcome, CheckTarget, CheckerFactory } from '../../src/check/checker-types.js';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';

const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });

function attemptFor(factory: CheckerFactory, target: CheckTarget): CheckAttempt {
  const vs = loadConfigText(`virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server ${target.address} ${target.port} {\n    TCP_CHECK {\n    }\n  }\n}\n`, { host }).config.lvs.virtualServers[0]!;
  const rs = vs.realServers[0]!;
  return factory({ checker: rs.checkers[0]!, realServer: rs, virtualServer: vs, target });
}

const target = (port: number): CheckTarget => ({ family: 'inet', address: '127.0.0.1', port, connectTimeout: 2_000_000 });

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

/** Runs start() and says whether `done` came before start() returned. */
function startNow(a: CheckAttempt): Promise<{ outcome: CheckOutcome; inside: boolean }> {
  return new Promise((resolve) => {
    let returned = false;
    a.start!(new AbortController().signal, (outcome) => resolve({ outcome, inside: !returned }));
    returned = true;
  });
}

test('a listening port: success inside start(), and the server sees the connection', async () => {
  const { server, port, accepted } = await listen();
  try {
    const a = attemptFor(tcpCheckerFactory, target(port));
    const { outcome, inside } = await startNow(a);
    assert.deepEqual([outcome.ok, outcome.reason, inside], [true, `connected to 127.0.0.1:${port}`, true]);
    for (let i = 0; i < 200 && accepted() < 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(accepted(), 1);
    // run() gives the same verdict
    assert.equal((await a.run(new AbortController().signal)).ok, true);
  } finally {
    server.close();
  }
});

test('a closed port: ECONNREFUSED inside start(), a failure and not a timeout', async () => {
  const { server, port } = await listen();
  await new Promise<void>((r) => server.close(() => r()));
  const { outcome, inside } = await startNow(attemptFor(tcpCheckerFactory, target(port)));
  assert.deepEqual([outcome.ok, outcome.timedOut ?? false, outcome.inconclusive ?? false, inside], [false, false, false, true]);
  assert.equal(outcome.reason, `connect to 127.0.0.1:${port} failed: ECONNREFUSED`);
});

test("the reset ending taken at once: success, and the server's application never sees it", async () => {
  const { server, port, accepted } = await listen();
  try {
    const { outcome, inside } = await startNow(attemptFor(createTcpCheckerFactory({ close: 'reset', settleAtOnce: true }), target(port)));
    assert.deepEqual([outcome.ok, inside], [true, true]);
    // a graceful attempt after it: once the server has accepted that one, the reset one is known not to come
    assert.equal((await startNow(attemptFor(tcpCheckerFactory, target(port)))).outcome.ok, true);
    for (let i = 0; i < 200 && accepted() < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(accepted(), 1);
  } finally {
    server.close();
  }
});

test('without settleAtOnce the attempt waits for writability: the result comes later, the same verdict', async () => {
  const { server, port } = await listen();
  try {
    const { outcome, inside } = await startNow(attemptFor(createTcpCheckerFactory(), target(port)));
    assert.deepEqual([outcome.ok, inside], [true, false]);
  } finally {
    server.close();
  }
});

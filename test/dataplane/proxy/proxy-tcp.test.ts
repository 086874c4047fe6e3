/** The proxy data plane's TCP path, on loopback: scheduling, persistence, drain, inhibit, VIP presence, failures, leaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyDataPlane, type ProxyDataPlaneOptions } from '../../../src/dataplane/proxy/proxy-dataplane.js';
import {
  closeClient, connectAndGreet, connectOutcome, dest, freePort, openFdCount, runVip, startTcpBackend,
  table, tcpService, waitFor, whoServes, type GreetedClient, type TcpBackend,
} from './loopback-fixtures.js';

async function withBackends(names: string[], body: (backends: TcpBackend[]) => Promise<void>): Promise<void> {
  const backends = await Promise.all(names.map((n) => startTcpBackend(n)));
  try {
    await body(backends);
  } finally {
    await Promise.all(backends.map((b) => b.close()));
  }
}

async function withProxy(options: ProxyDataPlaneOptions, body: (proxy: ProxyDataPlane) => Promise<void>): Promise<void> {
  const proxy = new ProxyDataPlane(options);
  try {
    await body(proxy);
  } finally {
    await proxy.close();
  }
}

async function sequence(vip: string, port: number, n: number, localAddress?: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await whoServes(vip, port, localAddress));
  return out;
}

test('rr alternates over two backends, starting with the first', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(1);
      const port = await freePort(vip);
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port), dest(b!.address, b!.port)])));
      assert.equal(proxy.isListening(`TCP ${vip}:${port}`), true);
      assert.deepEqual(await sequence(vip, port, 6), ['a', 'b', 'a', 'b', 'a', 'b']);
      const [svc] = proxy.stats();
      assert.equal(svc!.connections, 6);
      assert.deepEqual(svc!.destinations.map((d) => [d.port, d.connections]), [[a!.port, 3], [b!.port, 3]]);
      // Each connection carried the 2-byte greeting back ("a\n"), nothing forward.
      assert.equal(svc!.bytesOut, 12);
      assert.equal(svc!.bytesIn, 0);
      await waitFor(() => proxy.stats()[0]!.destinations.every((d) => d.activeConnections === 0), 'connections closed');
    });
  });
});

test('wrr 3:1 gives the kernel sequence a a a b', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(2);
      const port = await freePort(vip);
      await proxy.apply(table(tcpService(vip, port, 'wrr', [dest(a!.address, a!.port, 3), dest(b!.address, b!.port, 1)])));
      assert.deepEqual(await sequence(vip, port, 8), ['a', 'a', 'a', 'b', 'a', 'a', 'a', 'b']);
    });
  });
});

test('persistence keeps a client on its destination; granularity groups clients', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(3);
      const port = await freePort(vip);
      const dests = [dest(a!.address, a!.port), dest(b!.address, b!.port)];
      await proxy.apply(table(tcpService(vip, port, 'rr', dests, { persistence: { timeout: 60 } })));
      assert.deepEqual(await sequence(vip, port, 4, '127.0.0.1'), ['a', 'a', 'a', 'a']);
      // Another client address gets the scheduler's next choice, and keeps it.
      assert.deepEqual(await sequence(vip, port, 3, '127.0.0.2'), ['b', 'b', 'b']);

      // Same service with a /24 granularity: 127.0.0.3 shares the template of its /24.
      const port2 = await freePort(vip);
      await proxy.apply(table(
        tcpService(vip, port, 'rr', dests, { persistence: { timeout: 60 } }),
        tcpService(vip, port2, 'rr', dests, { persistence: { timeout: 60, granularity: '255.255.255.0' } }),
      ));
      assert.deepEqual(await sequence(vip, port2, 2, '127.0.0.1'), ['a', 'a']);
      assert.deepEqual(await sequence(vip, port2, 2, '127.0.0.3'), ['a', 'a']);
    });
  });
});

test('a removed destination drains: its open connection keeps working, new ones go elsewhere', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(4);
      const port = await freePort(vip);
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port), dest(b!.address, b!.port)])));
      const held = await connectAndGreet(vip, port);
      assert.equal(held.backend, 'a');
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(b!.address, b!.port)])));
      assert.deepEqual(await sequence(vip, port, 3), ['b', 'b', 'b']);
      assert.equal(await held.roundTrip('still here'), 'still here');
      assert.deepEqual(proxy.stats()[0]!.destinations.map((d) => d.port), [b!.port]);
      await closeClient(held.socket);
      // Re-adding the drained destination brings it back with its counters.
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port), dest(b!.address, b!.port)])));
      const stats = proxy.stats()[0]!.destinations;
      assert.equal(stats.length, 2);
    });
  });
});

test('weight 0 (inhibit_on_failure): no new connections, the existing one continues', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(5);
      const port = await freePort(vip);
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port), dest(b!.address, b!.port)])));
      const held = await connectAndGreet(vip, port);
      assert.equal(held.backend, 'a');
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port, 0), dest(b!.address, b!.port)])));
      assert.deepEqual(await sequence(vip, port, 3), ['b', 'b', 'b']);
      assert.equal(await held.roundTrip('ping'), 'ping');
      const [da] = proxy.stats()[0]!.destinations;
      assert.equal(da!.weight, 0);
      assert.equal(da!.activeConnections, 1);
      await closeClient(held.socket);
      await waitFor(() => proxy.stats()[0]!.destinations[0]!.activeConnections === 0, 'held connection closed');
    });
  });
});

test('an unrelated change keeps the listener and the open connections', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(6);
      const port = await freePort(vip);
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port), dest(b!.address, b!.port)])));
      const held: GreetedClient = await connectAndGreet(vip, port);
      const otherPort = await freePort(vip);
      await proxy.apply(table(
        tcpService(vip, port, 'wlc', [dest(a!.address, a!.port, 5), dest(b!.address, b!.port, 2)]),
        tcpService(vip, otherPort, 'rr', [dest(b!.address, b!.port)]),
      ));
      assert.equal(await held.roundTrip('unchanged'), 'unchanged');
      assert.equal(proxy.stats().find((s) => s.id === `TCP ${vip}:${port}`)!.connections, 1);
      assert.equal(await whoServes(vip, otherPort), 'b');
      await closeClient(held.socket);
    });
  });
});

test('listeners follow vipChanged', async () => {
  await withBackends(['a'], async ([a]) => {
    await withProxy({ isLocalAddress: () => false }, async (proxy) => {
      const vip = runVip(7);
      const port = await freePort(vip);
      const id = `TCP ${vip}:${port}`;
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port)])));
      assert.equal(proxy.isListening(id), false);
      assert.deepEqual(await connectOutcome(vip, port), { error: 'ECONNREFUSED', closed: true });
      proxy.vipChanged(`${vip}/32`, true);
      await proxy.settled();
      assert.equal(proxy.isListening(id), true);
      assert.equal(await whoServes(vip, port), 'a');
      proxy.vipChanged(vip, false);
      await proxy.settled();
      assert.equal(proxy.isListening(id), false);
      assert.deepEqual(await connectOutcome(vip, port), { error: 'ECONNREFUSED', closed: true });
      proxy.vipChanged(vip, true);
      await proxy.settled();
      assert.equal(await whoServes(vip, port), 'a');
    });
  });
});

test('a refusing destination: one failover to another; without failover the client is reset', async () => {
  await withBackends(['b'], async ([b]) => {
    const vip = runVip(8);
    const port = await freePort(vip);
    const closedPort = await freePort('127.0.0.1');
    const service = tcpService(vip, port, 'rr', [dest('127.0.0.1', closedPort), dest(b!.address, b!.port)]);
    await withProxy({}, async (proxy) => {
      await proxy.apply(table(service));
      assert.equal(await whoServes(vip, port), 'b');
      const c = proxy.counters();
      assert.equal(c.connectFailures, 1);
      assert.equal(c.failovers, 1);
      const [refusing, good] = proxy.stats()[0]!.destinations;
      assert.equal(refusing!.connections, 1);
      assert.equal(good!.connections, 1);
      assert.equal(proxy.stats()[0]!.connections, 1);
      await waitFor(() => proxy.stats()[0]!.destinations.every((d) => d.activeConnections === 0), 'connections closed');
    });
    await withProxy({ failoverOnConnectError: false }, async (proxy) => {
      await proxy.apply(table(service));
      const outcome = await connectOutcome(vip, port, 'x');
      assert.equal(outcome.line, undefined);
      assert.equal(outcome.closed, true);
      assert.equal(proxy.counters().failovers, 0);
      assert.equal(proxy.counters().connectFailures, 1);
    });
  });
});

test('a destination that never answers holds the connection until the client leaves; one that resets resets the client', async () => {
  const silent = await startTcpBackend('silent', '127.0.0.1', 'silent');
  const resetting = await startTcpBackend('reset', '127.0.0.1', 'reset');
  try {
    await withProxy({ tcpFinTimeoutMs: 300 }, async (proxy) => {
      const vip = runVip(9);
      const port = await freePort(vip);
      const port2 = await freePort(vip);
      await proxy.apply(table(
        tcpService(vip, port, 'rr', [dest(silent.address, silent.port)]),
        tcpService(vip, port2, 'rr', [dest(resetting.address, resetting.port)]),
      ));
      const statsOf = (p: number) => proxy.stats().find((s) => s.id === `TCP ${vip}:${p}`)!;
      const net = await import('node:net');
      const client = net.connect({ host: vip, port });
      client.on('error', () => {});
      await new Promise((r) => client.once('connect', r));
      client.write('hello?');
      await waitFor(() => statsOf(port).bytesIn === 6, 'request relayed');
      assert.equal(statsOf(port).destinations[0]!.activeConnections, 1);
      assert.equal(statsOf(port).bytesOut, 0);
      client.end();
      // The client's FIN is passed on; the silent backend never reads it nor closes: the relay is
      // half-closed (inactive) until the FIN timeout ends it.
      await waitFor(() => statsOf(port).destinations[0]!.inactiveConnections === 1, 'relay half-closed');
      assert.equal(statsOf(port).destinations[0]!.activeConnections, 0);
      await waitFor(() => statsOf(port).destinations[0]!.inactiveConnections === 0, 'FIN timeout');
      assert.equal(proxy.counters().idleTimeouts, 1);

      const outcome = await connectOutcome(vip, port2, 'boom');
      assert.deepEqual(outcome, { error: 'ECONNRESET', closed: true });
      await waitFor(() => statsOf(port2).destinations[0]!.activeConnections === 0, 'reset connection released');
      assert.equal(proxy.counters().connectionErrors, 1);
    });
  } finally {
    await silent.close();
    await resetting.close();
  }
});

test('no destination at all: the client is reset and the miss counted', async () => {
  await withProxy({}, async (proxy) => {
    const vip = runVip(10);
    const port = await freePort(vip);
    await proxy.apply(table(tcpService(vip, port, 'rr', [])));
    const outcome = await connectOutcome(vip, port);
    assert.equal(outcome.closed, true);
    assert.equal(outcome.line, undefined);
    assert.equal(proxy.counters().noDestination, 1);
  });
});

test('fwmark and SCTP services are reported once and skipped', async () => {
  const logs: string[] = [];
  await withProxy({ log: (_level, m) => logs.push(m) }, async (proxy) => {
    const fwm = { id: 'FWM 5', key: { kind: 'fwmark' as const, family: 'inet' as const, fwmark: 5 }, scheduler: 'rr', flags: [], destinations: [] };
    await proxy.apply(table(fwm));
    await proxy.apply(table(fwm));
    assert.deepEqual(proxy.stats(), []);
    assert.equal(proxy.counters().unsupportedServices, 1);
    assert.deepEqual(logs, ['proxy: virtual server FWM 5 not served: fwmark services need a kernel data plane (nft or ipvs)']);
  });
});

test('1000 concurrent connections relay and leave no descriptor behind', async () => {
  await withBackends(['a', 'b'], async ([a, b]) => {
    await withProxy({}, async (proxy) => {
      const vip = runVip(11);
      const port = await freePort(vip);
      await proxy.apply(table(tcpService(vip, port, 'rr', [dest(a!.address, a!.port), dest(b!.address, b!.port)])));
      const baseline = openFdCount();
      const clients: GreetedClient[] = [];
      for (let batch = 0; batch < 10; batch++) {
        clients.push(...(await Promise.all(Array.from({ length: 100 }, () => connectAndGreet(vip, port)))));
      }
      assert.equal(clients.length, 1000);
      const stats = proxy.stats()[0]!;
      assert.deepEqual(stats.destinations.map((d) => d.activeConnections), [500, 500]);
      const echoes = await Promise.all(clients.map((c, i) => c.roundTrip(`msg-${i}`)));
      assert.deepEqual(echoes, clients.map((_, i) => `msg-${i}`));
      await Promise.all(clients.map((c) => closeClient(c.socket)));
      await waitFor(() => proxy.stats()[0]!.destinations.every((d) => d.activeConnections === 0), 'all relays closed', 30_000);
      await waitFor(() => a!.sockets.size + b!.sockets.size === 0, 'backend sockets closed', 30_000);
      await waitFor(() => openFdCount() <= baseline, `fd count back to ${baseline}`, 30_000);
      assert.equal(openFdCount(), baseline);
      assert.equal(proxy.stats()[0]!.connections, 1000);
    });
  });
});

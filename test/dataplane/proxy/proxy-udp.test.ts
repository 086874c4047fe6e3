/** The proxy data plane's UDP path on loopback: sessions, replies from the VIP, idle timeout, counters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { ProxyDataPlane } from '../../../src/dataplane/proxy/proxy-dataplane.js';
import { dest, freePort, runVip, table, udpService, waitFor } from './loopback-fixtures.js';

/** A UDP backend answering "<name>:<datagram>". */
async function startUdpBackend(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const s = dgram.createSocket('udp4');
  s.on('message', (msg, rinfo) => s.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { port: s.address().port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

function ask(client: dgram.Socket, text: string, vip: string, port: number): Promise<{ reply: string; from: string }> {
  return new Promise((resolve) => {
    client.once('message', (msg, rinfo) => resolve({ reply: msg.toString(), from: `${rinfo.address}:${rinfo.port}` }));
    client.send(text, port, vip);
  });
}

test('UDP: sessions per client, replies from the VIP, idle timeout ends a session', async () => {
  const a = await startUdpBackend('a');
  const b = await startUdpBackend('b');
  const proxy = new ProxyDataPlane({ udpIdleTimeoutMs: 300 });
  const c1 = dgram.createSocket('udp4');
  const c2 = dgram.createSocket('udp4');
  try {
    const vip = runVip(20);
    const port = await freePort(vip, 'udp');
    await proxy.apply(table(udpService(vip, port, 'rr', [dest('127.0.0.1', a.port), dest('127.0.0.1', b.port)])));
    await new Promise<void>((r) => c1.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => c2.bind(0, '127.0.0.1', r));

    assert.deepEqual(await ask(c1, 'one', vip, port), { reply: 'a:one', from: `${vip}:${port}` });
    assert.deepEqual(await ask(c1, 'two', vip, port), { reply: 'a:two', from: `${vip}:${port}` });
    assert.deepEqual(await ask(c2, 'three', vip, port), { reply: 'b:three', from: `${vip}:${port}` });

    let stats = proxy.stats()[0]!;
    assert.equal(stats.connections, 2);
    assert.deepEqual(stats.destinations.map((d) => [d.connections, d.activeConnections, d.packetsIn, d.packetsOut, d.bytesIn, d.bytesOut]), [
      [1, 1, 2, 2, 6, 10],
      [1, 1, 1, 1, 5, 7],
    ]);

    // Idle sessions expire; the client's next datagram is scheduled afresh (rr goes on to a).
    await waitFor(() => proxy.stats()[0]!.destinations.every((d) => d.activeConnections === 0), 'sessions expired');
    assert.deepEqual(await ask(c2, 'four', vip, port), { reply: 'a:four', from: `${vip}:${port}` });
    stats = proxy.stats()[0]!;
    assert.equal(stats.connections, 3);
    assert.equal(stats.packetsIn, 4);
    assert.equal(stats.packetsOut, 4);
  } finally {
    c1.close();
    c2.close();
    await proxy.close();
    await a.close();
    await b.close();
  }
});

test('UDP: an unreachable destination ends the session; the next datagram goes elsewhere', async () => {
  const b = await startUdpBackend('b');
  const proxy = new ProxyDataPlane({});
  const client = dgram.createSocket('udp4');
  try {
    const vip = runVip(21);
    const port = await freePort(vip, 'udp');
    const deadPort = await freePort('127.0.0.1', 'udp');
    await proxy.apply(table(udpService(vip, port, 'rr', [dest('127.0.0.1', deadPort), dest('127.0.0.1', b.port)])));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    client.send('lost', port, vip);
    // The ICMP port unreachable from the dead destination closes the session.
    await waitFor(() => proxy.counters().udpSessionErrors === 1, 'session error');
    await waitFor(() => proxy.stats()[0]!.destinations[0]!.activeConnections === 0, 'session closed');
    assert.deepEqual(await ask(client, 'again', vip, port), { reply: 'b:again', from: `${vip}:${port}` });
  } finally {
    client.close();
    await proxy.close();
    await b.close();
  }
});

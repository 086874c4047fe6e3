/** The proxy data plane over IPv6 (::1): TCP scheduling and counters, UDP replies from the VIP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { ProxyDataPlane } from '../../../src/dataplane/proxy/proxy-dataplane.js';
import type { DesiredService } from '../../../src/lvs/table-types.js';
import { dest, freePort, startTcpBackend, table, waitFor, whoServes } from './loopback-fixtures.js';

const VIP = '::1';

function v6(service: DesiredService): DesiredService {
  return { ...service, key: { ...service.key, family: 'inet6' } as DesiredService['key'], destinations: service.destinations.map((d) => ({ ...d, family: 'inet6' })) };
}

test('IPv6 TCP: rr alternates over two backends on ::1; counters per destination', async () => {
  const a = await startTcpBackend('a', VIP);
  const b = await startTcpBackend('b', VIP);
  const proxy = new ProxyDataPlane({});
  try {
    const port = await freePort(VIP);
    const id = `TCP [${VIP}]:${port}`;
    await proxy.apply(
      table(v6({ id, key: { kind: 'address', family: 'inet6', address: VIP, port, protocol: 'TCP' }, scheduler: 'rr', flags: [], destinations: [dest(VIP, a.port), dest(VIP, b.port)] })),
    );
    assert.equal(proxy.isListening(id), true);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(await whoServes(VIP, port));
    assert.deepEqual(seen, ['a', 'b', 'a', 'b']);
    const [svc] = proxy.stats();
    assert.equal(svc!.id, id);
    assert.deepEqual(svc!.destinations.map((d) => [d.address, d.port, d.connections]), [[VIP, a.port, 2], [VIP, b.port, 2]]);
    await waitFor(() => proxy.stats()[0]!.destinations.every((d) => d.activeConnections === 0), 'connections closed');
  } finally {
    await proxy.close();
    await a.close();
    await b.close();
  }
});

test('IPv6 UDP: the reply comes from the VIP and port the client asked', async () => {
  const backend = dgram.createSocket('udp6');
  backend.on('message', (msg, rinfo) => backend.send(`v6:${msg.toString()}`, rinfo.port, rinfo.address));
  await new Promise<void>((r) => backend.bind(0, VIP, r));
  const client = dgram.createSocket('udp6');
  await new Promise<void>((r) => client.bind(0, VIP, r));
  const proxy = new ProxyDataPlane({});
  try {
    const port = await freePort(VIP, 'udp');
    const id = `UDP [${VIP}]:${port}`;
    await proxy.apply(
      table(v6({ id, key: { kind: 'address', family: 'inet6', address: VIP, port, protocol: 'UDP' }, scheduler: 'rr', flags: [], destinations: [dest(VIP, backend.address().port)] })),
    );
    const answer = await new Promise<{ reply: string; from: string }>((resolve) => {
      client.once('message', (msg, rinfo) => resolve({ reply: msg.toString(), from: `[${rinfo.address}]:${rinfo.port}` }));
      client.send('hello', port, VIP);
    });
    assert.deepEqual(answer, { reply: 'v6:hello', from: `[${VIP}]:${port}` });
    assert.equal(proxy.stats()[0]!.destinations[0]!.packetsIn, 1);
  } finally {
    client.close();
    backend.close();
    await proxy.close();
  }
});

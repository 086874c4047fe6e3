/**
 * The checker process's engine on loopback, with real timers and real TCP_CHECK attempts and a
 * recording data plane: the table follows the real servers' health (quorum loss brings in the
 * sorry server, recovery takes it out), LVS FIFO lines come out in keepalived's form, VIP presence
 * reaches the data plane, a reload with the same config changes nothing, stop empties the table
 * and closes the data plane.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import type { DataPlane, ServiceStats } from '../../src/dataplane/dataplane.js';
import type { DesiredTable } from '../../src/lvs/table-types.js';
import type { AddressSource } from '../../src/daemon/address-presence.js';
import { LvsService } from '../../src/daemon/lvs-service.js';

const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.destroy();
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const closeServer = (s: net.Server) => new Promise<void>((r) => s.close(() => r()));

class RecordingDataPlane implements DataPlane {
  readonly name = 'proxy' as const;
  readonly tables: DesiredTable[] = [];
  readonly vips: string[] = [];
  closed = 0;
  async apply(table: DesiredTable): Promise<void> {
    this.tables.push(table);
  }
  vipChanged(address: string, present: boolean): void {
    this.vips.push(`${address} ${present}`);
  }
  stats(): readonly ServiceStats[] {
    return [];
  }
  async close(): Promise<void> {
    this.closed++;
  }
  /** The destinations of the last table, "address:port weight[ sorry]". */
  last(): string[] {
    const t = this.tables.at(-1);
    return (t?.services ?? []).flatMap((s) => s.destinations.map((d) => `${d.address}:${d.port} ${d.weight}${d.sorry ? ' sorry' : ''}`)).sort();
  }
}

class FakeAddresses implements AddressSource {
  private listener: ((address: string, added: boolean) => void) | undefined;
  closed = false;
  constructor(private readonly initial: string[]) {}
  present(): string[] {
    return [...this.initial];
  }
  onChange(listener: (address: string, added: boolean) => void): void {
    this.listener = listener;
  }
  emit(address: string, added: boolean): void {
    this.listener?.(address, added);
  }
  close(): void {
    this.closed = true;
  }
}

test('the table follows health and quorum; FIFO lines, VIP presence, reload and stop', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-lvs-service-'));
  const rs1 = await listenOn(0);
  let rs2 = await listenOn(0);
  const sorry = await listenOn(0);
  const [p1, p2, ps] = [rs1, rs2, sorry].map((s) => (s.address() as net.AddressInfo).port);
  const fifoPath = path.join(dir, 'lvs.fifo');
  const check = `    TCP_CHECK {\n      delay_loop 0.3\n      warmup 0\n      retry 0\n      connect_timeout 1\n    }\n`;
  const config =
    `global_defs {\n  lvs_notify_fifo ${fifoPath}\n}\n` +
    `virtual_server 10.9.9.1 8080 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  quorum 2\n  sorry_server 127.0.0.1 ${ps}\n` +
    `  real_server 127.0.0.1 ${p1} {\n${check}  }\n  real_server 127.0.0.1 ${p2} {\n${check}  }\n}\n`;
  const loaded = loadConfigText(config, { host });
  assert.deepEqual(loaded.diagnostics.list.map((d) => d.message), []);
  const dp = new RecordingDataPlane();
  const addresses = new FakeAddresses(['10.9.9.1']);
  const logs: string[] = [];
  const service = new LvsService(loaded.config, { log: (_l, m) => logs.push(m), dataPlane: dp, addresses, random: () => 0 });
  try {
    service.start();
    await service.settled();
    assert.deepEqual(dp.vips, ['10.9.9.1 true'], 'presence is told before the first table');
    assert.deepEqual(dp.last(), [`127.0.0.1:${p1} 1`, `127.0.0.1:${p2} 1`].sort());
    assert.equal(dp.tables.at(-1)!.services[0]!.id, 'TCP 10.9.9.1:8080');
    assert.ok(logs.includes(`Activating healthchecker for service [127.0.0.1]:tcp:${p2} for VS [10.9.9.1]:tcp:8080`));

    // rs2 goes: removed, quorum 2 lost, the sorry server alone serves
    await closeServer(rs2);
    await waitFor('the sorry server', () => dp.last().join() === `127.0.0.1:${ps} 1 sorry`);
    const down = logs.findIndex((l) => l === `Removing service [127.0.0.1]:tcp:${p2} from VS [10.9.9.1]:tcp:8080`);
    assert.ok(down >= 0, logs.join('\n'));
    assert.ok(logs.slice(down).some((l) => l.startsWith('Lost quorum 2-0=2 > 1 for VS [10.9.9.1]:tcp:8080')), logs.join('\n'));
    let st = service.virtualServers()[0]!;
    assert.equal(st.quorum, 'down');
    assert.deepEqual(st.sorryServer, { address: '127.0.0.1', port: ps, active: true });
    assert.deepEqual(st.realServers.map((r) => `${r.port} ${r.alive} ${r.weight}`), [`${p1} true 1`, `${p2} false 1`]);

    // rs2 returns: quorum regained, the sorry server leaves
    rs2 = await listenOn(p2!);
    await waitFor('both real servers', () => dp.last().length === 2 && !dp.last().some((d) => d.endsWith('sorry')));
    await service.settled();
    st = service.virtualServers()[0]!;
    assert.equal(st.quorum, 'up');
    assert.equal(st.sorryServer?.active, false);

    const fd = fs.openSync(fifoPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf);
    fs.closeSync(fd);
    assert.equal(
      buf.subarray(0, n).toString(),
      `VS [10.9.9.1]:tcp:8080 UP\nRS [127.0.0.1]:tcp:${p2} [10.9.9.1]:tcp:8080 DOWN\nVS [10.9.9.1]:tcp:8080 DOWN\nRS [127.0.0.1]:tcp:${p2} [10.9.9.1]:tcp:8080 UP\nVS [10.9.9.1]:tcp:8080 UP\n`,
    );

    // the VIP leaves and comes back: the data plane is told each time
    addresses.emit('10.9.9.1', false);
    addresses.emit('10.9.9.2', true);
    addresses.emit('10.9.9.1', true);
    assert.deepEqual(dp.vips, ['10.9.9.1 true', '10.9.9.1 false', '10.9.9.1 true']);

    // a reload with the same config: same table, no real server moved
    const from = logs.length;
    const tablesBefore = dp.last();
    service.reload(loadConfigText(config, { host }).config);
    await service.settled();
    assert.deepEqual(dp.last(), tablesBefore);
    assert.ok(!logs.slice(from).some((l) => /^(Adding|Removing) service/.test(l)), logs.slice(from).join('\n'));
  } finally {
    await service.stop();
    for (const s of [rs1, rs2, sorry]) await closeServer(s).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(dp.tables.at(-1), { services: [] });
  assert.equal(dp.closed, 1);
  assert.equal(addresses.closed, true);
  assert.equal(fs.existsSync(fifoPath), false, 'the FIFO we created is removed');
});

test('FILE_CHECK: the table follows a real track file — fault at start, recovery, weights, a reload adding a FILE_CHECK', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-lvs-file-'));
  const down = path.join(dir, 'down');
  const weight = path.join(dir, 'weight');
  fs.writeFileSync(down, '1\n');
  fs.writeFileSync(weight, '0\n');
  const rs1 = await listenOn(0);
  const rs2 = await listenOn(0);
  const [p1, p2] = [rs1, rs2].map((s) => (s.address() as net.AddressInfo).port);
  const tracks = `track_file DOWN {\n  file ${down}\n  weight 0\n}\ntrack_file WEIGHT {\n  file ${weight}\n  weight 3\n}\n`;
  const configWith = (rs2Checks: string) =>
    `${tracks}virtual_server 10.9.9.1 8080 {\n  lb_algo wrr\n  lb_kind NAT\n  protocol TCP\n` +
    `  real_server 127.0.0.1 ${p1} {\n    weight 10\n    FILE_CHECK {\n      track_file DOWN\n    }\n  }\n` +
    `  real_server 127.0.0.1 ${p2} {\n    weight 10\n${rs2Checks}  }\n}\n`;
  const first = loadConfigText(configWith(''), { host });
  assert.deepEqual(first.diagnostics.list.map((d) => d.message), []);
  const dp = new RecordingDataPlane();
  const logs: string[] = [];
  const service = new LvsService(first.config, { log: (_l, m) => logs.push(m), dataPlane: dp, addresses: new FakeAddresses(['10.9.9.1']), random: () => 0 });
  try {
    service.start();
    await service.settled();
    assert.deepEqual(dp.tables.map((t) => t.services[0]?.destinations.map((d) => d.port)), [[p2]], 'rs1 starts out: its file says fault');

    fs.writeFileSync(down, '0\n');
    await waitFor('rs1 added', () => dp.last().length === 2);
    assert.deepEqual(dp.last(), [`127.0.0.1:${p1} 10`, `127.0.0.1:${p2} 10`].sort());
    assert.ok(logs.includes(`Adding service [127.0.0.1]:tcp:${p1} to VS [10.9.9.1]:tcp:8080`), logs.join('\n'));

    // a reload gives rs2 a weighted FILE_CHECK on a file already at 4: 10 + 4 × 3
    fs.writeFileSync(weight, '4\n');
    service.reload(loadConfigText(configWith('    FILE_CHECK {\n      track_file WEIGHT\n    }\n'), { host }).config);
    await service.settled();
    await waitFor('rs2 at 22', () => dp.last().includes(`127.0.0.1:${p2} 22`));

    fs.writeFileSync(weight, '-1\n');
    await waitFor('rs2 at 7', () => dp.last().includes(`127.0.0.1:${p2} 7`));
    assert.ok(logs.includes(`Changing weight from 22 to 7 for active service [127.0.0.1]:tcp:${p2} of VS [10.9.9.1]:tcp:8080`), logs.join('\n'));
    assert.deepEqual(
      service.virtualServers()[0]!.realServers.map((r) => `${r.port} ${r.alive} ${r.weight}`),
      [`${p1} true 10`, `${p2} true 7`],
    );

    fs.writeFileSync(down, '5\n');
    await waitFor('rs1 removed', () => dp.last().length === 1);
    assert.ok(logs.includes(`Removing service [127.0.0.1]:tcp:${p1} from VS [10.9.9.1]:tcp:8080`), logs.join('\n'));
  } finally {
    await service.stop();
    for (const s of [rs1, rs2]) await closeServer(s).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

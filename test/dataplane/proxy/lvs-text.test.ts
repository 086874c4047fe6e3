/** `ipvsadm -Ln --stats` layout and the JSON form of the LVS table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DestinationStats, ServiceStats } from '../../../src/dataplane/dataplane.js';
import { formatLargeNumber, formatLvsStats, lvsStatsJson, parseServiceId } from '../../../src/dataplane/proxy/lvs-text.js';
import { runLvs } from '../../../src/cli/lvs.js';

function d(address: string, port: number, n: Partial<DestinationStats> = {}): DestinationStats {
  return {
    address, port, weight: 1, activeConnections: 0, inactiveConnections: 0,
    connections: 0, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, ...n,
  };
}

const SERVICES: ServiceStats[] = [
  {
    id: 'UDP 10.0.0.1:53', scheduler: 'rr', connections: 2, packetsIn: 4, packetsOut: 4, bytesIn: 200, bytesOut: 400,
    destinations: [d('192.168.1.11', 53, { connections: 2, packetsIn: 4, packetsOut: 4, bytesIn: 200, bytesOut: 400 })],
  },
  {
    id: 'TCP 10.0.0.1:80', scheduler: 'wrr', connections: 123456789, bytesIn: 5_000_000_000, bytesOut: 250_000_000_000_000,
    destinations: [
      d('192.168.1.12', 8080, { connections: 23456789, packetsIn: 7, packetsOut: 9, bytesIn: 1000, bytesOut: 2000 }),
      d('192.168.1.2', 80, { connections: 100000000, packetsIn: 1, packetsOut: 2, bytesIn: 3, bytesOut: 4 }),
    ],
  },
  { id: 'FWM 7', scheduler: 'sh', connections: 0, bytesIn: 0, bytesOut: 0, destinations: [] },
  {
    id: 'TCP [fd00::1]:443', scheduler: 'rr', connections: 1, packetsIn: 2, packetsOut: 3, bytesIn: 4, bytesOut: 5,
    destinations: [d('fd00::20', 443, { connections: 1, packetsIn: 2, packetsOut: 3, bytesIn: 4, bytesOut: 5 })],
  },
];

test('formatLvsStats prints ipvsadm -Ln --stats, sorted as libipvs sorts', () => {
  assert.equal(
    formatLvsStats(SERVICES),
    [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
      'TCP  10.0.0.1:80                   123456K        8       11    5000M     250T',
      '  -> 192.168.1.2:80                100000K        1        2        3        4',
      '  -> 192.168.1.12:8080            23456789        7        9     1000     2000',
      'UDP  10.0.0.1:53                         2        4        4      200      400',
      '  -> 192.168.1.11:53                     2        4        4      200      400',
      'TCP  [fd00::1]:443                       1        2        3        4        5',
      '  -> [fd00::20]:443                      1        2        3        4        5',
      'FWM  7                                   0        0        0        0        0',
      '',
    ].join('\n'),
  );
});

test('--exact widths and the K/M/G/T steps of print_largenum', () => {
  assert.equal(formatLargeNumber(99_999_999), ' 99999999');
  assert.equal(formatLargeNumber(100_000_000), '  100000K');
  assert.equal(formatLargeNumber(1_000_000_000), '    1000M');
  assert.equal(formatLargeNumber(100_000_000_000), '     100G');
  assert.equal(formatLargeNumber(100_000_000_000_000), '     100T');
  assert.equal(formatLargeNumber(12, true), '       12');
  assert.equal(formatLargeNumber(123456789012, true), ' 123456789012');
  const text = formatLvsStats(SERVICES.slice(1, 2), { exact: true });
  assert.equal(text.split('\n')[3], 'TCP  10.0.0.1:80                  123456789        8       11 5000000000 250000000000000');
});

test('service ids parse into their keys', () => {
  assert.deepEqual(parseServiceId('TCP 10.0.0.1:80'), { kind: 'address', protocol: 'TCP', family: 'inet', address: '10.0.0.1', port: 80 });
  assert.deepEqual(parseServiceId('UDP [fd00::1]:53'), { kind: 'address', protocol: 'UDP', family: 'inet6', address: 'fd00::1', port: 53 });
  assert.deepEqual(parseServiceId('FWM 5'), { kind: 'fwmark', fwmark: 5, family: 'inet' });
  assert.deepEqual(parseServiceId('FWM 5 IPv6'), { kind: 'fwmark', fwmark: 5, family: 'inet6' });
  assert.deepEqual(parseServiceId('nonsense'), { kind: 'unknown', family: 'inet' });
});

test('the JSON form carries the same services in the same order with exact numbers', () => {
  const json = lvsStatsJson(SERVICES, { dataPlane: 'proxy' });
  assert.equal(json.version, '1.2.1');
  assert.equal(json.dataPlane, 'proxy');
  assert.deepEqual(json.services.map((s) => s.id), ['TCP 10.0.0.1:80', 'UDP 10.0.0.1:53', 'TCP [fd00::1]:443', 'FWM 7']);
  const tcp = json.services[0]!;
  assert.equal(tcp.packetsIn, 8);
  assert.equal(tcp.bytesOut, 250_000_000_000_000);
  assert.deepEqual(tcp.destinations.map((x) => `${x.address}:${x.port}`), ['192.168.1.2:80', '192.168.1.12:8080']);
  assert.deepEqual(json.services[3], {
    id: 'FWM 7', kind: 'fwmark', family: 'inet', fwmark: 7, scheduler: 'sh',
    connections: 0, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, destinations: [],
  });
});

test('keepalived-ts lvs prints the table, JSON, or why it cannot', async () => {
  const run = async (argv: string[], source?: () => Promise<{ dataPlane?: string; services: ServiceStats[] }>) => {
    let out = '';
    let err = '';
    const code = await runLvs(argv, { out: (t) => void (out += t), err: (t) => void (err += t) }, source);
    return { code, out, err };
  };
  const source = async () => ({ dataPlane: 'proxy', services: SERVICES });
  const text = await run([], source);
  assert.equal(text.code, 0);
  assert.equal(text.out, formatLvsStats(SERVICES));
  const json = await run(['--json'], source);
  assert.deepEqual(JSON.parse(json.out), lvsStatsJson(SERVICES, { dataPlane: 'proxy' }));
  const exact = await run(['--exact'], source);
  assert.equal(exact.out, formatLvsStats(SERVICES, { exact: true }));
  const bad = await run(['--bogus'], source);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^keepalived-ts lvs: unexpected argument '--bogus'\n/);
  const none = await run([]);
  assert.equal(none.code, 3);
  assert.equal(none.err, 'keepalived-ts lvs: the running daemon does not serve its LVS table yet\n');
});

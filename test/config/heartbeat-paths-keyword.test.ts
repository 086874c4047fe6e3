/**
 * `heartbeat_paths { IFNAME [PEER …] … }` (a keepalived-ts extension in vrrp_instance): multicast
 * and unicast paths read in order; a bad interface name, a malformed or other-family peer and a
 * repeated interface are reported with the file and line and leave that path out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const host = staticHostFacts({ hostname: 'lb1', interfaces: [ethernetInterface('eth0', 2), ethernetInterface('eth1', 3), ethernetInterface('eth2', 4)] });

function load(paths: string) {
  const text = `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  heartbeat_paths {\n${paths}  }\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n`;
  const r = loadConfigText(text, { host });
  const i = r.config.vrrp.instances[0]!;
  return { paths: i.heartbeatPaths.map((p) => [p.interface, ...p.peers].join(' ')), lines: r.diagnostics.list.map(formatDiagnostic) };
}

test('heartbeat_paths: a multicast path and a unicast path, in order', () => {
  assert.deepEqual(load('    eth1\n    eth2 10.9.9.2 10.9.9.3\n'), { paths: ['eth1', 'eth2 10.9.9.2 10.9.9.3'], lines: [] });
});

test('heartbeat_paths: bad entries are reported where they are and left out', () => {
  assert.deepEqual(load('    averyveryverylonginterfacename\n    eth1 10.9.9.x\n    eth2 10.9.9.2\n    eth1 2001:db8::1\n    eth2\n'), {
    paths: ['eth2 10.9.9.2'],
    lines: [
      "(/etc/keepalived/keepalived.conf: Line 6) (VI_1) heartbeat path interface 'averyveryverylonginterfacename' too long or invalid - ignoring",
      "(/etc/keepalived/keepalived.conf: Line 7) (VI_1) heartbeat path eth1: malformed peer address '10.9.9.x' - ignoring the path",
      "(/etc/keepalived/keepalived.conf: Line 9) (VI_1) heartbeat path eth1: peer 2001:db8::1 is not of the instance's address family - ignoring the path",
      '(/etc/keepalived/keepalived.conf: Line 10) (VI_1) heartbeat path eth2 given twice - ignoring the second',
    ],
  });
});

/** Group expansion into IPVS services: IPv4 octet and full ranges, IPv6 last-group ranges, ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandVirtualServer, serviceId } from '../../src/lvs/service-keys.js';
import { formatIPv6 as compressIpv6 } from '../../src/config/entries/inet.js';
import { loadLvs } from './lvs-test-config.js';

test('ranges expand inclusively, fwmarks follow, ids use ipvsadm notation', () => {
  const config = loadLvs(`
virtual_server_group V4 {
  10.0.0.254-10.0.1.1 80
  fwmark 9
}
virtual_server_group V6 {
  2001:db8::fe-101 443
  fwmark 3 inet6
}
virtual_server group V4 {
  lb_algo rr
  lb_kind DR
  protocol UDP
  real_server 10.1.0.1 80 {
  }
}
virtual_server group V6 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 2001:db8::a 443 {
  }
}
`);
  const ids = config.lvs.virtualServers.map((vs) => expandVirtualServer(vs, config.lvs).map((s) => s.id));
  assert.deepEqual(ids, [
    ['UDP 10.0.0.254:80', 'UDP 10.0.0.255:80', 'UDP 10.0.1.0:80', 'UDP 10.0.1.1:80', 'FWM 9'],
    ['TCP [2001:db8::fe]:443', 'TCP [2001:db8::ff]:443', 'TCP [2001:db8::100]:443', 'TCP [2001:db8::101]:443', 'FWM 3 IPv6'],
  ]);
  assert.equal(serviceId({ kind: 'fwmark', family: 'inet', fwmark: 5 }), 'FWM 5');
  assert.equal(compressIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 0]), '2001:db8:0:0:1::');
  assert.equal(compressIpv6([0, 0, 0, 0, 0, 0, 0, 1]), '::1');
  assert.equal(compressIpv6([1, 0, 2, 0, 3, 0, 4, 0]), '1:0:2:0:3:0:4:0');
});

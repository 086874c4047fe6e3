/** deriveInstanceSettings(): the core's view of a validated vrrp_instance. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { deriveInstanceSettings } from '../../src/vrrp/instance-settings.js';
import { VrrpInstanceCore } from '../../src/vrrp/instance.js';

const host = staticHostFacts({
  hostname: 'kref',
  interfaces: [ethernetInterface('eth0', 2), ethernetInterface('eth1', 3)],
  files: {
    '/': { exists: true, isFile: false, isDirectory: true, mode: 0o40755, uid: 0, gid: 0 },
    '/bin': { exists: true, isFile: false, isDirectory: true, mode: 0o40755, uid: 0, gid: 0 },
    '/bin/true': { exists: true, isFile: true, isDirectory: false, mode: 0o100755, uid: 0, gid: 0 },
  },
});

test('settings: derived from keepalived.conf with keepalived defaults', () => {
  const { config } = loadConfigText(
    `vrrp_script chk { script "/bin/true" }
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 200
  advert_int 1
  track_interface { eth1 weight 10 }
  track_script { chk weight -20 }
  virtual_ipaddress { 10.0.0.100/24 }
  notify_master "/bin/m arg"
  notify "/bin/n"
}
`,
    { host },
  );
  const inst = config.vrrp.instances[0]!;
  const s = deriveInstanceSettings(inst, config.global, { scripts: config.vrrp.scripts });
  assert.equal(s.priority, 200);
  assert.equal(s.version, 2);
  assert.equal(s.advertInt, 1_000_000);
  assert.equal(s.initialState, 'BACKUP');
  assert.equal(s.garpMasterRepeat, 5);
  assert.equal(s.garpMasterDelay, 5_000_000);
  assert.equal(s.garpLowerPrioRepeat, 5);
  assert.equal(s.lowerPrioNoAdvert, false);
  assert.deepEqual(s.notify.master, ['/bin/m', 'arg']);
  assert.deepEqual(s.notify.generic, ['/bin/n']);
  assert.deepEqual(s.vips.map((v) => v.address), ['10.0.0.100']);
  assert.deepEqual(
    s.trackers.map((t) => [t.kind, t.name, t.weight]),
    [['interface', 'eth0', 0], ['interface', 'eth1', 10], ['script', 'chk', -20]],
  );
  const c = new VrrpInstanceCore(s);
  c.handle({ type: 'start', now: 0, primaryAddress: '10.0.0.1' });
  assert.equal(c.effectivePriority, 210);
  assert.equal(c.state, 'BACKUP');
});

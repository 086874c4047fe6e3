/**
 * VRRP post-parse validation (vrrp.c vrrp_complete_init / vrrp_complete_instance, vrrp_sync.c,
 * check_vrid_conflicts) and the defaults it resolves. *_EXPECTED lists are what
 * `ip netns exec kref keepalived -t -f FILE` printed (compared as sets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { ConfigErr, formatDiagnostic } from '../../src/config/diagnostics.js';

const FILE = '/etc/keepalived/keepalived.conf';
const exe = { exists: true, isFile: true, isDirectory: false, mode: 0o100755, uid: 0, gid: 0 };
const dir = { exists: true, isFile: false, isDirectory: true, mode: 0o40755, uid: 0, gid: 0 };
const host = staticHostFacts({
  hostname: 'kref',
  interfaces: [
    { name: 'lo', index: 1, up: true, loopback: true, multicast: false, mtu: 65536, ipv4: ['127.0.0.1'], ipv6: ['::1'] },
    ...['eth0', 'eth1', 'eth2', 'eth3', 'eth0.1'].map((n, i) => ethernetInterface(n, i + 2)),
  ],
  files: { '/': dir, '/bin': dir, '/bin/true': exe },
});
const at = (line: number, msg: string) => `(${FILE}: Line ${line}) ${msg}`;
function load(text: string) {
  const r = loadConfigText(text, { host });
  const lines = r.diagnostics.list.map(formatDiagnostic);
  return { ...r, lines, set: [...new Set(lines)].sort(), exit: r.diagnostics.exitCode() };
}
const sorted = (l: string[]) => [...new Set(l)].sort();
const instance = (body: string, name = 'X') => `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id 5\n${body}}\n`;

const K2 = `vrrp_script chk {
  script "/bin/true"
  weight 10
}
vrrp_sync_group G1 {
  group {
    VI_1
    NOPE
  }
  track_script {
    chk weight 5
  }
}
vrrp_sync_group G2 {
  group {
    VI_1
  }
}
vrrp_sync_group G3 {
  notify_master "/bin/true"
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  state MASTER
  nopreempt
  preempt_delay 5
  advert_int 2.4
  track_script {
    chk
  }
  track_interface {
    eth0 weight 5
    eth1 weight 5
  }
  virtual_ipaddress {
    10.0.0.1/24
  }
  unicast_src_ip 10.0.0.9
  mcast_dst_ip 224.0.0.19
  authentication {
    auth_type PASS
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  version 3
  advert_int 0.015
  priority 200
  state MASTER
  strict_mode
  garp_lower_prio_repeat 3
  lower_prio_no_advert false
  higher_prio_send_advert
  down_timer_adverts 4
  accept
  virtual_ipaddress {
    10.0.0.2/24
  }
  authentication {
    auth_type PASS
    auth_pass x
  }
}
vrrp_instance VI_3 {
  interface eth1
  virtual_router_id 52
  virtual_ipaddress {
    fe80::5
    2001:db8::5
  }
}
vrrp_instance VI_4 {
  interface eth1
  virtual_router_id 52
  virtual_ipaddress {
    fe80::6
  }
}
`;
const K2_EXPECTED = [
  "(VI_1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.",
  "(VI_1) Authentication specified but no password given. Ignoring",
  "(VI_1) Ignoring track_interface eth0 since own interface",
  "(VI_1) VRRPv2 advertisement interval 2.400000s must be an integer. rounding",
  "(VI_1) Warning - preempt delay will not work with initial state MASTER - clearing",
  "(VI_1) ignoring eth1 tracked interface weight due to SYNC group",
  "(VI_1) ignoring tracked script chk with weights due to SYNC group",
  "(VI_1) nopreempt is incompatible with priority 255. resetting nopreempt",
  "(VI_2) State MASTER must match being address owner",
  "(VI_2) Strict mode does not support authentication. Ignoring.",
  "(VI_2) Strict mode requires no lower priority advert. resetting",
  "(VI_2) Strict mode requires no repeat garps. resetting",
  "(VI_2) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding",
  "(VI_2) down_timer_adverts is incompatible with strict mode - resetting",
  "(VI_2) strict mode requires higher_prio_send_advert to be clear. resetting",
  "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
  "Sync group G1 has only 1 virtual router(s) - this probably isn't what you want",
  "Sync group G2, no matching virtual router found in group declaration - removing",
  "Sync group G3 has no virtual router(s). removing",
  "VI_3 and VI_4 both use VRID 52 with IPv6 on interface eth1",
  "Virtual router NOPE specified in sync group G1 doesn't exist - ignoring",
  "Virtual router VI_1 cannot exist in more than one sync group; ignoring G2",
];

const K5 = `global_defs {
  dynamic_interfaces
}
vrrp_instance A {
  interface eth9
  virtual_router_id 1
  track_interface {
    eth8
  }
  virtual_ipaddress {
    10.0.0.1/24 dev eth7
  }
  unicast_src_ip 10.0.0.1
  unicast_fault_no_peer
}
vrrp_instance B {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    10.0.0.2/24
  }
}
vrrp_instance C {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    10.0.0.3/24
  }
}
`;
const K5_EXPECTED = [
  "B and C both use VRID 1 with IPv4 on interface eth0",
];

test('sync groups, owner rules, strict mode, advert rounding, VRID conflicts (k2)', () => {
  const r = load(K2);
  assert.deepEqual(r.set, sorted(K2_EXPECTED));
  assert.equal(r.exit, 6); // the SECURITY VIOLATION is the worst level
  const [v1, v2, v3] = r.config.vrrp.instances;
  assert.equal(v1!.priority, 255); // state MASTER without priority
  assert.equal(v1!.nopreempt, false);
  assert.equal(v1!.preemptDelay, 0);
  assert.equal(v1!.advertInt, 2_000_000);
  assert.equal(v1!.authType, undefined);
  assert.equal(v1!.unicast, false);
  assert.deepEqual(v1!.mcastDstIp, { family: 'inet', address: '224.0.0.19' });
  assert.deepEqual(v1!.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 0]]);
  assert.deepEqual(v1!.trackScripts, []);
  assert.equal(v1!.syncGroup, 'G1');
  assert.equal(v2!.state, 'BACKUP'); // strict: MASTER only for the owner
  assert.equal(v2!.advertInt, 20_000); // v3: centiseconds, rounded
  assert.equal(v2!.garpLowerPrioRepeat, 0);
  assert.equal(v2!.lowerPrioNoAdvert, true);
  assert.equal(v2!.higherPrioSendAdvert, false);
  assert.equal(v2!.downTimerAdverts, 3);
  assert.equal(v2!.accept, true); // configured accept, v3: kept
  assert.equal(v3!.family, 'inet6');
  assert.equal(v3!.version, 3);
  assert.deepEqual(v3!.mcastDstIp, { family: 'inet6', address: 'ff02::12' });
  assert.deepEqual(r.config.vrrp.syncGroups.map((g) => [g.name, g.members]), [['G1', ['VI_1']]]);
});

test('dynamic_interfaces: missing interfaces are accepted (k5)', () => {
  const r = load(K5);
  assert.deepEqual(r.set, sorted(K5_EXPECTED));
  assert.equal(r.exit, 5);
  const a = r.config.vrrp.instances[0]!;
  assert.equal(a.interface, 'eth9');
  assert.equal(a.configFaults, 1); // unicast_fault_no_peer without peers
  assert.deepEqual(a.trackInterfaces.map((t) => t.name), ['eth8']);
});

test('non-existent interface: keepalived stops before completing the instances', () => {
  const r = load(instance('  advert_int 0.5\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n').replace('eth0', 'eth9'));
  assert.deepEqual(r.lines, [at(2, "WARNING - interface eth9 for vrrp_instance X doesn't exist"), 'Non-existent interface specified in configuration']);
  assert.equal(r.diagnostics.list[1]!.level, ConfigErr.BAD_IF);
  assert.equal(r.exit, 5); // the WARNING (a general error) outranks BAD_IF, as in keepalived
  assert.equal(r.config.vrrp.instances[0]!.advertInt, 500_000); // not rounded: validation did not run
});

test('v2 advert_int rounding and defaults', () => {
  const r = load(instance('  advert_int 0.5\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n'));
  assert.deepEqual(r.lines, ['(X) VRRPv2 advertisement interval 0.500000s must be an integer. rounding']);
  const x = r.config.vrrp.instances[0]!;
  assert.equal(x.advertInt, 1_000_000);
  assert.equal(x.priority, 100);
  assert.equal(x.state, 'BACKUP');
  assert.equal(x.version, 2);
  assert.equal(x.family, 'inet');
  assert.equal(x.unicastTtl, 255);
  assert.equal(x.accept, true);
  assert.equal(x.strictMode, false);
  assert.equal(x.garpMasterDelay, 5_000_000);
  assert.equal(x.garpMasterRepeat, 5);
  assert.equal(x.garpLowerPrioDelay, 5_000_000);
  assert.equal(x.garpLowerPrioRepeat, 5);
  assert.equal(x.smtpAlert, false);
  assert.equal(x.vips[0]!.dev, 'eth0');
});

test('priority 255 without state means MASTER', () => {
  const r = load(instance('  priority 255\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n'));
  assert.deepEqual(r.lines, []);
  assert.equal(r.config.vrrp.instances[0]!.state, 'MASTER');
});

test('AH with initial state MASTER (not owner) is cleared; no VIPs is reported twice', () => {
  const r = load(instance('  state MASTER\n  priority 100\n  authentication {\n    auth_type AH\n    auth_pass 123456789\n  }\n'));
  assert.deepEqual(r.set, sorted([
    at(8, 'Truncating auth_pass to 8 characters'),
    '(X) No VIP specified; at least one is sensible',
    '(X) Initial state master is incompatible with AH authentication - clearing',
  ]));
  assert.equal(r.lines.filter((l) => l.includes('at least one is sensible')).length, 2);
  assert.equal(r.config.vrrp.instances[0]!.state, 'BACKUP');
});

test('an instance without interface fails chk_min_cfg even with unicast (observed)', () => {
  const r = load('vrrp_instance Y {\n  unicast_src_ip 10.0.0.1\n  unicast_peer {\n    10.0.0.2\n  }\n  virtual_router_id 6\n  virtual_ipaddress {\n    10.0.0.3/24\n  }\n}\n');
  assert.deepEqual(r.lines, ['(Y) Unknown interface!']);
});

test('VIPs beyond what fits in an advert become eVIPs; IPv6 strict checks', () => {
  const vips = Array.from({ length: 260 }, (_, i) => `    10.1.${Math.floor((i + 1) / 200)}.${((i + 1) % 200) + 1}`).join('\n');
  const text = [
    'global_defs {\n  vrrp_strict\n}',
    'vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 9\n  version 2\n  priority 255\n  virtual_ipaddress {\n    2001:db8::1\n    fe80::1\n  }\n}',
    `vrrp_instance BIG {\n  interface eth2\n  virtual_router_id 11\n  strict_mode off\n  priority 150\n  virtual_ipaddress {\n${vips}\n  }\n}`,
    'vrrp_instance V4 {\n  interface eth1\n  virtual_router_id 10\n}',
  ].join('\n');
  const r = load(text);
  assert.deepEqual(r.set, sorted([
    '(BIG) Number of VIPs (260) exceeds maximum/space available in packet (max 255 addresses) - excess moved to eVIPs',
    '(V4) No VIP specified; at least one is required',
    '(V6) cannot use IPv6 with VRRP version 2; setting version 3',
    '(V6) the first IPv6 VIP address must be link local',
  ]));
  const big = r.config.vrrp.instances[1]!;
  assert.equal(big.vips.length, 255);
  assert.equal(big.evips.length, 5);
  assert.equal(big.accept, true);
  const v6 = r.config.vrrp.instances[0]!;
  assert.equal(v6.version, 3);
  assert.equal(v6.accept, true); // owner
  assert.equal(v6.lowerPrioNoAdvert, true);
});

test('vrrp scripts go through the script security check', () => {
  const r = load(`vrrp_script s {\n  script "/bin/true"\n}\n${instance('  track_script {\n    s\n  }\n  virtual_ipaddress {\n    10.0.0.1\n  }\n')}`);
  assert.deepEqual(r.lines, ['SECURITY VIOLATION - scripts are being executed but script_security not enabled.']);
  assert.equal(r.exit, 6);
  const missing = load(`vrrp_script s {\n  script "/bin/nope"\n}\n${instance('  track_script {\n    s\n  }\n  virtual_ipaddress {\n    10.0.0.1\n  }\n')}`);
  assert.deepEqual(missing.lines, ['Disabling track script s since not found/accessible']);
  assert.deepEqual(missing.config.vrrp.scripts, []);
  assert.deepEqual(missing.config.vrrp.instances[0]!.trackScripts, []);
});

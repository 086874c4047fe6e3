/**
 * VRRP keywords (vrrp_parser.c init_vrrp_keywords) as keepalived 2.2.7 reads them. Each
 * *_EXPECTED list is what `ip netns exec kref keepalived -t -f FILE` printed for that config
 * (the kref namespace has eth0..eth3 and eth0.1; compared as sets, since keepalived prints some
 * lines once per process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const FILE = '/etc/keepalived/keepalived.conf';
const exe = { exists: true, isFile: true, isDirectory: false, mode: 0o100755, uid: 0, gid: 0 };
const dir = { exists: true, isFile: false, isDirectory: true, mode: 0o40755, uid: 0, gid: 0 };
const host = staticHostFacts({
  hostname: 'kref',
  interfaces: [
    { name: 'lo', index: 1, up: true, loopback: true, multicast: false, mtu: 65536, ipv4: ['127.0.0.1'], ipv6: ['::1'] },
    ...['eth0', 'eth1', 'eth2', 'eth3', 'eth0.1'].map((n, i) => ethernetInterface(n, i + 2)),
  ],
  files: { '/': dir, '/bin': dir, '/bin/true': exe, '/bin/false': exe },
});
const at = (line: number, msg: string) => `(${FILE}: Line ${line}) ${msg}`;
function load(text: string) {
  const r = loadConfigText(text, { host });
  const lines = r.diagnostics.list.map(formatDiagnostic);
  return { ...r, lines, set: [...new Set(lines)].sort(), exit: r.diagnostics.exitCode() };
}
const sorted = (l: string[]) => [...new Set(l)].sort();

const K1 = `vrrp_script chk {
  script "/bin/true"
  interval 0
  timeout 2
  weight 300 bogus
  rise 0
  fall 2
}
vrrp_script empty {
  interval 2
}
vrrp_instance VI_1 {
  state MASTER
  state BACKUP
  state FOO
  interface eth0
  virtual_router_id 300
  virtual_router_id 51
  priority 0
  advert_int 0.001
  advert_int 1.5
  unicast_ttl 300
  version 4
  version 3
  garp_master_repeat 0
  garp_master_delay 10
  down_timer_adverts 200
  kernel_rx_buf_size
  smtp_alert maybe
  notify_priority_changes maybe
  strict_mode maybe
  preempt_delay 2000
  debug 9
  mcast_dst_ip 10.0.0.1
  mcast_src_ip 1.2.3
  track_interface {
    eth1 weight 254
    eth1
    eth9
    eth2 wait
    eth3 weight
  }
  track_script {
    chk weight 10 sideways
    nothere
    empty
  }
  virtual_ipaddress {
    10.0.0.1/24 dev eth1 brd + scope link label eth1:1
    10.0.0.2/33 brd -
    10.0.0.3 foo
    10.0.0.4 dev
    fe80::1
    10.0.0.5 peer 10.0.0.6/30 brd 10.0.0.255
    10.0.0.7/31 brd +
    10.0.0.8 label abcdefghijklmnopq
  }
  virtual_ipaddress_excluded {
    fe80::2/64 scope link label x
    2001:db8::1
  }
  unicast_peer {
    10.1.1.1 min_ttl 10 max_ttl 5
    10.1.1.2 min_ttl
    10.1.1.3 foo 3
    fe80::9
    10.1.1.
  }
  authentication {
    auth_type XX
    auth_pass abc
  }
}
`;
const K1_EXPECTED = [
  at(11, "No script set for vrrp_script empty - removing"),
  at(14, "(VI_1) state previously set as MASTER - ignoring BACKUP"),
  at(15, "(VI_1) unknown state 'FOO', defaulting to BACKUP"),
  at(17, "(VI_1): VRID '300' not valid - must be between 1 & 255"),
  at(17, "number '300' outside range [1, 255]"),
  at(19, "(VI_1) Priority not valid! must be between 1 & 255. Using default 100"),
  at(19, "number '0' outside range [1, 255]"),
  at(20, "(VI_1) Advert interval (0.001) not valid! Must be > 0 - ignoring"),
  at(20, "number '0.001' outside range [0.010000, 255.000000]"),
  at(22, "(VI_1): TTL '300' not valid - must be between 0 & 255"),
  at(22, "number '300' outside range [0, 255]"),
  at(23, "(VI_1): Version must be either 2 or 3"),
  at(23, "number '4' outside range [2, 3]"),
  at(25, "(VI_1): garp_master_repeat must be greater than 0, setting to 1"),
  at(27, "(VI_1): Invalid down_timer_adverts [1:100] '200'"),
  at(27, "number '200' outside range [1, 100]"),
  at(28, "(VI_1) invalid kernel_rx_buf_size specified"),
  at(29, "Invalid vrrp_instance smtp_alert parameter maybe"),
  at(3, "(chk): vrrp script interval must be greater than 0, setting to 1"),
  at(30, "(VI_1) Invalid value 'maybe' for notify_priority_changes specified"),
  at(31, "(VI_1) invalid strict_mode maybe specified"),
  at(32, "(VI_1) Preempt_delay not valid! must be between 0-1000"),
  at(32, "number '2000' outside range [0.000000, 1000.000000]"),
  at(33, "(VI_1) Debug value '9' not valid; must be between 0-4"),
  at(33, "number '9' outside range [0, 4]"),
  at(34, "(VI_1) mcast_dst_ip 10.0.0.1 not multicast. Skipping..."),
  at(35, "Configuration error: VRRP instance[VI_1] malformed src address[1.2.3]. Skipping..."),
  at(37, "(VI_1) weight for eth1 cannot be +/-254. Setting to +/-253"),
  at(38, "(VI_1) duplicate track_interface eth1 - ignoring"),
  at(39, "(VI_1) tracked interface eth9 doesn't exist"),
  at(40, "(VI_1) unknown track_interface eth2 option wait - ignoring"),
  at(41, "(VI_1) weight without value specified for track_interface eth3 - ignoring"),
  at(44, "(VI_1) unknown track_script chk weight option sideways - ignoring"),
  at(45, "(VI_1) track script nothere not found, ignoring..."),
  at(46, "(VI_1) track script empty not found, ignoring..."),
  at(5, "number '300' outside range [-253, 253]"),
  at(5, "vrrp_script chk unknown weight option bogus"),
  at(5, "vrrp_script chk weight 300 must be in [-253, 253]"),
  at(50, "Address prefix length 32 too long for broadcast"),
  at(50, "Invalid address prefix len 33 for address 10.0.0.2/33 - using 32"),
  at(50, "number '33' outside range [0, 32]"),
  at(51, "Unknown configuration entry 'foo' for ip address - ignoring"),
  at(52, "No dev parameter specified for 10.0.0.4"),
  at(53, "(VI_1): address family must match VRRP instance [fe80::1] - ignoring"),
  at(54, "Invalid peer address 10.0.0.6/30"),
  at(54, "VRRP parsed invalid IP 10.0.0.6/30. skipping IP..."),
  at(55, "Address prefix length 31 too long for broadcast"),
  at(56, "Address label abcdefghijklmnopq is longer than maximum length 15 - removing address"),
  at(59, "Cannot specify label for IPv6 addresses (fe80::2/64) - ignoring label"),
  at(59, "Cannot specify scope for IPv6 addresses (fe80::2/64) - ignoring scope"),
  at(6, "(chk): vrrp script rise value '0' invalid, defaulting to 1"),
  at(6, "number '0' outside range [1, 2147483647]"),
  at(63, "(VI_1) min_ttl 10 > max_ttl 5 - all packets will be discarded"),
  at(64, "(VI_1) min_ttl is missing a value"),
  at(65, "(VI_1) unknown unicast_peer option foo"),
  at(66, "Configuration error: VRRP instance[VI_1] and unicast peer address[fe80::9] MUST be of the same family !!! Skipping..."),
  at(67, "Configuration error: VRRP instance[VI_1] malformed unicast peer address[10.1.1.]. Skipping..."),
  at(70, "(VI_1) unknown authentication type 'XX'"),
  "Non-existent interface specified in configuration",
];

const K3 = `track_group TG {
  group {
    VI_1
  }
}
track_group TG {
}
track_group {
}
static_ipaddress {
  192.168.1.1/24 track_group TG
  192.168.1.2/24 dev eth1 track_group TG
  192.168.1.3/24 dev eth1 track_group NOPE
}
static_routes {
  10.5.0.0/16 via 192.168.1.254 dev eth1 track_group TG
  10.6.0.0/16 dev eth1 metric abc
  10.7.0.0/16 dev eth1 table nosuch
  10.8.0.0/16 dev eth1 protocol static
  10.9.0.0/16 dev eth1 mtu lock 1400 rtt 10ms onlink
  unreachable 10.10.0.0/16 dev eth1 no_track
  10.11.0.0/16 dev eth1 nexthop via 192.168.1.1 dev eth1 weight 2 nexthop via 192.168.1.2 weight 0
  10.12.0.0/16 dev eth1 trailing
  via 192.168.1.1 dev eth1
  fe80::/64 via 10.0.0.1 dev eth1
}
static_rules {
  from 10.0.0.0/8 table 100 priority 10 goto 5
  from 10.0.0.0/8 priority 10 goto 50
  from 10.0.0.0/8 table 100 nop
  from 10.0.0.0/8 fwmark 0x10/0xff table main
  from 10.0.0.0/8 fwmark 0x10/-1 table main
  to 10.0.0.0/8 realms 3 blackhole priority 4
  from fe80::/64 table 3
  from fe80::/64 table 0 priority 4
  from 10.0.0.0/8 iif eth1 table 3 priority 5 protocol 4 track_group TG
  not from 10.0.0.0/8 uidrange 10-20 sport 5 dport 8-9 ipproto tcp table 3 priority 6
  from 10.0.0.0/8 oif eth9 table 3 priority 7
}
garp_group {
  garp_interval 0.002
  interface eth0
}
garp_group {
  interfaces {
    eth1
    eth0
    eth2
  }
}
garp_group {
  gna_interval 1.5
  interfaces {
    eth2
    eth3
  }
}
interface_up_down_delays {
  eth0 1.5 2
  eth1
  eth7 2
}
linkbeat_interfaces {
  eth0 MII
  eth1 FOO
  eth6
}
vrrp_track_process P {
  process sshd -D
  weight 10 reverse
  weight 5
  quorum 3
  quorum_max 2
  delay 0
  fork_delay 2
}
vrrp_track_process Q {
  weight 300
}
vrrp_sync_group SG {
  group {
    VI_1
    VI_2
  }
  notify_master "/bin/true"
  notify_master "/bin/true"
  smtp_alert maybe
  global_tracking
  track_process {
    P weight 1
    Q
  }
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  use_vmac vrrp51 00:11:22:33:44
  use_vmac_addr
  unicast_ttl 5
  lvs_sync_daemon_interface eth1
  garp_extra_if all 5
  vmac_garp_intvl 3
  notify_deleted
  notify_deleted
  notify_master "/bin/true"
  notify_master "/bin/false"
  virtual_ipaddress {
    10.0.0.1/24
  }
  virtual_routes {
    10.20.0.0/16 via 10.0.0.254 dev eth0 or 10.0.0.253
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  lvs_sync_daemon_interface eth2
  use_vmac foo:bar
  use_vmac 01:00:5e:00:01:02
  version 2
  native_ipv6
  virtual_ipaddress {
    10.0.0.2/24
  }
  virtual_rules {
    to 10.21.0.0/16 table 5
  }
}
vrrp_instance VI_2 {
}
vrrp_instance {
}
`;
const K3_EXPECTED = [
  at(100, "        Please use global lvs_sync_daemon"),
  at(100, "(VI_1) Specifying lvs_sync_daemon_interface against a vrrp is deprecated."),
  at(102, "Keyword \"vmac_garp_intvl\" is deprecated - please use \"garp_extra_if\""),
  at(104, "(VI_1) notify_deleted already specified - ignoring "),
  at(106, "(VI_1) notify_master script already specified - ignoring /bin/false"),
  at(111, "\"or\" for routes is deprecated. Please use \"nexthop\""),
  at(113, "(VI_1): Cannot use unicast_ttl without unicast peers - resetting"),
  at(117, "        Please use global lvs_sync_daemon"),
  at(117, "(VI_2) Specifying lvs_sync_daemon_interface against a vrrp is deprecated."),
  at(117, "(VI_2) lvs_sync_daemon_interface has already been specified as eth1 - ignoring"),
  at(118, "VMAC invalid MAC address foo:bar"),
  at(119, "VMAC MAC address is multicast 01:00:5e:00:01:02 - ignoring"),
  at(123, "(VI_2): address family must match VRRP instance [10.0.0.2/24] - ignoring"),
  at(126, "Rule has no preference specified - setting to 16383. This is probably not what you want."),
  at(129, "vrrp instance VI_2 already defined"),
  at(13, "track_group NOPE not found"),
  at(131, "vrrp_instance must have a name"),
  at(17, "Invalid metric abc specified for route"),
  at(17, "invalid number 'abc'"),
  at(18, "Routing table nosuch not found for route"),
  at(19, "Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol"),
  at(22, "Invalid weight 0 specified for route"),
  at(23, "VRRP parsed invalid IP trailing. skipping IP..."),
  at(23, "unknown route keyword trailing"),
  at(24, "Route must have a destination"),
  at(25, "Cannot mix IPv4 and IPv6 addresses for route"),
  at(28, "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule"),
  at(30, "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule"),
  at(31, "Rule has no preference specified - setting to 16384. This is probably not what you want."),
  at(32, "Invalid rule fwmark 0x10/-1 specified"),
  at(33, "suppressor/realm specified for non table action - skipping"),
  at(34, "Rule has no preference specified - setting to 16384. This is probably not what you want."),
  at(35, "Table 0 is not valid"),
  at(36, "Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol"),
  at(37, "invalid sport range 5"),
  at(38, "WARNING - interface eth9 for rule doesn't exist"),
  at(49, "garp_group already specified for eth0 - ignoring"),
  at(50, "garp group 1 does not have any delay set - removing"),
  at(6, "track_group TG already defined"),
  at(61, "unknown interface eth7 specified for up/down delay"),
  at(65, "extra characters FOO in linkbeat interface"),
  at(66, "unknown interface eth6 specified for linkbeat interface"),
  at(71, "Weight already set for track process P - ignoring 5"),
  at(73, "quorum_max is less than quorum - ignoring"),
  at(74, "delay (0) for vrrp_track_process P must be between [0.000001..3600] inclusive. Ignoring..."),
  at(74, "number '0' outside range [0.000001, 3600.000000]"),
  at(78, "Weight (300) for vrrp_track_process Q must be between [-254..254] inclusive. Ignoring..."),
  at(78, "number '300' outside range [-254, 254]"),
  at(79, "track process 'Q' process name not specified"),
  at(8, "track_group must have a name - skipping"),
  at(86, "vrrp group SG: notify_master script already specified - ignoring /bin/true"),
  at(87, "Invalid vrrp_group smtp_alert parameter maybe"),
  at(88, "(SG) global_tracking is deprecated. Use track_interface/script/file on the sync group"),
  at(91, "(SG) track process Q not found, ignoring..."),
  "Non-existent interface specified in configuration",
];


test('vrrp_instance / vrrp_script keyword diagnostics match keepalived (k1)', () => {
  const r = load(K1);
  assert.deepEqual(r.set, sorted(K1_EXPECTED));
  assert.equal(r.exit, 5);
});

test('static_*, track_group, garp_group, linkbeat, up/down delays, track_process, sync group (k3)', () => {
  const r = load(K3);
  assert.deepEqual(r.set, sorted(K3_EXPECTED));
  assert.equal(r.exit, 5);
});

test('k1 model: what keepalived keeps after the errors', () => {
  const { config } = load(K1);
  const v = config.vrrp;
  assert.deepEqual(v.scripts.map((s) => s.name), ['chk']);
  const chk = v.scripts[0]!;
  assert.deepEqual(chk.script?.argv, ['/bin/true']);
  assert.equal(chk.interval, 1_000_000); // interval 0 → 1
  assert.equal(chk.timeout, 2_000_000);
  assert.equal(chk.weight, 300); // keepalived stores the out-of-range value it read
  assert.equal(chk.rise, 1);
  assert.equal(chk.fall, 2);
  const i = v.instances[0]!;
  assert.equal(i.name, 'VI_1');
  assert.equal(i.interface, 'eth0');
  assert.equal(i.vrid, 51);
  assert.equal(i.priority, 100); // invalid priority → default 100
  assert.equal(i.advertInt, 1_500_000);
  assert.equal(i.version, 3);
  assert.equal(i.garpMasterRepeat, 1);
  assert.equal(i.garpMasterDelay, 10_000_000);
  assert.equal(i.state, 'BACKUP'); // "unknown state 'FOO', defaulting to BACKUP"
  assert.deepEqual(i.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 253]]);
  assert.deepEqual(i.trackScripts.map((t) => [t.name, t.weight, t.reverse]), [['chk', 10, false]]);
  assert.deepEqual(i.vips.map((a) => `${a.address}/${a.prefixLen}`), ['10.0.0.1/24', '10.0.0.2/32', '10.0.0.3/32', '10.0.0.5/32', '10.0.0.7/31']);
  const a1 = i.vips[0]!;
  assert.equal(a1.dev, 'eth1');
  assert.equal(a1.broadcast, '10.0.0.255');
  assert.equal(a1.scope, 253);
  assert.equal(a1.label, 'eth1:1');
  assert.equal(i.vips[3]!.broadcast, '10.0.0.255');
  assert.deepEqual(i.evips.map((a) => [a.address, a.prefixLen, a.scope, a.label, a.preferredLft]), [
    ['fe80::2', 64, 0, undefined, 0xffffffff],
    ['2001:db8::1', 128, 0, undefined, 0],
  ]);
  assert.deepEqual(i.unicastPeers.map((p) => [p.address, p.minTtl, p.maxTtl]), [
    ['10.1.1.1', 10, 5],
    ['10.1.1.2', 0, 255],
    ['10.1.1.3', 0, 255],
  ]);
  assert.equal(i.checkUnicastSrc, true);
  assert.equal(i.authType, undefined);
  assert.deepEqual([...i.authPass!], [0x61, 0x62, 0x63, 0, 0, 0, 0, 0]);
  assert.deepEqual(v.missingInterfaces, ['eth9']);
});

test('k3 model: static entries, groups, processes', () => {
  const { config } = load(K3);
  const v = config.vrrp;
  assert.deepEqual(v.trackGroups.map((g) => [g.name, g.group]), [['TG', ['VI_1']]]);
  assert.deepEqual(v.staticAddresses.map((a) => [a.address, a.dev, a.trackGroup]), [
    ['192.168.1.1', 'eth0', 'TG'], // no dev: the default interface (eth0)
    ['192.168.1.2', 'eth1', 'TG'],
    ['192.168.1.3', 'eth1', undefined],
  ]);
  const routes = v.staticRoutes;
  assert.deepEqual(routes.map((r) => r.dst.text), ['10.5.0.0/16', '10.8.0.0/16', '10.9.0.0/16', '10.10.0.0/16', '10.11.0.0/16']);
  assert.equal(routes[0]!.trackGroup, 'TG');
  assert.equal(routes[1]!.protocol, 18);
  assert.deepEqual(routes[2]!.locked, ['mtu']);
  assert.equal(routes[2]!.mtu, 1400);
  assert.equal(routes[2]!.rtt, 200 * 8); // 10ms is below the kernel minimum: 200 ms, in 1/8 ms
  assert.equal(routes[2]!.onlink, true);
  assert.equal(routes[3]!.type, 7);
  assert.equal(routes[3]!.noTrack, true);
  assert.deepEqual(routes[4]!.nexthops.map((h) => [h.via?.address, h.dev, h.weight]), [['192.168.1.1', 'eth1', 2]]);
  const rules = v.staticRules;
  assert.deepEqual(rules.map((r) => [r.action, r.priority, r.priorityDefaulted]), [
    ['goto', 10, false],
    ['table', 16384, true],
    ['table', 16384, true], // IPv6 has its own counter
    ['table', 5, false],
    ['table', 6, false],
  ]);
  assert.deepEqual([rules[1]!.fwmark, rules[1]!.fwmask, rules[1]!.table], [16, 255, 254]);
  assert.equal(rules[2]!.family, 'inet6');
  assert.equal(rules[3]!.protocol, 18); // reset for tracking
  assert.equal(rules[3]!.trackGroup, 'TG');
  assert.deepEqual([rules[4]!.not, rules[4]!.uidRange, rules[4]!.sport, rules[4]!.dport, rules[4]!.ipProto], [true, { start: 10, end: 20 }, undefined, { start: 8, end: 9 }, 6]);
  assert.deepEqual(v.garpGroups.map((g) => [g.garpInterval, g.gnaInterval, g.interfaces, g.aggregationGroup]), [
    [2000, undefined, ['eth0'], 0],
    [undefined, 1_500_000, ['eth2', 'eth3'], 1],
  ]);
  assert.deepEqual(v.interfaceUpDownDelays.map((d) => [d.name, d.downDelay, d.upDelay]), [['eth0', 1_500_000, 2_000_000]]);
  assert.deepEqual(v.linkbeatInterfaces.map((l) => [l.name, l.type]), [['eth0', 'MII'], ['eth1', undefined]]);
  assert.deepEqual(v.trackProcesses.map((p) => [p.name, p.process, p.params, p.paramMatch, p.weight, p.reverse, p.quorum, p.forkDelay]), [
    ['P', 'sshd', ['-D'], 'exact', 10, true, 3, 2_000_000],
  ]);
  const sg = v.syncGroups[0]!;
  assert.deepEqual(sg.group, ['VI_1', 'VI_2']);
  assert.equal(sg.trackingWeight, true);
  assert.deepEqual(sg.trackProcesses.map((t) => [t.name, t.weight]), [['P', 1]]);
  const [i1, i2] = v.instances;
  assert.deepEqual(i1!.useVmac, { ifname: 'vrrp51', mac: '00:11:22:33:44' });
  assert.equal(i1!.unicastTtl, 0);
  assert.deepEqual(i1!.garpExtraIf, { interval: 3, all: true });
  assert.equal(i1!.notifyDeleted, true);
  assert.deepEqual(i1!.notifyMaster?.argv, ['/bin/true']);
  assert.deepEqual(i1!.virtualRoutes[0]!.nexthops.map((h) => h.via?.address), ['10.0.0.254', '10.0.0.253']);
  assert.equal(config.global.lvsSyncDaemon?.interface, 'eth1');
  assert.equal(config.global.lvsSyncDaemon?.vrrpInstance, 'VI_1');
  assert.equal(i2!.family, 'inet6');
  assert.equal(i2!.version, 3);
  assert.deepEqual(i2!.vips, []);
  assert.deepEqual(v.instances.map((i) => i.name), ['VI_1', 'VI_2']);
});

test('inet/inet6 make keepalived skip the next word of a route or rule (observed)', () => {
  const r = load(
    [
      'vrrp_instance X {', //                                   1
      '  interface eth0', //                                    2
      '  virtual_router_id 5', //                               3
      '  virtual_ipaddress {', //                               4
      '    10.0.0.1/24', //                                     5
      '  }', //                                                 6
      '  virtual_routes {', //                                  7
      '    inet6 default via fe80::1 dev eth0', //              8
      '    default via 10.0.0.254 dev eth0', //                 9
      '    src 10.0.0.1 default via 10.0.0.254 dev eth0', //   10
      '  }', //                                                11
      '  virtual_rules {', //                                  12
      '    from 10.0.0.1 table 100 priority 3', //             13
      '    from all to 10.2.0.0/16 lookup main', //            14
      '    inet6 from all table 4', //                         15
      '  }', //                                                16
      '}', //                                                  17
    ].join('\n'),
  );
  assert.deepEqual(r.set, sorted([
    at(8, 'Route must have a destination'),
    at(10, 'Cannot mix IPv4 and IPv6 addresses for route (default)'),
    at(14, 'Rule has no preference specified - setting to 16384. This is probably not what you want.'),
    at(15, 'Unknown rule option all'),
  ]));
  const i = r.config.vrrp.instances[0]!;
  assert.deepEqual(i.virtualRoutes.map((x) => [x.dst.family, x.dst.address, x.via?.address]), [['inet', undefined, '10.0.0.254']]);
});

test('a missing parameter aborts the parse (strvec_slot)', () => {
  const r = load('vrrp_instance X {\n  interface eth0\n  virtual_router_id\n}\n');
  assert.equal(r.exit, 2);
  assert.deepEqual(r.lines, [at(3, '*** Configuration line starting `virtual_router_id` is missing a parameter after keyword `virtual_router_id` at word position 2')]);
});

test('auth_pass: 8 bytes, zero padded, as on the wire', () => {
  const r = load('vrrp_instance X {\n  interface eth0\n  virtual_router_id 5\n  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n');
  assert.deepEqual(r.set, [at(6, 'Truncating auth_pass to 8 characters')]);
  const i = r.config.vrrp.instances[0]!;
  assert.equal(i.authType, 'PASS');
  assert.equal(Buffer.from(i.authPass!).toString(), '12345678');
});

test('every vrrp keyword carries docs metadata', async () => {
  const { vrrpRootKeywords } = await import('../../src/config/keywords/vrrp.js');
  const walk = (defs: readonly { name: string; summary?: string; support?: string; sub?: readonly unknown[] }[], path: string): string[] =>
    defs.flatMap((d) => [
      ...(d.summary && d.support !== undefined ? [] : [`${path}${d.name}`]),
      ...(d.sub ? walk(d.sub as typeof defs, `${path}${d.name}.`) : []),
    ]);
  assert.deepEqual(walk(vrrpRootKeywords, ''), []);
});

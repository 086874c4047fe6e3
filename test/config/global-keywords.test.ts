/**
 * global_defs, the root-level global keywords and track_file, as keepalived 2.2.7 reads them.
 * Expected messages were observed with `keepalived -t` (2.2.7, Debian 12 build) unless noted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { staticHostFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const FILE = '/etc/keepalived/keepalived.conf';
const host = staticHostFacts({
  hostname: 'lb1.example.com',
  users: [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'nobody', uid: 65534, gid: 65534 },
  ],
  groups: [
    { name: 'root', gid: 0 },
    { name: 'nogroup', gid: 65534 },
  ],
});

function load(text: string) {
  const r = loadConfigText(text, { host });
  return { ...r, lines: r.diagnostics.list.map(formatDiagnostic), exit: r.diagnostics.exitCode() };
}
const at = (line: number, msg: string) => `(${FILE}: Line ${line}) ${msg}`;

test('defaults without global_defs (alloc_global_data + init_global_data)', () => {
  const { config, lines, exit } = load('');
  const g = config.global;
  assert.deepEqual(lines, []);
  assert.equal(exit, 0);
  assert.equal(g.routerId, 'lb1.example.com');
  assert.equal(g.vrrpMcastGroup4, '224.0.0.18');
  assert.equal(g.vrrpMcastGroup6, 'ff02::12');
  assert.equal(g.vrrpGarpMasterDelay, 5_000_000);
  assert.equal(g.vrrpGarpMasterRepeat, 5);
  assert.equal(g.vrrpGarpMasterRefreshRepeat, 1);
  assert.equal(g.vrrpDownTimerAdverts, 3);
  assert.equal(g.vrrpVersion, 2);
  assert.equal(g.notificationEmailFrom, undefined, 'only defaulted with an smtp_server');
  assert.equal(g.smtpConnectTimeout, 0);
  assert.equal(g.vrrpProcess.rlimitRttime, 10000);
  assert.equal(g.minAutoPriorityDelay, 1_000_000);
  assert.equal(g.vrrpRxBufsMultiplier, 3);
  assert.deepEqual(g.trackFiles, []);
});

test('smtp_server resolves email_from, helo name and connect timeout', () => {
  const { config, lines } = load('global_defs {\n  smtp_server 10.1.1.1 30\n  router_id LB_A\n  notification_email {\n    a@x\n    b@y\n  }\n}\n');
  const g = config.global;
  assert.deepEqual(lines, []);
  assert.deepEqual(g.smtpServer, { host: '10.1.1.1', port: '30', isAddress: true });
  assert.equal(g.notificationEmailFrom, 'root@lb1.example.com');
  assert.equal(g.smtpHeloName, 'lb1.example.com');
  assert.equal(g.smtpConnectTimeout, 30_000_000);
  assert.equal(g.routerId, 'LB_A');
  assert.deepEqual(g.notificationEmail, ['a@x', 'b@y']);
});

test('per-keyword diagnostics (observed with keepalived -t)', () => {
  const text = [
    'global_defs {', //                                1
    '  vrrp_garp_interval 0', //                       2
    '  vrrp_gna_interval 0.0000001', //                3
    '  smtp_connect_timeout 0', //                     4
    '  vrrp_garp_master_repeat 0', //                  5
    '  vrrp_mcast_group4 ff02::1', //                  6
    '  vrrp_mcast_group6 ff05::12', //                 7
    '  vrrp_mcast_group4 10.0.0.1', //                 8
    '  process_name abcdefghijklmnopqrstu', //         9
    '  vrrp_rt_priority 200', //                      10
    '  vrrp_rt_priority 0', //                        11
    '  vrrp_priority 30', //                          12
    '  max_auto_priority 200', //                     13
    '  vrrp_rlimit_rtime 0', //                       14
    '  umask 0777x', //                               15
    '  umask IRUSR | IWOTH', //                       16
    '  umask IRUSR IWOTH', //                         17
    '  umask IFOO', //                                18
    '  vrrp_garp_extra_if all', //                    19
    '  vrrp_rx_bufs_policy MTU ADVERT', //            20
    '  lvs_timeouts tcp 10 udp', //                   21
    '  include_check read +foo', //                   22
    '  include_check -read read', //                  23
    '  child_wait_time 5', //                         24
    '  random_seed -1', //                            25
    '  nftables_priority x', //                       26
    '  snmp_socket a b', //                           27
    '  reload_time_file a b', //                      28
    '  tmp_config_directory', //                      29
    '  startup_script_timeout 0', //                  30
    '  startup_script /bin/true', //                  31
    '  startup_script /bin/true', //                  32
    '  vrrp_version 1', //                            33
    '  smtp_alert 1', //                              34
    '  data_use_instance 1', //                       35
    '  vrrp_vmac_garp_intvl 10', //                   36
    '  vrrp_ipsets a', //                             37
    '  vrrp_iptables', //                             38
    '  dynamic_interfaces 1', //                      39
    '}',
    '',
  ].join('\n');
  const { lines, config } = load(text);
  const expected = [
    at(2, "number '0' outside range [0.000001, 4294.967295]"),
    at(2, "vrrp_garp_interval '0' is invalid"),
    at(3, "number '0.0000001' has too many decimal places"),
    at(3, "number '0.0000001' outside range [0.000001, 4294.967295]"),
    at(3, "vrrp_gna_interval '0.0000001' is invalid"),
    at(4, 'smtp_conect_timeout must be greater than 0, setting to 1'),
    at(5, 'vrrp_garp_master_repeat must be greater than 0, setting to 1'),
    at(6, 'vrrp_mcast_group4 [ff02::1] is not IPv4. Skipping'),
    at(7, 'vrrp_mcast_group6 [ff05::12] should be link-local multicast.'),
    at(8, 'vrrp_mcast_group4 [10.0.0.1] is not multicast. Skipping'),
    at(9, 'Process name abcdefghijklmnopqrstu more than 15 characters, truncating'),
    at(10, 'vrrp process real-time priority 200 greater than maximum 99 - setting to maximum'),
    at(11, 'vrrp process real-time priority 0 less than minimum 1 - setting to minimum'),
    at(12, "number '30' outside range [-20, 19]"),
    at(12, 'Invalid vrrp process priority specified'),
    at(13, "number '200' outside range [-1, 99]"),
    at(13, "max_auto_priority '200' must be in [0, 99] (or -1 to disable) - ignoring"),
    at(14, "number '0' outside range [1, 4294967295]"),
    at(14, 'Invalid vrrp real-time limit - 0'),
    at(15, 'invalid umask value 0777x'),
    at(17, 'Invalid umask syntax IWOTH'),
    at(18, 'Unknown umask bit IFOO'),
    at(19, 'vrrp_garp_extra_if specified without time - ignoring'),
    at(20, 'Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT'),
    at(21, 'No value specified for lvs_timeout udp - ignoring'),
    at(22, "Unknown include_check type 'foo' - ignoring"),
    at(23, "Duplicate include_check 'read' specified - ignoring"),
    at(24, "Unknown keyword 'child_wait_time'"),
    at(25, "negative number '-1'"),
    at(25, 'random_seed -1 invalid'),
    at(26, "invalid number 'x'"),
    at(26, "invalid nftables chain priority 'x'"),
    at(27, 'Too many parameters specified for snmp_socket - ignoring'),
    at(28, 'reload_time_file invalid'),
    at(29, 'tmp_config_directory missing directory name'),
    at(30, "number '0' outside range [1, 1000]"),
    at(30, "startup_script_timeout '0' must be in [1, 1000] - ignoring"),
    at(32, 'startup script already specified'),
    at(33, "number '1' outside range [2, 3]"),
    at(33, 'VRRP Error: Version must be either 2 or 3'),
    at(34, "Invalid value '1' for global smtp_alert specified"),
    at(35, "Invalid value '1' for global date_use_instance specified"),
    at(36, 'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"'),
    at(37, "Unknown keyword 'vrrp_ipsets'"),
    at(38, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option"),
    at(39, "Unknown dynamic_interfaces option '1'"),
    // the parent's check of /bin/true (no host file facts here: not found, so not a script)
  ];
  assert.deepEqual(new Set(lines), new Set(expected));
  const g = config.global;
  assert.equal(g.processName, 'abcdefghijklmno');
  assert.equal(g.vrrpProcess.rtPriority, 1);
  assert.equal(g.smtpConnectTimeout, 1_000_000);
  assert.equal(g.vrrpGarpMasterRepeat, 1);
  assert.equal(g.vrrpMcastGroup6, 'ff05::12');
  assert.equal(g.vrrpMcastGroup4, '224.0.0.18');
  assert.equal(g.umask, 0o402);
  assert.deepEqual(g.vrrpRxBufsPolicy, { mtu: true, advert: false, size: undefined });
  assert.equal(g.includeCheck, 0, '-read cleared read (from 0), then the plain word after it was a duplicate');
  assert.equal(g.nftables, 'keepalived');
  assert.equal(g.dynamicInterfaces, true);
});

test('lvs_sync_daemon options', () => {
  const { lines, config } = load('global_defs {\n  lvs_sync_daemon eth0 inst VI_1 id 300 maxlen 0 port 1 ttl 0 group 10.0.0.1 foo\n}\n');
  assert.deepEqual(new Set(lines), new Set([
    at(2, "number '300' outside range [0, 255]"),
    at(2, 'Invalid syncid (300) - defaulting to vrid'),
    at(2, "number '0' outside range [1, 65507]"),
    at(2, 'Invalid lvs_sync_daemon maxlen (0) - ignoring'),
    at(2, "number '0' outside range [1, 255]"),
    at(2, 'Invalid lvs_sync_daemon ttl (0) - ignoring'),
    at(2, 'lvs_sync_daemon group address 10.0.0.1 is not multicast - ignoring'),
    at(2, 'Unknown option foo specified for lvs_sync_daemon'),
  ]));
  const sd = config.global.lvsSyncDaemon!;
  assert.equal(sd.interface, 'eth0');
  assert.equal(sd.vrrpInstance, 'VI_1');
  assert.equal(sd.port, 1);
  assert.equal(sd.syncId, undefined);
});

test('root-level keywords: net_namespace, instance, use_pid_dir, child_wait_time, linkbeat_use_polling', () => {
  const { lines, config } = load('net_namespace ns1\nnet_namespace ns2\ninstance i1\nchild_wait_time 7\nlinkbeat_use_polling\nnet_namespace_ipvs\nreload_file\n');
  // reload_file is a global_defs keyword: unknown at the root
  assert.deepEqual(lines, [at(2, 'Duplicate net_namespace definition ns2 - ignoring'), at(7, "Unknown keyword 'reload_file'")]);
  const g = config.global;
  assert.equal(g.netNamespace, 'ns1');
  assert.equal(g.instanceName, 'i1');
  assert.equal(g.usePidDir, true);
  assert.equal(g.childWaitTime, 7);
  assert.equal(g.linkbeatUsePolling, true);
  assert.equal(g.netNamespaceIpvs, '');
});

test('reload_file default depends on instance', () => {
  const { config } = load('instance i1\nglobal_defs {\n  reload_file\n}\n');
  assert.equal(config.global.reloadFile, '/run/keepalived/keepalived_i1.reload');
});

test('keywords added after 2.2.7 stay unknown', () => {
  const { lines, exit } = load('global_defs {\n  json_version 2\n  vrrp_owner_ignore_adverts\n  use_symlink_paths\n}\n');
  assert.deepEqual(lines, [
    at(2, "Unknown keyword 'json_version'"),
    at(3, "Unknown keyword 'vrrp_owner_ignore_adverts'"),
    at(4, "Unknown keyword 'use_symlink_paths'"),
  ]);
  assert.equal(exit, 5);
});

test('process_names, fifos with users', () => {
  const { lines, config } = load('global_defs {\n  process_names\n  notify_fifo /tmp/x nobody nogroup\n  notify_fifo /tmp/y\n  vrrp_notify_fifo /tmp/v\n}\n');
  assert.deepEqual(lines, [at(4, 'notify_fifo already specified - ignoring /tmp/y')]);
  const g = config.global;
  assert.equal(g.vrrpProcessName, 'keepalived_vrrp');
  assert.equal(g.checkerProcessName, 'keepalived_lvs');
  assert.deepEqual([g.notifyFifo.name, g.notifyFifo.uid, g.notifyFifo.gid], ['/tmp/x', 65534, 65534]);
  assert.deepEqual([g.vrrpNotifyFifo.name, g.vrrpNotifyFifo.user, g.vrrpNotifyFifo.uid], ['/tmp/v', 'root', 0]);
});

test('include_check and random_seed reach the line reader values', () => {
  const { config } = load('global_defs {\n  include_check\n  random_seed 42\n}\n');
  assert.equal(config.global.includeCheck, 15);
  assert.equal(config.global.randomSeed, 42);
});

test('track_file and vrrp_track_file', () => {
  const text = [
    'track_file tf1 {', //                   1
    '  file /var/run/tf1', //                2
    '  weight 300', //                       3
    '  weight -5 reverse', //                4
    '  init_file 500 overwrite', //          5
    '}', //                                  6
    'vrrp_track_file tf2 {', //              7
    '  weight 2 foo', //                     8
    '  weight 3', //                         9
    '  init_file x', //                     10
    '}', //                                 11
    '',
  ].join('\n');
  const { lines, config } = load(text);
  assert.deepEqual(new Set(lines), new Set([
    at(3, "number '300' outside range [-254, 254]"),
    at(3, 'Weight (300) for track_file tf1 must be between [-254..254] inclusive. Ignoring...'),
    at(5, 'Track file tf1 init value 500 is outside sensible range [-254, 254]'),
    at(8, 'track_file tf2 unknown weight option foo'),
    at(9, 'Weight already set for track file tf2 - ignoring 3'),
    at(10, 'Unknown track file init option x'),
    at(11, 'No file set for track_file tf2 - ignoring'),
  ]));
  // weight 300 was reset to 1, so "weight -5" is accepted (keepalived checks weight != 1)
  assert.equal(config.global.trackFiles.length, 1);
  const tf = config.global.trackFiles[0]!;
  assert.equal(tf.name, 'tf1');
  assert.equal(tf.filePath, '/var/run/tf1');
  assert.equal(tf.weight, -5);
  assert.equal(tf.weightReverse, true);
  assert.deepEqual(tf.init, { mode: 'overwrite', value: 500 });
});

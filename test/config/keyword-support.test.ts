/**
 * Which keywords keepalived-ts acts on ('supported') is a promise to users (docs/keywords.md), so
 * the list is pinned here: marking a keyword supported, or dropping one, must be a deliberate
 * change of this file. Each entry was checked against the code outside src/config/ that reads the
 * model field its handler writes (src/vrrp, src/daemon, src/check, src/lvs, src/dataplane,
 * src/platform); a field that is only validated, dumped or shown by status does not count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allKeywordEntries } from '../../src/config/keyword-docs.js';

/** Supported keywords by block path ('' is the top level), in table order. */
const SUPPORTED: Readonly<Record<string, readonly string[]>> = {
  '': [
    'global_defs', 'vrrp_sync_group', 'garp_group', 'vrrp_instance', 'vrrp_script', 'vrrp_track_process',
    'virtual_server_group', 'virtual_server', 'track_file', 'vrrp_track_file',
  ],
  'global_defs': [
    'checker_log_all_failures', 'vrrp_mcast_group4', 'vrrp_mcast_group6', 'vrrp_garp_master_delay',
    'vrrp_garp_master_repeat', 'vrrp_garp_master_refresh', 'vrrp_garp_master_refresh_repeat',
    'vrrp_garp_lower_prio_delay', 'vrrp_garp_lower_prio_repeat', 'vrrp_down_timer_adverts',
    'vrrp_garp_interval', 'vrrp_gna_interval', 'vrrp_min_garp', 'vrrp_lower_prio_no_advert',
    'vrrp_higher_prio_send_advert', 'vrrp_version', 'nftables', 'nftables_priority',
    'vrrp_check_unicast_src', 'vrrp_skip_check_adv_addr', 'vrrp_strict', 'notify_fifo',
    'notify_fifo_script', 'vrrp_notify_fifo', 'vrrp_notify_fifo_script', 'vrrp_notify_priority_changes',
    'lvs_notify_fifo', 'lvs_notify_fifo_script', 'script_user', 'enable_script_security',
    'rs_init_notifies', 'vrrp_startup_delay', 'random_seed', 'include_check',
    'vip_conflict_probe_interval',
    // keepalived-ts extensions: the split-brain witness
    'witness', 'witness_secret', 'witness_lease', 'vote_peers',
  ],
  'vrrp_sync_group': [
    'group', 'track_interface', 'track_script', 'track_file', 'track_process', 'notify_backup',
    'notify_master', 'notify_fault', 'notify_stop', 'notify', 'global_tracking',
    'sync_group_tracking_weight', 'notify_priority_changes',
  ],
  'garp_group': ['garp_interval', 'gna_interval', 'interface', 'interfaces'],
  'vrrp_instance': [
    'unicast_peer', 'heartbeat_paths', 'unicast_fault_no_peer', 'check_unicast_src', 'old_unicast_checksum', 'native_ipv6',
    'state', 'interface', 'dont_track_primary', 'track_interface', 'track_script', 'track_file',
    'track_process', 'mcast_src_ip', 'unicast_src_ip', 'mcast_dst_ip', 'virtual_router_id',
    'unicast_ttl', 'version', 'priority', 'advert_int', 'virtual_ipaddress',
    'virtual_ipaddress_excluded', 'virtual_routes', 'virtual_rules', 'accept', 'no_accept',
    'skip_check_adv_addr', 'strict_mode', 'preempt', 'nopreempt', 'preempt_delay', 'notify_backup',
    'notify_master', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify',
    'notify_master_rx_lower_pri', 'notify_priority_changes', 'garp_master_delay', 'garp_master_refresh',
    'garp_master_repeat', 'garp_master_refresh_repeat', 'garp_lower_prio_delay',
    'garp_lower_prio_repeat', 'down_timer_adverts', 'lower_prio_no_advert', 'higher_prio_send_advert',
    'authentication',
  ],
  'vrrp_instance > authentication': ['auth_type', 'auth_pass'],
  'vrrp_script': ['script', 'interval', 'timeout', 'weight', 'rise', 'fall', 'user', 'init_fail'],
  'vrrp_track_process': [
    'process', 'param_match', 'weight', 'quorum', 'quorum_max', 'delay', 'terminate_delay', 'fork_delay',
    'full_command',
  ],
  'virtual_server': [
    'retry', 'delay_before_retry', 'warmup', 'connect_timeout', 'delay_loop', 'inhibit_on_failure',
    'lb_algo', 'lvs_sched', 'flag-1', 'flag-2', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback',
    'persistence_timeout', 'persistence_granularity', 'protocol', 'ha_suspend', 'virtualhost', 'alpha',
    'omega', 'quorum_up', 'quorum_down', 'quorum', 'hysteresis', 'weight', 'sorry_server',
    'sorry_server_inhibit', 'real_server',
  ],
  'virtual_server > real_server': [
    'weight', 'uthreshold', 'lthreshold', 'inhibit_on_failure', 'notify_up', 'notify_down', 'alpha',
    'retry', 'delay_before_retry', 'warmup', 'connect_timeout', 'delay_loop', 'virtualhost',
    'MISC_CHECK', 'SMTP_CHECK', 'TCP_CHECK', 'PING_CHECK', 'UDP_CHECK', 'HTTP_GET', 'SSL_GET',
    'DNS_CHECK', 'FILE_CHECK',
  ],
  'virtual_server > real_server > MISC_CHECK': [
    'retry', 'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures', 'misc_path',
    'misc_timeout', 'misc_dynamic', 'user',
  ],
  'virtual_server > real_server > SMTP_CHECK': [
    'helo_name', 'host', 'connect_ip', 'connect_port', 'bindto', 'bind_port', 'connect_timeout', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures',
  ],
  'virtual_server > real_server > SMTP_CHECK > host': [
    'connect_ip', 'connect_port', 'bindto', 'bind_port', 'connect_timeout', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures',
  ],
  'virtual_server > real_server > TCP_CHECK': [
    'connect_ip', 'connect_port', 'bindto', 'bind_port', 'bind_if', 'connect_timeout', 'fwmark', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures',
  ],
  'virtual_server > real_server > PING_CHECK': [
    'connect_ip', 'bindto', 'bind_if', 'connect_timeout', 'fwmark', 'retry', 'delay_before_retry',
    'warmup', 'delay_loop', 'alpha', 'log_all_failures',
  ],
  'virtual_server > real_server > UDP_CHECK': [
    'connect_ip', 'connect_port', 'bindto', 'bind_port', 'bind_if', 'connect_timeout', 'fwmark', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures', 'payload',
    'require_reply', 'min_reply_length', 'max_reply_length',
  ],
  'virtual_server > real_server > HTTP_GET': [
    'connect_ip', 'connect_port', 'bindto', 'bind_port', 'connect_timeout', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures', 'nb_get_retry',
    'virtualhost', 'http_protocol', 'fast_recovery', 'url',
  ],
  'virtual_server > real_server > HTTP_GET > url': [
    'path', 'digest', 'status_code', 'virtualhost', 'regex', 'regex_no_match', 'regex_options',
    'regex_min_offset', 'regex_max_offset',
  ],
  'virtual_server > real_server > SSL_GET': [
    'connect_ip', 'connect_port', 'bindto', 'bind_port', 'connect_timeout', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures', 'nb_get_retry',
    'virtualhost', 'http_protocol', 'enable_sni', 'fast_recovery', 'url',
  ],
  'virtual_server > real_server > DNS_CHECK': [
    'connect_ip', 'connect_port', 'bindto', 'bind_port', 'bind_if', 'connect_timeout', 'fwmark', 'retry',
    'delay_before_retry', 'warmup', 'delay_loop', 'alpha', 'log_all_failures', 'type', 'name',
  ],
  'virtual_server > real_server > FILE_CHECK': ['track_file', 'weight'],
  'track_file': ['file', 'weight', 'init_file'],
};

const pathOf = (block: string, name: string) => (block ? `${block} > ${name}` : name);

const supportedPaths = (): string[] =>
  allKeywordEntries()
    .filter((e) => e.keyword.support === 'supported')
    .map((e) => pathOf(e.block, e.keyword.name));

test('the supported keywords are exactly the pinned list', () => {
  const expected = Object.entries(SUPPORTED).flatMap(([block, names]) => names.map((n) => pathOf(block, n)));
  const actual = supportedPaths();
  assert.deepEqual(
    { newlySupported: actual.filter((p) => !expected.includes(p)), noLongerSupported: expected.filter((p) => !actual.includes(p)) },
    { newlySupported: [], noLongerSupported: [] },
  );
  assert.deepEqual([...actual].sort(), [...expected].sort());
});

test('every keyword is either supported or parsed, and the counts add up', () => {
  const entries = allKeywordEntries();
  const levels = new Set(entries.map((e) => e.keyword.support));
  assert.deepEqual([...levels].sort(), ['parsed', 'supported']);
  const supported = entries.filter((e) => e.keyword.support === 'supported').length;
  assert.equal(supported, 323);
  assert.equal(entries.length - supported, 170);
});

test('keywords keepalived-ts does not act on stay parsed', () => {
  const support = new Map(allKeywordEntries().map((e) => [pathOf(e.block, e.keyword.name), e.keyword.support]));
  for (const path of [
    'vrrp_instance > use_vmac',
    'vrrp_instance > vmac_xmit_base',
    'vrrp_instance > garp_extra_if',
    'vrrp_instance > track_bfd',
    'static_ipaddress',
    'static_routes',
    'static_rules',
    'bfd_instance',
    'virtual_server > real_server > BFD_CHECK',
    'global_defs > smtp_server',
    'global_defs > notification_email',
    'global_defs > smtp_alert',
    'global_defs > enable_snmp_vrrp',
    'global_defs > enable_dbus',
    'global_defs > lvs_sync_daemon',
    'global_defs > lvs_timeouts',
    'global_defs > nftables_ipvs',
    'global_defs > max_auto_priority',
    'global_defs > process_names',
    'net_namespace',
    'SSL',
    'virtual_server > lb_kind',
  ]) {
    assert.equal(support.get(path), 'parsed', path);
  }
});

test('a checker keyword is supported only for the checker kinds that act on it', () => {
  const support = new Map(allKeywordEntries().map((e) => [pathOf(e.block, e.keyword.name), e.keyword.support]));
  const rs = 'virtual_server > real_server';
  // SO_BINDTODEVICE / SO_MARK: raw sockets for TCP/UDP/DNS/PING, node:net for HTTP/SSL/SMTP
  for (const kind of ['TCP_CHECK', 'UDP_CHECK', 'DNS_CHECK', 'PING_CHECK'])
    for (const k of ['bind_if', 'fwmark']) assert.equal(support.get(`${rs} > ${kind} > ${k}`), 'supported', `${kind} ${k}`);
  for (const kind of ['HTTP_GET', 'SSL_GET', 'SMTP_CHECK'])
    for (const k of ['bind_if', 'fwmark']) assert.equal(support.get(`${rs} > ${kind} > ${k}`), 'parsed', `${kind} ${k}`);
  // an ICMP echo has no ports
  assert.equal(support.get(`${rs} > PING_CHECK > connect_port`), 'parsed');
  assert.equal(support.get(`${rs} > PING_CHECK > bind_port`), 'parsed');
  // SNI needs TLS
  assert.equal(support.get(`${rs} > SSL_GET > enable_sni`), 'supported');
  assert.equal(support.get(`${rs} > HTTP_GET > enable_sni`), 'parsed');
});

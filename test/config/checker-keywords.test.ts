import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';

const host = staticHostFacts({ hostname: 'host', interfaces: ['eth0', 'eth1'].map((n, i) => ethernetInterface(n, i + 2)) });
const load = (text: string) => loadConfigText(text, { host });
const lines = (text: string) => [...new Set(load(text).diagnostics.list.map(formatDiagnostic))].sort();

/** Observed with `keepalived -t` (2.2.7); lines compared as a set. The delay_loop range line is
 * left out: keepalived prints its timer maximum (18446744073709.551614), values.ts readTimer does not yet. */
const CHECKER_CONFIG = "virtual_server 10.0.0.5 80 {\n  ha_suspend\n  lb_kind DR\n  protocol SCTP\n  real_server 10.1.0.3 81 {\n    weight 3\n    inhibit_on_failure maybe\n    SMTP_CHECK {\n      helo_name\n      host {\n        connect_ip fe80::1\n      }\n      host {\n        connect_ip 10.2.2.2\n        bindto 2001::1\n      }\n    }\n    TCP_CHECK {\n      connect_ip fe80::1\n      bind_if averyveryverylonginterfacename\n    }\n    TCP_CHECK {\n      retry -1\n      delay_loop 0\n      warmup x\n      alpha maybe\n      log_all_failures\n      connect_port 70000\n      fwmark 4294967296\n    }\n    MISC_CHECK {\n      misc_path \"/bin/true arg\"\n      user nosuchuser\n      retry 5\n    }\n  }\n  real_server 10.1.0.3 81 {\n  }\n  real_server 10.1.0.4 {\n    lvs_method TUN type ipip csum\n  }\n  sorry_server 10.1.0.3 81\n  sorry_server_inhibit\n}\nvirtual_server fwmark 5 {\n  ha_suspend\n  real_server 10.1.0.6 80 {\n  }\n  sorry_server 10.1.0.7 90\n  lb_kind DR\n}\nvirtual_server 10.0.0.300 0x {\n}\nvirtual_server fwmark -1 {\n}\nvirtual_server group NOPE {\n  real_server 10.0.0.1 80 {\n  }\n}\nvirtual_server 2001:db8::1 80 {\n  protocol tcp\n  real_server 10.1.1.1 80 {\n  }\n  real_server 2001:db8::2 8080 {\n  }\n}\n";
const CHECKER_EXPECTED: string[] = ["(/etc/keepalived/keepalived.conf: Line 12) Checker link local address fe80::1 requires a bind_if", "(/etc/keepalived/keepalived.conf: Line 15) bindto address 2001::1 does not match address family of connect_ip - skipping", "(/etc/keepalived/keepalived.conf: Line 20) Interface name averyveryverylonginterfacename is too long - ignoring", "(/etc/keepalived/keepalived.conf: Line 21) Checker link local address fe80::1 requires a bind_if", "(/etc/keepalived/keepalived.conf: Line 23) Invalid retry connection value '-1'", "(/etc/keepalived/keepalived.conf: Line 23) negative number '-1'", "(/etc/keepalived/keepalived.conf: Line 24) delay_loop '0' is invalid - ignoring", "(/etc/keepalived/keepalived.conf: Line 25) invalid number 'x'", "(/etc/keepalived/keepalived.conf: Line 26) Invalid alpha parameter maybe", "(/etc/keepalived/keepalived.conf: Line 28) Invalid checker connect_port '70000'", "(/etc/keepalived/keepalived.conf: Line 28) number '70000' outside range [1, 65535]", "(/etc/keepalived/keepalived.conf: Line 29) Invalid fwmark connection value '4294967296'", "(/etc/keepalived/keepalived.conf: Line 29) number '4294967296' outside unsigned integer range", "(/etc/keepalived/keepalived.conf: Line 33) Failed to set uid/gid for misc checker script '/bin/true' 'arg' - removing", "(/etc/keepalived/keepalived.conf: Line 40) ipip tunnels do not support checksum option.", "(/etc/keepalived/keepalived.conf: Line 52) Invalid virtual server IP address/port 10.0.0.300/0x - skipping", "(/etc/keepalived/keepalived.conf: Line 52) invalid number '0x'", "(/etc/keepalived/keepalived.conf: Line 54) negative number '-1'", "(/etc/keepalived/keepalived.conf: Line 54) virtual server fwmark '-1' must be in [0, 4294967295] - ignoring", "(/etc/keepalived/keepalived.conf: Line 63) Address family of virtual server and real server 10.1.1.1 don't match - skipping real server.", "(/etc/keepalived/keepalived.conf: Line 7) Invalid inhibit_on_failure parameter maybe", "(/etc/keepalived/keepalived.conf: Line 9) SMTP_CHECK helo name missing", "VS [10.0.0.5]:sctp:80: real server [10.1.0.3]:sctp:81 is duplicated - removing second rs", "Virtual server FWM 5: cannot use ha_suspend with fwmarks - clearing ha_suspend", "Virtual server FWM 5: no scheduler set, setting default 'wlc'", "Virtual server [10.0.0.5]:sctp:80: no scheduler set, setting default 'wlc'", "Virtual server [10.0.0.5]:sctp:80: real server [10.1.0.3]:sctp:81 matches sorry server, but inhibit setting differs, clearing on sorry server", "Virtual server [2001:db8::1]:tcp:80: no forwarding method set, setting default NAT", "Virtual server [2001:db8::1]:tcp:80: no scheduler set, setting default 'wlc'", "WARNING - fwmark virtual server FWM 5, real server [10.1.0.6]:none:80 has port specified - clearing", "WARNING - virtual server FWM 5, sorry server has port specified - clearing", "WARNING - virtual server [10.0.0.5]:sctp:80 and real server [10.1.0.3]:sctp:81 ports don't match - resetting", "WARNING - virtual server [10.0.0.5]:sctp:80 and sorry server ports don't match - resetting"];

test('checker keywords and post-parse checks give keepalived\'s diagnostics (oracle run)', () => {
  const got = lines(CHECKER_CONFIG).filter((l) => !l.includes('outside range [0.000001'));
  assert.deepEqual(got, [...CHECKER_EXPECTED].sort());
  assert.equal(load(CHECKER_CONFIG).diagnostics.exitCode(), 5);
});

test('checker model: SMTP hosts, dropped checkers, lenient timers', () => {
  const { config } = load(CHECKER_CONFIG);
  const rs = config.lvs.virtualServers[0]!.realServers[0]!;
  assert.deepEqual(rs.checkers.map((c) => c.type), ['SMTP_CHECK', 'TCP_CHECK']);
  const smtp = rs.checkers[0]!;
  assert.ok(smtp.type === 'SMTP_CHECK');
  assert.equal(smtp.heloName, 'smtpchecker.keepalived.org');
  // no own connection settings: the (valid) host becomes the checker's connection
  assert.equal(smtp.connection?.dst.address, '10.2.2.2');
  assert.equal(smtp.connection?.connectTimeout, 0);
  assert.equal(smtp.hosts.length, 0);
  const tcp = rs.checkers[1]!;
  // "warmup x": keepalived reports the number but keeps 0
  assert.equal(tcp.warmup, 0);
  assert.equal(tcp.logAllFailures, true);
  // keepalived quirk kept: the MISC_CHECK was dropped at its bad `user`, so its later `retry 5`
  // lands on the checker queued before it (CHECKER_GET_CURRENT), this TCP_CHECK
  assert.equal(tcp.retry, 5);
});

test('nb_get_retry is only a keyword of HTTP_GET/SSL_GET', () => {
  const text = `virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.0.0.2 80 {
    TCP_CHECK {
      nb_get_retry 3
    }
    HTTP_GET {
      nb_get_retry 3
      url {
        path /
      }
    }
  }
}
`;
  assert.deepEqual(lines(text), [
    "(/etc/keepalived/keepalived.conf: Line 10) nb_get_retry is deprecated - please use 'retry'",
    "(/etc/keepalived/keepalived.conf: Line 7) Unknown keyword 'nb_get_retry'",
  ]);
});

test('SMTP_CHECK host blocks: each host after the first (or every host, when the checker has its own connection) is a checker of its own', () => {
  const rsBlock = (smtp: string) => `virtual_server 10.0.0.1 25 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.1 25 {
    connect_timeout 7
    SMTP_CHECK {
      helo_name probe.example
      retry 2
${smtp}    }
  }
}
`;
  const hosts = '      host {\n        connect_ip 10.2.0.1\n        connect_port 2525\n      }\n      host {\n        connect_ip 10.2.0.2\n        connect_timeout 3\n      }\n';
  const shown = (text: string) =>
    load(text).config.lvs.virtualServers[0]!.realServers[0]!.checkers.map((c) => {
      assert.ok(c.type === 'SMTP_CHECK');
      return `${c.connection?.dst.address}:${c.connection?.dst.port} timeout ${c.connection?.connectTimeout} helo ${c.heloName} retry ${c.retry} hosts ${c.hosts.length}`;
    });
  // a host without connect_timeout keeps 0: keepalived zeroes a host's connection options
  assert.deepEqual(shown(rsBlock(hosts)), [
    '10.2.0.1:2525 timeout 0 helo probe.example retry 2 hosts 0',
    '10.2.0.2:25 timeout 3000000 helo probe.example retry 2 hosts 0',
  ]);
  assert.deepEqual(shown(rsBlock(`      connect_port 26\n${hosts}`)), [
    '10.1.0.1:26 timeout 7000000 helo probe.example retry 2 hosts 0',
    '10.2.0.1:2525 timeout 0 helo probe.example retry 2 hosts 0',
    '10.2.0.2:25 timeout 3000000 helo probe.example retry 2 hosts 0',
  ]);
});

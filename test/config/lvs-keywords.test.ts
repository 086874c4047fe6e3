import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';

const host = staticHostFacts({ hostname: 'host', interfaces: ['eth0', 'eth1'].map((n, i) => ethernetInterface(n, i + 2)) });
const load = (text: string) => loadConfigText(text, { host });
const lines = (text: string) => [...new Set(load(text).diagnostics.list.map(formatDiagnostic))].sort();

/** Observed with `keepalived -t` (2.2.7, namespace kref); lines compared as a set. */
const VS_CONFIG = "SSL {\n  password secret\n  ca /x/ca\n  ca /x/ca2\n  key\n}\nvirtual_server_group G1 {\n  10.0.0.1-10 80\n  10.0.0.20-5 80\n  10.0.0.0/24 443\n  10.0.0.1/24 443\n  10.0.1.1-x 80\n  fwmark 7 inet\n  fwmark 8 foo\n  2001:db8::1-ff 80\n}\nvirtual_server_group EMPTY {\n}\nvirtual_server group G1 {\n  lb_algo rr\n  lb_kind DR\n  protocol tcp\n  real_server 10.1.0.1 81 {\n    weight 2\n    TCP_CHECK {\n      connect_timeout 3\n      nb_get_retry 3\n    }\n  }\n}\nvirtual_server fwmark 1 {\n  protocol UDP\n  lb_algo foo\n  sh-port\n  lb_kind TUN type gue\n  real_server 10.1.0.2 80 {\n    HTTP_GET {\n      nb_get_retry 2\n      url {\n        path /\n        status_code 200 300-302 99 abc\n        digest 0123\n      }\n      url {\n        digest 0123456789abcdef0123456789abcdeg\n      }\n    }\n    MISC_CHECK {\n      misc_timeout 5\n    }\n    DNS_CHECK {\n      name a.example.com\n      type foo\n    }\n    UDP_CHECK {\n      payload zz\n      min_reply_length 300\n      max_reply_length 20\n    }\n    BFD_CHECK {\n      name nope\n    }\n    FILE_CHECK {\n      weight 5 up\n    }\n  }\n  real_server 10.1.0.2 80 {\n  }\n}\nvirtual_server 10.0.0.5 0 {\n  quorum 10\n  hysteresis 20\n  ops\n  protocol TCP\n  persistence_granularity 255.255.255.0\n  real_server 10.1.0.3 {\n    weight 0\n    retry 0\n    lvs_method FOO\n  }\n  real_server 2001:db8::5 80 {\n  }\n  sorry_server 10.1.0.9 99\n  sorry_server_lvs_method DR\n}\n";
const VS_EXPECTED: string[] = ["(/etc/keepalived/keepalived.conf: Line 11) Address mask bits not empty - 10.0.0.1/24 - skipping", "(/etc/keepalived/keepalived.conf: Line 12) Virtual server group range '10.0.1.1-x' has extra characters at end 'x'", "(/etc/keepalived/keepalived.conf: Line 14) (G1): fwmark '8' family foo unknown - ignoring", "(/etc/keepalived/keepalived.conf: Line 18) virtual server group EMPTY has no entries - removing", "(/etc/keepalived/keepalived.conf: Line 27) Unknown keyword 'nb_get_retry'", "(/etc/keepalived/keepalived.conf: Line 33) Invalid lvs_scheduler 'foo' - ignoring", "(/etc/keepalived/keepalived.conf: Line 34) sh-port only applies to sh scheduler - ignoring", "(/etc/keepalived/keepalived.conf: Line 35) gue tunnels require port, otherwise cannot have port.", "(/etc/keepalived/keepalived.conf: Line 38) nb_get_retry is deprecated - please use 'retry'", "(/etc/keepalived/keepalived.conf: Line 4) SSL cafile already specified - replacing", "(/etc/keepalived/keepalived.conf: Line 41) Invalid HTTP_GET status code '99'", "(/etc/keepalived/keepalived.conf: Line 41) Invalid HTTP_GET status code 'abc'", "(/etc/keepalived/keepalived.conf: Line 42) digest '0123' character length should be 32 rather than 4", "(/etc/keepalived/keepalived.conf: Line 45) Unable to interpret hex digit in '0123456789abcdef0123456789abcdeg' at offset 30/31", "(/etc/keepalived/keepalived.conf: Line 46) HTTP/SSL_GET checker url has no path - ignoring", "(/etc/keepalived/keepalived.conf: Line 5) SSL keyfile missing", "(/etc/keepalived/keepalived.conf: Line 50) No script path has been specified for MISC_CHECKER - skipping", "(/etc/keepalived/keepalived.conf: Line 52) DNS_CHECK name 'a.example.com' has empty label - ignoring", "(/etc/keepalived/keepalived.conf: Line 53) Unknown DNS check type foo - ignoring", "(/etc/keepalived/keepalived.conf: Line 56) Invalid hex string for UDP_CHECK payload", "(/etc/keepalived/keepalived.conf: Line 59) UDP_CHECK min_reply length 300 > max_reply_length 20 - will always fail", "(/etc/keepalived/keepalived.conf: Line 61) ([10.1.0.2]:udp:80) BFD_CHECK - BFD nope not configured", "(/etc/keepalived/keepalived.conf: Line 64) unknown track file weight option up - ignoring", "(/etc/keepalived/keepalived.conf: Line 65) FILE_CHECK has no track_file specified - ignoring", "(/etc/keepalived/keepalived.conf: Line 78) number '0' outside range [1, 4294967295]", "(/etc/keepalived/keepalived.conf: Line 78) retry value invalid - 0", "(/etc/keepalived/keepalived.conf: Line 79) PARSER : unknown [FOO] routing method for real server.", "(/etc/keepalived/keepalived.conf: Line 82) Address family of virtual server and real server 2001:db8::5 don't match - skipping real server.", "(/etc/keepalived/keepalived.conf: Line 9) Address range end is not greater than address range start - 10.0.0.20-5 - skipping", "VS FWM 1: real server [10.1.0.2]:none:80 is duplicated - removing second rs", "Virtual server FWM 1: no scheduler set, setting default 'wlc'", "Virtual server [10.0.0.5]:tcp:0: hysteresis 20 >= quorum 0; setting hysteresis to 4294967295", "Virtual server [10.0.0.5]:tcp:0: no forwarding method set, setting default NAT", "Virtual server [10.0.0.5]:tcp:0: no scheduler set, setting default 'wlc'", "Virtual server [10.0.0.5]:tcp:0: one packet scheduling requires UDP - resetting", "WARNING - fwmark virtual server FWM 1, real server [10.1.0.2]:none:80 has port specified - clearing", "WARNING - virtual server [10.0.0.5]:tcp:0 and sorry server ports don't match - resetting", "Warning - quorum 10 for [10.0.0.5]:tcp:0 exceeds total weight of real servers 0, reducing quorum to 0", "Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored"];

test('virtual_server / group / SSL diagnostics are keepalived\'s (oracle run)', () => {
  const r = load(VS_CONFIG);
  assert.deepEqual(lines(VS_CONFIG), [...VS_EXPECTED].sort());
  assert.equal(r.diagnostics.exitCode(), 5);
});

test('model after validation: defaults, inheritance, removals', () => {
  const { config } = load(VS_CONFIG);
  const lvs = config.lvs;
  assert.equal(lvs.ssl?.password, 'secret');
  assert.equal(lvs.ssl?.ca, '/x/ca2');
  assert.deepEqual(lvs.virtualServerGroups.map((g) => g.name), ['G1']);
  const g1 = lvs.virtualServerGroups[0]!;
  assert.deepEqual(
    g1.entries.map((e) => (e.kind === 'fwmark' ? `fwmark ${e.fwmark} ${e.family}` : `${e.start}-${e.end}:${e.port}`)),
    ['10.0.0.1-10.0.0.10:80', '10.0.0.0-10.0.0.255:443', 'fwmark 7 inet', '2001:db8::1-2001:db8::ff:80'],
  );
  // the group VS is dropped by link_vsg_to_vs (IPv4+IPv6 group, IPv4 VS): logged only
  assert.deepEqual(lvs.virtualServers.map((v) => v.kind), ['fwmark', 'address']);
  const fw = lvs.virtualServers[0]!;
  assert.equal(fw.protocol, undefined);
  assert.equal(fw.scheduler, 'wlc');
  assert.equal(fw.realServers.length, 1);
  assert.equal(fw.realServers[0]!.address.port, 0); // cleared: TUN real server of a fwmark service
  const http = fw.realServers[0]!.checkers.find((c) => c.type === 'HTTP_GET');
  assert.ok(http && http.type === 'HTTP_GET');
  assert.equal(http.retry, 2);
  assert.equal(http.delayBeforeRetry, 3_000_000);
  assert.deepEqual(http.urls.map((u) => u.statusCodes), [[[200, 200], [300, 302]]]);
  const dns = fw.realServers[0]!.checkers.find((c) => c.type === 'DNS_CHECK');
  assert.ok(dns && dns.type === 'DNS_CHECK');
  assert.equal(dns.retry, 3);
  assert.equal(dns.delayBeforeRetry, 60_000_000);
  assert.equal(dns.queryType, 'SOA');
  assert.equal(dns.warmup, 60_000_000);
  assert.equal(dns.connection?.connectTimeout, 5_000_000);
  const vs = lvs.virtualServers[1]!;
  assert.equal(vs.protocol, 'TCP');
  assert.equal(vs.quorum, 0);
  assert.equal(vs.hysteresis, 4294967295);
  assert.deepEqual(vs.flags, []);
  assert.equal(vs.persistenceGranularity, '255.255.255.0');
  assert.equal(vs.persistenceTimeout, 360);
  assert.equal(vs.realServers[0]!.forwarding?.method, 'NAT');
  assert.equal(vs.realServers[0]!.address.port, 0);
  assert.equal(vs.sorryServer?.address.port, 0);
  assert.equal(vs.sorryServer?.forwarding?.method, 'DR');
});

test('defaults: protocol UDP, wlc, NAT with warnings; checker inherits VS -> RS', () => {
  const text = `virtual_server 10.0.0.1 80 {
  delay_loop 10
  retry 4
  real_server 10.0.0.2 {
    connect_timeout 2
    TCP_CHECK {
    }
    MISC_CHECK {
      misc_path "/bin/x 'a b'"
    }
  }
}
`;
  const r = load(text);
  assert.deepEqual(r.diagnostics.list.map(formatDiagnostic), [
    'Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP',
    "Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'",
    'Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT',
  ]);
  const vs = r.config.lvs.virtualServers[0]!;
  const rs = vs.realServers[0]!;
  assert.equal(rs.address.port, 80);
  assert.equal(rs.weight, 1);
  assert.equal(rs.smtpAlert, true);
  assert.equal(vs.smtpAlert, false);
  const [tcp, misc] = rs.checkers;
  assert.equal(tcp!.retry, 4);
  assert.equal(tcp!.delayLoop, 10_000_000);
  assert.equal(tcp!.warmup, 10_000_000);
  assert.equal(tcp!.delayBeforeRetry, 1_000_000);
  assert.equal(tcp!.connection?.connectTimeout, 2_000_000);
  assert.equal(tcp!.connection?.dst.port, 0); // copied from the RS as written
  assert.ok(misc && misc.type === 'MISC_CHECK');
  assert.deepEqual(misc.script?.argv, ['/bin/x', 'a b']);
  assert.equal(misc.retry, 4);
});

test('fwmark protocol warning (corpus keepalived.conf.fwmark)', () => {
  const text = `virtual_server fwmark 1 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  real_server 10.0.0.2 {
    TCP_CHECK {
      connect_port 80
    }
  }
}
`;
  assert.deepEqual(lines(text), ['Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored']);
});

test('invalid virtual server address skips its block', () => {
  const text = `virtual_server 10.0.0.300 80 {
  lb_algo foo
  real_server 10.0.1.2 80 {
  }
}
`;
  assert.deepEqual(lines(text), ['(/etc/keepalived/keepalived.conf: Line 1) Invalid virtual server IP address/port 10.0.0.300/80 - skipping']);
});

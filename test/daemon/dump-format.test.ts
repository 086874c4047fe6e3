/**
 * The printf/time conversions and the address/route/rule strings of the dumps. Expected strings
 * are what glibc's printf and keepalived 2.2.7 print (routes: seen in `keepalived -d` output for
 * the same lines).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { staticHostFacts } from '../../src/config/host-facts.js';
import { loadConfigText } from '../../src/config/load.js';
import { ctimeUs, formatG, formatTimeval, utcTimeZone } from '../../src/daemon/c-format.js';
import { formatIpAddress, formatIpRoute, formatIpRule } from '../../src/daemon/ip-entry-format.js';
import { jsonString } from '../../src/daemon/json-dump.js';
import { scriptCommandText } from '../../src/daemon/script-text.js';

describe('C conversions', () => {
  it('%g', () => {
    const cases: [number, string][] = [
      [0, '0'], [1, '1'], [0.5, '0.5'], [5, '5'], [1.5, '1.5'], [0.01, '0.01'], [0.001, '0.001'], [0.0001, '0.0001'],
      [0.00001, '1e-05'], [123456, '123456'], [1234567, '1.23457e+06'], [1e6, '1e+06'], [2.5e-7, '2.5e-07'], [100, '100'],
      [0.333333333, '0.333333'], [-2, '-2'],
    ];
    for (const [x, s] of cases) assert.equal(formatG(x), s, String(x));
  });

  it('timevals and ctime with microseconds', () => {
    assert.equal(formatTimeval(1_795_971_604_756_234), '1795971604.756234');
    assert.equal(formatTimeval(1_795_971_604_000_001), '1795971604.000001');
    assert.equal(formatTimeval(0), '0.000000');
    assert.equal(ctimeUs(1_795_971_604_756_234, utcTimeZone), 'Sun Nov 29 17:00:04.756234 2026');
    // asctime pads the day of the month with a space
    assert.equal(ctimeUs(Date.UTC(2026, 0, 5, 3, 4, 5) * 1000 + 7, utcTimeZone), 'Mon Jan  5 03:04:05.000007 2026');
  });

  it("json_writer's string escapes (with a correct backslash)", () => {
    assert.equal(jsonString('10.9.9.1/24 "x"\t\n'), '"10.9.9.1\\/24 \\"x\\"\\t\\n"');
    assert.equal(jsonString('a\\b'), '"a\\\\b"');
    assert.equal(jsonString('\u0001é'), '"\\u0001é"');
  });
});

describe('addresses, routes and rules', () => {
  const host = staticHostFacts({
    interfaces: [{ name: 'a0', index: 2, up: true, loopback: false, multicast: true, mtu: 1500, ipv4: ['10.0.0.1'], ipv6: [] }],
  });
  const cfg = loadConfigText(
    `
vrrp_instance VI_5 {
	state BACKUP
	interface a0
	virtual_router_id 65
	priority 120
	virtual_ipaddress {
		10.9.5.1/24
		10.9.5.3/24 dev a0 peer 10.9.5.4 home
		10.9.5.5/24 no_track
	}
	virtual_routes {
		blackhole 10.9.2.0/24
		10.9.1.0/24 dev a0
		unreachable 10.9.7.0/24 dev a0
		10.9.8.0/24 via 10.0.0.9
		prohibit 10.9.9.0/24 no_track
		10.9.10.0/24 dev a0 no_track
		10.9.11.0/24 dev a0 table 200 mtu lock 1400 src 10.0.0.1
	}
	virtual_rules {
		from 10.9.5.1 table 100 priority 200
		not from 10.9.6.0/24 fwmark 0x10/0xff goto 300 priority 210
		to 10.9.7.0/24 blackhole priority 220
	}
}
`,
    { host },
  ).config;
  const inst = cfg.vrrp.instances[0]!;

  it('routes as keepalived -d printed them', () => {
    assert.deepEqual(inst.virtualRoutes.map(formatIpRoute).slice(0, 6), [
      'add blackhole 10.9.2.0/24 proto 18 no_track',
      'prepend 10.9.1.0/24 dev a0 proto 18',
      'add unreachable 10.9.7.0/24 dev a0 proto 18',
      'prepend 10.9.8.0/24 via inet 10.0.0.9 proto 18 no_track',
      'add prohibit 10.9.9.0/24 no_track',
      'prepend 10.9.10.0/24 dev a0 no_track',
    ]);
    assert.equal(formatIpRoute(inst.virtualRoutes[6]!), 'prepend 10.9.11.0/24 src 10.0.0.1 dev a0 table 200 proto 18 mtu lock 1400');
  });

  it('rules', () => {
    assert.deepEqual(inst.virtualRules.map(formatIpRule), [
      'from 10.9.5.1 priority 200 tos 0x0 protocol 18 lookup 100',
      'not from 10.9.6.0/24 priority 210 tos 0x0 fwmark 0x10/0xff protocol 18 goto 300',
      'from all to 10.9.7.0/24 priority 220 tos 0x0 protocol 18 type blackhole',
    ]);
  });

  it('addresses as keepalived -d printed them, with the run-time flags', () => {
    assert.equal(formatIpAddress(inst.vips[0]!), '10.9.5.1/24 dev a0 scope global');
    assert.equal(formatIpAddress(inst.vips[0]!, { set: true, firewallSet: true }), '10.9.5.1/24 dev a0 scope global set nftable_set');
    assert.equal(formatIpAddress(inst.vips[1]!), '10.9.5.3 dev a0 scope global peer 10.9.5.4/32 home');
    assert.equal(formatIpAddress(inst.vips[2]!), '10.9.5.5/24 dev a0 scope global no_track');
    assert.equal(
      formatIpAddress(inst.vips[0]!, { set: true, vmac: { ifname: 'vrrp.65', baseIfname: 'a0' } }),
      '10.9.5.1/24 dev vrrp.65@a0 scope global set',
    );
  });

  it('scripts: every word quoted, a redirection test left bare', () => {
    const at = { file: 'k.conf', line: 1 };
    assert.equal(scriptCommandText({ argv: ['/bin/true', 'a b', 'c'], at }), "'/bin/true' 'a b' 'c'");
    assert.equal(scriptCommandText({ argv: ['true'], resolvedPath: '/usr/bin/true', at }), "'/usr/bin/true'");
    assert.equal(scriptCommandText({ argv: ['</etc/keepalived/flag'], at }), '</etc/keepalived/flag');
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import type { KeepalivedConfig } from '../../src/config/model/index.js';
import type { DirectorFacts, LinkFact } from '../../src/host-check/director-facts.js';
import { checkDirector } from '../../src/host-check/director-doctor.js';
import { routeTargets } from '../../src/host-check/director-view.js';
import { exitCodeOf, renderFindingsJson, renderFindingsText, type Finding } from '../../src/host-check/finding.js';

const host = staticHostFacts({
  hostname: 'lb1',
  interfaces: [ethernetInterface('eth0', 2, ['10.0.0.1']), ethernetInterface('eth1', 3, ['10.1.0.1'])],
  hasIpvs: false,
});

function load(text: string): KeepalivedConfig {
  const r = loadConfigText(text, { host });
  return r.config;
}

/** The seed's director: multicast VRRP on eth0, one DR service on the VIP. */
const DR_CONFIG = `
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.0.0.100
  }
}
virtual_server 10.0.0.100 80 {
  delay_loop 6
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.0.0.11 80 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
`;

const UNICAST_NAT_CONFIG = `
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 100
  unicast_src_ip 10.0.0.1
  unicast_peer {
    10.9.0.2
  }
  virtual_ipaddress {
    10.0.0.200
  }
}
virtual_server 10.0.0.200 8080 {
  lb_kind NAT
  protocol TCP
  real_server 10.1.0.11 8080 {
  }
}
virtual_server fwmark 7 {
  lb_kind NAT
  real_server 10.1.0.12 80 {
  }
}
virtual_server 10.5.5.5 53 {
  lb_kind NAT
  protocol UDP
  real_server 10.1.0.13 53 {
  }
}
`;

const link = (name: string, over: Partial<LinkFact> = {}): LinkFact => ({ name, up: true, running: true, multicast: true, ...over });

/** A director set up right for DR_CONFIG. */
function goodFacts(over: Partial<DirectorFacts> = {}): DirectorFacts {
  return {
    links: [link('lo', { multicast: false }), link('eth0'), link('eth1')],
    addresses: [
      { ifname: 'lo', family: 'inet', address: '127.0.0.1', prefixLen: 8 },
      { ifname: 'eth0', family: 'inet', address: '10.0.0.1', prefixLen: 24 },
      { ifname: 'eth1', family: 'inet', address: '10.1.0.1', prefixLen: 24 },
    ],
    sysctls: new Map([
      ['net/ipv4/ip_forward', '0'],
      ['net/ipv4/conf/all/send_redirects', '0'],
      ['net/ipv4/conf/default/send_redirects', '0'],
      ['net/ipv4/conf/eth0/send_redirects', '0'],
      ['net/ipv4/conf/eth1/send_redirects', '1'],
      ['net/ipv4/conf/all/rp_filter', '0'],
      ['net/ipv4/conf/eth0/rp_filter', '1'],
    ]),
    routes: new Map([['10.0.0.11', 'eth0']]),
    firewall: { nftables: { nftables: [] } },
    ipvs: false,
    clock: { syncDaemons: ['chronyd'], kernelSynchronized: true },
    ...over,
  };
}

const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.severity} ${f.id} ${f.subject} | ${f.fix.join(' ; ')}`);

test('a director set up right: only the note that the proxy data plane serves', () => {
  const config = load(DR_CONFIG);
  assert.deepEqual(routeTargets(config), ['10.0.0.11']);
  const findings = checkDirector(config, goodFacts());
  assert.deepEqual(brief(findings), ['info no-ipvs /proc/net/ip_vs | ']);
  assert.equal(exitCodeOf(findings), 0);
  assert.equal(checkDirector(config, goodFacts({ ipvs: true })).length, 0);
});

test('a director set up wrong: send_redirects on, an nft rule dropping vrrp, the interface down', () => {
  const config = load(DR_CONFIG);
  const sysctls = new Map(goodFacts().sysctls);
  sysctls.set('net/ipv4/conf/all/send_redirects', '1');
  sysctls.set('net/ipv4/conf/eth0/send_redirects', '1');
  const nftables = {
    nftables: [
      { table: { family: 'inet', name: 'fw' } },
      { chain: { family: 'inet', table: 'fw', name: 'in', type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
      { rule: { family: 'inet', table: 'fw', chain: 'in', expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'protocol' } }, right: 'vrrp' } }, { drop: null }] } },
    ],
  };
  const findings = checkDirector(config, goodFacts({ sysctls, firewall: { nftables }, links: [link('lo'), link('eth0', { up: false, running: false })], ipvs: true }));
  assert.deepEqual(brief(findings), [
    'error interface-down eth0 | ip link set dev eth0 up',
    'error firewall-drops-vrrp nftables inet fw in | nft insert rule inet fw in iifname eth0 meta l4proto vrrp accept',
    'warning send-redirects net.ipv4.conf.all.send_redirects | sysctl -w net.ipv4.conf.all.send_redirects=0',
    'warning send-redirects net.ipv4.conf.eth0.send_redirects | sysctl -w net.ipv4.conf.eth0.send_redirects=0',
  ]);
  assert.equal(
    findings[1]!.message,
    'nftables chain inet fw in drops VRRP adverts (IP protocol 112) received on eth0 to 224.0.0.18 of vrrp_instance VI_1, by rule `ip protocol vrrp drop`: this node cannot hear its peer and becomes MASTER as well: split brain',
  );
  assert.equal(exitCodeOf(findings), 2);
  const text = renderFindingsText(findings);
  assert.match(text, /^ERROR interface-down \(eth0\): interface eth0 of vrrp_instance VI_1 is down/);
  assert.match(text, /\n  fix: sysctl -w net.ipv4.conf.eth0.send_redirects=0\n2 error\(s\), 2 warning\(s\), 0 note\(s\)\.\n$/);
  const json = JSON.parse(renderFindingsJson(findings)) as { findings: Finding[] };
  assert.deepEqual(Object.keys(json.findings[0]!), ['id', 'severity', 'subject', 'message', 'fix']);
});

test('missing interfaces (the instance\'s, a tracked one), no multicast flag, no carrier', () => {
  const config = load(DR_CONFIG.replace('advert_int 1', 'advert_int 1\n  track_interface {\n    eth9\n  }'));
  const f1 = checkDirector(config, goodFacts({ links: [link('eth0', { multicast: false, running: false })], ipvs: true }));
  assert.deepEqual(brief(f1), [
    'warning interface-no-carrier eth0 | ',
    'error interface-no-multicast eth0 | ip link set dev eth0 multicast on',
    'error interface-missing eth9 | ',
  ]);
  const f2 = checkDirector(config, goodFacts({ links: [link('eth1')], ipvs: true }));
  assert.deepEqual(brief(f2), ['error interface-missing eth0 | ', 'error interface-missing eth9 | ']);
  const f3 = checkDirector(config, goodFacts({ links: undefined, linkError: 'socket: EPERM', ipvs: true }));
  assert.deepEqual(brief(f3), ['warning links-unreadable interfaces | ']);
});

test('unicast: strict rp_filter with the peer routed elsewhere; NAT, fwmark, an address nobody holds', () => {
  const config = load(UNICAST_NAT_CONFIG);
  assert.deepEqual(routeTargets(config), ['10.9.0.2']);
  const facts = goodFacts({ routes: new Map([['10.9.0.2', 'eth1']]) });
  const findings = checkDirector(config, facts);
  assert.deepEqual(brief(findings), [
    'warning rp-filter-strict net.ipv4.conf.eth0.rp_filter | sysctl -w net.ipv4.conf.eth0.rp_filter=2',
    'info ip-forward net.ipv4.ip_forward | ',
    'info no-ipvs /proc/net/ip_vs | ',
    'warning service-not-proxied fwmark 7 | ',
    'warning service-address-not-held 10.5.5.5:53 UDP | ',
  ]);
  // with IPVS in the kernel, a NAT data plane there needs forwarding
  const withIpvs = checkDirector(config, { ...facts, ipvs: true });
  assert.deepEqual(brief(withIpvs).filter((l) => l.includes('ip-forward')), ['warning ip-forward net.ipv4.ip_forward | sysctl -w net.ipv4.ip_forward=1']);
  // the peer routed by the VRRP interface: strict is fine; no route at all: loose would not help either
  assert.deepEqual(brief(checkDirector(config, { ...facts, routes: new Map([['10.9.0.2', 'eth0']]) })).filter((l) => l.includes('rp-filter') || l.includes('unreachable')), []);
  assert.deepEqual(brief(checkDirector(config, { ...facts, routes: new Map([['10.9.0.2', null]]) })).filter((l) => l.includes('rp-filter') || l.includes('unreachable')), ['warning unicast-peer-unreachable 10.9.0.2 | ']);
});

test('an IPv6 VIP with -nodad served by the proxy needs net.ipv6.ip_nonlocal_bind', () => {
  const config = load(`
vrrp_instance V6 {
  interface eth0
  virtual_router_id 60
  virtual_ipaddress {
    2001:db8::10/64 -nodad
  }
}
virtual_server 2001:db8::10 443 {
  lb_kind NAT
  protocol TCP
  real_server 2001:db8::21 443 {
  }
}
`);
  const facts = goodFacts({ ipvs: true, sysctls: new Map([['net/ipv4/ip_forward', '1']]) });
  assert.deepEqual(brief(checkDirector(config, facts)), ['warning ipv6-vip-dad 2001:db8::10 | sysctl -w net.ipv6.ip_nonlocal_bind=1']);
  const set = new Map(facts.sysctls);
  set.set('net/ipv6/ip_nonlocal_bind', '1');
  assert.deepEqual(brief(checkDirector(config, { ...facts, sysctls: set })), []);
  // without -nodad the VIP is added with NODAD, like keepalived: no finding
  assert.deepEqual(brief(checkDirector(load(`
vrrp_instance V6 {
  interface eth0
  virtual_router_id 60
  virtual_ipaddress {
    2001:db8::10/64
  }
}
virtual_server 2001:db8::10 443 {
  lb_kind NAT
  protocol TCP
  real_server 2001:db8::21 443 {
  }
}
`), facts)), []);
});

test('firewall: policy drop without an accept for VRRP, on iptables (legacy) and ip6tables', () => {
  const config = load(DR_CONFIG);
  const iptables = '*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n';
  const ip6tables = '*filter\n:INPUT DROP [0:0]\nCOMMIT\n';
  const findings = checkDirector(config, goodFacts({ firewall: { iptables, ip6tables }, ipvs: true }));
  assert.deepEqual(brief(findings), ['error firewall-drops-vrrp iptables filter INPUT | iptables -I INPUT 1 -i eth0 -p 112 -j ACCEPT']);
  assert.match(findings[0]!.message, /by the chain's policy drop \(no rule accepts VRRP\)/);
  const unreadable = checkDirector(config, goodFacts({ firewall: { nftablesError: 'Operation not permitted' }, ipvs: true }));
  assert.deepEqual(brief(unreadable), ['info firewall-unreadable nftables | ']);
});

test('clock: no daemon and an unsynchronised kernel clock is a note', () => {
  const config = load(DR_CONFIG);
  const findings = checkDirector(config, goodFacts({ clock: { syncDaemons: [], kernelSynchronized: false }, ipvs: true }));
  assert.deepEqual(brief(findings), ['info clock-unsynchronized clock | systemctl enable --now systemd-timesyncd']);
  assert.equal(exitCodeOf(findings), 0);
  assert.deepEqual(brief(checkDirector(config, goodFacts({ clock: { syncDaemons: ['chronyd'], kernelSynchronized: false }, ipvs: true }))), ['info clock-unsynchronized clock | ']);
});

/**
 * RtNetlink against the kernel, in a namespace of its own: addresses, routes and rules added
 * and deleted through netlink are what `ip -j` then shows; repeats report `exists`/`absent`;
 * errors carry the errno name and the kernel's explanation; the link and address dumps agree
 * with `ip -j`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceSkipReason, type TestNamespace } from '../../integration/netns.js';
import { inNetworkNamespace } from '../../../src/platform/linux/net-namespace.js';
import { NetlinkError, RtNetlink, UnsupportedFieldError } from '../../../src/platform/linux/rtnetlink.js';
import { nativeUnavailableReason } from '../../../src/platform/linux/libc.js';
import { addressEntry, routeEntry, ruleEntry } from './netlink-entries.js';
import { createVethNamespace, ipJson, type IpAddrInfo, type IpLink } from './netlink-netns.js';

const skip = namespaceSkipReason() ?? nativeUnavailableReason();

async function withNetlink(fn: (nl: RtNetlink, ns: TestNamespace) => void): Promise<void> {
  let ns: TestNamespace | undefined;
  let nl: RtNetlink | undefined;
  try {
    ns = createVethNamespace();
    nl = inNetworkNamespace(ns.name, () => new RtNetlink());
    fn(nl, ns);
  } finally {
    nl?.close();
    ns?.destroy();
  }
}

function addrsOf(ns: TestNamespace, dev: string): IpAddrInfo[] {
  return ipJson<IpLink[]>(ns, ['addr', 'show', 'dev', dev])[0]!.addr_info ?? [];
}

test('addresses: IPv4 and IPv6 with label, scope, brd, nodad, preferred_lft, as `ip -j addr` shows them', { skip: skip ?? false }, () =>
  withNetlink((nl, ns) => {
    const entries = [
      addressEntry('10.1.2.3/24 brd 10.1.2.255 scope link label d0:vip dev d0'),
      addressEntry('10.1.2.4/24 scope link dev d0'), // a secondary: the kernel wants the primary's scope
      addressEntry('10.9.9.1 peer 10.9.9.2 dev d0'),
      addressEntry('2001:db8::5/64 dev d0'),
      addressEntry('2001:db8::6/64 dev d0 -nodad preferred_lft 0'),
      addressEntry('2001:db8::9/128 dev d0 noprefixroute'),
    ];
    for (const e of entries) assert.equal(nl.addAddress(e, 'd0'), 'added', e.address);
    for (const e of entries) assert.equal(nl.addAddress(e, 'd0'), 'exists', `${e.address} again`);

    const shown = addrsOf(ns, 'd0').filter((a) => a.scope !== 'link' || a.family === 'inet');
    const pick = (a: IpAddrInfo) => ({
      family: a.family,
      local: a.local,
      prefixlen: a.prefixlen,
      scope: a.scope,
      ...(a.label !== undefined && { label: a.label }),
      ...(a.broadcast !== undefined && { broadcast: a.broadcast }),
      ...(a.address !== undefined && { address: a.address }),
      ...(a.secondary && { secondary: true }),
      ...(a.nodad && { nodad: true }),
      ...(a.noprefixroute && { noprefixroute: true }),
      preferred: a.preferred_life_time,
    });
    const FOREVER = 4294967295;
    assert.deepEqual(shown.map(pick), [
      { family: 'inet', local: '10.1.2.3', prefixlen: 24, scope: 'link', label: 'd0:vip', broadcast: '10.1.2.255', preferred: FOREVER },
      { family: 'inet', local: '10.9.9.1', prefixlen: 32, scope: 'global', label: 'd0', address: '10.9.9.2', preferred: FOREVER },
      { family: 'inet', local: '10.1.2.4', prefixlen: 24, scope: 'link', label: 'd0', secondary: true, preferred: FOREVER },
      { family: 'inet6', local: '2001:db8::9', prefixlen: 128, scope: 'global', nodad: true, noprefixroute: true, preferred: 0 },
      { family: 'inet6', local: '2001:db8::6', prefixlen: 64, scope: 'global', preferred: 0 },
      { family: 'inet6', local: '2001:db8::5', prefixlen: 64, scope: 'global', nodad: true, preferred: FOREVER },
    ]);

    // the dump sees what ip sees, in the same order
    const d0 = nl.link('d0')!;
    const ours = nl
      .addresses()
      .filter((a) => a.ifindex === d0.index)
      .map((a) => `${a.family} ${a.address}/${a.prefixLen} scope ${a.scope}${a.label ? ` label ${a.label}` : ''}${a.peer ? ` peer ${a.peer}` : ''}`);
    const scopes: Record<string, number> = { global: 0, link: 253, host: 254 };
    const theirs = addrsOf(ns, 'd0').map(
      (a) => `${a.family} ${a.local}/${a.prefixlen} scope ${scopes[a.scope]}${a.label ? ` label ${a.label}` : ''}${a.address ? ` peer ${a.address}` : ''}`,
    );
    assert.deepEqual(ours, theirs);

    // delete by index as well as by name; newest first (deleting a primary takes its secondaries along)
    for (const e of [...entries].reverse()) assert.equal(nl.deleteAddress(e, e.family === 'inet' ? 'd0' : d0.index), 'removed', e.address);
    for (const e of entries) assert.equal(nl.deleteAddress(e, 'd0'), 'absent', `${e.address} again`);
    assert.deepEqual(
      addrsOf(ns, 'd0').map((a) => a.local),
      addrsOf(ns, 'd0').filter((a) => a.scope === 'link').map((a) => a.local),
      'only the kernel link-local address is left',
    );
  }),
);

test('errors: errno name, the request, and the kernel explanation', { skip: skip ?? false }, () =>
  withNetlink((nl) => {
    assert.throws(
      () => nl.addAddress(addressEntry('10.1.2.3/24 dev nope0'), 'nope0'),
      (e: unknown) => e instanceof NetlinkError && e.code === 'ENODEV' && /RTM_NEWADDR 10\.1\.2\.3\/24 dev nope0: ENODEV .*no interface nope0/.test(e.message),
    );
    assert.throws(
      () => nl.addRoute(routeEntry('10.99.0.0/16 via 192.168.77.1 dev d0')),
      (e: unknown) => e instanceof NetlinkError && e.code === 'ENETUNREACH' && /^RTM_NEWROUTE 10\.99\.0\.0\/16 via 192\.168\.77\.1 dev d0: ENETUNREACH \(.+\): .+/.test(e.message) && e.kernelMessage !== undefined,
    );
    assert.throws(() => nl.addRoute(routeEntry('10.98.0.0/16 dev d0 encap ip id 5 dst 10.0.0.1')), UnsupportedFieldError);
    assert.equal(nl.link('nope0'), undefined);
  }),
);

test('links: the dump agrees with `ip -j link`', { skip: skip ?? false }, () =>
  withNetlink((nl, ns) => {
    ns.ip(['link', 'set', 'd1', 'mtu', '1400']);
    const theirs = ipJson<IpLink[]>(ns, ['link', 'show']).map((l) => ({
      index: l.ifindex,
      name: l.ifname,
      up: l.flags.includes('UP'),
      lowerUp: l.flags.includes('LOWER_UP'),
      multicast: l.flags.includes('MULTICAST'),
      operstate: l.operstate,
      mtu: l.mtu,
      mac: l.address,
    }));
    const ours = nl.links().map((l) => ({ index: l.index, name: l.name, up: l.up, lowerUp: l.lowerUp, multicast: l.multicast, operstate: l.operstate, mtu: l.mtu, mac: l.mac }));
    assert.deepEqual(ours, theirs);
    const d0 = nl.links().find((l) => l.name === 'd0')!;
    assert.equal(d0.running, true);
    assert.equal(d0.kind, 'veth');
    assert.deepEqual(nl.link('d0'), d0);
  }),
);

interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  metrics?: unknown[];
  nexthops?: { gateway: string; dev: string; weight: number }[];
}

test('routes: unicast, blackhole/unreachable/prohibit, tables, metrics, multipath, IPv6 — as `ip -j route` shows them', { skip: skip ?? false }, () =>
  withNetlink((nl, ns) => {
    nl.addAddress(addressEntry('10.1.2.3/24 dev d0'), 'd0');
    const routes = [
      routeEntry('10.50.0.0/16 via 10.1.2.254 dev d0 metric 5 table 100'),
      routeEntry('10.51.0.0/16 dev d0 scope link src 10.1.2.3'),
      routeEntry('blackhole 10.60.0.0/16'),
      routeEntry('unreachable 10.61.0.0/16 table 1000'),
      routeEntry('prohibit 10.62.0.0/16 metric 7'),
      routeEntry('10.70.0.0/16 nexthop via 10.1.2.1 dev d0 weight 2 nexthop via 10.1.2.2 dev d0'),
      routeEntry('2001:db8:1::/48 via fe80::1 dev d0 table 1000 mtu lock 1400'),
      routeEntry('default via 10.1.2.254 dev d0 table 200'),
    ];
    for (const r of routes) assert.equal(nl.addRoute(r), 'added', r.dst.text);
    for (const r of routes) assert.equal(nl.addRoute(r), 'exists', `${r.dst.text} again`);

    const ours = (list: IpRoute[]) => list.filter((r) => r.protocol === 'keepalived');
    const v4 = ours(ipJson<IpRoute[]>(ns, ['-4', 'route', 'show', 'table', 'all']));
    const v6 = ours(ipJson<IpRoute[]>(ns, ['-6', 'route', 'show', 'table', 'all']));
    const pick = (r: IpRoute) => ({
      dst: r.dst,
      ...(r.type && { type: r.type }),
      ...(r.gateway && { gateway: r.gateway }),
      ...(r.dev && { dev: r.dev }),
      ...(r.table && { table: r.table }),
      ...(r.scope && { scope: r.scope }),
      ...(r.metric !== undefined && { metric: r.metric }),
      ...(r.metrics && { metrics: r.metrics }),
      ...(r.nexthops && { nexthops: r.nexthops.map((h) => `${h.gateway} ${h.dev} ${h.weight}`) }),
    });
    assert.deepEqual(
      [...v4, ...v6].map(pick).sort((a, b) => a.dst.localeCompare(b.dst)),
      [
        { dst: '10.50.0.0/16', gateway: '10.1.2.254', dev: 'd0', table: '100', metric: 5 },
        { dst: '10.51.0.0/16', dev: 'd0', scope: 'link' },
        { dst: '10.60.0.0/16', type: 'blackhole' },
        { dst: '10.61.0.0/16', type: 'unreachable', table: '1000' },
        { dst: '10.62.0.0/16', type: 'prohibit', metric: 7 },
        { dst: '10.70.0.0/16', nexthops: ['10.1.2.1 d0 2', '10.1.2.2 d0 1'] },
        { dst: '2001:db8:1::/48', gateway: 'fe80::1', dev: 'd0', table: '1000', metric: 1024, metrics: [{ mtu: 1400 }] },
        { dst: 'default', gateway: '10.1.2.254', dev: 'd0', table: '200' },
      ],
    );
    const prefsrc = ipJson<{ prefsrc?: string }[]>(ns, ['route', 'show', '10.51.0.0/16'])[0]!.prefsrc;
    assert.equal(prefsrc, '10.1.2.3');

    for (const r of routes) assert.equal(nl.deleteRoute(r), 'removed', r.dst.text);
    for (const r of routes) assert.equal(nl.deleteRoute(r), 'absent', `${r.dst.text} again`);
    assert.deepEqual(ours(ipJson<IpRoute[]>(ns, ['-4', 'route', 'show', 'table', 'all'])), []);
    assert.deepEqual(ours(ipJson<IpRoute[]>(ns, ['-6', 'route', 'show', 'table', 'all'])), []);
  }),
);

interface IpRule {
  priority: number;
  src: string;
  srclen?: number;
  dst?: string;
  dstlen?: number;
  not?: null;
  fwmark?: string;
  fwmask?: string;
  iif?: string;
  oif?: string;
  table?: string;
  goto?: number;
  action?: string;
  protocol?: string;
}

test('rules: from/to/table/priority/fwmark/iif/oif, not, goto, blackhole, IPv6 — as `ip -j rule` shows them', { skip: skip ?? false }, () =>
  withNetlink((nl, ns) => {
    const rules = [
      ruleEntry('from 10.1.0.0/16 to 10.2.0.0/16 table 100 priority 100 fwmark 5 iif d0 oif d1'),
      ruleEntry('not from 10.3.0.0/16 goto 200 priority 150'),
      ruleEntry('fwmark 0x10/0xff lookup 1000 priority 160'),
      ruleEntry('to 10.9.0.0/16 blackhole priority 180'),
      ruleEntry('from 2001:db8::/32 table 100 priority 170'),
    ];
    for (const r of rules) assert.equal(nl.addRule(r), 'added', String(r.priority));
    for (const r of rules) assert.equal(nl.addRule(r), 'exists', `${r.priority} again`);
    const ours = (list: IpRule[]) => list.filter((r) => r.priority >= 100 && r.priority <= 180);
    const shown = [...ours(ipJson<IpRule[]>(ns, ['rule', 'show'])), ...ours(ipJson<IpRule[]>(ns, ['-6', 'rule', 'show']))];
    assert.deepEqual(shown, [
      { priority: 100, src: '10.1.0.0', srclen: 16, dst: '10.2.0.0', dstlen: 16, fwmark: '0x5', iif: 'd0', oif: 'd1', table: '100', protocol: 'keepalived' },
      { priority: 150, not: null, src: '10.3.0.0', srclen: 16, goto: 200, unresolved: null, protocol: 'keepalived' },
      { priority: 160, src: 'all', fwmark: '0x10', fwmask: '0xff', table: '1000', protocol: 'keepalived' },
      { priority: 180, src: 'all', dst: '10.9.0.0', dstlen: 16, action: 'blackhole', protocol: 'keepalived' },
      { priority: 170, src: '2001:db8::', srclen: 32, table: '100', protocol: 'keepalived' },
    ] as unknown as IpRule[]);
    for (const r of rules) assert.equal(nl.deleteRule(r), 'removed', String(r.priority));
    for (const r of rules) assert.equal(nl.deleteRule(r), 'absent', `${r.priority} again`);
    assert.deepEqual(ours(ipJson<IpRule[]>(ns, ['rule', 'show'])), []);
  }),
);

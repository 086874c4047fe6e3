/**
 * LinkWatcher against the kernel, in a namespace of its own: it starts with the view `ip -j`
 * shows, sees links go down and up and addresses come and go behind its back, and survives a
 * monitor overrun (the event loop blocked while 2000 address changes happen) by re-reading
 * everything: the overrun is counted, its view matches `ip -j addr` afterwards, and the events
 * it emitted turn its first view into its last.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { namespaceSkipReason, type TestNamespace } from '../../integration/netns.js';
import { inNetworkNamespace } from '../../../src/platform/linux/net-namespace.js';
import { LinkWatcher, type WatchEvent } from '../../../src/platform/linux/link-watch.js';
import type { AddressInfo, LinkInfo } from '../../../src/platform/linux/netlink-codec.js';
import { nativeUnavailableReason } from '../../../src/platform/linux/libc.js';
import { createVethNamespace, ipJson, until, type IpLink } from './netlink-netns.js';

const skip = namespaceSkipReason() ?? nativeUnavailableReason();

interface Watched {
  ns: TestNamespace;
  watcher: LinkWatcher;
  events: WatchEvent[];
  reports: string[];
}

async function withWatcher(fn: (w: Watched) => Promise<void>): Promise<void> {
  let ns: TestNamespace | undefined;
  let watcher: LinkWatcher | undefined;
  try {
    ns = createVethNamespace();
    const reports: string[] = [];
    watcher = inNetworkNamespace(ns.name, () => new LinkWatcher({ report: (m) => reports.push(m) }));
    const events: WatchEvent[] = [];
    watcher.onEvent((e) => events.push(e));
    await fn({ ns, watcher, events, reports });
  } finally {
    watcher?.close();
    ns?.destroy();
  }
}

/** What `ip -j addr` shows, as "ifindex family address/prefix" keys. */
function ipAddressKeys(ns: TestNamespace): string[] {
  return ipJson<IpLink[]>(ns, ['addr', 'show'])
    .flatMap((l) => (l.addr_info ?? []).map((a) => `${l.ifindex} ${a.family} ${a.local}/${a.prefixlen}`))
    .sort();
}

const addressKeys = (list: readonly AddressInfo[]) => list.map((a) => `${a.ifindex} ${a.family} ${a.address}/${a.prefixLen}`).sort();

function ipLinkStates(ns: TestNamespace): string[] {
  // RUNNING is not in ip's flag list: LOWER_UP with UP is what makes the kernel set IFF_RUNNING
  return ipJson<IpLink[]>(ns, ['link', 'show'])
    .map((l) => `${l.ifindex} ${l.ifname} up=${l.flags.includes('UP')} lowerUp=${l.flags.includes('LOWER_UP')}`)
    .sort();
}

const linkStates = (list: readonly LinkInfo[]) => list.map((l) => `${l.index} ${l.name} up=${l.up} lowerUp=${l.lowerUp}`).sort();

test('the initial view is what `ip -j` shows; primary addresses are keepalived\'s choice', { skip: skip ?? false }, () =>
  withWatcher(async ({ ns, watcher, events }) => {
    ns.ip(['addr', 'add', '10.4.0.1/24', 'dev', 'd0']);
    ns.ip(['addr', 'add', '10.4.0.2/24', 'dev', 'd0']);
    await until(() => watcher.addressesOf('d0').some((a) => a.address === '10.4.0.2'), 'the addresses');
    assert.deepEqual(addressKeys(watcher.addresses()), ipAddressKeys(ns));
    assert.deepEqual(linkStates(watcher.links()), ipLinkStates(ns));
    const d0 = ipJson<IpLink[]>(ns, ['addr', 'show', 'dev', 'd0'])[0]!;
    const linkLocal = d0.addr_info!.find((a) => a.family === 'inet6' && a.scope === 'link')!.local;
    assert.equal(watcher.primaryAddress('d0', 'inet'), '10.4.0.1');
    assert.equal(watcher.primaryAddress('d0', 'inet', (a) => a === '10.4.0.1'), '10.4.0.2');
    assert.equal(watcher.primaryAddress('d0', 'inet6'), linkLocal);
    assert.equal(watcher.link('d0')!.mac, d0.address);
    assert.equal(watcher.link('d0')!.running, true);
    assert.deepEqual(
      events.filter((e) => e.type === 'address' && e.family === 'inet'),
      [
        { type: 'address', added: true, ifindex: d0.ifindex, ifname: 'd0', family: 'inet', address: '10.4.0.1', prefixLen: 24 },
        { type: 'address', added: true, ifindex: d0.ifindex, ifname: 'd0', family: 'inet', address: '10.4.0.2', prefixLen: 24 },
      ],
    );
  }),
);

test('link down/up and carrier loss are seen', { skip: skip ?? false }, () =>
  withWatcher(async ({ ns, watcher, events }) => {
    const index = watcher.link('d0')!.index;
    const linkEvents = () => events.filter((e) => e.type === 'link' && e.index === index);
    ns.ip(['link', 'set', 'd0', 'down']);
    await until(() => watcher.link('d0')!.up === false, 'd0 down');
    assert.deepEqual(linkEvents(), [{ type: 'link', index, name: 'd0', up: false, running: false, removed: false }]);
    events.length = 0;
    ns.ip(['link', 'set', 'd0', 'up']);
    await until(() => watcher.link('d0')!.running, 'd0 up and running');
    assert.deepEqual(linkEvents().at(-1), { type: 'link', index, name: 'd0', up: true, running: true, removed: false });
    events.length = 0;
    // the peer going down takes d0's carrier: still up, no longer running
    ns.ip(['link', 'set', 'd1', 'down']);
    await until(() => !watcher.link('d0')!.running, 'd0 without carrier');
    assert.deepEqual(linkEvents(), [{ type: 'link', index, name: 'd0', up: true, running: false, removed: false }]);
    events.length = 0;
    ns.ip(['link', 'del', 'd0']);
    await until(() => watcher.link('d0') === undefined && watcher.link('d1') === undefined, 'the veth pair gone');
    assert.deepEqual(linkEvents().at(-1), { type: 'link', index, name: 'd0', up: false, running: false, removed: true });
    assert.deepEqual(watcher.addressesOf('d0'), []);
  }),
);

test("a port leaving a bridge is not a link leaving (the bridge's AF_BRIDGE DELLINK)", { skip: skip ?? false }, () =>
  withWatcher(async ({ ns, watcher, events }) => {
    const d1 = watcher.link('d1')!.index;
    ns.ip(['link', 'add', 'kb0', 'type', 'bridge']);
    ns.ip(['link', 'set', 'd1', 'master', 'kb0']);
    await until(() => watcher.link('kb0') !== undefined && watcher.link('d1')?.masterIndex === watcher.link('kb0')!.index, 'd1 enslaved');
    ns.ip(['link', 'set', 'd1', 'nomaster']);
    ns.ip(['link', 'del', 'kb0']);
    // notifications arrive in order: once the bridge's removal is seen, so is everything before it
    await until(() => events.some((e) => e.type === 'link' && e.name === 'kb0' && e.removed), 'the bridge gone');
    assert.equal(watcher.link('d1')?.index, d1);
    assert.deepEqual(
      events.filter((e) => e.type === 'link' && e.removed).map((e) => e.type === 'link' && e.name),
      ['kb0'],
    );
  }),
);

test('an address deleted behind its back', { skip: skip ?? false }, () =>
  withWatcher(async ({ ns, watcher, events }) => {
    const ifindex = watcher.link('d0')!.index;
    ns.ip(['addr', 'add', '10.5.0.1/24', 'dev', 'd0']);
    ns.ip(['addr', 'add', '2001:db8:5::1/64', 'dev', 'd0', 'nodad']);
    ns.ip(['addr', 'del', '10.5.0.1/24', 'dev', 'd0']);
    ns.ip(['addr', 'del', '2001:db8:5::1/64', 'dev', 'd0']);
    await until(() => events.filter((e) => e.type === 'address' && e.address !== undefined && !e.address.startsWith('fe80')).length >= 4, 'four address events');
    assert.deepEqual(
      events.filter((e) => e.type === 'address' && !e.address.startsWith('fe80')),
      [
        { type: 'address', added: true, ifindex, ifname: 'd0', family: 'inet', address: '10.5.0.1', prefixLen: 24 },
        { type: 'address', added: true, ifindex, ifname: 'd0', family: 'inet6', address: '2001:db8:5::1', prefixLen: 64 },
        { type: 'address', added: false, ifindex, ifname: 'd0', family: 'inet', address: '10.5.0.1', prefixLen: 24 },
        { type: 'address', added: false, ifindex, ifname: 'd0', family: 'inet6', address: '2001:db8:5::1', prefixLen: 64 },
      ],
    );
    assert.deepEqual(addressKeys(watcher.addresses()), ipAddressKeys(ns));
    assert.equal(watcher.stats.overruns, 0);
  }),
);

test('an overrun (loop blocked during 2000 address changes) is counted and repaired by a re-dump', { skip: skip ?? false }, () =>
  withWatcher(async ({ ns, watcher, events, reports }) => {
    const firstAddresses = new Set(addressKeys(watcher.addresses()));
    const firstLinks = new Map(watcher.links().map((l) => [l.index, `${l.name} ${l.up} ${l.running}`]));
    const d0 = watcher.link('d0')!.index;
    // 1100 adds, a carrier loss, 900 deletes: 2000 address notifications plus link ones
    const lines: string[] = [];
    const vip = (i: number) => `10.${200 + (i >> 8)}.${i & 255}.1/32`;
    for (let i = 0; i < 1100; i++) lines.push(`addr add ${vip(i)} dev d0`);
    lines.push('link set d1 down');
    for (let i = 0; i < 900; i++) lines.push(`addr del ${vip(i)} dev d0`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-netlink-'));
    try {
      const batch = path.join(dir, 'batch');
      fs.writeFileSync(batch, lines.join('\n') + '\n');
      // spawnSync blocks this event loop until ip is done: nobody reads the monitor socket meanwhile
      const r = spawnSync('ip', ['-n', ns.name, '-batch', batch], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await until(() => watcher.stats.overruns >= 1 && watcher.addressesOf('d0').filter((a) => a.address.startsWith('10.2')).length === 200, 'the overrun and the repaired view');
    // the socket may still overrun again while it catches up; wait until it has settled on ip's view
    await until(() => addressKeys(watcher.addresses()).join() === ipAddressKeys(ns).join(), "ip's addresses");
    assert.deepEqual(addressKeys(watcher.addresses()), ipAddressKeys(ns));
    assert.deepEqual(linkStates(watcher.links()), ipLinkStates(ns));
    assert.equal(watcher.link('d0')!.running, false);
    assert.ok(watcher.stats.overruns >= 1);
    assert.ok(watcher.stats.resyncs >= watcher.stats.overruns);
    assert.equal(watcher.stats.malformed, 0);
    assert.ok(reports.some((m) => m.startsWith('Netlink: Receive buffer overrun on monitor socket')));

    // the events turn the first view into the last one
    const addresses = firstAddresses;
    const links = firstLinks;
    for (const e of events) {
      if (e.type === 'address') {
        const key = `${e.ifindex} ${e.family} ${e.address}/${e.prefixLen}`;
        if (e.added) addresses.add(key);
        else addresses.delete(key);
      } else if (e.removed) links.delete(e.index);
      else links.set(e.index, `${e.name} ${e.up} ${e.running}`);
    }
    assert.deepEqual([...addresses].sort(), addressKeys(watcher.addresses()));
    assert.deepEqual(links, new Map(watcher.links().map((l) => [l.index, `${l.name} ${l.up} ${l.running}`])));
    assert.ok(
      events.filter((e) => e.type === 'address' && e.ifindex === d0 && e.added && e.address.startsWith('10.2')).length >= 200,
      'the surviving addresses were announced',
    );
  }),
);

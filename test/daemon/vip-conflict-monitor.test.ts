/**
 * The daemon's VIP conflict monitor with a fake NeighbourPort: the driver's add-vips / remove-vips
 * actions start and stop probing, claims become the instance's log line, notify argv and FIFO
 * line, and status shows the count and the active conflicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpAddressEntry } from '../../src/config/model/vrrp.js';
import type { Action } from '../../src/vrrp/instance-types.js';
import { VipConflictMonitor } from '../../src/daemon/vip-conflict-monitor.js';
import type { Logger } from '../../src/daemon/logger.js';
import type { NeighbourClaimSeen, NeighbourPort } from '../../src/daemon/vrrp-platform.js';

const PEER = '52:54:00:12:34:56';

function vip(address: string, dev?: string): IpAddressEntry {
  return { address, family: address.includes(':') ? 'inet6' : 'inet', prefixLen: 32, scope: 0, home: false, nodad: false, ...(dev ? { dev } : {}) } as unknown as IpAddressEntry;
}

function fixture(opts: { failWatch?: boolean } = {}) {
  const watched: string[] = [];
  const probes: string[] = [];
  const logs: string[] = [];
  const emitted: Action[] = [];
  let claim: ((c: NeighbourClaimSeen) => void) | undefined;
  const port: NeighbourPort = {
    watch(ifname, family) {
      if (opts.failWatch) throw new Error('no such device');
      watched.push(`${family}/${ifname}`);
    },
    probe(ifname, address) {
      probes.push(`${ifname} ${address}`);
      return true;
    },
    onClaim(cb) {
      claim = cb;
    },
    lastError: undefined,
    close() {},
  };
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(`ERROR ${m}`), detail: () => {}, log: () => {}, detailed: false } as unknown as Logger;
  const t0 = performance.now();
  const monitor = new VipConflictMonitor({
    port,
    log,
    now: () => Math.round((performance.now() - t0) * 1000),
    wallClock: () => new Date(Date.UTC(2026, 10, 29, 18, 0, 0)),
    probeIntervalUs: 40_000,
    instance: (owner) => (owner === 'VI_1' ? { notify: { generic: ['/bin/notify', 'g'], priorityChanges: false }, priority: 150, ignoredMacs: [] } : undefined),
    emit: (a) => emitted.push(...a),
  });
  return { monitor, watched, probes, logs, emitted, claim: (c: NeighbourClaimSeen) => claim!(c) };
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('held VIPs are watched and probed; a claim is a conflict with its notify argv and FIFO line; release ends it', async () => {
  const f = fixture();
  try {
    f.monitor.observe({ type: 'add-vips', owner: 'VI_1', excluded: false, addresses: [vip('10.0.0.100'), vip('fd00::100', 'eth1')] }, 'eth0');
    // the sockets are opened once the takeover's own actions are done
    assert.deepEqual(f.watched, []);
    await until('the interfaces watched', () => f.watched.length === 2);
    assert.deepEqual(f.watched, ['inet/eth0', 'inet6/eth1']);
    await until('two probe rounds', () => f.probes.length >= 4);
    assert.deepEqual(f.probes.slice(0, 4), ['eth0 10.0.0.100', 'eth1 fd00::100', 'eth0 10.0.0.100', 'eth1 fd00::100']);

    f.claim({ ifname: 'eth0', address: '10.0.0.100', mac: PEER, how: 'arp-reply' });
    f.claim({ ifname: 'eth0', address: '10.0.0.100', mac: PEER, how: 'arp-reply' });
    f.claim({ ifname: 'eth0', address: '10.0.0.7', mac: PEER, how: 'arp-reply' });
    assert.deepEqual(f.emitted, [
      { type: 'log', owner: 'VI_1', message: '(VI_1) VIP 10.0.0.100 is also held by 52:54:00:12:34:56 (ARP reply on eth0) - split brain?' },
      { type: 'run-script', owner: 'VI_1', kind: 'notify', argv: ['/bin/notify', 'g', 'INSTANCE', 'VI_1', 'CONFLICT', '150', '10.0.0.100', PEER] },
      { type: 'fifo', owner: 'VI_1', line: `INSTANCE "VI_1" CONFLICT 150 10.0.0.100 ${PEER}\n` },
    ]);
    const st = f.monitor.status('VI_1');
    assert.equal(st.count, 1);
    assert.equal(st.active.length, 1);
    assert.equal(st.active[0]!.address, '10.0.0.100');
    assert.equal(st.active[0]!.mac, PEER);
    assert.match(st.active[0]!.since, /^2026-11-29T1[78]:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(f.monitor.status('VI_2'), { count: 0, active: [] });

    f.emitted.length = 0;
    f.monitor.observe({ type: 'remove-vips', owner: 'VI_1', excluded: false, addresses: [vip('10.0.0.100'), vip('fd00::100', 'eth1')] }, 'eth0');
    assert.deepEqual(f.emitted, [{ type: 'log', owner: 'VI_1', message: '(VI_1) VIP 10.0.0.100 conflict with 52:54:00:12:34:56 cleared (address released)' }]);
    assert.deepEqual(f.monitor.status('VI_1'), { count: 1, active: [] });
    const n = f.probes.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(f.probes.length, n, 'no probes once nothing is held');
  } finally {
    f.monitor.close();
  }
});

test('an interface that cannot be watched is logged once; a reload to 0 stops probing; close stops everything', async () => {
  const f = fixture({ failWatch: true });
  try {
    const add: Action = { type: 'add-vips', owner: 'VI_1', excluded: false, addresses: [vip('10.0.0.100')] };
    f.monitor.observe(add, 'eth0');
    f.monitor.observe({ type: 'remove-vips', owner: 'VI_1', excluded: false, addresses: [vip('10.0.0.100')] }, 'eth0');
    await new Promise((r) => setImmediate(r));
    f.monitor.observe(add, 'eth0');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(f.logs, ['ERROR cannot watch ARP on eth0 for VIP conflicts: no such device']);
    // probes still go out (a host answering them is still seen if the interface comes to be watched)
    await until('a probe', () => f.probes.length >= 1);
    f.monitor.reload(0, [], []);
    const n = f.probes.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(f.probes.length, n);
    // turned on again by a reload: what is held now is probed at once from the next interval
    f.monitor.reload(40_000, [], [{ owner: 'VI_1', ifname: 'eth0', entry: { address: '10.0.0.100', family: 'inet' } }]);
    await until('probing again', () => f.probes.length > n);
  } finally {
    f.monitor.close();
  }
  const n = f.probes.length;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(f.probes.length, n, 'closed: no more probes');
});

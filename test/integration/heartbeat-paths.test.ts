/**
 * heartbeat_paths (keepalived-ts extension) in the lab (network namespaces, root): two keepalived-ts
 * directors on the shared segment plus a second "heartbeat cable" — a veth straight between them.
 * With the segment's VRRP dropped by nft, the adverts still arrive over the cable: the backup stays
 * BACKUP and the VIP is never on both; `status --json` shows what arrived on each path. Take the
 * cable down as well and the backup takes over, as without the extension.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason, runOk } from './lab.js';
import { configText, instanceBlock, startKts, type RunningDirector } from './daemon-lab.js';

const skip = labSkipReason();

/** The paths of VI_1 as `status --json` shows them, "IF:COUNT". */
async function paths(d: RunningDirector): Promise<Map<string, number>> {
  const s = (await d.status()).instances[0]!;
  return new Map((s.heartbeatPaths ?? []).map((p) => [p.interface, p.advertsReceived]));
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('heartbeat_paths: with the segment cut, adverts over the second path keep the backup BACKUP; without it the backup takes over', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'd2'], ipv6: false });
  try {
    // the second heartbeat cable: hb0 in d1 <-> hb0 in d2, its own /30
    const net = `10.255.${lab.subnet}`;
    await runOk('ip', ['link', 'add', 'hb0', 'netns', lab.ns('d1').name, 'type', 'veth', 'peer', 'name', 'hb0', 'netns', lab.ns('d2').name]);
    for (const [node, host] of [['d1', 1], ['d2', 2]] as const) {
      await runOk('ip', ['-n', lab.ns(node).name, 'addr', 'add', `${net}.${host}/30`, 'dev', 'hb0']);
      await runOk('ip', ['-n', lab.ns(node).name, 'link', 'set', 'hb0', 'up']);
    }
    const vip = lab.v4(200);
    const conf = (priority: number) => configText([instanceBlock({ priority, vips: [`${vip}/24`], extra: ['heartbeat_paths {', '    hb0', '}'] })]);
    const d1 = startKts(lab, 'd1', conf(150));
    const d2 = startKts(lab, 'd2', conf(100));
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 20_000);
    await lab.waitForVip('d1', vip, true);

    // both paths carry d1's adverts to d2
    const before = await until('adverts on both paths', async () => {
      const p = await paths(d2);
      return (p.get('eth0') ?? 0) > 0 && (p.get('hb0') ?? 0) > 0 ? p : undefined;
    });
    assert.deepEqual([...before.keys()], ['eth0', 'hb0'], 'the instance’s own path first');
    const s2 = (await d2.status()).instances[0]!;
    assert.deepEqual(s2.heartbeatPaths!.map((p) => [p.interface, p.peers]), [['eth0', []], ['hb0', []]]);

    // cut VRRP on the segment (both ways): only the cable carries adverts now
    const from = d2.process.lines.length;
    await lab.dropVrrp('d1', 'd2');
    await lab.dropVrrp('d2', 'd1');
    const cutAt = await paths(d2);
    const dual: string[] = [];
    const end = Date.now() + 6000; // well past the 3.6 s master-down interval
    while (Date.now() < end) {
      const [a, b] = await Promise.all([lab.hasAddress('d1', vip), lab.hasAddress('d2', vip)]);
      if (a && b) dual.push(new Date().toISOString());
      assert.ok(a, 'd1 keeps the VIP');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(dual, [], 'never on both directors');
    assert.ok(!d2.process.lines.slice(from).some((l) => /Entering MASTER STATE/.test(l)), d2.process.tail(20));
    const after = await paths(d2);
    assert.equal(after.get('eth0'), cutAt.get('eth0'), 'nothing more on the cut segment');
    assert.ok((after.get('hb0') ?? 0) >= (cutAt.get('hb0') ?? 0) + 4, 'the cable kept carrying adverts');
    assert.ok((await lab.vrrpDropped('d2')) > 0, 'the segment really dropped adverts');

    // the cable goes too: now d2 hears nothing and takes over
    await runOk('ip', ['-n', lab.ns('d1').name, 'link', 'set', 'hb0', 'down']);
    await d2.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000, from);
    await lab.waitForVip('d2', vip, true);

    await lab.heal();
    assert.equal((await d1.process.stop()).code, 0);
    assert.equal((await d2.process.stop()).code, 0);
  } finally {
    await lab.destroy();
  }
});

/**
 * VIP conflict detection in the simulator: the same cores as the daemon, answered by a model of
 * the link's ARP / ND traffic. A VRRP-only cut (the hosts still reach each other) makes two
 * masters that each see the other holder; a cut of everything hides them from each other; a
 * healthy pair never reports a conflict, not even through a failover; and `simulate --scenario
 * partition` shows the conflict in its timeline and its JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SimCluster } from '../../src/platform/sim/cluster.js';
import { assertNoViolations, cluster, instanceText, nodeSpec } from './helpers.js';
import { REPO_ROOT, runCli } from '../cli/run.js';

const S = 1_000_000;

function pair(globals = '', b: { vrid?: number } = {}): SimCluster {
  const c = cluster(
    [nodeSpec(1, instanceText({ priority: 200 }), globals), nodeSpec(2, instanceText({ priority: 100, ...(b.vrid ? { vrid: b.vrid, vips: ['192.168.51.1/24'] } : {}) }), globals)],
    { vipConflicts: true },
  );
  c.start('n1');
  c.start('n2');
  return c;
}

const conflicts = (c: SimCluster) =>
  c.entries('conflict').map((e) => [Number((e.t / S).toFixed(6)), e.node, e.instance, e.reason, e.vip, e.mac]);

test('VRRP cut both ways: both masters see the other holder, within a probe interval; heal clears both', () => {
  const c = pair('  vip_conflict_probe_interval 1\n');
  c.runUntil(10 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  c.partition(['n1'], ['n2'], 'vrrp');
  c.runUntil(20 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2']);
  c.heal();
  c.runUntil(30 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  const n1 = '02:73:69:6d:01:00';
  const n2 = '02:73:69:6d:02:00';
  const rows = conflicts(c);
  // n2 takes over at 13.218750 s (3 × 1 s + (256 − 100)/256 s after the last advert at 10 − ε) and
  // sends its GARP: n1 sees it one latency later; n2 learns of n1 from its first probe's answer,
  // one interval after its takeover plus a round trip
  const masterAt = c.lastTransition('n2', 'VI_1', 'MASTER')!;
  assert.deepEqual(rows.slice(0, 2), [
    [Number(((masterAt + 100) / S).toFixed(6)), 'n1', 'VI_1', 'started', '192.168.51.1', n2],
    [Number(((masterAt + 1 * S + 200) / S).toFixed(6)), 'n2', 'VI_1', 'started', '192.168.51.1', n1],
  ]);
  const started = c.entries('conflict').filter((e) => e.reason === 'started');
  assert.match(started[0]!.detail!, /^\(VI_1\) VIP 192\.168\.51\.1 is also held by 02:73:69:6d:02:00 \(gratuitous ARP on eth0\) - split brain\?$/);
  assert.match(started[1]!.detail!, /\(ARP reply on eth0\)/);
  // after the heal: n2 yields and its conflict ends with the address; n1's clears after 3 silent probes
  assert.deepEqual(
    rows.slice(2).map((r) => [r[1], r[3]]),
    [
      ['n2', 'cleared'],
      ['n1', 'cleared'],
    ],
  );
  assert.match(c.entries('conflict', { node: 'n2' })[1]!.detail!, /cleared \(address released\)$/);
  // the generic notify script ran with CONFLICT on both, and the FIFO got the line
  const scripts = c.entries('script').filter((e) => e.argv?.includes('CONFLICT'));
  assert.deepEqual(
    scripts.map((e) => [e.node, ...(e.argv ?? [])]),
    [
      ['n1', '/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'CONFLICT', '200', '192.168.51.1', n2],
      ['n2', '/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'CONFLICT', '100', '192.168.51.1', n1],
    ],
  );
  assert.deepEqual(
    c.entries('fifo').filter((e) => e.detail?.includes('CONFLICT')).map((e) => e.detail),
    [`INSTANCE "VI_1" CONFLICT 200 192.168.51.1 ${n2}\n`, `INSTANCE "VI_1" CONFLICT 100 192.168.51.1 ${n1}\n`],
  );
  assertNoViolations(c);
});

test('a cut of everything: the two masters cannot see each other, so nothing is reported', () => {
  const c = pair();
  c.runUntil(10 * S);
  c.partition(['n1'], ['n2']);
  c.runUntil(20 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2']);
  assert.deepEqual(conflicts(c), []);
});

test('different virtual_router_ids (the seed\'s mistake): both masters from the start, both report', () => {
  const c = pair('', { vrid: 52 });
  c.runUntil(15 * S);
  assert.deepEqual(c.masters('VI_1').sort(), ['n1', 'n2']);
  assert.deepEqual(
    conflicts(c).map((r) => [r[1], r[3]]).sort(),
    [
      ['n1', 'started'],
      ['n2', 'started'],
    ],
  );
});

test('a healthy pair through crash, restart and preemption: no conflict; 0 turns detection off', () => {
  const c = pair();
  c.runUntil(10 * S);
  c.crash('n1');
  c.runUntil(20 * S);
  c.start('n1');
  c.runUntil(40 * S);
  assert.deepEqual(c.masters('VI_1'), ['n1']);
  assert.deepEqual(conflicts(c), []);
  assertNoViolations(c);

  const off = pair('  vip_conflict_probe_interval 0\n');
  off.runUntil(10 * S);
  off.partition(['n1'], ['n2'], 'vrrp');
  off.runUntil(20 * S);
  assert.deepEqual(off.masters('VI_1').sort(), ['n1', 'n2']);
  assert.deepEqual(conflicts(off), []);
});

test('simulate --scenario partition: the conflict in the timeline and in --json', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-sim-conflict-'));
  try {
    const seed = (f: string) => path.join(REPO_ROOT, 'test/fixtures/seed', f);
    const backup = path.join(dir, 'backup.conf');
    fs.writeFileSync(backup, fs.readFileSync(seed('director-backup.conf'), 'utf8').replace('virtual_router_id 51', 'virtual_router_id 10').replace('auth_pass 1111', 'auth_pass 123456'));
    const args = ['simulate', '-f', seed('director-master.conf'), '-f', backup, '--scenario', 'partition', '--duration', '30s'];
    const text = runCli(args);
    assert.equal(text.status, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /13\.258012s {2}LVS_01 {2}VI_1: VIP 192\.168\.10\.200 is also held by 02:73:69:6d:02:00 \(gratuitous ARP on ens33\) - split brain\?\n/);
    assert.match(text.stdout, /15\.258112s {2}LVS_02 {2}VI_1: VIP 192\.168\.10\.200 is also held by 02:73:69:6d:01:00 \(ARP reply on ens33\) - split brain\?\n/);
    assert.match(text.stdout, /LVS_01 {2}VI_1: VIP 192\.168\.10\.200 conflict with 02:73:69:6d:02:00 cleared\n/);
    const json = runCli([...args, '--json']);
    const out = JSON.parse(json.stdout) as { conflicts: unknown[] };
    assert.deepEqual(out.conflicts, [
      { t: 13.258012, node: 'LVS_01', instance: 'VI_1', event: 'started', vip: '192.168.10.200', mac: '02:73:69:6d:02:00' },
      { t: 15.258112, node: 'LVS_02', instance: 'VI_1', event: 'started', vip: '192.168.10.200', mac: '02:73:69:6d:01:00' },
      { t: 20.258112, node: 'LVS_02', instance: 'VI_1', event: 'cleared', vip: '192.168.10.200', mac: '02:73:69:6d:01:00' },
      { t: 27.609375, node: 'LVS_01', instance: 'VI_1', event: 'cleared', vip: '192.168.10.200', mac: '02:73:69:6d:02:00' },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

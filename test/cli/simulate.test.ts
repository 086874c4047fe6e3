/**
 * `keepalived-ts simulate`: the seed's two director configs run as a simulated cluster. As the
 * seed warns, they disagree on virtual_router_id and auth_pass, so both directors hold the VIP
 * (split brain); with those two lines made to agree, the pair behaves: one MASTER, a crash is
 * taken over after exactly the master-down interval, and the higher priority preempts back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, runCli } from './run.js';

const seed = (f: string) => path.join(REPO_ROOT, 'test/fixtures/seed', f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-sim-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const fixedBackup = path.join(tmp, 'director-backup-fixed.conf');
fs.writeFileSync(
  fixedBackup,
  fs.readFileSync(seed('director-backup.conf'), 'utf8').replace('virtual_router_id 51', 'virtual_router_id 10').replace('auth_pass 1111', 'auth_pass 123456'),
);

interface SimJson {
  events: { t: number; node: string; instance: string; from?: string; to: string; reason: string }[];
  violations: { invariant: string; message: string }[];
  final: Record<string, Record<string, string>>;
}

test('the seed as written: both directors end MASTER holding the VIP — reported as split brain, exit 1', () => {
  const r = runCli(['simulate', '-f', seed('director-master.conf'), '-f', seed('director-backup.conf'), '--duration', '30s', '--json']);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as SimJson;
  assert.deepEqual(out.final, { LVS_01: { VI_1: 'MASTER' }, LVS_02: { VI_1: 'MASTER' } });
  assert.deepEqual(out.violations.map((v) => v.invariant), ['vip-unique']);
  assert.match(out.violations[0]!.message, /VIP 192\.168\.10\.200 is held by LVS_01 and LVS_02/);
  // keepalived would run these configs (its -t says 5): their problems are shown, not fatal
  assert.match(r.stderr, /LVS_01: \(.*director-master\.conf: Line 47\) Unknown keyword 'nb_get_retry'/);
});

test('the seed with matching VRID and password: crash-master timeline with keepalived timings', () => {
  const r = runCli(['simulate', '-f', seed('director-master.conf'), '-f', fixedBackup, '--duration', '30s', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as SimJson;
  const masters = out.events.filter((e) => e.to === 'MASTER' || e.to === 'DOWN').map((e) => [e.t, e.node, e.to]);
  assert.deepEqual(masters, [
    // priority 100: 3 × 1 s + (256 − 100)/256 s
    [3.609375, 'LVS_01', 'MASTER'],
    [10, 'LVS_01', 'DOWN'],
    // last advert heard at 9.609375 s (+100 µs latency), + 3 × 1 s + (256 − 90)/256 s
    [13.257912, 'LVS_02', 'MASTER'],
    // restarted at 20 s: BACKUP discards the lower-priority adverts and takes over
    [23.609375, 'LVS_01', 'MASTER'],
  ]);
  assert.deepEqual(out.final, { LVS_01: { VI_1: 'MASTER' }, LVS_02: { VI_1: 'BACKUP' } });
  assert.deepEqual(out.violations, []);
});

test('text output, scenarios and argument errors', () => {
  const text = runCli(['simulate', '-f', seed('director-master.conf'), '-f', fixedBackup, '--scenario', 'partition', '--duration', '25s']);
  // cut off, the backup takes over (each side of a partition has its master); healed, it yields
  assert.equal(text.status, 0, text.stdout);
  assert.match(text.stdout, /10\.000000s {2}LVS_01 {2}\*\* partition \[LVS_01\] \| \[LVS_02\] \(VRRP only\)\n/);
  assert.match(text.stdout, /13\.257912s {2}LVS_02 {2}VI_1: BACKUP -> MASTER/);
  assert.match(text.stdout, /LVS_02 {2}VI_1: MASTER -> BACKUP {2}\(higher priority advert\)/);
  assert.match(text.stdout, /All invariants held\./);
  const none = runCli(['simulate', '-f', seed('director-master.conf'), '-f', fixedBackup, '--scenario', 'none', '--duration', '10s']);
  assert.equal(none.status, 0);
  assert.match(none.stdout, /All invariants held\./);
  assert.equal(runCli(['simulate', '--help']).status, 0);
  const one = runCli(['simulate', '-f', seed('director-master.conf')]);
  assert.equal(one.status, 1);
  assert.equal(one.stderr, 'simulate needs at least two nodes: give one -f FILE per node\n');
  assert.equal(runCli(['simulate', '-f', 'a', '-f', 'b', '--scenario', 'nope']).stderr, "Unknown scenario 'nope' (none, crash-master, stop-master, partition, isolate-master, flap, reload, random)\n");
});

test('--scenario reload: every node reloads its unchanged config at 10 s — nothing changes state', () => {
  const r = runCli(['simulate', '-f', seed('director-master.conf'), '-f', fixedBackup, '--scenario', 'reload', '--duration', '30s', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as SimJson;
  assert.deepEqual(out.events.filter((e) => e.t >= 10).map((e) => [e.node, e.to]), []);
  assert.deepEqual(out.final, { LVS_01: { VI_1: 'MASTER' }, LVS_02: { VI_1: 'BACKUP' } });
  assert.deepEqual(out.violations, []);
  const text = runCli(['simulate', '-f', seed('director-master.conf'), '-f', fixedBackup, '--scenario', 'reload', '--duration', '20s']);
  assert.match(text.stdout, /10\.000000s {2}LVS_01 {2}\*\* reload \(unchanged\)\n/);
  assert.match(runCli(['simulate', '--help']).stderr, /reload {10}at t = 10 s every node reloads its own, unchanged config/);
});

test('configs naming a witness: the simulated witness and votes run; under a partition the backup stays BACKUP, no two holders', () => {
  const conf = (self: number, peer: number, priority: number) => {
    const f = path.join(tmp, `witness-n${self}.conf`);
    fs.writeFileSync(
      f,
      `global_defs {\n  router_id n${self}\n  witness 10.0.0.9 7788\n  witness_secret simulate-secret\n  vote_peers {\n    10.0.0.${peer}\n  }\n}\n` +
        `vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority ${priority}\n  advert_int 1\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n`,
    );
    return f;
  };
  const files = ['-f', conf(1, 2, 150), '-f', conf(2, 1, 140)];
  const part = runCli(['simulate', ...files, '--duration', '40s', '--scenario', 'partition', '--json']);
  assert.equal(part.status, 0, part.stderr);
  const p = JSON.parse(part.stdout) as SimJson;
  assert.deepEqual(p.violations, []);
  assert.deepEqual(p.final, { n1: { VI_1: 'MASTER' }, n2: { VI_1: 'BACKUP' } });
  assert.deepEqual(
    p.events.filter((e) => e.to === 'MASTER').map((e) => [e.node, e.reason]),
    [['n1', 'majority of votes (2 of 3 votes: itself, 10.0.0.2)']],
    'n1 is elected with n2 vote (the directors know each other by the addresses their peers name) and n2 never takes over',
  );
  // a crash: n2 takes over with the witness's grant once n1's lease ran out; n1 back preempts
  const crash = runCli(['simulate', ...files, '--duration', '60s', '--scenario', 'crash-master', '--json']);
  const c = JSON.parse(crash.stdout) as SimJson;
  assert.deepEqual(c.violations, []);
  assert.deepEqual(
    c.events.filter((e) => e.to === 'MASTER').map((e) => [e.node, e.reason]),
    [
      ['n1', 'majority of votes (2 of 3 votes: itself, 10.0.0.2)'],
      ['n2', 'majority of votes (2 of 3 votes: itself, witness)'],
      ['n1', 'majority of votes (2 of 3 votes: itself, 10.0.0.2)'],
    ],
  );
  // the master cut off from everything gives the VIP up before n2 can take it
  const iso = JSON.parse(runCli(['simulate', ...files, '--duration', '40s', '--scenario', 'isolate-master', '--json']).stdout) as SimJson;
  assert.deepEqual(iso.violations, []);
  const moves = iso.events.filter((e) => e.to === 'MASTER' || e.from === 'MASTER');
  const released = moves.find((e) => e.node === 'n1' && e.from === 'MASTER')!;
  const taken = moves.find((e) => e.node === 'n2' && e.to === 'MASTER')!;
  assert.ok(released.t > 10 && released.t < taken.t, JSON.stringify(moves));
});

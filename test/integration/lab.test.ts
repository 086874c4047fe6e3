/**
 * Proves the integration lab (lab.ts) with two real keepalived 2.2.7 directors (VRRPv2, PASS
 * auth, VIP 10.X.0.200) and a client: election, GARP seen by the client, a crash (SIGKILL of the
 * parent and its VRRP child) handing the VIP over, a VRRP partition giving two masters, and a
 * teardown that leaves no namespace, link or process behind — also when a test fails or forgets
 * to clean up. Timings are printed as diagnostics, never asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIENT, Lab, epochMs, labSkipReason, tsharkFields, type LabProcess } from './lab.js';

const skip = labSkipReason({ keepalived: true, capture: true });
const VRID = 51;
const AUTH_PASS = 'lab2pass';

function vrrpConfig(lab: Lab, node: string, priority: number): string {
  return `global_defs {
  router_id lab_${node}
}
vrrp_instance VI_LAB {
  state BACKUP
  interface eth0
  virtual_router_id ${VRID}
  priority ${priority}
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass ${AUTH_PASS}
  }
  virtual_ipaddress {
    ${lab.v4(200)}/24 dev eth0
  }
}
`;
}

/** Alive and not a zombie, read from /proc (a killed child of init may linger briefly as Z). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
  } catch {
    return false;
  }
}

function netnsList(): string {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
}

function hostLinkNames(): string[] {
  const out = spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' }).stdout;
  return (JSON.parse(out || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

function assertNothingLeft(names: readonly string[], pids: readonly number[], runDir: string): void {
  const list = netnsList();
  for (const name of names) assert.ok(!new RegExp(`^${name}( |$)`, 'm').test(list), `namespace ${name} left behind:\n${list}`);
  const links = hostLinkNames();
  for (const name of names) assert.deepEqual(links.filter((l) => l.includes(name)), [], `host links of ${name} left behind`);
  for (const pid of pids) assert.ok(!alive(pid), `process ${pid} left running`);
  assert.ok(!fs.existsSync(runDir), `run directory ${runDir} left behind`);
}

test('lab harness with a keepalived 2.2.7 pair', { skip }, async (t) => {
  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: true });
  const vip = lab.v4(200);
  const started: LabProcess[] = [];
  let names: string[] = lab.namespaceNames();
  try {
    await t.test('topology: addresses, MACs, settled IPv6, connectivity through the switch', async () => {
      assert.equal(names.length, 4); // switch, d1, d2, client
      assert.deepEqual(lab.nodeNames(), ['d1', 'd2', CLIENT]);
      const hex = lab.subnet.toString(16).padStart(2, '0');
      assert.equal(lab.addr4('d1'), `10.${lab.subnet}.0.11`);
      assert.equal(lab.addr4('d2'), `10.${lab.subnet}.0.12`);
      assert.equal(lab.addr4(CLIENT), `10.${lab.subnet}.0.100`);
      assert.equal(lab.addr6('d2'), `fd${hex}::12`);
      assert.equal(lab.mac('d1'), `02:6b:74:${hex}:00:0b`);
      for (const node of lab.nodeNames()) {
        const addrs = await lab.addresses(node);
        const eth0 = addrs.filter((a) => a.ifname === 'eth0').map((a) => `${a.address}/${a.prefixlen}`);
        assert.deepEqual(eth0.sort(), [`${lab.addr4(node)}/24`, `${lab.addr6(node)}/64`, `${lab.linkLocal6(node)}/64`].sort());
        assert.deepEqual(addrs.filter((a) => a.tentative), [], `${node} has tentative addresses`);
      }
      /* The prober and echo responders double as the connectivity check (there is no ping here). */
      for (const [node, target] of [['d1', lab.addr4('d1')], ['d2', lab.addr6('d2')], ['d1', `${lab.linkLocal6('d1')}%eth0`]] as const) {
        const probe = await lab.probeVip(CLIENT, target, 20);
        const results = await probe.waitFor((rs) => rs.some((r) => r.ok), 10_000);
        await probe.stop();
        assert.equal(results.find((r) => r.ok)!.responder, node, `${target} answered by the wrong node`);
      }
      assert.equal(await lab.neighbour(CLIENT, lab.addr4('d1')), lab.mac('d1'));
      assert.equal(await lab.neighbour(CLIENT, lab.addr6('d2')), lab.mac('d2'));
    });

    const capture = await lab.capture(CLIENT, 'vrrp or arp');
    const d1 = lab.startKeepalived('d1', vrrpConfig(lab, 'd1', 150));
    const d2 = lab.startKeepalived('d2', vrrpConfig(lab, 'd2', 100));
    started.push(d1, d2);

    await t.test('the higher priority director becomes MASTER and holds the VIP', async () => {
      await d1.waitForLog(/\(VI_LAB\) Entering MASTER STATE/, 20_000);
      await d2.waitForLog(/\(VI_LAB\) Entering BACKUP STATE/, 20_000);
      await lab.waitForVip('d1', vip, true, 10_000);
      await lab.waitForVip('d2', vip, false, 10_000);
      /* keepalived -n forks one VRRP child (no checker child without virtual_server). */
      const vrrpPid = await d1.waitForVrrpChild();
      assert.deepEqual(d1.pids().sort(), [d1.pid, vrrpPid].sort());
      assert.ok(!d1.lines.some((l) => l.includes(AUTH_PASS)), 'auth_pass must not appear in the captured log');
    });

    await t.test("the client's neighbour entry for the VIP is the master's MAC, learnt from its GARP", async () => {
      await lab.waitForNeighbour(CLIENT, vip, lab.mac('d1'), 10_000);
      const pcap = await capture.stop();
      const adverts = await tsharkFields(pcap, ['eth.src', 'ip.src', 'ip.dst', 'ip.ttl', 'vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.auth_type', 'vrrp.ip_addr', 'vrrp.auth_string'], 'vrrp');
      const fromD1 = adverts.filter((r) => r[1] === lab.addr4('d1'));
      assert.ok(fromD1.length > 0, `no advert from d1 in ${JSON.stringify(adverts)} (${fs.statSync(pcap).size} bytes; tcpdump said: ${capture.output()})`);
      /* VRRPv2 advertisement (type 1), TTL 255 to 224.0.0.18, simple-text auth (type 1). */
      assert.deepEqual(fromD1[0], [lab.mac('d1'), lab.addr4('d1'), '224.0.0.18', '255', '2', '1', String(VRID), '150', '1', vip, AUTH_PASS]);
      const garps = await tsharkFields(pcap, ['eth.src', 'eth.dst', 'arp.opcode', 'arp.src.hw_mac'], `arp.src.proto_ipv4 == ${vip} && arp.dst.proto_ipv4 == ${vip}`);
      assert.ok(garps.length > 0, 'no gratuitous ARP for the VIP captured');
      for (const row of garps) assert.deepEqual(row, [lab.mac('d1'), 'ff:ff:ff:ff:ff:ff', '1', lab.mac('d1')]);
    });

    await t.test('dropVrrp both ways gives two masters (keepalived split brain); heal() restores one', async () => {
      const mark1 = d1.lines.length;
      const mark2 = d2.lines.length;
      await lab.dropVrrp('d1', 'd2');
      await lab.dropVrrp('d2', 'd1');
      await d2.waitForLog(/\(VI_LAB\) Entering MASTER STATE/, 20_000, mark2);
      await lab.waitForVip('d2', vip, true, 10_000);
      assert.ok(await lab.hasAddress('d1', vip), 'd1 lost the VIP during the partition');
      assert.ok(!d1.lines.slice(mark1).some((l) => /Entering (BACKUP|FAULT) STATE/.test(l)), 'd1 left MASTER during the partition');
      assert.ok((await lab.vrrpDropped('d2')) > 0, 'no advert from d1 was dropped at d2');
      assert.ok((await lab.vrrpDropped('d1')) > 0, 'no advert from d2 was dropped at d1');

      const healMark2 = d2.lines.length;
      await lab.heal();
      assert.equal(await lab.vrrpDropped('d1'), 0);
      /* d2 sees d1's higher priority and yields; d1, seeing a lower priority advert, re-sends its GARPs (garp_lower_prio_rep). */
      await d2.waitForLog(/\(VI_LAB\) Entering BACKUP STATE/, 15_000, healMark2);
      await lab.waitForVip('d2', vip, false, 10_000);
      assert.ok(await lab.hasAddress('d1', vip));
      await lab.waitForNeighbour(CLIENT, vip, lab.mac('d1'), 10_000);
    });

    await t.test('SIGKILL of the master (parent and VRRP child) moves the VIP to the backup', async () => {
      const probe = await lab.probeVip(CLIENT, vip, 50);
      await probe.waitFor((rs) => rs.some((r) => r.ok && r.responder === 'd1'), 10_000);
      const parent = d1.pid;
      const child = d1.vrrpPid();
      assert.ok(child !== undefined && alive(child));
      const mark2 = d2.lines.length;

      const killedAt = epochMs();
      const exit = await d1.kill();
      assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
      assert.ok(!alive(parent) && !alive(child), 'keepalived parent or VRRP child survived kill()');

      await d2.waitForLog(/\(VI_LAB\) Entering MASTER STATE/, 15_000, mark2);
      await lab.waitForVip('d2', vip, true, 15_000);
      const tookOverAt = epochMs();
      /* A crash, not a shutdown: no priority-0 advert reached d2. */
      assert.ok(!d2.lines.slice(mark2).some((l) => /received priority 0/.test(l)), 'd2 saw a priority-0 advert: the kill was a graceful stop');
      /* keepalived's VIPs outlive its SIGKILL: the dead master's kernel still holds (and answers for) the VIP. */
      assert.ok(await lab.hasAddress('d1', vip));
      await lab.waitForNeighbour(CLIENT, vip, lab.mac('d2'), 10_000);
      await probe.waitFor((rs) => rs.some((r) => r.ok && r.responder === 'd2' && r.sentAt > killedAt), 10_000);
      const results = await probe.stop();

      const firstD2 = results.find((r) => r.ok && r.responder === 'd2')!;
      assert.ok(results.filter((r) => r.sentAt < killedAt).every((r) => !r.ok || r.responder === 'd1'), 'someone other than d1 answered before the kill');
      assert.ok(results.filter((r) => r.seq > firstD2.seq).every((r) => !r.ok || r.responder === 'd2'), 'd1 answered after d2 took over');
      t.diagnostic(
        `takeover ${Math.round(tookOverAt - killedAt)} ms after SIGKILL; first probe answered by d2 sent ${Math.round(firstD2.sentAt - killedAt)} ms after it; ` +
          `${results.length} probes, outages ${JSON.stringify(probe.outages().map((o) => ({ lost: o.lost, ms: o.recoveredAt !== undefined && o.lastOkAt !== undefined ? Math.round(o.recoveredAt - o.lastOkAt) : null })))}`,
      );
    });

    await t.test('stop() is a graceful SIGTERM: keepalived exits 0 and releases the VIP', async () => {
      const family = d2.pids();
      assert.equal(family.length, 2);
      const exit = await d2.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(family.every((pid) => !alive(pid)));
      assert.equal(await lab.hasAddress('d2', vip), false);
    });
  } finally {
    names = lab.namespaceNames();
    const pids = started.flatMap((p) => [p.pid]);
    const runDir = lab.runDir;
    const problems = await lab.destroy();
    assert.deepEqual(problems, []);
    assertNothingLeft(names, pids, runDir);
  }
});

test('destroy() after a failing test kills the whole process tree by PID and removes everything', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['n1'], ipv6: false });
  const names = lab.namespaceNames();
  const runDir = lab.runDir;
  /* A shell with a background grandchild: kill() must reach descendants, not only the PID it started. */
  const proc = lab.startProcess('n1', ['sh', '-c', 'sleep 600 & echo "child $!"; wait']);
  const line = await proc.waitForLog(/^child \d+$/, 10_000);
  const grandchild = Number(line.split(' ')[1]);
  assert.ok(alive(grandchild));
  assert.deepEqual(proc.pids().sort(), [proc.pid, grandchild].sort());
  await assert.rejects(
    (async () => {
      try {
        throw new Error('the test failed');
      } finally {
        assert.deepEqual(await lab.destroy(), []);
      }
    })(),
    /the test failed/,
  );
  assertNothingLeft(names, [proc.pid, grandchild], runDir);
});

test('a test process that exits without destroy() still removes its lab (exit hook)', { skip }, async () => {
  const labUrl = new URL('./lab.js', import.meta.url).href;
  const script = `
    const { Lab } = await import(${JSON.stringify(labUrl)});
    const lab = await Lab.create({ nodes: ['n1'], ipv6: false });
    const proc = lab.startProcess('n1', ['sleep', '600']);
    await proc.waitForLog(/never/, 300).catch(() => {});
    console.log(JSON.stringify({ names: lab.namespaceNames(), pid: proc.pid, runDir: lab.runDir }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('.', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  const left = JSON.parse(r.stdout.trim().split('\n').pop()!) as { names: string[]; pid: number; runDir: string };
  assert.equal(left.names.length, 2);
  assertNothingLeft(left.names, [left.pid], left.runDir);
});

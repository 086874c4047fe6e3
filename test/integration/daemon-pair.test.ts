/**
 * Two keepalived-ts directors on one segment (network namespaces, root): election, crash and
 * link failover, graceful handover, preemption, nopreempt, preempt_delay, track_script, sync
 * groups, and a reload that changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason } from './lab.js';
import { configText, instanceBlock, startKts } from './daemon-lab.js';

const skip = labSkipReason();

async function withLab(fn: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false });
  try {
    await fn(lab);
  } finally {
    await lab.destroy();
  }
}

test('election by priority, crash failover, graceful handover and preemption back', { skip }, async () => {
  await withLab(async (lab) => {
    const vip = lab.v4(200);
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip}/24`], authPass: 'secret1' })]));
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [`${vip}/24`], authPass: 'secret1' })]));
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    await lab.waitForVip('d1', vip, true);
    assert.equal(await lab.hasAddress('d2', vip), false);
    const s1 = await d1.status();
    assert.equal(s1.instances[0]!.state, 'MASTER');
    assert.deepEqual(s1.instances[0]!.vips, [`${vip}/24`]);
    const s2 = await d2.status();
    assert.equal(s2.instances[0]!.state, 'BACKUP');
    assert.equal(s2.instances[0]!.masterAddress, lab.addr4('d1'));
    await lab.waitForNeighbour('client', vip, lab.mac('d1'));

    // crash: SIGKILL of every process of d1
    await d1.process.kill();
    await d2.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await lab.waitForVip('d2', vip, true);
    await lab.waitForNeighbour('client', vip, lab.mac('d2'));
    assert.ok(!d2.process.lines.some((l) => /priority 0/.test(l)), 'a crash sends no priority-0 advert');

    // d1 comes back with the higher priority: preempts
    const d1b = startKts(lab, 'd1', configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip}/24`], authPass: 'secret1' })]));
    await d1b.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await lab.waitForVip('d1', vip, true);
    await lab.waitForVip('d2', vip, false);

    // graceful stop: priority 0, d2 takes over at once, d1 releases the VIP and exits 0
    const exit = await d1b.process.stop();
    assert.equal(exit.code, 0);
    await lab.waitForVip('d2', vip, true);
    assert.equal(await lab.hasAddress('d1', vip), false);
    assert.ok(!d1b.process.lines.concat(d2.process.lines).some((l) => l.includes('secret1')), 'auth_pass never logged');
    const st = await d2.process.stop();
    assert.equal(st.code, 0);
    assert.equal(await lab.hasAddress('d2', vip), false);
  });
});

test('link down: the master goes to FAULT and the backup takes over; link up: preemption back', { skip }, async () => {
  await withLab(async (lab) => {
    const vip = lab.v4(201);
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ priority: 150, vips: [vip] })]));
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [vip] })]));
    await lab.waitForVip('d1', vip, true);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    await lab.linkDown('d1');
    await d1.process.waitForLog(/\(VI_1\) Entering FAULT STATE/, 15_000);
    await lab.waitForVip('d1', vip, false);
    await lab.waitForVip('d2', vip, true);
    assert.equal((await d1.status()).instances[0]!.state, 'FAULT');
    await lab.linkUp('d1');
    await lab.waitForVip('d1', vip, true);
    await lab.waitForVip('d2', vip, false);
    assert.equal((await d2.status()).instances[0]!.state, 'BACKUP');
  });
});

test('nopreempt keeps the running master; preempt_delay delays the takeover', { skip }, async () => {
  await withLab(async (lab) => {
    const vip = lab.v4(202);
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [vip] })]));
    await lab.waitForVip('d2', vip, true);
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ priority: 150, vips: [vip], extra: ['nopreempt'] })]));
    await d1.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    // several master-down intervals later d1 still has not taken over
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await d1.status()).instances[0]!.state, 'BACKUP');
    assert.equal(await lab.hasAddress('d2', vip), true);
    const ex = await d1.process.stop();
    assert.equal(ex.code, 0);

    // preempt_delay counts from start-up (keepalived's preempt_time): lower-priority adverts are
    // ignored until it ends, well past the master-down interval, then d1 takes over
    const d1b = startKts(lab, 'd1', configText([instanceBlock({ priority: 150, vips: [vip], extra: ['preempt_delay 10'] })]));
    await d1b.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await d1b.status()).instances[0]!.state, 'BACKUP');
    assert.equal(await lab.hasAddress('d2', vip), true);
    await d1b.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    const first = d1b.process.lines.findIndex((l) => /received lower priority \(100\) advert/.test(l));
    const master = d1b.process.lines.findIndex((l) => /Entering MASTER STATE/.test(l));
    assert.ok(first >= 0 && first < master, 'after the delay, the lower-priority master is preempted');
    await lab.waitForVip('d1', vip, true);
    await lab.waitForVip('d2', vip, false);
  });
});

test('track_script: a failing check demotes the master (weight), recovery restores it', { skip }, async () => {
  await withLab(async (lab) => {
    const vip = lab.v4(203);
    const flag = lab.writeFile('d1-fail.flag', '');
    const fs = await import('node:fs');
    fs.unlinkSync(flag);
    const script = `vrrp_script chk {\n    script "/usr/bin/test ! -e ${flag}"\n    interval 1\n    weight -60\n    fall 1\n    rise 1\n}\n`;
    const d1 = startKts(lab, 'd1', script + configText([instanceBlock({ priority: 150, vips: [vip], extra: ['track_script {', '    chk', '}'] })]));
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 120, vips: [vip] })]));
    await lab.waitForVip('d1', vip, true);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    fs.writeFileSync(flag, '1');
    await d1.process.waitForLog(/\(VI_1\) Changing effective priority from 150 to 90/, 15_000);
    await lab.waitForVip('d2', vip, true);
    await lab.waitForVip('d1', vip, false);
    assert.equal((await d1.status()).instances[0]!.effectivePriority, 90);
    fs.unlinkSync(flag);
    await d1.process.waitForLog(/\(VI_1\) Changing effective priority from 90 to 150/, 15_000);
    await lab.waitForVip('d1', vip, true);
    await lab.waitForVip('d2', vip, false);
  });
});

test('a sync group moves two VIPs together when one member faults', { skip }, async () => {
  await withLab(async (lab) => {
    const [va, vb] = [lab.v4(204), lab.v4(205)];
    const flag = lab.writeFile('d1-sg.flag', '');
    const fs = await import('node:fs');
    fs.unlinkSync(flag);
    const group = (extra: string) =>
      `vrrp_script chk {\n    script "/usr/bin/test ! -e ${flag}"\n    interval 1\n    fall 1\n    rise 1\n}\nvrrp_sync_group G {\n    group {\n        VA\n        VB\n    }\n}\n` + extra;
    const blocks = (p: number, track: boolean) => [
      instanceBlock({ name: 'VA', vrid: 61, priority: p, vips: [va], ...(track ? { extra: ['track_script {', '    chk', '}'] } : {}) }),
      instanceBlock({ name: 'VB', vrid: 62, priority: p, vips: [vb] }),
    ];
    const d1 = startKts(lab, 'd1', group('') + configText(blocks(150, true)));
    const d2 = startKts(lab, 'd2', group('') + configText(blocks(100, false)));
    await lab.waitForVip('d1', va, true);
    await lab.waitForVip('d1', vb, true);
    await d2.process.waitForLog(/\(VB\) Entering BACKUP STATE/, 15_000);
    fs.writeFileSync(flag, '1');
    await d1.process.waitForLog(/\(VA\) Entering FAULT STATE/, 15_000);
    await lab.waitForVip('d2', va, true);
    await lab.waitForVip('d2', vb, true);
    await lab.waitForVip('d1', vb, false);
    const st = await d1.status();
    assert.deepEqual(st.instances.map((i) => [i.name, i.state]), [['VA', 'FAULT'], ['VB', 'FAULT']]);
  });
});

test('SIGHUP with an unchanged config: no transition, no GARP, the VIP is never absent', { skip }, async () => {
  await withLab(async (lab) => {
    const vip = lab.v4(206);
    const conf = configText([instanceBlock({ priority: 150, vips: [vip] })]);
    const d1 = startKts(lab, 'd1', conf);
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [vip] })]));
    await lab.waitForVip('d1', vip, true);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    // let the initial GARP burst (garp_master_delay 1 s) finish
    await new Promise((r) => setTimeout(r, 2500));
    const monitor = lab.startProcess('d1', ['ip', '-o', 'monitor', 'address']);
    const cap = await lab.capture('client', 'arp');
    const before = d1.process.lines.length;
    d1.process.reload();
    await d1.process.waitForLog(/Reloading/, 15_000, before);
    await new Promise((r) => setTimeout(r, 3000));
    const pcap = await cap.stop();
    await monitor.stop();
    const { tsharkFields } = await import('./lab.js');
    const garps = (await tsharkFields(pcap, ['arp.src.proto_ipv4', 'arp.dst.proto_ipv4'])).filter((r) => r[0] === vip && r[1] === vip);
    assert.deepEqual(garps, [], 'no gratuitous ARP for the VIP after the reload');
    assert.ok(!monitor.lines.some((l) => l.startsWith('Deleted') && l.includes(vip)), monitor.lines.join('\n'));
    const after = d1.process.lines.slice(before);
    assert.ok(!after.some((l) => /Entering (MASTER|BACKUP|FAULT) STATE/.test(l)), after.join('\n'));
    assert.equal(await lab.hasAddress('d1', vip), true);
    assert.equal((await d1.status()).instances[0]!.state, 'MASTER');
  });
});

test('a VIP deleted behind the master\'s back is noticed (no_track VIPs are not)', { skip }, async () => {
  await withLab(async (lab) => {
    const [vip, loose] = [lab.v4(207), lab.v4(208)];
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ priority: 150, vips: [vip, `${loose} no_track`] })]));
    await lab.waitForVip('d1', vip, true);
    await lab.waitForVip('d1', loose, true);
    let from = d1.process.lines.length;
    await lab.exec('d1', 'ip', ['addr', 'del', `${loose}/32`, 'dev', 'eth0']);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!d1.process.lines.slice(from).some((l) => /Entering (BACKUP|FAULT) STATE/.test(l)), 'no_track: no transition');
    from = d1.process.lines.length;
    await lab.exec('d1', 'ip', ['addr', 'del', `${vip}/32`, 'dev', 'eth0']);
    await d1.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000, from);
    // alone on the segment, it becomes MASTER again and puts its VIPs back
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000, from);
    await lab.waitForVip('d1', vip, true);
  });
});

test('SIGHUP with a changed config: a new instance starts, a removed one stops and releases its VIP, the others stay', { skip }, async () => {
  await withLab(async (lab) => {
    const [va, vb] = [lab.v4(211), lab.v4(212)];
    const a = instanceBlock({ name: 'VA', vrid: 71, priority: 150, vips: [va] });
    const b = instanceBlock({ name: 'VB', vrid: 72, priority: 150, vips: [vb] });
    const d1 = startKts(lab, 'd1', configText([a]));
    await lab.waitForVip('d1', va, true);
    let from = d1.process.lines.length;
    d1.process.reload(configText([a, b]));
    await d1.process.waitForLog(/\(VB\) Entering MASTER STATE/, 15_000, from);
    await lab.waitForVip('d1', vb, true);
    assert.ok(!d1.process.lines.slice(from).some((l) => /\(VA\) Entering/.test(l)), 'VA untouched');
    from = d1.process.lines.length;
    d1.process.reload(configText([b]));
    await lab.waitForVip('d1', va, false);
    await d1.process.waitForLog(/Reloading/, 15_000, from);
    assert.equal(await lab.hasAddress('d1', vb), true);
    assert.ok(!d1.process.lines.slice(from).some((l) => /\(VB\) Entering/.test(l)), 'VB untouched');
    assert.deepEqual((await d1.status()).instances.map((i) => [i.name, i.state]), [['VB', 'MASTER']]);
  });
});

/**
 * VIP conflict detection on the wire (network namespaces, root): a keepalived-ts MASTER probes
 * its VIPs and notices another host holding one — a host given the address by hand (IPv4 and
 * IPv6), a plain keepalived 2.2.7 configured for the same VIP under another VRID, and the other
 * keepalived-ts director of a pair whose VRRP is dropped by nftables. Each time: the log line, the
 * status JSON (and text), the generic notify script's argv and the FIFO line; and the conflict
 * clears once the other holder lets go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, labSkipReason, pollFor } from './lab.js';
import { configText, instanceBlock, startKts, type RunningDirector } from './daemon-lab.js';
import { runCli } from '../cli/run.js';

const skip = labSkipReason();
const skipWithKeepalived = labSkipReason({ keepalived: true });

/** A probe every 0.5 s: a conflict shows within about a second and clears 1.5 s after the last answer. */
const PROBE = 'vip_conflict_probe_interval 0.5';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A notify script writing "$#:$*" lines and a FIFO reader, in a directory script security accepts. */
function notifyFiles(lab: Lab, name: string): { dir: string; script: string; argvFile: string; fifoGlobals: string[]; fifoFile: string } {
  const dir = path.join(lab.runDir, name);
  fs.mkdirSync(dir, { mode: 0o755 });
  const argvFile = path.join(dir, 'argv.txt');
  const fifoFile = path.join(dir, 'fifo.txt');
  const script = path.join(dir, 'notify.sh');
  const reader = path.join(dir, 'fifo-reader.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho "$#:$*" >> ${argvFile}\n`, { mode: 0o755 });
  fs.writeFileSync(reader, `#!/bin/sh\nexec cat "$1" >> ${fifoFile}\n`, { mode: 0o755 });
  return {
    dir,
    script,
    argvFile,
    fifoFile,
    fifoGlobals: ['script_user root', 'enable_script_security', `vrrp_notify_fifo ${path.join(dir, 'vrrp.fifo')}`, `vrrp_notify_fifo_script ${reader}`],
  };
}

const readLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function waitForFileLine(file: string, line: string, timeoutMs = 10_000): Promise<void> {
  await pollFor(async () => (readLines(file).includes(line) ? true : undefined), timeoutMs, 50, async () => `no line '${line}' in ${file}:\n${readLines(file).join('\n')}`);
}

async function conflictsOf(d: RunningDirector) {
  return (await d.status()).instances[0]!.conflicts!;
}

test('another host given the VIPs by hand: logged, in status, notify argv and FIFO line; removed: cleared', { skip, timeout: 120_000 }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'x'], ipv6: true });
  try {
    const [vip4, vip6] = [lab.v4(200), lab.v6(200)];
    const mac = lab.mac('x');
    const n = notifyFiles(lab, 'hand');
    const d1 = startKts(
      lab,
      'd1',
      configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip4}/24`], extra: [`notify ${n.script}`, 'virtual_ipaddress_excluded {', `    ${vip6}/64`, '}'] })], [PROBE, ...n.fifoGlobals]),
    );
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await lab.waitForVip('d1', vip4, true);
    await lab.waitForVip('d1', vip6, true);
    // a healthy master for a while: probes go out, nobody answers
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await conflictsOf(d1), { count: 0, active: [] });

    await lab.exec('x', 'ip', ['addr', 'add', `${vip4}/24`, 'dev', 'eth0']);
    await lab.exec('x', 'ip', ['addr', 'add', `${vip6}/64`, 'dev', 'eth0', 'nodad']);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip4)} is also held by ${mac} \\(ARP reply on eth0\\) - split brain\\?`), 10_000);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip6)} is also held by ${mac} \\(neighbour advert on eth0\\) - split brain\\?`), 10_000);

    const st = await conflictsOf(d1);
    assert.equal(st.count, 2);
    assert.deepEqual(st.active.map((c) => [c.address, c.mac]).sort(), [[vip4, mac], [vip6, mac]].sort());
    for (const c of st.active) assert.ok(Math.abs(Date.parse(c.since) - Date.now()) < 60_000, c.since);
    const text = runCli(['status', '--status-socket', d1.statusSocket]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^CONFLICT VI_1: VIP ${escape(vip4)} also held by ${mac} since \\d{4}-\\d\\d-\\d\\dT`, 'm'));

    await waitForFileLine(n.argvFile, `6:INSTANCE VI_1 CONFLICT 150 ${vip4} ${mac}`);
    await waitForFileLine(n.argvFile, `6:INSTANCE VI_1 CONFLICT 150 ${vip6} ${mac}`);
    await waitForFileLine(n.fifoFile, `INSTANCE "VI_1" CONFLICT 150 ${vip4} ${mac}`);
    // once per conflict: the argv file has exactly one line per VIP however many answers came
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(readLines(n.argvFile).filter((l) => l.includes('CONFLICT')).length, 2);

    const from = d1.process.lines.length;
    await lab.exec('x', 'ip', ['addr', 'del', `${vip4}/24`, 'dev', 'eth0']);
    await lab.exec('x', 'ip', ['addr', 'del', `${vip6}/64`, 'dev', 'eth0']);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip4)} conflict with ${mac} cleared$`), 10_000, from);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip6)} conflict with ${mac} cleared$`), 10_000, from);
    assert.deepEqual(await conflictsOf(d1), { count: 2, active: [] });
    assert.equal((await d1.status()).instances[0]!.state, 'MASTER', 'detection changes no state');
  } finally {
    await lab.destroy();
  }
});

test('plain keepalived 2.2.7 holding the same VIP under another VRID: seen, and cleared when it stops', { skip: skipWithKeepalived, timeout: 120_000 }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'ka'], ipv6: false });
  try {
    const vip = lab.v4(201);
    const mac = lab.mac('ka');
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ state: 'MASTER', priority: 150, vrid: 51, vips: [`${vip}/24`] })], [PROBE]));
    await lab.waitForVip('d1', vip, true);
    const ka = lab.startKeepalived('ka', configText([instanceBlock({ state: 'MASTER', priority: 100, vrid: 52, vips: [`${vip}/24`] })]));
    await ka.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    // keepalived's takeover GARPs, or its kernel's answer to our next probe, whichever comes first
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip)} is also held by ${mac} \\((gratuitous ARP|ARP reply) on eth0\\) - split brain\\?`), 10_000);
    assert.deepEqual((await conflictsOf(d1)).active.map((c) => [c.address, c.mac]), [[vip, mac]]);
    const from = d1.process.lines.length;
    await ka.stop();
    await lab.waitForVip('ka', vip, false);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip)} conflict with ${mac} cleared$`), 10_000, from);
    assert.deepEqual(await conflictsOf(d1), { count: 1, active: [] });
  } finally {
    await lab.destroy();
  }
});

test('two keepalived-ts directors with VRRP dropped by nftables: both MASTER, each reports the other; healed: both clear', { skip, timeout: 120_000 }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'd2'], ipv6: false });
  try {
    const vip = lab.v4(202);
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip}/24`] })], [PROBE]));
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [`${vip}/24`] })], [PROBE]));
    await lab.waitForVip('d1', vip, true);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await conflictsOf(d1), { count: 0, active: [] }, 'a healthy pair has no conflict');

    await lab.dropVrrp('d1', 'd2');
    await lab.dropVrrp('d2', 'd1');
    await d2.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await lab.waitForVip('d2', vip, true);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip)} is also held by ${lab.mac('d2')} .* - split brain\\?`), 10_000);
    await d2.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip)} is also held by ${lab.mac('d1')} .* - split brain\\?`), 10_000);
    assert.deepEqual((await conflictsOf(d1)).active.map((c) => c.mac), [lab.mac('d2')]);
    assert.deepEqual((await conflictsOf(d2)).active.map((c) => c.mac), [lab.mac('d1')]);
    assert.ok((await lab.vrrpDropped('d2')) > 0, 'the nft rules dropped VRRP');

    const [from1, from2] = [d1.process.lines.length, d2.process.lines.length];
    await lab.heal();
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000, from2);
    await d2.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip)} conflict with ${lab.mac('d1')} cleared \\(address released\\)`), 10_000, from2);
    await d1.process.waitForLog(new RegExp(`\\(VI_1\\) VIP ${escape(vip)} conflict with ${lab.mac('d2')} cleared$`), 10_000, from1);
    assert.deepEqual(await conflictsOf(d1), { count: 1, active: [] });
    assert.deepEqual(await conflictsOf(d2), { count: 1, active: [] });
  } finally {
    await lab.destroy();
  }
});

/**
 * The daemon's process model and signals on a real host (namespaces, root): signals sent to the
 * parent reach the VRRP child (USR1/USR2/JSON dumps), a killed VRRP child is respawned and takes
 * its VIP back, `keepalived-ts status` reads the status socket, and no secret leaks anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, labSkipReason, pollFor } from './lab.js';
import { configText, instanceBlock } from './daemon-lab.js';
import { CLI, runCli } from '../cli/run.js';
import { queryStatus } from '../../src/daemon/status-server.js';
import type { DaemonStatus } from '../../src/daemon/status.js';

const skip = labSkipReason();

async function waitForFile(file: string): Promise<string> {
  return pollFor(async () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined), 10_000, 100, async () => `${file} never appeared`);
}

test('dumps on signals to the parent, respawn of a killed VRRP child, status over the socket', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1'], ipv6: false });
  try {
    const vip = lab.v4(210);
    const dumps = path.join(lab.runDir, 'dumps');
    fs.mkdirSync(dumps);
    const sock = path.join(lab.runDir, 'd1.sock');
    const d1 = lab.startKeepalived('d1', configText([instanceBlock({ priority: 150, vips: [vip], authPass: 'hush2' })]), {
      command: [process.execPath, CLI],
      args: ['--status-socket', sock],
      env: { TMPDIR: dumps },
    });
    await d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await lab.waitForVip('d1', vip, true);

    process.kill(d1.pid, 'SIGUSR2');
    const stats = await waitForFile(path.join(dumps, 'keepalived.stats'));
    assert.match(stats, /^VRRP Instance: VI_1\n  Advertisements:\n    Received: 0\n    Sent: \d+\n  Became master: 1\n/);
    assert.equal(fs.statSync(path.join(dumps, 'keepalived.stats')).mode & 0o777, 0o600);
    process.kill(d1.pid, 36);
    const json = JSON.parse(await waitForFile(path.join(dumps, 'keepalived.json'))) as { data: { iname: string; state: number } }[];
    assert.equal(json[0]!.data.iname, 'VI_1');
    assert.equal(json[0]!.data.state, 2);
    process.kill(d1.pid, 'SIGUSR1');
    const data = await waitForFile(path.join(dumps, 'keepalived.data'));
    assert.match(data, /VRRP Instance = VI_1/);
    for (const text of [stats, JSON.stringify(json), data, d1.lines.join('\n')]) assert.ok(!text.includes('hush2'), 'auth_pass never shown');

    const cliText = runCli(['status', '--status-socket', sock]);
    assert.equal(cliText.status, 0);
    assert.match(cliText.stdout, /^NAME +VRID +INTERFACE +STATE .*\nVI_1 +51 +eth0 +MASTER +150 +150 /);
    const cliJson = JSON.parse(runCli(['status', '--json', '--status-socket', sock]).stdout) as DaemonStatus;
    assert.equal(cliJson.instances[0]!.state, 'MASTER');
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);

    // the VRRP child dies: the supervisor starts a new one, which takes the VIP back
    const child = d1.vrrpPid()!;
    const from = d1.lines.length;
    process.kill(child, 'SIGKILL');
    // keepalived's two lines: how the child ended, then what the parent does about it
    await d1.waitForLog(/(?:^|: )Keepalived_vrrp exited due to signal 9 \(Killed\) - has rlimit_rttime been exceeded\?$/, 15_000, from);
    await d1.waitForLog(new RegExp(`(?:^|: )VRRP child process\\(${child}\\) died: Respawning$`), 15_000, from);
    await d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000, from);
    await lab.waitForVip('d1', vip, true);
    const again = (await queryStatus(sock)) as DaemonStatus;
    assert.equal(again.instances[0]!.state, 'MASTER');
    assert.notEqual(d1.vrrpPid(), child);

    const exit = await d1.stop();
    assert.equal(exit.code, 0);
    assert.equal(await lab.hasAddress('d1', vip), false);
    assert.equal(fs.existsSync(sock), false);
    assert.equal(runCli(['status', '--status-socket', sock]).status, 3);
  } finally {
    await lab.destroy();
  }
});

test('without -n the daemon forks into the background: the command returns 0, the pidfile names a running daemon', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1'], ipv6: false });
  try {
    const vip = lab.v4(211);
    const conf = lab.writeFile('bg.conf', configText([instanceBlock({ priority: 150, vips: [vip] })]));
    const pidFile = path.join(lab.runDir, 'bg.pid');
    const sock = path.join(lab.runDir, 'bg.sock');
    const r = await lab.exec('d1', process.execPath, [CLI, '-G', '-f', conf, '-p', pidFile, '-r', pidFile + '.vrrp', '--status-socket', sock]);
    assert.equal(r.code, 0);
    const pid = Number((await waitForFile(pidFile)).trim());
    try {
      await lab.waitForVip('d1', vip, true);
      const st = (await queryStatus(sock)) as DaemonStatus;
      assert.equal(st.instances[0]!.state, 'MASTER');
      process.kill(pid, 'SIGTERM');
      await lab.waitForVip('d1', vip, false);
      await pollFor(async () => (fs.existsSync(pidFile) ? undefined : true), 10_000, 100, async () => 'the pidfile stays after stop');
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } finally {
    await lab.destroy();
  }
});

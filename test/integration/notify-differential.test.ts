/**
 * Notify scripts and the notify FIFO against keepalived 2.2.7 itself: the same config runs under
 * keepalived and under keepalived-ts on the same lab node, through start, MASTER and stop; the
 * argv every script received and the FIFO lines must be identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, labSkipReason, type KeepalivedProcess } from './lab.js';
import { CLI } from '../cli/run.js';

const skip = labSkipReason({ keepalived: true });

function notifyConfig(dir: string, vip: string): string {
  const script = path.join(dir, 'notify.sh');
  const reader = path.join(dir, 'fifo-reader.sh');
  return `global_defs {
    router_id lab
    script_user root
    enable_script_security
    vrrp_notify_fifo ${path.join(dir, 'vrrp.fifo')}
    vrrp_notify_fifo_script ${reader}
}

vrrp_sync_group G1 {
    group {
        VI_1
    }
    notify "${script} group-generic"
    notify_master "${script} group-master"
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    notify_master "${script} master 'two words'"
    notify_backup "${script} backup"
    notify_stop "${script} stop"
    notify "${script} generic"
    virtual_ipaddress {
        ${vip}
    }
}
`;
}

async function run(lab: Lab, name: string, kts: boolean): Promise<{ argv: string; fifo: string }> {
  const dir = path.join(lab.runDir, name);
  fs.mkdirSync(dir, { mode: 0o755 });
  const out = path.join(dir, 'argv.txt');
  const fifoOut = path.join(dir, 'fifo.txt');
  fs.writeFileSync(path.join(dir, 'notify.sh'), `#!/bin/sh\necho "$#:$*" >> ${out}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'fifo-reader.sh'), `#!/bin/sh\nexec cat "$1" >> ${fifoOut}\n`, { mode: 0o755 });
  const vip = lab.v4(220);
  const p: KeepalivedProcess = lab.startKeepalived('d1', notifyConfig(dir, vip), kts ? { command: [process.execPath, CLI], args: ['--status-socket', path.join(dir, 's.sock')] } : {});
  await p.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
  await lab.waitForVip('d1', vip, true);
  await new Promise((r) => setTimeout(r, 1000));
  await p.stop();
  await new Promise((r) => setTimeout(r, 1000));
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
  return { argv: read(out), fifo: read(fifoOut) };
}

test('notify scripts get exactly keepalived\'s argv, in its order, and the FIFO gets its lines', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1'], ipv6: false });
  try {
    const ka = await run(lab, 'keepalived', false);
    const kts = await run(lab, 'kts', true);
    // scripts run concurrently: compare as multisets of lines, and the FIFO (written in order) exactly
    const lines = (t: string) => t.split('\n').filter(Boolean).sort();
    assert.ok(lines(ka.argv).length >= 6, `keepalived ran its scripts: ${ka.argv}`);
    assert.deepEqual(lines(kts.argv), lines(ka.argv));
    assert.ok(ka.fifo.length > 0, 'keepalived wrote FIFO lines');
    // STOP lines race with the reader being terminated at shutdown (keepalived kills it first and
    // its STOP lines are lost; ours may arrive): compare every line before them, in order
    const running = (t: string) => t.split('\n').filter((l) => l && !/ STOP /.test(l));
    assert.deepEqual(running(kts.fifo), running(ka.fifo));
  } finally {
    await lab.destroy();
  }
});

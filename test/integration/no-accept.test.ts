/**
 * no_accept / vrrp_strict on a real host: the MASTER drops traffic for its VIPs with the same
 * nftables table keepalived 2.2.7 installs, and removes it at stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Lab, labSkipReason, type KeepalivedProcess } from './lab.js';
import { CLI } from '../cli/run.js';

const skip = labSkipReason({ keepalived: true });

const conf = (vip: string) => `global_defs {
    router_id lab
    vrrp_strict
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        ${vip}
    }
}
`;

async function ruleset(lab: Lab): Promise<string> {
  return (await lab.exec('d1', 'nft', ['list', 'ruleset'])).stdout;
}

test('vrrp_strict: the same drop table as keepalived while MASTER, gone after stop; the VIP does not answer', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1'], client: true, ipv6: false });
  try {
    const vip = lab.v4(230);
    const tables: string[] = [];
    for (const kts of [false, true]) {
      const p: KeepalivedProcess = lab.startKeepalived('d1', conf(vip), kts ? { command: [process.execPath, CLI], args: ['--status-socket', path.join(lab.runDir, 's.sock')] } : {});
      await p.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
      await lab.waitForVip('d1', vip, true);
      tables.push(await ruleset(lab));
      // UDP probes from the client, answered by an echo responder on d1: the VIP is dropped, d1's own address is not
      const probeVip = await lab.probeVip('client', vip, 50, { timeoutMs: 300 });
      const probeOwn = await lab.probeVip('client', lab.addr4('d1'), 50, { timeoutMs: 300 });
      await probeOwn.waitFor((r) => r.filter((x) => x.ok).length >= 5, 15_000);
      await probeVip.waitFor((r) => r.length >= 10, 15_000);
      await probeVip.stop();
      await probeOwn.stop();
      assert.equal(probeVip.results().filter((x) => x.ok).length, 0, `the VIP is not answered in no_accept mode (${kts ? 'keepalived-ts' : 'keepalived'})`);
      await p.stop();
      assert.equal((await ruleset(lab)).trim(), '', 'table removed at stop');
    }
    assert.match(tables[0]!, /table ip keepalived/);
    assert.equal(tables[1], tables[0]);
  } finally {
    await lab.destroy();
  }
});

/**
 * `npm start`: keepalived-ts on one machine. Builds a small lab in network namespaces — two
 * directors running the keepalived-ts daemon with the seed's (fixed) VRRP config and a client on
 * the same segment — shows who holds the VIP, the status the daemon reports, a crash of the
 * master and the failover the client sees, then removes everything. Needs root.
 */
import { CLI } from '../test/cli/run.js';
import { Lab, labSkipReason, type KeepalivedProcess } from '../test/integration/lab.js';
import { queryStatus } from '../src/daemon/status-server.js';
import { renderStatusText, type DaemonStatus } from '../src/daemon/status.js';
import * as path from 'node:path';

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function directorConfig(n: 1 | 2, vip: string): string {
  return `global_defs {
   router_id LVS_0${n}
   vrrp_skip_check_adv_addr
}

vrrp_instance VI_1 {
    state ${n === 1 ? 'MASTER' : 'BACKUP'}
    interface eth0
    virtual_router_id 51
    priority ${n === 1 ? 100 : 90}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        ${vip}
    }
}
`;
}

async function main(): Promise<number> {
  const why = labSkipReason();
  if (why) {
    process.stderr.write(`npm start builds a lab in network namespaces and ${why}.\n` + `As root: sudo npm start\n`);
    return 1;
  }
  say('Building the lab: a segment with directors d1, d2 and a client, each in its own network namespace …');
  const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: false });
  const stop = () => void lab.destroy().then(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    const vip = lab.v4(200);
    say(`  d1 ${lab.addr4('d1')}  d2 ${lab.addr4('d2')}  client ${lab.addr4('client')}  VIP ${vip}`);
    const sockets = { d1: path.join(lab.runDir, 'd1.sock'), d2: path.join(lab.runDir, 'd2.sock') };
    const start = (node: 'd1' | 'd2'): KeepalivedProcess =>
      lab.startKeepalived(node, directorConfig(node === 'd1' ? 1 : 2, vip), { command: [process.execPath, CLI], args: ['--status-socket', sockets[node]] });
    say('\nStarting keepalived-ts on both directors (priority 100 on d1, 90 on d2) …');
    const d1 = start('d1');
    const d2 = start('d2');
    await d1.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await lab.waitForVip('d1', vip, true);
    await lab.waitForNeighbour('client', vip, lab.mac('d1'));
    say(`d1 is MASTER and holds ${vip}; the client's ARP entry for it points at d1 (${lab.mac('d1')}).`);
    say('\n$ keepalived-ts status   (on d1)');
    process.stdout.write(renderStatusText((await queryStatus(sockets.d1)) as DaemonStatus));
    say('$ keepalived-ts status   (on d2)');
    process.stdout.write(renderStatusText((await queryStatus(sockets.d2)) as DaemonStatus));

    const probe = await lab.probeVip('client', vip, 20);
    await probe.waitFor((r) => r.some((x) => x.ok), 10_000);
    say('\nThe client sends a UDP probe to the VIP every 20 ms. Crashing d1 (SIGKILL, link down) …');
    await Promise.all([d1.kill(), lab.linkDown('d1')]);
    await d2.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await lab.waitForVip('d2', vip, true);
    await lab.waitForNeighbour('client', vip, lab.mac('d2'));
    await probe.waitFor((r) => r.length > 0 && r[r.length - 1]!.ok, 10_000);
    await probe.stop();
    const longest = probe.outages().reduce((m, o) => Math.max(m, (o.recoveredAt ?? o.lastLostAt) - (o.lastOkAt ?? o.firstLostAt)), 0);
    say(`d2 took over: it holds ${vip} and the client's ARP entry now points at d2 (${lab.mac('d2')}).`);
    say(`The client saw an outage of ${(longest / 1000).toFixed(2)} s (about three advert intervals plus skew, as VRRP specifies).`);
    say('\n$ keepalived-ts status   (on d2)');
    process.stdout.write(renderStatusText((await queryStatus(sockets.d2)) as DaemonStatus));
    say('\nd2 log:');
    for (const l of d2.lines) say(`  ${l}`);
    const exit = await d2.stop();
    say(`\nd2 stopped gracefully (exit ${exit.code}); the VIP is ${(await lab.hasAddress('d2', vip)) ? 'still held' : 'released'}.`);
    return 0;
  } finally {
    say('Removing the lab …');
    const problems = await lab.destroy();
    for (const p of problems) process.stderr.write(`cleanup: ${p}\n`);
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`lab failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);

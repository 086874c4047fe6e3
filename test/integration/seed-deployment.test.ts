/**
 * The seed's deployment, fixed, in the lab (network namespaces, root): two keepalived-ts directors
 * share VI_1 and serve virtual_server VIP:8080 (rr, NAT, TCP_CHECK) through the user-space proxy
 * to two real servers, each a tiny HTTP server answering its own name. A client on the segment
 * sees rr alternation through the MASTER; a real server that stops is removed after its retries
 * and one that returns is added back; losing quorum switches to the sorry server and back; a
 * failover of the VRRP master moves the service to the other director.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason, runCommand, type LabProcess } from './lab.js';
import { configText, instanceBlock, startKts, type RunningDirector } from './daemon-lab.js';
import { CLI } from '../cli/run.js';
import type { LvsJson } from '../../src/dataplane/proxy/lvs-text.js';
import type { DaemonStatus } from '../../src/daemon/status.js';

const skip = labSkipReason();

/** A real server: answers every HTTP request with its name, then closes. */
const REAL_SERVER = `import http from 'node:http';
const [name, port] = process.argv.slice(2);
http.createServer((req, res) => { res.setHeader('Connection', 'close'); res.end(name + '\\n'); })
  .listen(Number(port), '0.0.0.0', () => console.log('listening ' + name));
`;

/** A client: COUNT requests in a row, each on a new connection; prints the answers (or ERR) as JSON. */
const CLIENT = `import http from 'node:http';
const [host, port, count] = process.argv.slice(2);
const out = [];
for (let i = 0; i < Number(count); i++) {
  out.push(await new Promise((resolve) => {
    const req = http.get({ host, port: Number(port), path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve('ERR ' + (e.code ?? e.message)));
  }));
}
console.log(JSON.stringify(out));
`;

const PORT = 8080;

interface Scripts {
  readonly server: string;
  readonly client: string;
}

function writeScripts(lab: Lab): Scripts {
  return { server: lab.writeFile('real-server.mjs', REAL_SERVER), client: lab.writeFile('client.mjs', CLIENT) };
}

async function startRealServer(lab: Lab, scripts: Scripts, node: string): Promise<LabProcess> {
  const p = lab.startProcess(node, [process.execPath, scripts.server, node, String(PORT)]);
  await p.waitForLog(/^listening /, 10_000);
  return p;
}

async function requests(lab: Lab, scripts: Scripts, vip: string, count: number): Promise<string[]> {
  const r = await lab.exec('client', process.execPath, [scripts.client, vip, String(PORT), String(count)], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** Poll the client until `accept` holds for a batch of answers. */
async function untilAnswers(lab: Lab, scripts: Scripts, vip: string, count: number, accept: (a: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < end) {
    last = await requests(lab, scripts, vip, count);
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`client answers never matched; last: ${JSON.stringify(last)}`);
}

const alternates = (a: readonly string[], x: string, y: string) =>
  a.every((v) => v === x || v === y) && a.every((v, i) => i === 0 || v !== a[i - 1]);

async function lvsJson(d: RunningDirector): Promise<LvsJson> {
  const r = await runCommand(process.execPath, [CLI, 'lvs', '--json', '--status-socket', d.statusSocket]);
  if (r.code !== 0) throw new Error(`keepalived-ts lvs failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as LvsJson;
}

function virtualServerBlock(vip: string, realServers: readonly string[], extra: readonly string[] = []): string {
  const rs = realServers.map(
    (a) => `    real_server ${a} ${PORT} {\n        weight 1\n        TCP_CHECK {\n            connect_timeout 1\n            retry 1\n            delay_before_retry 1\n        }\n    }\n`,
  );
  return `virtual_server ${vip} ${PORT} {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n${extra.map((x) => `    ${x}\n`).join('')}${rs.join('')}}\n`;
}

test('seed deployment: rr through the MASTER, a real server removed and re-added, failover moves the service', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'd2', 'rs1', 'rs2'], client: true, ipv6: false });
  try {
    const scripts = writeScripts(lab);
    const vip = lab.v4(200);
    const [a1, a2] = [lab.addr4('rs1'), lab.addr4('rs2')];
    let rs1 = await startRealServer(lab, scripts, 'rs1');
    await startRealServer(lab, scripts, 'rs2');
    const vs = virtualServerBlock(vip, [a1, a2]);
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip}/24`], authPass: '1111' }), vs]));
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [`${vip}/24`], authPass: '1111' }), vs]));
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    await d1.process.waitForLog(new RegExp(`proxy: listening on TCP ${vip.replace(/\./g, '\\.')}:${PORT}`), 15_000);
    // (on a loaded machine d2 may win the first election for a moment before d1 preempts it: look at its last word)
    await d2.process.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 15_000);
    const servesVip = () => {
      const said = d2.process.lines.filter((l) => /proxy: (stopped )?listening on/.test(l));
      return said.length > 0 && !said[said.length - 1]!.includes('stopped');
    };
    const { pollFor } = await import('./lab.js');
    await pollFor(async () => (servesVip() ? undefined : true), 15_000, 100, async () => d2.process.tail());
    assert.equal((await d2.status()).instances[0]!.state, 'BACKUP');
    assert.ok(!servesVip(), 'the BACKUP does not serve the VIP');

    // rr: the answers alternate between the two real servers
    const first = await untilAnswers(lab, scripts, vip, 6, (a) => alternates(a, 'rs1', 'rs2'));
    assert.equal(new Set(first).size, 2);
    let table = await lvsJson(d1);
    assert.equal(table.dataPlane, 'proxy');
    assert.deepEqual(table.services.map((s) => s.id), [`TCP ${vip}:${PORT}`]);
    assert.deepEqual(table.services[0]!.destinations.map((d) => d.address).sort(), [a1, a2].sort());
    assert.ok(table.services[0]!.connections >= 6);

    const status = (await d1.status()) as DaemonStatus;
    assert.equal(status.instances[0]!.state, 'MASTER');
    assert.deepEqual(status.virtualServers, [
      {
        id: `[${vip}]:tcp:${PORT}`,
        services: [`TCP ${vip}:${PORT}`],
        quorum: 'up',
        sorryServer: null,
        realServers: [
          { address: a1, port: PORT, alive: true, weight: 1 },
          { address: a2, port: PORT, alive: true, weight: 1 },
        ],
      },
    ]);

    // rs1 stops: TCP_CHECK fails, one retry, then rs1 leaves the pool
    let from = d1.process.lines.length;
    await rs1.stop();
    await d1.process.waitForLog(new RegExp(`TCP_CHECK on service \\[${a1}\\]:tcp:${PORT} failed after 1 retries\\.`), 15_000, from);
    await d1.process.waitForLog(new RegExp(`Removing service \\[${a1}\\]:tcp:${PORT} from VS \\[${vip}\\]:tcp:${PORT}`), 15_000, from);
    table = await lvsJson(d1);
    assert.deepEqual(table.services[0]!.destinations.map((d) => d.address), [a2]);
    assert.deepEqual(await requests(lab, scripts, vip, 4), ['rs2', 'rs2', 'rs2', 'rs2']);
    const down = (await d1.status()).virtualServers![0]!.realServers.map((r) => r.alive);
    assert.deepEqual(down, [false, true]);

    // rs1 returns: added back, rr again
    from = d1.process.lines.length;
    rs1 = await startRealServer(lab, scripts, 'rs1');
    await d1.process.waitForLog(new RegExp(`Adding service \\[${a1}\\]:tcp:${PORT} to VS \\[${vip}\\]:tcp:${PORT}`), 15_000, from);
    await untilAnswers(lab, scripts, vip, 4, (a) => alternates(a, 'rs1', 'rs2'));
    const before = await lvsJson(d1);
    assert.equal(before.services[0]!.destinations.length, 2);

    // SIGHUP with the same config: the checkers keep their state, the service keeps its counters
    from = d1.process.lines.length;
    d1.process.reload();
    await d1.process.waitForLog(/Reloading/, 15_000, from);
    await new Promise((r) => setTimeout(r, 2500));
    const reloaded = d1.process.lines.slice(from);
    assert.ok(!reloaded.some((l) => /(Adding|Removing) service|quorum|proxy: (stopped )?listening/.test(l)), reloaded.join('\n'));
    const after = await lvsJson(d1);
    assert.equal(after.services[0]!.destinations.length, 2);
    assert.ok(after.services[0]!.connections >= before.services[0]!.connections, 'the same service, counters kept');

    // failover: the master stops; the backup takes the VIP and its proxy starts listening
    from = d2.process.lines.length;
    const exit = await d1.process.stop();
    assert.equal(exit.code, 0);
    await d2.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000, from);
    await d2.process.waitForLog(new RegExp(`proxy: listening on TCP ${vip.replace(/\./g, '\\.')}:${PORT}`), 15_000, from);
    await untilAnswers(lab, scripts, vip, 4, (a) => alternates(a, 'rs1', 'rs2'));
    assert.ok((await lvsJson(d2)).services[0]!.connections >= 4);
    assert.ok(!d1.process.lines.concat(d2.process.lines).some((l) => l.includes('auth_pass 1111')), 'auth_pass never logged');
    assert.equal((await d2.process.stop()).code, 0);
  } finally {
    await lab.destroy();
  }
});

test('seed deployment with quorum 2: the sorry server serves while a real server is down', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'rs1', 'rs2', 'sorry'], client: true, ipv6: false });
  try {
    const scripts = writeScripts(lab);
    const vip = lab.v4(201);
    const [a1, a2, as] = [lab.addr4('rs1'), lab.addr4('rs2'), lab.addr4('sorry')];
    let rs1 = await startRealServer(lab, scripts, 'rs1');
    await startRealServer(lab, scripts, 'rs2');
    await startRealServer(lab, scripts, 'sorry');
    const vs = virtualServerBlock(vip, [a1, a2], ['quorum 2', `sorry_server ${as} ${PORT}`]);
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip}/24`] }), vs]));
    await d1.process.waitForLog(new RegExp(`proxy: listening on TCP ${vip.replace(/\./g, '\\.')}:${PORT}`), 15_000);
    await untilAnswers(lab, scripts, vip, 4, (a) => alternates(a, 'rs1', 'rs2'));

    let from = d1.process.lines.length;
    await rs1.stop();
    await d1.process.waitForLog(new RegExp(`Lost quorum 2-0=2 > 1 for VS \\[${vip}\\]:tcp:${PORT}`), 15_000, from);
    await d1.process.waitForLog(new RegExp(`Adding sorry server \\[${as}\\]:tcp:${PORT} to VS \\[${vip}\\]:tcp:${PORT}`), 15_000, from);
    assert.deepEqual(await requests(lab, scripts, vip, 3), ['sorry', 'sorry', 'sorry']);
    assert.deepEqual((await lvsJson(d1)).services[0]!.destinations.map((d) => d.address), [as]);
    const vsStatus = (await d1.status()).virtualServers![0]!;
    assert.equal(vsStatus.quorum, 'down');
    assert.deepEqual(vsStatus.sorryServer, { address: as, port: PORT, active: true });

    from = d1.process.lines.length;
    rs1 = await startRealServer(lab, scripts, 'rs1');
    await d1.process.waitForLog(new RegExp(`Gained quorum 2\\+0=2 <= 2 for VS \\[${vip}\\]:tcp:${PORT}`), 15_000, from);
    await d1.process.waitForLog(new RegExp(`Removing sorry server \\[${as}\\]:tcp:${PORT} from VS \\[${vip}\\]:tcp:${PORT}`), 15_000, from);
    await untilAnswers(lab, scripts, vip, 4, (a) => alternates(a, 'rs1', 'rs2'));
    assert.deepEqual((await lvsJson(d1)).services[0]!.destinations.map((d) => d.address).sort(), [a1, a2].sort());
    assert.equal((await d1.status()).virtualServers![0]!.quorum, 'up');
    assert.equal((await d1.process.stop()).code, 0);
  } finally {
    await lab.destroy();
  }
});

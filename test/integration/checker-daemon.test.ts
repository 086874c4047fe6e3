/**
 * The health-checker child inside the running daemon (network namespaces, root): one director d1
 * holds VI_1 (VIP1) and serves virtual_server VIP1:8080 (omega, quorum_up/quorum_down, two real
 * servers with notify_down) and virtual_server VIP2:9090 (ha_suspend; VIP2 belongs to no VRRP
 * instance, the test adds and removes it by hand). Real servers are tiny HTTP servers that print
 * every accepted connection, so the checks they receive can be counted.
 *
 * Proved here, on one lab and one daemon in order: a SIGKILLed checker child is respawned while
 * the VRRP child carries on untouched and the new child serves again; ha_suspend keeps the
 * checkers of VIP2 quiet until VIP2 arrives, and quiet again when it leaves; SIGTERM with omega
 * runs exactly keepalived's shutdown notifies and closes the data plane. Then a second daemon
 * with -R shows that a dead checker child takes the whole daemon down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, labSkipReason, pollFor, runCommand, sleep, type LabProcess } from './lab.js';
import { configText, instanceBlock, startKts, type RunningDirector } from './daemon-lab.js';
import { CLI } from '../cli/run.js';
import type { DaemonStatus } from '../../src/daemon/status.js';

const skip = labSkipReason();

const WEB_PORT = 8080;
const SUSPEND_PORT = 9090;
/** Long enough for several delay_loop 1 s checks (and the 1 s bootstrap delay) to have been due. */
const QUIET_WINDOW_MS = 3500;

/** A real server: answers every HTTP request with its name; prints each accepted connection. */
const REAL_SERVER = `import http from 'node:http';
const [name, port] = process.argv.slice(2);
const server = http.createServer((req, res) => { res.setHeader('Connection', 'close'); res.end(name + '\\n'); });
server.on('connection', (s) => console.log('conn ' + s.remoteAddress));
server.listen(Number(port), '0.0.0.0', () => console.log('listening ' + name));
`;

/** A client: COUNT requests, each on a new connection; prints the answers (or ERR code) as JSON. */
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
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve('ERR ' + (e.code ?? e.message)));
  }));
}
console.log(JSON.stringify(out));
`;

/** The log line without its "%c: " timestamp (keepalived's console format). */
function message(line: string): string {
  return line.replace(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /, '');
}

function messages(p: LabProcess, from = 0): string[] {
  return p.lines.slice(from).map(message);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A log line that is exactly `text` (after the timestamp). */
const exactly = (text: string): RegExp => new RegExp(`^(?:\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}: )?${escape(text)}$`);

/** Direct children of `pid` with the first word of their command line (a Node process's title). */
function childrenOf(pid: number): { pid: number; title: string }[] {
  const out: { pid: number; title: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== pid || state === 'Z') continue;
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]!;
      out.push({ pid: Number(entry), title });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return false;
  }
}

/** The supervisor's child with this process title, waited for (and not `not`: the one killed before). */
async function childWithTitle(supervisor: LabProcess, title: string, not?: number): Promise<number> {
  return pollFor(
    async () => {
      const found = childrenOf(supervisor.pid).filter((c) => c.title === title && c.pid !== not);
      return found.length === 1 ? found[0]!.pid : undefined;
    },
    15_000,
    100,
    async () => `no single '${title}' child of ${supervisor.pid}: ${JSON.stringify(childrenOf(supervisor.pid))}\n${supervisor.tail()}`,
  );
}

const connections = (rs: LabProcess): number => rs.lines.filter((l) => l.startsWith('conn ')).length;

test('the health-checker child in the daemon: respawn after a crash, ha_suspend, stop with omega, -R', { skip }, async (t) => {
  const lab = await Lab.create({ nodes: ['d1', 'rs1', 'rs2', 'rs3'], client: true, ipv6: false });
  try {
    const server = lab.writeFile('real-server.mjs', REAL_SERVER);
    const client = lab.writeFile('client.mjs', CLIENT);
    const scriptDir = path.join(lab.runDir, 'scripts');
    fs.mkdirSync(scriptDir, { mode: 0o755 });
    const argvFile = path.join(scriptDir, 'argv.txt');
    const notify = path.join(scriptDir, 'notify.sh');
    fs.writeFileSync(notify, `#!/bin/sh\necho "$0 $@" >> ${argvFile}\n`, { mode: 0o755 });
    const argvLines = (): string[] => (fs.existsSync(argvFile) ? fs.readFileSync(argvFile, 'utf8').split('\n').filter(Boolean) : []);

    const vip1 = lab.v4(200);
    const vip2 = lab.v4(201);
    const [a1, a2, a3] = [lab.addr4('rs1'), lab.addr4('rs2'), lab.addr4('rs3')];
    const startServer = async (node: string, port: number): Promise<LabProcess> => {
      const p = lab.startProcess(node, [process.execPath, server, node, String(port)]);
      await p.waitForLog(/^listening /, 10_000);
      return p;
    };
    await startServer('rs1', WEB_PORT);
    await startServer('rs2', WEB_PORT);
    const rs3 = await startServer('rs3', SUSPEND_PORT);

    const requests = async (vip: string, port: number, count: number): Promise<string[]> => {
      const r = await lab.exec('client', process.execPath, [client, vip, String(port), String(count)], { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`client failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as string[];
    };
    const untilAnswers = async (vip: string, port: number, count: number, accept: (a: string[]) => boolean): Promise<string[]> => {
      let last: string[] = [];
      return pollFor(
        async () => {
          last = await requests(vip, port, count);
          return accept(last) ? last : undefined;
        },
        15_000,
        300,
        async () => `answers through ${vip}:${port} never matched; last: ${JSON.stringify(last)}`,
      );
    };
    const alternates = (a: readonly string[]) => a.every((v) => v === 'rs1' || v === 'rs2') && a.every((v, i) => i === 0 || v !== a[i - 1]);
    const statusJson = async (d: RunningDirector): Promise<DaemonStatus> => {
      const r = await runCommand(process.execPath, [CLI, 'status', '--json', '--status-socket', d.statusSocket]);
      if (r.code !== 0) throw new Error(`keepalived-ts status --json failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as DaemonStatus;
    };
    const addVip2 = () => lab.exec('d1', 'ip', ['addr', 'add', `${vip2}/24`, 'dev', 'eth0']);
    const delVip2 = () => lab.exec('d1', 'ip', ['addr', 'del', `${vip2}/24`, 'dev', 'eth0']);

    const tcpCheck = '        TCP_CHECK {\n            connect_timeout 1\n            retry 1\n            delay_before_retry 1\n        }\n';
    const web = [
      `virtual_server ${vip1} ${WEB_PORT} {`,
      '    delay_loop 1',
      '    lb_algo rr',
      '    lb_kind NAT',
      '    protocol TCP',
      '    omega',
      `    quorum_up "${notify} quorum_up vs1"`,
      `    quorum_down "${notify} quorum_down vs1"`,
      ...[
        [a1, 'rs1'],
        [a2, 'rs2'],
      ].map(([a, n]) => `    real_server ${a} ${WEB_PORT} {\n        weight 1\n        notify_down "${notify} notify_down ${n}"\n${tcpCheck}    }`),
      '}',
      '',
    ].join('\n');
    const suspended = [
      `virtual_server ${vip2} ${SUSPEND_PORT} {`,
      '    delay_loop 1',
      '    lb_algo rr',
      '    lb_kind NAT',
      '    protocol TCP',
      '    ha_suspend',
      `    quorum_up "${notify} quorum_up vs2"`,
      `    quorum_down "${notify} quorum_down vs2"`,
      `    real_server ${a3} ${SUSPEND_PORT} {\n        weight 1\n        notify_down "${notify} notify_down rs3"\n${tcpCheck}    }`,
      '}',
      '',
    ].join('\n');
    const config = configText([instanceBlock({ state: 'MASTER', priority: 150, vips: [`${vip1}/24`] }), web, suspended], ['script_user root', 'enable_script_security']);

    const vs1 = `[${vip1}]:tcp:${WEB_PORT}`;
    const vs2 = `[${vip2}]:tcp:${SUSPEND_PORT}`;
    const rs3Text = `[${a3}]:tcp:${SUSPEND_PORT}`;
    const listeningOn = (vip: string, port: number) => exactly(`proxy: listening on TCP ${vip}:${port}`);

    const d1 = startKts(lab, 'd1', config);
    const sup = d1.process;
    await sup.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await sup.waitForLog(listeningOn(vip1, WEB_PORT), 15_000);
    await sup.waitForLog(exactly(`Deactivating healthchecker for service ${rs3Text} for VS ${vs2}`), 15_000);
    const deactivatedAt = Date.now();
    for (const [a, vs] of [[a1, vs1], [a2, vs1]] as const)
      assert.ok(messages(sup).includes(`Activating healthchecker for service [${a}]:tcp:${WEB_PORT} for VS ${vs}`), sup.tail(40));

    await t.test('a SIGKILLed checker child is respawned; the VRRP child is untouched; the new child serves again', async () => {
      const checker = await childWithTitle(sup, 'keepalived-ts: checker');
      const vrrp = await childWithTitle(sup, 'keepalived-ts: vrrp');
      assert.equal(Number(fs.readFileSync(sup.checkersPidFile, 'utf8').trim()), checker, 'the -c pidfile names the checker child');
      assert.equal(d1.process.vrrpPid(), vrrp, 'the -r pidfile names the VRRP child');
      assert.ok(alternates(await untilAnswers(vip1, WEB_PORT, 4, alternates)));

      const from = sup.lines.length;
      process.kill(checker, 'SIGKILL');
      await sup.waitForLog(exactly('Keepalived_healthcheckers exited due to signal 9 (Killed) - has rlimit_rttime been exceeded?'), 15_000, from);
      await sup.waitForLog(exactly(`Healthcheck child process(${checker}) died: Respawning`), 15_000, from);
      const next = await childWithTitle(sup, 'keepalived-ts: checker', checker);
      await sup.waitForLog(exactly(`Starting Healthcheck child process, pid=${next}`), 15_000, from);
      await sup.waitForLog(listeningOn(vip1, WEB_PORT), 15_000, from);
      await pollFor(async () => (Number(fs.readFileSync(sup.checkersPidFile, 'utf8').trim()) === next ? true : undefined), 10_000, 100, async () => 'the new checker child never wrote its pidfile');

      // clients are answered through the new child's proxy, in rr again
      assert.ok(alternates(await untilAnswers(vip1, WEB_PORT, 4, alternates)));
      const status = await pollFor(
        async () => statusJson(d1).catch(() => undefined),
        10_000,
        200,
        async () => 'keepalived-ts status --json never answered after the respawn',
      );
      assert.deepEqual(status.virtualServers, [
        {
          id: vs1,
          services: [`TCP ${vip1}:${WEB_PORT}`],
          quorum: 'up',
          sorryServer: null,
          realServers: [
            { address: a1, port: WEB_PORT, alive: true, weight: 1 },
            { address: a2, port: WEB_PORT, alive: true, weight: 1 },
          ],
        },
        {
          id: vs2,
          services: [`TCP ${vip2}:${SUSPEND_PORT}`],
          quorum: 'up',
          sorryServer: null,
          realServers: [{ address: a3, port: SUSPEND_PORT, alive: true, weight: 1 }],
        },
      ]);
      assert.equal(status.instances[0]!.state, 'MASTER');

      // the VRRP child never noticed: same process, no transition, the VIP stayed
      assert.equal(d1.process.vrrpPid(), vrrp);
      assert.ok(alive(vrrp));
      assert.deepEqual(childrenOf(sup.pid).map((c) => c.pid).sort(), [vrrp, next].sort());
      assert.deepEqual(messages(sup, from).filter((l) => /Entering \w+ STATE|VRRP child process/.test(l)), []);
      assert.equal(await lab.hasAddress('d1', vip1), true);
      assert.equal(status.instances[0]!.lastTransition?.to, 'MASTER');
    });

    await t.test('ha_suspend: no checks while VIP2 is absent, checks while it is here, none again once it leaves', async () => {
      // VIP2 has been absent since start (through the respawn): rs3 has never been checked
      await sleep(Math.max(0, deactivatedAt + QUIET_WINDOW_MS - Date.now()));
      assert.equal(connections(rs3), 0, 'no check reached rs3 while suspended');
      assert.ok(messages(sup).includes(`Deactivating healthchecker for service ${rs3Text} for VS ${vs2}`));

      let from = sup.lines.length;
      assert.equal((await addVip2()).code, 0);
      await sup.waitForLog(exactly(`Activating healthchecker for service ${rs3Text} for VS ${vs2}`), 15_000, from);
      await sup.waitForLog(listeningOn(vip2, SUSPEND_PORT), 15_000, from);
      await pollFor(async () => (connections(rs3) >= 2 ? true : undefined), 15_000, 100, async () => `rs3 saw ${connections(rs3)} checks after VIP2 arrived`);

      from = sup.lines.length;
      assert.equal((await delVip2()).code, 0);
      await sup.waitForLog(exactly(`Suspending healthchecker for service ${rs3Text} for VS ${vs2}`), 15_000, from);
      await sup.waitForLog(exactly(`proxy: stopped listening on TCP ${vip2}:${SUSPEND_PORT}`), 15_000, from);
      // a check already under way when VIP2 left may still land; after that, nothing
      await sleep(500);
      const atSuspend = connections(rs3);
      await sleep(QUIET_WINDOW_MS);
      assert.equal(connections(rs3), atSuspend, 'no check reached rs3 after VIP2 left');
      // suspension is not a verdict: rs3 stays alive, nothing was removed
      assert.deepEqual(messages(sup, from).filter((l) => /Removing service|TCP_CHECK|quorum/.test(l)), []);

      // VIP2 back (it stays for the stop below): checks resume, the service answers through VIP2
      from = sup.lines.length;
      assert.equal((await addVip2()).code, 0);
      await sup.waitForLog(exactly(`Activating healthchecker for service ${rs3Text} for VS ${vs2}`), 15_000, from);
      await pollFor(async () => (connections(rs3) > atSuspend ? true : undefined), 15_000, 100, async () => 'no check reached rs3 after VIP2 came back');
      assert.deepEqual(await untilAnswers(vip2, SUSPEND_PORT, 2, (a) => a.every((x) => x === 'rs3')), ['rs3', 'rs3']);
    });

    await t.test("SIGTERM with omega: keepalived's shutdown notifies, the data plane closed, exit 0", async () => {
      const checker = await childWithTitle(sup, 'keepalived-ts: checker');
      const vrrp = await childWithTitle(sup, 'keepalived-ts: vrrp');
      // before the stop only quorum_up ran, once per VS at each start of a checker child (two: the
      // first and the respawned one): keepalived's set_quorum_states() starts every VS with its
      // quorum down and init_services() gains it; no real server failed, and suspending or
      // activating checkers is not a verdict
      const before = argvLines();
      assert.deepEqual([...before].sort(), [`${notify} quorum_up vs1`, `${notify} quorum_up vs1`, `${notify} quorum_up vs2`, `${notify} quorum_up vs2`]);
      const from = sup.lines.length;
      const exit = await sup.stop();
      assert.deepEqual(exit, { code: 0, signal: null });

      // keepalived's clear_services(): every real server "Shutting down"; the alive ones of an
      // omega VS run notify_down, then the VS runs quorum_down; a VS without omega runs nothing
      const said = messages(sup, from);
      for (const line of [
        `Shutting down service [${a1}]:tcp:${WEB_PORT} from VS ${vs1}`,
        `Shutting down service [${a2}]:tcp:${WEB_PORT} from VS ${vs1}`,
        `Shutting down service ${rs3Text} from VS ${vs2}`,
        `Healthcheck child process(${checker}) exited with status 0`,
        `VRRP child process(${vrrp}) exited with status 0`,
      ])
        assert.ok(said.includes(line), `missing "${line}" in:\n${said.join('\n')}`);
      // scripts run concurrently: compare the lines as a multiset
      assert.deepEqual(argvLines().slice(before.length).sort(), [`${notify} notify_down rs1`, `${notify} notify_down rs2`, `${notify} quorum_down vs1`].sort());

      // everything is gone: children, the VRRP VIP; VIP2 (not VRRP's) stays, and nothing listens on it
      assert.ok(!alive(checker) && !alive(vrrp));
      assert.equal(await lab.hasAddress('d1', vip1), false);
      assert.equal(await lab.hasAddress('d1', vip2), true);
      assert.deepEqual(await requests(vip2, SUSPEND_PORT, 1), ['ERR ECONNREFUSED']);
    });

    await t.test('with -R a dead checker child is not respawned: the daemon stops as on SIGTERM and exits 0, as keepalived', async () => {
      const d = startKts(lab, 'd1', config, ['-R']);
      const p = d.process;
      await p.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
      await p.waitForLog(listeningOn(vip1, WEB_PORT), 15_000);
      const checker = await childWithTitle(p, 'keepalived-ts: checker');
      const vrrp = await childWithTitle(p, 'keepalived-ts: vrrp');
      const from = p.lines.length;
      process.kill(checker, 'SIGKILL');
      const exit = await p.waitExit(15_000);
      assert.deepEqual(exit, { code: 0, signal: null });
      const said = messages(p, from);
      for (const line of [
        'Keepalived_healthcheckers exited due to signal 9 (Killed) - has rlimit_rttime been exceeded?',
        `Healthcheck child process(${checker}) died: Exiting`,
        'Stopping',
        `VRRP child process(${vrrp}) exited with status 0`,
      ])
        assert.ok(said.includes(line), `missing "${line}" in:\n${said.join('\n')}`);
      assert.ok(!said.some((l) => l.startsWith('Starting Healthcheck child process')), 'no new checker child');
      assert.ok(!alive(vrrp));
      // the VRRP child stopped cleanly: it released its VIP
      assert.equal(await lab.hasAddress('d1', vip1), false);
    });
  } finally {
    await lab.destroy();
  }
});

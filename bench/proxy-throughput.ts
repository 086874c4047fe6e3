/**
 * Proxy throughput: wrk through the keepalived-ts proxy data plane vs HAProxy (`mode tcp`) vs
 * straight to the backend (nginx), same backend, one run, reported as ratios.
 *
 *   node dist/bench/proxy-throughput.js [--duration 10] [--connections 50] [--threads 1] [--haproxy-threads 1]
 *
 * Everything listens on loopback (127.0.0.x, ports picked at run time); nginx and HAProxy run from a
 * temporary directory and are stopped by PID. The keepalived-ts proxy is single-threaded (one Node
 * event loop), so HAProxy gets one thread too unless --haproxy-threads says otherwise. Needs
 * /usr/sbin/nginx, /usr/sbin/haproxy and wrk (Debian: nginx-light haproxy wrk).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const NGINX = '/usr/sbin/nginx';
const HAPROXY = '/usr/sbin/haproxy';
const WRK = 'wrk';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number`);
  return n;
}

const duration = flag('--duration', 10);
const connections = flag('--connections', 50);
const threads = flag('--threads', 1);
const haproxyThreads = flag('--haproxy-threads', 1);

async function freePort(address: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(address: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: address, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${address}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface WrkResult {
  readonly requestsPerSec: number;
  readonly transferPerSec: string;
  readonly latencyAvg: string;
  readonly errors: string;
}

function runWrk(url: string): WrkResult {
  const r = spawnSync(WRK, [`-t${threads}`, `-c${connections}`, `-d${duration}s`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const transfer = /Transfer\/sec:\s+(\S+)/.exec(r.stdout);
  const latency = /Latency\s+(\S+)/.exec(r.stdout);
  const errors = /Socket errors:[^\n]*|Non-2xx or 3xx responses:[^\n]*/g;
  return {
    requestsPerSec: rps ? Number(rps[1]) : NaN,
    transferPerSec: transfer?.[1] ?? '?',
    latencyAvg: latency?.[1] ?? '?',
    errors: (r.stdout.match(errors) ?? []).join('; ') || 'none',
  };
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

async function main(): Promise<void> {
  for (const bin of [NGINX, HAPROXY]) if (!fs.existsSync(bin)) throw new Error(`${bin} is not installed (apt-get install nginx-light haproxy wrk)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-proxy-bench-'));
  const children: ChildProcess[] = [];
  try {
    const backendAddress = '127.0.0.1';
    const backendPort = await freePort(backendAddress);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), [
      'worker_processes 1;',
      'daemon off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/nginx-error.log;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      '  keepalive_requests 1000000;',
      `  server { listen ${backendAddress}:${backendPort}; location / { return 200 "hello from the backend\\n"; } }`,
      '}',
      '',
    ].join('\n'));
    const nginx = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
    children.push(nginx);

    const haproxyAddress = '127.0.0.2';
    const haproxyPort = await freePort(haproxyAddress);
    fs.writeFileSync(path.join(dir, 'haproxy.cfg'), [
      'global',
      `  nbthread ${haproxyThreads}`,
      '  maxconn 4000',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'listen bench',
      `  bind ${haproxyAddress}:${haproxyPort}`,
      `  server nginx ${backendAddress}:${backendPort}`,
      '',
    ].join('\n'));
    const haproxy = spawn(HAPROXY, ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
    children.push(haproxy);

    const proxyAddress = '127.0.0.3';
    const proxyPort = await freePort(proxyAddress);
    const server = fileURLToPath(new URL('./proxy-server.js', import.meta.url));
    const proxy = spawn(process.execPath, [server, proxyAddress, String(proxyPort), backendAddress, String(backendPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(proxy);

    await waitForPort(backendAddress, backendPort);
    await waitForPort(haproxyAddress, haproxyPort);
    await waitForPort(proxyAddress, proxyPort);

    const targets = [
      { name: 'direct (nginx)', url: `http://${backendAddress}:${backendPort}/` },
      { name: 'HAProxy mode tcp', url: `http://${haproxyAddress}:${haproxyPort}/` },
      { name: 'keepalived-ts proxy', url: `http://${proxyAddress}:${proxyPort}/` },
    ];
    // A short warm-up of each path (JIT, connection setup), not recorded.
    for (const t of targets) spawnSync(WRK, ['-t1', '-c10', '-d2s', t.url], { encoding: 'utf8' });
    const results = targets.map((t) => ({ ...t, result: runWrk(t.url) }));

    const direct = results[0]!.result.requestsPerSec;
    const haproxyRps = results[1]!.result.requestsPerSec;
    const lines = [
      `Command: node dist/bench/proxy-throughput.js --duration ${duration} --connections ${connections} --threads ${threads} --haproxy-threads ${haproxyThreads}`,
      `Host: ${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length}, Node ${process.version}, ${spawnSync(HAPROXY, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]}, ${spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim()}`,
      `wrk -t${threads} -c${connections} -d${duration}s, keep-alive HTTP/1.1 GET of a 23-byte body; one run each, after a 2 s warm-up.`,
      '',
      '| path | requests/s | transfer/s | latency avg | errors | vs direct | vs HAProxy |',
      '|---|---|---|---|---|---|---|',
      ...results.map(({ name, result }) =>
        `| ${name} | ${result.requestsPerSec.toFixed(0)} | ${result.transferPerSec} | ${result.latencyAvg} | ${result.errors} | ${(result.requestsPerSec / direct).toFixed(2)}× | ${(result.requestsPerSec / haproxyRps).toFixed(2)}× |`),
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    for (const c of children.reverse()) await stop(c);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`proxy-throughput: ${(e as Error).message}\n`);
  process.exit(1);
});

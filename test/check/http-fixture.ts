/**
 * Test fixture: nginx on loopback high ports (HTTP with two name-based server blocks, HTTPS with a
 * self-signed certificate made by `openssl req`), in a temp dir, stopped by PID; and free ports.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const NGINX = '/usr/sbin/nginx';

export function haveNginx(): boolean {
  return fs.existsSync(NGINX);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect({ host: '127.0.0.1', port });
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`port ${port} never opened`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A self-signed certificate (CN given) in `dir`: returns the cert and key paths. */
export function selfSignedCert(dir: string, cn: string): { cert: string; key: string } {
  const cert = path.join(dir, `${cn}.crt`);
  const key = path.join(dir, `${cn}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
  return { cert, key };
}

export interface NginxFixture {
  readonly dir: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Files served: index.html (default server), a.txt under a.test, b.txt under b.test. */
  readonly files: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startNginx(): Promise<NginxFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kats-http-'));
  for (const d of ['www', 'a', 'b', 'tmp', 'logs']) fs.mkdirSync(path.join(dir, d));
  const files = {
    index: 'hello keepalived\n',
    a: 'this is site A\n',
    b: 'this is site B, another body\n',
  };
  fs.writeFileSync(path.join(dir, 'www/index.html'), files.index);
  fs.writeFileSync(path.join(dir, 'a/index.html'), files.a);
  fs.writeFileSync(path.join(dir, 'b/index.html'), files.b);
  const { cert, key } = selfSignedCert(dir, 'localhost');
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/tmp;`).join(' ');
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  ${temp}
  server {
    listen 127.0.0.1:${httpPort} default_server;
    listen 127.0.0.1:${httpsPort} ssl default_server;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    root ${dir}/www;
    location = /s500 { return 500 "oops\\n"; }
    location = /s404 { return 404; }
  }
  server { listen 127.0.0.1:${httpPort}; listen 127.0.0.1:${httpsPort} ssl; ssl_certificate ${cert}; ssl_certificate_key ${key}; server_name a.test; root ${dir}/a; }
  server { listen 127.0.0.1:${httpPort}; listen 127.0.0.1:${httpsPort} ssl; ssl_certificate ${cert}; ssl_certificate_key ${key}; server_name b.test; root ${dir}/b; }
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(httpPort);
    await waitForPort(httpsPort);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`nginx did not start: ${fs.existsSync(path.join(dir, 'logs/error.log')) ? fs.readFileSync(path.join(dir, 'logs/error.log'), 'utf8') : e}`);
  }
  return {
    dir,
    httpPort,
    httpsPort,
    files,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Node TCP server whose connection handler the test writes; closed by close(). */
export async function tcpServer(onConnection: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

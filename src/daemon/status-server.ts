/**
 * The daemon's local status socket: a Unix stream socket only root can open (mode 0600). A client
 * writes one request line ("status", or "lvs" for the data plane's table); the daemon answers with
 * one JSON document and closes.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Logger } from './logger.js';

/** Longest request line accepted: anything longer is not a client of ours. */
const MAX_REQUEST = 256;

export class StatusServer {
  private server: net.Server | undefined;

  constructor(
    readonly path: string,
    private readonly status: () => Promise<unknown>,
    private readonly log: Logger,
    /** Other request lines and their answers (e.g. "lvs"). */
    private readonly others: Readonly<Record<string, () => Promise<unknown>>> = {},
  ) {}

  async listen(): Promise<void> {
    // a socket left by a daemon that died: nobody answers on it any more
    if (fs.existsSync(this.path) && fs.lstatSync(this.path).isSocket() && !(await answers(this.path))) fs.unlinkSync(this.path);
    const server = net.createServer((conn) => this.serve(conn));
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(old);
    }
    fs.chmodSync(this.path, 0o600);
    server.on('error', (e) => this.log.error(`status socket: ${e.message}`));
    this.server = server;
  }

  private serve(conn: net.Socket): void {
    let buf = '';
    conn.setTimeout(5000, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('data', (d) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > MAX_REQUEST) conn.destroy();
        return;
      }
      const request = buf.slice(0, nl).trim();
      conn.removeAllListeners('data');
      const answer = request === 'status' ? this.status : Object.hasOwn(this.others, request) ? this.others[request] : undefined;
      if (!answer) {
        conn.end(JSON.stringify({ error: `unknown request '${request.slice(0, 40)}'` }) + '\n');
        return;
      }
      answer().then(
        (s) => conn.end(JSON.stringify(s) + '\n'),
        (e: Error) => conn.end(JSON.stringify({ error: e.message }) + '\n'),
      );
    });
  }

  close(): void {
    if (!this.server) return;
    this.server.close();
    this.server = undefined;
    try {
      fs.unlinkSync(this.path);
    } catch {
      /* gone */
    }
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** The client side (`keepalived-ts status`, `keepalived-ts lvs`): the daemon's answer, parsed. */
export function queryStatus(path: string, timeoutMs = 5000, request = 'status'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    let buf = '';
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`no answer from the daemon on ${path}`));
    }, timeoutMs);
    c.on('connect', () => c.write(`${request}\n`));
    c.on('data', (d) => (buf += d.toString('utf8')));
    c.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? `no keepalived-ts daemon is listening on ${path}` : `${path}: ${e.message}`));
    });
    c.on('end', () => {
      clearTimeout(timer);
      try {
        const v = JSON.parse(buf) as { error?: string };
        if (v && typeof v === 'object' && typeof v.error === 'string') reject(new Error(v.error));
        else resolve(v);
      } catch {
        reject(new Error(`the daemon's answer is not JSON`));
      }
    });
  });
}

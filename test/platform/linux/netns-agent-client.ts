/**
 * The test side of netns-agent.ts: starts the agent in a namespace, sends it requests and
 * collects the packets it reports. Stopped by closing its stdin, then by its PID.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { VrrpSocketOptions } from '../../../src/platform/linux/vrrp-socket.js';
import type { AgentMessage } from './netns-agent.js';

const AGENT = fileURLToPath(new URL('./netns-agent.js', import.meta.url));

export interface AgentPacket {
  readonly socket: string;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  readonly payload: Uint8Array;
}

export class NetnsAgent {
  private n = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly packets: AgentPacket[] = [];
  private waiters: (() => void)[] = [];
  private exited = false;
  private stderr = '';
  private readonly exit: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`agent exited: ${this.stderr}`));
      this.pending.clear();
      this.wake();
    });
  }

  static start(namespace: string): NetnsAgent {
    return new NetnsAgent(spawn('ip', ['netns', 'exec', namespace, process.execPath, AGENT, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private onLine(line: string): void {
    const m = JSON.parse(line) as AgentMessage;
    if ('event' in m) {
      this.packets.push({ socket: m.socket, ...m.packet, payload: new Uint8Array(Buffer.from(m.packet.payload, 'hex')) });
      this.wake();
      return;
    }
    const p = this.pending.get(m.n);
    if (!p) return;
    this.pending.delete(m.n);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  request<T = unknown>(op: string, args: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`agent exited: ${this.stderr}`));
    const n = ++this.n;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(n, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ n, op, ...args })}\n`);
    });
  }

  open(socket: string, options: VrrpSocketOptions): Promise<{ ifindex: number }> {
    return this.request('open', { socket, options });
  }

  join(socket: string, group: string): Promise<string[]> {
    return this.request('join', { socket, group });
  }

  send(socket: string, frame: { destination: string; ttl: number; payload: Uint8Array; source?: string }): Promise<{ sent: boolean; error?: { code: string } }> {
    return this.request('send', { socket, frame: { ...frame, payload: Buffer.from(frame.payload).toString('hex') } });
  }

  counters(socket: string): Promise<Record<string, number>> {
    return this.request('counters', { socket });
  }

  announce(ifname: string, address: string): Promise<{ sent: boolean; error?: string }> {
    return this.request('announce', { ifname, address });
  }

  /** The first reported packet (already received or to come) matching `match`; rejects after `timeoutMs`. */
  async waitForPacket(match: (p: AgentPacket) => boolean, timeoutMs = 5000, what = 'packet'): Promise<AgentPacket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.packets.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.exited) throw new Error(`no ${what} within ${timeoutMs} ms (got ${this.packets.length} packets) ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Closes stdin (the agent closes its sockets and exits); SIGKILL by PID if it does not. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    const t = setTimeout(() => {
      if (!this.exited && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
    }, 5000);
    await this.exit;
    clearTimeout(t);
  }
}

/**
 * A small process the namespace tests start inside a network namespace (`ip netns exec NS node
 * netns-agent.js --serve`), so that sockets, if_nametoindex() and /sys all belong to that
 * namespace. It drives VrrpSocket and GratuitousAnnouncer on request: one JSON object per line
 * on stdin, answers and received packets as JSON lines on stdout. It exits when stdin closes.
 *
 * Without --serve it does nothing (the test runner may load every file under dist/test).
 */
import { createInterface } from 'node:readline';
import { VrrpSocket, type VrrpSocketOptions } from '../../../src/platform/linux/vrrp-socket.js';
import { GratuitousAnnouncer } from '../../../src/platform/linux/neighbour-announce.js';

export type AgentRequest =
  | { n: number; op: 'open'; socket: string; options: VrrpSocketOptions }
  | { n: number; op: 'join' | 'leave'; socket: string; group: string }
  | { n: number; op: 'send'; socket: string; frame: { destination: string; ttl: number; payload: string; source?: string } }
  | { n: number; op: 'counters' | 'close'; socket: string }
  | { n: number; op: 'announce'; ifname: string; address: string };

export type AgentMessage =
  | { n: number; ok: true; value?: unknown }
  | { n: number; ok: false; error: string }
  | { event: 'packet'; socket: string; packet: { source: string; destination: string; ttl: number; payload: string } };

function serve(): void {
  const sockets = new Map<string, VrrpSocket>();
  let announcer: GratuitousAnnouncer | undefined;
  const out = (m: AgentMessage) => process.stdout.write(`${JSON.stringify(m)}\n`);
  const socketOf = (id: string) => {
    const s = sockets.get(id);
    if (!s) throw new Error(`no socket ${id}`);
    return s;
  };
  const handle = (r: AgentRequest): unknown => {
    switch (r.op) {
      case 'open': {
        const s = VrrpSocket.open(r.options);
        sockets.set(r.socket, s);
        s.onPacket((p) => out({ event: 'packet', socket: r.socket, packet: { ...p, payload: Buffer.from(p.payload).toString('hex') } }));
        return { ifindex: s.ifindex };
      }
      case 'join':
        socketOf(r.socket).joinGroup(r.group);
        return socketOf(r.socket).joinedGroups();
      case 'leave':
        socketOf(r.socket).leaveGroup(r.group);
        return socketOf(r.socket).joinedGroups();
      case 'send': {
        const s = socketOf(r.socket);
        const sent = s.send({ ...r.frame, payload: Buffer.from(r.frame.payload, 'hex') });
        return { sent, error: sent ? undefined : s.lastSendError };
      }
      case 'counters':
        return socketOf(r.socket).counters;
      case 'close':
        socketOf(r.socket).close();
        sockets.delete(r.socket);
        return null;
      case 'announce': {
        announcer ??= new GratuitousAnnouncer({ factsTtlMs: 0 });
        const sent = announcer.announce(r.ifname, r.address);
        return { sent, error: sent ? undefined : announcer.lastError, counters: announcer.counters };
      }
    }
  };
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let r: AgentRequest;
    try {
      r = JSON.parse(line) as AgentRequest;
    } catch {
      return;
    }
    try {
      out({ n: r.n, ok: true, value: handle(r) });
    } catch (e) {
      out({ n: r.n, ok: false, error: (e as Error).message });
    }
  });
  rl.on('close', () => {
    for (const s of sockets.values()) s.close();
    announcer?.close();
    process.exit(0);
  });
}

if (process.argv.includes('--serve')) serve();

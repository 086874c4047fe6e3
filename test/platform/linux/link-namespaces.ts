/**
 * Test topology helpers: two TestNamespaces joined by a veth pair (no host-side link), with
 * fixed MACs, IPv6 duplicate address detection off (so link-local addresses are usable at once)
 * and the given addresses; plus a tcpdump capture inside a namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import type { TestNamespace } from '../../integration/netns.js';

export interface LinkEnd {
  readonly ns: TestNamespace;
  readonly ifname: string;
  readonly mac: string;
  /** IPv4 addresses with prefix, e.g. 10.0.0.1/24. */
  readonly addresses?: readonly string[];
}

function run(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Joins `a` and `b` with a veth pair, brings both ends up and returns their link-local IPv6 addresses. */
export async function linkNamespaces(a: LinkEnd, b: LinkEnd): Promise<{ a: string; b: string }> {
  for (const end of [a, b]) {
    for (const key of ['all', 'default']) run('ip', ['netns', 'exec', end.ns.name, 'sysctl', '-qw', `net.ipv6.conf.${key}.accept_dad=0`]);
  }
  run('ip', ['link', 'add', a.ifname, 'netns', a.ns.name, 'address', a.mac, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns.name, 'address', b.mac]);
  for (const end of [a, b]) {
    run('ip', ['netns', 'exec', end.ns.name, 'sysctl', '-qw', `net.ipv6.conf.${end.ifname}.accept_dad=0`]);
    for (const addr of end.addresses ?? []) end.ns.ip(['addr', 'add', addr, 'dev', end.ifname]);
    end.ns.ip(['link', 'set', end.ifname, 'up']);
  }
  return { a: await linkLocal(a), b: await linkLocal(b) };
}

async function linkLocal(end: LinkEnd): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const out = run('ip', ['-n', end.ns.name, '-j', '-6', 'addr', 'show', 'dev', end.ifname, 'scope', 'link']);
    const infos = (JSON.parse(out) as { addr_info?: { local: string; tentative?: boolean }[] }[])[0]?.addr_info ?? [];
    const ll = infos.find((x) => !x.tentative);
    if (ll) return ll.local;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no link-local address on ${end.ifname} in ${end.ns.name}`);
}

/** tcpdump writing `file` inside a namespace; resolves once it is capturing. Stop with stop(). */
export class Capture {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exit: Promise<void>,
  ) {}

  static async start(ns: TestNamespace, ifname: string, file: string, filter: string): Promise<Capture> {
    const child = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '-i', ifname, '--immediate-mode', '-U', '-n', '-s', '0', '-w', file, filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) {
          clearTimeout(t);
          resolve();
        }
      });
      child.once('exit', () => {
        clearTimeout(t);
        reject(new Error(`tcpdump exited: ${err}`));
      });
    });
    return new Capture(child, exit);
  }

  /** SIGINT (tcpdump flushes and exits), SIGKILL by PID if it does not. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGINT');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exit;
    clearTimeout(t);
  }
}

/** `tshark -r FILE -T fields -e …` rows (tab-separated fields, one row per packet). */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): string[][] {
  const r = spawnSync('tshark', ['-r', file, ...extra, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

export function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** The frames of a classic pcap file (what tcpdump -w writes), in capture order. */
export function readPcapFrames(bytes: Uint8Array): Uint8Array[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const u32 = (off: number) => (le ? b.readUInt32LE(off) : b.readUInt32BE(off));
  const frames: Uint8Array[] = [];
  for (let off = 24; off + 16 <= b.length; ) {
    const len = u32(off + 8);
    frames.push(Uint8Array.from(b.subarray(off + 16, off + 16 + len)));
    off += 16 + len;
  }
  return frames;
}

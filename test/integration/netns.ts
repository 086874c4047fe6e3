/**
 * Network namespaces for the integration tests: a per-run unique name (kts<pid>x<n>), removed in
 * the test's finally and, as a last resort, when the process exits. Never touches other
 * namespaces (e.g. the helpers' `kref`).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';

let seq = 0;
const live = new Set<string>();
process.on('exit', () => {
  for (const ns of live) spawnSync('ip', ['netns', 'del', ns]);
});

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function haveIpCommand(): boolean {
  return spawnSync('ip', ['-V']).status === 0;
}

/** Why namespace tests cannot run here, or undefined when they can. */
export function namespaceSkipReason(): string | undefined {
  if (!isRoot()) return 'needs root (creates network namespaces); run the tests as root';
  if (!haveIpCommand()) return "needs the 'ip' command (package iproute2)";
  return undefined;
}

function ip(args: readonly string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
}

export class TestNamespace {
  private links = 0;
  private constructor(readonly name: string) {}

  static create(): TestNamespace {
    const name = `kts${process.pid}x${(seq++).toString(36)}`;
    ip(['netns', 'add', name]);
    live.add(name);
    const ns = new TestNamespace(name);
    ns.ip(['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** `ip -n NS …` */
  ip(args: readonly string[]): void {
    ip(['-n', this.name, ...args]);
  }

  /** A veth pair: `inside` in the namespace, its peer (a unique name) on the host. Returns the peer's name. */
  addVeth(inside: string, opts: { up?: boolean } = {}): string {
    const peer = `${this.name}h${this.links++}`;
    ip(['link', 'add', peer, 'type', 'veth', 'peer', 'name', inside, 'netns', this.name]);
    if (opts.up ?? true) this.ip(['link', 'set', inside, 'up']);
    return peer;
  }

  /** Run a command inside the namespace. */
  exec(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number; cwd?: string } = {}): SpawnSyncReturns<string> {
    return spawnSync('ip', ['netns', 'exec', this.name, command, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 60_000,
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
  }

  destroy(): void {
    if (!live.has(this.name)) return;
    spawnSync('ip', ['netns', 'del', this.name]);
    live.delete(this.name);
    /* ip netns del removes the namespace's veths, and with them their peers on the host. */
    const left = fs.existsSync(`/sys/class/net/${this.name}h0`);
    if (left) for (let i = 0; i < this.links; i++) spawnSync('ip', ['link', 'del', `${this.name}h${i}`]);
  }
}

/**
 * The corpus host (test/fixtures/corpus/README.md): eth0..eth3 and eth0.1 (a veth, the kernel
 * may lack VLANs), all up, lo up.
 */
export function createCorpusNamespace(): TestNamespace {
  const ns = TestNamespace.create();
  try {
    for (let i = 0; i < 4; i++) ns.addVeth(`eth${i}`);
    ns.ip(['link', 'add', 'eth0.1', 'type', 'veth', 'peer', 'name', 'ethx0']);
    ns.ip(['link', 'set', 'eth0.1', 'up']);
    ns.ip(['link', 'set', 'ethx0', 'up']);
  } catch (e) {
    ns.destroy();
    throw e;
  }
  return ns;
}

/** Repository root (dist/test/integration/ → ../../..). */
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
export const CLI = `${REPO_ROOT}/bin/keepalived-ts.js`;

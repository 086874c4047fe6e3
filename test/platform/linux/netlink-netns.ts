/**
 * Shared pieces of the rtnetlink namespace tests: a namespace with a veth pair d0/d1 (both
 * up, so d0 has a carrier), `ip -j` inside it, and waiting for an outcome.
 */
import { spawnSync } from 'node:child_process';
import { TestNamespace } from '../../integration/netns.js';

export function createVethNamespace(): TestNamespace {
  const ns = TestNamespace.create();
  try {
    // no DAD on the links made next (tentative link-local addresses would only add noise)
    ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    ns.ip(['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
    ns.ip(['link', 'set', 'd0', 'up']);
    ns.ip(['link', 'set', 'd1', 'up']);
  } catch (e) {
    ns.destroy();
    throw e;
  }
  return ns;
}

/** `ip -n NS -j ARGS…`, parsed. */
export function ipJson<T = unknown>(ns: TestNamespace, args: readonly string[]): T {
  const r = spawnSync('ip', ['-n', ns.name, '-j', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -n ${ns.name} -j ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout || '[]') as T;
}

export interface IpAddrInfo {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  nodad?: boolean;
  secondary?: boolean;
  noprefixroute?: boolean;
  preferred_life_time?: number;
  valid_life_time?: number;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  addr_info?: IpAddrInfo[];
}

/** Waits (yielding to the event loop) until `cond` holds; fails after a generous bound. */
export async function until(cond: () => boolean, what: string, boundMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > boundMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

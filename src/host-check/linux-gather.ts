/**
 * Reads the facts the host checks need from the running Linux host, in the caller's network
 * namespace: /proc/sys for sysctls (per namespace), rtnetlink for links and addresses, `ip -j
 * route get` for routes, `nft -j list ruleset` and (legacy) iptables-save for the firewall,
 * /proc/net/ip_vs, /proc/PID/comm and adjtimex for the clock. Nothing here decides anything.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { kernelClockSynchronized } from '../platform/linux/libc.js';
import { RtNetlink } from '../platform/linux/rtnetlink.js';
import type { AddressFact, ClockFacts, DirectorFacts, FirewallFacts, LinkFact } from './director-facts.js';
import { confPath, IP_FORWARD, IPV6_NONLOCAL_BIND } from './sysctl-names.js';

const PROC_SYS = '/proc/sys';
const COMMAND_TIMEOUT_MS = 10_000;

export function readSysctl(path: string): string | undefined {
  try {
    return fs.readFileSync(`${PROC_SYS}/${path}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function writeSysctl(path: string, value: string): void {
  fs.writeFileSync(`${PROC_SYS}/${path}`, `${value}\n`);
}

export function readSysctls(paths: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    const v = readSysctl(p);
    if (v !== undefined) out.set(p, v);
  }
  return out;
}

export function gatherLinksAndAddresses(): { links?: LinkFact[]; linkError?: string; addresses: AddressFact[] } {
  let nl: RtNetlink | undefined;
  try {
    nl = new RtNetlink();
    const links = nl.links();
    const names = new Map(links.map((l) => [l.index, l.name]));
    const addresses = nl.addresses().map((a) => ({ ifname: names.get(a.ifindex) ?? `#${a.ifindex}`, family: a.family, address: a.address, prefixLen: a.prefixLen }));
    return { links: links.map((l) => ({ name: l.name, up: l.up, running: l.running, multicast: l.multicast })), addresses };
  } catch (e) {
    return { linkError: (e as Error).message, addresses: [] };
  } finally {
    nl?.close();
  }
}

/** The interface the kernel's route to `address` leaves by, null without a route, undefined when `ip` cannot tell. */
export function routeDevice(address: string): string | null | undefined {
  const r = spawnSync('ip', ['-j', 'route', 'get', address], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  if (r.error) return undefined;
  if (r.status !== 0) return /unreachable|No route/i.test(r.stderr) ? null : undefined;
  try {
    const routes = JSON.parse(r.stdout) as { dev?: string; type?: string }[];
    const first = routes[0];
    if (!first || first.type === 'unreachable' || first.type === 'blackhole' || first.type === 'prohibit') return null;
    return first.dev ?? null;
  } catch {
    return undefined;
  }
}

function programMissing(r: ReturnType<typeof spawnSync>): boolean {
  return (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export function gatherFirewall(): FirewallFacts {
  const facts: { -readonly [K in keyof FirewallFacts]: FirewallFacts[K] } = {};
  const nft = spawnSync('nft', ['-j', 'list', 'ruleset'], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (!programMissing(nft)) {
    if (nft.status === 0) {
      try {
        facts.nftables = nft.stdout.trim() === '' ? { nftables: [] } : (JSON.parse(nft.stdout) as unknown);
      } catch (e) {
        facts.nftablesError = `nft -j list ruleset printed no JSON: ${(e as Error).message}`;
      }
    } else facts.nftablesError = (nft.stderr || nft.error?.message || `exit ${nft.status}`).trim();
  }
  // iptables-nft keeps its rules in nftables, where the ruleset above already shows them
  const version = spawnSync('iptables-save', ['--version'], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  if (!programMissing(version) && !/nf_tables/.test(`${version.stdout}${version.stderr}`)) {
    for (const [command, key] of [['iptables-save', 'iptables'], ['ip6tables-save', 'ip6tables']] as const) {
      const r = spawnSync(command, [], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
      if (programMissing(r)) continue;
      if (r.status === 0) facts[key] = r.stdout;
      else facts.iptablesError = `${command}: ${(r.stderr || `exit ${r.status}`).trim()}`;
    }
  }
  return facts;
}

/** Process names (as /proc/PID/comm shows them: at most 15 characters) of time synchronisation daemons. */
const TIME_DAEMONS = new Set(['chronyd', 'ntpd', 'openntpd', 'systemd-timesyn', 'ptp4l', 'phc2sys', 'timemaster', 'ntpsec', 'htpdate']);

export function gatherClock(): ClockFacts {
  const found = new Set<string>();
  let pids: string[] = [];
  try {
    pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    /* no /proc: nothing to say */
  }
  for (const pid of pids) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (TIME_DAEMONS.has(comm)) found.add(comm);
    } catch {
      /* the process ended meanwhile */
    }
  }
  let kernelSynchronized: boolean | undefined;
  try {
    kernelSynchronized = kernelClockSynchronized();
  } catch {
    kernelSynchronized = undefined;
  }
  return { syncDaemons: [...found].sort(), ...(kernelSynchronized !== undefined ? { kernelSynchronized } : {}) };
}

/** Everything `doctor` needs about a director; `routeTargets` are the addresses whose routes the rules ask about. */
export function gatherDirectorFacts(routeTargets: readonly string[]): DirectorFacts {
  const { links, linkError, addresses } = gatherLinksAndAddresses();
  const routes = new Map<string, string | null>();
  for (const target of routeTargets) {
    const dev = routeDevice(target);
    if (dev !== undefined) routes.set(target, dev);
  }
  const paths = new Set<string>([IP_FORWARD, IPV6_NONLOCAL_BIND]);
  const confs = new Set<string>(['all', 'default', ...(links ?? []).map((l) => l.name)]);
  for (const conf of confs) for (const s of ['rp_filter', 'send_redirects']) paths.add(confPath('ipv4', conf, s));
  return {
    ...(links ? { links } : {}),
    ...(linkError !== undefined ? { linkError } : {}),
    addresses,
    sysctls: readSysctls(paths),
    routes,
    firewall: gatherFirewall(),
    ipvs: fs.existsSync('/proc/net/ip_vs'),
    clock: gatherClock(),
  };
}

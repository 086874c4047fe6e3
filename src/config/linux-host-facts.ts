/**
 * HostFacts read from the running Linux host: /sys/class/net and `ip -j addr` for interfaces, /etc/passwd and
 * /etc/group for users and groups, stat(2) for files, PATH for command look-ups,
 * /proc/net/ip_vs for IPVS. Everything is read once, when linuxHostFacts() is called, except
 * stat() and which(), which look at the file system when asked, and the interface addresses,
 * which are read (once) when a check first asks for them: `ip -j addr` is a child process, and
 * most configs never need an address.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileFacts, GroupFacts, HostFacts, InterfaceFacts, UserFacts } from './host-facts.js';

/* <linux/if.h> net_device_flags */
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_MULTICAST = 0x1000;

/** glibc's confstr(_CS_PATH): the search path execvp() uses when PATH is unset. */
const CS_PATH = '/bin:/usr/bin';

export interface LinuxHostFactsOptions {
  /** Root of the sysfs net class directory; tests may point it elsewhere. */
  readonly sysClassNet?: string;
  readonly passwdFile?: string;
  readonly groupFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

interface Addresses {
  ipv4: string[];
  ipv6: string[];
}

/**
 * Every address of every interface, as netlink lists them (`ip -j addr`). os.networkInterfaces()
 * is the fall-back only: libuv leaves out interfaces that are not running, keepalived does not.
 */
function readAddresses(): Map<string, Addresses> {
  const result = new Map<string, Addresses>();
  const entry = (name: string) => result.get(name) ?? result.set(name, { ipv4: [], ipv6: [] }).get(name)!;
  const r = spawnSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0) {
    try {
      const links = JSON.parse(r.stdout) as { ifname: string; addr_info?: { family: string; local: string }[] }[];
      for (const link of links) {
        const e = entry(link.ifname);
        for (const a of link.addr_info ?? []) {
          if (a.family === 'inet') e.ipv4.push(a.local);
          else if (a.family === 'inet6') e.ipv6.push(a.local);
        }
      }
      return result;
    } catch {
      result.clear();
    }
  }
  for (const [name, list] of Object.entries(os.networkInterfaces())) {
    const e = entry(name);
    for (const a of list ?? []) (a.family === 'IPv4' ? e.ipv4 : e.ipv6).push(a.address.replace(/%.*$/, ''));
  }
  return result;
}

function readInterfaces(sysClassNet: string): InterfaceFacts[] {
  let names: string[];
  try {
    names = fs.readdirSync(sysClassNet);
  } catch {
    names = [];
  }
  let addrs: Map<string, Addresses> | undefined;
  const addressesOf = (name: string) => (addrs ??= readAddresses()).get(name);
  const result: InterfaceFacts[] = [];
  for (const name of names) {
    const dir = path.join(sysClassNet, name);
    const index = Number(readTrimmed(path.join(dir, 'ifindex')));
    if (!Number.isInteger(index)) continue;
    const flags = Number.parseInt(readTrimmed(path.join(dir, 'flags')) ?? '0', 16) || 0;
    const mtu = Number(readTrimmed(path.join(dir, 'mtu')) ?? '0') || 0;
    result.push({
      name,
      index,
      up: (flags & IFF_UP) !== 0,
      loopback: (flags & IFF_LOOPBACK) !== 0,
      multicast: (flags & IFF_MULTICAST) !== 0,
      mtu,
      get ipv4() {
        return addressesOf(name)?.ipv4 ?? [];
      },
      get ipv6() {
        return addressesOf(name)?.ipv6 ?? [];
      },
    });
  }
  return result.sort((a, b) => a.index - b.index);
}

/** Lines of a colon-separated database such as /etc/passwd, split into fields. */
function readColonFile(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function readUsers(file: string): UserFacts[] {
  const users: UserFacts[] = [];
  for (const f of readColonFile(file)) {
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (f[0] && f[2] !== '' && f[3] !== '' && Number.isInteger(uid) && Number.isInteger(gid)) users.push({ name: f[0], uid, gid });
  }
  return users;
}

function readGroups(file: string): GroupFacts[] {
  const groups: GroupFacts[] = [];
  for (const f of readColonFile(file)) {
    const gid = Number(f[2]);
    if (f[0] && f[2] !== '' && Number.isInteger(gid)) groups.push({ name: f[0], gid });
  }
  return groups;
}

function statPath(p: string): FileFacts | undefined {
  try {
    const s = fs.statSync(p);
    return { exists: true, isFile: s.isFile(), isDirectory: s.isDirectory(), mode: s.mode, uid: s.uid, gid: s.gid };
  } catch {
    return undefined;
  }
}

/** execvp()'s search, as keepalived's find_path() does it: the first executable regular file. */
function searchPath(command: string, pathVar: string | undefined): string | undefined {
  if (command.includes('/')) return command;
  for (const dir of (pathVar ?? CS_PATH).split(':')) {
    const candidate = dir === '' ? command : `${dir}/${command}`;
    const s = statPath(candidate);
    if (s?.isFile && (s.mode & 0o111) !== 0) return candidate;
  }
  return undefined;
}

function byNameOrId<T extends { name: string }>(list: readonly T[], key: string, id: (t: T) => number): T | undefined {
  return list.find((e) => e.name === key) ?? (/^\d+$/.test(key) ? list.find((e) => String(id(e)) === key) : undefined);
}

export function linuxHostFacts(options: LinuxHostFactsOptions = {}): HostFacts {
  const interfaces = readInterfaces(options.sysClassNet ?? '/sys/class/net');
  const users = readUsers(options.passwdFile ?? '/etc/passwd');
  const groups = readGroups(options.groupFile ?? '/etc/group');
  const env = options.env ?? process.env;
  return {
    hostname: os.hostname(),
    interface: (name) => interfaces.find((i) => i.name === name),
    interfaces: () => interfaces,
    user: (key) => byNameOrId(users, key, (u) => u.uid),
    group: (key) => byNameOrId(groups, key, (g) => g.gid),
    stat: statPath,
    which: (command) => searchPath(command, env['PATH']),
    env: (name) => env[name],
    hasIpvs: fs.existsSync('/proc/net/ip_vs'),
    cpuCount: os.cpus().length,
  };
}

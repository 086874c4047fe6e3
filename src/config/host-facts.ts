/**
 * What the config checks need to know about the host, as data. keepalived looks at the host
 * while checking a config (does interface eth1 exist? does user keepalived_script exist? is a
 * script file executable and safe?). The parser takes these facts as input so that it stays
 * pure and testable; src/config/linux-host-facts.ts reads them from the running system.
 */
export interface InterfaceFacts {
  readonly name: string;
  readonly index: number;
  readonly up: boolean;
  readonly loopback: boolean;
  readonly multicast: boolean;
  readonly mtu: number;
  /** Addresses on the interface (without prefix length), IPv4 first as the kernel lists them. */
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

export interface UserFacts {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface GroupFacts {
  readonly name: string;
  readonly gid: number;
}

export interface FileFacts {
  readonly exists: boolean;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface HostFacts {
  readonly hostname: string;
  interface(name: string): InterfaceFacts | undefined;
  interfaces(): readonly InterfaceFacts[];
  user(nameOrUid: string): UserFacts | undefined;
  group(nameOrGid: string): GroupFacts | undefined;
  /** stat() of a path (following symlinks); undefined when it does not exist. */
  stat(path: string): FileFacts | undefined;
  /** Resolve a command name through PATH as keepalived does for scripts without a '/'. */
  which(command: string): string | undefined;
  env(name: string): string | undefined;
  /** Does the kernel provide IPVS (for configs with virtual servers)? */
  readonly hasIpvs: boolean;
  /** Online CPUs (range of *_cpu_affinity); undefined when unknown. */
  readonly cpuCount?: number;
}

/** Host facts for a host with the given interfaces and nothing else: for tests and simulation. */
export function staticHostFacts(init: {
  hostname?: string;
  interfaces?: readonly InterfaceFacts[];
  users?: readonly UserFacts[];
  groups?: readonly GroupFacts[];
  files?: Readonly<Record<string, FileFacts>>;
  env?: Readonly<Record<string, string>>;
  hasIpvs?: boolean;
}): HostFacts {
  const ifs = init.interfaces ?? [];
  const users = init.users ?? [{ name: 'root', uid: 0, gid: 0 }];
  const groups = init.groups ?? [{ name: 'root', gid: 0 }];
  const files = init.files ?? {};
  return {
    hostname: init.hostname ?? 'localhost',
    interface: (name) => ifs.find((i) => i.name === name),
    interfaces: () => ifs,
    user: (n) => users.find((u) => u.name === n || String(u.uid) === n),
    group: (n) => groups.find((g) => g.name === n || String(g.gid) === n),
    stat: (p) => files[p],
    which: (c) => (c.includes('/') ? c : Object.keys(files).find((p) => p.endsWith('/' + c))),
    env: (n) => init.env?.[n],
    hasIpvs: init.hasIpvs ?? false,
  };
}

/** An ordinary up, multicast-capable Ethernet interface description. */
export function ethernetInterface(name: string, index: number, ipv4: readonly string[] = [], ipv6: readonly string[] = []): InterfaceFacts {
  return { name, index, up: true, loopback: false, multicast: true, mtu: 1500, ipv4, ipv6 };
}

/**
 * The host lint loads every director's config on. lint runs on a workstation, not on the
 * directors, so what only the director itself can answer is assumed to be in order: every
 * interface a config names exists (up, multicast, no addresses: a source address is known only
 * when the config gives it), every script path exists as a root-owned 0755 executable, every named
 * user and group exists. What remains are the config's own problems.
 */
import { ethernetInterface, staticHostFacts, type FileFacts, type HostFacts, type InterfaceFacts } from '../config/host-facts.js';

const PRESENT: FileFacts = { exists: true, isFile: true, isDirectory: true, mode: 0o755, uid: 0, gid: 0 };
const ORDINARY_ID = 1000;

export function workstationHost(hostname: string): HostFacts {
  const base = staticHostFacts({ hostname, hasIpvs: true });
  const interfaces = new Map<string, InterfaceFacts>();
  const iface = (name: string): InterfaceFacts => {
    let facts = interfaces.get(name);
    if (!facts) {
      facts = ethernetInterface(name, interfaces.size + 2);
      interfaces.set(name, facts);
    }
    return facts;
  };
  const isRoot = (n: string) => n === 'root' || n === '0';
  return {
    ...base,
    interface: iface,
    interfaces: () => [...interfaces.values()],
    // a path names a file or a directory depending on where it is used: this one is both
    stat: () => PRESENT,
    which: (command) => (command.includes('/') ? command : `/usr/bin/${command}`),
    user: (n) => (isRoot(n) ? { name: 'root', uid: 0, gid: 0 } : /^\d+$/.test(n) ? undefined : { name: n, uid: ORDINARY_ID, gid: ORDINARY_ID }),
    group: (n) => (isRoot(n) ? { name: 'root', gid: 0 } : /^\d+$/.test(n) ? undefined : { name: n, gid: ORDINARY_ID }),
  };
}

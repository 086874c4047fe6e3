/** Shared helpers for the LVS core tests: load a config text as keepalived would validate it. */
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import type { KeepalivedConfig } from '../../src/config/model/index.js';
import type { LvsAction } from '../../src/lvs/virtual-server.js';

const host = staticHostFacts({
  hostname: 'host',
  interfaces: [ethernetInterface('eth0', 2, ['10.9.9.2']), ethernetInterface('ens33', 3, ['192.168.88.100'])],
  files: Object.fromEntries(
    ['/bin/up.sh', '/bin/down.sh', '/bin/qup.sh', '/bin/qdown.sh'].map((f) => [f, { exists: true, isFile: true, isDirectory: false, mode: 0o755, uid: 0, gid: 0 }]),
  ),
  hasIpvs: true,
});

export function loadLvs(text: string): KeepalivedConfig {
  return loadConfigText(text, { host }).config;
}

export const logs = (actions: readonly LvsAction[]): string[] =>
  actions.flatMap((a) => (a.type === 'log' ? [a.message] : []));
export const fifo = (actions: readonly LvsAction[]): string[] => actions.flatMap((a) => (a.type === 'fifo' ? [a.line] : []));
export const notifies = (actions: readonly LvsAction[]): string[][] =>
  actions.flatMap((a) => (a.type === 'notify' ? [[a.kind, ...a.argv, ...(a.stopping ? ['(stopping)'] : [])]] : []));

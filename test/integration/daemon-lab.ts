/**
 * Starting keepalived-ts daemons in the lab with exactly keepalived's flags (-n -l -D -G -f -p -r
 * -c), plus a per-node status socket, and configs for the pair tests.
 */
import * as path from 'node:path';
import { CLI } from '../cli/run.js';
import { queryStatus } from '../../src/daemon/status-server.js';
import type { DaemonStatus } from '../../src/daemon/status.js';
import type { KeepalivedProcess, Lab } from './lab.js';

export interface RunningDirector {
  readonly node: string;
  readonly process: KeepalivedProcess;
  readonly statusSocket: string;
  status(): Promise<DaemonStatus>;
}

let seq = 0;

/**
 * keepalived-ts on `node` (its VRRP child runs in the node's namespace as the parent does).
 * `opts.env` is added to its environment (e.g. TMPDIR: where the signal dumps go).
 */
export function startKts(lab: Lab, node: string, config: string, extraArgs: readonly string[] = [], opts: { env?: Readonly<Record<string, string>> } = {}): RunningDirector {
  const statusSocket = path.join(lab.runDir, `${node}-${seq++}.sock`);
  const p = lab.startKeepalived(node, config, { command: [process.execPath, CLI], args: ['--status-socket', statusSocket, ...extraArgs], ...(opts.env ? { env: opts.env } : {}) });
  return { node, process: p, statusSocket, status: async () => (await queryStatus(statusSocket)) as DaemonStatus };
}

export interface InstanceSpec {
  readonly name?: string;
  readonly state?: 'MASTER' | 'BACKUP';
  readonly priority: number;
  readonly vrid?: number;
  readonly vips: readonly string[];
  readonly version?: 2 | 3;
  readonly advertInt?: string;
  readonly authPass?: string;
  readonly extra?: readonly string[];
  readonly unicast?: { readonly src: string; readonly peers: readonly string[] };
}

/** One vrrp_instance block on eth0. */
export function instanceBlock(i: InstanceSpec): string {
  const lines = [
    `vrrp_instance ${i.name ?? 'VI_1'} {`,
    `    state ${i.state ?? 'BACKUP'}`,
    `    interface eth0`,
    `    virtual_router_id ${i.vrid ?? 51}`,
    `    priority ${i.priority}`,
    `    advert_int ${i.advertInt ?? '1'}`,
  ];
  if (i.version) lines.push(`    version ${i.version}`);
  if (i.authPass) lines.push(`    authentication {`, `        auth_type PASS`, `        auth_pass ${i.authPass}`, `    }`);
  if (i.unicast) lines.push(`    unicast_src_ip ${i.unicast.src}`, `    unicast_peer {`, ...i.unicast.peers.map((p) => `        ${p}`), `    }`);
  for (const x of i.extra ?? []) lines.push(`    ${x}`);
  lines.push(`    virtual_ipaddress {`, ...i.vips.map((v) => `        ${v}`), `    }`, `}`);
  return lines.join('\n') + '\n';
}

export function configText(blocks: readonly string[], global: readonly string[] = []): string {
  return `global_defs {\n    router_id lab\n    vrrp_garp_master_delay 1\n${global.map((g) => `    ${g}\n`).join('')}}\n\n${blocks.join('\n')}`;
}

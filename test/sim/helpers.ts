/** Small keepalived.conf builders and cluster set-up for the simulator tests. */
import { SimCluster, type ClusterOptions, type SimNodeSpec } from '../../src/platform/sim/cluster.js';
import { formatViolation } from '../../src/platform/sim/invariants.js';

export interface InstanceText {
  name?: string;
  vrid?: number;
  priority: number;
  state?: 'MASTER' | 'BACKUP';
  advertInt?: string;
  version?: 2 | 3;
  vips?: string[];
  nopreempt?: boolean;
  unicastPeers?: string[];
  trackScripts?: string[];
  extra?: string;
  iface?: string;
}

export function instanceText(i: InstanceText): string {
  const vrid = i.vrid ?? 51;
  const lines = [
    `vrrp_instance ${i.name ?? 'VI_1'} {`,
    `  state ${i.state ?? 'BACKUP'}`,
    `  interface ${i.iface ?? 'eth0'}`,
    `  virtual_router_id ${vrid}`,
    `  priority ${i.priority}`,
    `  advert_int ${i.advertInt ?? '1'}`,
  ];
  if (i.version) lines.push(`  version ${i.version}`);
  if (i.nopreempt) lines.push('  nopreempt');
  if (i.unicastPeers) lines.push('  unicast_peer {', ...i.unicastPeers.map((p) => `    ${p}`), '  }');
  lines.push('  virtual_ipaddress {', ...(i.vips ?? [`192.168.${vrid}.1/24`]).map((v) => `    ${v}`), '  }');
  if (i.trackScripts?.length) lines.push('  track_script {', ...i.trackScripts.map((s) => `    ${s}`), '  }');
  lines.push('  notify /etc/keepalived/notify.sh');
  if (i.extra) lines.push(i.extra);
  lines.push('}');
  return lines.join('\n');
}

export function configText(node: string, body: string, globals = ''): string {
  return `global_defs {\n  router_id ${node}\n  enable_script_security\n  script_user root\n${globals}}\n${body}\n`;
}

/** Node k (1-based) with eth0 10.0.0.k on segment lan0. */
export function nodeSpec(k: number, body: string, globals = ''): SimNodeSpec {
  const name = `n${k}`;
  return { name, config: configText(name, body, globals), interfaces: [{ name: 'eth0', segment: 'lan0', ipv4: [`10.0.0.${k}`] }] };
}

export function cluster(specs: SimNodeSpec[], opts: ClusterOptions = {}): SimCluster {
  const c = new SimCluster({ seed: 1, ...opts });
  for (const s of specs) c.addNode(s);
  return c;
}

export function assertNoViolations(c: SimCluster): void {
  if (c.violations.length) throw new Error(c.violations.map(formatViolation).join('\n\n'));
}

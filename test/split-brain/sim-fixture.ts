/**
 * Simulated clusters of keepalived-ts directors with a witness: configs as keepalived.conf text
 * (through the real config path), the witness as a simulated host with the real lease table, and
 * a check after every step that no VIP is ever held by two directors at once.
 */
import { SimCluster, type ClusterOptions } from '../../src/platform/sim/cluster.js';
import { SimWitness } from '../../src/platform/sim/split-brain-hooks.js';

export const SECRET = 'sim-witness-secret';
export const WITNESS_ADDR = '10.0.0.100';
export const PORT = 7788;
export const VIP = '10.0.0.50';
export const VIP2 = '10.0.0.51';

export interface PairOptions {
  readonly witness?: boolean;
  readonly priorities?: readonly [number, number];
  /** advert_int in seconds (text). */
  readonly advertInt?: string;
  readonly lease?: string;
  readonly unicast?: boolean;
  readonly nopreempt?: boolean;
  /** A second instance (VRID 52, VIP2) and a sync group G1 of both. */
  readonly syncGroup?: boolean;
  readonly cluster?: ClusterOptions;
}

export function directorConfig(self: number, peer: number, priority: number, o: PairOptions): string {
  const witness =
    o.witness === false
      ? ''
      : `  witness ${WITNESS_ADDR} ${PORT}\n  witness_secret ${SECRET}\n${o.lease ? `  witness_lease ${o.lease}\n` : ''}${o.unicast ? '' : `  vote_peers {\n    10.0.0.${peer}\n  }\n`}`;
  return `global_defs {
  router_id n${self}
${witness}}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int ${o.advertInt ?? '1'}
${o.nopreempt ? '  nopreempt\n' : ''}${o.unicast ? `  unicast_src_ip 10.0.0.${self}\n  unicast_peer {\n    10.0.0.${peer}\n  }\n` : ''}  virtual_ipaddress {
    ${VIP}/24
  }
}
${
  o.syncGroup
    ? `vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority ${priority}
  advert_int ${o.advertInt ?? '1'}
  virtual_ipaddress {
    ${VIP2}/24
  }
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
}
`
    : ''
}`;
}

export interface WitnessPair {
  readonly cluster: SimCluster;
  readonly witness: SimWitness;
  /** Every instant two directors held the VIP at once (empty: never). */
  readonly dualHolds: { t: number; holders: string[] }[];
  /** µs during which two directors held the VIP at once. */
  dualUs(): number;
}

export function witnessPair(o: PairOptions = {}): WitnessPair {
  const [p1, p2] = o.priorities ?? [150, 100];
  const cluster = new SimCluster({ seed: 1, ...o.cluster });
  for (const [self, peer, prio] of [
    [1, 2, p1],
    [2, 1, p2],
  ] as const) {
    cluster.addNode({
      name: `n${self}`,
      config: directorConfig(self, peer, prio, o),
      interfaces: [{ name: 'eth0', segment: 'lan', ipv4: [`10.0.0.${self}`] }],
    });
  }
  // Under the quorum rule a takeover may wait for a vote lease and a witness lease on top of the
  // master-down interval: the invariants' "quiet network" window must cover that.
  const advertUs = Number(o.advertInt ?? '1') * 1_000_000;
  const leaseUs = Math.max(o.lease !== undefined ? Number(o.lease) * 1_000_000 : 3 * advertUs, 2 * advertUs);
  if (o.witness !== false) cluster.maxMasterDownUs = Math.max(cluster.maxMasterDownUs, leaseUs + 3 * advertUs + cluster.maxMasterDownUs / 2);
  const maxLeaseUs = 10_000_000;
  const witness = new SimWitness({ name: 'w', segment: 'lan', address: WITNESS_ADDR, port: PORT, secret: SECRET, maxLeaseUs }, cluster.net, cluster.clock);
  const dualHolds: { t: number; holders: string[] }[] = [];
  let dualSince: number | undefined;
  let dualTotal = 0;
  cluster.afterStepHooks.push(() => {
    const holders = [...cluster.nodes.values()].filter((n) => n.running && n.held.has(VIP)).map((n) => n.name);
    if (holders.length > 1) {
      if (dualSince === undefined) {
        dualSince = cluster.now;
        dualHolds.push({ t: cluster.now, holders });
      }
    } else if (dualSince !== undefined) {
      dualTotal += cluster.now - dualSince;
      dualSince = undefined;
    }
  });
  return {
    cluster,
    witness,
    dualHolds,
    dualUs: () => dualTotal + (dualSince !== undefined ? cluster.now - dualSince : 0),
  };
}

/** The running directors holding the VIP. */
export function holders(cluster: SimCluster): string[] {
  return [...cluster.nodes.values()].filter((n) => n.running && n.held.has(VIP)).map((n) => n.name);
}

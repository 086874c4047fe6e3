/**
 * Which VRRP instances of different directors are "the same service". Nodes are taken in command
 * line order; each node's instances join the groups formed so far, by the strongest evidence
 * first: shared VIPs, then the same instance name, then the same interface, VRID and family.
 * Whatever matches nothing starts a group of its own. Each group has at most one instance per
 * node; its first member (from the earliest node) is the reference the others are compared with.
 */
import type { VrrpInstance } from '../config/model/vrrp.js';
import type { LintNode } from './lint-node.js';

export interface GroupMember {
  /** Index of the node in the lint's node list. */
  readonly node: number;
  readonly instance: VrrpInstance;
}

export interface InstanceGroup {
  readonly id: number;
  readonly members: GroupMember[];
}

export function vipKeys(v: VrrpInstance): string[] {
  return v.vips.map((a) => `${a.family} ${a.address}`);
}

function overlap(a: VrrpInstance, b: VrrpInstance): number {
  const mine = new Set(vipKeys(a));
  return new Set(vipKeys(b).filter((k) => mine.has(k))).size;
}

type Tier = (reference: VrrpInstance, candidates: readonly VrrpInstance[]) => VrrpInstance | undefined;

const byVips: Tier = (ref, candidates) => {
  let best: VrrpInstance | undefined;
  let bestCount = 0;
  for (const c of candidates) {
    const n = overlap(ref, c);
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return best;
};

const byName: Tier = (ref, candidates) => candidates.find((c) => c.name === ref.name);

const byInterfaceAndVrid: Tier = (ref, candidates) =>
  candidates.find((c) => c.interface !== undefined && c.interface === ref.interface && c.vrid === ref.vrid && c.family === ref.family);

export function matchInstances(nodes: readonly LintNode[]): InstanceGroup[] {
  const groups: InstanceGroup[] = [];
  nodes.forEach((node, n) => {
    const pending = [...node.config.vrrp.instances];
    const open = groups.filter((g) => !g.members.some((m) => m.node === n));
    for (const tier of [byVips, byName, byInterfaceAndVrid]) {
      for (const group of open) {
        if (group.members.some((m) => m.node === n)) continue;
        const chosen = tier(group.members[0]!.instance, pending);
        if (!chosen) continue;
        group.members.push({ node: n, instance: chosen });
        pending.splice(pending.indexOf(chosen), 1);
      }
    }
    for (const instance of pending) groups.push({ id: groups.length, members: [{ node: n, instance }] });
  });
  return groups;
}

/** The group an instance of a node belongs to. */
export function groupOf(groups: readonly InstanceGroup[], node: number, name: string): InstanceGroup | undefined {
  return groups.find((g) => g.members.some((m) => m.node === node && m.instance.name === name));
}

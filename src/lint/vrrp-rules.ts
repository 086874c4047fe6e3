/**
 * VRRP rules: what makes the directors of one service unable to hear each other, or behave other
 * than the operator expects. Differences are reported on the later director (the first one given
 * on the command line is the reference), at the line of the keyword that differs.
 */
import type { VrrpInstance } from '../config/model/vrrp.js';
import { finding, type Finding } from './finding.js';
import { groupOf, vipKeys, type GroupMember, type InstanceGroup } from './instance-matching.js';
import { keywordLine, type LintNode, type SourceLines } from './lint-node.js';

const OWNER_PRIORITY = 255;
const SPLIT_BRAIN = 'each director drops the other\'s adverts, so both become MASTER: split brain';

interface Context {
  readonly nodes: readonly LintNode[];
  readonly sources: SourceLines;
}

function where(ctx: Context, m: GroupMember, ...keywords: string[]) {
  return keywordLine(ctx.sources, m.instance.at, keywords, ctx.nodes[m.node]!.configId);
}

function other(ctx: Context, m: GroupMember): string {
  return `${m.instance.name} in ${ctx.nodes[m.node]!.label}`;
}

function seconds(us: number | undefined): string {
  return `${(us ?? 0) / 1_000_000}s`;
}

function sameAuth(a: VrrpInstance, b: VrrpInstance): boolean {
  if (a.authType !== b.authType) return false;
  if (a.authType === undefined) return true;
  const pa = a.authPass ?? new Uint8Array(8);
  const pb = b.authPass ?? new Uint8Array(8);
  return pa.length === pb.length && pa.every((byte, i) => byte === pb[i]);
}

/** Multiset difference of address lists, as "missing X; extra Y" seen from `mine`. */
function listDifference(mine: readonly string[], theirs: readonly string[]): string | undefined {
  const count = (list: readonly string[]) => list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const a = count(mine);
  const b = count(theirs);
  const missing = [...b].filter(([k, n]) => (a.get(k) ?? 0) < n).map(([k]) => k.split(' ')[1]);
  const extra = [...a].filter(([k, n]) => (b.get(k) ?? 0) < n).map(([k]) => k.split(' ')[1]);
  if (!missing.length && !extra.length) return undefined;
  return [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `extra ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
}

/** Rules comparing each member of a group with the group's reference. */
function compareWithReference(ctx: Context, ref: GroupMember, m: GroupMember, out: Finding[]): void {
  const r = ref.instance;
  const v = m.instance;
  if (v.vrid !== r.vrid)
    out.push(finding('vrid-mismatch', 'error', where(ctx, m, 'virtual_router_id'),
      `virtual_router_id ${v.vrid} differs from ${r.vrid} of ${other(ctx, ref)}: the directors never hear each other, so both become MASTER: split brain`));
  const sameVersion = v.version === r.version;
  if (!sameVersion)
    out.push(finding('version-mismatch', 'error', where(ctx, m, 'version'),
      `VRRP version ${v.version} differs from version ${r.version} of ${other(ctx, ref)}: ${SPLIT_BRAIN}`));
  if (!!v.unicast !== !!r.unicast)
    out.push(finding('unicast-peer-mismatch', 'error', where(ctx, m, 'unicast_peer', 'unicast_src_ip'),
      `adverts go by ${v.unicast ? 'unicast' : 'multicast'} here but by ${r.unicast ? 'unicast' : 'multicast'} from ${other(ctx, ref)}: ${SPLIT_BRAIN}`));
  else if (!v.unicast && v.mcastDstIp?.address !== r.mcastDstIp?.address)
    out.push(finding('mcast-group-mismatch', 'error', where(ctx, m, 'mcast_dst_ip'),
      `multicast group ${v.mcastDstIp?.address} differs from ${r.mcastDstIp?.address} of ${other(ctx, ref)}: the directors never hear each other, so both become MASTER: split brain`));
  if (sameVersion && !sameAuth(v, r))
    out.push(finding('auth-mismatch', 'error', where(ctx, m, ...(v.authType !== r.authType ? ['auth_type', 'authentication'] : ['auth_pass'])),
      `authentication (auth_type/auth_pass) differs from ${other(ctx, ref)}: ${SPLIT_BRAIN}`));
  if (sameVersion && v.advertInt !== r.advertInt) {
    const v2 = v.version === 2;
    out.push(finding('advert-int-mismatch', v2 ? 'error' : 'warning', where(ctx, m, 'advert_int'),
      v2
        ? `advert_int ${seconds(v.advertInt)} differs from ${seconds(r.advertInt)} of ${other(ctx, ref)}: VRRPv2 drops adverts with another interval, so both become MASTER: split brain`
        : `advert_int ${seconds(v.advertInt)} differs from ${seconds(r.advertInt)} of ${other(ctx, ref)}: a backup follows its master's interval, so how fast a failover is depends on which director is master`));
  }
  const vipDiff = listDifference(vipKeys(v), vipKeys(r));
  if (vipDiff)
    out.push(finding('vip-mismatch', 'error', where(ctx, m, 'virtual_ipaddress'),
      `virtual_ipaddress differs from ${other(ctx, ref)} (${vipDiff}): ${SPLIT_BRAIN}`));
  const kinds = (i: typeof v) => {
    const multicast = i.heartbeatPaths.filter((p) => p.peers.length === 0).length;
    return `${multicast} multicast, ${i.heartbeatPaths.length - multicast} unicast`;
  };
  if (kinds(v) !== kinds(r))
    out.push(finding('heartbeat-paths-mismatch', 'warning', where(ctx, m, 'heartbeat_paths', 'vrrp_instance'),
      `heartbeat_paths (${kinds(v)}) differ from those of ${other(ctx, ref)} (${kinds(r)}): a path only one director uses carries no adverts to the other, so it does not guard against split brain`));
  const evipDiff = listDifference(v.evips.map((a) => `${a.family} ${a.address}`), r.evips.map((a) => `${a.family} ${a.address}`));
  if (evipDiff)
    out.push(finding('excluded-vip-mismatch', 'warning', where(ctx, m, 'virtual_ipaddress_excluded'),
      `virtual_ipaddress_excluded differs from ${other(ctx, ref)} (${evipDiff}): after a failover clients find other addresses`));
}

/** Both unicast: each director's peer list must hold every other director's source address (when the config gives it). */
function unicastPeers(ctx: Context, a: GroupMember, b: GroupMember, out: Finding[]): void {
  if (!a.instance.unicast || !b.instance.unicast) return;
  const src = b.instance.srcIp?.address;
  if (src === undefined) return; // the interface's address: not knowable from the configs
  if (a.instance.unicastPeers.some((p) => p.address === src)) return;
  out.push(finding('unicast-peer-mismatch', 'error', where(ctx, a, 'unicast_peer'),
    `unicast_peer does not list ${src}, the unicast_src_ip of ${other(ctx, b)}: this director never sends it adverts, so both become MASTER: split brain`));
}

/** Rules about the roles of all the members together. */
function roles(ctx: Context, group: InstanceGroup, out: Finding[]): void {
  group.members.forEach((m, i) => {
    const earlier = group.members.slice(0, i);
    const v = m.instance;
    const owner = earlier.find((e) => e.instance.priority === OWNER_PRIORITY);
    if (v.priority === OWNER_PRIORITY && owner)
      out.push(finding('multiple-address-owners', 'error', where(ctx, m, 'priority'),
        `priority 255 (address owner) here and on ${other(ctx, owner)}: both claim to own the VIPs and take them at once when they start`));
    else {
      const same = earlier.find((e) => e.instance.priority === v.priority);
      if (same)
        out.push(finding('equal-priority', 'warning', where(ctx, m, 'priority'),
          `priority ${v.priority} equals that of ${other(ctx, same)}: when both run, the higher IP address decides who is MASTER, not the configuration`));
    }
    const master = earlier.find((e) => e.instance.state === 'MASTER');
    if (v.state === 'MASTER' && master)
      out.push(finding('multiple-masters', 'warning', where(ctx, m, 'state'),
        `state MASTER here and on ${other(ctx, master)}: both take the VIPs when they start together, until adverts settle who is master`));
  });
}

/** Sync group partners, as the groups they belong to. */
function syncPartners(ctx: Context, groups: readonly InstanceGroup[], m: GroupMember): { names: string[]; groupIds: string } {
  const node = ctx.nodes[m.node]!;
  const sg = node.config.vrrp.syncGroups.find((g) => g.members.includes(m.instance.name));
  const names = (sg?.members ?? []).filter((n) => n !== m.instance.name);
  const ids = names.map((n) => groupOf(groups, m.node, n)?.id ?? -1).sort((x, y) => x - y);
  return { names, groupIds: ids.join(',') };
}

function syncGroups(ctx: Context, groups: readonly InstanceGroup[], group: InstanceGroup, out: Finding[]): void {
  const ref = group.members[0]!;
  const mine = syncPartners(ctx, groups, ref);
  for (const m of group.members.slice(1)) {
    const theirs = syncPartners(ctx, groups, m);
    if (theirs.groupIds === mine.groupIds) continue;
    const node = ctx.nodes[m.node]!;
    const sg = node.config.vrrp.syncGroups.find((g) => g.members.includes(m.instance.name));
    const here = theirs.names.length ? `synced with ${theirs.names.join(', ')}` : 'in no sync group';
    const there = mine.names.length ? `synced with ${mine.names.join(', ')}` : 'in no sync group';
    out.push(finding('sync-group-mismatch', 'warning', sg?.at ?? m.instance.at,
      `${m.instance.name} is ${here} here but ${there} in ${ctx.nodes[ref.node]!.label}: the instances fail over together on one director and separately on the other`));
  }
}

/** Could two instances' adverts reach each other as the same virtual router? */
function sameWire(a: VrrpInstance, b: VrrpInstance): boolean {
  if (a.family !== b.family || a.vrid !== b.vrid || !!a.unicast !== !!b.unicast) return false;
  if (!a.unicast) return a.interface !== undefined && a.interface === b.interface && a.mcastDstIp?.address === b.mcastDstIp?.address;
  const lists = (x: VrrpInstance, y: VrrpInstance) => y.srcIp !== undefined && x.unicastPeers.some((p) => p.address === y.srcIp!.address);
  return lists(a, b) || lists(b, a) || a.unicastPeers.some((p) => b.unicastPeers.some((q) => q.address === p.address));
}

function collisions(ctx: Context, groups: readonly InstanceGroup[], out: Finding[]): void {
  const all = groups.flatMap((g) => g.members.map((m) => ({ group: g, m })));
  const pairs: { a: (typeof all)[number]; b: (typeof all)[number] }[] = [];
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++)
      if (all[i]!.group !== all[j]!.group && sameWire(all[i]!.m.instance, all[j]!.m.instance)) pairs.push({ a: all[i]!, b: all[j]! });
  // two services that collide on one director collide between directors too: say it once, where it is written
  const groupPair = (p: (typeof pairs)[number]) => [p.a.group.id, p.b.group.id].sort((x, y) => x - y).join(' ');
  const withinNode = new Set(pairs.filter((p) => p.a.m.node === p.b.m.node).map(groupPair));
  for (const p of pairs) {
    const sameNode = p.a.m.node === p.b.m.node;
    if (!sameNode && withinNode.has(groupPair(p))) continue;
    const v = p.b.m.instance;
    const onWhat = v.unicast ? 'between the same unicast peers' : `on ${v.interface}`;
    const place = sameNode ? 'on this director' : `in ${ctx.nodes[p.a.m.node]!.label}`;
    out.push(finding('vrid-collision', 'error', where(ctx, p.b.m, 'virtual_router_id'),
      `VRID ${v.vrid} ${onWhat} is also used by ${p.a.m.instance.name} ${place} for other VIPs: the two virtual routers receive each other's adverts and drop them as invalid, so neither can rely on its peer`));
  }
}

function unmatched(ctx: Context, group: InstanceGroup, out: Finding[]): void {
  if (ctx.nodes.length < 2) return;
  const missing = ctx.nodes.map((n, i) => ({ n, i })).filter(({ i }) => !group.members.some((m) => m.node === i));
  if (!missing.length) return;
  const m = group.members[0]!;
  out.push(finding('instance-unmatched', 'warning', m.instance.at,
    `${m.instance.name} has no counterpart in ${missing.map(({ n }) => n.label).join(', ')}: when this director fails, nothing there takes its VIPs over`));
}

const NOPREEMPT_CLEARED = /^\((\S+)\) Warning - nopreempt will not work with initial state MASTER/;

/** keepalived clears nopreempt on a MASTER instance (and says so without a line): say what that does. */
function nopreemptOnMaster(ctx: Context, n: number, out: Finding[]): void {
  const node = ctx.nodes[n]!;
  for (const d of node.diagnostics) {
    const name = NOPREEMPT_CLEARED.exec(d.message)?.[1];
    const v = name !== undefined ? node.config.vrrp.instances.find((i) => i.name === name) : undefined;
    if (!v) continue;
    out.push(finding('nopreempt-not-backup', 'warning', keywordLine(ctx.sources, v.at, ['nopreempt'], node.configId),
      `nopreempt is ignored because state is MASTER: this director takes the VIPs back whenever it returns; use state BACKUP on every director`));
  }
}

export function vrrpFindings(nodes: readonly LintNode[], groups: readonly InstanceGroup[], sources: SourceLines): Finding[] {
  const ctx: Context = { nodes, sources };
  const out: Finding[] = [];
  for (const group of groups) {
    const [ref, ...rest] = group.members;
    for (const m of rest) compareWithReference(ctx, ref!, m, out);
    for (const a of group.members) for (const b of group.members) if (a !== b) unicastPeers(ctx, a, b, out);
    roles(ctx, group, out);
    syncGroups(ctx, groups, group, out);
    unmatched(ctx, group, out);
  }
  collisions(ctx, groups, out);
  nodes.forEach((_, n) => nopreemptOnMaster(ctx, n, out));
  return out;
}

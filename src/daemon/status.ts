/**
 * The status API object (`keepalived-ts status --json`) and its human rendering (a table).
 * Unlike keepalived's dumps this is keepalived-ts's own, stable format: field names never change
 * meaning; new fields may be added. No secret (auth_pass) appears in it.
 *
 *   { "instances": [ { "name", "vrid", "interface", "state", "priority", "effectivePriority",
 *     "masterAddress", "vips", "stats": {…}, "lastTransition": { "at", "from", "to", "reason" },
 *     "conflicts": { "count", "active": [ { "address", "mac", "since" } ] },
 *     "majority": { "group", "required", "held", "voters", "needed", "votingFor", "votes": [ { "node",
 *       "for", "countsMs" } ], "witness": { "lease", "holder" } },   (majority: only with a witness)
 *     "heartbeatPaths": [ { "interface", "peers", "advertsReceived", "lastAdvertAt" } ] } ],
 *                                                          (heartbeatPaths: only with heartbeat_paths)
 *   "virtualServers": [ { "id", "services", "quorum", "sorryServer", "realServers": [ { "address",
 *     "port", "alive", "weight" } ] } ] }          (virtualServers: only when the checker process runs)
 */
import type { VrrpStateName } from '../vrrp/instance-types.js';
import { addressWithPrefix } from './ip-entry-format.js';
import type { VrrpInstanceSnapshot } from './vrrp-snapshot.js';
import type { VrrpInstanceStats } from './vrrp-stats.js';
import type { ConflictStatus } from './vip-conflict-monitor.js';
import type { MajoritySnapshot } from '../split-brain/majority.js';

/** keepalived's per-instance counters under descriptive names (the stats file's wording). */
export interface InstanceStatusStats {
  readonly advertsReceived: number;
  readonly advertsSent: number;
  readonly becameMaster: number;
  readonly releasedMaster: number;
  readonly packetLengthErrors: number;
  readonly ttlErrors: number;
  readonly invalidTypeReceived: number;
  readonly advertIntervalErrors: number;
  readonly addressListErrors: number;
  readonly invalidAuthType: number;
  readonly authTypeMismatch: number;
  readonly authFailures: number;
  readonly checksumErrors: number;
  readonly versionErrors: number;
  readonly priorityZeroReceived: number;
  readonly priorityZeroSent: number;
}

export interface InstanceStatus {
  readonly name: string;
  readonly vrid: number;
  /** The configured interface, or null (unicast without one). */
  readonly interface: string | null;
  readonly state: VrrpStateName;
  /** The configured priority. */
  readonly priority: number;
  /** The priority in adverts now (trackers applied). */
  readonly effectivePriority: number;
  /** Who is master: this node's source address when MASTER, the last advertiser's when BACKUP, else null. */
  readonly masterAddress: string | null;
  /** The virtual addresses, "ADDR[/LEN]". */
  readonly vips: readonly string[];
  readonly stats: InstanceStatusStats;
  /** The last state change (null: none since the daemon started). `at` is an ISO 8601 UTC time. */
  readonly lastTransition: { readonly at: string; readonly from: VrrpStateName; readonly to: VrrpStateName; readonly reason: string } | null;
  /** VIP conflict detection: conflicts seen since start, and another host holding one of its VIPs now (the daemon adds it). */
  readonly conflicts?: ConflictStatus;
  /**
   * With a witness configured (keepalived-ts extension): the group's majority bookkeeping —
   * { group, required, held, voters, needed, votingFor, votes: [ { node, for, countsMs } ],
   * witness: { lease (ms left, or null), holder } }. Absent without a witness.
   */
  readonly majority?: MajoritySnapshot & { readonly group: string };
  /** With heartbeat_paths (keepalived-ts extension): every advert path, the instance's own first, and what arrived on it. */
  readonly heartbeatPaths?: readonly { readonly interface: string; readonly peers: readonly string[]; readonly advertsReceived: number; readonly lastAdvertAt: string | null }[];
}

export interface RealServerStatus {
  readonly address: string;
  readonly port: number;
  /** All its checkers are up. */
  readonly alive: boolean;
  /** Its effective weight (misc_dynamic / FILE_CHECK applied). */
  readonly weight: number;
}

export interface VirtualServerStatus {
  /** keepalived's name of the virtual server: "[10.0.0.1]:tcp:80", "FWM 5", "[group]:0". */
  readonly id: string;
  /** The data-plane services it stands for ("TCP 10.0.0.1:80", …). */
  readonly services: readonly string[];
  readonly quorum: 'up' | 'down';
  /** `active`: the sorry server is serving (quorum lost). */
  readonly sorryServer: { readonly address: string; readonly port: number; readonly active: boolean } | null;
  readonly realServers: readonly RealServerStatus[];
}

export interface DaemonStatus {
  readonly instances: readonly InstanceStatus[];
  /** Present when the daemon runs the health-checker process. */
  readonly virtualServers?: readonly VirtualServerStatus[];
}

export function statusStats(s: VrrpInstanceStats): InstanceStatusStats {
  return {
    advertsReceived: s.advert_rcvd,
    advertsSent: s.advert_sent,
    becameMaster: s.become_master,
    releasedMaster: s.release_master,
    packetLengthErrors: s.packet_len_err,
    ttlErrors: s.ip_ttl_err,
    invalidTypeReceived: s.invalid_type_rcvd,
    advertIntervalErrors: s.advert_interval_err,
    addressListErrors: s.addr_list_err,
    invalidAuthType: s.invalid_authtype,
    authTypeMismatch: s.authtype_mismatch,
    authFailures: s.auth_failure,
    checksumErrors: s.chk_err,
    versionErrors: s.vers_err,
    priorityZeroReceived: s.pri_zero_rcvd,
    priorityZeroSent: s.pri_zero_sent,
  };
}

export function instanceStatus(v: VrrpInstanceSnapshot): InstanceStatus {
  const s = v.settings;
  const master = v.state === 'MASTER' ? v.sourceAddress : v.state === 'BACKUP' ? v.masterAddress : undefined;
  const t = v.lastTransition;
  return {
    name: s.name,
    vrid: s.vrid,
    interface: s.interface ?? null,
    state: v.state,
    priority: v.basePriority,
    effectivePriority: v.effectivePriority,
    masterAddress: master ?? null,
    vips: s.vips.map((a) => addressWithPrefix(a.family, a.address, a.prefixLen)),
    stats: statusStats(v.stats),
    lastTransition: t ? { at: new Date(Math.floor(t.atUs / 1000)).toISOString(), from: t.from, to: t.to, reason: t.reason } : null,
  };
}

export function buildStatus(instances: readonly VrrpInstanceSnapshot[]): DaemonStatus {
  return { instances: instances.map(instanceStatus) };
}

/** `status --json`: the object, 2-space indented, with a final newline. */
export function formatStatusJson(report: DaemonStatus): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const COLUMNS = ['NAME', 'VRID', 'INTERFACE', 'STATE', 'PRIO', 'EFF', 'MASTER', 'VIPS', 'LAST TRANSITION'] as const;

/** `status`: one line per instance under a header, columns padded to their widest cell; then the virtual servers. */
export function renderStatusText(report: DaemonStatus): string {
  return (
    renderInstancesText(report) +
    renderConflictsText(report.instances) +
    renderMajorityText(report.instances) +
    renderPathsText(report.instances) +
    renderVirtualServersText(report.virtualServers ?? [])
  );
}

/** With a witness: one line per instance, whether it holds a majority and from whom. */
function renderMajorityText(instances: readonly InstanceStatus[]): string {
  let out = '';
  for (const i of instances) {
    const m = i.majority;
    if (!m) continue;
    const votes = m.votes.filter((v) => v.countsMs !== null).map((v) => v.node);
    const lease = m.witness?.lease ?? null;
    const witness = lease !== null ? `witness lease ${lease} ms` : `witness lease none${m.witness?.holder ? ` (held by ${m.witness.holder})` : ''}`;
    out += `MAJORITY ${i.name}: ${m.held ? 'held' : 'NOT held'}, ${1 + votes.length + (lease !== null ? 1 : 0)} of ${m.voters} votes needed ${m.needed} (peers voting for it: ${votes.length ? votes.join(', ') : 'none'}; ${witness})\n`;
  }
  return out;
}

/** With heartbeat_paths: one line per advert path and what arrived on it. */
function renderPathsText(instances: readonly InstanceStatus[]): string {
  let out = '';
  for (const i of instances)
    for (const p of i.heartbeatPaths ?? [])
      out += `PATH ${i.name}: ${p.interface}${p.peers.length ? ` to ${p.peers.join(', ')}` : ''}  ${p.advertsReceived} adverts received, last ${p.lastAdvertAt ?? 'never'}\n`;
  return out;
}

/** One line per VIP another host holds too (nothing when there is none). */
function renderConflictsText(instances: readonly InstanceStatus[]): string {
  let out = '';
  for (const i of instances)
    for (const c of i.conflicts?.active ?? []) out += `CONFLICT ${i.name}: VIP ${c.address} also held by ${c.mac} since ${c.since}\n`;
  return out;
}

/** One line per virtual server, one indented line per real server. */
function renderVirtualServersText(list: readonly VirtualServerStatus[]): string {
  let out = '';
  for (const vs of list) {
    const sorry = vs.sorryServer ? `, sorry server ${vs.sorryServer.address}:${vs.sorryServer.port}${vs.sorryServer.active ? ' ACTIVE' : ''}` : '';
    out += `VS ${vs.id}  quorum ${vs.quorum.toUpperCase()}${sorry}\n`;
    for (const rs of vs.realServers) out += `  -> ${rs.address}:${rs.port}  ${rs.alive ? 'UP' : 'DOWN'}  weight ${rs.weight}\n`;
  }
  return out;
}

function renderInstancesText(report: DaemonStatus): string {
  if (!report.instances.length) return 'no VRRP instances\n';
  const rows = report.instances.map((i) => [
    i.name,
    String(i.vrid),
    i.interface ?? '-',
    i.state,
    String(i.priority),
    String(i.effectivePriority),
    i.masterAddress ?? '-',
    i.vips.length ? i.vips.join(',') : '-',
    i.lastTransition ? `${i.lastTransition.at} ${i.lastTransition.from}->${i.lastTransition.to} (${i.lastTransition.reason})` : '-',
  ]);
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  return table.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ') + '\n').join('');
}

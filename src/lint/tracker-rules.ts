/**
 * Tracker rules: a check that only one director runs makes only that director react when the
 * checked thing fails — the pair then behaves differently depending on who is master.
 */
import type { SourcePosition } from '../config/diagnostics.js';
import type { TrackedRef } from '../config/model/vrrp.js';
import { finding, type Finding } from './finding.js';
import type { GroupMember, InstanceGroup } from './instance-matching.js';
import type { LintNode } from './lint-node.js';

type TrackerKind = 'script' | 'file' | 'process';

const KEYWORD: Record<TrackerKind, string> = { script: 'vrrp_script', file: 'track_file', process: 'vrrp_track_process' };

function definitions(node: LintNode): { kind: TrackerKind; name: string; at: SourcePosition }[] {
  return [
    ...node.config.vrrp.scripts.map((s) => ({ kind: 'script' as const, name: s.name, at: s.at })),
    ...node.config.global.trackFiles.map((f) => ({ kind: 'file' as const, name: f.name, at: f.at })),
    ...node.config.vrrp.trackProcesses.map((p) => ({ kind: 'process' as const, name: p.name, at: p.at })),
  ];
}

function definedElsewhere(nodes: readonly LintNode[], out: Finding[]): void {
  const defs = nodes.map(definitions);
  defs.forEach((mine, n) => {
    for (const d of mine) {
      const lacking = nodes.filter((_, o) => o !== n && !defs[o]!.some((x) => x.kind === d.kind && x.name === d.name));
      if (!lacking.length) continue;
      out.push(finding('tracker-missing', 'warning', d.at,
        `${KEYWORD[d.kind]} ${d.name} is defined here but not in ${lacking.map((l) => l.label).join(', ')}: only this director can react to what it checks`));
    }
  });
}

/** What an instance tracks: its own references and those of its sync group. */
function tracked(node: LintNode, m: GroupMember): Map<string, { kind: TrackerKind; ref: TrackedRef }> {
  const v = m.instance;
  const sg = node.config.vrrp.syncGroups.find((g) => g.members.includes(v.name));
  const result = new Map<string, { kind: TrackerKind; ref: TrackedRef }>();
  const add = (kind: TrackerKind, refs: readonly TrackedRef[] | undefined) => {
    for (const ref of refs ?? []) if (!result.has(`${kind} ${ref.name}`)) result.set(`${kind} ${ref.name}`, { kind, ref });
  };
  add('script', v.trackScripts);
  add('script', sg?.trackScripts);
  add('file', v.trackFiles);
  add('file', sg?.trackFiles);
  add('process', v.trackProcesses);
  add('process', sg?.trackProcesses);
  return result;
}

function trackingDiffers(nodes: readonly LintNode[], groups: readonly InstanceGroup[], out: Finding[]): void {
  for (const group of groups) {
    const [ref, ...rest] = group.members;
    const refNode = nodes[ref!.node]!;
    const mine = tracked(refNode, ref!);
    for (const m of rest) {
      const theirs = tracked(nodes[m.node]!, m);
      for (const [key, t] of theirs)
        if (!mine.has(key))
          out.push(finding('tracking-mismatch', 'warning', t.ref.at,
            `${m.instance.name} tracks ${t.kind} ${t.ref.name} here but ${ref!.instance.name} in ${refNode.label} does not: only this director gives up the VIPs when it fails`));
      for (const [key, t] of mine)
        if (!theirs.has(key))
          out.push(finding('tracking-mismatch', 'warning', m.instance.at,
            `${m.instance.name} does not track ${t.kind} ${t.ref.name}, which ${ref!.instance.name} in ${refNode.label} tracks: this director keeps the VIPs when it fails`));
    }
  }
}

export function trackerFindings(nodes: readonly LintNode[], groups: readonly InstanceGroup[]): Finding[] {
  const out: Finding[] = [];
  if (nodes.length >= 2) definedElsewhere(nodes, out);
  trackingDiffers(nodes, groups, out);
  return out;
}

/**
 * Each director's own keepalived-level problems: the loader's diagnostics, in keepalived 2.2.7's
 * wording, as findings. keepalived prints some problems found after parsing without a line; when
 * such a message names an instance, sync group or script, lint points at that block.
 */
import { ConfigErr, type Diagnostic, type SourcePosition } from '../config/diagnostics.js';
import { finding, type Finding } from './finding.js';
import type { LintNode } from './lint-node.js';

function isWarningLevel(level: ConfigErr): boolean {
  return level === ConfigErr.WARNING || level === ConfigErr.DEPRECATED;
}

/** The block a line-less diagnostic is about, from the name it starts with or mentions. */
function blockNamed(node: LintNode, message: string): SourcePosition | undefined {
  const { vrrp } = node.config;
  const names = [
    /^\(([^)\s]+)\)/.exec(message)?.[1],
    /^(\S+) and \S+ both use VRID/.exec(message)?.[1],
    /track script (\S+)/.exec(message)?.[1],
    /^Sync group (\S+)/.exec(message)?.[1],
  ].filter((n): n is string => n !== undefined);
  for (const name of names) {
    const block =
      vrrp.instances.find((v) => v.name === name) ??
      vrrp.syncGroups.find((g) => g.name === name) ??
      vrrp.scripts.find((s) => s.name === name);
    if (block) return block.at;
  }
  return undefined;
}

export function keepalivedFindings(node: LintNode): Finding[] {
  return node.diagnostics.map((d: Diagnostic) => {
    const at = d.at ?? blockNamed(node, d.message) ?? { file: node.file, line: 0 };
    return isWarningLevel(d.level)
      ? finding('keepalived-warning', 'warning', at, d.message)
      : finding('keepalived-error', 'error', at, d.message);
  });
}

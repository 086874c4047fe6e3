/**
 * `keepalived-ts lint`'s analysis: the loaded configs of all directors of one cluster in, sorted
 * findings out. Pure: reading files and printing is src/cli/lint.ts's job.
 */
import { sortFindings, type Finding } from './finding.js';
import { matchInstances } from './instance-matching.js';
import { keepalivedFindings } from './keepalived-rules.js';
import { noSources, type LintNode, type SourceLines } from './lint-node.js';
import { lvsFindings } from './lvs-rules.js';
import { splitBrainFindings } from './split-brain-rules.js';
import { trackerFindings } from './tracker-rules.js';
import { vrrpFindings } from './vrrp-rules.js';

export function lintCluster(nodes: readonly LintNode[], sources: SourceLines = noSources): Finding[] {
  const groups = matchInstances(nodes);
  return sortFindings([
    ...nodes.flatMap(keepalivedFindings),
    ...vrrpFindings(nodes, groups, sources),
    ...trackerFindings(nodes, groups),
    ...lvsFindings(nodes, sources),
    ...splitBrainFindings(nodes, sources),
  ]);
}

/**
 * Rules on keepalived-ts's split-brain extensions across directors: a witness is only a witness
 * when every director asks the same one with the same secret.
 */
import type { WitnessConfig } from '../config/model/witness.js';
import { finding, type Finding } from './finding.js';
import type { LintNode, SourceLines } from './lint-node.js';

/** The line of the `witness` keyword in the director's main file (0 when lint cannot read it). */
function witnessLine(node: LintNode, sources: SourceLines): { file: string; line: number } {
  const lines = sources(node.file) ?? [];
  const i = lines.findIndex((l) => l.replace(/[!#].*$/, '').trim().split(/\s+/)[0] === 'witness');
  return { file: node.file, line: i + 1 };
}

const target = (w: WitnessConfig) => `${w.address} ${w.port}`;

export function splitBrainFindings(nodes: readonly LintNode[], sources: SourceLines): Finding[] {
  const out: Finding[] = [];
  if (nodes.length < 2) return out;
  const ref = nodes.find((n) => n.config.global.witness !== undefined);
  if (!ref) return out;
  const r = ref.config.global.witness!;
  for (const n of nodes) {
    if (n === ref) continue;
    const w = n.config.global.witness;
    if (w === undefined) {
      out.push(finding('witness-mismatch', 'error', witnessLine(ref, sources),
        `a witness is configured here but not on ${n.label}: that director neither votes nor asks the witness, so the two follow different rules and can both become MASTER`));
      continue;
    }
    if (target(w) !== target(r))
      out.push(finding('witness-mismatch', 'error', witnessLine(n, sources),
        `witness ${target(w)} differs from ${target(r)} of ${ref.label}: each witness can grant its lease, so both directors can become MASTER: split brain`));
    else if (w.secret !== r.secret)
      out.push(finding('witness-mismatch', 'error', witnessLine(n, sources),
        `witness_secret differs from ${ref.label}'s: each director drops the other's votes, so a witness outage stops the service and a heartbeat cut is decided by the witness alone`));
  }
  return out;
}

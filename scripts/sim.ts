/**
 * npm run sim -- --seeds N [--from S] [--verbose] [--seed S]
 * Runs N random cluster scenarios (seeds S … S+N−1) and prints a summary; exit 1 on any violation.
 * `--seed S` runs one seed and prints its scenario and full violation reports.
 */
import { runSeed, generateScenario } from '../src/platform/sim/scenarios.js';
import { formatViolation } from '../src/platform/sim/invariants.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const one = arg('--seed');
const from = Number(one ?? arg('--from') ?? 1);
const count = one !== undefined ? 1 : Number(arg('--seeds') ?? 100);
const verbose = process.argv.includes('--verbose') || one !== undefined;
if (!Number.isInteger(from) || !Number.isInteger(count) || count < 1) {
  console.error('usage: npm run sim -- --seeds N [--from S] [--verbose] | --seed S');
  process.exit(2);
}

const wall = Date.now();
let simulated = 0;
let adverts = 0;
let transitions = 0;
const checks = { converged: 0, takeoversExpected: 0, takeoversMet: 0 };
const failed: { seed: number; invariants: string[] }[] = [];
for (let seed = from; seed < from + count; seed++) {
  if (verbose) console.log(`seed ${seed}: ${generateScenario(seed).summary}`);
  const r = runSeed(seed);
  simulated += r.stats.simulatedUs;
  adverts += r.stats.advertsSent;
  transitions += r.stats.stateChanges;
  checks.converged += r.stats.checks.converged;
  checks.takeoversExpected += r.stats.checks.takeoversExpected;
  checks.takeoversMet += r.stats.checks.takeoversMet;
  if (!r.ok) {
    failed.push({ seed, invariants: [...new Set(r.violations.map((v) => v.invariant))] });
    console.log(`seed ${seed}: ${r.violations.length} violation(s)`);
    for (const v of verbose ? r.violations : r.violations.slice(0, 1)) console.log(formatViolation(v));
  } else if (verbose) console.log(`seed ${seed}: ok (${(r.stats.simulatedUs / 1e6).toFixed(1)} s simulated, ${r.stats.wallMs} ms)`);
}
const wallS = (Date.now() - wall) / 1000;
console.log(
  `\n${count} seeds (${from}..${from + count - 1}): ${failed.length} with violations; ` +
    `${(simulated / 1e6).toFixed(0)} s simulated in ${wallS.toFixed(1)} s wall; ${adverts} adverts, ${transitions} state changes; ` +
    `${checks.converged} convergence checks, ${checks.takeoversMet}/${checks.takeoversExpected} timed takeovers`,
);
if (failed.length) {
  for (const f of failed) console.log(`  seed ${f.seed}: ${f.invariants.join(', ')}`);
  process.exit(1);
}

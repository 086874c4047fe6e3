/** Running `keepalived-ts lint` in-process on fixture files, with paths shown relative to the repo. */
import * as path from 'node:path';
import { runLint } from '../../src/cli/lint.js';
import type { Finding } from '../../src/lint/finding.js';
import { REPO_ROOT } from '../cli/run.js';

export const LINT_FIXTURES = path.join(REPO_ROOT, 'test/fixtures/lint');
export const SEED = path.join(REPO_ROOT, 'test/fixtures/seed');
export const CORPUS = path.join(REPO_ROOT, 'test/fixtures/corpus');

export interface LintRun {
  readonly exit: number;
  readonly findings: Finding[];
  readonly stderr: string;
}

/** `lint ARGS --json`; file names in the findings made relative to the repository. */
export function lintJson(args: readonly string[]): LintRun {
  let stdout = '';
  let stderr = '';
  const exit = runLint([...args, '--json'], { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  const parsed = stdout ? (JSON.parse(stdout) as { findings: Finding[] }) : { findings: [] };
  const findings = parsed.findings.map((f) => ({ ...f, file: path.relative(REPO_ROOT, f.file) }));
  return { exit, findings, stderr };
}

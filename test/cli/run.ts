/** Running the built CLI (node bin/keepalived-ts.js) for the CLI tests. */
import { spawnSync } from 'node:child_process';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
export const CLI = `${REPO_ROOT}/bin/keepalived-ts.js`;

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], options: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: options.cwd ?? REPO_ROOT, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

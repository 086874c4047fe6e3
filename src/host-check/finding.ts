/**
 * What a host check reports: one finding per problem, with a stable id (for scripts and docs), a
 * severity that decides the exit code, what was found, and the exact commands that fix it.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable rule id, e.g. `send-redirects`. */
  readonly id: string;
  readonly severity: Severity;
  /** What the finding is about (an interface, a sysctl, a firewall chain, an address), for sorting and reading. */
  readonly subject: string;
  /** What was found and what it causes, in one or two sentences. */
  readonly message: string;
  /**
   * Commands that fix it, in order. Empty when nothing on this host fixes it (then `message` says
   * what to change instead, e.g. the config).
   */
  readonly fix: readonly string[];
}

/** Exit codes shared by `doctor`: 0 clean (info findings allowed), 1 warnings, 2 errors. */
export function exitCodeOf(findings: readonly Finding[]): number {
  if (findings.some((f) => f.severity === 'error')) return 2;
  if (findings.some((f) => f.severity === 'warning')) return 1;
  return 0;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; within a severity the order the rules produced them in. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

/** The text report: one block per finding, then a summary line. */
export function renderFindingsText(findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of sortFindings(findings)) {
    lines.push(`${f.severity.toUpperCase()} ${f.id} (${f.subject}): ${f.message}`);
    for (const command of f.fix) lines.push(`  fix: ${command}`);
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  lines.push(
    findings.length === 0
      ? 'No problems found.'
      : `${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s).`,
  );
  return lines.join('\n') + '\n';
}

/** The `--json` report. */
export function renderFindingsJson(findings: readonly Finding[]): string {
  return JSON.stringify({ findings: sortFindings(findings) }, null, 2) + '\n';
}

/**
 * What `keepalived-ts lint` reports: findings with a stable rule id, and the rule catalogue
 * (README and docs/lint-rules.md list the same ids; the tests pin them).
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** The file holding the line (an included file when the line is in one). */
  readonly file: string;
  /** 1-based; 0 when keepalived reported the problem without a line and lint found no block to point at. */
  readonly line: number;
  /** One sentence: what is wrong and what it will do. */
  readonly message: string;
}

/** Every rule, with the one-line description the documentation uses. */
export const RULES = {
  'keepalived-error': 'keepalived 2.2.7 itself reports an error for this line (its exact wording)',
  'keepalived-warning': 'keepalived 2.2.7 itself reports a warning or a deprecation for this line (its exact wording)',
  'vrid-mismatch': 'the same service has different virtual_router_id values on different directors',
  'version-mismatch': 'the same service uses VRRP version 2 on one director and version 3 on another',
  'mcast-group-mismatch': 'the directors send and listen on different multicast groups',
  'unicast-peer-mismatch': 'unicast on one director and multicast on another, or a unicast_peer list missing another director\'s unicast_src_ip',
  'auth-mismatch': 'auth_type or auth_pass differ (VRRPv2); the passwords are never printed',
  'advert-int-mismatch': 'advert_int differs (an error with VRRPv2, which drops such adverts; a warning with VRRPv3)',
  'vip-mismatch': 'the virtual_ipaddress lists differ, so each director drops the other\'s adverts',
  'excluded-vip-mismatch': 'the virtual_ipaddress_excluded lists differ',
  'witness-mismatch': 'a witness configured on some directors only, or a different witness or witness_secret (keepalived-ts extension)',
  'heartbeat-paths-mismatch': 'the directors use different numbers or kinds of heartbeat_paths (keepalived-ts extension)',
  'equal-priority': 'two directors have the same priority for one service: the higher IP address wins, not the config',
  'multiple-masters': 'more than one director has state MASTER for one service',
  'multiple-address-owners': 'priority 255 (address owner) on more than one director for one service',
  'nopreempt-not-backup': 'nopreempt on an instance whose state is MASTER: keepalived ignores it',
  'vrid-collision': 'two different services use the same VRID on the same interface (on one director or across directors)',
  'instance-unmatched': 'a VRRP instance has no counterpart on another director, so nothing backs its VIPs up there',
  'sync-group-mismatch': 'an instance is in a sync group with different partners on different directors',
  'tracking-mismatch': 'an instance tracks a script, file or process on one director but not on another',
  'tracker-missing': 'a vrrp_script, track_file or vrrp_track_process is defined on one director but not on another',
  'virtual-server-missing': 'a virtual_server exists on one director but not on another',
  'virtual-server-mismatch': 'a virtual_server has a different lb_algo, lb_kind or persistence_timeout on another director',
  'real-server-mismatch': 'a virtual_server has different real servers on another director',
} as const;

export type RuleId = keyof typeof RULES;

export function finding(rule: RuleId, severity: Severity, at: { readonly file: string; readonly line: number }, message: string): Finding {
  return { rule, severity, file: at.file, line: at.line, message };
}

/** Sorted by file, then line; findings on one line keep the order they were found in. Exact repeats are dropped. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = JSON.stringify([f.rule, f.severity, f.file, f.line, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.file < b.f.file ? -1 : a.f.file > b.f.file ? 1 : a.f.line - b.f.line || a.i - b.i))
    .map(({ f }) => f);
}

/** 0 clean, 1 warnings only, 2 any error. */
export function lintExitCode(findings: readonly Finding[]): 0 | 1 | 2 {
  if (findings.some((f) => f.severity === 'error')) return 2;
  return findings.length ? 1 : 0;
}

export function formatFindingsText(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.severity} [${f.rule}] ${f.message}\n`).join('');
}

export function formatFindingsJson(findings: readonly Finding[]): string {
  const list = findings.map((f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, message: f.message }));
  return JSON.stringify({ findings: list }, null, 2) + '\n';
}

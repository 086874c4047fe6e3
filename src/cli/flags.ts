/**
 * keepalived 2.2.7's command-line flags (keepalived/core/main.c, long_options[] and the
 * getopt_long() option string, every build option included) and a getopt_long() work-alike:
 * short-option bundling (-tln), attached or separate values (-ffile, -f file), --opt=value and
 * --opt value for required arguments, optional arguments only attached (-tLOG, --config-test=LOG),
 * unambiguous abbreviations of long names (--ver), permutation of operands, and `--`.
 */

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';

export type ArgKind = 'none' | 'required' | 'optional';

/**
 * What keepalived-ts does with a flag:
 * - config:  used by the config test / dump (-f, -i, -e, -t, -d)
 * - info:    prints something and exits (-v, -h, --signum)
 * - daemon:  a setting of the running daemon; it changes nothing in a config test (as in keepalived)
 * - missing: a feature keepalived-ts does not have (yet): refused with a clear message
 */
export type FlagKind = 'config' | 'info' | 'daemon' | 'missing';

export interface FlagDef {
  readonly id: string;
  readonly short?: string;
  readonly long?: string;
  readonly arg: ArgKind;
  readonly kind: FlagKind;
  /** Placeholder of the value in the usage text. */
  readonly argName?: string;
  /** The value part of the usage text where keepalived writes it differently (-M, -g, -i). */
  readonly usageArg?: string;
  readonly help: string;
  /** For 'missing' flags: what the feature is, for the refusal message. */
  readonly feature?: string;
  /** Not listed by --help (keepalived hides --config-fd: internal use only). */
  readonly hidden?: boolean;
}

export const FLAGS: readonly FlagDef[] = [
  { id: 'use-file', short: 'f', long: 'use-file', arg: 'required', kind: 'config', argName: 'FILE', help: "Use the specified configuration file\ndefault '/etc/keepalived/keepalived.conf'" },
  { id: 'vrrp', short: 'P', long: 'vrrp', arg: 'none', kind: 'daemon', help: 'Only run with VRRP subsystem' },
  { id: 'check', short: 'C', long: 'check', arg: 'none', kind: 'daemon', help: 'Only run with Health-checker subsystem' },
  { id: 'no_bfd', short: 'B', long: 'no_bfd', arg: 'none', kind: 'daemon', help: "Don't run BFD subsystem" },
  { id: 'all', long: 'all', arg: 'none', kind: 'daemon', help: 'Force all child processes to run, even if have no configuration' },
  { id: 'log-console', short: 'l', long: 'log-console', arg: 'none', kind: 'daemon', help: 'Log messages to local console' },
  { id: 'log-detail', short: 'D', long: 'log-detail', arg: 'none', kind: 'daemon', help: 'Detailed log messages' },
  { id: 'log-facility', short: 'S', long: 'log-facility', arg: 'required', kind: 'daemon', argName: '([0-7]|local[0-7]|user|daemon)', help: 'Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)' },
  { id: 'log-file', short: 'g', long: 'log-file', arg: 'optional', kind: 'missing', argName: 'FILE', usageArg: '=FILE', help: 'Also log to FILE (default /tmp/keepalived.log)', feature: 'logging to a file' },
  { id: 'flush-log-file', long: 'flush-log-file', arg: 'none', kind: 'missing', help: 'Flush log file on write', feature: 'logging to a file' },
  { id: 'no-syslog', short: 'G', long: 'no-syslog', arg: 'none', kind: 'daemon', help: "Don't log via syslog" },
  { id: 'umask', short: 'u', long: 'umask', arg: 'required', kind: 'daemon', argName: 'MASK', help: 'umask for file creation (in numeric form)' },
  { id: 'release-vips', short: 'X', long: 'release-vips', arg: 'none', kind: 'daemon', help: 'Drop VIP on transition from signal.' },
  { id: 'dont-release-vrrp', short: 'V', long: 'dont-release-vrrp', arg: 'none', kind: 'daemon', help: "Don't remove VRRP VIPs and VROUTEs on daemon stop" },
  { id: 'dont-release-ipvs', short: 'I', long: 'dont-release-ipvs', arg: 'none', kind: 'daemon', help: "Don't remove IPVS topology on daemon stop" },
  { id: 'dont-respawn', short: 'R', long: 'dont-respawn', arg: 'none', kind: 'daemon', help: "Don't respawn child processes" },
  { id: 'dont-fork', short: 'n', long: 'dont-fork', arg: 'none', kind: 'daemon', help: "Don't fork the daemon process" },
  { id: 'dump-conf', short: 'd', long: 'dump-conf', arg: 'none', kind: 'config', help: 'Dump the configuration data (keepalived-ts: as JSON on stdout, secrets masked)' },
  { id: 'pid', short: 'p', long: 'pid', arg: 'required', kind: 'daemon', argName: 'FILE', help: 'Use specified pidfile for parent process' },
  { id: 'vrrp_pid', short: 'r', long: 'vrrp_pid', arg: 'required', kind: 'daemon', argName: 'FILE', help: 'Use specified pidfile for VRRP child process' },
  { id: 'genhash', short: 'T', long: 'genhash', arg: 'none', kind: 'info', help: 'Enter into genhash utility mode (this should be the first option used).' },
  { id: 'checkers_pid', short: 'c', long: 'checkers_pid', arg: 'required', kind: 'daemon', argName: 'FILE', help: 'Use specified pidfile for checkers child process' },
  { id: 'address-monitoring', short: 'a', long: 'address-monitoring', arg: 'none', kind: 'daemon', help: 'Report all address additions/deletions notified via netlink' },
  { id: 'bfd_pid', short: 'b', long: 'bfd_pid', arg: 'required', kind: 'daemon', argName: 'FILE', help: 'Use specified pidfile for BFD child process' },
  { id: 'snmp', short: 'x', long: 'snmp', arg: 'none', kind: 'missing', help: 'Enable SNMP subsystem', feature: 'SNMP' },
  { id: 'snmp-agent-socket', short: 'A', long: 'snmp-agent-socket', arg: 'required', kind: 'missing', argName: 'FILE', help: 'Use the specified socket for master agent', feature: 'SNMP' },
  { id: 'namespace', short: 's', long: 'namespace', arg: 'required', kind: 'missing', argName: 'NAME', help: 'Run in network namespace NAME (overrides config)', feature: 'running in a network namespace' },
  { id: 'core-dump', short: 'm', long: 'core-dump', arg: 'none', kind: 'daemon', help: 'Produce core dump if terminate abnormally' },
  { id: 'core-dump-pattern', short: 'M', long: 'core-dump-pattern', arg: 'optional', kind: 'daemon', argName: 'PATN', usageArg: '=PATN', help: "Also set /proc/sys/kernel/core_pattern to PATN (default 'core')" },
  { id: 'no-mem-check', long: 'no-mem-check', arg: 'none', kind: 'missing', help: 'disable malloc() etc mem-checks', feature: "keepalived's C memory checker" },
  { id: 'mem-check-log', short: 'L', long: 'mem-check-log', arg: 'none', kind: 'missing', help: 'Log malloc/frees to syslog', feature: "keepalived's C memory checker" },
  { id: 'all-config', short: 'e', long: 'all-config', arg: 'none', kind: 'config', help: 'Error if any configuration file missing (same as includet)' },
  { id: 'config-id', short: 'i', long: 'config-id', arg: 'required', kind: 'config', argName: 'id', usageArg: ' id', help: "Skip any configuration lines beginning '@' that don't match id\nor any lines beginning @^ that do match.\nThe config-id defaults to the node name if option not used" },
  { id: 'signum', long: 'signum', arg: 'required', kind: 'info', argName: 'SIGFUNC', help: 'Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON' },
  { id: 'config-test', short: 't', long: 'config-test', arg: 'optional', kind: 'config', argName: 'LOG_FILE', help: 'Check the configuration for obvious errors, output to\nstderr by default' },
  { id: 'config-fd', long: 'config-fd', arg: 'required', kind: 'missing', argName: 'fd_num', help: 'File descriptor to write consolidated config to', feature: "keepalived's internal config hand-over", hidden: true },
  { id: 'perf', long: 'perf', arg: 'optional', kind: 'missing', argName: 'PERF_TYPE', help: 'Collect perf data, PERF_TYPE=all, run(default) or end', feature: 'perf data collection' },
  { id: 'debug', long: 'debug', arg: 'optional', kind: 'missing', argName: '...', help: 'Enable debug options. p, b, c, v specify parent, bfd, checker and vrrp processes', feature: "keepalived's debug options" },
  { id: 'status-socket', long: 'status-socket', arg: 'required', kind: 'daemon', argName: 'PATH', help: "keepalived-ts: the daemon's status socket\ndefault '/run/keepalived-ts.sock'" },
  { id: 'data-plane', long: 'data-plane', arg: 'required', kind: 'daemon', argName: 'KIND', help: "keepalived-ts: what serves virtual servers: auto or proxy\ndefault 'auto' (the best available: today the user-space proxy)" },
  { id: 'version', short: 'v', long: 'version', arg: 'none', kind: 'info', help: 'Display the version number' },
  { id: 'help', short: 'h', long: 'help', arg: 'none', kind: 'info', help: 'Display this help message' },
];

export type ArgEvent =
  | { readonly type: 'option'; readonly flag: FlagDef; readonly value?: string; readonly spelled: string }
  /** keepalived: `Unknown option X` (X is -c for a short option, the whole argument for a long one). */
  | { readonly type: 'unknown'; readonly text: string }
  /** keepalived: `Missing parameter for option X`. */
  | { readonly type: 'missing'; readonly text: string };

export interface ParsedArgs {
  /** Options and errors in command-line order (keepalived acts on each as getopt returns it). */
  readonly events: readonly ArgEvent[];
  /** Arguments that are not options (keepalived: "Unexpected argument(s)"). */
  readonly operands: readonly string[];
}

const byShort = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));
const longFlags = FLAGS.filter((f) => f.long);

/** getopt_long's look-up: an exact name, else the only long name it is a prefix of. */
function findLong(name: string): FlagDef | undefined {
  const exact = longFlags.find((f) => f.long === name);
  if (exact) return exact;
  const candidates = longFlags.filter((f) => f.long!.startsWith(name));
  return candidates.length === 1 ? candidates[0] : undefined;
}

export function parseArgs(argv: readonly string[], flags: { only?: ReadonlySet<string> } = {}): ParsedArgs {
  const events: ArgEvent[] = [];
  const operands: string[] = [];
  const allowed = (f: FlagDef | undefined) => (f && (!flags.only || flags.only.has(f.id)) ? f : undefined);
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') {
      operands.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const flag = allowed(findLong(name));
      const spelled = flag ? `--${flag.long}` : arg;
      if (!flag) {
        events.push({ type: 'unknown', text: arg });
      } else if (eq >= 0) {
        const value = arg.slice(eq + 1);
        if (flag.arg === 'none') events.push({ type: 'unknown', text: arg });
        else if (flag.arg === 'required' && value === '') events.push({ type: 'missing', text: spelled });
        else events.push({ type: 'option', flag, value, spelled });
      } else if (flag.arg === 'required') {
        if (i < argv.length) events.push({ type: 'option', flag, value: argv[i++]!, spelled });
        else events.push({ type: 'missing', text: spelled });
      } else {
        events.push({ type: 'option', flag, spelled });
      }
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      const flag = allowed(byShort.get(c));
      if (!flag) {
        events.push({ type: 'unknown', text: `-${c}` });
        continue;
      }
      const spelled = `-${c}`;
      const rest = arg.slice(j + 1);
      if (flag.arg === 'none') {
        events.push({ type: 'option', flag, spelled });
        continue;
      }
      if (rest !== '') events.push({ type: 'option', flag, value: rest, spelled });
      else if (flag.arg === 'optional') events.push({ type: 'option', flag, spelled });
      else if (i < argv.length) events.push({ type: 'option', flag, value: argv[i++]!, spelled });
      else events.push({ type: 'missing', text: spelled });
      break;
    }
  }
  return { events, operands };
}

/** The usage text, in keepalived's layout (`-h`). */
export function usage(prog: string, flags: readonly FlagDef[] = FLAGS): string {
  const lines = [`Usage: ${prog} [OPTION...]`];
  for (const f of flags) {
    if (f.hidden) continue;
    const short = f.short ? `-${f.short}, ` : '    ';
    let long = `--${f.long}`;
    if (f.usageArg !== undefined) long += f.usageArg;
    else if (f.argName) long += f.arg === 'optional' ? `[=${f.argName}]` : `=${f.argName}`;
    const head = `  ${short}${long}`;
    const [first, ...more] = f.help.split('\n');
    if (head.length < 31) lines.push(`${head.padEnd(31)}${first}`);
    else lines.push(head, `${' '.repeat(31)}${first}`);
    for (const m of more) lines.push(`${' '.repeat(32)}${m}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * `keepalived-ts doctor`: checks that this host can run the config (a director) or serve as a
 * direct-routing real server (`--realserver`). Argument parsing and output only; the checks are
 * in src/host-check.
 */
import { linuxHostFacts } from '../config/linux-host-facts.js';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { checkDirector } from '../host-check/director-doctor.js';
import { routeTargets } from '../host-check/director-view.js';
import { exitCodeOf, renderFindingsJson, renderFindingsText, type Finding } from '../host-check/finding.js';
import { gatherDirectorFacts } from '../host-check/linux-gather.js';
import { gatherRealServerFacts } from '../host-check/realserver-apply.js';
import { checkRealServer, parseVipList } from '../host-check/realserver-rules.js';
import { DEFAULT_CONFIG_FILE } from './flags.js';
import type { Output } from './output.js';

export const DOCTOR_USAGE = `Usage: keepalived-ts doctor [-f FILE] [-i ID] [--json]
       keepalived-ts doctor --realserver --vip VIP[,VIP...] [--mode dr] [--json]
  Check this host for what keeps keepalived-ts from working: firewall rules dropping VRRP,
  missing or down interfaces, rp_filter, send_redirects, ip_forward, IPVS, the clock
  (a director, reading FILE, default '${DEFAULT_CONFIG_FILE}'); or, with --realserver, the
  VIPs on lo and the ARP settings of a direct-routing real server.
  Each finding comes with the command that fixes it. Exit 0: nothing to fix (notes allowed),
  1: warnings, 2: errors.
  -f, --use-file FILE     configuration file
  -i, --config-id ID      config id for '@id' lines (default: the node name)
  --json                  print { "findings": [ { id, severity, subject, message, fix } ] }
  --realserver            check a real server instead of a director
  --vip VIP[,VIP...]      the virtual addresses the real server serves (with --realserver)
  --mode dr               forwarding method of the real server (only dr: direct routing)
`;

export interface DoctorArgs {
  file: string;
  configId?: string;
  json: boolean;
  realserver: boolean;
  vip?: string;
  mode: string;
}

/** Options with a value, as `--opt VALUE` or `--opt=VALUE` (short ones as `-f VALUE`). */
export function parseOptions(
  argv: readonly string[],
  withValue: Readonly<Record<string, string>>,
  flags: Readonly<Record<string, string>>,
): { values: Map<string, string>; set: Set<string>; operands: string[]; errors: string[] } {
  const values = new Map<string, string>();
  const set = new Set<string>();
  const operands: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (withValue[name] !== undefined) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) errors.push(`option ${name} needs a value`);
      else values.set(withValue[name]!, value);
    } else if (flags[a] !== undefined) set.add(flags[a]!);
    else if (a.startsWith('-') && a !== '-') errors.push(`unknown option ${a}`);
    else operands.push(a);
  }
  return { values, set, operands, errors };
}

function report(findings: readonly Finding[], json: boolean, io: Output): number {
  io.out(json ? renderFindingsJson(findings) : renderFindingsText(findings));
  return exitCodeOf(findings);
}

function doctorDirector(args: DoctorArgs, io: Output): number {
  const result = loadConfig(args.file, { host: linuxHostFacts(), ...(args.configId !== undefined ? { configId: args.configId } : {}) });
  for (const d of result.diagnostics.list) io.err(formatDiagnostic(d) + '\n');
  if (!result.found)
    return report([{ id: 'config-missing', severity: 'error', subject: args.file, message: `cannot read the configuration ${args.file}`, fix: [] }], args.json, io);
  const findings: Finding[] = [];
  if (result.diagnostics.exitCode() !== 0)
    findings.push({ id: 'config-invalid', severity: 'error', subject: args.file, message: `the configuration has errors (listed on stderr); the host checks below use what could be read`, fix: [`keepalived-ts -t -f ${args.file}`] });
  const facts = gatherDirectorFacts(routeTargets(result.config));
  findings.push(...checkDirector(result.config, facts));
  return report(findings, args.json, io);
}

function doctorRealServer(args: DoctorArgs, io: Output): number {
  if (args.mode !== 'dr') {
    io.err(`keepalived-ts doctor: --mode ${args.mode}: only dr (direct routing) real servers are checked\n`);
    return 2;
  }
  if (args.vip === undefined) {
    io.err(`keepalived-ts doctor: --realserver needs --vip VIP[,VIP...]\n`);
    return 2;
  }
  const { vips, errors } = parseVipList(args.vip);
  if (errors.length > 0) {
    for (const e of errors) io.err(`keepalived-ts doctor: --vip: ${e}\n`);
    return 2;
  }
  const facts = gatherRealServerFacts();
  const findings: Finding[] = [];
  if (facts.linkError !== undefined)
    findings.push({ id: 'links-unreadable', severity: 'warning', subject: 'addresses', message: `could not list the host's addresses (${facts.linkError}): VIP checks are unreliable`, fix: [] });
  findings.push(...checkRealServer(vips, facts));
  return report(findings, args.json, io);
}

export function runDoctor(argv: readonly string[], io: Output): number {
  const { values, set, operands, errors } = parseOptions(
    argv,
    { '-f': 'file', '--use-file': 'file', '-i': 'config-id', '--config-id': 'config-id', '--vip': 'vip', '--mode': 'mode' },
    { '--json': 'json', '-j': 'json', '--realserver': 'realserver', '-h': 'help', '--help': 'help' },
  );
  if (set.has('help')) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  for (const o of operands) errors.push(`unexpected argument '${o}'`);
  if (!set.has('realserver') && values.has('vip')) errors.push('--vip is for --realserver');
  if (errors.length > 0) {
    for (const e of errors) io.err(`keepalived-ts doctor: ${e}\n`);
    io.err(DOCTOR_USAGE);
    return 2;
  }
  const args: DoctorArgs = {
    file: values.get('file') ?? DEFAULT_CONFIG_FILE,
    ...(values.has('config-id') ? { configId: values.get('config-id')! } : {}),
    json: set.has('json'),
    realserver: set.has('realserver'),
    ...(values.has('vip') ? { vip: values.get('vip')! } : {}),
    mode: (values.get('mode') ?? 'dr').toLowerCase(),
  };
  return args.realserver ? doctorRealServer(args, io) : doctorDirector(args, io);
}

/**
 * The keepalived-ts command: keepalived 2.2.7's command line (see flags.ts), plus `dump`.
 *
 * Options are acted on in command-line order, as keepalived does: -v, -h and --signum print and
 * exit when they are reached; bad options are reported and make the run exit 1 after the whole
 * line is read. What keepalived-ts cannot do yet is refused with one clear line and exit 1.
 * Without -t, -d or an info flag the daemon runs (daemon/supervisor.ts).
 */
import { DEFAULT_CONFIG_FILE, FLAGS, parseArgs, usage } from './flags.js';
import { DATA_PLANE_CHOICES, isDataPlaneChoice, type DataPlaneChoice } from '../dataplane/select.js';
import { openConfigTestLog, processOutput, type Output } from './output.js';
import { signum } from './signum.js';
import { versionText } from './version.js';
import { DEFAULT_CHECKERS_PID_FILE, DEFAULT_PID_FILE, DEFAULT_STATUS_SOCKET, DEFAULT_VRRP_PID_FILE } from '../daemon/options.js';

/* The config loader (and its keyword tables) is imported only when a config is read: -v, -h and
 * --signum stay fast and work whatever state the parser modules are in. */

export const PROG = 'keepalived-ts';
export const EXIT_FAILURE = 1;


/** keepalived's -S values: 0-7, local0-local7, user, daemon. */
function validFacility(value: string): boolean {
  return /^(local)?[0-7]$/.test(value) || value === 'user' || value === 'daemon';
}

/** keepalived's set_umask(): strtoll(…, 0) of a mode within 0777. */
function parseUmask(value: string): number | undefined {
  const m = /^\s*(?:0x([0-9a-f]+)|(0[0-7]*)|([1-9]\d*))$/i.exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : parseInt(m[3]!, 10);
}

function validUmask(value: string): boolean {
  const n = parseUmask(value);
  return n !== undefined && n >= 0 && (n & ~0o777) === 0;
}

export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  if (argv[0] === 'dump') return (await import('./dump.js')).runDump(argv.slice(1), output);
  if (argv[0] === 'simulate') return (await import('./simulate.js')).runSimulate(argv.slice(1), output);
  if (argv[0] === 'status') return (await import('./status.js')).runStatus(argv.slice(1), output);
  if (argv[0] === 'witness') return (await import('./witness.js')).runWitness(argv.slice(1), output);
  if (argv[0] === 'doctor') return (await import('./doctor.js')).runDoctor(argv.slice(1), output);
  if (argv[0] === 'realserver') return (await import('./realserver.js')).runRealServer(argv.slice(1), output);
  if (argv[0] === 'lint') return (await import('./lint.js')).runLint(argv.slice(1), output);
  if (argv[0] === 'lvs') {
    const lvs = await import('./lvs.js');
    return lvs.runLvs(argv.slice(1), output, lvs.daemonLvsSource);
  }
  if (argv[0] === 'genhash') return (await import('./genhash.js')).runGenhash(argv.slice(1), output, { prog: PROG, subcommand: true });

  let io = output;
  const { events, operands } = parseArgs(argv);
  let file = DEFAULT_CONFIG_FILE;
  let configId: string | undefined;
  let allConfig = false;
  let configTest = false;
  let dump = false;
  let bad = false;
  let missingFeature = false;
  const daemon = {
    logConsole: false,
    logDetail: false,
    logFacility: undefined as string | undefined,
    noSyslog: false,
    dontFork: false,
    dontRespawn: false,
    dontReleaseVrrp: false,
    vrrpOnly: false,
    checkOnly: false,
    all: false,
    pidFile: DEFAULT_PID_FILE,
    vrrpPidFile: DEFAULT_VRRP_PID_FILE,
    checkersPidFile: DEFAULT_CHECKERS_PID_FILE,
    statusSocket: DEFAULT_STATUS_SOCKET,
    dataPlane: 'auto' as DataPlaneChoice,
    umask: undefined as number | undefined,
    addressMonitoring: false,
  };

  for (const ev of events) {
    if (ev.type === 'unknown') {
      io.err(`Unknown option ${ev.text}\n`);
      bad = true;
      continue;
    }
    if (ev.type === 'missing') {
      io.err(`Missing parameter for option ${ev.text}\n`);
      bad = true;
      continue;
    }
    const { flag, value } = ev;
    switch (flag.id) {
      case 'version':
        io.err(versionText());
        return 0;
      case 'help':
        io.err(usage(PROG, FLAGS));
        io.err(`\n       ${PROG} dump [-f FILE] [-i ID] [-e]   print the configuration as JSON (secrets masked)\n`);
        io.err(`       ${PROG} simulate -f NODE.conf -f NODE.conf [...]   run configs as a simulated cluster (--help)\n`);
        io.err(`       ${PROG} lint NODE.conf NODE.conf [...] [--json]   check the directors' configs against each other\n`);
        io.err(`       ${PROG} doctor [-f FILE] | --realserver --vip VIP[,VIP]   check this host for what the config needs\n`);
        io.err(`       ${PROG} realserver setup|teardown --vip VIP[,VIP]   prepare a direct-routing real server\n`);
        io.err(`       ${PROG} witness --listen ADDR:PORT [--secret-file FILE]   the split-brain witness\n`);
        io.err(`       ${PROG} status [--json] | lvs [--json]   ask the running daemon\n`);
        io.err(`       ${PROG} genhash -s IP -p PORT -u URL [-S] [-V VHOST]   keepalived's genhash\n`);
        return 0;
      case 'signum': {
        const n = signum(value!);
        if (n === undefined) {
          io.err(`Unknown sigfunc ${value}\n`);
          return EXIT_FAILURE;
        }
        io.out(`${n}\n`);
        return 0;
      }
      case 'config-test':
        configTest = true;
        if (value) {
          const opened = openConfigTestLog(value, io);
          if (typeof opened === 'string') {
            io.err(opened);
            return EXIT_FAILURE;
          }
          io = opened;
        }
        break;
      case 'use-file':
        file = value!;
        break;
      case 'config-id':
        configId = value!;
        break;
      case 'all-config':
        allConfig = true;
        break;
      case 'dump-conf':
        dump = true;
        break;
      case 'log-facility':
        if (!validFacility(value!)) io.err(`Invalid log facility '${value}'\n`);
        else daemon.logFacility = value!;
        break;
      case 'umask':
        if (!validUmask(value!)) io.err(`Invalid --umask option ${value}\n`);
        else daemon.umask = parseUmask(value!);
        break;
      case 'log-console':
        daemon.logConsole = true;
        break;
      case 'log-detail':
        daemon.logDetail = true;
        break;
      case 'no-syslog':
        daemon.noSyslog = true;
        break;
      case 'dont-fork':
        daemon.dontFork = true;
        break;
      case 'dont-respawn':
        daemon.dontRespawn = true;
        break;
      case 'dont-release-vrrp':
        daemon.dontReleaseVrrp = true;
        break;
      case 'vrrp':
        daemon.vrrpOnly = true;
        break;
      case 'check':
        daemon.checkOnly = true;
        break;
      case 'all':
        daemon.all = true;
        break;
      case 'pid':
        daemon.pidFile = value!;
        break;
      case 'vrrp_pid':
        daemon.vrrpPidFile = value!;
        break;
      case 'checkers_pid':
        daemon.checkersPidFile = value!;
        break;
      case 'status-socket':
        daemon.statusSocket = value!;
        break;
      case 'data-plane':
        if (isDataPlaneChoice(value!)) daemon.dataPlane = value;
        else {
          io.err(`${PROG}: --data-plane ${value}: unknown data plane (choose ${DATA_PLANE_CHOICES.join(' or ')})\n`);
          bad = true;
        }
        break;
      case 'address-monitoring':
        daemon.addressMonitoring = true;
        break;
      default:
        if (flag.id === 'genhash') {
          // keepalived hands the rest of the line to genhash, whatever came before
          if (ev !== events[0]) io.err(`Warning -- \`${ev.spelled.startsWith('--') ? 'genhash' : '-T'}\` not used as first option, previous options ignored\n`);
          const genhash = await import('./genhash.js');
          const isGenhashAt = (prefix: readonly string[]) =>
            parseArgs(prefix).events.some((e) => e.type === 'option' && e.flag.id === 'genhash');
          const rest = genhash.argsAfterGenhashFlag(argv, isGenhashAt);
          return genhash.runGenhash(rest, io, { prog: PROG, subcommand: false, argc: argv.length + 1 });
        }
        if (flag.kind === 'missing') {
          io.err(`${PROG}: ${ev.spelled} (${flag.feature}) is not available in this version\n`);
          missingFeature = true;
        }
        /* 'daemon' flags: settings of the running daemon; a config test does not use them (nor does keepalived's). */
        break;
    }
  }

  if (operands.length > 0) io.out(`Unexpected argument(s): ${operands.map((o) => o + ' ').join('')}\n`);
  if (bad || missingFeature) return EXIT_FAILURE;

  const request = { file, allConfig, ...(configId !== undefined ? { configId } : {}) };
  if (configTest) return (await import('./config-test.js')).runConfigTest({ ...request, dump }, io);

  if (dump) {
    const { loadAndReport } = await import('./config-test.js');
    const { dumpConfig } = await import('../config/dump.js');
    const result = loadAndReport(request, io);
    if (result.found) io.out(dumpConfig(result.config) + '\n');
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    io.err(`${PROG}: the daemon needs root (raw VRRP sockets, addresses on interfaces); run it as root, or use -t to check a configuration\n`);
    return 4;
  }
  const { runDaemon } = await import('../daemon/supervisor.js');
  return runDaemon({ ...daemon, configFile: file, allConfig, ...(configId !== undefined ? { configId } : {}) }, argv);
}
